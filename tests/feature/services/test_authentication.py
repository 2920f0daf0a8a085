"""Sign-in sessions and throttling on a real database (SQLite and PostgreSQL).

Throttle counts live in the database so that every worker sees them; these tests
drive the service the routes use, and the throttle service with explicit clocks
for the back-off schedule.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from unittest.mock import patch

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, text
from sqlmodel import Session, select

from support_app.models import AuditLog, SignInThrottle, User, UserSession, WorkspaceMembership
from support_app.models.clock import utcnow
from support_app.services import authentication
from support_app.services.audit import AuditActionId
from support_app.services.authentication import (
    AuthenticationService,
    SignInResult,
    hash_session_token,
)
from support_app.services.demo_seed import DEMO_PASSWORD
from support_app.services.passwords import MEMORY_KIB, PARALLELISM, TIME_COST, verify_password
from support_app.services.sign_in_audit import AUDITED_PER_WINDOW, NOT_AN_EMAIL, WINDOW
from support_app.services.sign_in_throttle import (
    FORGET_AFTER,
    AttemptKeys,
    SignInThrottleService,
    ThrottleKey,
    ThrottlePolicy,
    keys_for,
)
from support_app.settings import SignInSessions

OWNER = "owner@contoso.example"
OPERATOR = "operator@contoso.example"
UNKNOWN = "nobody@contoso.example"
HERE = "203.0.113.7"
THERE = "198.51.100.9"
POLICY = SignInSessions(
    absolute_seconds=3600, idle_seconds=1800, free_failures=5, backoff_seconds=60
)


def _auth(session: Session) -> AuthenticationService:
    return AuthenticationService(session, POLICY)


def _sign_in(session: Session, email: str, password: str = DEMO_PASSWORD, address: str = HERE):
    result = _auth(session).sign_in(email, password, client_address=address)
    session.commit()
    return result


def _user(session: Session, email: str) -> User:
    return session.exec(select(User).where(User.email == email)).one()


def _rows(session: Session, action: AuditActionId) -> list[AuditLog]:
    return list(session.exec(select(AuditLog).where(AuditLog.action == action.value)))


def _count(session: Session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _stored_session(session: Session, token: str) -> UserSession:
    return session.exec(
        select(UserSession)
        .where(UserSession.token_hash == hash_session_token(token))
        .execution_options(populate_existing=True)
    ).one()


# --- signing in ------------------------------------------------------------------------


def test_sign_in_audits_each_workspace_of_the_user_with_the_client_address(
    session: Session,
) -> None:
    owner = _user(session, OWNER)
    result = _sign_in(session, f"  {OWNER.upper()} ")

    assert result.actor is not None and result.actor.user_id == owner.id
    rows = [r for r in _rows(session, AuditActionId.SIGNED_IN) if r.actor_user_id == owner.id]
    workspaces = session.exec(
        select(WorkspaceMembership.workspace_id).where(WorkspaceMembership.user_id == owner.id)
    ).all()
    assert sorted(r.workspace_id for r in rows) == sorted(workspaces)
    assert rows[0].metadata_json == {"client_address": HERE}
    assert DEMO_PASSWORD not in str(rows[0].metadata_json)
    assert result.token not in str(rows[0].metadata_json)


def test_tokens_are_random_and_stored_only_as_a_hash(session: Session) -> None:
    token = _sign_in(session, OWNER).token
    assert token is not None and len(token) >= 43  # 256 bits, URL-safe base64
    dump = " ".join(
        str(v) for row in session.execute(text("SELECT * FROM user_sessions")).all() for v in row
    )
    assert token not in dump
    assert _stored_session(session, token).token_hash == hash_session_token(token)


def test_every_sign_in_gets_a_new_session_and_ends_the_browsers_previous_one(
    session: Session,
) -> None:
    first = _sign_in(session, OWNER).token
    other_browser = _sign_in(session, OWNER).token
    again = _auth(session).sign_in(
        OWNER, DEMO_PASSWORD, client_address=HERE, previous_token_hash=hash_session_token(first)
    )
    session.commit()

    assert len({first, other_browser, again.token}) == 3
    auth = _auth(session)
    assert auth.session_for(hash_session_token(first)) is None
    assert auth.session_for(hash_session_token(other_browser)) is not None
    assert auth.session_for(hash_session_token(again.token)) is not None


def test_wrong_password_is_audited_for_the_user_with_address_and_reason(session: Session) -> None:
    owner = _user(session, OWNER)
    sessions_before = _count(session, UserSession)
    result = _sign_in(session, OWNER, DEMO_PASSWORD + "x")

    assert result == SignInResult()
    failed = _rows(session, AuditActionId.SIGN_IN_FAILED)
    assert {r.actor_user_id for r in failed} == {owner.id}
    assert failed[0].metadata_json == {"client_address": HERE, "reason": "invalid"}
    assert _count(session, UserSession) == sessions_before


def test_unknown_email_is_audited_and_answered_like_a_wrong_password(session: Session) -> None:
    wrong_password = _sign_in(session, OWNER, "not-the-password")
    unknown = _sign_in(session, UNKNOWN, DEMO_PASSWORD, address=THERE)

    assert unknown == wrong_password == SignInResult()
    row = [r for r in _rows(session, AuditActionId.SIGN_IN_FAILED) if r.actor_user_id is None]
    assert len(row) == 1
    assert row[0].workspace_id is None
    assert row[0].metadata_json == {"client_address": THERE, "reason": "invalid", "email": UNKNOWN}


def test_unknown_users_cost_one_password_verification_like_known_ones(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Constant work: an unknown e-mail is verified against the dummy hash, not skipped."""
    calls: list[str | None] = []
    real = authentication.verify_password

    def counting(password_hash: str | None, password: str) -> bool:
        calls.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(authentication, "verify_password", counting)
    _sign_in(session, OWNER, "wrong")
    _sign_in(session, UNKNOWN, "wrong")
    _sign_in(session, "", "")

    assert len(calls) == 3
    assert calls[0] is not None and calls[1] is None and calls[2] is None


