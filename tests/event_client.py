"""A browser tab on the wire: sign in over HTTP, then speak Socket.IO to ``/_event``.

Used by the ``tests/security`` lane (forged events) and by ``bench/`` (load), so it
depends on nothing from the app: only URLs, event names and JSON. It does exactly
what Reflex's ``state.js`` does, and lets the caller forge every part of it:

- the socket connects to ``<base>/_event?token=<client token>`` over the websocket
  transport, with whatever ``Cookie`` and ``Origin`` headers the caller chooses
  (a browser sends both; an attacker may send neither);
- an event is ``{"name": "<state full name>.<handler>", "payload": {...},
  "router_data": {"pathname": ..., "asPath": ..., "query": {...}}}`` emitted as the
  Socket.IO event ``event``; the server answers with zero or more ``event``
  messages ``{"delta": {state: {var: value}}, "events": [frontend events]}``;
- Reflex sends no "done" marker, and a handler that changes nothing sends nothing.
  Foreground events of one tab run one after another, so ``call`` follows the
  event with a *probe* (a no-op event whose URL carries a fresh query parameter):
  the probe's delta arrives only after everything sent before it has finished.
  Background events (``@rx.event(background=True)``) are not ordered; wait for
  them with ``wait_for``.

python-socketio's asyncio client (with aiohttp for the websocket) is the one
dependency: the framing (Engine.IO v4 + Socket.IO v5) is the same as the browser's.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import httpx
import socketio

# Reflex mounts Socket.IO at this path and serves its namespace under the same name.
EVENT_PATH = "/_event"
SESSION_COOKIE = "sa_session"
ROOT_STATE = "reflex___state____state"
# A handler every Reflex app has, taking one bool; with a fresh query string in its
# URL it always produces a delta (the router var changes), whatever it sets.
PROBE_EVENT = f"{ROOT_STATE}.set_is_hydrated"
PROBE_QUERY = "__probe"
_probe_ids = itertools.count(1)


class EventClientError(Exception):
    """The socket could not be opened, or an expected answer did not come."""


@dataclass(frozen=True)
class Update:
    """One ``event`` message from the server, as received (and when)."""

    delta: dict[str, dict[str, Any]]
    events: list[dict[str, Any]]
    received_at: float
    raw: str = field(repr=False)

    def frontend_event_names(self) -> list[str]:
        return [e.get("name", "") for e in self.events]


def router_data(path: str, query: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The ``router_data`` a browser sends for ``path`` (``asPath`` = path + query)."""
    pathname, _, search = path.partition("?")
    params = dict(part.split("=", 1) if "=" in part else (part, "") for part in search.split("&"))
    params.pop("", None)
    params.update(query or {})
    as_path = pathname + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
    data: dict[str, Any] = {"pathname": pathname, "asPath": as_path}
    if params:
        data["query"] = params
    return data


async def sign_in_over_http(
    base_url: str,
    email: str,
    password: str,
    *,
    origin: str | None = None,
    client: httpx.AsyncClient | None = None,
) -> httpx.Response:
    """``POST /auth/sign-in`` as the login form does; the 303 answer, not followed."""
    own = client is None
    http = client or httpx.AsyncClient(trust_env=False, timeout=30)
    try:
        return await http.post(
            f"{base_url}/auth/sign-in",
            data={"email": email, "password": password},
            headers={"Origin": origin or base_url},
            follow_redirects=False,
        )
    finally:
        if own:
            await http.aclose()


def session_cookie_from(response: httpx.Response) -> str | None:
    """The ``sa_session`` value a sign-in answer set, or None."""
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        if name.strip() == SESSION_COOKIE:
            value = rest.split(";", 1)[0].strip()
            return value or None
    return None


