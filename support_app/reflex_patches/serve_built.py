"""Serve an existing production build, without building it again (``serve-built``).

``reflex run --env prod`` compiles the app and rebuilds the frontend at every start
(minutes on a small machine), so a rolling deploy or a replaced host would wait that
long per instance. The build does not change between instances of one release
(its socket URL is the public URL, the proxy's, not an instance's port), so each
instance can serve the one build: ``python -m support_app serve-built`` does what
``reflex run --env prod --single-port`` does after its build step - the same
Reflex calls (``reflex.reflex._run_prod``): production mode, compile skipped, the
compiled frontend mounted beside the backend on one port - from the build in
``REFLEX_WEB_WORKDIR`` (default ``.web``).
"""

from __future__ import annotations


def serve_built(host: str, port: int) -> None:
    """Run the production backend with the built frontend on ``host:port`` (blocks)."""
    from reflex.config import get_config
    from reflex.utils import exec as reflex_exec
    from reflex.utils import prerequisites
    from reflex_base import constants
    from reflex_base.environment import environment

    static = prerequisites.get_web_dir() / constants.Dirs.STATIC
    if not static.is_dir():
        raise SystemExit(f"no production build in {static}: run `make run` (or reflex run) once")
    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)
    config = get_config()
    config._set_persistent(frontend_port=port, backend_port=port)
    reflex_exec.run_backend_prod(
        host, port, config.loglevel.subprocess_level(), mount_frontend_compiled_app=True
    )
