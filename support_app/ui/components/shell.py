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
from reflex_base.utils.imports import ImportVar
from reflex_base.vars.base import Var, VarData
from reflex_components_core.core.banner import connection_pulser, has_too_many_connection_errors

from support_app import routes
from support_app.i18n import DEFAULT_LOCALE, translate
from support_app.ui.components.notice import notice
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


def connection_overlay() -> rx.Component:
    """Replaces Reflex's English "Cannot connect to server" toast: a persistent banner
    in the reader's language while the event socket is down (the translations are
    already in the browser, so it needs no server). Typed text stays in the page's
    fields; the tab reconnects and reloads its data by itself."""
    return rx.fragment(
        connection_pulser(),
        rx.cond(
            has_too_many_connection_errors,
            rx.box(
                notice("wifi-off", T["connection.lost"], color="red", variant="surface"),
                role="alert",
                data_testid="connection-lost",
                position="fixed",
                top="12px",
                left="50%",
                transform="translateX(-50%)",
                z_index="1000",
                max_width="640px",
                width="calc(100% - 24px)",
            ),
        ),
    )


def load_failed_view(retry: Any) -> rx.Component:
    """A page whose data could not be loaded: said so (never "no data"), with Retry;
    the page also retries by itself (``PageLoadState.retry_load``)."""
    return rx.center(
        notice(
            "cloud-off",
            T["page.load_failed.body"],
            rx.button(
                rx.icon("rotate-cw", size=14),
                T["page.load_failed.retry"],
                on_click=retry,
                variant="soft",
                data_testid="page-retry",
            ),
            title=T["page.load_failed.title"],
            spacing="2",
            color="amber",
            role="alert",
            data_testid="page-load-failed",
            max_width="560px",
        ),
        padding="48px",
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


class DocumentLanguage(rx.Fragment):
    """Keeps ``<html lang>`` and the tab's title in the reader's language.

    Reflex writes both once, in English, at build time. Screen readers choose their
    voice from ``lang`` (WCAG 3.1.1), and dialogs and toasts render outside the page
    tree, so the document element itself has to follow the language switch.
    """

    title: Var[str]

    def _exclude_props(self) -> list[str]:
        return [*super()._exclude_props(), "title"]

    def add_hooks(self) -> list[str | Var]:
        locale = SessionState.locale
        return [
            Var(
                f"useEffect(() => {{ document.documentElement.lang = {locale!s};"
                f" document.title = {self.title!s}; }}, [{locale!s}, {self.title!s}]);",
                _var_data=VarData.merge(
                    locale._get_all_var_data(),
                    self.title._get_all_var_data(),
                    VarData(imports={"react": [ImportVar(tag="useEffect")]}),
                ),
            )
        ]


@dataclass(frozen=True)
class Page:
    """One routed page: what ``rx.App.add_page`` needs, recorded by ``template``."""

    route: str
    title: str
    render: Callable[[], rx.Component]
    on_load: Any = None


PAGES: list[Page] = []


def template(
    route: str, title_key: str, on_load: Any = None
) -> Callable[[Callable[[], rx.Component]], Callable[[], rx.Component]]:
    """Wrap a page's content in the shared shell and record it in ``PAGES``.

    ``title_key`` names the tab title in the catalogue; the built page carries the
    English one until the reader's language is known.
    """

    def decorator(content: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        def page() -> rx.Component:
            return rx.box(
                DocumentLanguage.create(title=T[title_key]),
                rx.el.header(header()),
                rx.el.main(
                    content(), max_width="1180px", margin_x="auto", padding="24px", width="100%"
                ),
                min_height="100vh",
                background="var(--gray-2)",
            )

        page.__name__ = content.__name__
        title = translate(DEFAULT_LOCALE, title_key)
        PAGES.append(Page(route=route, title=title, render=page, on_load=on_load))
        return page

    return decorator


def add_pages(app: rx.App, pages: Sequence[Page]) -> None:
    """Add every recorded page to ``app`` exactly once."""
    for page in pages:
        app.add_page(page.render, route=page.route, title=page.title, on_load=page.on_load)
