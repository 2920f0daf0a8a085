"""Loading and scoring the redaction corpus (see README.md in this folder).

One scoring rule for the test and the benchmark: a secret case *survives* when any of
its secrets, or a 5-character piece of one that is not ordinary text of the case, is
still in the redacted text; a harmless line *changes* when its redaction differs
from it at all.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from support_app.services.redaction import CATALOGUE, placeholder

CORPUS = Path(__file__).resolve().parent
SETS = ("development", "holdout")
_PLACEHOLDER_TEXT = " ".join(placeholder(d.name) for d in CATALOGUE)


@dataclass(frozen=True)
class Case:
    """One labelled text: its secrets (none for a harmless line)."""

    id: str
    source: str
    family: str
    lang: str
    text: str
    secrets: tuple[str, ...]

    @property
    def harmless(self) -> bool:
        return not self.secrets


def cases(set_name: str) -> list[Case]:
    """Every case of one set, in file and line order."""
    found = []
    for path in sorted((CORPUS / set_name).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                raw = json.loads(line)
                found.append(
                    Case(
                        id=raw["id"],
                        source=raw["source"],
                        family=raw["family"],
                        lang=raw["lang"],
                        text=raw["text"],
                        secrets=tuple(raw["secrets"]),
                    )
                )
    return found


def _pieces(secret: str, size: int = 5) -> Iterator[str]:
    size = min(size, len(secret))
    return (secret[i : i + size] for i in range(len(secret) - size + 1))


def left_over(case: Case, redacted: str) -> list[str]:
    """The secrets of ``case`` (or pieces of them) still in ``redacted``."""
    left = []
    for secret in case.secrets:
        if secret in redacted:
            left.append(secret)
            continue
        ordinary = case.text.replace(secret, "\0") + _PLACEHOLDER_TEXT
        left += [p for p in _pieces(secret) if p in redacted and p not in ordinary]
    return left


def failed(case: Case, redacted: str) -> bool:
    """A secret case that survives, or a harmless line that changed."""
    return redacted != case.text if case.harmless else bool(left_over(case, redacted))


@dataclass
class Score:
    """How one set fared: survivors among secret cases, changes among harmless lines."""

    secret_cases: int = 0
    survived: list[Case] = field(default_factory=list)
    harmless_lines: int = 0
    changed: list[Case] = field(default_factory=list)
    by_family: Counter[str] = field(default_factory=Counter)

    @property
    def survival_rate(self) -> float:
        return len(self.survived) / max(self.secret_cases, 1)

    @property
    def change_rate(self) -> float:
        return len(self.changed) / max(self.harmless_lines, 1)


def score(set_cases: list[Case], redact: Callable[[str], str]) -> Score:
    result = Score()
    for case in set_cases:
        redacted = redact(case.text)
        if case.harmless:
            result.harmless_lines += 1
            if redacted != case.text:
                result.changed.append(case)
        else:
            result.secret_cases += 1
            if left_over(case, redacted):
                result.survived.append(case)
                result.by_family[case.family] += 1
    return result
