"""The page shell every page shares: header, language switch, sign-out.

``template`` wraps ``rx.page`` so the shell is applied in exactly one place.
"""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from support_app import routes
from support_app.ui.components.post_form import post_form
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


_SIGN_OUT_EVERYWHERE_FORM = "sign-out-everywhere-form"


def user_menu() -> rx.Component:
    """The signed-in user's name (a menu: sign out everywhere) and "Sign out".

    Both are plain form posts to the backend, which deletes the session(s) and the
    HttpOnly cookie and answers with a full page load of ``/login``. The menu item
    submits a form kept outside the menu, which unmounts as soon as it is chosen.
    """
    return rx.hstack(
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    SessionState.user_display_name,
                    rx.icon("chevron-down", size=14),
                    variant="ghost",
                    color_scheme="gray",
                    size="1",
                )
            ),
            rx.menu.content(
                rx.menu.item(
                    T["shell.sign_out_everywhere"],
                    on_select=rx.call_script(
                        f"document.getElementById('{_SIGN_OUT_EVERYWHERE_FORM}').requestSubmit()"
                    ),
                ),
            ),
        ),
        post_form(id=_SIGN_OUT_EVERYWHERE_FORM, action=routes.SIGN_OUT_EVERYWHERE),
        post_form(
            rx.button(T["shell.sign_out"], type="submit", variant="soft", size="1"),
            action=routes.SIGN_OUT,
        ),
        align="center",
        spacing="3",
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
        rx.cond(SessionState.user_email != "", user_menu()),
        align="center",
        padding_x="24px",
        padding_y="12px",
        border_bottom="1px solid var(--gray-a5)",
        background="var(--color-panel-solid)",
        width="100%",
    )


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


def template(
    route: str, title: str, on_load=None
) -> Callable[[Callable[[], rx.Component]], Callable[[], rx.Component]]:
    """``@rx.page`` plus the shared shell."""

    def decorator(content: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        @rx.page(route=route, title=title, on_load=on_load)
        def page() -> rx.Component:
            return rx.box(
                header(),
                rx.box(content(), max_width="1180px", margin_x="auto", padding="24px"),
                min_height="100vh",
                background="var(--gray-2)",
            )

        page.__name__ = content.__name__
        return page

    return decorator
