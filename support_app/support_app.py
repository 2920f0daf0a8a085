"""The Reflex app. Importing the page modules registers their routes."""

import reflex as rx

from support_app.ui import event_trace
from support_app.ui.pages import home, login, operation_run, tenant_dashboard  # noqa: F401

app = rx.App(html_lang="en")
event_trace.install(app)
