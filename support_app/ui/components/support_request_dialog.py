"""The one "Request support" dialog, shared by the tenant dashboard and the run viewer.

It opens at the click, in the browser (``ui.client_state``), with what needs no
server: the form, its labels, the operator's own contact defaults. What needs the
server (the context and its access check, the latest handoff, what will be attached,
the preview's context) shows as a skeleton of the same size until the answer comes,
so nothing moves when it does; a refused open closes the dialog again with the
server's message.
"""

from __future__ import annotations

import reflex as rx
from reflex_base.vars.base import Var

from support_app import routes
from support_app.models.support_request import (
    CONTACT_EMAIL_MAX,
    CONTACT_NAME_MAX,
    EXTERNAL_REFERENCE_MAX,
    EXTERNAL_URL_MAX,
    NOTES_MAX,
    SEVERITIES,
    SUMMARY_MAX,
)
from support_app.services.support_requests.form import INTERNAL_ONLY
from support_app.ui.client_state import DIALOG_SHOWN, OPEN_ASKED, SUBMIT_ASKED
from support_app.ui.components.modal import Modal, close_button_attrs, portal_into
from support_app.ui.components.notice import notice
from support_app.ui.components.shell import T
from support_app.ui.components.support_request_preview import PREVIEW_DEBOUNCE_MS, request_preview
from support_app.ui.states.support_request import SupportRequestState as S

# The server has not answered "Request support" since the click.
OPENING = OPEN_ASKED.value == S.open_answer
# The server's answer is in: the dialog shows a bound context.
READY = S.dialog_open & ~OPENING
# From the click on Submit until the server's outcome.
SUBMITTING = S.submitting | (SUBMIT_ASKED.value == S.submit_answer)
# Heights of what fills in behind the click, so nothing moves when it does.
# Title, outcome line and a failure's line: the slot is as tall as its tallest content,
# so nothing below moves when the server's answer fills it in.
LATEST_HEIGHT = "86px"
ATTACHMENT_TEXT_HEIGHT = "60px"
PREVIEW_HEIGHT = "198px"  # the preview with nothing typed yet
DIALOG_ID = "support-request-dialog"


def open_at_the_click() -> list:
    """The "Request support" menu item's events: show the dialog now (browser only),
    remember which server answer it waits for, and ask the server to fill it."""
    return [DIALOG_SHOWN.set_value(True), OPEN_ASKED.set_value(S.open_answer), S.open_dialog]


def filled_in(content: rx.Component, height: str, width: str = "100%") -> rx.Component:
    """``content`` once the server has answered the open; until then a skeleton of its
    size. Also a skeleton while the dialog is closed (it is in the page then): so the
    click changes nothing here, and nothing of the content (the preview, which asks the
    server for its rows when it mounts) is mounted with the page."""
    # Spans (display: block), so a skeleton may also stand in a paragraph.
    placeholder = rx.el.span(display="block", height=height, width=width, max_width="100%")
    return rx.cond(READY, content, rx.skeleton(placeholder))


def field_error(name: str) -> rx.Component:
    return rx.cond(
        S.errors.contains(name),
        rx.text(T[S.errors[name]], color_scheme="red", size="1", id=f"{name}-error", role="alert"),
    )


def labelled(name: str, label_key: str, control: rx.Component, hint_key: str = "") -> rx.Component:
    return rx.vstack(
        rx.el.label(T[label_key], html_for=name, font_size="14px", font_weight="500"),
        control,
        rx.text(T[hint_key], size="1", color_scheme="gray") if hint_key else rx.fragment(),
        field_error(name),
        spacing="1",
        width="100%",
    )


def text_input(name: str, max_length: int, **props) -> rx.Component:
    return rx.input(
        id=name,
        name=name,
        max_length=max_length,
        width="100%",
        aria_invalid=S.errors.contains(name),
        **props,
    )


