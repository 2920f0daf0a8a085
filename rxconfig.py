"""Reflex configuration.

Environment overrides use Reflex's ``REFLEX_`` prefix (``REFLEX_DB_URL``,
``REFLEX_REDIS_URL``, ``REFLEX_CORS_ALLOWED_ORIGINS``). CORS is never ``*``: by
default only the app's own origin on ``SUPPORT_APP_PORT`` may open the event socket.
"""

import os

import reflex as rx

from support_app.settings import DEFAULT_DB_URL

_port = os.environ.get("SUPPORT_APP_PORT", "3000")

config = rx.Config(
    app_name="support_app",
    db_url=DEFAULT_DB_URL,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    cors_allowed_origins=[f"http://localhost:{_port}", f"http://127.0.0.1:{_port}"],
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="indigo", gray_color="slate", radius="medium")
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