def test_a_hash_with_older_parameters_signs_in_and_is_upgraded_in_that_transaction(
    session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    """argon2-cffi's defaults (64 MiB, t=3, 4 lanes) were the profile before issue 22."""
    owner = _user(session, OWNER)
    old_hash = PasswordHasher().hash(DEMO_PASSWORD)
    owner.password_hash = old_hash
    session.add(owner)
    session.commit()

    with caplog.at_level(logging.DEBUG):
        # The new hash and the new session are one transaction: both or neither.
        result = _auth(session).sign_in(OWNER, DEMO_PASSWORD, client_address=HERE)
        assert result.token is not None and owner.password_hash != old_hash
        session.rollback()
        assert _stored_hash(session, OWNER) == old_hash
        assert _count_sessions_for(session, result.token) == 0

        result = _sign_in(session, OWNER)
    stored = _stored_hash(session, OWNER)
    assert result.token is not None and _count_sessions_for(session, result.token) == 1
    assert stored != old_hash
    assert f"m={MEMORY_KIB},t={TIME_COST},p={PARALLELISM}" in stored
    assert verify_password(stored, DEMO_PASSWORD)
    assert not PasswordHasher(TIME_COST, MEMORY_KIB, PARALLELISM).check_needs_rehash(stored)
    logged = caplog.text
    assert old_hash not in logged and stored not in logged and DEMO_PASSWORD not in logged

    # Upgraded once: the next sign-in leaves the new hash as it is.
    assert _sign_in(session, OWNER).token is not None
    assert _stored_hash(session, OWNER) == stored


def test_a_wrong_password_never_upgrades_an_older_hash(session: Session) -> None:
    owner = _user(session, OWNER)
    old_hash = PasswordHasher().hash(DEMO_PASSWORD)
    owner.password_hash = old_hash
    session.add(owner)
    session.commit()

    assert _sign_in(session, OWNER, "wrong") == SignInResult()
    assert _stored_hash(session, OWNER) == old_hash


def _stored_hash(session: Session, email: str) -> str:
    return session.exec(
        select(User.password_hash)
        .where(User.email == email)
        .execution_options(populate_existing=True)
    ).one()


def _count_sessions_for(session: Session, token: str) -> int:
    return session.exec(
        select(func.count())
        .select_from(UserSession)
        .where(UserSession.token_hash == hash_session_token(token))
    ).one()


# --- throttling ------------------------------------------------------------------------


def test_five_failures_lock_the_account_at_that_address_without_checking_the_password(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(5):
        assert _sign_in(session, OWNER, "wrong", address=THERE) == SignInResult()

    verified: list[str] = []
    real = authentication.verify_password
    monkeypatch.setattr(
        authentication, "verify_password", lambda *a: verified.append("called") or real(*a)
    )
    throttled = _sign_in(session, OWNER, DEMO_PASSWORD, address=THERE)

    assert 55 <= throttled.retry_after_seconds <= 60
    assert throttled.token is None and verified == []
    reasons = [r.metadata_json["reason"] for r in _rows(session, AuditActionId.SIGN_IN_FAILED)]
    assert set(reasons) == {"invalid"}  # the throttled sixth is past the audit cap
    # The attacker's address is locked; the owner's own address is not.
    owner = _sign_in(session, OWNER, address=HERE)
    assert owner.token is not None and verified == ["called"]


def test_an_attacker_cannot_keep_the_owner_out_with_one_guess_a_lock_period(
    session: Session,
) -> None:
    """The review's lockout: five guesses, then one per lock period, for hours."""
    throttle = SignInThrottleService(session, ThrottlePolicy(5, 60))
    attacker, owner = keys_for(OWNER, THERE), keys_for(OWNER, HERE)
    now = utcnow()
    for _ in range(40):
        throttle.record_failure(attacker, now)
        now += timedelta(seconds=max(throttle.seconds_locked(attacker, now), 1))
        assert throttle.seconds_locked(owner, now) == 0


def test_a_distributed_guess_locks_the_account_briefly_only_where_it_failed(
    session: Session,
) -> None:
    throttle = SignInThrottleService(session, ThrottlePolicy(5, 60, account_failures=100))
    now = utcnow()
    for n in range(100):  # one guess each from 100 addresses: no address lock
        throttle.record_failure(keys_for(OWNER, f"10.0.{n // 250}.{n % 250}"), now)

    assert throttle.seconds_locked(keys_for(OWNER, "10.0.0.7"), now) == 60
    assert throttle.seconds_locked(keys_for(OWNER, HERE), now) == 0  # never failed
    # The lock does not escalate: the next failure past it locks for the same minute.
    later = now + timedelta(seconds=61)
    assert throttle.seconds_locked(keys_for(OWNER, "10.0.0.7"), later) == 0
    throttle.record_failure(keys_for(OWNER, "10.0.0.7"), later)
    assert throttle.seconds_locked(keys_for(OWNER, "10.0.0.8"), later) == 60


def test_five_failures_from_one_address_lock_the_address_for_every_account(
    session: Session,
) -> None:
    for email in ("a@example.test", "b@example.test", UNKNOWN, OPERATOR, "c@example.test"):
        assert _sign_in(session, email, "wrong", address=THERE) == SignInResult()

    assert _sign_in(session, OWNER, address=THERE).retry_after_seconds > 0
    assert _sign_in(session, OWNER, address=HERE).token is not None
    # The first failures of the window left an audit row naming the address.
    addresses = [
        r.metadata_json["client_address"] for r in _rows(session, AuditActionId.SIGN_IN_FAILED)
    ]
    assert addresses.count(THERE) == AUDITED_PER_WINDOW


def test_a_flood_of_refusals_adds_a_bounded_number_of_audit_rows_and_one_count(
    session: Session,
) -> None:
    refused = 60
    for n in range(refused):
        _sign_in(session, f"nobody{n}@example.test", "wrong", address=THERE)
    assert len(_rows(session, AuditActionId.SIGN_IN_FAILED)) == AUDITED_PER_WINDOW
    assert _rows(session, AuditActionId.SIGN_IN_REFUSALS_SUMMARISED) == []

    # Once the window is over, the next attempt from anywhere writes the count.
    auth = _auth(session)
    auth.sign_in(UNKNOWN, "wrong", client_address=HERE)
    with_window_over = utcnow() + WINDOW + timedelta(seconds=1)
    auth._audit_budget.summarise_ended_windows(with_window_over)
    session.commit()
    summary = _rows(session, AuditActionId.SIGN_IN_REFUSALS_SUMMARISED)
    assert [(r.metadata_json["client_address"], r.metadata_json["refused"]) for r in summary] == [
        (THERE, refused)
    ]


def test_an_unknown_account_that_is_not_an_e_mail_is_audited_as_a_marker(
    session: Session,
) -> None:
    _sign_in(session, "Canary-Pa55word!", "wrong", address=THERE)
    row = _rows(session, AuditActionId.SIGN_IN_FAILED)[0]
    assert row.metadata_json["email"] == NOT_AN_EMAIL
    stored = session.exec(select(AuditLog.metadata_json)).all()
    throttles = session.exec(select(SignInThrottle.subject)).all()
    assert "canary-pa55word!" not in str(stored).lower() + str(throttles).lower()


def test_success_clears_the_account_at_address_count_only(session: Session) -> None:
    for _ in range(4):
        _sign_in(session, OWNER, "wrong")
    assert _sign_in(session, OWNER).token is not None

    counts = dict(
        session.exec(select(SignInThrottle.kind, SignInThrottle.failures)).all()  # type: ignore[arg-type]
    )
    assert counts == {"address": 4, "account": 4}


def test_back_off_doubles_with_each_further_failure(session: Session) -> None:
    throttle = SignInThrottleService(session, ThrottlePolicy(free_failures=5, backoff_seconds=60))
    key = AttemptKeys(ThrottleKey("address", THERE))
    start = utcnow()
    locks = []
    now = start
    for _ in range(8):
        throttle.record_failure(key, now)
        locks.append(throttle.seconds_locked(key, now))
        now += timedelta(seconds=max(locks[-1], 1))  # each next attempt after the lock ends
    session.commit()

    assert locks == [0, 0, 0, 0, 60, 120, 240, 480]


def test_counts_are_forgotten_after_a_quiet_period_and_purged(session: Session) -> None:
    throttle = SignInThrottleService(session, ThrottlePolicy(free_failures=5, backoff_seconds=60))
    key = AttemptKeys(ThrottleKey("address", THERE))
    start = utcnow()
    for _ in range(5):
        throttle.record_failure(key, start)
    assert throttle.seconds_locked(key, start) == 60

    later = start + timedelta(seconds=60) + FORGET_AFTER + timedelta(seconds=1)
    throttle.record_failure(key, later)
    assert throttle.seconds_locked(key, later) == 0
    assert session.exec(select(SignInThrottle.failures)).one() == 1

    throttle.purge(later + FORGET_AFTER + timedelta(seconds=1))
    session.commit()
    assert _count(session, SignInThrottle) == 0


# --- session lifetime ------------------------------------------------------------------


def test_a_session_ends_after_the_idle_timeout(session: Session) -> None:
    token = _sign_in(session, OWNER).token
    stored = _stored_session(session, token)
    stored.last_seen_at = utcnow() - timedelta(seconds=POLICY.idle_seconds - 30)
    session.add(stored)
    session.commit()
    assert _auth(session).session_for(hash_session_token(token)) is not None

    stored = _stored_session(session, token)
    stored.last_seen_at = utcnow() - timedelta(seconds=POLICY.idle_seconds + 1)
    session.add(stored)
    session.commit()
    assert _auth(session).session_for(hash_session_token(token)) is None


@pytest.mark.parametrize("idle_seconds", [20, 45, 1800])
def test_a_session_in_use_never_counts_as_idle_whatever_the_setting(
    session: Session, idle_seconds: int
) -> None:
    """Used every third of the idle timeout, for several timeouts: still signed in.
    (Last use was recorded at most once a minute: an idle timeout under a minute
    ended sessions in use.)"""
    policy = replace(POLICY, idle_seconds=idle_seconds, absolute_seconds=100_000)
    auth = AuthenticationService(session, policy)
    token = auth.sign_in(OWNER, DEMO_PASSWORD, client_address=HERE).token
    session.commit()
    token_hash = hash_session_token(token)
    start = utcnow()
    for step in range(1, 10):
        now = start + timedelta(seconds=step * idle_seconds / 3)
        with patch.object(authentication, "utcnow", return_value=now):
            assert auth.session_for(token_hash) is not None, step
        session.commit()


def test_a_session_ends_at_its_absolute_lifetime_however_active(session: Session) -> None:
    token = _sign_in(session, OWNER).token
    stored = _stored_session(session, token)
    lifetime = stored.expires_at - stored.created_at
    assert lifetime == timedelta(seconds=POLICY.absolute_seconds)
    stored.expires_at = utcnow() - timedelta(seconds=1)
    session.add(stored)
    session.commit()
    assert _auth(session).session_for(hash_session_token(token)) is None


def test_last_seen_is_written_at_most_once_a_minute(session: Session) -> None:
    token = _sign_in(session, OWNER).token
    first_seen = _stored_session(session, token).last_seen_at
    _auth(session).session_for(hash_session_token(token))
    session.commit()
    assert _stored_session(session, token).last_seen_at == first_seen

    stored = _stored_session(session, token)
    stored.last_seen_at = utcnow() - timedelta(seconds=61)
    session.add(stored)
    session.commit()
    _auth(session).session_for(hash_session_token(token))
    session.commit()
    assert utcnow() - _stored_session(session, token).last_seen_at < timedelta(seconds=5)


def test_sign_in_purges_expired_and_idle_sessions(session: Session) -> None:
    expired, idle, live = (_sign_in(session, OPERATOR).token for _ in range(3))
    for token, column, ago in (
        (expired, "expires_at", 1),
        (idle, "last_seen_at", POLICY.idle_seconds + 1),
    ):
        stored = _stored_session(session, token)
        setattr(stored, column, utcnow() - timedelta(seconds=ago))
        session.add(stored)
    session.commit()

    _sign_in(session, OWNER)
    hashes = set(session.exec(select(UserSession.token_hash)).all())
    assert hash_session_token(expired) not in hashes
    assert hash_session_token(idle) not in hashes
    assert hash_session_token(live) in hashes


@pytest.mark.parametrize("token_hash", [None, "", "x" * 64, "A" * 64, "0" * 63, "0" * 65])
def test_malformed_or_unknown_hashes_resolve_to_nobody(
    session: Session, token_hash: str | None
) -> None:
    assert _auth(session).session_for(token_hash) is None


# --- signing out -----------------------------------------------------------------------


def test_sign_out_ends_only_that_session_and_is_audited_once(session: Session) -> None:
    owner = _user(session, OWNER)
    first, second = _sign_in(session, OWNER).token, _sign_in(session, OWNER).token
    auth = _auth(session)
    auth.sign_out(hash_session_token(first))
    auth.sign_out(hash_session_token(first))  # again: a no-op
    auth.sign_out(hash_session_token("made-up"))
    session.commit()

    assert auth.session_for(hash_session_token(first)) is None
    assert auth.session_for(hash_session_token(second)) is not None
    signed_out = _rows(session, AuditActionId.SIGNED_OUT)
    workspaces = session.exec(
        select(WorkspaceMembership.workspace_id).where(WorkspaceMembership.user_id == owner.id)
    ).all()
    assert len(signed_out) == len(workspaces)


def test_sign_out_everywhere_ends_every_session_of_that_user_only(session: Session) -> None:
    owner_sessions = [_sign_in(session, OWNER).token for _ in range(3)]
    operator = _sign_in(session, OPERATOR).token
    auth = _auth(session)
    auth.sign_out_everywhere(hash_session_token(owner_sessions[0]))
    session.commit()

    for token in owner_sessions:
        assert auth.session_for(hash_session_token(token)) is None
    assert auth.session_for(hash_session_token(operator)) is not None
    assert _rows(session, AuditActionId.SIGNED_OUT_EVERYWHERE)