def severity_select() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(id="severity", width="100%"),
        rx.select.content(
            *[rx.select.item(T[f"support.severity.{s}"], value=s) for s in SEVERITIES],
            custom_attrs={"container": portal_into(DIALOG_ID, DIALOG_SHOWN.value)},
        ),
        name="severity",
        default_value="normal",
        required=True,
    )


def handoff_choice() -> rx.Component:
    return rx.vstack(
        rx.text(T["handoff.mode.label"], size="2", weight="medium"),
        rx.radio_group.root(
            rx.vstack(
                rx.radio_group.item(T["handoff.mode.internal_only"], value="internal_only"),
                rx.radio_group.item(
                    T["handoff.mode.create_external_ticket"],
                    value="create_external_ticket",
                    disabled=READY & ~S.desk_available,
                ),
                rx.radio_group.item(
                    T["handoff.mode.link_existing_ticket"], value="link_existing_ticket"
                ),
                spacing="2",
            ),
            value=S.handoff_mode,
            on_change=S.set_handoff_mode,
            name="handoff_mode_choice",
            aria_label=T["handoff.mode.label"],
        ),
        rx.cond(
            READY & ~S.desk_available,
            rx.text(T["handoff.unavailable_guidance"], size="1", color_scheme="gray"),
        ),
        field_error("handoff_mode"),
        rx.cond(
            S.handoff_mode == "link_existing_ticket",
            rx.hstack(
                labelled(
                    "external_reference",
                    "handoff.field.external_reference",
                    text_input("external_reference", EXTERNAL_REFERENCE_MAX, placeholder="#123"),
                ),
                rx.cond(
                    S.link_urls_accepted,
                    labelled(
                        "external_url",
                        "handoff.field.external_url",
                        text_input("external_url", EXTERNAL_URL_MAX, type="url"),
                    ),
                    # No desk and no link hosts: no host a URL could be checked against.
                    labelled(
                        "external_url",
                        "handoff.field.external_url",
                        text_input("external_url", EXTERNAL_URL_MAX, type="url", disabled=True),
                        hint_key="handoff.hint.url_no_desk",
                    ),
                ),
                width="100%",
                spacing="3",
                align="start",
            ),
        ),
        rx.hstack(
            rx.icon("waypoints", size=14),
            rx.text(
                T["handoff.scope.label"] + " ",
                rx.text.strong(T["handoff.scope." + S.handoff_mode]),
                size="1",
                data_testid="mutation-scope",
            ),
            align="center",
            spacing="2",
        ),
        spacing="2",
        width="100%",
    )


def attachment_summary() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("paperclip")),
        rx.vstack(
            rx.text(T["support.attachment.title"], weight="bold", size="2"),
            filled_in(
                rx.callout.text(
                    T["support.attachment." + S.attachment_mode],
                    min_height=ATTACHMENT_TEXT_HEIGHT,
                ),
                ATTACHMENT_TEXT_HEIGHT,
                width="32em",
            ),
            spacing="1",
            width="100%",
        ),
        color_scheme=rx.cond(S.attachment_mode == "diagnostic_snapshot", "blue", "gray"),
        high_contrast=True,
        size="1",
        width="100%",
        data_testid="attachment-summary",
    )


def latest_handoff() -> rx.Component:
    """The context's latest external handoff, or that there is none, in a slot of
    fixed height (it fills in after the dialog has opened)."""
    return filled_in(
        rx.cond(
            S.latest.contains("reference"),
            latest_handoff_box(),
            rx.box(
                rx.text(T["handoff.latest.none." + S.context_kind], size="1", color_scheme="gray"),
                min_height=LATEST_HEIGHT,
                padding="8px 12px",
                border="1px dashed var(--gray-a5)",
                border_radius="var(--radius-3)",
                width="100%",
                data_testid="latest-handoff-none",
            ),
        ),
        LATEST_HEIGHT,
    )


