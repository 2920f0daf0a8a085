"""Nobody else can lock an account, and refused sign-ins cannot grow the audit log.

Runs against an app of its own that trusts one proxy hop, so each attempt can come
from the client address its ``X-Forwarded-For`` names (the review's attacker and
owner sat at different addresses).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from support_app.db import create_db_engine
from support_app.models import AuditLog
from support_app.services.demo_seed import DEMO_PASSWORD
from support_app.services.sign_in_audit import AUDITED_PER_WINDOW
from tests.running_app import running_app
from tests.security.conftest import OWNER, prepare_database, run

ATTACKER = "203.0.113.66"
OWNER_ADDRESS = "198.51.100.23"


@pytest.fixture(scope="module")
def proxied_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Engine]]:
    directory = tmp_path_factory.mktemp("lockout")
    db_url = prepare_database(directory)
    engine = create_db_engine(db_url)
    env = {"REFLEX_TRUSTED_PROXY_HOPS": "1"}
    with running_app(directory, db_url, backend_only=True, env=env) as url:
        yield url, engine
    engine.dispose()


async def _post(http: httpx.AsyncClient, app: str, email: str, password: str, address: str):
    response = await http.post(
        f"{app}/auth/sign-in",
        data={"email": email, "password": password},
        headers={"Origin": app, "X-Forwarded-For": address},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return response.headers["location"]


def _audit_rows(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(AuditLog)).one()


def test_an_attackers_failures_leave_the_owners_sign_in_from_elsewhere_working(
    proxied_app: tuple[str, Engine],
) -> None:
    app, _ = proxied_app

    async def scenario() -> tuple[list[str], str, str]:
        async with httpx.AsyncClient(trust_env=False, timeout=60) as http:
            attacker = [await _post(http, app, OWNER, f"guess-{n}", ATTACKER) for n in range(12)]
            owner = await _post(http, app, OWNER, DEMO_PASSWORD, OWNER_ADDRESS)
            attacker_with_the_password = await _post(http, app, OWNER, DEMO_PASSWORD, ATTACKER)
        return attacker, owner, attacker_with_the_password

    attacker, owner, attacker_right = run(scenario)
    assert "error=throttled" in attacker[-1]  # the attacker is slowed down...
    assert owner == "/"  # ...the owner, elsewhere, is not
    assert "error=throttled" in attacker_right  # and the attacker learns nothing


def test_four_hundred_refused_posts_add_a_bounded_number_of_audit_rows(
    proxied_app: tuple[str, Engine],
) -> None:
    app, engine = proxied_app
    before = _audit_rows(engine)
    flood_address = "192.0.2.200"

    async def flood() -> list[str]:
        limit = asyncio.Semaphore(8)
        async with httpx.AsyncClient(trust_env=False, timeout=120) as http:

            async def one(n: int) -> str:
                async with limit:
                    return await _post(http, app, f"x{n}@example.test", "nope", flood_address)

            return await asyncio.gather(*(one(n) for n in range(400)))

    answers = run(flood)
    assert all("error=" in a for a in answers)
    added = _audit_rows(engine) - before
    # The window's first refusals one by one; the rest are counted for its summary.
    assert added == AUDITED_PER_WINDOW, added
