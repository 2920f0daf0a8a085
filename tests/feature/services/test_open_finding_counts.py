"""Open-finding counts kept by database triggers equal a real count (SQLite and PostgreSQL).

The dashboard, diagnostics and support context read ``tenant_open_finding_counts``
instead of counting findings; these tests change findings every way a caller can
(insert open or resolved, resolve, reopen, move severity or tenant, delete) and
compare with ``COUNT(*)`` after each step.
"""

from __future__ import annotations

from sqlalchemy import delete, func, update
from sqlmodel import Session, select

from support_app.models import Finding, Tenant
from support_app.models.platform import FINDING_SEVERITIES
from support_app.services.dashboard import open_finding_counts


def _counted(session: Session, tenant_id: int) -> dict[str, int]:
    rows = dict(
        session.exec(
            select(Finding.severity, func.count())
            .where(Finding.tenant_id == tenant_id, Finding.status == "open")
            .group_by(Finding.severity)
        ).all()
    )
    return {s: rows.get(s, 0) for s in FINDING_SEVERITIES}


def _assert_consistent(session: Session, *tenant_ids: int) -> None:
    session.commit()
    for tid in tenant_ids:
        assert open_finding_counts(session, tid) == _counted(session, tid)


def test_counts_follow_every_kind_of_finding_change(session: Session) -> None:
    tenants = session.exec(select(Tenant.id).order_by(Tenant.id)).all()
    first, second = tenants[0], tenants[1]
    _assert_consistent(session, first, second)  # the seeded findings, backfilled/triggered
    before = open_finding_counts(session, first)

    new = [
        Finding(tenant_id=first, severity="critical", status="open", title="a"),
        Finding(tenant_id=first, severity="critical", status="open", title="b"),
        Finding(tenant_id=first, severity="low", status="resolved", title="c"),
    ]
    session.add_all(new)
    _assert_consistent(session, first, second)
    assert open_finding_counts(session, first)["critical"] == before["critical"] + 2

    a, b, c = (f.id for f in new)
    steps = (
        update(Finding).where(Finding.id == a).values(status="resolved"),
        update(Finding).where(Finding.id == c).values(status="open"),
        update(Finding).where(Finding.id == b).values(severity="medium"),
        update(Finding).where(Finding.id == b).values(tenant_id=second),
        update(Finding).where(Finding.id == c).values(title="renamed"),
        delete(Finding).where(Finding.id == b),
        delete(Finding).where(Finding.id == a),
    )
    for step in steps:
        session.exec(step)
        _assert_consistent(session, first, second)
    assert open_finding_counts(session, first)["low"] == before["low"] + 1
