"""The "Request support" dialog opens at the click and fills in behind (issue 22).

The server's answers on the event socket are held back (Playwright routes the socket
through the test), so what the page shows before the server has answered is seen
for certain, not by racing a fast local server.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Page, WebSocketRoute, expect
from sqlmodel import Session, select

from support_app.models import User, WorkspaceMembership
from tests.e2e.conftest import screenshot, signed_in
from tests.e2e.test_support_request import open_request_dialog, tenant_id

# What must not move when the server's answer fills the dialog in.
FIELDS = ("#severity", "#summary", "#reproduction_notes", "#contact_name", "#contact_email")
# Measured once the dialog's opening animation (a zoom) has finished.
BOXES = """async (selectors) => {
  const finite = document.getAnimations().filter(
    (a) => a.effect?.getComputedTiming().endTime !== Infinity);  // not the skeletons' pulse
  await Promise.all(finite.map((a) => a.finished));
  return selectors.map((s) => {
    const r = document.querySelector("dialog[open] " + s).getBoundingClientRect();
    return [s, Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)];
  });
}"""


class HeldAnswers:
    """The event socket, with the server's messages held while ``held`` is set."""

    def __init__(self, page: Page) -> None:
        self.held = False
        self.sent: list[str | bytes] = []  # what the page sent, in order
        self._queue: list[str | bytes] = []
        self._browser_side: WebSocketRoute | None = None
        page.route_web_socket(re.compile(r".*/_event.*"), self._route)

    def _route(self, socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()
        self._browser_side = socket
        server.on_message(self._from_server)

        def to_server(message: str | bytes) -> None:
            self.sent.append(message)
            server.send(message)

        socket.on_message(to_server)

    def closes_sent(self) -> list[bool]:
        """The ``set_dialog_open`` values the page sent, in order."""
        values = []
        for message in self.sent:
            if isinstance(message, str) and "set_dialog_open" in message:
                event = json.loads(message[message.index("[") :])[1]  # 42["event", {…}]
                values.append(event["payload"]["value"])
        return values

    def _from_server(self, message: str | bytes) -> None:
        if self.held:
            self._queue.append(message)
        elif self._browser_side is not None:
            self._browser_side.send(message)

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Hold the server's answers inside the block; deliver them in order after it."""
        self.held = True
        try:
            yield
        finally:
            self.held = False
            queued, self._queue = self._queue, []
            for message in queued:
                assert self._browser_side is not None
                self._browser_side.send(message)


def test_the_dialog_opens_before_the_server_answers_and_nothing_moves_when_it_does(
    page: Page, app_db_session: Session
) -> None:
    answers = HeldAnswers(page)
    signed_in(page, "operator@contoso.example")
    page.goto(f"/tenants/{tenant_id(app_db_session, 'Fabrikam')}")
    expect(page.get_by_role("heading", name="Fabrikam")).to_be_visible()
    dialog = page.get_by_role("dialog")
    with answers.holding():
        open_request_dialog(page)
        # Drawn with what needs no server; the rest waits as skeletons.
        expect(dialog).to_have_attribute("aria-busy", "true")
        expect(dialog.get_by_label("Contact e-mail")).to_have_value("operator@contoso.example")
        expect(dialog.get_by_test_id("attachment-summary")).not_to_contain_text("Canonical")
        dialog.get_by_label("Summary").fill("Typed before the server answered")
        before = page.evaluate(BOXES, list(FIELDS))
        screenshot(page, "support-dialog-opening")
    expect(dialog).to_have_attribute("aria-busy", "false")
    expect(dialog.get_by_test_id("attachment-summary")).to_contain_text(
        "Canonical context references only"
    )
    expect(dialog).to_contain_text("Tenant: Fabrikam")
    expect(dialog.get_by_label("Summary")).to_have_value("Typed before the server answered")
    assert page.evaluate(BOXES, list(FIELDS)) == before
    screenshot(page, "support-dialog-ready")

    with answers.holding():
        dialog.get_by_role("button", name="Submit request").click()
        expect(dialog.get_by_role("button", name="Submitting…")).to_be_disabled()
        expect(dialog.get_by_role("button", name="Cancel")).to_be_disabled()
        page.keyboard.press("Escape")  # refused: the outcome must be seen
        page.keyboard.press("Escape")  # again, without a click between (no user activation)
        expect(dialog).to_be_visible()
        # Nor is the server told "closed": the close could reach the tab's state before
        # the Submit's background step does, and end the dialog and the submit with it.
        for _ in range(100):  # the route hears the page's messages a moment later
            if len(answers.closes_sent()) >= 2:
                break
            page.wait_for_timeout(50)
        assert answers.closes_sent() == [True, True]
    expect(dialog.get_by_test_id("support-reference")).to_be_visible()


def test_closing_returns_focus_to_the_opener_and_a_reopened_dialog_starts_afresh(
    page: Page, app_db_session: Session
) -> None:
    """The dialog is in the page while closed (a native ``<dialog>``): it must still
    behave as a dialog that comes and goes."""
    signed_in(page, "operator@contoso.example")
    page.goto(f"/tenants/{tenant_id(app_db_session, 'Fabrikam')}")
    expect(page.get_by_role("heading", name="Fabrikam")).to_be_visible()
    dialog = page.get_by_role("dialog")
    more = page.get_by_role("button", name="More")
    expect(dialog).to_have_count(0)  # closed: not shown, not in the accessibility tree

    open_request_dialog(page)
    expect(dialog.get_by_role("combobox", name="Severity")).to_be_focused()
    dialog.get_by_label("Summary").fill("Typed, then closed")
    # The severity list opens inside the dialog (above it, and not inert).
    dialog.get_by_role("combobox", name="Severity").click()
    page.get_by_role("option", name="High").click()
    expect(dialog.get_by_role("combobox", name="Severity")).to_have_text("High")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(more).to_be_focused()

    open_request_dialog(page)
    expect(dialog.get_by_label("Summary")).to_have_value("")
    expect(dialog.get_by_role("combobox", name="Severity")).to_have_text("Normal")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(more).to_be_focused()

    open_request_dialog(page)
    page.mouse.click(40, 450)  # on the overlay, beside the panel
    expect(dialog).to_have_count(0)


def test_escape_closes_the_dialog_at_once_and_a_list_inside_first(
    page: Page, app_db_session: Session
) -> None:
    """Escape pressed as the dialog appears used to be lost: the menu that opened it,
    still leaving (its closing animation), took the key. The dialog is on top, so
    Escape is the dialog's; only a list open inside it comes first."""
    signed_in(page, "operator@contoso.example")
    page.goto(f"/tenants/{tenant_id(app_db_session, 'Fabrikam')}")
    expect(page.get_by_role("heading", name="Fabrikam")).to_be_visible()
    dialog = page.get_by_role("dialog")
    for _ in range(3):
        open_request_dialog(page)
        page.keyboard.press("Escape")  # at once: the menu is still leaving
        expect(dialog).to_have_count(0)

    open_request_dialog(page)
    dialog.get_by_role("combobox", name="Severity").click()
    expect(page.get_by_role("listbox")).to_be_visible()
    page.keyboard.press("Escape")  # the list closes, the dialog stays
    expect(page.get_by_role("listbox")).to_have_count(0)
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)


