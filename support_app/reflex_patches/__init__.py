"""Every change this app makes to code it does not own (Reflex, Granian), in one place.

Each patch is one module here with one ``install`` function, listed in ``PATCHES``
with what it changes, why, and the code it was written against: the third-party
functions it replaces, wraps or relies on, each pinned by a fingerprint of its
source. ``tests/unit/test_reflex_patches.py`` fails when any of them changed (an
upgrade of Reflex or Granian), naming the patch to re-read against the new code
before the fingerprint is updated; so an upgrade cannot silently undo a patch.

Applied once per process: ``install(app)`` from the app module (every backend
worker), ``worker_respawn.enable_worker_respawn`` from ``rxconfig.py`` (the
``reflex run`` process, Granian's supervisor), ``graceful_shutdown.
take_over_sigterm`` from each worker's lifespan (``web.worker_lifespan``).
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import textwrap
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Patch:
    name: str  # this package's module that holds it
    changes: str
    why: str
    # "module:qualified.name" of third-party code -> fingerprint of its source.
    pinned: dict[str, str]


PATCHES: tuple[Patch, ...] = (
    Patch(
        name="event_screen",
        changes="EventNamespace.on_event drops frames that are not a registered "
        "handler's event (one rate-limited log line); Reflex's payload warning loses "
        "the client's value",
        why="Reflex logged whole refused frames (passwords, tokens, 500 kB payloads)",
        pinned={
            "reflex.app:EventNamespace.on_event": "b8b616795a311caa",
            "reflex_base.event.processor.base_state_processor:_prepare_event_payload": (
                "a683e415d14781d6"
            ),
            "reflex_base.registry:RegistrationContext": "a1958fcfc4256ad2",
        },
    ),
    Patch(
        name="event_log",
        changes="BaseStateEventProcessor._execute_event writes one log line per event "
        "and counts events in flight; the state store's Redis commands are bounded",
        why="Reflex has no hook around an event (middleware postprocess never runs); a "
        "frozen Redis hung a tab's events without end; a drain must know what runs",
        pinned={
            "reflex_base.event.processor.base_state_processor:"
            "BaseStateEventProcessor._execute_event": "f4e58fe1e22fcb63",
            "redis.asyncio.client:Redis.execute_command": "005b5e0f7d87fb81",
        },
    ),
    Patch(
        name="tab_recovery",
        changes="socket identities name the worker process; a tab's socket record of a "
        "worker that is gone (/proc, or its lease) is removed before the tab is linked",
        why="Reflex gave every tab of a killed worker a new, empty state (its "
        "duplicate-tab rule): the open dialog and typed text were lost",
        pinned={
            "reflex.utils.token_manager:RedisTokenManager.link_token_to_sid": ("c55276e399202494"),
            "reflex.utils.token_manager:TokenManager._reset_instance_id": "79d541239c1a7214",
            "reflex.utils.token_manager:RedisTokenManager._get_redis_key": "3864dd69fc7f3b79",
            "reflex.app:App._setup_event_processor": "ddf72a89859f268e",
        },
    ),
    Patch(
        name="worker_respawn",
        changes="granian.server.Server defaults respawn_failed_workers to on",
        why="Granian stopped the whole app when one worker died; Reflex passes no option",
        pinned={
            "reflex.utils.exec:run_granian_backend_prod": "68a7306d2971c1a0",
            "granian.server.common:AbstractServer.__init__": "d2f27ecbad3f5cfc",
            "granian.server.common:AbstractServer._serve_loop": "70f375e8c0cf2d29",
        },
    ),
    Patch(
        name="graceful_shutdown",
        changes="the worker's SIGTERM handler (Granian's) is replaced by a drain that "
        "calls it at the end; the drain ends each Engine.IO socket's writer, which "
        "closes its WebSocket",
        why="a SIGTERM cut events in flight (a desk call's answer was lost) and left "
        "tabs on a worker that was going away",
        pinned={
            "granian._signals:set_loop_signals": "ce78d76020b2e048",
            "granian.server.mp:MPServer._spawn_asgi_lifespan_worker": "9a9eb52feb94c83b",
            "asyncio.unix_events:_UnixSelectorEventLoop.add_signal_handler": ("8d305ef952557e4b"),
            "engineio.async_server:AsyncServer.disconnect": "de8c2fec6b3ac402",
            "engineio.async_socket:AsyncSocket.close": "9145d6fd2870d960",
            "engineio.async_socket:AsyncSocket.poll": "01a7f5df1937d926",
            "engineio.async_socket:AsyncSocket._websocket_handler": "3548a4051e6f43df",
        },
    ),
    Patch(
        name="serve_built",
        changes="python -m support_app serve-built runs Reflex's production server on an "
        "existing build (what reflex run --env prod does after its build step)",
        why="reflex run --env prod rebuilds the frontend at every start: minutes per "
        "instance in a rolling deploy",
        pinned={
            "reflex.reflex:_run_prod": "9070b04f66e8abda",
            "reflex.utils.exec:run_backend_prod": "9a95ff831d7ed72a",
        },
    ),
)


def resolve(target: str) -> Any:
    """The object ``"module:qualified.name"`` names, as its owner wrote it (a patch's
    wrapper is looked through: each keeps the original as ``__wrapped__``)."""
    module_name, _, qualname = target.partition(":")
    found: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        found = inspect.getattr_static(found, part)
    if isinstance(found, staticmethod | classmethod):
        found = found.__func__
    return inspect.unwrap(found)


def fingerprint(target: str) -> str:
    """The first 16 hex digits of the SHA-256 of ``target``'s source (dedented)."""
    source = textwrap.dedent(inspect.getsource(resolve(target)))
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def install(app: Any) -> None:
    """Apply the patches of a backend worker's app (each once per process)."""
    from support_app.reflex_patches import event_log, event_screen, tab_recovery

    event_screen.install()
    event_log.install(app)
    tab_recovery.install()
