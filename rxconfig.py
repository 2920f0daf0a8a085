"""Reflex configuration.

Environment overrides use Reflex's ``REFLEX_`` prefix (``REFLEX_DB_URL``,
``REFLEX_REDIS_URL``, ``REFLEX_CORS_ALLOWED_ORIGINS``). ``SUPPORT_APP_PUBLIC_URL``
(default ``http://localhost:$SUPPORT_APP_PORT``) is where browsers reach the app:
the frontend is built to open its event socket there, and only that origin may
open it (CORS is never ``*``).

The state manager is pinned: in memory for one process, Redis when
``REFLEX_REDIS_URL`` is set (several workers). Never Reflex's disk manager, which
would pickle every tab's state into ``.states/`` and keep it across restarts.
Reflex builds its Redis clients from ``REFLEX_REDIS_URL`` alone, so the connect
timeout and keepalive are added to that URL here, before Reflex reads it. A backend
worker that dies is respawned (``support_app.reflex_patches.worker_respawn``) instead of taking
the whole server down. Each run of the server gets an empty directory for the
workers' Prometheus metrics (``support_app.metrics``).
"""

import logging
import os

import reflex as rx

from support_app.metrics_directory import prepare_multiprocess_directory
from support_app.reflex_patches.worker_respawn import enable_worker_respawn
from support_app.settings import DEFAULT_DB_URL, bounded_redis_url, get_settings

_settings = get_settings()
if _settings.redis_url:
    os.environ["REFLEX_REDIS_URL"] = bounded_redis_url(
        _settings.redis_url, _settings.redis_connect_seconds
    )


class _NodeVersionNotice(logging.Filter):
    """Drops Reflex's "Your version (…) of Node.js is out of date" warning.

    It does not apply here: the build runs on bun from ``.tools/``, and when the
    installed Node.js is older than Reflex's minimum, Reflex itself switches to
    ``bun --bun`` so Node.js is not used at all. Reflex has no setting to say so.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "of Node.js is out of date" not in record.getMessage()


logging.getLogger("reflex.utils.js_runtimes").addFilter(_NodeVersionNotice())
enable_worker_respawn()
# Before any worker starts (and imports prometheus_client): see support_app.metrics.
prepare_multiprocess_directory()

config = rx.Config(
    app_name="support_app",
    db_url=DEFAULT_DB_URL,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    api_url=_settings.public_url,
    deploy_url=_settings.public_url,
    cors_allowed_origins=list(_settings.allowed_origins),
    state_manager_mode="redis" if os.environ.get("REFLEX_REDIS_URL") else "memory",
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="indigo", gray_color="slate", radius="medium")
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
