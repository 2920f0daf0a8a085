"""Who is signed in, and in which language the pages speak.

Reflex facts this state is built around: any browser can call any public event
handler with any arguments and can set any public var, and the client token is a
state key, not a credential. So identity is never a public var: every handler asks
``_actor()``, which re-resolves the session cookie against the database each time.
"""

from __future__ import annotations

import asyncio

import reflex as rx
from sqlmodel import Session

from support_app import routes
from support_app.db import get_engine, session_scope
from support_app.i18n import LOCALES, product_catalog
from support_app.services.access import Actor
from support_app.services.authentication import AuthenticationService
from support_app.settings import get_settings

SESSION_COOKIE = "sa_session"


def _auth(session: Session) -> AuthenticationService:
    return AuthenticationService(session, get_settings().session_ttl_seconds)


def _actor_for_token(token: str) -> Actor | None:
    with Session(get_engine()) as session:
        return _auth(session).actor_for_token(token)


class SessionState(rx.State):
    session_token: str = rx.Cookie(
        "",
        name=SESSION_COOKIE,
        same_site="strict",
        max_age=get_settings().session_ttl_seconds,
        secure=get_settings().secure_cookies,
    )
    locale: str = rx.Cookie("en", name="sa_locale", same_site="strict")
    user_display_name: str = ""
    user_email: str = ""

    @rx.var
    def t(self) -> dict[str, str]:
        """The whole catalog of the current language, with ``{product}`` filled in."""
        return product_catalog(self.locale)

    @rx.var
    def product_name(self) -> str:
        return get_settings().product_name

    async def _actor(self) -> Actor | None:
        """The signed-in actor, resolved from the cookie against the database now."""
        actor = await asyncio.to_thread(_actor_for_token, self.session_token)
        if actor is None:
            self.user_display_name = self.user_email = ""
        else:
            self.user_display_name, self.user_email = actor.display_name, actor.email
        return actor

    @rx.event
    async def set_locale(self, locale: str):
        if not isinstance(locale, str) or locale not in LOCALES:
            return
        self.locale = locale
        actor = await self._actor()
        if actor is not None:

            def _store() -> None:
                with session_scope() as session:
                    _auth(session).set_locale(actor, locale)

            await asyncio.to_thread(_store)

    @rx.event
    async def sign_out(self):
        token = self.session_token

        def _sign_out() -> None:
            with session_scope() as session:
                _auth(session).sign_out(token)

        await asyncio.to_thread(_sign_out)
        self.session_token = ""
        self.user_display_name = self.user_email = ""
        return rx.redirect(routes.LOGIN)
