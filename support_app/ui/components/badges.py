"""Status badges and small page links: the colour says the health, the text comes
from the catalogs."""

import reflex as rx

from support_app.ui.states.session import SessionState

T = SessionState.t


def status_badge(prefix: str, value: rx.Var) -> rx.Component:
    """A badge for ``value``, labelled by the catalog key ``<prefix>.<value>``."""
    color = rx.match(
        value,
        ("healthy", "green"),
        ("succeeded", "green"),
        ("completed", "green"),
        ("published", "green"),
        ("degraded", "amber"),
        ("partially_succeeded", "amber"),
        ("in_progress", "blue"),
        ("running", "blue"),
        ("failed", "red"),
        ("critical", "red"),
        ("high", "orange"),
        ("medium", "amber"),
        "gray",
    )
    # High contrast: the soft variant's accent text is below 4.5:1 on its own tint.
    return rx.badge(T[prefix + "." + value], color_scheme=color, variant="soft", high_contrast=True)


def support_requests_link(href: rx.Var, label_key: str) -> rx.Component:
    """The link from a tenant or run page to its support-request history."""
    return rx.link(
        rx.hstack(rx.icon("inbox", size=16), rx.text(T[label_key]), align="center", spacing="2"),
        href=href,
        size="2",
        data_testid="support-requests-link",
    )
