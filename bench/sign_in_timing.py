"""Does a sign-in's time tell whether the e-mail has an account?

The service the sign-in route runs (``AuthenticationService.sign_in``, throttle and
audit included) on a fresh demo database (SQLite), timed per attempt. The cases
run interleaved in a shuffled order, each attempt from its own client address (so
no throttle engages):

- wrong password, account A and account B (both with current hashes): the noise
  floor, two cases that must cost the same;
- unknown e-mail: must cost what a wrong password does (the dummy hash);
- wrong password, account with a pre-issue-22 hash (argon2-cffi's defaults): the
  one case that still differs until its owner signs in once (README, "Passwords").

Prints median and interquartile range per case, and each case's median minus the
wrong-password median beside the floor's own difference.

    .venv/bin/python bench/sign_in_timing.py [--rounds 200]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from argon2 import PasswordHasher
from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support_app.db import create_db_engine
from support_app.models import User
from support_app.services.authentication import AuthenticationService
from support_app.services.demo_seed import DEMO_PASSWORD
from support_app.settings import SignInSessions
from tests.conftest import migrate_and_seed

POLICY = SignInSessions(
    absolute_seconds=3600, idle_seconds=1800, free_failures=5, backoff_seconds=60
)
CASES = {
    "wrong password, A": "owner@contoso.example",
    "wrong password, B": "readonly@contoso.example",
    "unknown e-mail": "nobody@contoso.example",
    "wrong password, old hash": "operator@contoso.example",
}


def _give_old_hash(session: Session, email: str) -> None:
    user = session.exec(select(User).where(User.email == email)).one()
    user.password_hash = PasswordHasher().hash(DEMO_PASSWORD)
    session.add(user)
    session.commit()


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    q1, median, q3 = statistics.quantiles(values, n=4)
    return q1, median, q3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    timings: dict[str, list[float]] = {case: [] for case in CASES}
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bench.db"
        migrate_and_seed(url)
        engine = create_db_engine(url)
        with Session(engine) as session:
            _give_old_hash(session, CASES["wrong password, old hash"])
        order = list(CASES)
        for n in range(args.rounds):
            random.shuffle(order)
            for i, case in enumerate(order):
                address = f"10.{n // 250}.{n % 250}.{i}"
                with Session(engine) as session:
                    start = time.perf_counter()
                    result = AuthenticationService(session, POLICY).sign_in(
                        CASES[case], "not-the-password", client_address=address
                    )
                    session.commit()
                    timings[case].append((time.perf_counter() - start) * 1000)
                assert result.token is None and not result.retry_after_seconds, case
        engine.dispose()
    floor = statistics.median(timings["wrong password, A"])
    noise = statistics.median(timings["wrong password, B"]) - floor
    print(f"{args.rounds} rounds, ms per sign-in (service, SQLite)")
    for case, values in timings.items():
        q1, median, q3 = _quartiles(values)
        print(
            f"{case:<26} median {median:6.2f}   IQR {q1:6.2f}-{q3:6.2f}"
            f"   vs wrong password A {median - floor:+6.2f}"
        )
    print(f"noise floor (A vs B, same cost by design): {noise:+.2f} ms")


if __name__ == "__main__":
    main()
