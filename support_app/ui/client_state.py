"""What the browser shows at a click, before the server has answered (issue 22).

A click that waits for the server shows its effect a round trip late; the operator
should see it in the same frame. So the "Request support" dialog opens, and its
Submit button says "Submitting…", on the client, from these client-side vars
(React state, never sent to the server), while the server's answer fills in behind.
They decide only what is drawn: access and everything the dialog shows that needs it
still come from the server's state.

"Waiting for the server" is kept without the server having to clear a flag: at the
click the browser remembers the server's current answer id (``open_answer``,
``submit_answer`` of ``SupportRequestState``, a new random id with each answer);
while the two are equal, the answer has not come. A lost or replaced server state
has other ids, so nothing waits for an answer that can no longer come; and a failed
event clears the waits (``event_errors``), since its answer never comes either.
"""

from __future__ import annotations

from reflex.event import EventSpec
from reflex.experimental.client_state import ClientStateVar

# Whether the operator has the dialog open (the click opens it, closing closes it;
# the server can still keep it closed: see ``support_request_dialog``).
DIALOG_SHOWN = ClientStateVar.create("sa_dialog_shown", default=False)
# The server's ``open_answer`` when "Request support" was clicked ("" when none is awaited).
OPEN_ASKED = ClientStateVar.create("sa_dialog_open_asked", default="")
# The server's ``submit_answer`` when Submit was clicked ("" when none is awaited).
SUBMIT_ASKED = ClientStateVar.create("sa_dialog_submit_asked", default="")


def stop_waiting() -> list[EventSpec]:
    """Browser-only events that stop every wait for a server answer (a failed event's)."""
    return [OPEN_ASKED.push(""), SUBMIT_ASKED.push("")]
