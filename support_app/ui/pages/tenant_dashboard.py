"""``/tenants/[tenant_id]``: health, recent runs, findings, latest review and report."""

import reflex as rx

from support_app import routes
from support_app.ui.components.badges import status_badge, support_requests_link
from support_app.ui.components.more_menu import (
    SUPPORT_DIALOGS_ON_LOAD,
    scoped_page_header,
    with_support_dialogs,
)
from support_app.ui.components.shell import (
    VISUALLY_HIDDEN,
    T,
    load_failed_view,
    not_found_view,
    template,
)
from support_app.ui.states.pages import TenantDashboardState as S


def section(title_key: str, *children: rx.Component, **props) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(T[title_key], size="4", as_="h2"), *children, spacing="3", width="100%"
        ),
        width="100%",
        **props,
    )


def connections() -> rx.Component:
    return section(
        "dashboard.connections",
        rx.foreach(
            S.connections,
            lambda c: rx.vstack(
                rx.hstack(
                    rx.text(c["display_name"], weight="medium"),
                    rx.spacer(),
                    status_badge("connection.status", c["status"]),
                    width="100%",
                ),
                rx.text(
                    T["dashboard.last_checked"] + " " + c["last_checked"],
                    size="1",
                    color_scheme="gray",
                ),
                rx.cond(
                    c["last_error"] != "",
                    rx.text(c["last_error"], size="1", color_scheme="amber", high_contrast=True),
                ),
                spacing="1",
                width="100%",
            ),
        ),
    )


def findings() -> rx.Component:
    return section(
        "dashboard.findings",
        rx.hstack(
            rx.foreach(
                S.findings,
                lambda f: rx.vstack(
                    rx.text(f["count"], size="6", weight="bold"),
                    status_badge("finding.severity", f["severity"]),
                    align="center",
                    spacing="1",
                ),
            ),
            spacing="5",
            wrap="wrap",
        ),
    )


def document(title_key: str, doc: rx.Var) -> rx.Component:
    return section(
        title_key,
        rx.cond(
            doc["title"] != "",
            rx.vstack(
                rx.text(doc["title"], weight="medium"),
                rx.hstack(
                    status_badge("document.status", doc["status"]),
                    rx.text(doc["created"], size="1", color_scheme="gray"),
                    align="center",
                ),
                spacing="2",
            ),
            rx.text(T["dashboard.none_yet"], color_scheme="gray"),
        ),
    )


def runs() -> rx.Component:
    return section(
        "dashboard.recent_runs",
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(T["run.field.type"]),
                    rx.table.column_header_cell(T["run.field.outcome"]),
                    rx.table.column_header_cell(T["run.field.started"]),
                    rx.table.column_header_cell(
                        rx.el.span(T["dashboard.actions"], style=VISUALLY_HIDDEN)
                    ),
                )
            ),
            rx.table.body(
                rx.foreach(
                    S.runs,
                    lambda r: rx.table.row(
                        rx.table.cell(T["run.type." + r["type"]]),
                        rx.table.cell(status_badge("run.outcome", r["outcome"])),
                        rx.table.cell(r["started"]),
                        rx.table.cell(rx.link(T["dashboard.view_run"], href=r["href"])),
                    ),
                )
            ),
            width="100%",
            size="1",
        ),
    )


def dashboard() -> rx.Component:
    return rx.vstack(
        scoped_page_header(S, S.tenant_name, "dashboard.eyebrow"),
        support_requests_link(S.support_requests_href, "history.link"),
        rx.grid(
            connections(),
            findings(),
            document("dashboard.latest_review", S.review),
            document("dashboard.latest_report", S.report),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        runs(),
        spacing="4",
        width="100%",
    )


@template(
    routes.TENANT_DASHBOARD, "page.tenant_dashboard", on_load=[S.load, *SUPPORT_DIALOGS_ON_LOAD]
)
def tenant_dashboard() -> rx.Component:
    return with_support_dialogs(
        rx.cond(
            S.load_failed,
            load_failed_view(S.load),
            rx.cond(
                S.not_found,
                not_found_view(),
                rx.cond(S.loaded, dashboard(), rx.center(rx.spinner(size="3"), padding="80px")),
            ),
        )
    )
