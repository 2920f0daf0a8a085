"""What a support request will store and send, shown before it is submitted.

A request is frozen for good and may go to an external desk, so the operator sees
its summary and notes exactly as they will be stored: ``stored_text`` is the one
function the submission stores them with and the preview shows them with (the desk
ticket is built from the stored request, and redacting twice changes nothing), so
stored == preview == sent. The preview also says what was removed, counted by
detector, and lays the context envelope out for reading.

Nothing here keeps the raw text: callers hold only what these functions return.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from support_app.models.support_request import NOTES_MAX, SUMMARY_MAX
from support_app.services.redaction import CATALOGUE, redact_text

_PLACEHOLDER = re.compile(r"\[redacted:([a-z0-9-]+)\]")
_ORDER = {d.name: i for i, d in enumerate(CATALOGUE)}


def stored_text(text: str, max_length: int) -> str:
    """``text`` as a request stores it: trimmed, redacted, within ``max_length``.

    A placeholder may be longer than what it replaced, so the redacted text is cut
    (with "…") when it no longer fits the column.
    """
    redacted = redact_text(text.strip())
    return redacted if len(redacted) <= max_length else redacted[: max_length - 1] + "…"


def removed_by_detector(original: str, stored: str) -> dict[str, int]:
    """How many secrets of each detector ``stored`` lost against ``original``.

    Placeholders the operator typed are not counted: only those the redaction added.
    """
    return in_catalogue_order(
        Counter(_PLACEHOLDER.findall(stored)) - Counter(_PLACEHOLDER.findall(original))
    )


def in_catalogue_order(*counts: dict[str, int]) -> dict[str, int]:
    """The counts of several fields added up, in the catalogue's order of detectors."""
    total: Counter[str] = Counter()
    for count in counts:
        total.update(count)
    ordered = sorted((n for n in total if total[n] > 0), key=lambda n: _ORDER.get(n, len(_ORDER)))
    return {name: total[name] for name in ordered}


@dataclass(frozen=True)
class TextPreview:
    """One field as it will be stored, and what redaction removed from it."""

    text: str
    removed: dict[str, int] = field(default_factory=dict)


def preview_text(text: str, max_length: int) -> TextPreview:
    """The field ``text`` as ``stored_text`` stores it, with its removal counts."""
    stored = stored_text(text, max_length)
    return TextPreview(stored, removed_by_detector(text, stored))


def preview_summary(text: str) -> TextPreview:
    return preview_text(text, SUMMARY_MAX)


def preview_notes(text: str) -> TextPreview:
    return preview_text(text, NOTES_MAX)


@dataclass(frozen=True)
class ContextRow:
    """One leaf of the context envelope: its section, the path to it, its value.

    ``heading`` is the section's name on its first row and empty on the others, so a
    flat list renders with one heading per section.
    """

    heading: str
    field: str
    value: str


def readable_context(envelope: dict[str, Any]) -> list[ContextRow]:
    """The envelope as rows for reading: "tenant · name: Fabrikam", not JSON.

    Sections are the envelope's top-level keys; lists are numbered from 1; empty
    containers show as "—".
    """
    rows: list[ContextRow] = []
    headed: set[str] = set()

    def walk(section: str, path: tuple[str, ...], value: Any) -> None:
        if isinstance(value, dict) and value:
            for key, child in value.items():
                walk(section, (*path, str(key).replace("_", " ")), child)
        elif isinstance(value, list) and value:
            for number, child in enumerate(value, start=1):
                walk(section, (*path, str(number)), child)
        else:
            empty = value is None or value == {} or value == []
            text = "—" if empty else str(value).lower() if isinstance(value, bool) else str(value)
            heading = "" if section in headed else section
            headed.add(section)
            # a value right under its section ("schema_version": 1) is named by its key
            name = " · ".join(path) or section.replace("_", " ")
            rows.append(ContextRow(heading, name, text))

    for section, value in envelope.items():
        walk(str(section), (), value)
    return rows
