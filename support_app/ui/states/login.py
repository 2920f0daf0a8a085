"""The sign-in page's state: only what the form shows.

Signing in itself is a form post to ``/auth/sign-in`` (an HTTP route can set an
HttpOnly cookie; an event cannot). The route redirects back here with
``?error=<code>[&minutes=N]``; this state turns that into the translated message.
The message never says whether the e-mail or the password was wrong.
"""

from __future__ import annotations

import reflex as rx

from support_app import routes
from support_app.i18n import translate
from support_app.ui.states.session import SessionState

_ERROR_KEYS = {
    "invalid": "login.error.invalid",
    "required": "login.error.required",
    "throttled": "login.error.throttled",
}
_MINUTES_MAX = 24 * 60


class LoginState(SessionState):
    error_key: str = ""
    error_minutes: int = 0

    @rx.var
    def error_text(self) -> str:
        if not self.error_key:
            return ""
        key = self.error_key
        if key == "login.error.throttled" and self.error_minutes == 1:
            key = "login.error.throttled_one"
        return translate(self.locale, key, minutes=self.error_minutes)

    @rx.event
    async def load(self):
        if await self._actor() is not None:
            return rx.redirect(routes.HOME)
        params = self.router.url.query_parameters
        self.error_key = _ERROR_KEYS.get(params.get("error", ""), "")
        minutes = params.get("minutes", "")
        self.error_minutes = (
            min(int(minutes), _MINUTES_MAX) if minutes.isascii() and minutes.isdigit() else 1
        )
