"""The back-off schedule and what the sign-in page says about it (pure)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from support_app.services.sign_in_throttle import (
    ThrottleKey,
    ThrottlePolicy,
    keys_for,
    minutes_to_wait,
)

POLICY = ThrottlePolicy(free_failures=5, backoff_seconds=60)


@pytest.mark.parametrize(
    ("failures", "lock"),
    [(0, None), (4, None), (5, 60), (6, 120), (7, 240), (10, 1920), (11, 3600), (500, 3600)],
)
def test_locks_start_at_the_limit_double_and_stop_at_an_hour(
    failures: int, lock: int | None
) -> None:
    expected = None if lock is None else timedelta(seconds=lock)
    assert POLICY.lock_for(failures) == expected


@pytest.mark.parametrize(("seconds", "minutes"), [(1, 1), (60, 1), (61, 2), (3600, 60)])
def test_the_wait_is_shown_in_whole_minutes_rounded_up(seconds: int, minutes: int) -> None:
    assert minutes_to_wait(seconds) == minutes


def test_every_attempt_counts_against_its_address_and_a_typed_account() -> None:
    assert keys_for("a@example.test", "192.0.2.1") == [
        ThrottleKey("address", "192.0.2.1"),
        ThrottleKey("account", "a@example.test"),
    ]
    assert keys_for("", "") == [ThrottleKey("address", "unknown")]
