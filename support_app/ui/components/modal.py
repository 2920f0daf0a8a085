"""The app's modal dialog: the browser's own ``<dialog>``, opened with ``showModal()``.

A click that opens a dialog should do almost no work (issue 22). Radix's dialog
mounts its whole content at the click and then measures and locks the page in
script (``Presence``, the focus scope, ``react-remove-scroll``): 55 ms of a click's
script, 20 of it forced style and layout. The browser does all of that itself for
a ``<dialog>`` in its top layer: the page behind is inert (no focus or click
reaches it), focus goes into the dialog, Escape asks to close it, and it is a
dialog to assistive technology. So the content is mounted with the page, hidden
while closed, and opening it only shows it (``native_modal.jsx``); after a close it
is mounted afresh behind the scenes, so a reopened form is empty as before.

It draws what Radix Themes' dialog draws (its panel classes, sizes, animation and
overlay colour), and is driven the same way: ``open`` decides, ``on_open_change``
gets ``False`` when the operator asks to close it (Escape, a press outside the
panel, a button with ``close_button_attrs``); focus returns to the opener.

What is portalled out of a dialog (a select's list) must be portalled into it
instead, or it is drawn under the top layer and inert: ``portal_into``.
"""

from __future__ import annotations

import reflex as rx
from reflex_base.event import EventHandler, passthrough_event_spec
from reflex_base.vars.base import Var

_LIBRARY = rx.asset("native_modal.jsx", shared=True).importable_path
rx.asset("native_modal.css", shared=True)  # imported by the component's module


class Modal(rx.Component):
    """A native modal ``<dialog>``; its children are the panel's content. Style props
    style the panel (as ``rx.dialog.content``'s do); ``id`` and ``custom_attrs`` (its
    ``aria-labelledby``, ``aria-describedby``, ``aria-busy``) go on the dialog."""

    library = _LIBRARY
    tag = "NativeModal"

    open: Var[bool]
    on_open_change: EventHandler[passthrough_event_spec(bool)]


def close_button_attrs(modal_id: str) -> dict[str, str]:
    """What makes a button close the modal ``modal_id`` like Escape does (asks
    ``on_open_change``, which may refuse): the browser's own invoker command."""
    return {"command": "request-close", "commandfor": modal_id}


def portal_into(modal_id: str, shown: Var[bool]) -> Var:
    """The element a popup inside the modal must portal into (its ``container``).

    Looked up while ``shown`` (the modal's ``open``): a prop that depends on a var is
    evaluated when that var changes, by then the ``<dialog>`` is in the page.
    """
    return rx.cond(shown, Var(f"document.getElementById({modal_id!r})"), Var("undefined"))
