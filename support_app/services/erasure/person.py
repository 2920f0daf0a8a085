"""A person's rights (GDPR/DSGVO Art. 15 and 17): their data shown to them, and erased.

By e-mail address the workspace owner can

* **export** everything stored about the person in the workspace: their user account
  (if any), the requests they created or are the contact of, and the audit rows
  naming them (as actor, or their address or name in the details). Other people's
  data stays out: a request another person is the contact of shows no contact, a
  request someone else created shows no creator, an audit row shows its action,
  subject and time, not its details;
* **erase** it: the contact fields of the requests naming them are cleared, and
  their name and address in audit details are replaced by a stable pseudonym
  ("former user #n", n the erasure record's id, which is never reissued). If the
  account belongs to this workspace alone, the account itself is pseudonymised
  (name, address, an unusable password), its sessions end and its memberships go,
  and its sign-in traces (audit rows without a workspace) are pseudonymised too; an
  account other workspaces still use keeps its name there and only loses this
  workspace. The requests they created stay (the creator now reads as the
  pseudonym); their texts are the workspace's record, which retention ends.

Both are audited; neither audit row holds the address, only a keyed hash of it, so
whoever holds the key can later confirm which request was answered.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, delete, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from support_app.models import (
    AuditLog,
    SupportRequest,
    Tenant,
    TenantMembership,
    User,
    UserSession,
    WorkspaceMembership,
)
from support_app.models.clock import iso_utc
from support_app.models.erasure import ErasureReason, pseudonym_email_of, pseudonym_of
from support_app.services.access import AccessService, Actor, WorkspaceAccess
from support_app.services.audit import AuditActionId, WorkspaceAuditLogger
from support_app.services.capabilities import Capability
from support_app.services.erasure.records import DeskTicket, begin_erasure, desk_tickets
from support_app.services.support_requests.history import outcome_of

EMAIL_MAX = 254
# What an erased account's password hash becomes: no password ever matches it.
UNUSABLE_PASSWORD = "!erased"

_REQUESTS = SupportRequest.__table__.c  # type: ignore[attr-defined]
_AUDIT = AuditLog.__table__.c  # type: ignore[attr-defined]


class PersonRequestRefused(Exception):
    """The address cannot be acted on; ``key`` names the catalog message."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


INVALID_EMAIL = "person.error.invalid_email"
NOTHING_FOUND = "person.error.nothing_found"
NOT_YOURSELF = "person.error.not_yourself"


@dataclass(frozen=True)
class PersonErasureResult:
    pseudonym: str
    requests_cleared: int
    audit_rows_pseudonymised: int
    account_pseudonymised: bool
    sessions_ended: int
    # Requests naming them that went to the desk: erase the contact there too.
    desk_tickets: tuple[DeskTicket, ...] = ()


def subject_hash(key: bytes, email: str) -> str:
    """HMAC-SHA256 of the address: confirms a guess, never reads back."""
    return hmac.new(key, email.encode("utf-8"), hashlib.sha256).hexdigest()


def normalised_email(raw: object) -> str:
    if not isinstance(raw, str):
        raise PersonRequestRefused(INVALID_EMAIL)
    email = raw.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > EMAIL_MAX or any(c.isspace() for c in email):
        raise PersonRequestRefused(INVALID_EMAIL)
    return email


def _json_text(value: str) -> str:
    """``value`` as it appears inside stored JSON (non-ASCII escaped, quotes escaped)."""
    return json.dumps(value)[1:-1].lower()


def _replaced(value: Any, needles: tuple[str, ...], pseudonym: str) -> Any:
    """``value`` with every needle (any case) replaced by the pseudonym, in any string."""
    if isinstance(value, str):
        for needle in needles:
            lowered, start, parts = value.lower(), 0, []
            index = lowered.find(needle)
            while index >= 0:
                parts.append(value[start:index] + pseudonym)
                start = index + len(needle)
                index = lowered.find(needle, start)
            value = "".join(parts) + value[start:]
        return value
    if isinstance(value, dict):
        return {k: _replaced(v, needles, pseudonym) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(v, needles, pseudonym) for v in value]
    return value


@dataclass(frozen=True)
class _Person:
    email: str
    user: User | None
    only_here: bool  # the account belongs to no other workspace

    @property
    def needles(self) -> tuple[str, ...]:
        names = (self.user.display_name.lower(),) if self.user and self.user.display_name else ()
        return (self.email, *names)


