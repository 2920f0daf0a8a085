"""Forged erasure events (issue 24): the offboarding and the data-protection card.

Every demo user claims every tenant's history page and sends the offboarding with
the tenant's real name typed - the whole attack, as a forged event carries it. Only
the owner of the tenant's workspace passes the access check; the lane proves it with
a wrong name instead (answered "not the customer's name"), so nothing is ever erased
here. Everyone else is answered not found (not entitled to the tenant, or another
workspace's) or forbidden (an operator or readonly user of the tenant), with the
denial recorded; no request loses its content and no row is written.

The same for the workspace page's retention period and a person's export and
erasure: each user claims every workspace; only its owner gets past the access check
(proved with a value validation refuses), nobody else changes or exports anything.
"""

from __future__ import annotations

import contextlib

import pytest
from sqlmodel import Session, select

from support_app.i18n import translate
from support_app.models import User, Workspace, WorkspaceMembership
from support_app.ui.states.data_protection import DataProtectionState
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


DATA_PROTECTION = DataProtectionState.get_full_name()
# What the owner sends: refused by validation after the access check, so the lane
# proves the owner got past it without changing anything.
OWNER_PAYLOADS = {
    "save_retention": ({"months": "not a period"}, "retention.error.invalid"),
    "export_person": ({"email": "not-an-address"}, "person.error.invalid_email"),
    "erase_person": ({"email": "not-an-address", "confirmed": "on"}, "person.error.invalid_email"),
}
# What everyone else sends: the real thing.
REAL_PAYLOADS = {
    "save_retention": {"months": "1"},
    "export_person": {"email": "owner@contoso.example"},
    "erase_person": {"email": "owner@contoso.example", "confirmed": "on", "note": "forged"},
}


async def _attack_data_protection(app: str, world: World, email: str) -> list[str]:
    with Session(world.engine) as session:
        workspaces = {w.name: w.id for w in session.exec(select(Workspace)).all()}
        owners = {
            (m.workspace_id, m.user_id)
            for m in session.exec(select(WorkspaceMembership)).all()
            if m.role == "owner"
        }
    own = {world.tenants[name].workspace for name in world.roles[email]}
    problems: list[str] = []
    tab = await signed_in_tab(app, email)
    try:
        for name, workspace_id in workspaces.items():
            owner = (workspace_id, world.users[email]) in owners
            path = f"/workspaces/{workspace_id}/support-requests"
            for handler, (owner_payload, owner_key) in OWNER_PAYLOADS.items():
                payload = owner_payload if owner else REAL_PAYLOADS[handler]
                answers = {
                    "owner": translate("en", owner_key),
                    "forbidden": ANSWERS["forbidden"],
                    "not_found": ANSWERS["not_found"],
                }
                expected = "owner" if owner else "forbidden" if name in own else "not_found"
                since, before = len(tab.updates), world.writes()
                await tab.call(f"{DATA_PROTECTION}.{handler}", {"form_data": payload}, path=path)
                with contextlib.suppress(EventClientError):
                    await tab.wait_for(
                        lambda u, a=answers: any(t in u.raw for t in a.values()), since=since
                    )
                text = tab.received_text(since)
                observed = next((k for k, a in answers.items() if a in text), "nothing")
                where = f"{email} · {name} · {handler}"
                if observed != expected:
                    problems.append(f"{where}: expected {expected}, got {observed}: {text[:300]}")
                if world.writes() != before:
                    problems.append(f"{where}: wrote {before} -> {world.writes()}")
    finally:
        await tab.close()
    with Session(world.engine) as session:
        periods = [w.retention_months for w in session.exec(select(Workspace)).all()]
        names = [u.display_name for u in session.exec(select(User)).all()]
    if any(periods) or any(n.startswith("former user") for n in names):
        problems.append(f"{email}: changed {periods} {names}")
    return problems


@pytest.mark.parametrize("email", DEMO_USERS)
def test_only_the_workspace_owner_manages_data_protection(
    app: str, world: World, email: str
) -> None:
    problems = run(lambda: _attack_data_protection(app, world, email))
    assert problems == [], "\n".join(problems)
