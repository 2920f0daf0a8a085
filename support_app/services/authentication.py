"""Sign-in sessions: e-mail + password, a random cookie token stored only as a hash.

The browser holds a 256-bit random token in an HttpOnly cookie; the database holds
its SHA-256, an absolute expiry and when it was last used. Everything here takes the
token's hash: the HTTP routes hash the cookie they receive, and the event socket's
handshake cookie is hashed at the edge before Reflex sees it, so the raw token never
enters Reflex state. Every event resolves the session again, so a signed-out, idle or
expired session stops working at once, on every worker.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, or_
from sqlmodel import Session, select

from support_app.models import User, UserSession, WorkspaceMembership
from support_app.models.clock import utcnow
from support_app.services.access import Actor
from support_app.services.audit import AuditActionId, WorkspaceAuditLogger
from support_app.services.passwords import upgraded_hash, verify_password
from support_app.services.sign_in_audit import SignInAuditBudget, email_for_audit
from support_app.services.sign_in_throttle import (
    SignInThrottleService,
    ThrottlePolicy,
    keys_for,
)
from support_app.settings import SignInSessions

EMAIL_MAX = 254
PASSWORD_MAX = 1024
TOKEN_MAX = 128
# ``last_seen_at`` is written at most this often per session, not on every event
# (or a quarter of the idle timeout, when that is shorter: see ``touch_interval``).
TOUCH_INTERVAL = timedelta(minutes=1)
_TOKEN_HASH = re.compile(r"[0-9a-f]{64}")


def hash_session_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def touch_interval(idle_seconds: int) -> timedelta:
    """How stale ``last_seen_at`` may get: at most a quarter of the idle timeout, so a
    session in use is never taken for idle, whatever the setting."""
    return min(TOUCH_INTERVAL, timedelta(seconds=idle_seconds / 4))


@dataclass(frozen=True)
class SignInResult:
    """A new session (``token`` and ``actor``), or why not."""

    token: str | None = None
    actor: Actor | None = None
    # > 0: refused without checking the password; try again after this many seconds.
    retry_after_seconds: int = 0


@dataclass(frozen=True)
class SignedInSession:
    session_id: int
    # What names the session for good (row ids may be reissued on SQLite).
    token_hash: str
    actor: Actor


class AuthenticationService:
    def __init__(self, session: Session, policy: SignInSessions) -> None:
        self._session = session
        self._absolute = timedelta(seconds=policy.absolute_seconds)
        self._idle = timedelta(seconds=policy.idle_seconds)
        self._touch_interval = touch_interval(policy.idle_seconds)
        self._throttle = SignInThrottleService(
            session,
            ThrottlePolicy(policy.free_failures, policy.backoff_seconds, policy.account_failures),
        )
        self._audit_budget = SignInAuditBudget(session)

    def sign_in(
        self,
        email: str,
        password: str,
        *,
        client_address: str,
        previous_token_hash: str | None = None,
    ) -> SignInResult:
        """A new session for valid credentials; every failure is audited and counted.

        Unknown e-mails cost the same Argon2 verification as wrong passwords (against
        a dummy hash), so timing does not reveal which accounts exist. The session the
        browser had before (if any) is ended: every sign-in gets a new session id. A
        password hash made with older parameters is replaced in the same transaction.
        """
        email = (email or "").strip().lower()[:EMAIL_MAX]
        password = (password or "")[:PASSWORD_MAX]
        keys = keys_for(email, client_address)
        now = utcnow()
        user = (
            self._session.exec(select(User).where(User.email == email)).first() if email else None
        )
        if (wait := self._throttle.seconds_locked(keys, now)) > 0:
            self._audit_failure(user, email, client_address, reason="throttled")
            return SignInResult(retry_after_seconds=wait)
        ok = verify_password(user.password_hash if user else None, password)
        if not (user and ok):
            self._throttle.record_failure(keys, now)
            self._audit_failure(user, email, client_address, reason="invalid")
            return SignInResult()
        if keys.account_address is not None:
            self._throttle.clear(keys.account_address)
        self._upgrade_hash(user, password)
        self._throttle.purge(now)
        self._audit_budget.summarise_ended_windows(now)
        self.purge_expired()
        if previous_token_hash:
            self._end(UserSession.token_hash == previous_token_hash)
        token = secrets.token_urlsafe(32)
        self._session.add(
            UserSession(
                token_hash=hash_session_token(token),
                user_id=user.id,
                created_at=now,
                expires_at=now + self._absolute,
                last_seen_at=now,
            )
        )
        self._audit_user_event(AuditActionId.SIGNED_IN, user.id, {"client_address": client_address})
        return SignInResult(token=token, actor=Actor.of(user))

    def session_for(self, token_hash: str | None) -> SignedInSession | None:
        """The live session for a token hash, or None if unknown, idle or expired.

        Refreshes ``last_seen_at`` when it is older than ``TOUCH_INTERVAL`` (the
        caller commits), so the idle timeout counts from the last use.
        """
        if not token_hash or not _TOKEN_HASH.fullmatch(token_hash):
            return None
        row = self._session.exec(
            select(User, UserSession)
            .join(UserSession, UserSession.user_id == User.id)
            .where(UserSession.token_hash == token_hash)
        ).first()
        if row is None:
            return None
        user, user_session = row
        now = utcnow()
        if user_session.expires_at <= now or user_session.last_seen_at + self._idle <= now:
            return None
        if now - user_session.last_seen_at >= self._touch_interval:
            user_session.last_seen_at = now
            self._session.add(user_session)
        return SignedInSession(user_session.id, user_session.token_hash, Actor.of(user))

    def sign_out(self, token_hash: str | None) -> None:
        """End this browser's session (no-op for an unknown or ended one)."""
        signed_in = self.session_for(token_hash)
        if signed_in is None:
            return
        self._end(UserSession.id == signed_in.session_id)
        self._audit_user_event(AuditActionId.SIGNED_OUT, signed_in.actor.user_id)

    def sign_out_everywhere(self, token_hash: str | None) -> None:
        """End every session of the user signed in with ``token_hash``."""
        signed_in = self.session_for(token_hash)
        if signed_in is None:
            return
        self._end(UserSession.user_id == signed_in.actor.user_id)
        self._audit_user_event(AuditActionId.SIGNED_OUT_EVERYWHERE, signed_in.actor.user_id)

    def purge_expired(self) -> None:
        """Delete sessions past their absolute lifetime or idle timeout."""
        now = utcnow()
        self._end(or_(UserSession.expires_at <= now, UserSession.last_seen_at <= now - self._idle))

    def set_locale(self, actor: Actor, locale: str) -> None:
        if locale not in ("en", "de"):
            raise ValueError("unsupported locale")
        user = self._session.get(User, actor.user_id)
        if user is not None:
            user.preferred_locale = locale
            self._session.add(user)

    def _upgrade_hash(self, user: User, password: str) -> None:
        """Store the password's hash with the current profile if the stored one is
        older (committed with the session it opens; neither hash is ever logged)."""
        if (new_hash := upgraded_hash(user.password_hash, password)) is not None:
            user.password_hash = new_hash
            self._session.add(user)

    def _end(self, condition: Any) -> None:
        self._session.exec(delete(UserSession).where(condition))

    def _audit_failure(
        self, user: User | None, email: str, client_address: str, *, reason: str
    ) -> None:
        if not self._audit_budget.admit(client_address):
            return  # counted; the window's summary row will carry it
        metadata = {"client_address": client_address, "reason": reason}
        if user is not None:
            self._audit_user_event(AuditActionId.SIGN_IN_FAILED, user.id, metadata)
            return
        # Unknown account: no workspace, no actor; the e-mail as typed shows spraying.
        shown = email_for_audit(email)
        WorkspaceAuditLogger(self._session).record(
            AuditActionId.SIGN_IN_FAILED,
            workspace_id=None,
            actor_user_id=None,
            subject_type="sign_in",
            metadata={**metadata, "email": shown},
            allowed_emails=(shown,),
        )

    def _audit_user_event(
        self, action: AuditActionId, user_id: int, metadata: Mapping[str, Any] | None = None
    ) -> None:
        """One row per workspace of the user (sign-in is not tied to one workspace)."""
        workspace_ids = self._session.exec(
            select(WorkspaceMembership.workspace_id).where(WorkspaceMembership.user_id == user_id)
        ).all()
        logger = WorkspaceAuditLogger(self._session)
        for workspace_id in workspace_ids or [None]:
            logger.record(
                action,
                workspace_id=workspace_id,
                actor_user_id=user_id,
                subject_type="user",
                subject_id=user_id,
                metadata=metadata,
            )
