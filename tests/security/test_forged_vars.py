"""Forged vars: every var of every state set from the browser changes nothing allowed.

A browser can try to set any var: through the generic ``setvar`` handler, through a
``set_<var>`` handler where one exists, and through ``update_vars_internal`` (meant
for cookies and local storage). Whatever it sets (``session_token`` to another user's
session, ``can_request_support``, ``dialog_open``, ``attachment_mode``, the dialog's
backend-only binding, ...), the server still decides from the signed-in actor and
the database: other tenants stay not found, roles stay what they are, nothing is
written, and a request carries the attachment mode of the submitter's role.
"""

from __future__ import annotations

from typing import Any

from reflex.state import BaseState, UpdateVarsInternalState

from support_app.i18n import translate
from support_app.services.demo_seed import DEMO_PASSWORD
from support_app.ui.states.pages import TenantDashboardState
from support_app.ui.states.support_request import DiagnosticsState, SupportRequestState
from tests.event_client import EventClient
from tests.security.conftest import (
    DEMO_USERS,
    OPERATOR,
    OWNER,
    READONLY,
    World,
    run,
    signed_in_tab,
)
from tests.security.surface import VALID_FORM, settable_vars

SR = SupportRequestState.get_full_name()
DIAGNOSTICS = DiagnosticsState.get_full_name()
NOT_FOUND_TEXT = translate("en", "support.error.not_found")
FORBIDDEN_TEXT = translate("en", "support.error.forbidden")


def forged_value(state: type[BaseState], name: str, world: World, stolen_cookie: str) -> Any:
    """The most dangerous value a browser could give ``name``."""
    foreign = world.tenants["Tailspin"]
    special: dict[str, Any] = {
        "session_token": stolen_cookie,  # another user's session, as a var
        "attachment_mode": "diagnostic_snapshot",
        "handoff_mode": "create_external_ticket",
        "context_kind": "tenant",
        "_bound_kind": "tenant",
        "_bound_id": str(foreign.id),
        "_bound_user_id": world.users[OWNER],
        "locale": "en",
        "not_found": False,
    }
    if name in special:
        return special[name]
    fields = state.get_fields()
    annotation = str(fields[name].annotated_type) if name in fields else ""
    if "bool" in annotation:
        return True
    if "dict" in annotation:
        return {"reference": foreign.marker_reference, "title": "forged"}
    if "list" in annotation:
        return [{"id": str(foreign.id), "name": "forged"}]
    if "int" in annotation:
        return 1
    return "forged"


async def _forge(tab: EventClient, state: type[BaseState], name: str, value: Any, path: str):
    """Every way a browser can try to set ``state.name``."""
    full = state.get_full_name()
    await tab.send(f"{full}.setvar", {"var_name": name, "value": value}, path=path)
    await tab.send(
        f"{UpdateVarsInternalState.get_full_name()}.update_vars_internal",
        {"vars": {f"{full}.{name}": value, f"{full}.{name}_rx_state_": value}},
        path=path,
    )
    if f"set_{name}" in state.event_handlers:
        await tab.send(f"{full}.set_{name}", {"value": value}, path=path)
    await tab.probe(path=path)


async def _still_denied(tab: EventClient, world: World, email: str) -> list[str]:
    """With the state forged, the server still answers by the actor's real rights."""
    problems = []
    foreign = f"/tenants/{world.tenants['Tailspin'].id}"
    own = world.tenants[sorted(world.roles[email])[0]]
    if email == "outsider@litware.example":
        foreign = f"/tenants/{world.tenants['Fabrikam'].id}"
    since = len(tab.updates)
    await tab.call(f"{SR}.open_dialog", {}, path=foreign)
    await tab.call(f"{DIAGNOSTICS}.open_view", {}, path=foreign)
    text = tab.received_text(since)
    if text.count(NOT_FOUND_TEXT) != 2:
        problems.append(f"foreign dialog/diagnostics not refused as not found: {text[:300]}")
    await tab.call(f"{SR}.submit", {"form_data": dict(VALID_FORM)}, path=foreign)
    if email == READONLY:
        since = len(tab.updates)
        await tab.call(f"{SR}.open_dialog", {}, path=f"/tenants/{own.id}")
        if FORBIDDEN_TEXT not in tab.received_text(since):
            problems.append("readonly was not refused the dialog on its own tenant")
        await tab.call(f"{SR}.submit", {"form_data": dict(VALID_FORM)}, path=f"/tenants/{own.id}")
    return problems


async def _forge_everything(
    app: str, world: World, email: str, targets: list[tuple[type[BaseState], str, Any]]
) -> list[str]:
    tab = await signed_in_tab(app, email)
    markers = world.foreign_markers(email)
    own_path = f"/tenants/{world.tenants[sorted(world.roles[email])[0]].id}"
    problems: list[str] = []
    try:
        for state, name, value in targets:
            where = f"{email} · {state.__name__}.{name}"
            since, before = len(tab.updates), world.writes()
            await _forge(tab, state, name, value, own_path)
            problems += [f"{where}: {p}" for p in await _still_denied(tab, world, email)]
            if world.writes() != before:
                problems.append(f"{where}: something was written")
            leaked = [m for m in markers if m in tab.received_text(since)]
            if leaked:
                problems.append(f"{where}: foreign data {leaked}")
    finally:
        await tab.close()
    return problems


async def _owner_cookie(app: str) -> str:
    stolen = EventClient(app)
    await stolen.sign_in(OWNER, DEMO_PASSWORD)
    return stolen.cookie or ""


def test_setting_any_var_changes_nothing_the_server_allows(app: str, world: World) -> None:
    stolen_cookie = run(lambda: _owner_cookie(app))
    targets = [
        (state, name, forged_value(state, name, world, stolen_cookie))
        for state, name in settable_vars()
    ]
    # The owner's session is the stolen one the other users try to wear.
    for email in (e for e in DEMO_USERS if e != OWNER):
        problems = run(lambda email=email: _forge_everything(app, world, email, targets))
        print(f"{email}: {len(targets)} vars forged (setvar, set_<var>, update_vars_internal)")
        assert problems == [], "\n".join(problems)


async def _operator_forges_the_attachment(app: str, world: World) -> tuple[int, list[str]]:
    tab = await signed_in_tab(app, OPERATOR)
    fabrikam = f"/tenants/{world.tenants['Fabrikam'].id}"
    try:
        await tab.call(f"{SR}.open_dialog", {}, path=fabrikam)
        assert tab.var(SR, "dialog_open") is True
        assert tab.var(SR, "attachment_mode") == "canonical_context_only"
        for state, name, value in (
            (SupportRequestState, "attachment_mode", "diagnostic_snapshot"),
            (TenantDashboardState, "can_request_support", True),
            (TenantDashboardState, "can_view_diagnostics", True),
        ):
            await _forge(tab, state, name, value, fabrikam)
        before = len(world.requests())
        await tab.send(f"{SR}.submit", {"form_data": dict(VALID_FORM)}, path=fabrikam)
        await tab.wait_for(lambda u: '"reference": "SR-' in u.raw, timeout=30)
        created = world.requests()[before:]
        return len(created), [r.attachment_mode for r in created]
    finally:
        await tab.close()


def test_a_forged_attachment_mode_does_not_attach_the_snapshot(app: str, world: World) -> None:
    count, modes = run(lambda: _operator_forges_the_attachment(app, world))
    assert (count, modes) == (1, ["canonical_context_only"])
