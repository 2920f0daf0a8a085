"""Support requests an operator can find again.

``/tenants/[tenant_id]/support-requests`` (``?run=<id>`` narrows it to one run) and
``/workspaces/[workspace_id]/support-requests``: the history, newest first, with
filters and pages; ``/support-requests/[reference]``: everything stored about one
request, its audit trail, and the owner's "remove a secret" action. An erased
request shows as a tombstone in both; the workspace owner offboards a customer from
its history page, and on the workspace's its retention period and a person's export
and erasure.
"""

import reflex as rx

from support_app import routes
from support_app.models.support_request import SEVERITIES
from support_app.services.support_requests.history import CONTEXT_FILTERS, OUTCOMES
from support_app.ui.components.confirmed_form import confirmed_form
from support_app.ui.components.data_protection import data_protection_section
from support_app.ui.components.erasure import (
    erased_badge,
    offboarding_result,
    offboarding_section,
    tombstone_badge,
    tombstone_callout,
)
from support_app.ui.components.notice import notice
from support_app.ui.components.shell import (
    VISUALLY_HIDDEN,
    T,
    load_failed_view,
    not_found_view,
    template,
)
from support_app.ui.states.data_protection import DataProtectionState as P
from support_app.ui.states.offboarding import OffboardingState as O
from support_app.ui.states.support_history import ALL
from support_app.ui.states.support_history import SupportHistoryState as H
from support_app.ui.states.support_history import SupportRequestDetailState as D


def loading() -> rx.Component:
    return rx.center(rx.spinner(size="3"), padding="80px")


def severity_badge(severity: rx.Var) -> rx.Component:
    color = rx.match(severity, ("blocking", "red"), ("high", "orange"), ("normal", "blue"), "gray")
    return rx.badge(
        T["support.severity." + severity], color_scheme=color, variant="soft", high_contrast=True
    )


def outcome_view(row: rx.Var, failure_text: rx.Var) -> rx.Component:
    """The handoff outcome in the reader's language, with the ticket link or reason."""
    color = rx.match(
        row["outcome"], ("created", "green"), ("linked", "green"), ("failed", "red"), "gray"
    )
    return rx.vstack(
        rx.badge(
            T["history.outcome." + row["outcome"]],
            color_scheme=color,
            variant="soft",
            high_contrast=True,
        ),
        rx.cond(
            row["external_reference"] != "",
            rx.cond(
                row["external_url"] != "",
                rx.link(
                    rx.hstack(
                        rx.text(row["external_reference"]),
                        rx.icon("external-link", size=12),
                        align="center",
                        spacing="1",
                    ),
                    href=row["external_url"],
                    is_external=True,
                    size="2",
                    white_space="nowrap",
                ),
                rx.text(row["external_reference"], size="2"),
            ),
        ),
        rx.cond(failure_text != "", rx.text(failure_text, size="1", color_scheme="red")),
        spacing="1",
        align="start",
    )


def context_view(row: rx.Var) -> rx.Component:
    return rx.cond(
        row["run_id"] != "",
        rx.link(T["history.context.run"] + " #" + row["run_id"], href=row["run_href"]),
        rx.text(T["history.context.tenant"]),
    )


def _select(label_key: str, value: rx.Var, options: tuple[str, ...], prefix: str, on_change):
    return rx.vstack(
        rx.text(T[label_key], size="1", weight="medium", as_="label"),
        rx.select.root(
            rx.select.trigger(aria_label=T[label_key], min_width="150px"),
            rx.select.content(
                rx.select.item(T["history.filter.all"], value=ALL),
                *[rx.select.item(T[prefix + option], value=option) for option in options],
            ),
            value=value,
            on_change=on_change,
            size="2",
        ),
        spacing="1",
    )