class PersonalDataService:
    def __init__(self, engine: Engine, hash_key: bytes) -> None:
        self._engine = engine
        self._hash_key = hash_key

    def export(self, actor: Actor, workspace_id: object, email: object) -> dict[str, Any]:
        """Everything stored about the person in the workspace, as JSON-ready data."""
        with Session(self._engine) as session:
            workspace = self._authorized(session, actor, workspace_id)
            person = self._person(session, workspace.workspace_id, normalised_email(email))
            data = self._collect(session, workspace, person)
            WorkspaceAuditLogger(session).record(
                AuditActionId.PERSONAL_DATA_EXPORTED,
                workspace_id=workspace.workspace_id,
                actor_user_id=actor.user_id,
                subject_type="person",
                metadata={
                    "subject_hash": subject_hash(self._hash_key, person.email),
                    "requests": len(data["requests"]),
                    "audit_rows": len(data["audit_rows"]),
                },
            )
            session.commit()
            return data

    def erase(
        self, actor: Actor, workspace_id: object, email: object, note: str = ""
    ) -> PersonErasureResult:
        """Erase the person's data in the workspace (see the module's docstring)."""
        with Session(self._engine) as session:
            workspace = self._authorized(session, actor, workspace_id)
            address = normalised_email(email)
            if address == actor.email.lower():
                raise PersonRequestRefused(NOT_YOURSELF)
            person = self._person(session, workspace.workspace_id, address)
            contact_ids = (
                session.execute(self._contact_requests(workspace.workspace_id, person))
                .scalars()
                .all()
            )
            audit_rows = (
                session.execute(
                    select(AuditLog).where(self._naming(workspace.workspace_id, person))
                )
                .scalars()
                .all()
            )
            if not contact_ids and not audit_rows and person.user is None:
                raise PersonRequestRefused(NOTHING_FOUND)
            erasure = begin_erasure(
                session,
                workspace_id=workspace.workspace_id,
                reason=ErasureReason.ERASURE_REQUEST,
                actor_user_id=actor.user_id,
                note=note,
                metadata={"subject_hash": subject_hash(self._hash_key, person.email)},
            )
            assert erasure.id is not None
            pseudonym = pseudonym_of(erasure.id)
            cleared = (
                session.connection()
                .execute(
                    update(SupportRequest.__table__)  # type: ignore[arg-type]
                    .where(
                        _REQUESTS.id.in_(contact_ids),
                        _REQUESTS.erasure_id.is_(None),
                        _REQUESTS.contact_erasure_id.is_(None),
                    )
                    .values(contact_name=None, contact_email=None, contact_erasure_id=erasure.id)
                )
                .rowcount
                if contact_ids
                else 0
            )
            for row in audit_rows:
                session.connection().execute(
                    update(AuditLog.__table__)  # type: ignore[arg-type]
                    .where(_AUDIT.id == row.id)
                    .values(
                        metadata_json=_replaced(row.metadata_json or {}, person.needles, pseudonym),
                        erasure_id=erasure.id,
                    )
                )
            sessions_ended = 0
            if person.user is not None:
                sessions_ended = self._remove_account(
                    session, workspace.workspace_id, person, erasure.id
                )
            session.commit()
            return PersonErasureResult(
                pseudonym,
                cleared,
                len(audit_rows),
                person.only_here and person.user is not None,
                sessions_ended,
                desk_tickets(session, _REQUESTS.id.in_(contact_ids)),
            )

    def _authorized(self, session: Session, actor: Actor, workspace_id: object) -> WorkspaceAccess:
        access = AccessService(session)
        workspace = access.resolve_workspace(actor, workspace_id)
        access.authorize_workspace(actor, workspace, Capability.WORKSPACE_ERASE_DATA)
        return workspace

    @staticmethod
    def _person(session: Session, workspace_id: int, email: str) -> _Person:
        user = (
            session.execute(select(User).where(func.lower(User.email) == email)).scalars().first()
        )
        if user is None:
            return _Person(email, None, False)
        memberships = set(
            session.execute(
                select(WorkspaceMembership.workspace_id).where(
                    WorkspaceMembership.user_id == user.id
                )
            ).scalars()
        )
        if (
            workspace_id not in memberships
            and not session.execute(
                select(func.count()).where(
                    _REQUESTS.workspace_id == workspace_id, _REQUESTS.created_by_user_id == user.id
                )
            ).scalar_one()
        ):
            # An account unknown to this workspace: only the address is looked for.
            return _Person(email, None, False)
        return _Person(email, user, memberships <= {workspace_id})

    @staticmethod
    def _contact_requests(workspace_id: int, person: _Person) -> Any:
        return select(_REQUESTS.id).where(
            _REQUESTS.workspace_id == workspace_id,
            func.lower(_REQUESTS.contact_email) == person.email,
        )

    @staticmethod
    def _naming(workspace_id: int, person: _Person) -> Any:
        details = func.lower(cast(_AUDIT.metadata_json, String))
        named = or_(*(details.contains(_json_text(n), autoescape=True) for n in person.needles))
        by_person = or_(named, _AUDIT.actor_user_id == person.user.id) if person.user else named
        scope = _AUDIT.workspace_id == workspace_id
        if person.user is not None and person.only_here:
            scope = or_(scope, _AUDIT.workspace_id.is_(None))
        return scope & by_person

    def _collect(
        self, session: Session, workspace: WorkspaceAccess, person: _Person
    ) -> dict[str, Any]:
        user_id = person.user.id if person.user else None
        tenants = dict(
            session.execute(
                select(Tenant.id, Tenant.name).where(Tenant.workspace_id == workspace.workspace_id)
            ).all()
        )
        mine = [_REQUESTS.created_by_user_id == user_id] if user_id else []
        rows = (
            session.execute(
                select(SupportRequest)
                .where(
                    _REQUESTS.workspace_id == workspace.workspace_id,
                    or_(func.lower(_REQUESTS.contact_email) == person.email, *mine),
                )
                .order_by(_REQUESTS.created_at, _REQUESTS.id)
            )
            .scalars()
            .all()
        )
        audit_rows = (
            session.execute(
                select(AuditLog)
                .where(self._naming(workspace.workspace_id, person))
                .order_by(_AUDIT.created_at, _AUDIT.id)
            )
            .scalars()
            .all()
        )
        return {
            "workspace": workspace.workspace_name,
            "email": person.email,
            "user": None
            if person.user is None
            else {
                "email": person.user.email,
                "display_name": person.user.display_name,
                "preferred_locale": person.user.preferred_locale,
                "created_at": iso_utc(person.user.created_at),
            },
            "requests": [self._request(r, tenants, person, user_id) for r in rows],
            "audit_rows": [
                {
                    "action": a.action,
                    "at": iso_utc(a.created_at),
                    "subject_type": a.subject_type,
                    "subject_id": a.subject_id,
                    "as": "actor"
                    if user_id is not None and a.actor_user_id == user_id
                    else "named",
                }
                for a in audit_rows
            ],
        }

    @staticmethod
    def _request(
        request: SupportRequest, tenants: dict[int, str], person: _Person, user_id: int | None
    ) -> dict[str, Any]:
        is_contact = (request.contact_email or "").lower() == person.email
        entry: dict[str, Any] = {
            "reference": request.reference,
            "tenant": tenants.get(request.tenant_id),
            "created_at": iso_utc(request.created_at),
            "created_by_you": request.created_by_user_id == user_id,
            "context_kind": request.primary_context_type,
            "severity": request.severity,
            "summary": request.summary,
            "reproduction_notes": request.reproduction_notes,
            "handoff_outcome": outcome_of(request),
            "external_ticket_reference": request.external_ticket_reference,
            "erased": request.erasure_id is not None,
        }
        if is_contact:
            entry["contact"] = {"name": request.contact_name, "email": request.contact_email}
        return entry

    @staticmethod
    def _remove_account(
        session: Session, workspace_id: int, person: _Person, erasure_id: int
    ) -> int:
        """End the account's part in the workspace; pseudonymise it if it was only here."""
        user = person.user
        assert user is not None and user.id is not None
        tenant_ids = select(Tenant.id).where(Tenant.workspace_id == workspace_id)
        session.execute(
            delete(TenantMembership).where(
                TenantMembership.user_id == user.id, TenantMembership.tenant_id.in_(tenant_ids)
            )
        )
        session.execute(
            delete(WorkspaceMembership).where(
                WorkspaceMembership.user_id == user.id,
                WorkspaceMembership.workspace_id == workspace_id,
            )
        )
        if not person.only_here:
            return 0
        ended = session.execute(delete(UserSession).where(UserSession.user_id == user.id)).rowcount
        session.execute(
            update(User)
            .where(User.id == user.id)
            .values(
                email=pseudonym_email_of(erasure_id),
                display_name=pseudonym_of(erasure_id),
                password_hash=UNUSABLE_PASSWORD,
            )
        )
        return ended