class EventClient:
    """One tab: a client token, optionally a session cookie, one socket at a time.

    ``origin=None`` sends no ``Origin`` header at all; ``cookie=None`` no ``Cookie``.
    Every update received is kept in ``updates`` (raw text included, so a test can
    search everything the server sent this tab for data it must not see).
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        cookie: str | None = None,
        origin: str | None = "",
        connect_timeout: float = 20,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token or str(uuid.uuid4())
        self.cookie = cookie
        self.origin = self.base_url if origin == "" else origin
        self.connect_timeout = connect_timeout
        self.updates: list[Update] = []
        self.state: dict[str, dict[str, Any]] = {}
        self._sio: socketio.AsyncClient | None = None
        self._arrived = asyncio.Condition()

    # ----------------------------------------------------------------- sign-in

    async def sign_in(self, email: str, password: str) -> httpx.Response:
        """Sign in over HTTP and keep the session cookie for the next ``connect``."""
        response = await sign_in_over_http(self.base_url, email, password, origin=self.origin)
        self.cookie = session_cookie_from(response)
        return response

    # -------------------------------------------------------------- connection

    async def connect(self) -> None:
        """Open ``/_event`` like a tab: websocket transport, ``token`` in the query."""
        if self._sio is not None:
            raise EventClientError("already connected")
        headers: dict[str, str] = {}
        if self.origin is not None:
            headers["Origin"] = self.origin
        if self.cookie is not None:
            headers["Cookie"] = f"{SESSION_COOKIE}={self.cookie}"
        sio = socketio.AsyncClient(
            reconnection=False,
            # A jar that keeps nothing: the only cookie sent is the header above.
            http_session=aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()),
            websocket_extra_options={"headers": headers},
        )
        sio.on("event", self._on_update, namespace=EVENT_PATH)
        try:
            await sio.connect(
                f"{self.base_url}{EVENT_PATH}?token={self.token}",
                transports=["websocket"],
                socketio_path=EVENT_PATH,
                namespaces=[EVENT_PATH],
                wait_timeout=self.connect_timeout,
            )
        except socketio.exceptions.ConnectionError as error:
            await _close_session(sio)
            raise EventClientError(f"socket refused: {error}") from error
        self._sio = sio

    @property
    def connected(self) -> bool:
        return self._sio is not None and self._sio.connected

    async def close(self) -> None:
        sio, self._sio = self._sio, None
        if sio is not None:
            await sio.disconnect()
            await _close_session(sio)

    async def __aenter__(self) -> EventClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ events

    async def send(
        self,
        name: str,
        payload: Any = None,
        *,
        path: str = "/",
        router: Mapping[str, Any] | None = None,
        raw: Any = None,
    ) -> None:
        """Emit one event. ``router`` replaces the router_data built from ``path``;
        ``raw`` (anything JSON-able) is sent instead of a well-formed event."""
        if self._sio is None:
            raise EventClientError("not connected")
        if raw is not None:
            message = raw
        else:
            message = {
                "name": name,
                "payload": {} if payload is None else payload,
                "router_data": dict(router) if router is not None else router_data(path),
            }
        await self._sio.emit("event", message, namespace=EVENT_PATH)

    async def call(
        self,
        name: str,
        payload: Any = None,
        *,
        path: str = "/",
        router: Mapping[str, Any] | None = None,
        timeout: float = 20,
    ) -> list[Update]:
        """Send one event, then a probe; the updates up to the probe's answer.

        Everything the event (and whatever it chained in the foreground) sent this
        tab arrives before the probe's delta, because one tab's foreground events
        are processed in order.
        """
        start = len(self.updates)
        await self.send(name, payload, path=path, router=router)
        await self.probe(path=path, timeout=timeout)
        return self.updates[start:]

    async def probe(self, *, path: str = "/", timeout: float = 20) -> float:
        """Send the no-op probe and wait for its delta; the round-trip time in seconds."""
        probe_id = str(next(_probe_ids))
        start = len(self.updates)
        sent = time.perf_counter()
        await self.send(
            PROBE_EVENT, {"value": True}, router=router_data(path, {PROBE_QUERY: probe_id})
        )
        marker = json.dumps({PROBE_QUERY: probe_id})[1:-1]  # '"__probe": "7"' in the URL var
        await self.wait_for(lambda u: marker in u.raw, timeout=timeout, since=start)
        return time.perf_counter() - sent

    async def wait_for(
        self, predicate: Callable[[Update], bool], *, timeout: float = 20, since: int = 0
    ) -> Update:
        """The first update (from index ``since``) matching ``predicate``."""

        def _found() -> Update | None:
            return next((u for u in self.updates[since:] if predicate(u)), None)

        async with self._arrived:
            try:
                await asyncio.wait_for(
                    self._arrived.wait_for(lambda: _found() is not None), timeout
                )
            except TimeoutError as error:
                raise EventClientError(f"no matching update within {timeout} s") from error
        found = _found()
        assert found is not None
        return found

    # ------------------------------------------------------------------ reading

    def var(self, state: str, name: str, default: Any = None) -> Any:
        """The latest value of ``name`` in ``state`` (full state name) this tab has seen."""
        values = self.state.get(state, {})
        for key in (name, f"{name}_rx_state_"):
            if key in values:
                return values[key]
        return default

    def frontend_events(self, since: int = 0) -> Iterator[dict[str, Any]]:
        """Frontend events (toasts, redirects, ...) received from index ``since``."""
        for update in self.updates[since:]:
            yield from update.events

    def received_text(self, since: int = 0) -> str:
        """Every message received (from ``since``) as JSON text, for searching."""
        return "\n".join(u.raw for u in self.updates[since:])

    async def _on_update(self, data: Any) -> None:
        if not isinstance(data, dict):
            return
        delta = data.get("delta") or {}
        update = Update(
            delta=delta,
            events=list(data.get("events") or []),
            received_at=time.perf_counter(),
            raw=json.dumps(data, ensure_ascii=False, default=str),
        )
        for state, values in delta.items():
            self.state.setdefault(state, {}).update(values)
        async with self._arrived:
            self.updates.append(update)
            self._arrived.notify_all()


async def _close_session(sio: socketio.AsyncClient) -> None:
    http = getattr(sio.eio, "http", None)
    if http is not None and not http.closed:
        await http.close()
