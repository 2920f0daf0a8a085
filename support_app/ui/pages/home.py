"""``/``: the tenants the signed-in user is entitled to."""

import reflex as rx

from support_app import routes
from support_app.ui.components.shell import T, load_failed_view, template
from support_app.ui.states.pages import HomeState


def tenant_card(tenant: rx.Var) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.icon("building-2", size=20),
                rx.vstack(
                    rx.text(tenant["name"], weight="bold", size="4"),
                    rx.text(tenant["workspace"], color_scheme="gray", size="2"),
                    spacing="1",
                ),
                rx.spacer(),
                rx.badge(T["role." + tenant["role"]], variant="surface"),
                align="center",
                width="100%",
            ),
            width="100%",
        ),
        href=tenant["href"],
        underline="none",
        color="inherit",
        width="100%",
        data_testid="tenant-card",
    )


@template(routes.HOME, "page.home", on_load=HomeState.load)
def home() -> rx.Component:
    return rx.vstack(
        rx.heading(T["home.title"], size="7"),
        rx.text(T["home.subtitle"], color_scheme="gray"),
        rx.cond(
            HomeState.load_failed,
            load_failed_view(HomeState.load),
            rx.cond(
                ~HomeState.loaded,
                rx.center(rx.spinner(size="3"), padding="48px", width="100%"),
                rx.cond(
                    HomeState.tenants.length() > 0,
                    rx.grid(
                        rx.foreach(HomeState.tenants, tenant_card),
                        columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                        spacing="4",
                        width="100%",
                    ),
                    rx.text(T["home.empty"]),
                ),
            ),
        ),
        rx.foreach(
            HomeState.workspaces,
            lambda w: rx.link(
                rx.hstack(
                    rx.icon("inbox", size=16),
                    rx.text(T["history.link"] + " · " + w["name"]),
                    align="center",
                    spacing="2",
                ),
                href=w["support_requests_href"],
                data_testid="workspace-support-requests",
            ),
        ),
        spacing="4",
        width="100%",
    )
