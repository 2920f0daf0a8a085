"""The Reflex app. Importing the page modules registers their routes."""

import reflex as rx

from support_app.ui import event_trace
from support_app.ui.pages import home, login, operation_run, tenant_dashboard  # noqa: F401
from support_app.ui.states.event_errors import backend_exception_handler

app = rx.App(html_lang="en", backend_exception_handler=backend_exception_handler)
event_trace.install(app)
