"""Reflex configuration.

Environment overrides use Reflex's ``REFLEX_`` prefix (``REFLEX_DB_URL``,
``REFLEX_REDIS_URL``, ``REFLEX_CORS_ALLOWED_ORIGINS``). ``SUPPORT_APP_PUBLIC_URL``
(default ``http://localhost:$SUPPORT_APP_PORT``) is where browsers reach the app:
the frontend is built to open its event socket there, and only that origin may
open it (CORS is never ``*``).

The state manager is pinned: in memory for one process, Redis when
``REFLEX_REDIS_URL`` is set (several workers). Never Reflex's disk manager, which
would pickle every tab's state into ``.states/`` and keep it across restarts.
"""

import os

import reflex as rx

from support_app.settings import DEFAULT_DB_URL, get_settings

_settings = get_settings()

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
