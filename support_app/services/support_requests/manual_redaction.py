"""Remove a secret that slipped through: the owner's manual redaction of a stored request.

The automatic redaction catches what it knows; a pasted secret it does not know
stays in an immutable record. This action replaces every occurrence of the exact
text the owner names in the stored summary, reproduction notes and context
envelope (string values; never the envelope's identity) by ``[redacted:manual]``,
in one transaction with:

1. the ``support_request.redacted`` audit row (which fields, how many occurrences);
2. the append-only ``SupportRequestRedaction`` record (who, when, which fields and
   a keyed hash of the removed text, never the text itself);
3. the one UPDATE of the request, conditional on the redaction count it read.

The database accepts the UPDATE only with its record and the record only with its
audit row (migration 0010); a racing second redaction loses on the record's
sequence and is told to try again. A copy already sent to the external desk is not
touched here: the page says so and links the ticket.

A database failure says what is known: before the commit nothing was changed
(``RedactionNotApplied``: trying again is safe); a failing commit may or may not have
removed the text (``RedactionOutcomeUnknown``: the stored request tells).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, col

from support_app.models import SupportRequest, SupportRequestRedaction
from support_app.models.support_request import (
    MANUAL_REDACTION_PLACEHOLDER,
    NOTES_MAX,
    SUMMARY_MAX,
)
from support_app.services.access import SUPPORT_REQUEST, AccessService, Actor
from support_app.services.audit import AuditActionId, WorkspaceAuditLogger
from support_app.services.capabilities import Capability

MIN_LENGTH = 4
MAX_LENGTH = NOTES_MAX
# Envelope keys that are the request's identity, not its content (the triggers
# refuse any change to them).
_IDENTITY_KEYS = ("primary_context", "schema_version")


class RedactionRefused(Exception):
    """The text cannot be removed; ``key`` names the catalog message for the reader."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


TOO_SHORT = "redaction.error.too_short"
TOO_LONG = "redaction.error.too_long"
PLACEHOLDER_INSIDE = "redaction.error.placeholder"
NOT_FOUND_IN_REQUEST = "redaction.error.not_found"
WOULD_OVERFLOW = "redaction.error.would_overflow"
CHANGED_MEANWHILE = "redaction.error.changed_meanwhile"


class RedactionNotApplied(Exception):
    """The database failed before the redaction was committed: nothing was changed."""


class RedactionOutcomeUnknown(Exception):
    """The commit itself failed: the text may or may not have been removed."""


@dataclass(frozen=True)
class RedactionResult:
    reference: str
    fields: tuple[str, ...]
    occurrences: int


