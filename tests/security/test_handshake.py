"""The event socket's handshake: an allowed Origin is required; a cookie is identity.

A page on another site (or a script without a browser) must not open a tab's
socket; an allowed Origin without a session cookie connects but is nobody.
"""

from __future__ import annotations

import pytest

from support_app.ui.states.pages import HomeState
from support_app.ui.states.session import SessionState
from tests.event_client import EventClient, EventClientError
from tests.security.conftest import OPERATOR, World, run, signed_in_tab


async def _connect(app: str, origin: str | None, cookie: str | None) -> None:
    tab = EventClient(app, origin=origin, cookie=cookie)
    try:
        await tab.connect()
    finally:
        await tab.close()


async def _operator_cookie(app: str) -> str:
    tab = await signed_in_tab(app, OPERATOR)
    await tab.close()
    assert tab.cookie
    return tab.cookie


@pytest.mark.parametrize(
    "origin", [None, "https://evil.example", "null", "http://localhost", "http://127.0.0.1:1"]
)
def test_a_handshake_without_an_allowed_origin_is_refused(app: str, origin: str | None) -> None:
    cookie = run(lambda: _operator_cookie(app))
    with pytest.raises(EventClientError):
        run(lambda: _connect(app, origin, cookie))


async def _anonymous(app: str, world: World) -> tuple[str, str]:
    tab = EventClient(app)  # the app's own Origin, no cookie
    await tab.connect()
    try:
        since = len(tab.updates)
        await tab.call(f"{HomeState.get_full_name()}.load", path="/")
        return tab.var(SessionState.get_full_name(), "user_email", ""), tab.received_text(since)
    finally:
        await tab.close()


def test_an_allowed_origin_without_a_cookie_is_nobody(app: str, world: World) -> None:
    email, text = run(lambda: _anonymous(app, world))
    assert email == ""
    assert '"_redirect"' in text and '"/login"' in text
    assert not any(name in text for name in world.tenants)
