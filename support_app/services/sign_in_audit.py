"""Refused sign-ins are audited in bounded form, per client address and window.

Anyone can post the sign-in form, and the audit log is append-only: one row per
refused post would let an unauthenticated caller grow it without bound. So per
client address and ``WINDOW``, the first ``AUDITED_PER_WINDOW`` refusals are audited
one by one (who was tried, why it was refused) and the rest only counted; once the
window is over, one ``auth.sign_in_refusals_summarised`` row carries the count.
Summaries are written by whichever sign-in attempt (or sign-out) first sees an ended
window: claiming it is a ``DELETE … RETURNING``, so on several workers each window is
summarised exactly once.

E-mails of unknown accounts are kept only when they look like an e-mail address; a
password typed into the e-mail field is stored as ``NOT_AN_EMAIL``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from support_app.models import SignInAuditWindow
from support_app.models.clock import utcnow
from support_app.services.audit import AuditActionId, WorkspaceAuditLogger

WINDOW = timedelta(minutes=15)
AUDITED_PER_WINDOW = 5
ADDRESS_MAX = 254
NOT_AN_EMAIL = "[not an e-mail address]"
_EMAIL_SHAPE = re.compile(r"[^@\s\"'<>]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def email_for_audit(email: str) -> str:
    """The e-mail as typed if it has an e-mail's shape, otherwise a marker."""
    return email if len(email) <= 254 and _EMAIL_SHAPE.fullmatch(email) else NOT_AN_EMAIL


class SignInAuditBudget:
    """Decides which refused sign-ins get their own audit row; writes the summaries."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def admit(self, client_address: str, now: datetime | None = None) -> bool:
        """Count one refusal from ``client_address``; whether it gets its own row."""
        now = now or utcnow()
        self.summarise_ended_windows(now)
        table = SignInAuditWindow.__table__
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(table).values(
            client_address=client_address[:ADDRESS_MAX], window_start=now, refused=1
        )
        refused = self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.client_address],
                set_={"refused": table.c.refused + 1},
            ).returning(table.c.refused)
        ).scalar_one()
        return refused <= AUDITED_PER_WINDOW

    def summarise_ended_windows(self, now: datetime | None = None) -> int:
        """One summary row per ended window that refused more than it audited."""
        ended_before = (now or utcnow()) - WINDOW
        table = SignInAuditWindow.__table__
        claimed = self._session.execute(
            delete(table)
            .where(table.c.window_start <= ended_before)
            .returning(table.c.client_address, table.c.window_start, table.c.refused)
        ).all()
        logger = WorkspaceAuditLogger(self._session)
        summarised = 0
        for address, window_start, refused in claimed:
            if refused <= AUDITED_PER_WINDOW:
                continue
            logger.record(
                AuditActionId.SIGN_IN_REFUSALS_SUMMARISED,
                workspace_id=None,
                actor_user_id=None,
                subject_type="sign_in",
                metadata={
                    "client_address": address,
                    "window_start": window_start.isoformat(),
                    "window_end": (window_start + WINDOW).isoformat(),
                    "refused": refused,
                    "audited_one_by_one": AUDITED_PER_WINDOW,
                },
            )
            summarised += 1
        return summarised