def filters() -> rx.Component:
    return rx.hstack(
        _select("history.filter.outcome", H.outcome, OUTCOMES, "history.outcome.", H.set_outcome),
        _select(
            "history.filter.severity", H.severity, SEVERITIES, "support.severity.", H.set_severity
        ),
        rx.cond(
            H.run_id == "",
            _select(
                "history.filter.context",
                H.context,
                CONTEXT_FILTERS,
                "history.context_filter.",
                H.set_context,
            ),
        ),
        rx.el.label(
            rx.hstack(
                rx.checkbox(
                    checked=H.mine, on_change=H.set_mine, aria_label=T["history.filter.mine"]
                ),
                rx.text(T["history.filter.mine"], size="2"),
                align="center",
                spacing="2",
            ),
            align_self="end",
            padding_bottom="6px",
        ),
        spacing="4",
        wrap="wrap",
        align="end",
        width="100%",
    )


def history_table() -> rx.Component:
    workspace = H.scope_kind == "workspace"
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell(T["support.reference"]),
                rx.table.column_header_cell(T["history.column.created"]),
                rx.cond(workspace, rx.table.column_header_cell(T["history.column.tenant"])),
                rx.table.column_header_cell(T["history.column.context"]),
                rx.table.column_header_cell(T["support.field.severity"]),
                rx.table.column_header_cell(T["support.field.summary"]),
                rx.table.column_header_cell(T["history.column.outcome"]),
            )
        ),
        rx.table.body(
            rx.foreach(
                H.display_rows,
                lambda row: rx.table.row(
                    rx.table.cell(
                        rx.link(
                            row["reference"],
                            href=row["href"],
                            font_family="var(--code-font-family)",
                            size="2",
                            white_space="nowrap",
                        )
                    ),
                    rx.table.cell(
                        rx.vstack(
                            rx.text(row["created"], size="2", white_space="nowrap"),
                            rx.text(row["created_by"], size="1", color_scheme="gray"),
                            spacing="0",
                        )
                    ),
                    rx.cond(
                        workspace,
                        rx.table.cell(rx.link(row["tenant_name"], href=row["tenant_href"])),
                    ),
                    rx.table.cell(context_view(row)),
                    rx.table.cell(severity_badge(row["severity"])),
                    rx.table.cell(
                        rx.cond(
                            row["erased"] != "",
                            tombstone_badge(row),
                            rx.text(row["summary"], size="2"),
                        )
                    ),
                    rx.table.cell(outcome_view(row, row["failure_text"])),
                    data_testid="history-row",
                ),
            )
        ),
        width="100%",
        size="1",
    )


def pager() -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("chevron-left", size=14),
            T["history.previous"],
            on_click=H.previous_page,
            disabled=H.page_number <= 1,
            variant="soft",
        ),
        rx.text(T["history.page"] + " " + H.page_number.to_string(), size="2"),
        rx.button(
            T["history.next"],
            rx.icon("chevron-right", size=14),
            on_click=H.next_page,
            disabled=~H.has_next,
            variant="soft",
        ),
        rx.el.div(
            rx.cond(
                H.updating,
                rx.hstack(
                    rx.spinner(size="1"),
                    rx.text(T["history.updating"], size="1", color_scheme="gray"),
                    align="center",
                    spacing="2",
                ),
            ),
            role="status",
        ),
        align="center",
        spacing="3",
    )


def not_updated() -> rx.Component:
    """A filter or page change whose read failed: the list is still the previous one."""
    return notice(
        "cloud-off",
        T["history.not_updated"],
        color="amber",
        role="alert",
        width="100%",
        data_testid="history-not-updated",
    )


