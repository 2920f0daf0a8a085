"""Forged events: every handler x every demo user x every kind of context.

The context of an event is whatever its ``router_data.asPath`` says, so a tab can
claim to be on any tenant or run page. For each demo user, each context (own tenant,
own run, a tenant and a run of the same workspace the user is not entitled to, a
tenant and a run of another workspace, an id that does not exist) and each public
handler of each state, the lane sends the handler with well-formed arguments and
checks what came back and what was stored:

- handlers that resolve the context answer exactly as the access rules say (shown,
  not found, or forbidden), and every denial is recorded (``access.denied``);
- nothing is written (no support request, no audit row but denials and sign-ins);
- no delta or frontend event carries another tenant's or workspace's data, nor any
  of the secrets planted in the demo runs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

import pytest

from support_app.i18n import translate
from support_app.services.audit import ACCESS_DENIED_PER_ACTOR_PER_MINUTE
from support_app.services.capabilities import Capability, capabilities_for
from support_app.ui.states.pages import RunViewerState, TenantDashboardState
from support_app.ui.states.support_request import DiagnosticsState, SupportRequestState
from tests.event_client import EventClient
from tests.security.conftest import DEMO_USERS, World, run, signed_in_tab
from tests.security.surface import Handler, public_handlers

UNKNOWN_ID = 999_999
OK, NOT_FOUND, FORBIDDEN = "ok", "not_found", "forbidden"
# Handlers that resolve the page's context: capability needed, context kinds served.
RESOLVING = {
    (SupportRequestState, "open_dialog"): (
        Capability.SUPPORT_REQUESTS_CREATE,
        ("tenant", "operation_run"),
    ),
    (DiagnosticsState, "open_view"): (
        Capability.SUPPORT_DIAGNOSTICS_VIEW,
        ("tenant", "operation_run"),
    ),
    (TenantDashboardState, "load"): (Capability.TENANT_VIEW, ("tenant",)),
    (RunViewerState, "load"): (Capability.TENANT_VIEW, ("operation_run",)),
}
_DENIAL_TEXT = {
    NOT_FOUND: translate("en", "support.error.not_found"),
    FORBIDDEN: translate("en", "support.error.forbidden"),
}
_RESETS = [
    f"{SupportRequestState.get_full_name()}.close_on_page_load",
    f"{DiagnosticsState.get_full_name()}.close_on_page_load",
]


@dataclass(frozen=True)
class Context:
    label: str
    kind: str  # "tenant" | "operation_run"
    path: str
    tenant: str | None  # the tenant it belongs to; None for an id that does not exist


def contexts_for(world: World, email: str) -> list[Context]:
    """Own tenant and run, unentitled tenant and run (same workspace), foreign
    workspace's tenant and run, and a tenant id that does not exist."""
    own_names = sorted(world.roles[email])
    own_workspaces = {world.tenants[n].workspace for n in own_names}
    unentitled = sorted(
        n for n, t in world.tenants.items() if t.workspace in own_workspaces and n not in own_names
    )
    foreign = sorted(n for n, t in world.tenants.items() if t.workspace not in own_workspaces)
    contexts = []
    for label, names in (("own", own_names), ("unentitled", unentitled), ("foreign", foreign)):
        if names:
            tenant = world.tenants[names[0]]
            contexts += [
                Context(f"{label} tenant", "tenant", f"/tenants/{tenant.id}", tenant.name),
                Context(
                    f"{label} run", "operation_run", f"/operations/{tenant.run_id}", tenant.name
                ),
            ]
    contexts.append(Context("unknown tenant", "tenant", f"/tenants/{UNKNOWN_ID}", None))
    return contexts


def expected_outcome(world: World, email: str, handler: Handler, context: Context) -> str | None:
    """What a context-resolving handler must answer; None for the other handlers."""
    rule = RESOLVING.get((handler.state, handler.name))
    if rule is None:
        return None
    capability, kinds = rule
    role = world.roles[email].get(context.tenant or "")
    if context.kind not in kinds or role is None:
        return NOT_FOUND
    return OK if capability in capabilities_for(role) else FORBIDDEN


