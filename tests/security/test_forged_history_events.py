"""Forged events on the support-request history and detail pages (issue 17).

The generic matrix (``test_forged_events``) sends these handlers from tenant and run
pages, where they must find nothing. Here every demo user claims each history and
detail URL - every tenant's history (also narrowed to another tenant's run), every
workspace's, every tenant's marker request - and sends the page's load, and the
redaction (with a text that occurs nowhere, so even an allowed one writes nothing):
the answer follows the access rules (readonly reads; only a tenant's owner may
redact), nothing is written, and no other tenant's or workspace's data reaches the
tab.
"""

from __future__ import annotations

import contextlib

import pytest
from sqlmodel import Session, select

from support_app.i18n import translate
from support_app.models import Workspace
from support_app.services.support_requests.manual_redaction import NOT_FOUND_IN_REQUEST
from support_app.ui.states.support_history import SupportHistoryState, SupportRequestDetailState
from tests.event_client import EventClient, EventClientError
from tests.security.conftest import DEMO_USERS, World, run, signed_in_tab

HISTORY = SupportHistoryState.get_full_name()
DETAIL = SupportRequestDetailState.get_full_name()
NOT_FOUND_TEXT = translate("en", "support.error.not_found")
FORBIDDEN_TEXT = translate("en", "support.error.forbidden")
NOT_IN_REQUEST_TEXT = translate("en", NOT_FOUND_IN_REQUEST)
NOWHERE = "text-that-occurs-nowhere-7f3a"
REDACT_ANSWERS = (NOT_FOUND_TEXT, FORBIDDEN_TEXT, NOT_IN_REQUEST_TEXT)


def _loaded(tab: EventClient, state: str) -> str:
    if tab.var(state, "not_found"):
        return "not_found"
    return "ok" if tab.var(state, "loaded") else "nothing"


async def _attack(app: str, world: World, email: str) -> list[str]:
    roles = world.roles[email]
    with Session(world.engine) as session:
        workspaces = {w.name: w.id for w in session.exec(select(Workspace)).all()}
    own_workspaces = {world.tenants[name].workspace for name in roles}
    markers = world.foreign_markers(email)
    problems: list[str] = []
    tab = await signed_in_tab(app, email)

    async def cell(event: str, payload: dict, path: str, expected: str, state: str) -> None:
        since, before = len(tab.updates), world.writes()
        await tab.call(event, payload, path=path)
        if event.endswith(".redact"):  # a background event: it may answer after the probes
            with contextlib.suppress(EventClientError):
                await tab.wait_for(lambda u: any(a in u.raw for a in REDACT_ANSWERS), since=since)
        text = tab.received_text(since)
        where = f"{email} · {path} · {event.rsplit('.', 1)[1]}"
        # The URL the tab claimed comes back in the router state; it tells nothing.
        leaked = [m for m in markers if m in text and m not in path]
        if leaked:
            problems.append(f"{where}: foreign data in the answer: {leaked}")
        if world.writes() != before:
            problems.append(f"{where}: wrote {before} -> {world.writes()}")
        if event.endswith(".redact"):
            observed = (
                "forbidden"
                if FORBIDDEN_TEXT in text
                else "not_found"
                if NOT_FOUND_TEXT in text
                else "ok"
                if NOT_IN_REQUEST_TEXT in text
                else "nothing"
            )
        else:
            observed = _loaded(tab, state)
        if observed != expected:
            problems.append(f"{where}: expected {expected}, got {observed}: {text[:400]}")

    try:
        for name, tenant in world.tenants.items():
            role = roles.get(name)
            readable = "ok" if role else "not_found"
            history = f"/tenants/{tenant.id}/support-requests"
            await cell(f"{HISTORY}.load", {}, history, readable, HISTORY)
            for other in world.tenants.values():
                # Narrowed to a run: found only for a run of this very tenant.
                expected = readable if other.name == name else "not_found"
                path = f"{history}?run={other.run_id}"
                await cell(f"{HISTORY}.load", {}, path, expected, HISTORY)
            detail = f"/support-requests/{tenant.marker_reference}"
            await cell(f"{DETAIL}.load", {}, detail, readable, DETAIL)
            redact = "ok" if role == "owner" else "forbidden" if role else "not_found"
            await cell(f"{DETAIL}.redact", {"form_data": {"text": NOWHERE}}, detail, redact, DETAIL)
        for name, workspace_id in workspaces.items():
            expected = "ok" if name in own_workspaces else "not_found"
            path = f"/workspaces/{workspace_id}/support-requests"
            await cell(f"{HISTORY}.load", {}, path, expected, HISTORY)
            await cell(f"{HISTORY}.next_page", {}, path, expected, HISTORY)
        for path in ("/support-requests/SR-NOPE", "/workspaces/999999/support-requests"):
            state = DETAIL if path.startswith("/support-requests") else HISTORY
            await cell(f"{state}.load", {}, path, "not_found", state)
    finally:
        await tab.close()
    return problems


@pytest.mark.parametrize("email", DEMO_USERS)
def test_history_and_detail_events_answer_by_the_access_rules(
    app: str, world: World, email: str
) -> None:
    problems = run(lambda: _attack(app, world, email))
    assert problems == [], "\n".join(problems)
