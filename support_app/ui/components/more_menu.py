"""The header of a scoped page (tenant dashboard, run viewer) with its "More" menu.

"Open support diagnostics" and "Request support" are secondary actions, so they live
in the More menu, shown only to users whose capabilities allow them (the server
checks again when they are used).
"""

import reflex as rx

from support_app.ui.components.diagnostics_dialog import diagnostics_dialog
from support_app.ui.components.shell import T
from support_app.ui.components.support_request_dialog import (
    open_at_the_click,
    support_request_dialog,
)
from support_app.ui.states.support_request import DiagnosticsState, SupportRequestState

# Page-load events of every page that carries these dialogs: a reloaded page must not
# come back with a dialog still open from before.
SUPPORT_DIALOGS_ON_LOAD = (
    SupportRequestState.close_on_page_load,
    DiagnosticsState.close_on_page_load,
)


def more_menu(state) -> rx.Component:
    # Not modal: a modal menu hides the whole page from assistive technology
    # (aria-hidden on everything else) while it is open, for a two-item list.
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(T["more.menu"], rx.icon("chevron-down", size=14), variant="soft")
        ),
        rx.menu.content(
            rx.cond(
                state.can_view_diagnostics | state.can_request_support,
                rx.fragment(*more_menu_items(state)),
                rx.menu.item(T["more.no_actions"], disabled=True),
            ),
        ),
        modal=False,
    )


def more_menu_items(state) -> list[rx.Component]:
    return [
        rx.cond(
            state.can_view_diagnostics,
            rx.menu.item(
                rx.icon("stethoscope", size=14),
                T["more.open_support_diagnostics"],
                on_select=DiagnosticsState.open_view,
            ),
        ),
        rx.cond(
            state.can_request_support,
            rx.menu.item(
                rx.icon("life-buoy", size=14),
                T["more.request_support"],
                on_select=open_at_the_click(),
            ),
        ),
    ]


def scoped_page_header(state, title: rx.Var, eyebrow_key: str) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(
                rx.text(T[eyebrow_key], size="1", weight="bold", color_scheme="gray"),
                rx.text("·", size="1", color_scheme="gray"),
                rx.text(state.workspace_name, size="1", color_scheme="gray"),
                spacing="2",
            ),
            rx.heading(title, size="7"),
            spacing="1",
        ),
        rx.spacer(),
        more_menu(state),
        align="end",
        width="100%",
    )


def with_support_dialogs(page_content: rx.Component) -> rx.Component:
    """``page_content`` with the More menu's dialogs beside it, not inside it: the
    content is swapped for a spinner while the page's data (re)loads, which must not
    unmount a dialog the operator is typing in (``states.dialog_recovery``)."""
    return rx.fragment(page_content, support_request_dialog(), diagnostics_dialog())
