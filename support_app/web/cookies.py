"""The session and locale cookies: names, attributes, and reading a Cookie header.

With an https public URL the session cookie is named ``__Host-sa_session``: browsers
accept a ``__Host-`` cookie only when it is ``Secure``, has ``Path=/`` and no
``Domain``, so no sibling subdomain or plain-http page can set or shadow it. A Cookie
header naming the session cookie twice (one of them tossed in by somebody else) is
refused, not guessed: neither value counts.
"""

from __future__ import annotations

from starlette.responses import Response

PLAIN_SESSION_COOKIE = "sa_session"
HOST_SESSION_COOKIE = "__Host-sa_session"
# Read and written by Reflex in the browser (``rx.Cookie``), so never HttpOnly; not secret.
LOCALE_COOKIE = "sa_locale"


def session_cookie_name(secure: bool) -> str:
    return HOST_SESSION_COOKIE if secure else PLAIN_SESSION_COOKIE


def cookie_values(cookie_header: str, name: str) -> list[str]:
    """Every non-empty value of ``name`` in a Cookie header, in order."""
    values = []
    for part in cookie_header.split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name and (value := value.strip().strip('"')):
            values.append(value)
    return values


def cookie_value(cookie_header: str, name: str) -> str | None:
    """The one value of ``name`` in a Cookie header; None if absent or there twice."""
    values = cookie_values(cookie_header, name)
    return values[0] if len(values) == 1 else None


def set_session_cookie(
    response: Response, token: str, *, max_age: int, secure: bool, locale: str
) -> None:
    """The session cookie (HttpOnly: no page script can read it) and the user's language."""
    response.set_cookie(
        session_cookie_name(secure),
        token,
        max_age=max_age,
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )
    response.set_cookie(LOCALE_COOKIE, locale, path="/", secure=secure, samesite="strict")


def delete_session_cookie(response: Response, *, secure: bool) -> None:
    response.delete_cookie(
        session_cookie_name(secure), path="/", secure=secure, httponly=True, samesite="lax"
    )
