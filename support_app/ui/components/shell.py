"""The page shell every page shares: header, language switch, sign-out.

``template`` applies the shell in exactly one place and records the page in
``PAGES``; ``support_app.support_app`` adds each recorded page to the app once.
(``rx.page`` is not used: Reflex re-applies ``rx.page`` registrations on every
compile, and the production server compiles twice in one process, which logged
"Page … is being redefined with the same component" for every page.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import reflex as rx

from support_app import routes
from support_app.ui.states.session import SessionState

T = SessionState.t


def language_switch() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label=T["shell.language"], variant="ghost"),
        rx.select.content(
            rx.select.item("English", value="en"),
            rx.select.item("Deutsch", value="de"),
        ),
        value=SessionState.locale,
        on_change=SessionState.set_locale,
        size="1",
    )


def header() -> rx.Component:
    return rx.hstack(
        rx.link(
            rx.hstack(
                rx.icon("life-buoy", size=22),
                rx.text(SessionState.product_name, weight="bold", size="4"),
                align="center",
                spacing="2",
            ),
            href=routes.HOME,
            underline="none",
            color="inherit",
        ),
        rx.spacer(),
        language_switch(),
        rx.cond(
            SessionState.user_email != "",
            rx.hstack(
                rx.text(SessionState.user_display_name, size="2", color_scheme="gray"),
                rx.button(
                    T["shell.sign_out"], on_click=SessionState.sign_out, variant="soft", size="1"
                ),
                align="center",
                spacing="3",
            ),
        ),
        align="center",
        padding_x="24px",
        padding_y="12px",
        border_bottom="1px solid var(--gray-a5)",
        background="var(--color-panel-solid)",
        width="100%",
    )


# Dialog titles are level-two headings: the page keeps its one level-one heading.
DIALOG_TITLE = {"as": "h2"}

# Text for screen readers only (e.g. the name of a column of links).
VISUALLY_HIDDEN = {
    "position": "absolute",
    "width": "1px",
    "height": "1px",
    "overflow": "hidden",
    "clip": "rect(0 0 0 0)",
    "white_space": "nowrap",
}


def not_found_view() -> rx.Component:
    """One view for unknown ids, other workspaces and tenants one is not entitled to."""
    return rx.center(
        rx.vstack(
            rx.heading(T["not_found.title"], size="7"),
            rx.text(T["not_found.body"], color_scheme="gray"),
            rx.link(T["not_found.home"], href=routes.HOME),
            align="center",
            spacing="3",
        ),
        padding_y="80px",
        width="100%",
        data_testid="not-found",
    )


@dataclass(frozen=True)
class Page:
    """One routed page: what ``rx.App.add_page`` needs, recorded by ``template``."""

    route: str
    title: str
    render: Callable[[], rx.Component]
    on_load: Any = None


PAGES: list[Page] = []


def template(
    route: str, title: str, on_load: Any = None
) -> Callable[[Callable[[], rx.Component]], Callable[[], rx.Component]]:
    """Wrap a page's content in the shared shell and record it in ``PAGES``."""

    def decorator(content: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        def page() -> rx.Component:
            return rx.box(
                rx.el.header(header()),
                rx.el.main(
                    content(), max_width="1180px", margin_x="auto", padding="24px", width="100%"
                ),
                min_height="100vh",
                background="var(--gray-2)",
            )

        page.__name__ = content.__name__
        PAGES.append(Page(route=route, title=title, render=page, on_load=on_load))
        return page

    return decorator


def add_pages(app: rx.App, pages: Sequence[Page]) -> None:
    """Add every recorded page to ``app`` exactly once."""
    for page in pages:
        app.add_page(page.render, route=page.route, title=page.title, on_load=page.on_load)
