"""The preview in the "Request support" dialog: what will be stored and sent, before it is.

Summary and notes as they will be stored (redacted on the server, debounced as the
operator types), a line saying what was removed (announced politely to screen
readers), and the context envelope laid out for reading behind a disclosure.
"""

from __future__ import annotations

import reflex as rx

from support_app.ui.components.shell import T
from support_app.ui.states.support_request import SupportRequestState as S

# How long the browser waits after the last keystroke before asking for a preview.
PREVIEW_DEBOUNCE_MS = 400


def _previewed(label_key: str, text: rx.Var[str], test_id: str) -> rx.Component:
    return rx.vstack(
        rx.text(T[label_key], size="1", weight="medium", color_scheme="gray"),
        rx.cond(
            text != "",
            rx.text(
                text,
                size="1",
                white_space="pre-wrap",
                word_break="break-word",
                data_testid=test_id,
            ),
            rx.text(T["support.preview.empty"], size="1", color_scheme="gray"),
        ),
        spacing="0",
        width="100%",
    )


def _context_row(row: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.fragment(
        rx.cond(
            row["heading"] != "",
            rx.text(
                T["support.preview.section." + row["heading"]],
                size="1",
                weight="bold",
                margin_top="6px",
            ),
        ),
        rx.hstack(
            rx.text(row["field"], size="1", color_scheme="gray", min_width="45%"),
            rx.text(row["value"], size="1", word_break="break-word"),
            spacing="2",
            width="100%",
            align="start",
        ),
    )


def request_preview() -> rx.Component:
    has_text = (S.preview_summary != "") | (S.preview_notes != "")
    return rx.vstack(
        rx.hstack(
            rx.icon("eye", size=14),
            rx.text(T["support.preview.title"], size="2", weight="bold"),
            spacing="2",
            align="center",
        ),
        rx.text(T["support.preview.hint"], size="1", color_scheme="gray"),
        _previewed("support.preview.summary", S.preview_summary, "preview-summary"),
        _previewed("support.preview.notes", S.preview_notes, "preview-notes"),
        rx.text(
            rx.cond(has_text, S.preview_removed_text, ""),
            size="1",
            weight="medium",
            role="status",
            aria_live="polite",
            data_testid="preview-removed",
        ),
        rx.el.details(
            rx.el.summary(T["support.preview.context"], cursor="pointer", font_size="13px"),
            rx.vstack(rx.foreach(S.context_rows, _context_row), spacing="1", padding_top="4px"),
            width="100%",
            data_testid="preview-context",
        ),
        spacing="2",
        width="100%",
        padding="10px 12px",
        border="1px solid var(--gray-a5)",
        border_radius="var(--radius-3)",
        on_mount=S.load_preview,
        data_testid="request-preview",
    )