def removed_text_hash(key: bytes, text: str) -> str:
    """HMAC-SHA256 of the removed text: whoever holds the key can confirm a guess,
    nobody can read the text back."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def _replaced(value: str, text: str) -> tuple[str, int]:
    """``value`` with ``text`` replaced by the placeholder, and how often.

    Existing placeholders are kept whole: the text is replaced only between them.
    """
    pieces = value.split(MANUAL_REDACTION_PLACEHOLDER)
    count = sum(piece.count(text) for piece in pieces)
    joined = MANUAL_REDACTION_PLACEHOLDER.join(
        piece.replace(text, MANUAL_REDACTION_PLACEHOLDER) for piece in pieces
    )
    return joined, count


def _replaced_in_structure(value: Any, text: str) -> tuple[Any, int]:
    if isinstance(value, str):
        return _replaced(value, text)
    if isinstance(value, dict):
        total, result = 0, {}
        for key, item in value.items():
            result[key], count = _replaced_in_structure(item, text)
            total += count
        return result, total
    if isinstance(value, list):
        total, items = 0, []
        for item in value:
            replaced, count = _replaced_in_structure(item, text)
            items.append(replaced)
            total += count
        return items, total
    return value, 0


def _replaced_in_envelope(envelope: dict[str, Any], text: str) -> tuple[dict[str, Any], int]:
    result, total = {}, 0
    for key, value in envelope.items():
        if key in _IDENTITY_KEYS:
            result[key] = value
            continue
        if key == "attachment" and isinstance(value, dict):
            # The attachment mode is identity; the snapshot is content.
            inner, count = _replaced_in_structure(
                {k: v for k, v in value.items() if k != "mode"}, text
            )
            result[key] = {**inner, **({"mode": value["mode"]} if "mode" in value else {})}
        else:
            result[key], count = _replaced_in_structure(value, text)
        total += count
    return result, total


def _check_text(text: object) -> str:
    if not isinstance(text, str) or len(text.strip()) < MIN_LENGTH:
        raise RedactionRefused(TOO_SHORT)
    if len(text) > MAX_LENGTH:
        raise RedactionRefused(TOO_LONG)
    if MANUAL_REDACTION_PLACEHOLDER in text:
        raise RedactionRefused(PLACEHOLDER_INSIDE)
    return text


class SupportRequestRedactionService:
    def __init__(self, engine: Engine, hash_key: bytes) -> None:
        self._engine = engine
        self._hash_key = hash_key

    def redact(self, actor: Actor, reference: object, text: object) -> RedactionResult:
        """Remove ``text`` everywhere in the stored request; owner only.

        ``NotFound`` out of scope, ``Forbidden`` without ``support_requests.redact``,
        ``RedactionRefused`` for a text that cannot be removed (nothing is stored);
        ``RedactionNotApplied`` or ``RedactionOutcomeUnknown`` when the database fails.
        """
        with Session(self._engine) as session:
            try:
                result = self._stage(session, actor, reference, text)
            except SQLAlchemyError as error:
                raise RedactionNotApplied() from error
            try:
                session.commit()
            except SQLAlchemyError as error:
                raise RedactionOutcomeUnknown() from error
            return result

    def _stage(
        self, session: Session, actor: Actor, reference: object, text: object
    ) -> RedactionResult:
        """Everything up to the commit: access, the audit row, the record, the UPDATE."""
        access = AccessService(session)
        found = access.resolve_support_request(actor, reference)
        access.authorize(
            actor,
            found.tenant,
            Capability.SUPPORT_REQUESTS_REDACT,
            context_kind=SUPPORT_REQUEST,
            raw_id=reference,
        )
        removed = _check_text(text)
        request = found.request
        changes, occurrences = self._changes(request, removed)
        fields = tuple(changes)
        audit = WorkspaceAuditLogger(session).record(
            AuditActionId.SUPPORT_REQUEST_REDACTED,
            workspace_id=request.workspace_id,
            tenant_id=request.tenant_id,
            actor_user_id=actor.user_id,
            subject_type="support_request",
            subject_id=request.reference,
            metadata={
                "reference": request.reference,
                "fields": list(fields),
                "occurrences": occurrences,
            },
        )
        session.flush()
        session.add(
            SupportRequestRedaction(
                support_request_id=request.id,
                sequence=request.redaction_count + 1,
                workspace_id=request.workspace_id,
                tenant_id=request.tenant_id,
                redacted_by_user_id=actor.user_id,
                fields=",".join(fields),
                occurrences=occurrences,
                removed_text_hash=removed_text_hash(self._hash_key, removed),
                audit_log_id=audit.id,
            )
        )
        try:
            session.flush()
        except IntegrityError as error:  # another redaction took this sequence
            raise RedactionRefused(CHANGED_MEANWHILE) from error
        changed = session.execute(
            update(SupportRequest)
            .where(
                col(SupportRequest.id) == request.id,
                col(SupportRequest.redaction_count) == request.redaction_count,
            )
            .values(**changes, redaction_count=request.redaction_count + 1)
        ).rowcount
        if changed != 1:
            raise RedactionRefused(CHANGED_MEANWHILE)
        return RedactionResult(request.reference, fields, occurrences)

    @staticmethod
    def _changes(request: SupportRequest, text: str) -> tuple[dict[str, Any], int]:
        """The new values of the fields that hold ``text``, and the occurrences."""
        changes: dict[str, Any] = {}
        total = 0
        for column, bound in (("summary", SUMMARY_MAX), ("reproduction_notes", NOTES_MAX)):
            value = getattr(request, column)
            if not value:
                continue
            replaced, count = _replaced(value, text)
            if not count:
                continue
            # A text shorter than the placeholder makes the field longer.
            if len(replaced) > bound:
                raise RedactionRefused(WOULD_OVERFLOW)
            changes[column], total = replaced, total + count
        envelope, count = _replaced_in_envelope(dict(request.context_envelope), text)
        if count:
            changes["context_envelope"], total = envelope, total + count
        if not total:
            raise RedactionRefused(NOT_FOUND_IN_REQUEST)
        return changes, total