def latest_handoff_box() -> rx.Component:
    return rx.box(
        rx.text(T["handoff.latest.title." + S.context_kind], size="1", weight="bold"),
        rx.hstack(
            rx.badge(
                T["handoff.outcome." + S.latest["outcome"]],
                color_scheme=rx.match(
                    S.latest["outcome"], ("failed", "red"), ("pending", "amber"), "green"
                ),
                high_contrast=True,
            ),
            rx.link(
                S.latest["reference"],
                href=routes.support_request(S.latest["reference"]),
                size="1",
                font_family="monospace",
                data_testid="latest-reference",
            ),
            rx.cond(
                S.latest["external_reference"] != "",
                rx.cond(
                    S.latest["external_url"] != "",
                    rx.link(
                        S.latest["external_reference"],
                        href=S.latest["external_url"],
                        is_external=True,
                        size="1",
                    ),
                    rx.text(S.latest["external_reference"], size="1"),
                ),
            ),
            rx.text(S.latest["created"], size="1", color_scheme="gray"),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            S.latest["failure_summary"] != "",
            rx.text(
                S.latest_failure_text,
                size="1",
                color_scheme="red",
                data_testid="latest-failure",
                # one line, so the slot keeps its height; the whole text on hover
                title=S.latest_failure_text,
                white_space="nowrap",
                overflow="hidden",
                text_overflow="ellipsis",
            ),
        ),
        min_height=LATEST_HEIGHT,
        padding="8px 12px",
        border="1px solid var(--gray-a5)",
        border_radius="var(--radius-3)",
        width="100%",
        data_testid="latest-handoff",
    )


def request_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            latest_handoff(),
            labelled("severity", "support.field.severity", severity_select()),
            labelled(
                "summary",
                "support.field.summary",
                text_input(
                    "summary",
                    SUMMARY_MAX,
                    required=True,
                    on_change=S.preview_summary_typed.debounce(PREVIEW_DEBOUNCE_MS),
                ),
                "support.hint.summary",
            ),
            labelled(
                "reproduction_notes",
                "support.field.reproduction_notes",
                rx.text_area(
                    id="reproduction_notes",
                    name="reproduction_notes",
                    max_length=NOTES_MAX,
                    rows="4",
                    width="100%",
                    on_change=S.preview_notes_typed.debounce(PREVIEW_DEBOUNCE_MS),
                ),
            ),
            rx.hstack(
                labelled(
                    "contact_name",
                    "support.field.contact_name",
                    text_input("contact_name", CONTACT_NAME_MAX, default_value=S.user_display_name),
                ),
                labelled(
                    "contact_email",
                    "support.field.contact_email",
                    text_input(
                        "contact_email",
                        CONTACT_EMAIL_MAX,
                        type="email",
                        default_value=S.user_email,
                    ),
                ),
                width="100%",
                spacing="3",
                align="start",
            ),
            handoff_choice(),
            attachment_summary(),
            # Mounted with the answer: it asks for the bound context's rows when it mounts,
            # and the click has less to draw.
            filled_in(request_preview(), PREVIEW_HEIGHT),
            field_error("form"),
            rx.cond(
                S.submit_slow,
                notice(
                    "hourglass",
                    T["support.submit_slow"],
                    color="gray",
                    role="status",
                    data_testid="submit-slow",
                ),
            ),
            rx.hstack(
                rx.button(
                    T["support.cancel"],
                    variant="soft",
                    color_scheme="gray",
                    type="button",
                    disabled=SUBMITTING,
                    custom_attrs=close_button_attrs(DIALOG_ID),
                ),
                rx.button(
                    rx.cond(SUBMITTING, rx.spinner(size="1")),
                    rx.cond(SUBMITTING, T["support.submitting"], T["support.submit"]),
                    type="submit",
                    disabled=SUBMITTING,
                ),
                justify="end",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        # "Submitting…" at the click; the server's own flag takes over when it answers.
        on_submit=[SUBMIT_ASKED.set_value(S.submit_answer), S.submit],
        reset_on_submit=False,
    )


