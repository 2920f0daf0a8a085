"""Do reads and submissions cost the same with years of history as with demo data?

For each database (the embedded SQLite and the local PostgreSQL, in a uniquely named
database that is dropped afterwards): migrate, seed the demo data, time every case
(median of ``--samples``), then bulk-insert a large history and time the same cases
again. The history: 100k runs, 100k findings (a quarter open) and 100k audit rows in
the Fabrikam tenant, and 1M support requests across the demo tenants, all older than
the demo data (so every "latest" answer stays the same and only the volume changes).

Also prints the raw-replay floor: the statements one submission issues (captured with
a ``before_cursor_execute`` listener) replayed straight through the DB-API
connection, so "submission / replay" is the service's overhead over the database
work itself.

Targets (issue 10): large ≤ 1.5x demo for every case on both databases; submission
≤ 3x its raw replay on PostgreSQL and ≤ 10x on SQLite. Issue 17 adds the support-
request histories (first page of a tenant, of one run, filtered by outcome, of a
workspace) and a request's detail page, with the same target.

Issue 24 adds retention (``--retention``): after the large-history figures, the
Contoso workspace gets a retention period that 300k of its historic requests (at
full scale) are older than, ``apply_retention`` erases them in its batches, and the
run prints the time per thousand requests erased, the longest batch (the longest
any lock is held) and every case again, next to its large-history figure: the
pages' figures must stay unchanged (≤ 1.5x, the issue-10 target) beside a history
of tombstones.

Run: ``.venv/bin/python bench/scale.py`` (both databases; ``--db sqlite`` for one,
``--scale 0.1`` for a quicker, smaller history, ``--profile`` for a cProfile of
submissions at large history). PostgreSQL server: ``SUPPORT_APP_BENCH_PG_URL``
(default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import itertools
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, insert, text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from support_app.db import create_db_engine, refresh_statistics
from support_app.models import (
    AuditLog,
    Finding,
    OperationRun,
    SupportRequest,
    Tenant,
    User,
    Workspace,
)
from support_app.models.clock import utcnow
from support_app.models.platform import FINDING_SEVERITIES, RUN_TYPES
from support_app.services.access import AccessService, Actor
from support_app.services.dashboard import read_run, read_tenant_dashboard
from support_app.services.erasure import retention
from support_app.services.support_requests.diagnostics import (
    SupportDiagnosticsService,
)
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.history import (
    HistoryFilters,
    SupportRequestHistoryService,
)
from support_app.services.support_requests.latest_handoff import (
    LatestHandoffSummaryService,
)
from support_app.services.support_requests.scope import SupportContext
from support_app.services.support_requests.submission import (
    SupportRequestSubmissionService,
)
from tests.conftest import migrate_and_seed, migrated_pg_database

PG_ADMIN_URL = os.environ.get(
    "SUPPORT_APP_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
FORM = SupportRequestForm(
    severity="high",
    summary="Policy backup fails with a throttling error",
    reproduction_notes="Start a policy backup for the tenant and wait for it to finish.",
    contact_name="Bench",
    contact_email="bench@contoso.example",
)
CHUNK = 5_000
HANDOFF_MODES = ("internal_only",) * 7 + ("create_external_ticket",) * 2 + ("link_existing_ticket",)
AUDIT_ACTIONS = (
    "operation_run.completed",
    "finding.opened",
    "auth.signed_in",
    "support_request.created",
    "support_request.external_ticket_created",
)


@dataclass(frozen=True)
class History:
    runs: int = 100_000
    findings: int = 100_000
    audit_rows: int = 100_000
    support_requests: int = 1_000_000


@dataclass(frozen=True)
class Fixture:
    """The demo actors and contexts every case uses."""

    owner: Actor
    operator: Actor
    tenant: SupportContext
    run: SupportContext
    workspace_id: int


# --- the cases ---------------------------------------------------------------------


def _submit(engine: Engine, actor: Actor, context: SupportContext) -> Callable[[], object]:
    service = SupportRequestSubmissionService(engine)
    loop = asyncio.new_event_loop()  # one loop, as in the app (asyncio.run costs ~0.3 ms)
    return lambda: loop.run_until_complete(service.submit(actor, context, FORM))


def _latest(engine: Engine, actor: Actor, context: SupportContext) -> Callable[[], object]:
    def read() -> object:
        with Session(engine) as session:
            return LatestHandoffSummaryService(session).for_context(actor, context)

    return read


def _dashboard(engine: Engine, actor: Actor, context: SupportContext) -> Callable[[], object]:
    def read() -> object:
        with Session(engine) as session:
            tenant = AccessService(session).resolve_tenant(actor, context.raw_id)
            return read_tenant_dashboard(session, tenant)

    return read


def _history(engine: Engine, fx: Fixture, scope: str, **filters: object):
    def read() -> object:
        with Session(engine) as session:
            service = SupportRequestHistoryService(session)
            if scope == "workspace":
                return service.for_workspace(fx.operator, fx.workspace_id, HistoryFilters())
            return service.for_tenant(fx.operator, fx.tenant.raw_id, HistoryFilters(**filters))

    return read


def _detail(engine: Engine, fx: Fixture) -> Callable[[], object]:
    """The newest Fabrikam request (one the submit cases created; the history is older)."""
    newest = (
        select(SupportRequest.reference)
        .where(SupportRequest.tenant_id == int(fx.tenant.raw_id))
        .order_by(SupportRequest.created_at.desc(), SupportRequest.id.desc())
        .limit(1)
    )
    reference: list[str] = []

    def read() -> object:
        with Session(engine) as session:
            if not reference:
                reference.append(session.exec(newest).one())
            return SupportRequestHistoryService(session).detail(fx.owner, reference[0])

    return read


def cases(engine: Engine, fx: Fixture) -> dict[str, Callable[[], object]]:
    return {
        "submit, tenant context, owner (snapshot)": _submit(engine, fx.owner, fx.tenant),
        "submit, run context, operator": _submit(engine, fx.operator, fx.run),
        "latest-handoff summary, tenant": _latest(engine, fx.owner, fx.tenant),
        "latest-handoff summary, run": _latest(engine, fx.operator, fx.run),
        "dashboard read": _dashboard(engine, fx.owner, fx.tenant),
        "history, tenant, first page": _history(engine, fx, "tenant"),
        "history, tenant, one run": _history(engine, fx, "tenant", run_id=fx.run.raw_id),
        "history, tenant, ticket created": _history(engine, fx, "tenant", outcome="created"),
        "history, tenant, failed handoffs": _history(engine, fx, "tenant", outcome="failed"),
        "history, workspace, first page": _history(engine, fx, "workspace"),
        "support request detail": _detail(engine, fx),
    }


def median_ms(call: Callable[[], object], samples: int) -> float:
    call()  # warm-up: connection, statement caches
    timings = []
    for _ in range(samples):
        start = time.perf_counter()
        call()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def paths(engine: Engine, fx: Fixture) -> dict[str, Callable[[], object]]:
    """Every read and write path an operator's click takes, for ``--explain``."""

    def diagnostics() -> object:
        with Session(engine) as session:
            return SupportDiagnosticsService(session).bundle_for(fx.owner, fx.run)

    def run_viewer() -> object:
        with Session(engine) as session:
            return read_run(AccessService(session).resolve_run(fx.operator, fx.run.raw_id))

    return {
        **cases(engine, fx),
        "dialog open (access + latest handoff)": _latest(engine, fx.owner, fx.tenant),
        "support diagnostics, run": diagnostics,
        "run viewer": run_viewer,
    }


