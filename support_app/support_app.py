"""The Reflex app. Importing the page modules records their routes; each is added once."""

import reflex as rx

from support_app.ui.components.shell import PAGES, add_pages
from support_app.ui.pages import home, login, operation_run, tenant_dashboard  # noqa: F401

app = rx.App(html_lang="en", stylesheets=["/toasts.css"])
add_pages(app, PAGES)
