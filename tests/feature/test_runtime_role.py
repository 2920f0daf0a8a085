"""PostgreSQL: the app's runtime role can do the app's work and nothing that undoes the guards.

The demo database is owned by the migration role (the test's admin user); a fresh
LOGIN role gets its privileges from ``python -m support_app grant-runtime-role``
(the real command, in a subprocess). Then, connected as that role: submissions
with every handoff mode, their finalisations, sign-in/out, the language switch and
the stale-handoff sweep all work; changing anything else, deleting, truncating,
altering or dropping is refused by PostgreSQL itself, whatever the app would try.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from support_app.db import create_db_engine
from support_app.models import AuditLog, SupportRequest, UserSession
from support_app.models.clock import utcnow
from support_app.runtime_role import RuntimeRoleError, grant_runtime_role, runtime_grants
from support_app.services.authentication import AuthenticationService, hash_session_token
from support_app.services.demo_seed import DEMO_PASSWORD
from support_app.services.support_desk.handoff import ExternalSupportDeskHandoffService
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.latest_handoff import LatestHandoffSummaryService
from support_app.services.support_requests.manual_redaction import SupportRequestRedactionService
from support_app.services.support_requests.scope import SupportContext
from support_app.services.support_requests.stale_handoffs import finalise_stale_handoffs
from support_app.settings import SupportDeskTarget, get_settings
from tests.conftest import _pg_admin, actor_for
from tests.feature.support_requests.conftest import pending_request, submit, tenant_id

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def runtime_engine(pg_engine: Engine) -> Iterator[Engine]:
    """An engine connected as a fresh role that got the runtime grants via the CLI."""
    role = f"sa_rt_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    owner_url = pg_engine.url.render_as_string(hide_password=False)
    granted = subprocess.run(
        [sys.executable, "-m", "support_app", "grant-runtime-role", role],
        cwd=REPO,
        env={**os.environ, "REFLEX_DB_URL": owner_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert granted.returncode == 0, granted.stderr
    assert f'ON TABLE support_requests TO "{role}"' in granted.stdout
    runtime_url = pg_engine.url.set(username=role, password=None)
    engine = create_db_engine(runtime_url.render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        pg_engine.dispose()
        with admin.connect() as conn:
            # The privileges live in the test database; they must go before the role can.
            database = pg_engine.url.database
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


OWNER = "owner@contoso.example"
OPERATOR = "operator@contoso.example"


def _created(request: httpx.Request) -> httpx.Response:
    return httpx.Response(201, json={"ticket": {"id": 4242}})


def _refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("refused")


def fabrikam_context(session: Session) -> SupportContext:
    return SupportContext("tenant", tenant_id(session, "Fabrikam"))


def _desk(handler) -> ExternalSupportDeskHandoffService:
    target = SupportDeskTarget("https://desk.example", "api@desk.example", "tok")
    return ExternalSupportDeskHandoffService(target, transport=httpx.MockTransport(handler))


def test_the_app_works_as_the_runtime_role(runtime_engine: Engine) -> None:
    with Session(runtime_engine, expire_on_commit=False) as session:
        owner = actor_for(session, OWNER)
        fabrikam = SupportContext("tenant", tenant_id(session, "Fabrikam"))
        create = SupportRequestForm(
            severity="high", summary="Backups fail", handoff_mode="create_external_ticket"
        )
        link = SupportRequestForm(
            severity="low",
            summary="Known issue",
            handoff_mode="link_existing_ticket",
            external_reference="#77",
        )

        internal = submit(runtime_engine, owner, fabrikam)
        created = submit(runtime_engine, owner, fabrikam, create, _desk(_created))
        failed = submit(runtime_engine, owner, fabrikam, create, _desk(_refused))
        linked = submit(runtime_engine, owner, fabrikam, link, _desk(_created))
        assert created.external_reference == "#4242"
        assert failed.failure_kind == "connection_refused"
        assert linked.external_reference == "#77"
        latest = LatestHandoffSummaryService(session).for_context(owner, fabrikam)
        assert latest.reference == linked.reference

        redacted = SupportRequestRedactionService(runtime_engine, b"k").redact(
            owner, internal.reference, "Backups"
        )
        assert redacted.fields == ("summary",)

        stale = pending_request(runtime_engine, session)
        assert finalise_stale_handoffs(runtime_engine, older_than=timedelta(0)) == [stale.reference]

        auth = AuthenticationService(session, get_settings().sessions)
        for _ in range(get_settings().sessions.free_failures + 1):  # back-off engages
            assert auth.sign_in(OPERATOR, "wrong", client_address="10.0.0.9").token is None
        session.commit()
        signed_in = auth.sign_in(OWNER, DEMO_PASSWORD, client_address="10.0.0.8")
        assert signed_in.token is not None and signed_in.actor is not None
        auth.set_locale(signed_in.actor, "de")
        session.commit()
        token_hash = hash_session_token(signed_in.token)
        session.exec(  # as if last used two minutes ago: the next event stamps the session
            update(UserSession)
            .where(UserSession.token_hash == token_hash)
            .values(last_seen_at=utcnow() - timedelta(minutes=2))
        )
        session.commit()
        assert auth.session_for(token_hash) is not None
        session.commit()
        auth.sign_out(token_hash)
        session.commit()

        references = {internal.reference, created.reference, failed.reference, linked.reference}
        stored = session.exec(
            select(SupportRequest.reference).where(SupportRequest.reference.in_(references))
        ).all()
        assert set(stored) == references
        assert session.exec(
            select(AuditLog.action).where(AuditLog.subject_id == stale.reference)
        ).all() == ["support_request.external_handoff_failed"]


FORBIDDEN = [
    "UPDATE support_requests SET external_handoff_mode = 'internal_only'",
    "UPDATE support_requests SET reference = 'SR-X', redaction_count = redaction_count + 1",
    "UPDATE support_request_redactions SET fields = 'summary'",
    "DELETE FROM support_request_redactions",
    "TRUNCATE support_request_redactions",
    "UPDATE audit_logs SET action = 'rewritten'",
    "UPDATE workspaces SET name = 'x'",
    "UPDATE user_sessions SET expires_at = now() + interval '1 year'",
    "DELETE FROM support_requests",
    "DELETE FROM audit_logs",
    "DELETE FROM users",
    "TRUNCATE support_requests",
    "TRUNCATE audit_logs",
    "TRUNCATE user_sessions",
    "ALTER TABLE support_requests DISABLE TRIGGER ALL",
    "ALTER TABLE audit_logs DISABLE TRIGGER audit_logs_append_only",
    "ALTER TABLE support_requests ADD COLUMN note text",
    "DROP TRIGGER support_requests_immutable ON support_requests",
    "DROP TRIGGER audit_logs_insert_guard ON audit_logs",
    "DROP FUNCTION support_requests_guard() CASCADE",
    "CREATE OR REPLACE FUNCTION audit_logs_append_only() RETURNS trigger AS"
    " $$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql",
    "DROP TABLE support_requests",
    "DROP TABLE audit_logs CASCADE",
    "CREATE TABLE support_requests_copy (id int)",
    "UPDATE alembic_version SET version_num = '0001_platform'",
]


def test_the_runtime_role_cannot_undo_the_guards(runtime_engine: Engine) -> None:
    # One database for all statements (each its own transaction): a role and a
    # database per statement would cost seconds each.
    allowed: list[str] = []
    for statement in FORBIDDEN:
        try:
            with runtime_engine.begin() as conn:
                conn.execute(text(statement))
        except DBAPIError as refused:
            assert re.search(r"permission denied|must be owner", str(refused)), statement
        else:
            allowed.append(statement)
    assert allowed == []


# Columns the runtime role may update (a redaction's texts, an erasure's): the
# triggers refuse every change that is not a recorded manual redaction or erasure.
REFUSED_BY_TRIGGERS = [
    "UPDATE support_requests SET summary = 'rewritten'",
    "UPDATE support_requests SET context_envelope = '{}'",
    "UPDATE support_requests SET summary = '[redacted:manual]',"
    " redaction_count = redaction_count + 1",
    "UPDATE support_requests SET contact_email = NULL",
    "UPDATE audit_logs SET metadata_json = '{}'",
    "UPDATE users SET email = 'x@example.com'",
    "UPDATE users SET password_hash = 'x'",
    "UPDATE users SET display_name = 'former user #1', email = 'former-user-1@erased.invalid',"
    " password_hash = '!erased'",
]


def test_the_runtime_role_meets_the_triggers_on_redactable_columns(
    runtime_engine: Engine,
) -> None:
    with Session(runtime_engine) as session:
        submit(runtime_engine, actor_for(session, OWNER), fabrikam_context(session))
    for statement in REFUSED_BY_TRIGGERS:
        refused = "immutable|append-only|erasure pseudonym"
        with pytest.raises(DBAPIError, match=refused), runtime_engine.begin() as conn:
            conn.execute(text(statement))


def test_the_owner_still_meets_the_triggers(pg_engine: Engine) -> None:
    # The split is on top of the triggers, not instead of them.
    with Session(pg_engine) as session:
        pending_request(pg_engine, session)
    with pytest.raises(DBAPIError, match="immutable"), pg_engine.begin() as conn:
        conn.execute(text("UPDATE support_requests SET summary = 'x'"))


def test_role_names_are_checked_and_sqlite_has_no_roles(sqlite_engine: Engine) -> None:
    with pytest.raises(RuntimeRoleError):
        runtime_grants('app"; DROP TABLE users; --', ["users"])
    with pytest.raises(RuntimeRoleError):
        grant_runtime_role(sqlite_engine, "app_runtime")
