"""Which handoff a submit had chosen, read from the form as the browser sent it
(``dialog_recovery`` runs before Reflex turns the form's entries into a dict)."""

from __future__ import annotations

import pytest

from support_app.ui.states.dialog_recovery import _chosen_handoff


def _sent(*entries: object) -> dict:
    return {"form_data": {"__reflex_form_data__": list(entries)}}


@pytest.mark.parametrize(
    ("payload", "chosen"),
    [
        (
            _sent(["summary", "x"], ["handoff_mode_choice", "create_external_ticket"]),
            "create_external_ticket",
        ),
        (_sent(["summary", "x"]), None),  # no choice sent: the dialog's default stays
        ({"form_data": {"handoff_mode_choice": "link_existing_ticket"}}, "link_existing_ticket"),
        (_sent("not a pair"), None),
        (_sent([1, 2, 3]), None),
        ({"form_data": "text"}, None),
        ({}, None),
        ("payload", None),
    ],
)
def test_the_chosen_handoff_is_read_from_the_form_as_sent(payload: object, chosen: object) -> None:
    assert _chosen_handoff(payload) == chosen
