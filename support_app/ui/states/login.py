"""Sign-in form. The error never says whether the e-mail or the password was wrong."""

from __future__ import annotations

import asyncio

import reflex as rx

from support_app import routes
from support_app.db import session_scope
from support_app.services.access import Actor
from support_app.services.authentication import InvalidCredentials
from support_app.ui.states.session import SessionState, _auth


class LoginState(SessionState):
    error_key: str = ""
    submitting: bool = False

    @rx.event
    async def redirect_if_signed_in(self):
        self.error_key = ""
        if await self._actor() is not None:
            return rx.redirect(routes.HOME)

    @rx.event
    async def submit(self, form_data: dict):
        if self.submitting:
            return
        email = form_data.get("email") if isinstance(form_data, dict) else None
        password = form_data.get("password") if isinstance(form_data, dict) else None
        if not isinstance(email, str) or not isinstance(password, str) or not email or not password:
            self.error_key = "login.error.required"
            return
        self.submitting = True
        self.error_key = ""
        yield

        def _sign_in() -> tuple[str, Actor] | None:
            with session_scope() as session:
                try:
                    return _auth(session).sign_in(email, password)
                except InvalidCredentials:
                    # Commit (not roll back) so the failed attempt's audit row is kept.
                    return None

        try:
            result = await asyncio.to_thread(_sign_in)
        finally:
            self.submitting = False
        if result is None:
            self.error_key = "login.error.invalid"
            return
        token, actor = result
        self.session_token = token
        self.locale = actor.locale
        self.user_display_name, self.user_email = actor.display_name, actor.email
        yield rx.redirect(routes.HOME)
