"""Who is signed in, and in which language the pages speak.

Reflex facts this state is built around: any browser can call any public event
handler with any arguments and can set any public var, and the client token (the
``token=`` of the socket URL) is a state key, not a credential. So identity is
never a var: ``_actor()`` resolves it for every event from the ``sa_session``
cookie of the socket's handshake (``self.router.headers.cookie``; the socket guard
has already replaced the token by its hash), against the database.

``_actor()`` is also the one place that keeps a tab's data with its owner: the
per-user states (every subclass of this one) hold data for the session recorded
in ``_owner_session``; when an event resolves to another session, or to none,
they are all reset before the handler runs. A session is named by its token hash,
never by its row id: SQLite hands an ended session's id to the next sign-in, and a
tab keyed on ids would then show the previous user's data to the next. Sign-in and
sign-out end in a full page load, whose hydration runs ``_actor()`` first
(``SessionCheckMiddleware``), so not even the hydration snapshot carries the
previous user's data.
"""

from __future__ import annotations

import asyncio
import logging

import reflex as rx
from reflex.middleware.middleware import Middleware
from reflex_base.constants import CompileVars
from reflex_base.event import get_event
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from support_app.db import get_engine, read_in_thread, session_scope
from support_app.i18n import LOCALES, product_catalog
from support_app.services.access import Actor
from support_app.services.authentication import AuthenticationService, SignedInSession
from support_app.settings import get_settings
from support_app.web.cookies import LOCALE_COOKIE, cookie_value, session_cookie_name

logger = logging.getLogger(__name__)


def _auth(session: Session) -> AuthenticationService:
    return AuthenticationService(session, get_settings().sessions)


def _session_for(token_hash: str | None) -> SignedInSession | None:
    if not token_hash:
        return None
    with session_scope(get_engine()) as session:  # commits the occasional last_seen_at
        return _auth(session).session_for(token_hash)


class SessionState(rx.State):
    locale: str = rx.Cookie("en", name=LOCALE_COOKIE, same_site="strict")
    user_display_name: str = ""
    user_email: str = ""
    # The token hash of the session whose data this tab's per-user states hold
    # ("": nobody's). A hash is unique for good; row ids are not (see above).
    _owner_session: str = ""
    # Which page load of this tab is the newest (``pages.PageLoadState``): kept here
    # because it must outlive the reset above (a retry that finds a new session must go
    # on, for the new user), and shared by every page, so a load on any page stops the
    # previous page's retries.
    _load_generation: int = 0
    # Set by a hydration that is not of a freshly (re)loaded page (a socket reconnect,
    # an in-app navigation), until the page's load handler has looked at it
    # (``SupportRequestState.close_on_page_load``): a reconnect must not close a dialog
    # the operator is still typing in.
    _resumed: bool = False

    @rx.var
    def t(self) -> dict[str, str]:
        """The whole catalog of the current language, with ``{product}`` filled in."""
        return product_catalog(self.locale)

    @rx.var
    def product_name(self) -> str:
        return get_settings().product_name

    async def _actor(self) -> Actor | None:
        """The signed-in actor for this event; per-user data is reset if it changed.

        Every handler starts here; one that gets None redirects to sign-in. A
        background handler splits it in two, so that the database lookup runs while
        the state lock is *not* held: ``_signed_in()`` outside ``async with self``,
        ``_adopt()`` inside.
        """
        return await self._adopt(await self._signed_in())

    async def _signed_in(self) -> SignedInSession | None:
        """The live session named by the socket's cookie (a database read)."""
        cookie = session_cookie_name(get_settings().secure_cookies)
        token_hash = cookie_value(self.router.headers.cookie, cookie)
        return await read_in_thread(_session_for, token_hash)

    async def _adopt(self, signed_in: SignedInSession | None) -> Actor | None:
        """Make this tab ``signed_in``'s: reset per-user data if the session changed."""
        owner = signed_in.token_hash if signed_in else ""
        if owner != self._owner_session:
            await self._reset_user_states()
            self._owner_session = owner
        if signed_in is None:
            self._show_user("", "")
            return None
        self._show_user(signed_in.actor.display_name, signed_in.actor.email)
        return signed_in.actor

    def _show_user(self, display_name: str, email: str) -> None:
        """The header's user, assigned only when it changed.

        Any assignment puts SessionState into the event's delta, and every text on
        the page reads ``SessionState.t``: the browser would re-render the whole page
        for every event (the dialog took 4.7x a no-op round trip to open).
        """
        if (self.user_display_name, self.user_email) != (display_name, email):
            self.user_display_name, self.user_email = display_name, email

    async def _reset_user_states(self) -> None:
        """Every subclass of this state back to its defaults (its own vars only)."""
        root = await self.get_state(SessionState)
        pending = list(SessionState.get_substates())
        while pending:  # load every descendant, so reset() below reaches it
            cls = pending.pop()
            pending.extend(cls.get_substates())
            await root.get_state(cls)
        for cls in SessionState.get_substates():
            (await root.get_state(cls)).reset()

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


class SessionCheckMiddleware(Middleware):
    """Runs ``_actor()`` before a hydration, so its full snapshot is the right user's.

    If the session cannot be looked up (the database is down), the tab's per-user
    data is dropped (fail closed: nobody's data is sent on a guess) and the hydration
    goes on, so the page renders and its own load says it could not load and retries.
    """

    async def preprocess(self, app, state, event):
        if event.name in (
            get_event(state, CompileVars.HYDRATE),
            get_event(state, CompileVars.HYDRATE_AND_LOAD),
        ):
            session_state = await state.get_state(SessionState)
            # Reflex sends the page's initial-state hashes only on a page's first
            # hydration; a reconnect or an in-app navigation sends none.
            payload = event.payload if isinstance(event.payload, dict) else {}
            session_state._resumed = event.name.endswith(
                f".{CompileVars.HYDRATE_AND_LOAD}"
            ) and not payload.get("hashes")
            try:
                await session_state._actor()
            except SQLAlchemyError as error:
                logger.error("session check before hydration failed: %s", type(error).__name__)
                await session_state._adopt(None)
        return None
