"""The workspace owner's data protection, on the workspace's history page: the
retention period, and a person's export and erasure (GDPR/DSGVO Art. 15 and 17).

Thin: the workspace is the page's URL, every value is what was typed, and the
services resolve and authorize again with the actor (only the workspace owner may
act), so a forged event by anyone else is refused there and recorded. ``can_manage``
only decides whether the card is drawn. Reads and writes run outside the tab's
state lock.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError

from support_app import routes
from support_app.db import get_engine, read_in_thread
from support_app.i18n import translate
from support_app.services.access import Actor, Forbidden, NotFound
from support_app.services.erasure.person import PersonalDataService, PersonRequestRefused
from support_app.services.erasure.retention import RetentionPeriodRefused, RetentionSettings
from support_app.settings import get_settings
from support_app.ui.states.offboarding import desk_ticket_rows
from support_app.ui.states.session import SessionState

logger = logging.getLogger(__name__)

INPUT_MAX = 300  # longer than any address or period; cut before anything reads it
EXPORT_FILENAME = "personal-data.json"


def _typed(form_data: object, name: str) -> str:
    value = form_data.get(name) if isinstance(form_data, dict) else None
    return value[:INPUT_MAX] if isinstance(value, str) else ""


def _workspace_id(path: str) -> str | None:
    scope = routes.history_scope_from_path(path)
    return scope[1] if scope and scope[0] == "workspace" else None


class DataProtectionState(SessionState):
    can_manage: bool = False
    retention_months: str = ""  # "" off
    working: bool = False
    retention_error: str = ""
    person_error: str = ""
    person_done: str = ""
    desk_tickets: list[dict[str, str]] = []  # of the erased person's requests

    @rx.event(background=True)
    async def load(self):
        """On the workspace page's load: whether the card is drawn, and the period."""
        async with self:
            self.can_manage, self.working = False, False
            self.retention_error = self.person_error = self.person_done = ""
            self.desk_tickets = []
            workspace_id = _workspace_id(self.router.url.path)
        if workspace_id is None:
            return
        outcome = await self._as_actor(
            lambda actor: RetentionSettings(get_engine()).read(actor, workspace_id), read=True
        )
        view = outcome.get("value")
        async with self:
            if view is not None:
                self.can_manage = view.can_manage
                self.retention_months = "" if view.months is None else str(view.months)

    @rx.event(background=True)
    async def save_retention(self, form_data: dict):
        months = _typed(form_data, "months")
        outcome = await self._act(
            lambda actor, wid: RetentionSettings(get_engine()).set(actor, wid, months)
        )
        async with self:
            self.retention_error = outcome.get("error", "")
            if "value" in outcome:
                value = outcome["value"]
                self.retention_months = "" if value is None else str(value)
        for event in outcome.get("events", []):
            yield event
        if "value" in outcome:
            value = outcome["value"]
            key = "retention.saved_off" if value is None else "retention.saved"
            yield rx.toast.success(translate(outcome["locale"], key, months=value))

    @rx.event(background=True)
    async def export_person(self, form_data: dict):
        email = _typed(form_data, "email")
        outcome = await self._act(lambda actor, wid: self._service().export(actor, wid, email))
        async with self:
            self.person_error, self.person_done = outcome.get("error", ""), ""
        for event in outcome.get("events", []):
            yield event
        if "value" in outcome:
            yield rx.download(
                data=json.dumps(outcome["value"], indent=2, ensure_ascii=False),
                filename=EXPORT_FILENAME,
                mime_type="application/json",
            )

    @rx.event(background=True)
    async def erase_person(self, form_data: dict):
        email, note = _typed(form_data, "email"), _typed(form_data, "note")
        confirmed = isinstance(form_data, dict) and form_data.get("confirmed") in ("on", True)
        if not confirmed:
            async with self:
                self.person_error = translate(self.locale, "person.error.unconfirmed")
                self.person_done = ""
            return
        outcome = await self._act(lambda actor, wid: self._service().erase(actor, wid, email, note))
        result = outcome.get("value")
        async with self:
            self.person_error = outcome.get("error", "")
            self.desk_tickets = [] if result is None else desk_ticket_rows(result.desk_tickets)
            self.person_done = (
                ""
                if result is None
                else translate(
                    outcome["locale"],
                    "person.erased",
                    contacts=result.requests_cleared,
                    audit_rows=result.audit_rows_pseudonymised,
                    pseudonym=result.pseudonym,
                )
            )
        for event in outcome.get("events", []):
            yield event

    @staticmethod
    def _service() -> PersonalDataService:
        return PersonalDataService(get_engine(), get_settings().redaction_hash_key)

    async def _act(self, action: Callable[[Actor, str | None], Any]) -> dict[str, Any]:
        """``action`` for the page's workspace, once at a time; what came of it."""
        async with self:
            if self.working:
                return {"events": []}
            self.working = True
            self.retention_error = self.person_error = ""
            workspace_id = _workspace_id(self.router.url.path)
        try:
            return await self._as_actor(lambda actor: action(actor, workspace_id), read=False)
        finally:
            async with self:
                self.working = False

    async def _as_actor(self, call: Callable[[Actor], Any], *, read: bool) -> dict[str, Any]:
        """Run ``call`` for the signed-in actor off the state lock; its value, or the
        error to show under the form, or the toast/redirect to send."""
        async with self:
            locale = self.locale
        outcome: dict[str, Any] = {"locale": locale, "events": []}
        try:
            signed_in = await self._signed_in()
            async with self:
                actor = await self._adopt(signed_in)
            if actor is None:
                outcome["events"].append(rx.redirect(routes.LOGIN))
                return outcome
            if read:
                outcome["value"] = await read_in_thread(call, actor)
            else:
                outcome["value"] = await asyncio.to_thread(call, actor)
        except PersonRequestRefused as refused:
            outcome["error"] = translate(locale, refused.key)
        except RetentionPeriodRefused:
            outcome["error"] = translate(locale, "retention.error.invalid")
        except (NotFound, Forbidden) as denied:
            forbidden = isinstance(denied, Forbidden)
            key = "support.error.forbidden" if forbidden else "support.error.not_found"
            if not read:
                outcome["events"].append(rx.toast.error(translate(locale, key)))
        except SQLAlchemyError as failure:
            logger.error("data protection action failed: %s", type(failure).__name__)
            outcome["error"] = translate(locale, "person.error.database")
        return outcome
