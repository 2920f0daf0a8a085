"""The history lists and the detail view: access matrix, filters, keyset pages.

Every demo user against every tenant: membership and entitlement decide what
exists (``NotFound``), every role that may view the tenant reads its requests,
readonly included; a workspace's list never shows a tenant the reader is not
entitled to. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from support_app.models import AuditLog, SupportRequest, Workspace
from support_app.services.access import NotFound
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.history import (
    SNAPSHOT_WITHHELD,
    HistoryFilters,
    SupportRequestHistoryService,
)
from support_app.services.support_requests.reference import SupportRequestReference
from support_app.services.support_requests.scope import SupportContext
from tests.conftest import actor_for
from tests.feature.services.test_access import ENTITLED, TENANTS
from tests.feature.support_requests.conftest import denials, failed_run_id, submit, tenant_id

OWNER = "owner@contoso.example"
OPERATOR = "operator@contoso.example"
READONLY = "readonly@contoso.example"
OUTSIDER = "outsider@litware.example"


def _one_request_per_tenant(engine: Engine, session: Session) -> dict[str, str]:
    """A request raised by each tenant's owner (with the diagnostic snapshot)."""
    references = {}
    for name in TENANTS:
        owner = OUTSIDER if name == "Tailspin" else OWNER
        context = SupportContext("tenant", tenant_id(session, name))
        references[name] = submit(engine, actor_for(session, owner), context).reference
    return references


@pytest.mark.parametrize("email", sorted(ENTITLED))
def test_tenant_history_and_detail_follow_the_access_matrix(
    engine: Engine, session: Session, email: str
) -> None:
    references = _one_request_per_tenant(engine, session)
    actor = actor_for(session, email)
    service = SupportRequestHistoryService(session)
    for name in TENANTS:
        tid = tenant_id(session, name)
        role = ENTITLED[email].get(name)
        if role is None:
            with pytest.raises(NotFound):
                service.for_tenant(actor, tid)
            with pytest.raises(NotFound):
                service.detail(actor, references[name])
            continue
        history = service.for_tenant(actor, str(tid))
        assert [r.reference for r in history.page.rows] == [references[name]]
        detail = service.detail(actor, references[name])
        assert detail.row.reference == references[name]
        assert detail.snapshot_attached
        assert detail.snapshot_visible == (role in {"owner", "manager"})
        snapshot = detail.context_envelope["attachment"]["diagnostic_snapshot"]
        if detail.snapshot_visible:
            assert snapshot != SNAPSHOT_WITHHELD and "tenant" in snapshot
        else:
            assert snapshot == SNAPSHOT_WITHHELD
        assert detail.can_redact == (role == "owner")
        assert [e.action for e in detail.audit_trail] == ["support_request.created"]


@pytest.mark.parametrize(
    ("email", "visible"),
    [
        (OWNER, {"Fabrikam", "Northwind", "Adatum"}),
        (OPERATOR, {"Fabrikam", "Northwind"}),
        (READONLY, {"Fabrikam"}),
    ],
)
def test_workspace_history_lists_only_entitled_tenants(
    engine: Engine, session: Session, email: str, visible: set[str]
) -> None:
    references = _one_request_per_tenant(engine, session)
    contoso = session.exec(select(Workspace.id).where(Workspace.name == "Contoso MSP")).one()
    history = SupportRequestHistoryService(session).for_workspace(
        actor_for(session, email), contoso
    )
    assert {t.tenant_name for t in history.tenants} == visible
    assert {r.reference for r in history.page.rows} == {references[n] for n in visible}
    assert {r.tenant_name for r in history.page.rows} == visible


def test_another_workspace_is_not_found_and_the_denial_recorded(
    engine: Engine, session: Session
) -> None:
    references = _one_request_per_tenant(engine, session)
    outsider = actor_for(session, OUTSIDER)
    contoso = session.exec(select(Workspace.id).where(Workspace.name == "Contoso MSP")).one()
    service = SupportRequestHistoryService(session)
    for attempt in (
        lambda: service.for_workspace(outsider, contoso),
        lambda: service.for_workspace(outsider, "999999"),
        lambda: service.for_workspace(outsider, "1 OR 1=1"),
        lambda: service.detail(outsider, references["Fabrikam"]),
        lambda: service.detail(outsider, references["Fabrikam"].lower()),
        lambda: service.detail(outsider, SupportRequestReference.generate()),
        lambda: service.detail(outsider, {"reference": references["Fabrikam"]}),
    ):
        with pytest.raises(NotFound):
            attempt()
    kinds = [d.metadata_json["context_kind"] for d in denials(session, outsider.user_id)]
    assert kinds == ["workspace"] * 3 + ["support_request"] * 4


