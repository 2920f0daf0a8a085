"""Sign-in sessions: e-mail + password, a random cookie token stored only as a hash.

The browser holds a 256-bit random token; the database holds its SHA-256 and an
expiry. Every event resolves the actor from that token again, so a signed-out or
expired session stops working at once, on every worker.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from support_app.models import User, UserSession, WorkspaceMembership
from support_app.models.clock import utcnow
from support_app.services.access import Actor
from support_app.services.audit import AuditActionId, WorkspaceAuditLogger
from support_app.services.passwords import verify_password

EMAIL_MAX = 254
PASSWORD_MAX = 1024
_TOKEN_MAX = 128


class InvalidCredentials(Exception):
    """Wrong e-mail or password; deliberately says nothing about which."""


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AuthenticationService:
    def __init__(self, session: Session, ttl_seconds: int) -> None:
        self._session = session
        self._ttl = timedelta(seconds=ttl_seconds)

    def sign_in(self, email: str, password: str) -> tuple[str, Actor]:
        """A new session token for valid credentials; audits success and failure."""
        email = (email or "").strip().lower()[:EMAIL_MAX]
        user = (
            self._session.exec(select(User).where(User.email == email)).first() if email else None
        )
        ok = verify_password(user.password_hash if user else None, (password or "")[:PASSWORD_MAX])
        if not (user and ok):
            if user:
                self._audit_user_event(AuditActionId.SIGN_IN_FAILED, user.id)
            raise InvalidCredentials
        token = secrets.token_urlsafe(32)
        self._session.add(
            UserSession(
                token_hash=_hash_token(token), user_id=user.id, expires_at=utcnow() + self._ttl
            )
        )
        self._audit_user_event(AuditActionId.SIGNED_IN, user.id)
        return token, Actor.of(user)

    def actor_for_token(self, token: str | None) -> Actor | None:
        """The signed-in actor for a cookie token, or None if unknown or expired."""
        if not token or len(token) > _TOKEN_MAX:
            return None
        row = self._session.exec(
            select(User, UserSession.expires_at)
            .join(UserSession, UserSession.user_id == User.id)
            .where(UserSession.token_hash == _hash_token(token))
        ).first()
        if row is None or row[1] <= utcnow():
            return None
        return Actor.of(row[0])

    def sign_out(self, token: str | None) -> None:
        actor = self.actor_for_token(token)
        if actor is None:
            return
        self._session.exec(delete(UserSession).where(UserSession.token_hash == _hash_token(token)))
        self._audit_user_event(AuditActionId.SIGNED_OUT, actor.user_id)

    def _audit_user_event(self, action: AuditActionId, user_id: int) -> None:
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
            )

    def set_locale(self, actor: Actor, locale: str) -> None:
        if locale not in ("en", "de"):
            raise ValueError("unsupported locale")
        user = self._session.get(User, actor.user_id)
        if user is not None:
            user.preferred_locale = locale
            self._session.add(user)
