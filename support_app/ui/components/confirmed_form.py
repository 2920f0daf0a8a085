"""One form for an owner's irreversible action: a labelled text field, its error, a red
button that shows it is working.

Removing a secret from a request and offboarding a customer ask for the same thing
(type something, confirm, see the refusal next to the field), so they share this
shape and its accessibility (the field described by its error, the error announced).
"""

from __future__ import annotations

from typing import Any

import reflex as rx


def confirmed_form(
    *,
    label: tuple[Any, ...],
    field_id: str,
    name: str,
    error: rx.Var,
    working: rx.Var,
    icon: str,
    submit_label: rx.Var | str,
    on_submit: Any,
    max_width: str = "100%",
    label_weight: str = "normal",
) -> rx.Component:
    """The form; ``label`` is its field's label content, ``error`` its message ("" none)."""
    error_id = f"{field_id}-error"
    return rx.form(
        rx.vstack(
            rx.el.label(
                *label,
                html_for=field_id,
                style={"font_weight": label_weight, "font_size": "var(--font-size-2)"},
            ),
            rx.input(
                id=field_id,
                name=name,
                auto_complete="off",
                spell_check=False,
                width="100%",
                max_width=max_width,
                aria_describedby=error_id,
            ),
            rx.cond(
                error != "",
                rx.text(error, id=error_id, color_scheme="red", size="2", role="alert"),
            ),
            rx.button(
                rx.cond(working, rx.spinner(size="1"), rx.icon(icon, size=14)),
                submit_label,
                type="submit",
                color_scheme="red",
                disabled=working,
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=True,
    )
