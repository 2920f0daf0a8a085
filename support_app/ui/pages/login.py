"""``/login``: e-mail and password; one error message for every failure."""

import reflex as rx

from support_app import routes
from support_app.ui.components.shell import T, template
from support_app.ui.states.login import LoginState


@template(routes.LOGIN, "Sign in", on_load=LoginState.redirect_if_signed_in)
def login() -> rx.Component:
    return rx.center(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading(T["login.title"], size="6"),
                    rx.text(T["login.subtitle"], color_scheme="gray", size="2"),
                    rx.cond(
                        LoginState.error_key != "",
                        rx.callout(
                            T[LoginState.error_key],
                            icon="triangle-alert",
                            color_scheme="red",
                            role="alert",
                            width="100%",
                        ),
                    ),
                    rx.vstack(
                        rx.el.label(T["login.email"], html_for="email", font_size="14px"),
                        rx.input(
                            id="email",
                            name="email",
                            type="email",
                            auto_complete="username",
                            required=True,
                            max_length=254,
                            width="100%",
                        ),
                        rx.el.label(T["login.password"], html_for="password", font_size="14px"),
                        rx.input(
                            id="password",
                            name="password",
                            type="password",
                            auto_complete="current-password",
                            required=True,
                            max_length=1024,
                            width="100%",
                        ),
                        width="100%",
                        spacing="2",
                    ),
                    rx.button(
                        rx.cond(LoginState.submitting, rx.spinner(size="1")),
                        T["login.submit"],
                        type="submit",
                        disabled=LoginState.submitting,
                        width="100%",
                    ),
                    spacing="4",
                    width="100%",
                ),
                on_submit=LoginState.submit,
            ),
            width="100%",
            max_width="400px",
            size="4",
        ),
        padding_top="80px",
    )
