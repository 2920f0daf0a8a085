"""A client token is a state key, not a credential.

The reproduction from the review: the owner's tab loads diagnostics and opens the
dialog, then disconnects; a second socket presents only that tab's client token
(the ``token=`` of ``/_event``, visible in proxy logs), without the cookie. It must
get no identity and no data: not from a hydration, not from the page handlers, not
by submitting. The same after the owner signed out, with or without the revoked
cookie.
"""

from __future__ import annotations

from reflex.state import State

from support_app.ui.states.pages import HomeState
from support_app.ui.states.session import SessionState
from support_app.ui.states.support_request import DiagnosticsState, SupportRequestState
from tests.event_client import EventClient
from tests.security.conftest import OWNER, World, run, signed_in_tab
from tests.security.surface import VALID_FORM

SR = SupportRequestState.get_full_name()
DIAGNOSTICS = DiagnosticsState.get_full_name()


def owner_data(world: World) -> list[str]:
    """What the owner's tab holds that nobody else may receive."""
    data = [OWNER, "Olivia Owner", "Microsoft Graph", "Quarterly security review"]
    for name in world.roles[OWNER]:
        tenant = world.tenants[name]
        data += [name, tenant.marker_summary, tenant.marker_reference]
    return data


async def _owner_tab_with_data(app: str, world: World) -> EventClient:
    """The owner's tab, diagnostics bundle loaded and the dialog bound to Fabrikam."""
    tab = await signed_in_tab(app, OWNER)
    fabrikam = f"/tenants/{world.tenants['Fabrikam'].id}"
    await tab.call(f"{DIAGNOSTICS}.open_view", path=fabrikam)
    await tab.call(f"{SR}.open_dialog", path=fabrikam)
    assert tab.var(DIAGNOSTICS, "diagnostics_open") and tab.var(SR, "dialog_open")
    assert "Microsoft Graph" in tab.received_text()  # the bundle really was there
    return tab


async def _replay(app: str, world: World, token: str, cookie: str | None) -> str:
    """Everything a socket with ``token`` (and ``cookie``) can get out; its text."""
    thief = EventClient(app, token=token, cookie=cookie)
    fabrikam = f"/tenants/{world.tenants['Fabrikam'].id}"
    await thief.connect()
    try:
        await thief.call(f"{State.get_full_name()}.hydrate", path=fabrikam)
        await thief.call(f"{State.get_full_name()}.hydrate_and_load", {"vars": {}}, path=fabrikam)
        await thief.call(f"{SR}.submit", {"form_data": dict(VALID_FORM)}, path=fabrikam)
        await thief.call(f"{DIAGNOSTICS}.open_view", path=fabrikam)
        await thief.call(f"{HomeState.get_full_name()}.load", path="/")
        assert thief.var(SessionState.get_full_name(), "user_email", "") == ""
        return thief.received_text()
    finally:
        await thief.close()


async def _scenario(app: str, world: World) -> dict[str, list[str]]:
    leaks: dict[str, list[str]] = {}
    secrets = owner_data(world)

    owner = await _owner_tab_with_data(app, world)
    await owner.close()
    text = await _replay(app, world, owner.token, cookie=None)
    leaks["token without cookie"] = [s for s in secrets if s in text]

    owner = await _owner_tab_with_data(app, world)
    await owner.close()
    assert (await owner.sign_out()).status_code == 303
    for label, cookie in (("revoked cookie", owner.cookie), ("no cookie", None)):
        text = await _replay(app, world, owner.token, cookie=cookie)
        leaks[f"after sign-out, {label}"] = [s for s in secrets if s in text]
    return leaks


def test_a_client_token_alone_gets_no_identity_and_no_data(app: str, world: World) -> None:
    before = world.writes()
    leaks = run(lambda: _scenario(app, world))
    assert leaks == {
        "token without cookie": [],
        "after sign-out, revoked cookie": [],
        "after sign-out, no cookie": [],
    }
    assert world.writes() == before
