"""Reopening the dialog of a tab whose state was lost allows nothing more than
"Request support" does (``ui/states/dialog_recovery.py``).

On the server a tab whose state Redis lost looks exactly like a tab that never had
one, so these tabs send a Submit as their very first event (the form as a browser
sends it, with a handoff choice) on pages of every kind: the request is stored only
where the cookie's user may request support, as that user, and a denial shows no
other tenant's data.
"""

from __future__ import annotations

import asyncio
import time

from support_app.models import SupportRequest
from support_app.ui.states.support_request import SupportRequestState
from tests.event_client import EventClient
from tests.security.conftest import OPERATOR, OUTSIDER, READONLY, World, run, signed_in_tab
from tests.security.surface import VALID_FORM

SR = SupportRequestState.get_full_name()


def _form(summary: str) -> dict:
    """The form as the browser sends it: Reflex's ordered [name, value] entries."""
    fields = {**VALID_FORM, "summary": summary, "handoff_mode_choice": "internal_only"}
    return {"form_data": {"__reflex_form_data__": [[k, v] for k, v in fields.items()]}}


async def _first_event_submit(
    app: str, email: str | None, path: str, summary: str
) -> tuple[EventClient, str]:
    tab = await signed_in_tab(app, email) if email else EventClient(app)
    if email is None:
        await tab.connect()
    since = len(tab.updates)
    await tab.call(f"{SR}.submit", _form(summary), path=path)
    return tab, tab.received_text(since)


async def _stored(world: World, summary: str, timeout: float = 20) -> list[SupportRequest]:
    deadline = time.monotonic() + timeout
    while not (found := [r for r in world.requests() if r.summary == summary]):
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    return found


def test_a_submit_on_a_fresh_state_stores_only_what_request_support_allows(
    app: str, world: World
) -> None:
    fabrikam = world.tenants["Fabrikam"]
    tailspin = world.tenants["Tailspin"]
    refused = {
        "readonly on its own tenant": (READONLY, f"/tenants/{fabrikam.id}"),
        "operator on another workspace's tenant": (OPERATOR, f"/tenants/{tailspin.id}"),
        "operator on another workspace's run": (OPERATOR, f"/operations/{tailspin.run_id}"),
        "outsider on a tenant it is not entitled to": (OUTSIDER, f"/tenants/{fabrikam.id}"),
        "no cookie": (None, f"/tenants/{fabrikam.id}"),
    }

    async def scenario() -> tuple[dict[str, list[str]], list[SupportRequest]]:
        leaks: dict[str, list[str]] = {}
        for label, (email, path) in refused.items():
            tab, text = await _first_event_submit(app, email, path, f"fresh-state {label}")
            await tab.close()
            markers = world.foreign_markers(email) if email else [fabrikam.name]
            leaks[label] = [m for m in markers if m in text]
        tab, _ = await _first_event_submit(
            app, OPERATOR, f"/tenants/{fabrikam.id}", "fresh-state operator"
        )
        try:  # stored after the refused ones were sent, so they have all been answered
            allowed = await _stored(world, "fresh-state operator")
        finally:
            await tab.close()
        return leaks, allowed

    leaks, allowed = run(scenario)
    assert leaks == {label: [] for label in refused}
    assert [r.summary for r in world.requests() if r.summary.startswith("fresh-state")] == [
        "fresh-state operator"
    ]
    [request] = allowed
    assert (request.tenant_id, request.external_handoff_mode) == (fabrikam.id, "internal_only")
    created = world.audit_rows("support_request.created", world.users[OPERATOR])
    assert request.reference in [row.subject_id for row in created]
