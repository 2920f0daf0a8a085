"""Forged offboarding events (issue 24).

Every demo user claims every tenant's history page and sends the offboarding with
the tenant's real name typed - the whole attack, as a forged event carries it. Only
the owner of the tenant's workspace passes the access check; the lane proves it with
a wrong name instead (answered "not the customer's name"), so nothing is ever erased
here. Everyone else is answered not found (not entitled to the tenant, or another
workspace's) or forbidden (an operator or readonly user of the tenant), with the
denial recorded; no request loses its content and no row is written.
"""

from __future__ import annotations

import contextlib

import pytest

from support_app.i18n import translate
from support_app.ui.states.offboarding import OffboardingState
from tests.event_client import EventClientError
from tests.security.conftest import DEMO_USERS, World, run, signed_in_tab

OFFBOARD = f"{OffboardingState.get_full_name()}.offboard"
ANSWERS = {
    "not_found": translate("en", "support.error.not_found"),
    "forbidden": translate("en", "support.error.forbidden"),
    "mismatch": translate("en", "offboarding.error.mismatch"),
}


async def _attack(app: str, world: World, email: str) -> list[str]:
    roles = world.roles[email]
    problems: list[str] = []
    tab = await signed_in_tab(app, email)
    try:
        for name, tenant in world.tenants.items():
            role = roles.get(name)
            owner = role == "owner"  # the demo's workspace owners own their tenants
            expected = "mismatch" if owner else "forbidden" if role else "not_found"
            typed = "not the tenant's name" if owner else name
            path = f"/tenants/{tenant.id}/support-requests"
            since, before = len(tab.updates), world.writes()
            await tab.call(OFFBOARD, {"form_data": {"confirmation": typed}}, path=path)
            with contextlib.suppress(EventClientError):  # a background event
                await tab.wait_for(lambda u: any(a in u.raw for a in ANSWERS.values()), since=since)
            text = tab.received_text(since)
            observed = next((k for k, a in ANSWERS.items() if a in text), "nothing")
            where = f"{email} · {name}"
            if observed != expected:
                problems.append(f"{where}: expected {expected}, got {observed}: {text[:300]}")
            if world.writes() != before:
                problems.append(f"{where}: wrote {before} -> {world.writes()}")
    finally:
        await tab.close()
    erased = [r.reference for r in world.requests() if r.erasure_id is not None]
    if erased:
        problems.append(f"{email}: erased {erased}")
    return problems


@pytest.mark.parametrize("email", DEMO_USERS)
def test_only_the_workspace_owner_gets_past_the_access_check(
    app: str, world: World, email: str
) -> None:
    problems = run(lambda: _attack(app, world, email))
    assert problems == [], "\n".join(problems)
