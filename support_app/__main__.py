"""Command line: ``python -m support_app migrate|seed-demo|desk-emulator``."""

from __future__ import annotations

import argparse

from support_app import migrations
from support_app.db import session_scope


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m support_app")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply Alembic migrations up to head")
    commands.add_parser("seed-demo", help="create the demo workspaces, users and history")
    emulator = commands.add_parser("desk-emulator", help="run the local support-desk emulator")
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)

    if args.command == "migrate":
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
    elif args.command == "desk-emulator":
        from support_app.services.support_desk.emulator import serve

        serve(args.host, args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