def result_view() -> rx.Component:
    return rx.vstack(
        rx.cond(
            (S.result["outcome_recorded"] == "") & (S.result["handoff_mode"] != INTERNAL_ONLY),
            notice(
                "clock",
                T["support.result.outcome_not_recorded"],
                color="amber",
                role="status",
                data_testid="outcome-not-recorded",
            ),
        ),
        rx.cond(
            S.result["failure_summary"] != "",
            notice(
                "triangle-alert",
                T["support.result.partial_body"],
                rx.callout.text(S.result_failure_text, data_testid="failure-summary"),
                title=T["support.result.partial_title"],
                color="amber",
                role="alert",
            ),
            notice("circle-check", T["support.result.created"], color="green"),
        ),
        rx.data_list.root(
            rx.data_list.item(
                rx.data_list.label(T["support.reference"]),
                rx.data_list.value(
                    rx.hstack(
                        rx.code(S.result["reference"], data_testid="support-reference"),
                        rx.icon_button(
                            rx.icon("copy", size=14),
                            on_click=[
                                rx.set_clipboard(S.result["reference"]),
                                rx.toast.info(T["support.copied"]),
                            ],
                            variant="ghost",
                            size="1",
                            aria_label=T["support.copy_reference"],
                        ),
                        rx.link(
                            T["detail.open"],
                            href=routes.support_request(S.result["reference"]),
                            size="2",
                            data_testid="open-request",
                        ),
                        align="center",
                    )
                ),
            ),
            rx.cond(
                S.result["external_reference"] != "",
                rx.data_list.item(
                    rx.data_list.label(T["support.external_ticket"]),
                    rx.data_list.value(
                        rx.cond(
                            S.result["external_url"] != "",
                            rx.link(
                                S.result["external_reference"],
                                href=S.result["external_url"],
                                is_external=True,
                                data_testid="external-ticket",
                            ),
                            rx.text(S.result["external_reference"], data_testid="external-ticket"),
                        )
                    ),
                ),
            ),
        ),
        rx.hstack(
            rx.button(T["support.new_request"], variant="soft", on_click=S.start_new_request),
            rx.button(T["support.done"], custom_attrs=close_button_attrs(DIALOG_ID)),
            justify="end",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def _close_unless_submitting(open_: Var[bool]) -> list:
    """Closing hides the dialog at once, in the browser, except while a submit is in
    flight (the outcome must be seen); the server is told the same. It must not be
    told "closed" then: a Submit's first step runs in the background, so a close sent
    just after it could reach the tab's state first and end the dialog, and the submit
    with it (nothing stored, nothing said)."""
    stays_open = open_.to(bool) | SUBMITTING
    return [DIALOG_SHOWN.set_value(stays_open), S.set_dialog_open(stays_open)]


def support_request_dialog() -> rx.Component:
    return Modal.create(
        rx.heading(
            T["support.request_support"],
            as_="h2",
            size="5",
            margin_bottom="var(--space-3)",
            trim="start",
            id="support-request-title",
        ),
        rx.text(
            filled_in(
                rx.el.span(T["support.context." + S.context_kind] + " " + S.context_title),
                "1lh",
                width="18em",
            ),
            size="2",
            color_scheme="gray",
            margin_bottom="12px",
            id="support-request-context",
        ),
        rx.cond(S.result.contains("reference") & READY, result_view(), request_form()),
        id=DIALOG_ID,
        max_width="640px",
        custom_attrs={
            "aria-labelledby": "support-request-title",
            "aria-describedby": "support-request-context",
            "aria-busy": OPENING,
        },
        # Shown from the click (browser) while the server has not closed it: it closes
        # a refused open, a page load, a session that ended.
        open=DIALOG_SHOWN.value & (OPENING | S.dialog_open),
        on_open_change=_close_unless_submitting,
    )
