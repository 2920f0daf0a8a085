"""An open "Request support" dialog survives the loss of its tab's server-side state.

Reflex keeps each tab's state in Redis (several workers). When that state is gone -
Redis restarted (it may run without persistence) or the state expired - the tab's
next event finds none: Reflex makes a fresh state and, before running the event,
sends the tab all of it and runs the page's load events again. In a fresh state the
dialog is closed and unbound, so the operator's open dialog closed under them with
everything they had typed, and the event that found the loss (a Submit) ran on the
closed dialog and did nothing, without a word.

So this middleware runs first (Reflex calls middleware before that resend). An
event that only an open dialog sends, arriving on a fresh state - no page load has
completed on it (``is_hydrated``) and no signed-in session is recorded in it
(``SessionState._owner_session``), while a live tab showing a dialog has both -
reopens the dialog on the page's context: actor from the cookie, context from the
page's URL, access checked again, exactly as "Request support" does
(``SupportRequestState._reopen_after_state_loss``). The resent state then shows the
dialog open, so the browser keeps it and its fields as they are (the dialog sits
beside the page's content, which shows a spinner while the page loads again:
``more_menu.with_support_dialogs``), and the Submit goes on and stores what the
operator sees. The preview of what will be stored was lost with the state and only
the browser holds the text, so the browser is asked to send both fields again to
the handlers that preview what is typed (else the preview would say "(empty)"
beside a filled-in summary).

Nothing the browser claims is trusted beyond what ``open_dialog`` trusts: any
browser may open the dialog on a page whose tenant its user may request support for.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.middleware.middleware import Middleware
from reflex_base.event import Event
from reflex_base.event.context import EventContext
from reflex_base.utils.form import form_data_as_dict

from support_app.ui.states.session import SessionState
from support_app.ui.states.support_request import SupportRequestState

_SUBMIT = f"{SupportRequestState.get_full_name()}.submit"
# Events only an open dialog sends (typing, the handoff choice, the preview, Submit,
# "New request"); closing it (``set_dialog_open``) is not one of them.
_OPEN_DIALOG_EVENTS = frozenset(
    f"{SupportRequestState.get_full_name()}.{name}"
    for name in (
        "submit",
        "preview_summary_typed",
        "preview_notes_typed",
        "set_handoff_mode",
        "load_preview",
        "start_new_request",
    )
)


def _chosen_handoff(payload: Any) -> object:
    """The handoff option a submitted form had checked (validated by the state)."""
    try:  # the form as sent: Reflex turns its [name, value] entries into a dict later
        form = form_data_as_dict(payload.get("form_data")) if isinstance(payload, dict) else None
    except (TypeError, ValueError):  # entries that are not [name, value] pairs
        return None
    return form.get("handoff_mode_choice") if isinstance(form, dict) else None


class DialogRecovery(Middleware):
    """Reopens the dialog of a tab whose state was lost (see the module's docstring)."""

    async def preprocess(self, app, state, event):
        if event.name not in _OPEN_DIALOG_EVENTS:
            return None
        if state.is_hydrated or (await state.get_state(SessionState))._owner_session:
            return None  # the tab's state is alive
        dialog = await state.get_state(SupportRequestState)
        reopened = await dialog._reopen_after_state_loss(_chosen_handoff(event.payload))
        if reopened and event.name != _SUBMIT:  # a submit ends in its result instead
            await _ask_for_the_previews()
        return None


async def _ask_for_the_previews() -> None:
    """Have the browser send the summary and notes it holds to their preview handlers
    (the fields' ids are the form's, ``components.support_request_dialog``)."""
    asks = [
        rx.call_script(f"document.getElementById('{field}')?.value ?? ''", callback=handler)
        for field, handler in (
            ("summary", SupportRequestState.preview_summary_typed),
            ("reproduction_notes", SupportRequestState.preview_notes_typed),
        )
    ]
    await EventContext.get().emit_event(*Event.from_event_type(asks))
