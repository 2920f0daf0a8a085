"""A flood of wrong passwords: back-off engages, the audit log grows by a bounded
number of rows, and another signed-in user's events keep their pace.

Runs against an app of its own: the flood locks the client address (127.0.0.1 for
every test) for a while, which would refuse every other test's sign-in.

The figures (idle and during-flood round trips of another user's event) are written
to ``test-artifacts/sign_in_flood.txt``; ``bench/results/sign_in_flood.txt`` keeps a
recorded run.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.engine import Engine

from support_app.db import create_db_engine
from support_app.services.demo_seed import DEMO_PASSWORD
from support_app.services.sign_in_audit import AUDITED_PER_WINDOW
from support_app.ui.states.pages import HomeState
from support_app.web.auth_routes import SIGN_IN_WORKERS
from tests.event_client import EventClient, sign_in_over_http
from tests.running_app import REPO, running_app
from tests.security.conftest import OPERATOR, READONLY, World, _world, prepare_database, run

ATTEMPTS = 30
PARALLEL = 12  # guesses in flight at once, as in the review's reproduction
IDLE_SAMPLES = 40
FIGURES = REPO / "test-artifacts" / "sign_in_flood.txt"
HOME_LOAD = f"{HomeState.get_full_name()}.load"


@pytest.fixture(scope="module")
def flood_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World]]:
    directory = tmp_path_factory.mktemp("flood")
    db_url = prepare_database(directory)
    engine: Engine = create_db_engine(db_url)
    with running_app(directory, db_url, backend_only=True) as url:
        yield url, _world(engine)
    engine.dispose()


async def _round_trip(tab: EventClient) -> float:
    """One page-data event of the other user (a database read), until its answer."""
    start = time.perf_counter()
    await tab.call(HOME_LOAD, path="/", settle=1)
    return time.perf_counter() - start


async def _flood(app: str) -> list[httpx.Response]:
    limit = asyncio.Semaphore(PARALLEL)
    async with httpx.AsyncClient(trust_env=False, timeout=120) as http:

        async def guess(n: int) -> httpx.Response:
            async with limit:
                return await sign_in_over_http(app, READONLY, f"wrong-password-{n}", client=http)

        return await asyncio.gather(*(guess(n) for n in range(ATTEMPTS)))


async def _scenario(app: str) -> tuple[list[float], list[float], list[httpx.Response]]:
    tab = EventClient(app)
    await tab.sign_in(OPERATOR, DEMO_PASSWORD)
    await tab.connect()
    try:
        for _ in range(5):  # warm up (first database reads, the event queue)
            await _round_trip(tab)
        idle = [await _round_trip(tab) for _ in range(IDLE_SAMPLES)]
        flood = asyncio.create_task(_flood(app))
        during = []
        while not flood.done() or len(during) < 5:
            during.append(await _round_trip(tab))
        return idle, during, await flood
    finally:
        await tab.close()


def test_a_sign_in_flood_backs_off_is_audited_and_starves_nobody(
    flood_world: tuple[str, World],
) -> None:
    app, world = flood_world
    started = time.perf_counter()
    idle, during, responses = run(lambda: _scenario(app))
    flood_seconds = time.perf_counter() - started

    answers = Counter(
        "throttled" if "error=throttled" in r.headers.get("location", "") else "invalid"
        for r in responses
    )
    assert all(r.status_code == 303 for r in responses)
    # Back-off: after the free failures, no password is even checked (the checks
    # already running on the other sign-in threads when the lock lands still finish).
    assert answers["throttled"] >= ATTEMPTS - 5 - (SIGN_IN_WORKERS - 1), answers
    # The first refusals of the address's window are audited one by one, with the
    # client address; the rest only counted (a flood cannot grow the audit log).
    rows = world.audit_rows("auth.sign_in_failed", world.users[READONLY])
    assert len(rows) == AUDITED_PER_WINDOW
    assert {r.metadata_json["client_address"] for r in rows} == {"127.0.0.1"}
    # The right password is refused too while the account is locked.
    locked = run(lambda: sign_in_over_http(app, READONLY, DEMO_PASSWORD))
    assert "error=throttled" in locked.headers["location"]

    idle_ms = statistics.median(idle) * 1000
    during_ms = statistics.median(during) * 1000
    report = (
        f"sign-in flood: {ATTEMPTS} wrong passwords for one account, {PARALLEL} in flight,"
        f" answers {dict(answers)}\n"
        f"another signed-in user's event round trip (HomeState.load):\n"
        f"  idle   median {idle_ms:.1f} ms  p95 {_p95(idle) * 1000:.1f} ms"
        f"  (n={len(idle)})\n"
        f"  flood  median {during_ms:.1f} ms  p95 {_p95(during) * 1000:.1f} ms"
        f"  (n={len(during)})\n"
        f"  ratio  {during_ms / idle_ms:.2f}x (asserted: flood median <= 2x idle median + 5 ms)\n"
        f"scenario wall time {flood_seconds:.1f} s\n"
    )
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(report)
    print(report)
    # Generous on purpose (medians, and a few ms of slack for a shared 2-core
    # machine): the bound the review asked for is 2x idle.
    assert during_ms <= 2 * idle_ms + 5, report


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 2 else samples[0]
