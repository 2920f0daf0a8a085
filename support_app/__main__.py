"""Command line: ``python -m support_app <command>`` (see ``--help``)."""

from __future__ import annotations

import argparse
import os
import time
from datetime import timedelta

from support_app import migrations, routes
from support_app.db import session_scope
from support_app.services.support_desk import emulator as desk_emulator
from support_app.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m support_app")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "migrate", help="create the database if missing, apply Alembic migrations up to head"
    )
    commands.add_parser("seed-demo", help="create the demo workspaces, users and history")
    stale = commands.add_parser(
        "finalise-stale-handoffs",
        help="record create handoffs left pending by a stopped app as failed (app_stopped)",
    )
    stale.add_argument(
        "--older-than",
        type=float,
        default=None,
        metavar="SECONDS",
        help="pending for longer than this (default: the desk deadline plus a margin)",
    )
    commands.add_parser(
        "apply-retention",
        help="erase requests and audit details older than each workspace's retention period",
    )
    retention = commands.add_parser(
        "set-retention", help="set a workspace's retention period (months) or turn it off"
    )
    retention.add_argument("workspace_id", type=int)
    retention.add_argument("months", help="a number of months (1-1200), or 'off'")
    erase = commands.add_parser(
        "erase-tenant",
        help="offboard a customer: erase every support request of the tenant (tombstones stay)",
    )
    erase.add_argument("tenant_id", type=int)
    erase.add_argument(
        "--confirm", required=True, metavar="TENANT_NAME", help="the tenant's name, as a check"
    )
    grant = commands.add_parser(
        "grant-runtime-role",
        help="PostgreSQL: reset ROLE's privileges to what the running app needs (run as owner)",
    )
    grant.add_argument("role")
    ready = commands.add_parser(
        "wait-ready", help="wait until the app's /readyz answers 200 (used by make run)"
    )
    ready.add_argument("url", help="the app's base URL, e.g. http://127.0.0.1:3000")
    ready.add_argument("--timeout", type=float, default=900, metavar="SECONDS")
    serve = commands.add_parser(
        "serve-built",
        help="serve the production build in REFLEX_WEB_WORKDIR (default .web) without "
        "building it again: backend and frontend on one port (one instance of a cluster)",
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=3000)
    emulator = commands.add_parser("desk-emulator", help="run the local support-desk emulator")
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=8765)
    # Defaults come from the environment, so the emulator accepts exactly the
    # credentials the app is configured with (SUPPORT_DESK_EMAIL / _API_TOKEN).
    emulator.add_argument(
        "--fault",
        choices=desk_emulator.FAULT_MODES,
        default=os.environ.get("SUPPORT_DESK_EMULATOR_FAULT") or "none",
        help="misbehave on ticket creation (env SUPPORT_DESK_EMULATOR_FAULT)",
    )
    emulator.add_argument(
        "--email", default=os.environ.get("SUPPORT_DESK_EMAIL") or desk_emulator.DEFAULT_EMAIL
    )
    emulator.add_argument(
        "--token",
        default=os.environ.get("SUPPORT_DESK_API_TOKEN") or desk_emulator.DEFAULT_TOKEN,
    )
    emulator.add_argument(
        "--control-token",
        default=os.environ.get("SUPPORT_DESK_EMULATOR_CONTROL_TOKEN") or None,
        help="token for /__emulator/* (env SUPPORT_DESK_EMULATOR_CONTROL_TOKEN; "
        "default: generated and printed)",
    )
    args = parser.parse_args(argv)

    if args.command == "migrate":
        migrations.create_database_if_missing(get_settings().db_url)
        migrations.upgrade()
        print("Database migrated to head.")
    elif args.command == "seed-demo":
        from support_app.services.demo_seed import DEMO_PASSWORD, DEMO_USERS, seed_demo

        with session_scope() as session:
            created = seed_demo(session)
        print("Demo data created." if created else "Demo data already present.")
        print(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for email in DEMO_USERS:
            print(f"  {email}")
    elif args.command == "finalise-stale-handoffs":
        from support_app.db import get_engine
        from support_app.services.support_requests.stale_handoffs import (
            STALE_AFTER,
            finalise_stale_handoffs,
        )

        older_than = STALE_AFTER if args.older_than is None else timedelta(seconds=args.older_than)
        finalised = finalise_stale_handoffs(get_engine(), older_than=older_than)
        print(f"Finalised {len(finalised)} stale handoff(s) as app_stopped.")
        for reference in finalised:
            print(f"  {reference}")
    elif args.command == "apply-retention":
        from support_app.db import get_engine
        from support_app.services.erasure.retention import apply_retention

        run = apply_retention(get_engine())
        if run.skipped:
            print("Another process is applying retention; nothing done.")
        for done in run.workspaces:
            print(
                f"Workspace {done.workspace_id}: erased {done.requests_erased} request(s) and"
                f" the details of {done.audit_rows_erased} audit row(s) created before"
                f" {done.cutoff:%Y-%m-%d} in {done.batches} batch(es)."
            )
    elif args.command == "set-retention":
        from support_app.db import get_engine
        from support_app.services.erasure.retention import (
            RetentionPeriodRefused,
            set_retention_period,
        )

        try:
            months = set_retention_period(get_engine(), args.workspace_id, args.months)
        except RetentionPeriodRefused as refused:
            print(f"Not changed: {refused}")
            return 2
        print(
            f"Retention of workspace {args.workspace_id}: {months or 'off'}"
            + (" months." if months else ".")
        )
    elif args.command == "erase-tenant":
        return _erase_tenant(args.tenant_id, args.confirm)
    elif args.command == "grant-runtime-role":
        from support_app.db import get_engine
        from support_app.runtime_role import grant_runtime_role

        for statement in grant_runtime_role(get_engine(), args.role):
            print(statement)
    elif args.command == "wait-ready":
        return 0 if _wait_ready(args.url.rstrip("/") + routes.READYZ, args.timeout) else 1
    elif args.command == "serve-built":
        from support_app.reflex_patches.serve_built import serve_built

        serve_built(args.host, args.port)
    elif args.command == "desk-emulator":
        desk_emulator.serve(
            args.host,
            args.port,
            fault=args.fault,
            email=args.email,
            token=args.token,
            control_token=args.control_token,
        )
    return 0


def _erase_tenant(tenant_id: int, confirmation: str) -> int:
    """Offboard a tenant; list the desk tickets that must be erased at the desk too."""
    from support_app.db import get_engine
    from support_app.services.access import NotFound
    from support_app.services.erasure.offboarding import (
        ConfirmationMismatch,
        TenantOffboardingService,
    )

    try:
        result = TenantOffboardingService(get_engine()).offboard_by_command(tenant_id, confirmation)
    except NotFound:
        print(f"No tenant {tenant_id}; nothing erased.")
        return 2
    except ConfirmationMismatch:
        print("--confirm is not the tenant's name; nothing erased.")
        return 2
    print(
        f"Erased {result.requests_erased} request(s) of {result.tenant_name} and the details"
        f" of {result.audit_rows_erased} audit row(s); references still resolve as tombstones."
    )
    if result.desk_tickets:
        print("Erase these tickets at the support desk too (this app never deletes there):")
        for ticket in result.desk_tickets:
            print(f"  {ticket.reference}  {ticket.ticket_reference}  {ticket.ticket_url or ''}")
    return 0


def _wait_ready(url: str, timeout: float) -> bool:
    """Poll ``url`` once a second until it answers 200; False after ``timeout`` seconds."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2, trust_env=False).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(1)
    print(f"{url} did not answer 200 within {timeout:.0f} s")
    return False


if __name__ == "__main__":
    raise SystemExit(main())
