""" "Open support diagnostics": the redacted bundle that a snapshot attachment carries."""

import reflex as rx

from support_app.ui.components.shell import T
from support_app.ui.states.support_request import DiagnosticsState as D


def diagnostics_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(T["diagnostics.title"]),
            rx.dialog.description(T["diagnostics.description"], size="2", color_scheme="gray"),
            rx.scroll_area(
                rx.code_block(D.bundle_json, language="json", wrap_long_lines=True),
                type="auto",
                scrollbars="vertical",
                max_height="60vh",
                margin_y="12px",
                data_testid="diagnostics-bundle",
            ),
            rx.hstack(rx.dialog.close(rx.button(T["diagnostics.close"])), justify="end"),
            max_width="760px",
        ),
        open=D.diagnostics_open,
        on_open_change=D.set_diagnostics_open,
    )