def history_view() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.hstack(
                rx.text(T["history.eyebrow"], size="1", weight="bold", color_scheme="gray"),
                rx.text("·", size="1", color_scheme="gray"),
                rx.cond(
                    H.tenant_href != "",
                    rx.link(H.title, href=H.tenant_href, size="1"),
                    rx.text(H.workspace_name, size="1", color_scheme="gray"),
                ),
                spacing="2",
            ),
            rx.heading(
                rx.cond(
                    H.run_id != "",
                    T["history.title"] + " · " + T["history.context.run"] + " #" + H.run_id,
                    T["history.title"] + " · " + H.title,
                ),
                size="7",
            ),
            spacing="1",
        ),
        rx.cond(
            H.run_id != "",
            rx.hstack(
                rx.link(T["history.open_run"], href=H.run_href),
                rx.link(T["history.all_of_tenant"], href=H.tenant_href + "/support-requests"),
                spacing="4",
            ),
        ),
        rx.cond(O.done_for != "", offboarding_result()),
        rx.card(
            rx.vstack(
                filters(),
                rx.cond(H.not_updated, not_updated()),
                rx.cond(
                    H.rows.length() > 0,
                    history_table(),
                    rx.text(T["history.empty"], color_scheme="gray", data_testid="history-empty"),
                ),
                pager(),
                spacing="4",
                width="100%",
            ),
            width="100%",
        ),
        rx.cond(H.can_offboard, offboarding_section()),
        rx.cond((H.scope_kind == "workspace") & P.can_manage, data_protection_section()),
        spacing="4",
        width="100%",
    )


def history_page() -> rx.Component:
    return rx.cond(
        H.load_failed,
        load_failed_view(H.load),
        rx.cond(H.not_found, not_found_view(), rx.cond(H.loaded, history_view(), loading())),
    )


@template(routes.TENANT_SUPPORT_REQUESTS, "page.support_requests", on_load=[O.clear, H.load])
def tenant_support_requests() -> rx.Component:
    return history_page()


@template(routes.WORKSPACE_SUPPORT_REQUESTS, "page.support_requests", on_load=[H.load, P.load])
def workspace_support_requests() -> rx.Component:
    return history_page()


# -- detail -------------------------------------------------------------------------


def field(label_key: str, value: rx.Component | rx.Var) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(T[label_key]), rx.data_list.value(value))


def section(title_key: str, *children: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(T[title_key], size="4", as_="h2"), *children, spacing="3", width="100%"
        ),
        width="100%",
    )


def request_section() -> rx.Component:
    r = D.request
    return section(
        "detail.request",
        rx.data_list.root(
            field(
                "support.field.summary",
                rx.cond(
                    r["erased"] != "",
                    erased_badge(),
                    rx.text(r["summary"], data_testid="detail-summary"),
                ),
            ),
            field(
                "redaction.field.reproduction_notes",
                rx.cond(
                    r["reproduction_notes"] != "",
                    rx.text(
                        r["reproduction_notes"],
                        white_space="pre-wrap",
                        data_testid="detail-notes",
                    ),
                    rx.text(T["detail.none"], color_scheme="gray"),
                ),
            ),
            field("support.field.severity", severity_badge(r["severity"])),
            field("history.column.created", r["created"] + " · " + r["created_by"]),
            field("history.column.tenant", rx.link(r["tenant_name"], href=r["tenant_href"])),
            field("history.column.context", context_view(r)),
            field("support.field.contact_name", r["contact_name"]),
            field("support.field.contact_email", r["contact_email"]),
        ),
    )


def handoff_section() -> rx.Component:
    r = D.request
    return section(
        "detail.handoff",
        rx.data_list.root(
            field("handoff.mode.label", T["handoff.mode." + r["handoff_mode"]]),
            field("history.column.outcome", outcome_view(r, D.failure_text)),
        ),
    )


