"""``POST /auth/sign-in``, ``/auth/sign-out`` and ``/auth/sign-out-everywhere``.

Signing in and out are plain form posts answered with a 303 redirect, so the
browser does a full page load afterwards and the event socket reconnects with the
new cookie (Reflex cannot set an HttpOnly cookie from an event; a route can).

- Each post must come from an allowed origin (``Origin``, else ``Referer``): a
  cross-site form cannot sign a browser in or out (CSRF).
- Password verification (Argon2id, ~17 ms of one core) runs on a pool of its own with
  ``SIGN_IN_WORKERS`` threads, one per core less one (Argon2 releases the GIL, so
  the cores work in parallel, and one is left for everybody's events); further
  sign-ins queue there, so a flood of guesses cannot occupy the threads that serve
  other users' events.
- A Cookie header naming the session cookie twice is not guessed from: sign-in
  ends neither, sign-out ends every session it names.
- Failures answer ``/login?error=invalid|required|throttled[&minutes=N]``; the
  page shows the translated message.
- The database down (refused, out of connections, or not answering within
  ``DATABASE_DEADLINE_S``): both routes answer the branded ``503`` page with
  ``Retry-After`` (``unavailable_page``); sign-in keeps the e-mail in its form.
- Sign-out fails closed: the cookie is expired whatever the database does; a
  sign-out it could not record waits in ``PendingSignOuts`` and is recorded as
  soon as the database is back.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import TypeVar
from urllib.parse import parse_qs, urlencode, urlsplit

from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from support_app import metrics, routes
from support_app.db import DATABASE_UNAVAILABLE, get_engine, session_scope
from support_app.logs import note_user
from support_app.services.authentication import (
    EMAIL_MAX,
    PASSWORD_MAX,
    TOKEN_MAX,
    AuthenticationService,
    SignInResult,
    hash_session_token,
)
from support_app.services.sign_in_throttle import minutes_to_wait
from support_app.settings import Settings, get_settings
from support_app.web.client_address import client_address
from support_app.web.cookies import (
    cookie_values,
    delete_session_cookie,
    session_cookie_name,
    set_session_cookie,
)
from support_app.web.pending_sign_outs import PendingSignOuts
from support_app.web.unavailable_page import unavailable_page

# One per core, less the one that serves everybody's events: on this 2-core machine two
# parallel Argon2 checks made other users' events 3x slower during a flood (one: 1.6x),
# for an unrelated sign-in waiting 1.2 s instead of 2.8 s behind 40 guesses. A check
# has one lane (services/passwords.py), so a thread is at most a core.
SIGN_IN_WORKERS = max(1, (os.cpu_count() or 1) - 1)
# Sign-outs get threads of their own, so a frozen database that holds them cannot
# take the threads other work of the process shares (asyncio's default pool).
SIGN_OUT_WORKERS = 2
# The longest a browser waits for either route's database work, queueing included;
# then it gets the 503 page (the work may still finish in the background).
DATABASE_DEADLINE_S = 10.0
# A sign-in form is two short fields; anything larger is not one.
FORM_BYTES_MAX = 4 * (EMAIL_MAX + PASSWORD_MAX)

T = TypeVar("T")
logger = logging.getLogger(__name__)


def auth_routes(
    *,
    allowed_origins: Iterable[str],
    trusted_proxy_hops: int = 0,
    engine: Callable[[], Engine] = get_engine,
    settings: Callable[[], Settings] = get_settings,
) -> Starlette:
    """The routes as a Starlette app (``engine``/``settings`` are swappable for tests)."""
    origins = frozenset(o for o in allowed_origins if o != "*")
    pool = ThreadPoolExecutor(max_workers=SIGN_IN_WORKERS, thread_name_prefix="sign-in")
    cookie_name = session_cookie_name(settings().secure_cookies)
    sign_out_pool = ThreadPoolExecutor(max_workers=SIGN_OUT_WORKERS, thread_name_prefix="sign-out")

    def service_call(call: Callable[[AuthenticationService], object]):
        def run():
            with session_scope(engine()) as session:
                return call(AuthenticationService(session, settings().sessions))

        return run

    def end_session(token_hash: str, everywhere: bool) -> None:
        service_call(
            lambda auth: (
                auth.sign_out_everywhere(token_hash) if everywhere else auth.sign_out(token_hash)
            )
        )()

    pending_sign_outs = PendingSignOuts(end_session, sign_out_pool)

    async def sign_in(request: Request) -> Response:
        outcome, response = await attempt_sign_in(request)
        metrics.sign_in(outcome)
        return response

    async def attempt_sign_in(request: Request) -> tuple[str, Response]:
        """The answer, and its outcome for the sign-in counter."""
        if not _same_origin(request, origins):
            return "forbidden", _forbidden()
        form = await _form(request)
        email, password = form.get("email", ""), form.get("password", "")
        if not email.strip() or not password:
            return "required", _to_login("required")
        try:
            result: SignInResult = await _within_deadline(
                pool,
                service_call(
                    lambda auth: auth.sign_in(
                        email[:EMAIL_MAX],
                        password[:PASSWORD_MAX],
                        client_address=client_address(request, trusted_proxy_hops),
                        previous_token_hash=_only(_token_hashes(request, cookie_name)),
                    )
                ),
            )
        except DATABASE_UNAVAILABLE as error:
            logger.error("sign-in: database unavailable: %s", type(error).__name__)
            return "unavailable", unavailable_page(request, "sign_in", email=email)
        if result.retry_after_seconds:
            minutes = minutes_to_wait(result.retry_after_seconds)
            return "throttled", _to_login("throttled", minutes=minutes)
        if result.token is None or result.actor is None:
            return "invalid", _to_login("invalid")
        note_user(result.actor.user_id)
        response = RedirectResponse(routes.HOME, status_code=303)
        current = settings()
        set_session_cookie(
            response,
            result.token,
            max_age=current.sessions.absolute_seconds,
            secure=current.secure_cookies,
            locale=result.actor.locale,
        )
        return "signed_in", response

    def sign_out_route(everywhere: bool):
        async def sign_out(request: Request) -> Response:
            if not _same_origin(request, origins):
                return _forbidden()
            response: Response = RedirectResponse(routes.LOGIN, status_code=303)
            for token_hash in _token_hashes(request, cookie_name):
                try:
                    await _within_deadline(sign_out_pool, end_session, token_hash, everywhere)
                except DATABASE_UNAVAILABLE as error:
                    logger.error("sign-out: database unavailable: %s", type(error).__name__)
                    pending_sign_outs.add(token_hash, everywhere=everywhere)
                    response = unavailable_page(request, "sign_out")
            delete_session_cookie(response, secure=settings().secure_cookies)
            return response

        return sign_out

    app = Starlette(
        routes=[
            Route(routes.SIGN_IN, sign_in, methods=["POST"]),
            Route(routes.SIGN_OUT, sign_out_route(everywhere=False), methods=["POST"]),
            Route(routes.SIGN_OUT_EVERYWHERE, sign_out_route(everywhere=True), methods=["POST"]),
        ]
    )
    app.state.pending_sign_outs = pending_sign_outs
    return app


async def _within_deadline(executor: Executor, call: Callable[..., T], *args: object) -> T:
    """``call(*args)`` on ``executor``; TimeoutError after ``DATABASE_DEADLINE_S``."""
    future = asyncio.get_running_loop().run_in_executor(executor, call, *args)
    return await asyncio.wait_for(future, DATABASE_DEADLINE_S)


def _same_origin(request: Request, origins: frozenset[str]) -> bool:
    """The post names an allowed origin (Origin header, or the Referer's origin)."""
    origin = request.headers.get("origin")
    if origin is None and (referer := request.headers.get("referer")):
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    return origin in origins


async def _form(request: Request) -> dict[str, str]:
    """The url-encoded form fields (first value each); oversized or other bodies count as empty."""
    if request.headers.get("content-type", "").split(";")[0].strip() != (
        "application/x-www-form-urlencoded"
    ):
        return {}
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_BYTES_MAX:
            return {}
    fields = parse_qs(body.decode("utf-8", errors="replace"), max_num_fields=10)
    return {name: values[0] for name, values in fields.items() if values}


def _token_hashes(request: Request, cookie_name: str) -> list[str]:
    """The hash of every session token the request's Cookie header names."""
    tokens = cookie_values(request.headers.get("cookie", ""), cookie_name)
    return [hash_session_token(t) for t in tokens if len(t) <= TOKEN_MAX]


def _only(values: list[str]) -> str | None:
    return values[0] if len(values) == 1 else None


def _to_login(error: str, **params: int) -> RedirectResponse:
    query = urlencode({"error": error, **params})
    return RedirectResponse(f"{routes.LOGIN}?{query}", status_code=303)


def _forbidden() -> Response:
    return PlainTextResponse("Origin not allowed", status_code=403)
