"""The Reflex app. Importing the page modules records their routes; each is added once.
The lifespan task finalises handoffs a stopped app left pending (see
services/support_requests/stale_handoffs)."""

import reflex as rx

from support_app.services.support_requests.stale_handoffs import stale_handoff_sweeper
from support_app.ui.components.shell import PAGES, add_pages
from support_app.ui.pages import home, login, operation_run, tenant_dashboard  # noqa: F401

app = rx.App(html_lang="en", stylesheets=["/toasts.css"])
add_pages(app, PAGES)
app.register_lifespan_task(stale_handoff_sweeper)