def explain(engine: Engine, fx: Fixture) -> None:
    """The query plan of every SELECT on every path (large history)."""
    sqlite = engine.dialect.name == "sqlite"
    raw = engine.raw_connection()
    try:
        for name, call in paths(engine, fx).items():
            print(f"\n## {name}")
            for statement, parameters, _ in _capture(engine, call):
                if not statement.lstrip().upper().startswith("SELECT"):
                    print(f"-- {' '.join(statement.split())[:100]}")
                    continue
                cursor = raw.cursor()
                cursor.execute(
                    ("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement, parameters
                )
                plan = [row[-1] for row in cursor.fetchall()]
                cursor.close()
                print(f"-- {' '.join(statement.split())[:100]}")
                for line in plan:
                    print(f"     {line}")
        raw.rollback()
    finally:
        raw.close()


# --- the raw-replay floor ----------------------------------------------------------


def _capture(engine: Engine, call: Callable[[], object]) -> list[tuple[str, object, bool]]:
    statements: list[tuple[str, object, bool]] = []

    def listener(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append((statement, parameters, executemany))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return statements


def _fresh_references(value: object, old: str, new: str) -> object:
    """The captured parameters with the request's unique reference renewed."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {k: _fresh_references(v, old, new) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_fresh_references(v, old, new) for v in value)
    return value


def replay_ms(engine: Engine, fx: Fixture, samples: int) -> tuple[int, float]:
    """Statements of one tenant-context submission and the median of their raw replay."""
    with Session(engine) as session:
        before = session.exec(select(SupportRequest.reference)).all()
    statements = _capture(engine, _submit(engine, fx.owner, fx.tenant))
    with Session(engine) as session:
        old = next(iter(set(session.exec(select(SupportRequest.reference)).all()) - set(before)))
    raw = engine.raw_connection()
    try:
        timings = []
        for i in range(samples + 1):
            new = f"SR-REPLAY{i:06d}{uuid.uuid4().hex[:14].upper()}"
            start = time.perf_counter()
            cursor = raw.cursor()
            for statement, parameters, many in statements:
                params = _fresh_references(parameters, old, new)
                if many:
                    cursor.executemany(statement, params)
                else:
                    cursor.execute(statement, params)
                if cursor.description is not None:
                    cursor.fetchall()
            raw.commit()
            cursor.close()
            if i:  # the first one is a warm-up
                timings.append((time.perf_counter() - start) * 1000)
    finally:
        raw.close()
    return len(statements), statistics.median(timings)


# --- the large history -------------------------------------------------------------


def _bulk(engine: Engine, model: type, rows: Iterator[dict]) -> None:
    """Insert ``rows`` in one transaction.

    On PostgreSQL the insert guards of 0005 look the new id (and reference) up. Their
    plans are cached for the session; made while the table is small they scan it,
    so without fresh statistics a long bulk load turns quadratic (1M support requests:
    hours). ``ANALYZE`` every few chunks re-plans them onto the unique indexes, as
    autovacuum does for the app.
    """
    table = model.__table__
    with engine.begin() as conn:
        for i in itertools.count():
            chunk = list(itertools.islice(rows, CHUNK))
            if not chunk:
                break
            conn.execute(insert(table), chunk)
            if conn.dialect.name == "postgresql" and i % 5 == 0:
                conn.execute(text(f"ANALYZE {table.name}"))


def build_history(engine: Engine, history: History) -> None:
    """Bulk-insert the history, every row older than the demo data."""
    rng = random.Random(246)
    with Session(engine) as session:
        fabrikam = session.exec(select(Tenant).where(Tenant.name == "Fabrikam")).one()
        tenants = session.exec(select(Tenant.id, Tenant.workspace_id)).all()
        owner_id = session.exec(select(User.id).where(User.email == "owner@contoso.example")).one()
        demo_runs = session.exec(select(OperationRun.id, OperationRun.tenant_id)).all()
    oldest = utcnow() - timedelta(days=30)

    def at(i: int, total: int):
        return oldest - timedelta(seconds=(total - i) * 600)

    def runs() -> Iterator[dict]:
        for i in range(history.runs):
            created = at(i, history.runs)
            outcome = rng.choice(("succeeded", "succeeded", "partially_succeeded", "failed"))
            yield {
                "tenant_id": fabrikam.id,
                "type": rng.choice(RUN_TYPES),
                "status": "completed",
                "outcome": outcome,
                "started_at": created,
                "finished_at": created + timedelta(minutes=4),
                "failure_summary": "Provider throttled the request (429)."
                if outcome == "failed"
                else None,
                "raw_provider_payload": {"response": {"status": 200}},
                "created_at": created,
            }

    def findings() -> Iterator[dict]:
        for i in range(history.findings):
            yield {
                "tenant_id": fabrikam.id,
                "severity": rng.choice(FINDING_SEVERITIES),
                "status": "open" if rng.random() < 0.25 else "resolved",
                "title": f"Historic finding {i}",
                "created_at": at(i, history.findings),
            }

    def audit_rows() -> Iterator[dict]:
        for i in range(history.audit_rows):
            yield {
                "workspace_id": fabrikam.workspace_id,
                "tenant_id": fabrikam.id,
                "actor_user_id": owner_id,
                "action": rng.choice(AUDIT_ACTIONS),
                "subject_type": "operation_run",
                "subject_id": str(i),
                "metadata_json": {"history": i},
                "created_at": at(i, history.audit_rows),
            }

    _bulk(engine, OperationRun, runs())
    _bulk(engine, Finding, findings())
    _bulk(engine, AuditLog, audit_rows())
    with Session(engine) as session:
        history_runs = session.exec(
            select(OperationRun.id).where(OperationRun.tenant_id == fabrikam.id)
        ).all()
    runs_by_tenant: dict[int, list[int]] = {}
    for run_id, tenant_id in demo_runs:
        runs_by_tenant.setdefault(tenant_id, []).append(run_id)
    runs_by_tenant[fabrikam.id] = list(history_runs)

    def support_requests() -> Iterator[dict]:
        for i in range(history.support_requests):
            tenant_id, workspace_id = tenants[i % len(tenants)]
            run_ids = runs_by_tenant.get(tenant_id)
            run_id = rng.choice(run_ids) if run_ids and rng.random() < 0.5 else None
            mode = rng.choice(HANDOFF_MODES)
            yield {
                "workspace_id": workspace_id,
                "tenant_id": tenant_id,
                "reference": f"SR-HISTORY{i:019d}",
                "primary_context_type": "tenant" if run_id is None else "operation_run",
                "operation_run_id": run_id,
                "severity": "normal",
                "summary": f"Historic request {i}",
                "created_by_user_id": owner_id,
                "attachment_mode": "canonical_context_only",
                "context_envelope": {
                    "schema_version": 1,
                    "primary_context": {"type": "tenant", "tenant_id": tenant_id},
                    "attachment": {"mode": "canonical_context_only"},
                    "history": i,
                },
                "created_at": at(i, history.support_requests),
                "external_handoff_mode": mode,
            }

    _bulk(engine, SupportRequest, support_requests())
    finalise_history(engine)


def finalise_history(engine: Engine) -> None:
    """Each historic handoff's one finalisation, as the app writes it (the triggers
    refuse an outcome at INSERT): nine in ten got a ticket, the rest failed."""
    historic = "reference LIKE 'SR-HISTORY%' AND external_handoff_mode <> 'internal_only'"
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Building the history is no app statement: a loaded machine takes longer
            # than the app's statement bound for 300k finalisations in one UPDATE.
            conn.execute(text("SET LOCAL statement_timeout = 0"))
        conn.execute(
            text(
                "UPDATE support_requests SET external_ticket_reference = '#' || CAST(id AS TEXT)"
                f" WHERE {historic} AND id % 10 <> 0"
            )
        )
        conn.execute(
            text(
                "UPDATE support_requests SET external_handoff_failure_summary = :summary,"
                " external_handoff_failure_kind = 'http_5xx',"
                " external_handoff_failure_params = :params"
                f" WHERE {historic} AND id % 10 = 0"
            ),
            {
                "summary": "The external support desk reported a server error (HTTP 503);"
                " try again later.",
                "params": '{"status": 503}',
            },
        )


# --- retention ---------------------------------------------------------------------

# The share of the history older than the retention cutoff: its Contoso requests
# (three of the four demo tenants) are 300k at full scale.
RETENTION_SHARE = 0.4


@dataclass(frozen=True)
class RetentionFigures:
    erased: int
    audit_rows: int
    seconds: float
    batches: int
    longest_batch_ms: float


def retention_run(engine: Engine, history: History) -> RetentionFigures:
    """Erase the oldest ``RETENTION_SHARE`` of the history's Contoso requests."""
    with Session(engine) as session:
        workspace_id = session.exec(
            select(Tenant.workspace_id).where(Tenant.name == "Fabrikam")
        ).one()
        boundary = session.exec(
            select(SupportRequest.created_at).where(
                SupportRequest.reference
                == f"SR-HISTORY{int(history.support_requests * RETENTION_SHARE):019d}"
            )
        ).one()
        session.exec(
            update(Workspace).where(Workspace.id == workspace_id).values(retention_months=1)
        )
        session.commit()
    batches: list[float] = []
    one_batch = retention._one_batch

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return one_batch(*args, **kwargs)
        finally:
            batches.append((time.perf_counter() - start) * 1000)

    retention._one_batch = timed
    try:
        start = time.perf_counter()
        run = retention.apply_retention(engine, now=boundary + timedelta(days=31))
        seconds = time.perf_counter() - start
    finally:
        retention._one_batch = one_batch
    return RetentionFigures(
        run.requests_erased, run.audit_rows_erased, seconds, len(batches), max(batches)
    )


# --- databases ---------------------------------------------------------------------


@contextmanager
def database(kind: str) -> Iterator[str]:
    """A migrated, demo-seeded database of ``kind``; removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'scale.db'}"
            migrate_and_seed(url)
            yield url
        return
    with migrated_pg_database(PG_ADMIN_URL, "sa_bench") as url:
        yield url


def fixture(engine: Engine) -> Fixture:
    with Session(engine) as session:
        actors = {u.email: Actor.of(u) for u in session.exec(select(User)).all()}
        fabrikam, workspace_id = session.exec(
            select(Tenant.id, Tenant.workspace_id).where(Tenant.name == "Fabrikam")
        ).one()
        run_id = session.exec(
            select(OperationRun.id)
            .where(OperationRun.tenant_id == fabrikam, OperationRun.outcome == "failed")
            .order_by(OperationRun.id)
        ).first()
    return Fixture(
        owner=actors["owner@contoso.example"],
        operator=actors["operator@contoso.example"],
        tenant=SupportContext("tenant", str(fabrikam)),
        run=SupportContext("operation_run", str(run_id)),
        workspace_id=workspace_id,
    )


def measure(
    kind: str,
    history: History,
    samples: int,
    profile: bool,
    show_plans: bool,
    with_retention: bool = False,
) -> None:
    with database(kind) as url:
        engine = create_db_engine(url)
        fx = fixture(engine)
        demo = {name: median_ms(call, samples) for name, call in cases(engine, fx).items()}
        demo_replay = replay_ms(engine, fx, samples)
        engine.dispose()

        start = time.perf_counter()
        build_engine = create_db_engine(url)
        build_history(build_engine, history)
        if kind == "postgresql":
            # What autovacuum's auto-analyze does within a minute of a bulk load; on
            # SQLite the app's own PRAGMA optimize runs as the connections close.
            refresh_statistics(build_engine)
        build_engine.dispose()
        built_s = time.perf_counter() - start

        engine = create_db_engine(url)
        large = {name: median_ms(call, samples) for name, call in cases(engine, fx).items()}
        large_replay = replay_ms(engine, fx, samples)
        if show_plans:
            explain(engine, fx)
        if profile:
            _profile(engine, fx)
        after: dict[str, float] = {}
        figures = None
        if with_retention:
            figures = retention_run(engine, history)
            after = {name: median_ms(call, samples) for name, call in cases(engine, fx).items()}
        engine.dispose()

    print(f"\n{kind}: history built in {built_s:.0f} s (median of {samples}, ms)")
    print(
        f"{'case':<44}{'demo':>9}{'large':>9}{'ratio':>8}" + ("   erased  ratio" if after else "")
    )
    for name in demo:
        line = f"{name:<44}{demo[name]:9.2f}{large[name]:9.2f}{large[name] / demo[name]:7.2f}x"
        if after:
            line += f"{after[name]:9.2f}{after[name] / large[name]:6.2f}x"
        print(line)
    if figures is not None:
        per_thousand = figures.seconds / max(figures.erased, 1) * 1000
        print(
            f"retention: {figures.erased} requests and {figures.audit_rows} audit rows erased"
            f" in {figures.seconds:.1f} s ({per_thousand:.2f} s per 1000 requests),"
            f" {figures.batches} batches, longest {figures.longest_batch_ms:.0f} ms"
        )
    for label, (count, floor) in (("demo", demo_replay), ("large", large_replay)):
        submit = (demo if label == "demo" else large)["submit, tenant context, owner (snapshot)"]
        print(
            f"raw replay of one submission ({label}): {count} statements {floor:.2f} ms;"
            f" submission / replay = {submit / floor:.1f}x"
        )


def _profile(engine: Engine, fx: Fixture) -> None:
    """cProfile of the submission's database transaction, on this thread (the service
    runs it in a worker thread, which cProfile would not see)."""
    service = SupportRequestSubmissionService(engine)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(50):
        service._create(fx.owner, fx.tenant, FORM)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(r"support_app|orm/session|json", 30)
    stats.sort_stats("tottime").print_stats(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="history size factor (0.1: a quick try)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile 50 submissions")
    parser.add_argument("--explain", action="store_true", help="query plans of every path")
    parser.add_argument(
        "--retention", action="store_true", help="then a retention run over 300k requests"
    )
    args = parser.parse_args()
    full = History()
    history = History(
        *(int(n * args.scale) for n in (full.runs, full.findings, full.audit_rows)),
        support_requests=int(full.support_requests * args.scale),
    )
    for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        measure(kind, history, args.samples, args.profile, args.explain, args.retention)


if __name__ == "__main__":
    main()
