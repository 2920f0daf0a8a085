"""The session and locale cookies: names, attributes, and reading a Cookie header."""

from __future__ import annotations

from starlette.responses import Response

SESSION_COOKIE = "sa_session"
# Read and written by Reflex in the browser (``rx.Cookie``), so never HttpOnly; not secret.
LOCALE_COOKIE = "sa_locale"


def cookie_value(cookie_header: str, name: str) -> str | None:
    """The first ``name=value`` in a Cookie header, or None."""
    for part in cookie_header.split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            return value.strip().strip('"') or None
    return None


def set_session_cookie(
    response: Response, token: str, *, max_age: int, secure: bool, locale: str
) -> None:
    """The session cookie (HttpOnly: no page script can read it) and the user's language."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )
    response.set_cookie(LOCALE_COOKIE, locale, path="/", secure=secure, samesite="strict")


def delete_session_cookie(response: Response, *, secure: bool) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=secure, httponly=True, samesite="lax")