def observed_outcome(tab: EventClient, handler: Handler, since: int) -> str:
    """What the tab was shown: the view opened or loaded, or which denial."""
    text = tab.received_text(since)
    for outcome, message in _DENIAL_TEXT.items():
        if message in text:
            return outcome
    if handler.state is SupportRequestState:
        return OK if tab.var(SupportRequestState.get_full_name(), "dialog_open") else "nothing"
    if handler.state is DiagnosticsState:
        return OK if tab.var(DiagnosticsState.get_full_name(), "diagnostics_open") else "nothing"
    # A page's load answers in that page's own vars.
    if tab.var(handler.state.get_full_name(), "not_found"):
        return NOT_FOUND
    return OK if tab.var(handler.state.get_full_name(), "loaded") else "nothing"


def _signs_out(handler: Handler) -> bool:
    return "sign_out" in handler.name


@dataclass
class MatrixReport:
    cells: int = 0
    denials_expected: int = 0
    failures: list[str] | None = None


async def _attack(app: str, world: World, email: str, handlers: list[Handler]) -> MatrixReport:
    report = MatrixReport(failures=[])
    assert report.failures is not None
    markers = world.foreign_markers(email)
    for context in contexts_for(world, email):
        tab = await signed_in_tab(app, email)
        try:
            for handler in [h for h in handlers if not _signs_out(h)]:
                for reset in _RESETS:
                    await tab.send(reset, path=context.path)
                await tab.probe(path=context.path)
                report.failures += await _cell(tab, world, email, markers, handler, context)
                report.cells += 1
                if expected_outcome(world, email, handler, context) in (NOT_FOUND, FORBIDDEN):
                    report.denials_expected += 1
        finally:
            await tab.close()
        # Signing out ends the tab's session: each gets a session of its own.
        for handler in filter(_signs_out, handlers):
            tab = await signed_in_tab(app, email)
            try:
                report.failures += await _cell(tab, world, email, markers, handler, context)
                report.cells += 1
            finally:
                await tab.close()
    return report


async def _cell(
    tab: EventClient,
    world: World,
    email: str,
    markers: list[str],
    handler: Handler,
    context: Context,
) -> list[str]:
    where = f"{email} · {context.label} ({context.path}) · {handler.label}"
    since, before = len(tab.updates), world.writes()
    await tab.call(handler.event, handler.forged_payload(), path=context.path)
    problems = []
    text = tab.received_text(since)
    leaked = [m for m in markers if m in text]
    if leaked:
        problems.append(f"{where}: foreign data in the answer: {leaked}")
    if world.writes() != before:
        problems.append(f"{where}: wrote {before} -> {world.writes()}")
    expected = expected_outcome(world, email, handler, context)
    if expected is not None:
        observed = observed_outcome(tab, handler, since)
        if observed != expected:
            problems.append(f"{where}: expected {expected}, got {observed}: {text[:600]}")
    return problems


@pytest.mark.parametrize("email", DEMO_USERS)
def test_every_handler_in_every_context_answers_by_the_access_rules(
    app: str, world: World, email: str
) -> None:
    denials_before = len(world.audit_rows("access.denied", world.users[email]))
    handlers = public_handlers()  # here: Reflex's registry is not visible from the loop thread
    report = run(lambda: _attack(app, world, email, handlers))
    print(f"forged-event matrix for {email}: {report.cells} cells")
    assert report.failures == [], "\n".join(report.failures or [])
    assert report.cells >= len(handlers) * 5
    # Denials are visible in the audit log, and a flood of them is bounded.
    rows = world.audit_rows("access.denied", world.users[email])[denials_before:]
    assert rows, "no access.denied row for a user whose forged events were denied"
    assert report.denials_expected > 0
    per_minute = Counter(r.created_at.replace(second=0, microsecond=0) for r in rows)
    window = max(
        sum(1 for r in rows if a.created_at <= r.created_at < a.created_at + timedelta(minutes=1))
        for a in rows
    )
    assert window <= ACCESS_DENIED_PER_ACTOR_PER_MINUTE, per_minute
    assert {r.metadata_json["outcome"] for r in rows} <= {NOT_FOUND, FORBIDDEN}
