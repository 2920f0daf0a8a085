"""Context envelope and diagnostics bundle: determinism, markers, access, redaction."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from support_app.canonical_json import canonical_json
from support_app.models import AuditLog, Review
from support_app.services.access import AccessService, Forbidden, NotFound
from support_app.services.demo_seed import PLANTED_SECRETS
from support_app.services.support_requests.context import SupportRequestContextBuilder
from support_app.services.support_requests.diagnostics import SupportDiagnosticsService
from support_app.services.support_requests.scope import SupportContext, SupportScope
from tests.conftest import actor_for
from tests.feature.support_requests.conftest import failed_run_id, submit, tenant_id


def _scope(session: Session, email: str, context: SupportContext) -> SupportScope:
    return context.resolve(AccessService(session), actor_for(session, email))


@pytest.mark.parametrize("mode", ["diagnostic_snapshot", "canonical_context_only"])
@pytest.mark.parametrize("kind", ["tenant", "operation_run"])
def test_same_input_builds_byte_identical_envelopes(session: Session, mode: str, kind: str) -> None:
    raw = tenant_id(session, "Fabrikam") if kind == "tenant" else failed_run_id(session, "Fabrikam")
    scope = _scope(session, "owner@contoso.example", SupportContext(kind, raw))
    builder = SupportRequestContextBuilder(session)
    first = canonical_json(builder.build(scope, mode))
    session.expire_all()  # re-read everything from the database
    second = canonical_json(SupportRequestContextBuilder(session).build(scope, mode))
    assert first == second
    assert first.startswith('{"attachment":')  # keys are sorted
    assert "captured_at" not in first and "generated_at" not in first


def test_envelope_is_unchanged_by_earlier_support_requests(
    engine: Engine, session: Session
) -> None:
    owner = actor_for(session, "owner@contoso.example")
    context = SupportContext("tenant", tenant_id(session, "Fabrikam"))
    scope = context.resolve(AccessService(session), owner)
    before = canonical_json(
        SupportRequestContextBuilder(session).build(scope, "diagnostic_snapshot")
    )
    submit(engine, owner, context)
    session.expire_all()
    after = canonical_json(
        SupportRequestContextBuilder(session).build(scope, "diagnostic_snapshot")
    )
    assert before == after


def test_missing_marker_for_records_that_do_not_exist(engine: Engine, session: Session) -> None:
    scope = _scope(
        session, "owner@contoso.example", SupportContext("tenant", tenant_id(session, "Adatum"))
    )
    present = SupportRequestContextBuilder(session).build(scope, "canonical_context_only")
    assert present["references"]["latest_review"]["id"] > 0
    # Remove the tenant's reviews: the reference becomes an explicit "missing" marker.
    for review in session.exec(select(Review).where(Review.tenant_id == scope.tenant.tenant_id)):
        session.delete(review)
    session.flush()
    envelope = SupportRequestContextBuilder(session).build(scope, "diagnostic_snapshot")
    assert envelope["references"]["latest_review"] == {"marker": "missing"}
    assert envelope["attachment"]["diagnostic_snapshot"]["latest_review"] == {"marker": "missing"}
    session.rollback()


def test_inaccessible_marker_when_the_role_may_not_view_a_record_kind(session: Session) -> None:
    scope = _scope(
        session,
        "operator@contoso.example",
        SupportContext("tenant", tenant_id(session, "Fabrikam")),
    )
    # A role that may view the tenant but not its operation runs.
    restricted = dataclasses.replace(
        scope.tenant,
        capabilities=frozenset(c for c in scope.tenant.capabilities if c != "operation_runs.view"),
    )
    envelope = SupportRequestContextBuilder(session).build(
        SupportScope(tenant=restricted), "canonical_context_only"
    )
    assert envelope["references"]["latest_failed_operation_run"] == {"marker": "inaccessible"}
    assert envelope["references"]["latest_review"]["id"] > 0  # still visible
    full = SupportRequestContextBuilder(session).build(scope, "canonical_context_only")
    assert full["references"]["latest_failed_operation_run"]["id"] > 0


def test_snapshot_only_in_snapshot_mode(session: Session) -> None:
    scope = _scope(
        session, "owner@contoso.example", SupportContext("tenant", tenant_id(session, "Fabrikam"))
    )
    builder = SupportRequestContextBuilder(session)
    with_snapshot = builder.build(scope, "diagnostic_snapshot")["attachment"]
    without = builder.build(scope, "canonical_context_only")["attachment"]
    assert with_snapshot["diagnostic_snapshot"]["provider_connections"]
    assert without["diagnostic_snapshot"]["marker"] == "omitted"
    with pytest.raises(ValueError):
        builder.build(scope, "everything")


def test_diagnostics_bundle_is_redacted_and_never_carries_raw_payloads(session: Session) -> None:
    owner = actor_for(session, "owner@contoso.example")
    service = SupportDiagnosticsService(session)
    for name in ("Fabrikam", "Northwind", "Adatum"):
        for context in (
            SupportContext("tenant", tenant_id(session, name)),
            SupportContext("operation_run", failed_run_id(session, name)),
        ):
            text = canonical_json(service.bundle_for(owner, context))
            assert "raw_provider_payload" not in text and "Bearer" not in text
            for secret in PLANTED_SECRETS:
                assert secret not in text
            assert "[redacted:" in text
    bundle = service.bundle_for(owner, SupportContext("tenant", tenant_id(session, "Fabrikam")))
    assert {c["status"] for c in bundle["provider_connections"]} >= {"degraded"}
    assert set(bundle["open_findings_by_severity"]) == {"low", "medium", "high", "critical"}
    assert bundle["recent_audit_actions"]
    assert all(
        not a["action"].startswith("support_request.") for a in bundle["recent_audit_actions"]
    )
    assert session.exec(select(AuditLog)).first() is not None


@pytest.mark.parametrize(
    ("email", "tenant", "expected"),
    [
        ("owner@contoso.example", "Fabrikam", None),
        ("operator@contoso.example", "Fabrikam", Forbidden),
        ("readonly@contoso.example", "Fabrikam", Forbidden),
        ("operator@contoso.example", "Adatum", NotFound),
        ("outsider@litware.example", "Fabrikam", NotFound),
        ("owner@contoso.example", "Tailspin", NotFound),
    ],
)
def test_diagnostics_access(session: Session, email: str, tenant: str, expected) -> None:
    actor = actor_for(session, email)
    service = SupportDiagnosticsService(session)
    for context in (
        SupportContext("tenant", tenant_id(session, tenant)),
        SupportContext("operation_run", failed_run_id(session, tenant)),
    ):
        if expected is None:
            assert service.bundle_for(actor, context)["tenant"]["name"] == tenant
        else:
            with pytest.raises(expected):
                service.bundle_for(actor, context)