def test_a_refused_open_closes_the_dialog_drawn_at_the_click_with_the_servers_message(
    page: Page, app_db_session: Session
) -> None:
    """Access is the server's: the operator lost the workspace after the page loaded."""
    signed_in(page, "operator@contoso.example")
    page.goto(f"/tenants/{tenant_id(app_db_session, 'Fabrikam')}")
    expect(page.get_by_role("heading", name="Fabrikam")).to_be_visible()
    user = app_db_session.exec(select(User).where(User.email == "operator@contoso.example")).one()
    memberships = list(
        app_db_session.exec(
            select(WorkspaceMembership).where(WorkspaceMembership.user_id == user.id)
        )
    )
    kept = [(m.workspace_id, m.user_id, m.role) for m in memberships]
    for membership in memberships:
        app_db_session.delete(membership)
    app_db_session.commit()
    try:
        page.get_by_role("button", name="More").click()
        page.get_by_role("menuitem", name="Request support").click()
        expect(page.get_by_text("Not found. This record does not exist")).to_be_visible()
        expect(page.get_by_role("dialog")).to_have_count(0)
        screenshot(page, "support-dialog-refused-at-the-click")
    finally:
        for workspace_id, user_id, role in kept:
            app_db_session.add(
                WorkspaceMembership(workspace_id=workspace_id, user_id=user_id, role=role)
            )
        app_db_session.commit()
