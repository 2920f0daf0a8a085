"""``/operations/[run_id]``: the canonical run viewer; the tenant comes from the run."""

import reflex as rx

from support_app import routes
from support_app.ui.components.badges import status_badge, support_requests_link
from support_app.ui.components.more_menu import (
    SUPPORT_DIALOGS_ON_LOAD,
    scoped_page_header,
    with_support_dialogs,
)
from support_app.ui.components.notice import notice
from support_app.ui.components.shell import T, load_failed_view, not_found_view, template
from support_app.ui.states.pages import RunViewerState as S


def field(label_key: str, value: rx.Component | rx.Var) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(T[label_key]), rx.data_list.value(value))


def run_details() -> rx.Component:
    return rx.vstack(
        scoped_page_header(S, T["run.type." + S.run["type"]] + " #" + S.run["id"], "run.eyebrow"),
        support_requests_link(S.support_requests_href, "history.run_link"),
        rx.cond(
            S.run["failure_summary"] != "",
            notice(
                "circle-alert",
                S.run["failure_summary"],
                title=T["run.field.failure_summary"],
                color="red",
                width="100%",
            ),
        ),
        rx.card(
            rx.data_list.root(
                field("run.field.type", T["run.type." + S.run["type"]]),
                field("run.field.status", status_badge("run.status", S.run["status"])),
                field("run.field.outcome", status_badge("run.outcome", S.run["outcome"])),
                field("run.field.started", S.run["started"]),
                field("run.field.finished", S.run["finished"]),
                field("run.field.tenant", rx.link(S.tenant_name, href=S.tenant_href)),
            ),
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


@template(routes.OPERATION_RUN, "page.operation_run", on_load=[S.load, *SUPPORT_DIALOGS_ON_LOAD])
def operation_run() -> rx.Component:
    return with_support_dialogs(
        rx.cond(
            S.load_failed,
            load_failed_view(S.load),
            rx.cond(
                S.not_found,
                not_found_view(),
                rx.cond(S.loaded, run_details(), rx.center(rx.spinner(size="3"), padding="80px")),
            ),
        )
    )
