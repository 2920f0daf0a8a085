"""``/login``: e-mail and password, posted as a plain form to ``/auth/sign-in``."""

import reflex as rx

from support_app import routes
from support_app.ui.components.notice import notice
from support_app.ui.components.post_form import post_form
from support_app.ui.components.shell import T, template
from support_app.ui.states.login import LoginState


@template(routes.LOGIN, "page.login", on_load=LoginState.load)
def login() -> rx.Component:
    return rx.center(
        rx.card(
            post_form(
                rx.vstack(
                    rx.heading(T["login.title"], size="6"),
                    rx.text(T["login.subtitle"], color_scheme="gray", size="2"),
                    rx.cond(
                        LoginState.error_text != "",
                        notice(
                            "triangle-alert",
                            LoginState.error_text,
                            color="red",
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
                    rx.button(T["login.submit"], type="submit", width="100%"),
                    spacing="4",
                    width="100%",
                ),
                action=routes.SIGN_IN,
            ),
            width="100%",
            max_width="400px",
            size="4",
        ),
        padding_top="80px",
    )
