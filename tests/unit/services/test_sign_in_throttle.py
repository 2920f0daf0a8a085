"""The back-off schedule and what the sign-in page says about it (pure)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from support_app.services.sign_in_throttle import (
    ACCOUNT,
    ACCOUNT_ADDRESS,
    ADDRESS,
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
@pytest.mark.parametrize("kind", [ADDRESS, ACCOUNT_ADDRESS])
def test_locks_start_at_the_limit_double_and_stop_at_an_hour(
    kind: str, failures: int, lock: int | None
) -> None:
    expected = None if lock is None else timedelta(seconds=lock)
    assert POLICY.lock_for(kind, failures) == expected


@pytest.mark.parametrize(
    ("failures", "lock"), [(5, None), (99, None), (100, 60), (101, 60), (10_000, 60)]
)
def test_an_account_alone_locks_only_at_a_hundred_and_never_escalates(
    failures: int, lock: int | None
) -> None:
    expected = None if lock is None else timedelta(seconds=lock)
    assert POLICY.lock_for(ACCOUNT, failures) == expected


@pytest.mark.parametrize(("seconds", "minutes"), [(1, 1), (60, 1), (61, 2), (3600, 60)])
def test_the_wait_is_shown_in_whole_minutes_rounded_up(seconds: int, minutes: int) -> None:
    assert minutes_to_wait(seconds) == minutes


def test_every_attempt_counts_against_its_address_its_account_and_both() -> None:
    keys = keys_for("a@example.test", "192.0.2.1")
    assert keys.address == ThrottleKey(ADDRESS, "192.0.2.1")
    assert keys.account is not None and keys.account_address is not None
    assert (keys.account.kind, keys.account_address.kind) == (ACCOUNT, ACCOUNT_ADDRESS)
    assert keys_for("a@example.test", "192.0.2.2").account == keys.account
    assert keys_for("a@example.test", "192.0.2.2").account_address != keys.account_address
    assert keys_for("", "").all == [ThrottleKey(ADDRESS, "unknown")]


def test_a_typed_account_is_kept_only_as_a_hash() -> None:
    """A password typed into the e-mail field must not be stored in clear."""
    keys = keys_for("Hunter2-Secret!", "192.0.2.1")
    assert all("Hunter2" not in key.subject for key in keys.all)
    assert len(keys.account.subject) == 64  # type: ignore[union-attr]