def context_section() -> rx.Component:
    return section(
        "detail.context",
        rx.data_list.root(
            rx.foreach(
                D.references,
                lambda ref: rx.data_list.item(
                    rx.data_list.label(T["detail.reference." + ref["key"]]),
                    rx.data_list.value(
                        rx.cond(
                            ref["marker"] != "",
                            rx.badge(
                                T["detail.marker." + ref["marker"]],
                                color_scheme="gray",
                                variant="soft",
                                high_contrast=True,
                            ),
                            rx.text(ref["value"], size="2"),
                        )
                    ),
                ),
            ),
            field(
                "detail.attachment",
                rx.cond(
                    D.snapshot_attached,
                    rx.cond(
                        D.snapshot_visible,
                        rx.text(T["detail.snapshot.visible"], size="2"),
                        rx.text(T["detail.snapshot.withheld"], size="2", data_testid="withheld"),
                    ),
                    rx.text(T["detail.snapshot.none"], size="2"),
                ),
            ),
        ),
        rx.el.details(
            rx.el.summary(T["detail.stored_json"]),
            rx.code_block(D.envelope_json, language="json", wrap_long_lines=True),
        ),
    )


def audit_section() -> rx.Component:
    return section(
        "detail.audit",
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(T["detail.audit.when"]),
                    rx.table.column_header_cell(T["detail.audit.what"]),
                    rx.table.column_header_cell(T["detail.audit.who"]),
                    rx.table.column_header_cell(T["detail.audit.detail"]),
                )
            ),
            rx.table.body(
                rx.foreach(
                    D.audit_display,
                    lambda e: rx.table.row(
                        rx.table.cell(rx.text(e["created"], white_space="nowrap")),
                        rx.table.cell(T["audit.action." + e["action"]]),
                        rx.table.cell(e["actor"]),
                        rx.table.cell(e["detail"]),
                        data_testid="audit-row",
                    ),
                )
            ),
            width="100%",
            size="1",
        ),
    )


def redaction_section() -> rx.Component:
    r = D.request
    return section(
        "redaction.title",
        rx.text(T["redaction.explanation"], size="2"),
        rx.cond(
            r["external_reference"] != "",
            notice(
                "triangle-alert",
                rx.callout.text(
                    T["redaction.desk_copy"] + " ",
                    rx.cond(
                        r["external_url"] != "",
                        rx.link(
                            T["support.external_ticket"] + " " + r["external_reference"],
                            href=r["external_url"],
                            is_external=True,
                            underline="always",
                            weight="bold",
                        ),
                        rx.text.strong(
                            T["support.external_ticket"] + " " + r["external_reference"]
                        ),
                    ),
                ),
                color="amber",
                width="100%",
            ),
        ),
        confirmed_form(
            label=(T["redaction.field.text"],),
            label_weight="500",
            field_id="redaction-text",
            name="text",
            error=D.redact_error,
            working=D.redacting,
            icon="eraser",
            submit_label=T["redaction.submit"],
            on_submit=D.redact,
        ),
    )


def detail_view() -> rx.Component:
    r = D.request
    return rx.vstack(
        rx.vstack(
            rx.hstack(
                rx.link(T["history.title"], href=D.history_href, size="1"),
                rx.text("·", size="1", color_scheme="gray"),
                rx.link(r["tenant_name"], href=r["tenant_href"], size="1"),
                spacing="2",
            ),
            rx.heading(
                rx.el.span(T["support.reference"] + " ", style=VISUALLY_HIDDEN),
                r["reference"],
                size="7",
                font_family="var(--code-font-family)",
            ),
            spacing="1",
        ),
        rx.cond(r["erased"] != "", tombstone_callout(r)),
        rx.grid(
            request_section(),
            handoff_section(),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        # A tombstone's context is its identity alone: the callout above says so.
        rx.cond(r["erased"] == "", context_section()),
        audit_section(),
        rx.cond(D.can_redact & (r["erased"] == ""), redaction_section()),
        spacing="4",
        width="100%",
    )


@template(routes.SUPPORT_REQUEST, "page.support_request", on_load=D.load)
def support_request_detail() -> rx.Component:
    return rx.cond(
        D.load_failed,
        load_failed_view(D.load),
        rx.cond(D.not_found, not_found_view(), rx.cond(D.loaded, detail_view(), loading())),
    )
