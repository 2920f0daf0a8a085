"""No planted demo secret reaches anything support receives (SQLite and PostgreSQL).

The demo seed plants every form listed in ``PLANTED_SECRETS`` (tokens, an Azure storage
connection string, a PEM private key, a Cookie header, an env-style secret, a SAS URL)
into run failure texts, connection errors and raw provider payloads. Requests are
raised from every tenant and failed-run context, with both attachment modes and with
those failure texts pasted into the reproduction notes; then the stored context
envelopes, the diagnostics bundles, every audit row's metadata, the desk ticket bodies
and the dashboard read model are searched for each planted value.
"""

from __future__ import annotations

import re

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from support_app.canonical_json import canonical_json
from support_app.models import AuditLog, ProviderConnection, SupportRequest
from support_app.services import demo_seed
from support_app.services.access import AccessService
from support_app.services.dashboard import read_tenant_dashboard
from support_app.services.demo_seed import PLANTED_ACCESS_TOKEN, PLANTED_SECRETS
from support_app.services.support_requests.diagnostics import SupportDiagnosticsService
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.scope import SupportContext
from support_app.services.support_requests.submission import outbound_ticket
from tests.conftest import actor_for
from tests.feature.support_requests.conftest import failed_run_id, submit, tenant_id

OWNER, OPERATOR = "owner@contoso.example", "operator@contoso.example"
# Owner: diagnostic snapshot attached; operator: canonical context only.
REQUESTERS = {OWNER: ("Fabrikam", "Northwind", "Adatum"), OPERATOR: ("Fabrikam", "Northwind")}


def _pasted_notes(session: Session) -> str:
    """What an operator pastes from the screen: every failure and connection error text."""
    errors = session.exec(
        select(ProviderConnection.last_error).where(ProviderConnection.last_error.is_not(None))
    ).first()
    return "\n".join([*demo_seed._FAILURES.values(), errors])[:4000]


def _assert_clean(text: str, where: str) -> None:
    for secret in PLANTED_SECRETS:
        assert secret not in text, f"{secret!r} leaked into {where}"
    for part in PLANTED_ACCESS_TOKEN.split("."):
        assert part not in text, f"a JWT part leaked into {where}"
    # Redacted once: a second pass never nests or mangles a placeholder.
    assert re.search(r"\[redacted:[a-z-]*\[|\[redacted:[a-z-]+\]\]", text) is None, where


def _contexts(session: Session, tenants: tuple[str, ...]) -> list[SupportContext]:
    return [
        context
        for name in tenants
        for context in (
            SupportContext("tenant", str(tenant_id(session, name))),
            SupportContext("operation_run", str(failed_run_id(session, name))),
        )
    ]


def test_planted_secrets_reach_no_envelope_ticket_or_audit_row(
    engine: Engine, session: Session
) -> None:
    assert demo_seed.PLANTED_PRIVATE_KEY_BODY in _pasted_notes(session)  # the guard
    form = SupportRequestForm(
        severity="high",
        summary="Backups fail: see the pasted errors",
        reproduction_notes=_pasted_notes(session),
        contact_email=OWNER,
    )
    for email, tenants in REQUESTERS.items():
        actor = actor_for(session, email)
        for context in _contexts(session, tenants):
            submit(engine, actor, context, form)

    session.expire_all()
    requests = session.exec(select(SupportRequest)).all()
    assert len(requests) == 2 * sum(len(t) for t in REQUESTERS.values())
    assert {r.attachment_mode for r in requests} == {
        "diagnostic_snapshot",
        "canonical_context_only",
    }
    for request in requests:
        envelope = canonical_json(request.context_envelope)
        _assert_clean(envelope, f"the envelope of {request.reference}")
        body = outbound_ticket(request).body
        _assert_clean(body, f"the ticket body of {request.reference}")
        assert "[redacted:private-key]" in body  # the pasted notes were there, redacted
        if request.primary_context_type == "operation_run":
            assert "[redacted:" in envelope  # the run's failure text is there, redacted
    audits = session.exec(select(AuditLog)).all()
    assert any(a.action == "support_request.created" for a in audits)
    for audit in audits:
        _assert_clean(canonical_json(audit.metadata_json or {}), f"audit row {audit.id}")


def test_planted_secrets_reach_no_diagnostics_bundle_or_dashboard(session: Session) -> None:
    owner = actor_for(session, OWNER)
    service = SupportDiagnosticsService(session)
    for context in _contexts(session, REQUESTERS[OWNER]):
        bundle = canonical_json(service.bundle_for(owner, context))
        _assert_clean(bundle, f"the diagnostics bundle of {context}")
        assert "[redacted:" in bundle  # the connection error is there, redacted
        tenant = context.resolve(AccessService(session), owner).tenant
        dashboard = read_tenant_dashboard(session, tenant)
        _assert_clean(
            repr(dashboard.connections) + repr(dashboard.runs), f"the dashboard of {tenant}"
        )
