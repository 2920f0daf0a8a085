"""Handoff copy: what each mode changes, and failures in the reader's language."""

from __future__ import annotations

import asyncio
import json
import string

import httpx
import pytest

from support_app.canonical_json import canonical_json
from support_app.i18n import LOCALES, catalog, failure_text, translate
from support_app.models.support_request import HANDOFF_MODES
from support_app.services.support_desk import client
from support_app.services.support_desk.contract import HandoffOutcome, OutboundTicket
from support_app.services.support_desk.handoff import (
    ExternalSupportDeskHandoffService,
    app_stopped_failure,
)
from support_app.settings import SupportDeskTarget

# Contract 1: every failure kind and the parameters it carries.
KINDS: dict[str, set[str]] = {
    "unavailable": set(),
    "timeout": {"seconds", "reference"},
    "tls": set(),
    "connection_refused": set(),
    "connection_closed": {"reference"},
    "request_not_sent": set(),
    "redirect": {"status"},
    "http_401": set(),
    "http_403": set(),
    "http_422": {"fields"},
    "http_429": set(),
    "http_4xx": {"status"},
    "http_5xx": {"status"},
    "oversized": {"kib", "reference"},
    "malformed": {"status", "reference"},
    "unexpected": {"reference"},
    "app_stopped": {"reference"},
    "outcome_not_recorded": {"reference"},
}
STORED = "The external support desk did not answer within 5 seconds; the outcome is unknown."
REF = "SR-01JDQ4N5X7Y8Z9A0B1C2D3E4F5"


def test_the_scope_line_tells_what_each_mode_changes() -> None:
    scope = {mode: translate("en", f"handoff.scope.{mode}") for mode in HANDOFF_MODES}
    assert scope == {
        "internal_only": "TenantPilot only",
        "create_external_ticket": "TenantPilot + external support desk",
        "link_existing_ticket": (
            "TenantPilot only — links a ticket that already exists; the desk is not changed"
        ),
    }
    german = translate("de", "handoff.scope.link_existing_ticket")
    assert german.startswith("nur TenantPilot") and "nicht verändert" in german


@pytest.mark.parametrize("locale", LOCALES)
def test_every_kind_has_an_entry_with_exactly_its_parameters(locale: str) -> None:
    entries = {k: v for k, v in catalog(locale).items() if k.startswith("handoff.failure.")}
    assert set(entries) == {f"handoff.failure.{kind}" for kind in KINDS}
    for kind, params in KINDS.items():
        text = entries[f"handoff.failure.{kind}"]
        fields = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
        assert fields == params, kind


def test_a_timeout_reads_in_german_with_its_values() -> None:
    params = json.dumps({"seconds": 5, "reference": REF})
    german = failure_text("de", "timeout", params, STORED)
    assert german == (
        "Der externe Support-Desk hat nicht innerhalb von 5 Sekunden geantwortet; das Ergebnis"
        " ist unbekannt, und der Support-Desk enthält möglicherweise bereits ein Ticket mit der"
        f" externen ID {REF}."
    )
    assert failure_text("en", "timeout", params, STORED).startswith(
        "The external support desk did not answer within 5 seconds;"
    )


def test_http_status_and_fields_are_filled_in() -> None:
    assert "(HTTP 503)" in failure_text("de", "http_5xx", '{"status": 503}', STORED)
    assert "Felder: subject, priority." in failure_text(
        "de", "http_422", '{"fields": "subject, priority"}', STORED
    )
    assert "Felder: nicht genannt." in failure_text("de", "http_422", '{"fields": ""}', STORED)


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("", "{}"),  # an older row without a kind
        ("a_kind_added_later", "{}"),
        ("timeout", "{}"),  # parameters missing
        ("timeout", "not json"),
        ("timeout", '["seconds"]'),
        ("timeout", '{"seconds": {"nested": 1}, "reference": "x"}'),
        ("timeout", '{"seconds": true, "reference": "x"}'),
    ],
)
def test_anything_that_does_not_fit_shows_the_stored_line(kind: str, params: str) -> None:
    assert failure_text("de", kind, params, STORED) == STORED


def test_kinds_without_parameters_ignore_an_empty_object() -> None:
    assert failure_text("de", "http_429", "{}", STORED).startswith(
        "Der externe Support-Desk begrenzt"
    )
    assert failure_text("de", "http_429", "", STORED).startswith("Der externe Support-Desk")


def _desk_outcome(answer: httpx.Response | Exception | None) -> HandoffOutcome:
    """What the handoff service makes of one desk answer (``None``: no desk configured)."""

    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(answer, Exception):
            raise answer
        return answer

    target = SupportDeskTarget(base_url="https://desk.example", email="a@b.example", api_token="t")
    service = ExternalSupportDeskHandoffService(
        None if answer is None else target, transport=httpx.MockTransport(handler)
    )
    outbound = OutboundTicket(
        support_reference=REF, subject="s", body="b", severity="normal", tags=("t",)
    )
    return asyncio.run(service.create_ticket(outbound))


@pytest.mark.parametrize(
    "answer",
    [
        None,
        httpx.ReadTimeout("slow"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("closed"),
        httpx.UnsupportedProtocol("ftp"),
        RuntimeError("a bug"),
        httpx.Response(302, headers={"location": "https://elsewhere.example"}),
        httpx.Response(401),
        httpx.Response(403),
        httpx.Response(422, json={"details": {"subject": ["x"], "priority": ["y"]}}),
        httpx.Response(422, json={"error": "no details"}),
        httpx.Response(429),
        httpx.Response(418),
        httpx.Response(503),
        httpx.Response(201, json={"ticket": {}}),
        httpx.Response(201, content=b"x" * (client.MAX_RESPONSE_BYTES + 1)),
    ],
    ids=lambda a: f"http_{a.status_code}" if isinstance(a, httpx.Response) else type(a).__name__,
)
def test_the_english_entry_says_what_the_stored_line_says(
    answer: httpx.Response | Exception | None,
) -> None:
    # The catalog is rendered in place of the stored line, so in English both must
    # read the same; in German the entry is a translation of this sentence.
    outcome = _desk_outcome(answer)
    assert outcome.failure_kind in KINDS
    rendered = failure_text(
        "en", outcome.failure_kind, canonical_json(outcome.failure_params), stored_line="(stored)"
    )
    assert rendered == outcome.failure_summary


def test_the_english_entry_for_a_stopped_app_says_what_the_sweep_stores() -> None:
    outcome = app_stopped_failure(REF)
    rendered = failure_text(
        "en", outcome.failure_kind, canonical_json(outcome.failure_params), stored_line="(stored)"
    )
    assert rendered == outcome.failure_summary
