"""ASGI guard in front of Reflex's event socket (``/_event``).

Three jobs, all on the handshake:

- **Origin.** Socket.IO's own CORS check refuses a wrong ``Origin`` but lets a
  handshake *without* one through (any non-browser client, or a page that strips
  it). Here a handshake must name an allowed origin, or it is refused (HTTP 403).
- **No raw token in Reflex.** Reflex copies the handshake headers into every
  state (``self.router.headers``), and a Redis state manager persists them. So the
  ``sa_session`` cookie value is replaced by its SHA-256 before Reflex sees it:
  the state only ever holds the hash (what the database stores too), which is
  useless as a cookie. ``SessionState`` looks the hash up as it is. A header naming
  the session cookie twice loses both (refused, not guessed).
- **Draining.** A worker told to stop (``lifecycle.draining``) takes no new socket:
  HTTP 503, which the proxy retries on another instance and the browser retries
  by itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette._utils import get_route_path
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from support_app import lifecycle
from support_app.services.authentication import TOKEN_MAX, hash_session_token
from support_app.web.cookies import cookie_values

# RFC 6455 "policy violation"; sent before accept, the server answers HTTP 403.
_POLICY_VIOLATION = 1008
_TRY_AGAIN_LATER = 1013


class EventSocketGuard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        allowed_origins: Iterable[str],
        event_path: str,
        session_cookie: str,
    ) -> None:
        self._app = app
        self._session_cookie = session_cookie
        self._origins = frozenset(o for o in allowed_origins if o != "*")
        self._event_path = event_path.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not self._is_event_path(scope):
            await self._app(scope, receive, send)
            return
        if lifecycle.draining():
            await _refuse(scope, receive, send, status=503, text="Stopping")
            return
        headers = scope.get("headers", [])
        origin = _header(headers, b"origin")
        if origin is None or origin not in self._origins:
            await _refuse(scope, receive, send)
            return
        hashed = _with_hashed_session(headers, self._session_cookie)
        await self._app({**scope, "headers": hashed}, receive, send)

    def _is_event_path(self, scope: Scope) -> bool:
        path = get_route_path(scope)
        return path == self._event_path or path.startswith(self._event_path + "/")


def _header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _with_hashed_session(
    headers: Iterable[tuple[bytes, bytes]], name: str
) -> list[tuple[bytes, bytes]]:
    return [
        (key, _hash_session_cookie(value.decode("latin-1"), name).encode("latin-1"))
        if key.lower() == b"cookie"
        else (key, value)
        for key, value in headers
    ]


def _hash_session_cookie(cookie_header: str, name: str) -> str:
    """The Cookie header with the session token replaced by its hash; dropped if
    oversized, and every copy dropped if the header names it more than once."""
    tokens = cookie_values(cookie_header, name)
    parts = []
    for part in cookie_header.split(";"):
        key, sep, _ = part.strip().partition("=")
        if sep and key == name:
            if len(tokens) != 1 or len(tokens[0]) > TOKEN_MAX:
                continue
            part = f"{name}={hash_session_token(tokens[0])}"
        parts.append(part.strip())
    return "; ".join(p for p in parts if p)


async def _refuse(
    scope: Scope,
    receive: Receive,
    send: Send,
    *,
    status: int = 403,
    text: str = "Origin not allowed",
) -> None:
    if scope["type"] == "websocket":
        await receive()  # websocket.connect
        code = _POLICY_VIOLATION if status == 403 else _TRY_AGAIN_LATER
        await send({"type": "websocket.close", "code": code})
        return
    await PlainTextResponse(text, status_code=status)(scope, receive, send)
