"""Reflex configuration.

Environment overrides use Reflex's ``REFLEX_`` prefix (``REFLEX_DB_URL``,
``REFLEX_REDIS_URL``, ``REFLEX_CORS_ALLOWED_ORIGINS``). CORS is never ``*``: by
default only the app's own origin on ``SUPPORT_APP_PORT`` may open the event socket.
"""

import logging
import os

import reflex as rx

from support_app.settings import DEFAULT_DB_URL

_port = os.environ.get("SUPPORT_APP_PORT", "3000")


class _NodeVersionNotice(logging.Filter):
    """Drops Reflex's "Your version (…) of Node.js is out of date" warning.

    It does not apply here: the build runs on bun from ``.tools/``, and when the
    installed Node.js is older than Reflex's minimum, Reflex itself switches to
    ``bun --bun`` so Node.js is not used at all. Reflex has no setting to say so.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "of Node.js is out of date" not in record.getMessage()


logging.getLogger("reflex.utils.js_runtimes").addFilter(_NodeVersionNotice())

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
