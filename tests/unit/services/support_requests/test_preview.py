"""The preview of a support request: stored text, removal counts, the readable context."""

from __future__ import annotations

import pytest

from support_app.i18n import LOCALES, catalog
from support_app.models.support_request import NOTES_MAX, SUMMARY_MAX
from support_app.services.redaction import CATALOGUE, placeholder, redact_text
from support_app.services.support_requests.preview import (
    ContextRow,
    in_catalogue_order,
    preview_notes,
    preview_summary,
    readable_context,
    stored_text,
)
from support_app.ui.states.support_request import _removed_line

TEAMS = (
    "https://contoso.webhook.office.com/webhookb2/3f2a9c1e@72f988bf/IncomingWebhook/"
    "9b8a7c6d5e4f/6d1e2f3a/V2kR3mXw9Pq7"
)


def test_stored_text_is_trimmed_redacted_and_what_the_desk_gets() -> None:
    text = f"  Das Passwort lautet Fruehling2026, alerts go to {TEAMS}  "
    stored = stored_text(text, NOTES_MAX)
    assert stored == (
        f"Das Passwort lautet {placeholder('stated-secret')}, alerts go to "
        f"https://contoso.webhook.office.com/webhookb2/{placeholder('teams-webhook')}"
    )
    assert redact_text(stored) == stored  # the desk ticket redacts again: nothing changes


def test_stored_text_fits_its_column_when_placeholders_grow_it() -> None:
    text = ("pw=x " * (SUMMARY_MAX // 5)).strip()
    assert len(text) <= SUMMARY_MAX
    stored = stored_text(text, SUMMARY_MAX)
    assert len(stored) == SUMMARY_MAX and stored.endswith("…")
    assert "pw=x" not in stored


def test_removed_counts_name_the_detectors_and_skip_typed_placeholders() -> None:
    shown = preview_notes(
        f"the password is Welcome2026! and {TEAMS}; token=abc123 token=def456; "
        "I typed [redacted:secret-key] myself"
    )
    assert shown.removed == {"teams-webhook": 1, "secret-key": 2, "stated-secret": 1}
    assert list(shown.removed) == [  # catalogue order
        d.name for d in CATALOGUE if d.name in shown.removed
    ]
    assert preview_summary("Backup fails").removed == {}


def test_counts_of_both_fields_add_up_in_catalogue_order() -> None:
    assert in_catalogue_order({"email": 1, "secret-key": 1}, {"secret-key": 2}) == {
        "secret-key": 3,
        "email": 1,
    }


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Removed before storing: 1 Teams webhook, 2 secret values."),
        ("de", "Vor dem Speichern entfernt: 1 Teams-Webhook, 2 geheime Werte."),
    ],
)
def test_the_removed_line_reads_in_both_languages(locale: str, expected: str) -> None:
    assert _removed_line(locale, {"teams-webhook": 1}, {"secret-key": 2}) == expected
    assert "nothing removed" in _removed_line("en", {}, {}).lower()


@pytest.mark.parametrize("locale", LOCALES)
def test_every_detector_has_a_label_in_every_language(locale: str) -> None:
    strings = catalog(locale)
    for detector in CATALOGUE:
        for form in ("one", "other"):
            assert "{count}" in strings[f"redaction.detector.{detector.name}.{form}"]


def test_the_context_reads_as_rows_with_one_heading_per_section() -> None:
    envelope = {
        "schema_version": 1,
        "primary_context": {"type": "tenant", "tenant_id": 3},
        "references": {"tenant": {"id": 3, "name": "Fabrikam"}, "open_findings": []},
        "redaction": {"applied": True, "excluded": ["provider credentials and tokens"]},
    }
    assert readable_context(envelope) == [
        ContextRow("schema_version", "schema version", "1"),
        ContextRow("primary_context", "type", "tenant"),
        ContextRow("", "tenant id", "3"),
        ContextRow("references", "tenant · id", "3"),
        ContextRow("", "tenant · name", "Fabrikam"),
        ContextRow("", "open findings", "—"),
        ContextRow("redaction", "applied", "true"),
        ContextRow("", "excluded · 1", "provider credentials and tokens"),
    ]
    for section in ("primary_context", "references", "redaction", "attachment"):
        assert f"support.preview.section.{section}" in catalog("de")