def _copies(engine: Engine, source_reference: str, count: int, **changes: object) -> list[str]:
    """``count`` copies of a stored request, all with its exact ``created_at`` (ties)."""
    with Session(engine) as s:
        source = s.exec(
            select(SupportRequest).where(SupportRequest.reference == source_reference)
        ).one()
        data = source.model_dump(exclude={"id", "reference"})
        copies = [
            SupportRequest(**{**data, **changes}, reference=SupportRequestReference.generate())
            for _ in range(count)
        ]
        s.add_all(copies)
        s.commit()
        return [c.reference for c in copies]


def test_pages_meet_exactly_at_a_page_boundary_with_equal_timestamps(
    engine: Engine, session: Session
) -> None:
    owner = actor_for(session, OWNER)
    fabrikam = tenant_id(session, "Fabrikam")
    first = submit(engine, owner, SupportContext("tenant", fabrikam)).reference
    _copies(engine, first, 5)  # six requests, one timestamp: only the id orders them
    service = SupportRequestHistoryService(session)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = service.for_tenant(owner, fabrikam, cursor=cursor, limit=3).page
        pages += 1
        seen += [r.reference for r in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert pages == 2  # 6 rows, 3 a page: the second page knows it is the last
    assert len(seen) == len(set(seen)) == 6
    ids = {
        r.reference: r.id
        for r in session.exec(select(SupportRequest).where(SupportRequest.tenant_id == fabrikam))
    }
    assert [ids[r] for r in seen] == sorted(ids.values(), reverse=True)


def test_a_forged_cursor_shows_the_first_page_of_the_same_scope(
    engine: Engine, session: Session
) -> None:
    references = _one_request_per_tenant(engine, session)
    operator = actor_for(session, OPERATOR)
    service = SupportRequestHistoryService(session)
    for cursor in ("", "junk", "2999-01-01T00:00:00~x", ["a"], "2999-01-01T00:00:00~999999"):
        rows = service.for_tenant(operator, tenant_id(session, "Fabrikam"), cursor=cursor)
        assert [r.reference for r in rows.page.rows] == [references["Fabrikam"]]


def test_filters_narrow_the_list(engine: Engine, session: Session) -> None:
    owner, operator = actor_for(session, OWNER), actor_for(session, OPERATOR)
    fabrikam = tenant_id(session, "Fabrikam")
    run = failed_run_id(session, "Fabrikam")
    internal = submit(engine, owner, SupportContext("tenant", fabrikam)).reference
    linked = submit(
        engine,
        operator,
        SupportContext("operation_run", run),
        SupportRequestForm(
            severity="blocking",
            summary="Restore stuck",
            handoff_mode="link_existing_ticket",
            external_reference="#4711",
        ),
    ).reference
    service = SupportRequestHistoryService(session)

    def refs(**filters: object) -> list[str]:
        page = service.for_tenant(owner, fabrikam, HistoryFilters(**filters)).page
        return [r.reference for r in page.rows]

    assert refs() == [linked, internal]
    assert refs(outcome="linked") == [linked]
    assert refs(outcome="internal_only") == [internal]
    assert refs(outcome="failed") == []
    assert refs(severity="blocking") == [linked]
    assert refs(context="tenant") == [internal]
    assert refs(run_id=str(run)) == [linked]
    assert refs(created_by_me=True) == [internal]
    assert refs(outcome="' OR 1=1 --", severity=7, context="x") == [linked, internal]
    row = service.for_tenant(owner, fabrikam, HistoryFilters(outcome="linked")).page.rows[0]
    assert (row.created_by, row.external_reference, row.operation_run_id) == (
        "Oscar Operator",
        "#4711",
        run,
    )
    # A run of another tenant is not found, like a run the reader cannot see.
    with pytest.raises(NotFound):
        service.for_tenant(owner, fabrikam, HistoryFilters(run_id=failed_run_id(session, "Adatum")))
    with pytest.raises(NotFound):
        service.for_tenant(
            operator, fabrikam, HistoryFilters(run_id=failed_run_id(session, "Adatum"))
        )


def test_detail_shows_the_handoff_trail(engine: Engine, session: Session) -> None:
    operator = actor_for(session, OPERATOR)
    linked = submit(
        engine,
        operator,
        SupportContext("tenant", tenant_id(session, "Northwind")),
        SupportRequestForm(
            severity="high",
            summary="Sync fails",
            handoff_mode="link_existing_ticket",
            external_reference="#12",
        ),
    ).reference
    detail = SupportRequestHistoryService(session).detail(operator, linked)
    assert [e.action for e in detail.audit_trail] == [
        "support_request.created",
        "support_request.external_ticket_linked",
    ]
    assert detail.row.outcome == "linked" and not detail.snapshot_attached
    assert not detail.can_redact
    trail = session.exec(select(AuditLog).where(AuditLog.subject_id == linked)).all()
    assert {r.tenant_id for r in trail} == {tenant_id(session, "Northwind")}
