"""The Reflex app. Importing the page modules records their routes; each is added once.

The lifespan tasks finalise handoffs a stopped app left pending (see
services/support_requests/stale_handoffs) and apply retention daily (see
services/erasure/retention) and, in every worker, hold its lease and
drain it on SIGTERM (``web.worker_lifespan``). The Reflex internals the app patches
are all in ``reflex_patches`` (applied by ``reflex_patches.install``). The backend
gets these additions in front of Reflex (``api_transformer``): ``/healthz``, ``/readyz``
and ``/metrics``, the
sign-in/sign-out routes, and the guard on the event socket (allowed ``Origin``
required; the session token hashed before Reflex sees it), and outermost one log line
per request (``support_app.logs``). ``SessionCheckMiddleware``
resets per-user states before a hydration that belongs to another session;
``DialogRecovery`` keeps an open dialog open when its tab's state was lost.
"""

import reflex as rx
from reflex import constants
from reflex.config import get_config

from support_app import reflex_patches
from support_app.logs import RequestLog, configure_logging
from support_app.services.erasure.retention import retention_sweeper
from support_app.services.support_requests.stale_handoffs import stale_handoff_sweeper
from support_app.settings import get_settings
from support_app.ui import event_trace
from support_app.ui.components.shell import PAGES, add_pages, connection_overlay
from support_app.ui.pages import (  # noqa: F401
    home,
    login,
    operation_run,
    support_requests,
    tenant_dashboard,
)
from support_app.ui.states.dialog_recovery import DialogRecovery
from support_app.ui.states.event_errors import backend_exception_handler
from support_app.ui.states.session import SessionCheckMiddleware
from support_app.web.auth_routes import auth_routes
from support_app.web.cookies import session_cookie_name
from support_app.web.health_routes import health_routes
from support_app.web.metrics_route import metrics_routes
from support_app.web.socket_guard import EventSocketGuard
from support_app.web.worker_lifespan import worker_lifespan

configure_logging()
_config = get_config()

app = rx.App(
    html_lang="en",
    stylesheets=["/toasts.css"],
    backend_exception_handler=backend_exception_handler,
    api_transformer=[
        health_routes(),
        metrics_routes(
            allowed=lambda: get_settings().metrics_allowed_networks,
            trusted_proxy_hops=_config.trusted_proxy_hops,
        ),
        auth_routes(
            allowed_origins=_config.cors_allowed_origins,
            trusted_proxy_hops=_config.trusted_proxy_hops,
        ),
        lambda asgi: EventSocketGuard(
            asgi,
            allowed_origins=_config.cors_allowed_origins,
            event_path=_config.prepend_backend_path(str(constants.Endpoint.EVENT)),
            session_cookie=session_cookie_name(get_settings().secure_cookies),
        ),
        # Outermost, so it sees the raw session cookie (logged as its hash prefix).
        RequestLog,
    ],
)
# Our own connection banner (translated, persistent) instead of Reflex's English toast.
app.app_wraps[(5, "Overlay")] = lambda stateful: connection_overlay() if stateful else None
add_pages(app, PAGES)
app.add_middleware(SessionCheckMiddleware())
app.add_middleware(DialogRecovery())
app.register_lifespan_task(stale_handoff_sweeper)
app.register_lifespan_task(worker_lifespan)
app.register_lifespan_task(retention_sweeper)
event_trace.install(app)
reflex_patches.install(app)
