"""A tab never shows one user's data to the next user of the same browser.

The reproduction from the review, on the wire: the owner's tab holds the owner's
pages, the open dialog and the diagnostics bundle; the owner's session ends (sign-out,
or idle expiry) and another user signs in in the same browser, so the old tab's
client token now comes with the new user's cookie. On SQLite the new session used to
get the ended session's row id, and the tab's per-user state was kept: the next event
sent the owner's data to the new user. Whatever the database does with row ids, the
new user must receive nothing of the owner's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from reflex.state import State
from sqlalchemy import update
from sqlmodel import Session

from support_app.models import UserSession
from support_app.models.clock import utcnow
from support_app.ui.states.pages import HomeState, TenantDashboardState
from support_app.ui.states.session import SessionState
from support_app.ui.states.support_request import DiagnosticsState, SupportRequestState
from tests.event_client import EventClient
from tests.security.conftest import OUTSIDER, OWNER, READONLY, World, run, signed_in_tab

SR = SupportRequestState.get_full_name()
DIAGNOSTICS = DiagnosticsState.get_full_name()
SESSION = SessionState.get_full_name()


def owner_only_data(world: World, next_user: str) -> list[str]:
    """What the owner's tab held that ``next_user`` may never receive."""
    data = [OWNER, "Olivia Owner"]
    visible = world.roles[next_user]
    for name in world.roles[OWNER]:
        if name not in visible:
            tenant = world.tenants[name]
            data += [name, tenant.marker_summary, tenant.marker_reference]
    return data


async def _owner_tab_with_everything(app: str, world: World) -> EventClient:
    """The owner's tab: home page, the Adatum diagnostics bundle, the dialog open."""
    tab = await signed_in_tab(app, OWNER)
    adatum = f"/tenants/{world.tenants['Adatum'].id}"
    await tab.call(f"{HomeState.get_full_name()}.load", path="/")
    await tab.call(f"{TenantDashboardState.get_full_name()}.load", path=adatum)
    await tab.call(f"{DIAGNOSTICS}.open_view", path=adatum)
    await tab.call(f"{SR}.open_dialog", path=adatum)
    assert tab.var(DIAGNOSTICS, "diagnostics_open") and tab.var(SR, "dialog_open")
    assert "Adatum" in tab.received_text() and OWNER in tab.received_text()
    return tab


async def _sign_out(world: World, owner: EventClient) -> None:
    assert (await owner.sign_out()).status_code == 303


async def _idle_expiry(world: World, owner: EventClient) -> None:
    """The owner's session goes unused past the idle timeout (nobody signs out)."""
    with Session(world.engine) as session:
        session.exec(update(UserSession).values(last_seen_at=utcnow() - timedelta(days=1)))
        session.commit()


async def _next_user_over_the_old_tab(
    app: str,
    world: World,
    end_owner_session: Callable[[World, EventClient], Awaitable[None]],
    next_user: str,
) -> tuple[str, bool, bool, str]:
    owner = await _owner_tab_with_everything(app, world)
    await owner.close()
    await end_owner_session(world, owner)
    successor = EventClient(app)
    assert (await successor.sign_in(next_user, "demo-Passw0rd!")).status_code == 303
    # The same browser: the old tab's client token, the new user's cookie.
    reused = EventClient(app, token=owner.token, cookie=successor.cookie)
    await reused.connect()
    try:
        await reused.call(f"{State.get_full_name()}.hydrate", path="/")
        await reused.call(f"{HomeState.get_full_name()}.load", path="/")
        return (
            reused.received_text(),
            bool(reused.var(DIAGNOSTICS, "diagnostics_open")),
            bool(reused.var(SR, "dialog_open")),
            reused.var(SESSION, "user_email", ""),
        )
    finally:
        await reused.close()


ENDINGS = {"sign-out": _sign_out, "idle expiry": _idle_expiry}


@pytest.mark.parametrize("next_user", [READONLY, OUTSIDER])
@pytest.mark.parametrize("ending", sorted(ENDINGS))
def test_the_next_user_of_a_tab_gets_nothing_of_the_previous_one(
    app: str, world: World, ending: str, next_user: str
) -> None:
    before = world.writes()
    text, diagnostics_open, dialog_open, email = run(
        lambda: _next_user_over_the_old_tab(app, world, ENDINGS[ending], next_user)
    )
    assert email == next_user
    assert [s for s in owner_only_data(world, next_user) if s in text] == []
    assert (diagnostics_open, dialog_open) == (False, False)
    assert world.writes() == before
