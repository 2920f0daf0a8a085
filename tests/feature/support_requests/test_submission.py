"""Submitting support requests against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from support_app.models import AuditLog, SupportRequest
from support_app.services.access import Forbidden, NotFound
from support_app.services.demo_seed import PLANTED_ACCESS_TOKEN, PLANTED_CLIENT_SECRET
from support_app.services.support_desk.handoff import ExternalSupportDeskHandoffService
from support_app.services.support_requests.form import (
    SupportRequestForm,
    SupportRequestValidationError,
)
from support_app.services.support_requests.reference import SupportRequestReference
from support_app.services.support_requests.scope import SupportContext
from support_app.settings import SupportDeskTarget
from tests.conftest import actor_for
from tests.feature.support_requests.conftest import (
    counts,
    denials,
    failed_run_id,
    submit,
    tenant_id,
)

OWNER, OPERATOR, READONLY, OUTSIDER = (
    "owner@contoso.example",
    "operator@contoso.example",
    "readonly@contoso.example",
    "outsider@litware.example",
)
PLANTED = (PLANTED_ACCESS_TOKEN, PLANTED_CLIENT_SECRET, "Winter2026!", "rt-demo-9f8e7d")
FULL_FORM = SupportRequestForm(
    severity="blocking",
    summary="  Restore stuck at 40%  ",
    reproduction_notes="1. Start restore\n2. Wait",
    contact_name="Olivia Operator",
    contact_email="olivia@contoso.example",
)


def _stored(session: Session, reference: str) -> SupportRequest:
    session.expire_all()
    return session.exec(select(SupportRequest).where(SupportRequest.reference == reference)).one()


def test_tenant_request_persists_fields_context_and_audit(engine: Engine, session: Session) -> None:
    actor = actor_for(session, OPERATOR)
    fabrikam = tenant_id(session, "Fabrikam")
    before = counts(session)

    result = submit(engine, actor, SupportContext("tenant", str(fabrikam)), FULL_FORM)

    assert SupportRequestReference.is_valid(result.reference)
    assert (result.context_kind, result.handoff_mode) == ("tenant", "internal_only")
    row = _stored(session, result.reference)
    assert row.tenant_id == fabrikam
    assert row.workspace_id == row.context_envelope["primary_context"]["workspace_id"]
    assert (row.primary_context_type, row.operation_run_id) == ("tenant", None)
    assert (row.severity, row.summary) == ("blocking", "Restore stuck at 40%")
    assert row.reproduction_notes == "1. Start restore\n2. Wait"
    assert (row.contact_name, row.contact_email) == ("Olivia Operator", "olivia@contoso.example")
    assert row.created_by_user_id == actor.user_id
    assert row.attachment_mode == "canonical_context_only"  # operator lacks diagnostics.view
    assert row.context_envelope["primary_context"] == {
        "type": "tenant",
        "tenant_id": fabrikam,
        "workspace_id": row.workspace_id,
    }
    assert row.context_envelope["attachment"]["diagnostic_snapshot"]["marker"] == "omitted"
    assert row.external_handoff_mode == "internal_only"
    assert row.external_ticket_reference is None

    after = counts(session)
    assert after == (before[0] + 1, before[1] + 1, before[2])  # one row, one audit, no run
    audit = session.exec(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert audit.action == "support_request.created"
    assert (audit.workspace_id, audit.tenant_id) == (row.workspace_id, fabrikam)
    assert (audit.actor_user_id, audit.subject_type) == (actor.user_id, "support_request")
    assert audit.subject_id == result.reference
    assert audit.metadata_json == {
        "reference": result.reference,
        "severity": "blocking",
        "context_type": "tenant",
        "operation_run_id": None,
        "attachment_mode": "canonical_context_only",
        "handoff_mode": "internal_only",
    }


def test_run_request_uses_the_run_as_primary_context(engine: Engine, session: Session) -> None:
    owner = actor_for(session, OWNER)
    run_id = failed_run_id(session, "Northwind")

    result = submit(engine, owner, SupportContext("operation_run", run_id))

    row = _stored(session, result.reference)
    assert (row.primary_context_type, row.operation_run_id) == ("operation_run", run_id)
    assert row.tenant_id == tenant_id(session, "Northwind")
    assert row.attachment_mode == "diagnostic_snapshot"  # owner has diagnostics.view
    envelope = row.context_envelope
    assert envelope["primary_context"]["operation_run_id"] == run_id
    assert envelope["references"]["operation_run"]["id"] == run_id
    assert envelope["references"]["operation_run"]["outcome"] == "failed"
    snapshot = envelope["attachment"]["diagnostic_snapshot"]
    assert snapshot["operation_run"]["id"] == run_id
    assert snapshot["tenant"]["name"] == "Northwind"
    assert (
        session.exec(select(AuditLog).order_by(AuditLog.id.desc()))
        .first()
        .metadata_json["operation_run_id"]
        == run_id
    )


@pytest.mark.parametrize(
    ("email", "mode"),
    [(OWNER, "diagnostic_snapshot"), (OPERATOR, "canonical_context_only")],
)
def test_attachment_mode_follows_the_diagnostics_capability(
    engine: Engine, session: Session, email: str, mode: str
) -> None:
    result = submit(
        engine, actor_for(session, email), SupportContext("tenant", tenant_id(session, "Fabrikam"))
    )
    row = _stored(session, result.reference)
    assert row.attachment_mode == result.attachment_mode == mode
    assert row.context_envelope["attachment"]["mode"] == mode
    has_snapshot = "marker" not in row.context_envelope["attachment"]["diagnostic_snapshot"]
    assert has_snapshot == (mode == "diagnostic_snapshot")


# Expected outcome of submitting for every demo user x tenant (and that tenant's runs).
EXPECTED = {
    OWNER: {"Fabrikam": "ok", "Northwind": "ok", "Adatum": "ok", "Tailspin": "404"},
    OPERATOR: {"Fabrikam": "ok", "Northwind": "ok", "Adatum": "404", "Tailspin": "404"},
    READONLY: {"Fabrikam": "403", "Northwind": "404", "Adatum": "404", "Tailspin": "404"},
    OUTSIDER: {"Fabrikam": "404", "Northwind": "404", "Adatum": "404", "Tailspin": "ok"},
}


@pytest.mark.parametrize("email", sorted(EXPECTED))
def test_access_matrix_for_every_demo_user(engine: Engine, session: Session, email: str) -> None:
    actor = actor_for(session, email)
    for tenant_name, expected in EXPECTED[email].items():
        for context in (
            SupportContext("tenant", tenant_id(session, tenant_name)),
            SupportContext("operation_run", failed_run_id(session, tenant_name)),
        ):
            before = counts(session)
            if expected == "ok":
                submit(engine, actor, context)
                assert counts(session)[0] == before[0] + 1
                continue
            error = NotFound if expected == "404" else Forbidden
            denied_before = len(denials(session, actor.user_id))
            with pytest.raises(error):
                # An invalid form too: access is decided before validation.
                submit(engine, actor, context, SupportRequestForm(severity="x", summary=""))
            assert counts(session) == before, (email, tenant_name, context.kind)
            trace = denials(session, actor.user_id)[denied_before:]
            assert [
                (r.metadata_json["outcome"], r.metadata_json["context_kind"]) for r in trace
            ] == [("not_found" if expected == "404" else "forbidden", context.kind)]


@pytest.mark.parametrize(
    "context",
    [
        SupportContext("tenant", "999999"),
        SupportContext("tenant", "1 OR 1=1"),
        SupportContext("tenant", -1),
        SupportContext("operation_run", "999999"),
        SupportContext("workspace", "1"),
        SupportContext("tenant", None),
    ],
)
def test_forged_or_unknown_contexts_are_not_found(
    engine: Engine, session: Session, context: SupportContext
) -> None:
    before = counts(session)
    with pytest.raises(NotFound):
        submit(engine, actor_for(session, OWNER), context)
    assert counts(session) == before


def test_invalid_form_stores_nothing(engine: Engine, session: Session) -> None:
    before = counts(session)
    with pytest.raises(SupportRequestValidationError) as caught:
        submit(
            engine,
            actor_for(session, OPERATOR),
            SupportContext("tenant", tenant_id(session, "Fabrikam")),
            SupportRequestForm(severity="urgent", summary="   ", contact_email="nope"),
        )
    assert set(caught.value.errors) == {"severity", "summary", "contact_email"}
    assert counts(session) == before


def test_identical_submissions_create_two_requests(engine: Engine, session: Session) -> None:
    actor = actor_for(session, OPERATOR)
    context = SupportContext("tenant", tenant_id(session, "Fabrikam"))
    first, second = submit(engine, actor, context), submit(engine, actor, context)
    assert first.reference != second.reference
    a, b = _stored(session, first.reference), _stored(session, second.reference)
    assert a.id != b.id
    assert a.context_envelope == b.context_envelope  # same input, same context


def test_no_outbound_http_and_no_operation_run(
    engine: Engine, session: Session, no_outbound_http: list[str]
) -> None:
    desk = ExternalSupportDeskHandoffService(
        SupportDeskTarget("https://desk.example.com", "agent@desk.example", "tok")
    )
    actor = actor_for(session, OWNER)
    runs_before = counts(session)[2]
    context = SupportContext("operation_run", failed_run_id(session, "Fabrikam"))
    submit(engine, actor, context, handoff=desk)
    linked = submit(
        engine,
        actor,
        context,
        SupportRequestForm(
            severity="low",
            summary="Linked",
            handoff_mode="link_existing_ticket",
            external_reference="#4711",
            external_url="https://desk.example.com/agent/tickets/4711",
        ),
        handoff=desk,
    )
    assert no_outbound_http == []
    assert linked.external_reference == "#4711"
    assert counts(session)[2] == runs_before


def test_planted_secrets_never_reach_stored_json(engine: Engine, session: Session) -> None:
    owner = actor_for(session, OWNER)
    for name in ("Fabrikam", "Northwind", "Adatum"):
        submit(engine, owner, SupportContext("tenant", tenant_id(session, name)))
        submit(engine, owner, SupportContext("operation_run", failed_run_id(session, name)))
    with engine.connect() as conn:
        envelopes = conn.execute(text("SELECT context_envelope FROM support_requests")).all()
        audits = conn.execute(text("SELECT metadata_json FROM audit_logs")).all()
    stored = " ".join(str(row[0]) for row in [*envelopes, *audits])
    assert len(envelopes) == 6
    assert "failure_summary" in stored  # the failure texts are there, redacted
    for secret in PLANTED:
        assert secret not in stored
    assert "[redacted]" in stored
    assert "[redacted]]" not in stored  # redacted once, not mangled by a second pass


def test_a_stored_request_cannot_be_updated_or_deleted(engine: Engine, session: Session) -> None:
    result = submit(
        engine,
        actor_for(session, OPERATOR),
        SupportContext("tenant", tenant_id(session, "Fabrikam")),
    )
    for statement in (
        "UPDATE support_requests SET summary = 'rewritten' WHERE reference = :ref",
        "UPDATE support_requests SET severity = 'low' WHERE reference = :ref",
        "UPDATE support_requests SET external_ticket_reference = '#1' WHERE reference = :ref",
        "DELETE FROM support_requests WHERE reference = :ref",
    ):
        with pytest.raises(DBAPIError, match="immutable"), engine.begin() as conn:
            conn.execute(text(statement), {"ref": result.reference})
    row = _stored(session, result.reference)
    assert (row.summary, row.severity, row.external_ticket_reference) == (
        "Backups fail since Monday",
        "high",
        None,
    )
