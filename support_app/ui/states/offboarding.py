"""The workspace owner's offboarding of a customer, on the tenant's history page.

Thin, like the redaction: the tenant is the page's URL and the confirmation is what
was typed; the service resolves both again with the actor (owner of the workspace,
the tenant's name typed), so a forged event by anyone else is refused there and
recorded as a denial. ``can_offboard`` on the history state only decides whether
the form is drawn. The result (how many requests, which desk tickets to erase at
the desk) stays on this page until another page is loaded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

import reflex as rx
from sqlalchemy.exc import SQLAlchemyError

from support_app import routes
from support_app.db import get_engine
from support_app.i18n import translate
from support_app.services.access import Forbidden, NotFound
from support_app.services.erasure.offboarding import (
    ConfirmationMismatch,
    OffboardingResult,
    TenantOffboardingService,
)
from support_app.services.erasure.records import DeskTicket
from support_app.ui.states.session import SessionState
from support_app.ui.states.support_history import SupportHistoryState

logger = logging.getLogger(__name__)

CONFIRMATION_MAX = 200  # a tenant name's bound; anything longer cannot match


def desk_ticket_rows(tickets: Iterable[DeskTicket]) -> list[dict[str, str]]:
    """Desk tickets as the page lists them: the ticket (linked) and its request."""
    return [
        {
            "reference": t.reference,
            "href": routes.support_request(t.reference),
            "ticket": t.ticket_reference,
            "url": t.ticket_url or "",
        }
        for t in tickets
    ]


class OffboardingState(SessionState):
    working: bool = False
    error: str = ""
    # The page whose tenant was offboarded ("" none), and what came of it.
    done_for: str = ""
    done_text: str = ""
    desk_tickets: list[dict[str, str]] = []

    @rx.event
    def clear(self) -> None:
        """On every page load: a result belongs to the page it was made on."""
        if self.done_for != self.router.url.path:
            self.done_for, self.done_text, self.desk_tickets = "", "", []
        self.working, self.error = False, ""

    @rx.event(background=True)
    async def offboard(self, form_data: dict):
        async with self:
            if self.working:
                return
            self.working, self.error = True, ""
            locale, path = self.locale, self.router.url.path
        scope = routes.history_scope_from_path(path)
        tenant_id = scope[1] if scope and scope[0] == "tenant" else None
        typed = form_data.get("confirmation") if isinstance(form_data, dict) else None
        if isinstance(typed, str):
            typed = typed[: CONFIRMATION_MAX + 1]
        error, result, toast = "", None, None
        try:
            signed_in = await self._signed_in()
            async with self:
                actor = await self._adopt(signed_in)
            if actor is None:
                async with self:
                    self.working = False
                yield rx.redirect(routes.LOGIN)
                return
            service = TenantOffboardingService(get_engine())
            result = await asyncio.to_thread(service.offboard, actor, tenant_id, typed)
        except ConfirmationMismatch:
            error = translate(locale, "offboarding.error.mismatch")
        except (NotFound, Forbidden) as refused:
            key = (
                "support.error.forbidden"
                if isinstance(refused, Forbidden)
                else "support.error.not_found"
            )
            toast = rx.toast.error(translate(locale, key))
        except SQLAlchemyError as failure:
            logger.error("offboarding interrupted: %s", type(failure).__name__)
            error = translate(locale, "offboarding.error.interrupted")
        async with self:
            self.working, self.error = False, error
            if result is not None:
                self._show_result(locale, path, result)
        if toast is not None:
            yield toast
        if result is not None:
            yield rx.toast.success(self.done_text)
            # By name: a background event's ``self`` is a proxy, not the state's class.
            yield SupportHistoryState.load

    def _show_result(self, locale: str, path: str, result: OffboardingResult) -> None:
        self.done_for = path
        self.done_text = translate(
            locale, "offboarding.done", count=result.requests_erased, tenant=result.tenant_name
        )
        self.desk_tickets = desk_ticket_rows(result.desk_tickets)
