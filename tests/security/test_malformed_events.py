"""Malformed events: a clear, translated error, nothing stored, the socket still usable.

The operator's dialog is open (and bound) on Fabrikam before every case, so a
well-formed submit in the same place would be stored; each malformed one must not
be. After each case the tab must still work: a probe answers and a legitimate
``open_dialog`` opens the dialog.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from support_app.i18n import translate
from support_app.ui.states.support_request import SupportRequestState
from tests.event_client import EventClient, Update
from tests.security.conftest import OPERATOR, World, run, signed_in_tab
from tests.security.surface import VALID_FORM

SR = SupportRequestState.get_full_name()
# The message up to its error reference (each answer carries its own).
MALFORMED_TOAST = translate("en", "event.error.malformed", reference="").split(" (")[0]
# Just under the socket's frame limit (Reflex: 1,000,000 bytes per message).
LARGE = 900_000


def _form(**fields: object) -> dict[str, Any]:
    return {"form_data": {**VALID_FORM, **fields}}


def _errors(expected: dict[str, str]) -> Callable[[Update], bool]:
    return lambda u: u.delta.get(SR, {}).get("errors_rx_state_") == expected


def _toast(text: str) -> Callable[[Update], bool]:
    return lambda u: text in u.raw


FORM_MALFORMED = _errors({"form": "support.error.malformed"})
CASES: dict[str, tuple[dict[str, Any], Callable[[Update], bool]]] = {
    "form_data is a list": ({"form_data": ["summary", "x"]}, FORM_MALFORMED),
    "form_data is a string": ({"form_data": "summary=x"}, FORM_MALFORMED),
    "form_data is null": ({"form_data": None}, FORM_MALFORMED),
    "form_data is a number": ({"form_data": 7}, FORM_MALFORMED),
    "form_data is missing": ({}, _toast(MALFORMED_TOAST)),
    "an extra argument": ({**_form(), "as_user": 1}, _toast(MALFORMED_TOAST)),
    "summary is an object": (
        _form(summary={"x": "y"}),
        _errors({"summary": "support_request.error.invalid"}),
    ),
    "every field is a list": (
        {"form_data": {name: ["x"] for name in VALID_FORM}},
        _errors(
            {
                "severity": "support_request.error.invalid",
                "summary": "support_request.error.invalid",
                "reproduction_notes": "support_request.error.invalid",
                "contact_name": "support_request.error.invalid",
                "contact_email": "support_request.error.invalid",
            }
        ),
    ),
    "a 0.9 MB summary": (
        _form(summary="x" * LARGE),
        _errors({"summary": "support_request.error.summary_too_long"}),
    ),
    "a 0.9 MB notes field": (
        _form(reproduction_notes="y" * LARGE),
        _errors({"reproduction_notes": "support_request.error.reproduction_notes_too_long"}),
    ),
    "NUL and control characters": (
        _form(summary="Backups\x00fail\x1b[2J", contact_name="Eve\x07\u202e"),
        _errors(
            {
                "summary": "support_request.error.control_characters",
                "contact_name": "support_request.error.control_characters",
            }
        ),
    ),
}


async def _dialog_open(tab: EventClient, path: str) -> None:
    await tab.call(f"{SR}.close_on_page_load", path=path)
    await tab.call(f"{SR}.open_dialog", path=path)
    assert tab.var(SR, "dialog_open") is True


async def _case(app: str, world: World, payload: dict, shown: Callable[[Update], bool]) -> int:
    """Send the malformed submit; return how many requests were stored."""
    fabrikam = f"/tenants/{world.tenants['Fabrikam'].id}"
    before = len(world.requests())
    tab = await signed_in_tab(app, OPERATOR)
    try:
        await _dialog_open(tab, fabrikam)
        since = len(tab.updates)
        await tab.send(f"{SR}.submit", payload, path=fabrikam)
        await tab.wait_for(shown, since=since, timeout=30)
        await tab.probe(path=fabrikam)
        assert "Traceback" not in tab.received_text(since)
        await _dialog_open(tab, fabrikam)  # the tab still works
    finally:
        await tab.close()
    return len(world.requests()) - before


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_malformed_submit_is_answered_and_stores_nothing(
    app: str, world: World, case: str
) -> None:
    payload, shown = CASES[case]
    assert run(lambda: _case(app, world, payload, shown)) == 0


def test_a_malformed_event_is_logged_once_without_a_traceback(
    app: str, app_log: Path, world: World
) -> None:
    logged_before = len(app_log.read_bytes())
    assert run(lambda: _case(app, world, {}, _toast(MALFORMED_TOAST))) == 0
    deadline = time.monotonic() + 10
    while True:
        logged = app_log.read_bytes()[logged_before:].decode(errors="replace")
        if "malformed event refused" in logged or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert logged.count("malformed event refused") == 1, logged
    assert "Traceback" not in logged, logged


async def _broken_frames(app: str, world: World) -> list[str]:
    """Frames that are not events at all; the socket must survive each."""
    fabrikam = f"/tenants/{world.tenants['Fabrikam'].id}"
    survived = []
    tab = await signed_in_tab(app, OPERATOR)
    try:
        for label, raw in (
            ("a string", "garbage"),
            ("a list", ["event", 1]),
            ("router_data a string", {"name": f"{SR}.open_dialog", "router_data": "x"}),
            ("payload a list", {"name": f"{SR}.open_dialog", "payload": [1, 2]}),
            ("an unknown handler", {"name": f"{SR}.drop_tables", "payload": {}}),
            ("an unknown state", {"name": "evil___state.x", "payload": {}}),
            ("no name", {"payload": {}}),
        ):
            await tab.send("", raw=raw)
            await tab.probe(path=fabrikam, timeout=10)
            survived.append(label)
    finally:
        await tab.close()
    return survived


def test_frames_that_are_not_events_leave_the_socket_usable(app: str, world: World) -> None:
    before = world.writes()
    assert len(run(lambda: _broken_frames(app, world))) == 7
    assert world.writes() == before


async def _oversized(app: str, world: World) -> tuple[bool, int]:
    """A frame over the server's limit: the server drops that socket; a new one works."""
    fabrikam = f"/tenants/{world.tenants['Fabrikam'].id}"
    before = len(world.requests())
    tab = await signed_in_tab(app, OPERATOR)
    try:
        await _dialog_open(tab, fabrikam)
        await tab.send(f"{SR}.submit", _form(summary="z" * 1_100_000), path=fabrikam)
        for _ in range(50):
            if not tab.connected:
                break
            await asyncio.sleep(0.1)
        dropped = not tab.connected
    finally:
        await tab.close()
    again = EventClient(app, token=tab.token, cookie=tab.cookie)
    await again.connect()
    try:
        await _dialog_open(again, fabrikam)
    finally:
        await again.close()
    return dropped, len(world.requests()) - before


def test_a_frame_over_the_limit_is_dropped_and_the_tab_reconnects(app: str, world: World) -> None:
    assert run(lambda: _oversized(app, world)) == (True, 0)
