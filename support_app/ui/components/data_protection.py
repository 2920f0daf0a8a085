"""The workspace owner's data-protection card: the retention period, and a person's
export and erasure by e-mail address."""

import reflex as rx

from support_app.ui.components.erasure import desk_ticket_list
from support_app.ui.components.shell import T
from support_app.ui.states.data_protection import DataProtectionState as P


def labelled_input(label_key: str, field_id: str, name: str, **props) -> rx.Component:
    """A label above its input (one shape for every field of the card)."""
    return rx.vstack(
        rx.el.label(
            T[label_key],
            html_for=field_id,
            style={"font_weight": "500", "font_size": "var(--font-size-2)"},
        ),
        rx.input(
            id=field_id, name=name, auto_complete="off", spell_check=False, width="100%", **props
        ),
        spacing="1",
        width="100%",
    )


def field_error(message: rx.Var, field_id: str) -> rx.Component:
    return rx.cond(
        message != "",
        rx.text(message, id=field_id, color_scheme="red", size="2", role="alert"),
    )


def retention_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(T["retention.title"], size="3", as_="h3"),
            rx.text(T["retention.explanation"], size="2"),
            rx.hstack(
                rx.box(
                    labelled_input(
                        "retention.field.months",
                        "retention-months",
                        "months",
                        default_value=P.retention_months,
                        key=P.retention_months,
                        input_mode="numeric",
                        max_width="200px",
                        aria_describedby="retention-error",
                    ),
                ),
                rx.button(T["retention.submit"], type="submit", disabled=P.working, variant="soft"),
                align="end",
                spacing="3",
            ),
            field_error(P.retention_error, "retention-error"),
            spacing="2",
            width="100%",
        ),
        on_submit=P.save_retention,
        data_testid="retention-form",
    )


def person_form() -> rx.Component:
    return rx.vstack(
        rx.heading(T["person.title"], size="3", as_="h3"),
        rx.text(T["person.explanation"], size="2"),
        rx.form(
            rx.vstack(
                labelled_input(
                    "person.field.email_export",
                    "person-email-export",
                    "email",
                    type="email",
                    max_width="420px",
                ),
                rx.button(
                    rx.icon("download", size=14),
                    T["person.export"],
                    type="submit",
                    disabled=P.working,
                    variant="soft",
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=P.export_person,
            data_testid="person-export-form",
        ),
        rx.form(
            rx.vstack(
                labelled_input(
                    "person.field.email_erase",
                    "person-email-erase",
                    "email",
                    type="email",
                    max_width="420px",
                    aria_describedby="person-error",
                ),
                labelled_input("person.field.note", "person-note", "note", max_width="420px"),
                rx.el.label(
                    rx.hstack(
                        rx.checkbox(name="confirmed", aria_label=T["person.confirm"]),
                        rx.text(T["person.confirm"], size="2"),
                        align="center",
                        spacing="2",
                    ),
                ),
                rx.button(
                    rx.icon("user-x", size=14),
                    T["person.erase"],
                    type="submit",
                    color_scheme="red",
                    disabled=P.working,
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=P.erase_person,
            reset_on_submit=True,
            data_testid="person-erase-form",
        ),
        field_error(P.person_error, "person-error"),
        rx.cond(
            P.person_done != "",
            rx.vstack(
                rx.text(P.person_done, size="2", weight="bold"),
                desk_ticket_list(P.desk_tickets, "person.desk_tickets"),
                role="status",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )


def data_protection_section() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(T["data_protection.title"], size="4", as_="h2"),
            retention_form(),
            rx.separator(),
            person_form(),
            spacing="4",
            width="100%",
        ),
        width="100%",
        data_testid="data-protection",
    )
