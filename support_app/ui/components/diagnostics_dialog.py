""" "Open support diagnostics": the redacted bundle that a snapshot attachment carries.

Laid out like the dashboard (same badges and wording) so an operator can read it at
a glance; the exact JSON that a support request attaches is one click away.
"""

import reflex as rx

from support_app.ui.components.badges import status_badge
from support_app.ui.components.shell import DIALOG_TITLE, T
from support_app.ui.states.support_request import DiagnosticsState as D


def section(title_key: str, *children: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.text(T[title_key], size="2", weight="bold"),
        *children,
        spacing="2",
        width="100%",
    )


def run_state(run: rx.Var) -> rx.Component:
    return rx.cond(
        run["outcome"] != "",
        status_badge("run.outcome", run["outcome"]),
        status_badge("run.status", run["status"]),
    )


def run_line(run: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(T["run.type." + run["type"]], " #", run["id"], size="2"),
            run_state(run),
            rx.text(run["finished_at"], size="1", color_scheme="gray"),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            run["failure_summary"] != "",
            rx.text(run["failure_summary"], size="1", color_scheme="red"),
        ),
        spacing="1",
        width="100%",
    )


def document(title_key: str, doc: rx.Var) -> rx.Component:
    return section(
        title_key,
        rx.cond(
            doc.contains("title"),
            rx.hstack(
                rx.text(doc["title"], size="2"),
                status_badge("document.status", doc["status"]),
                rx.text(doc["created_at"], size="1", color_scheme="gray"),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(T["dashboard.none_yet"], size="2", color_scheme="gray"),
        ),
    )


def bundle_view() -> rx.Component:
    return rx.vstack(
        rx.cond(D.run.contains("id"), section("diagnostics.this_run", run_line(D.run))),
        section(
            "dashboard.connections",
            rx.foreach(
                D.connections,
                lambda c: rx.vstack(
                    rx.hstack(
                        rx.text(c["display_name"], size="2"),
                        status_badge("connection.status", c["status"]),
                        rx.text(c["last_checked_at"], size="1", color_scheme="gray"),
                        spacing="2",
                        align="center",
                    ),
                    rx.cond(
                        c["last_error"] != "",
                        rx.text(
                            c["last_error"], size="1", color_scheme="amber", high_contrast=True
                        ),
                    ),
                    spacing="1",
                ),
            ),
        ),
        section(
            "dashboard.findings",
            rx.hstack(
                rx.foreach(
                    D.findings,
                    lambda f: rx.hstack(
                        status_badge("finding.severity", f["severity"]),
                        rx.text(f["count"], size="2", weight="bold"),
                        spacing="1",
                        align="center",
                    ),
                ),
                spacing="4",
            ),
        ),
        section("dashboard.recent_runs", rx.foreach(D.runs, run_line)),
        document("dashboard.latest_review", D.review),
        document("dashboard.latest_report", D.report),
        section(
            "diagnostics.audit_actions",
            rx.foreach(
                D.audit_actions,
                lambda a: rx.hstack(
                    rx.code(a["action"], size="1"),
                    rx.text(a["created_at"], size="1", color_scheme="gray"),
                    spacing="2",
                ),
            ),
        ),
        rx.el.details(
            rx.el.summary(T["diagnostics.raw_json"], style={"cursor": "pointer"}),
            rx.code_block(D.bundle_json, language="json", wrap_long_lines=True),
            width="100%",
            font_size="14px",
        ),
        spacing="4",
        width="100%",
    )


def diagnostics_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(T["diagnostics.title"], custom_attrs=DIALOG_TITLE),
            rx.dialog.description(T["diagnostics.description"], size="2", color_scheme="gray"),
            rx.scroll_area(
                bundle_view(),
                type="auto",
                scrollbars="vertical",
                max_height="65vh",
                margin_y="12px",
                padding_right="12px",
                data_testid="diagnostics-bundle",
            ),
            rx.hstack(rx.dialog.close(rx.button(T["diagnostics.close"])), justify="end"),
            max_width="760px",
        ),
        open=D.diagnostics_open,
        on_open_change=D.set_diagnostics_open,
    )
