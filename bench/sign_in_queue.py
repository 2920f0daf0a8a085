"""How long an unrelated sign-in waits while guesses from many addresses arrive.

The review's case: 40 wrong passwords from 40 addresses (none throttled: each address
guesses once), then the owner signs in from their own address. Every guess costs one
Argon2 verification, so the owner's sign-in queues behind whatever the sign-in pool
has not verified yet. Starts a backend-only app of its own (trusting one proxy hop, so
``X-Forwarded-For`` names each guess's address) on a fresh demo database.

    .venv/bin/python bench/sign_in_queue.py [--guesses 40] [--runs 3]

Prints the owner's sign-in time alone and during the guesses (median of the runs).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support_app.services.demo_seed import DEMO_PASSWORD
from tests.conftest import migrate_and_seed
from tests.running_app import running_app

OWNER = "owner@contoso.example"


async def _sign_in(http: httpx.AsyncClient, app: str, email: str, password: str, address: str):
    start = time.perf_counter()
    response = await http.post(
        f"{app}/auth/sign-in",
        data={"email": email, "password": password},
        headers={"Origin": app, "X-Forwarded-For": address},
        follow_redirects=False,
    )
    return time.perf_counter() - start, response.headers.get("location", "")


async def _round(app: str, guesses: int, run: int) -> tuple[float, float]:
    async with httpx.AsyncClient(trust_env=False, timeout=120) as http:
        alone, where = await _sign_in(http, app, OWNER, DEMO_PASSWORD, f"198.51.{run}.1")
        assert where == "/", where
        flood = [
            asyncio.create_task(
                _sign_in(http, app, f"user{n}@example.test", "wrong", f"10.{run}.{n // 200}.{n}")
            )
            for n in range(guesses)
        ]
        await asyncio.sleep(0.05)  # the guesses are queued first, as in the review
        during, where = await _sign_in(http, app, OWNER, DEMO_PASSWORD, f"198.51.{run}.2")
        assert where == "/", where
        await asyncio.gather(*flood)
    return alone, during


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guesses", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        db_url = f"sqlite:///{directory}/bench.db"
        migrate_and_seed(db_url)
        env = {"REFLEX_TRUSTED_PROXY_HOPS": "1"}
        with running_app(Path(directory), db_url, backend_only=True, env=env) as app:
            results = [asyncio.run(_round(app, args.guesses, run)) for run in range(args.runs)]
    alone = statistics.median(r[0] for r in results) * 1000
    during = statistics.median(r[1] for r in results) * 1000
    print(
        f"owner's sign-in, median of {args.runs}: alone {alone:.0f} ms,"
        f" behind {args.guesses} guesses from {args.guesses} addresses {during:.0f} ms"
    )


if __name__ == "__main__":
    main()
