"""Workspace audit logger on a real database (sign-in auditing: test_authentication)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from support_app.models import AuditLog, User, Workspace
from support_app.services.audit import METADATA_STRING_MAX, AuditActionId, WorkspaceAuditLogger
from support_app.services.demo_seed import PLANTED_ACCESS_TOKEN
from support_app.services.redaction import REDACTED

OWNER = "owner@contoso.example"


def _user(session: Session, email: str) -> User:
    return session.exec(select(User).where(User.email == email)).one()


def _workspace_id(session: Session, name: str) -> int:
    return session.exec(select(Workspace.id).where(Workspace.name == name)).one()


def _audit_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(AuditLog)).one()


# --- the logger ------------------------------------------------------------------------


def test_logger_stores_redacted_bounded_metadata(engine: Engine, session: Session) -> None:
    owner = _user(session, OWNER)
    workspace_id = _workspace_id(session, "Contoso MSP")
    recorded = WorkspaceAuditLogger(session).record(
        AuditActionId.SUPPORT_REQUEST_CREATED,
        workspace_id=workspace_id,
        actor_user_id=owner.id,
        subject_type="support_request",
        subject_id=42,
        metadata={
            "password": "hunter2",
            "client_secret": {"value": "cs-1"},
            "note": "retry failed: client_secret=cs-2; see Bearer abc.def",
            "jwt": PLANTED_ACCESS_TOKEN,
            "contact": OWNER,
            "third_party": "mallory@evil.example",
            "long": "x" * 5000,
            "nested": {"refresh_token": "rt-1", "text": "y" * 1000, "count": 7},
            "items": list(range(200)),
            "flag": True,
            "missing": None,
        },
        allowed_emails=[OWNER],
    )
    session.commit()

    with Session(engine) as fresh:  # read back what the database really holds
        row = fresh.get(AuditLog, recorded.id)
    meta = row.metadata_json
    assert row.action == "support_request.created"
    assert (row.workspace_id, row.actor_user_id, row.tenant_id) == (workspace_id, owner.id, None)
    assert (row.subject_type, row.subject_id) == ("support_request", "42")
    assert row.created_at.tzinfo is not None
    assert meta["password"] == meta["client_secret"] == REDACTED
    assert meta["nested"]["refresh_token"] == REDACTED
    assert meta["note"] == f"retry failed: client_secret={REDACTED}; see Bearer {REDACTED}"
    assert meta["jwt"] == REDACTED
    assert meta["contact"] == OWNER
    assert meta["third_party"] == REDACTED
    assert meta["long"] == "x" * METADATA_STRING_MAX
    assert meta["nested"]["text"] == "y" * METADATA_STRING_MAX
    assert meta["nested"]["count"] == 7
    assert meta["items"] == list(range(50))
    assert meta["flag"] is True and meta["missing"] is None
    stored = str(meta)
    for secret in ("hunter2", "cs-1", "cs-2", "abc.def", "rt-1", PLANTED_ACCESS_TOKEN, "mallory"):
        assert secret not in stored


def test_a_secret_beyond_the_length_bound_is_redacted_not_cut(session: Session) -> None:
    row = WorkspaceAuditLogger(session).record(
        AuditActionId.REPORT_GENERATED,
        workspace_id=None,
        actor_user_id=None,
        metadata={"text": "a" * (METADATA_STRING_MAX - 20) + " access_token=tok-" + "9" * 50},
    )
    assert "tok-" not in row.metadata_json["text"]
    assert len(row.metadata_json["text"]) <= METADATA_STRING_MAX


def test_logger_never_commits_by_itself(engine: Engine, session: Session) -> None:
    before = _audit_count(session)
    WorkspaceAuditLogger(session).record(
        AuditActionId.FINDING_OPENED,
        workspace_id=_workspace_id(session, "Contoso MSP"),
        actor_user_id=None,
        metadata={"title": "uncommitted"},
    )
    with Session(engine) as other:
        assert _audit_count(other) == before
    session.rollback()
    assert _audit_count(session) == before
    with Session(engine) as other:
        assert _audit_count(other) == before


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_logs SET action = 'auth.signed_out' WHERE id = :id",
        "UPDATE audit_logs SET metadata_json = '{}' WHERE id = :id",
        "DELETE FROM audit_logs WHERE id = :id",
    ],
)
def test_audit_rows_are_append_only_in_the_database(engine: Engine, statement: str) -> None:
    with engine.connect() as conn:
        row_id, action = conn.execute(text("SELECT id, action FROM audit_logs LIMIT 1")).one()
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement), {"id": row_id})
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT action FROM audit_logs WHERE id = :id"), {"id": row_id}
            ).scalar_one()
            == action
        )
