"""What erasure looks like: a tombstone in a list and on its page, and the owner's
offboarding form with its result (the desk tickets to erase at the desk too)."""

import reflex as rx

from support_app.ui.components.confirmed_form import confirmed_form
from support_app.ui.components.notice import notice
from support_app.ui.components.shell import T
from support_app.ui.states.offboarding import OffboardingState as O
from support_app.ui.states.support_history import SupportHistoryState as H


def erased_line(row: rx.Var) -> rx.Var:
    """ "Erased on <date> (<reason>)" in the reader's language."""
    return (
        T["erasure.erased_on"]
        + " "
        + row["erased"]
        + " ("
        + T["erasure.reason." + row["erasure_reason"]]
        + ")"
    )


def erased_badge() -> rx.Component:
    """What stands where an erased text was."""
    return rx.badge(
        rx.icon("archive-x", size=12),
        T["erasure.badge"],
        color_scheme="gray",
        variant="surface",
        high_contrast=True,
    )


def tombstone_badge(row: rx.Var) -> rx.Component:
    """A tombstone's summary cell: what is left to say, plainly."""
    return rx.hstack(
        erased_badge(),
        rx.text(erased_line(row), size="2", color_scheme="gray"),
        spacing="2",
        align="center",
        wrap="wrap",
        data_testid="tombstone",
    )


def tombstone_callout(row: rx.Var) -> rx.Component:
    """The top of an erased request's page: what happened and what was kept."""
    return notice(
        "archive-x",
        rx.callout.text(
            rx.text.strong(erased_line(row)), rx.el.br(), T["erasure.tombstone_explanation"]
        ),
        color="gray",
        width="100%",
        data_testid="tombstone-callout",
    )


def desk_ticket_list(tickets: rx.Var, intro_key: str, none_key: str = "") -> rx.Component:
    """The desk tickets of erased requests, each linked, with the request it came from
    (the desk is one-way: these must be erased there by hand)."""
    return rx.vstack(
        rx.cond(
            tickets.length() > 0,
            rx.vstack(
                rx.text(T[intro_key], size="2", weight="medium"),
                rx.el.ul(
                    rx.foreach(
                        tickets,
                        lambda t: rx.el.li(
                            rx.hstack(
                                rx.cond(
                                    t["url"] != "",
                                    rx.link(
                                        T["support.external_ticket"] + " " + t["ticket"],
                                        href=t["url"],
                                        is_external=True,
                                    ),
                                    rx.text(T["support.external_ticket"] + " " + t["ticket"]),
                                ),
                                rx.text("·", color_scheme="gray"),
                                rx.link(
                                    t["reference"],
                                    href=t["href"],
                                    font_family="var(--code-font-family)",
                                    size="2",
                                ),
                                spacing="2",
                                align="center",
                            ),
                            data_testid="desk-ticket",
                        ),
                    ),
                    style={"padding_left": "1.2em", "margin": "0"},
                ),
                spacing="1",
                width="100%",
            ),
            rx.text(T[none_key], size="2") if none_key else rx.fragment(),
        ),
        width="100%",
    )


def offboarding_result() -> rx.Component:
    """What the offboarding did, and the desk tickets left to erase at the desk."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("circle-check", size=18, color="var(--green-11)"),
                rx.text(O.done_text, size="3", weight="bold"),
                spacing="2",
                align="center",
            ),
            desk_ticket_list(
                O.desk_tickets, "offboarding.desk_tickets", "offboarding.no_desk_tickets"
            ),
            spacing="2",
            width="100%",
        ),
        role="status",
        width="100%",
        data_testid="offboarding-result",
    )


def offboarding_section() -> rx.Component:
    """The workspace owner's "erase this customer's requests", confirmed by its name."""
    return rx.card(
        rx.vstack(
            rx.heading(T["offboarding.title"], size="4", as_="h2"),
            rx.text(T["offboarding.explanation"], size="2"),
            confirmed_form(
                label=(T["offboarding.confirm_label"] + " ", rx.text.strong(H.title)),
                field_id="offboarding-confirmation",
                name="confirmation",
                error=O.error,
                working=O.working,
                icon="trash-2",
                submit_label=T["offboarding.submit"],
                on_submit=O.offboard,
                max_width="420px",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        data_testid="offboarding",
    )
