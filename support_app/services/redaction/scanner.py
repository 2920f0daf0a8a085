"""One pass over a text with all the detectors that could match in it.

Redaction runs over the whole context envelope of every submission, so it has to be
cheap for the common case and bounded for the rest:

1. triggers: one search for the catalogue's trigger literals (merged into a trie)
   over the lower-cased text. Most strings of an envelope (names, statuses,
   timestamps) contain none and are returned as they are; otherwise the triggers
   found select the detectors that can match at all. A form without any literal (a
   BitLocker key) has a shape trigger, searched only in texts that hold enough of
   its character.
2. one alternation of the selected detectors (compiled once per selection and
   cached) walks the text; where it stops, the matching detector — and, if its
   ``locate`` step declines, every later one that matches at the same position —
   decides what to remove. What a match holds before the secret it removes is
   scanned too ("net use Z: \\\\fs\\s /user:<e-mail> <password>").

Multi-line private-key blocks are a pass of their own, before the others, so a key
block always wins over a ``private_key: -----BEGIN …`` key-value match.

Idempotent: every ``locate`` step keeps a placeholder that already stands where it
would redact, so redacting a redacted text changes nothing.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable

from support_app.services.redaction.catalogue import CATALOGUE
from support_app.services.redaction.named_fields import redact_table_columns
from support_app.services.redaction.stated_in_prose import redact_statements
from support_app.services.redaction.syntax import Detector, Finding, Redact, Verdict, placeholder

_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


def _branch(detector: Detector) -> str:
    """The detector's pattern as one branch of an alternation.

    The branch ends in an empty capturing group, so ``lastindex`` names the detector
    that matched, and starts with the detector's own first token, so the engine can
    rule most branches out by one character.
    """
    source = detector.pattern.pattern
    if "(?P=" in source:
        raise ValueError(f"{detector.name}: back-references cannot be combined")
    flags = "i" if detector.pattern.flags & re.IGNORECASE else ""
    return f"(?{flags}:{_NAMED_GROUP.sub('(?:', source)})()"


class _Selection:
    """Some detectors of a pass, in catalogue order, compiled into alternations."""

    def __init__(self, detectors: tuple[Detector, ...]) -> None:
        self._detectors = detectors
        self._search = self._from(0)

    @functools.cache  # noqa: B019 (selections are cached for the life of the process)
    def _from(self, first: int) -> re.Pattern[str]:
        """The alternation of the detectors from index ``first`` on."""
        combined = re.compile("|".join(_branch(d) for d in self._detectors[first:]))
        if combined.groups != len(self._detectors) - first:
            raise ValueError("a detector pattern has an unnamed capturing group")
        return combined

    def _verdict(
        self, text: str, at: int, first: int, allowed: frozenset[str]
    ) -> tuple[Detector, Verdict] | None:
        """The first detector from index ``first`` on that accepts a match at ``at``."""
        while first < len(self._detectors):
            hit = self._from(first).match(text, at)
            if hit is None:
                return None
            index = first + hit.lastindex - 1
            detector = self._detectors[index]
            verdict = detector.locate(detector.pattern.match(text, at), allowed)
            if verdict is not None:
                return detector, verdict
            first = index + 1
        return None

    def apply(
        self,
        text: str,
        allowed: frozenset[str],
        start: int = 0,
        end: int = -1,
        findings: list[Finding] | None = None,
    ) -> str:
        """``text[start:end]`` redacted (``end`` -1: to the end of the text).

        Within a bound, matches still see the whole text (a quote closes where it
        closes), and only verdicts that end inside the bound are applied. Each
        removal is appended to ``findings`` when one is given.
        """
        end = len(text) if end < 0 else end
        out: list[str] = []
        pos = start
        while (hit := self._search.search(text, pos)) and hit.start() < end:
            at = hit.start()
            found = self._verdict(text, at, hit.lastindex - 1, allowed)
            if found is None or found[1].end > end:
                # every detector declined here: move on by one character
                out.append(text[pos : at + 1])
                pos = at + 1
                continue
            detector, verdict = found
            if isinstance(verdict, Redact):
                # What a match holds before the secret it removes ("net use Z: \\\\fs\\s
                # /user:x <password>") is scanned too: nothing in it is skipped unread.
                if verdict.start > at + 1:
                    inner = self.apply(text, allowed, at + 1, verdict.start, findings)
                    out += (text[pos : at + 1], inner)
                else:
                    out.append(text[pos : verdict.start])
                out.append(_PLACEHOLDERS[detector.name])
                if findings is not None:
                    evidence = verdict.evidence or detector.summary
                    findings.append(Finding(detector.layer, detector.name, evidence))
            else:
                out.append(text[pos : verdict.end])
            pos = verdict.end
        out.append(text[pos:end])
        return "".join(out)


def _trie_pattern(literals: Iterable[str]) -> str:
    """An alternation of ``literals`` as a trie, longest first at every branch.

    ``findall`` reports the same literals as an alternation sorted longest first
    (one per position, without overlaps), in a fraction of the time.
    """
    trie: dict[str, dict] = {}
    for literal in literals:
        node = trie
        for char in literal:
            node = node.setdefault(char, {})
        node[""] = {}  # a literal ends here

    def pattern(node: dict[str, dict]) -> str:
        branches = [re.escape(c) + pattern(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        # a longer literal wins over one that ends here: the empty end goes last
        body = "|".join(branches)
        if "" in node:
            return f"(?:{body})?"
        return body if len(branches) == 1 else f"(?:{body})"

    return pattern(trie)


class _Pass:
    """The detectors of one pass and the trigger search that selects among them."""

    def __init__(self, detectors: tuple[Detector, ...]) -> None:
        self._detectors = detectors
        literals = {t.lower() for d in detectors for t in d.triggers}
        # A trigger found selects every detector with a trigger inside it ("authori"
        # also selects the key detectors of "auth"), so the longest-first search,
        # which reports one trigger per position, never hides a detector.
        self._selects = {
            literal: frozenset(
                i for i, d in enumerate(detectors) if any(t.lower() in literal for t in d.triggers)
            )
            for literal in literals
        }
        # Plain literals, case-sensitive over the lower-cased text, merged into a trie
        # so that each position tries one branch per character, not every literal.
        self._triggers = re.compile(_trie_pattern(literals))
        self._shapes = tuple(
            (re.compile(d.shape_trigger[0]), d.shape_trigger[1], d.shape_trigger[2], i)
            for i, d in enumerate(detectors)
            if d.shape_trigger
        )

    def apply(
        self, text: str, allowed: frozenset[str], findings: list[Finding] | None = None
    ) -> str:
        found = self._found_triggers(text.lower())
        shaped = [
            i
            for shape, char, count, i in self._shapes
            if text.count(char) >= count and shape.search(text)
        ]
        if not found and not shaped:
            return text  # the common case: nothing any detector could match
        selected = frozenset(shaped).union(*(self._selects[t] for t in found))
        return self._selection(selected).apply(text, allowed, findings=findings)

    def _found_triggers(self, lower: str) -> set[str]:
        """Every trigger in ``lower``, overlapping ones too.

        The trie search reports one trigger per position and none inside another it
        found: a trigger that starts inside one found ("7za" hides the "azdo" that
        shares its "za") is looked for at each of its positions, which costs a few
        anchored matches per trigger instead of a look-ahead at every position.
        """
        found = set()
        for hit in self._triggers.finditer(lower):
            found.add(hit.group())
            for at in range(hit.start() + 1, hit.end()):
                if inner := self._triggers.match(lower, at):
                    found.add(inner.group())
        return found

    @functools.lru_cache(maxsize=256)  # noqa: B019 (two passes, alive as long as the module)
    def _selection(self, indices: frozenset[int]) -> _Selection:
        return _Selection(tuple(self._detectors[i] for i in sorted(indices)))


_PLACEHOLDERS = {d.name: placeholder(d.name) for d in CATALOGUE}
_PASSES = (
    _Pass(tuple(d for d in CATALOGUE if d.spans_lines)),
    _Pass(tuple(d for d in CATALOGUE if not (d.spans_lines or d.scans_sentences or d.scans_rows))),
)


def redact_text(text: str, *, allowed_emails: Iterable[str] = ()) -> str:
    """``text`` with every secret replaced by ``[redacted:<detector>]``.

    E-mail addresses in ``allowed_emails`` (compared case-insensitively) are kept.
    """
    return scan(text, frozenset(e.lower() for e in allowed_emails))


# Short texts are remembered with their result. An envelope is built from the same
# short texts again and again (statuses, names, timestamps, a tenant's run failures)
# and redacted once as free texts and once more as a whole; a remembered answer costs
# a digest and a lookup instead of the trigger search. The memory holds each text's
# BLAKE2b digest, never the text (which may hold the very secret), and its redacted
# result; it is emptied when it reaches ``_REMEMBERED`` entries of up to
# ``_REMEMBERED_MAX_CHARS`` (under 10 MB). Single dict operations are atomic, so
# worker threads share it without a lock.
_REMEMBERED_MAX_CHARS = 512
_REMEMBERED = 8192
_remembered: dict[tuple[bytes, frozenset[str]], str] = {}


def scan(text: str, allowed: frozenset[str]) -> str:
    """``redact_text`` with the allowed addresses already lower-cased."""
    if len(text) > _REMEMBERED_MAX_CHARS:
        return _scan(text, allowed)
    key = (hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest(), allowed)
    result = _remembered.get(key)
    if result is None:
        result = _scan(text, allowed)
        if len(_remembered) >= _REMEMBERED:
            _remembered.clear()
        _remembered[key] = result
    return result


def _scan(text: str, allowed: frozenset[str], findings: list[Finding] | None = None) -> str:
    text = redact_table_columns(text, findings)
    for detector_pass in _PASSES:
        text = detector_pass.apply(text, allowed, findings)
    return redact_statements(text, findings)


def findings(text: str, *, allowed_emails: Iterable[str] = ()) -> list[Finding]:
    """What ``redact_text`` removes from ``text``: layer, kind and evidence of each removal.

    Never the removed text itself: a finding may be logged or counted.
    """
    found: list[Finding] = []
    _scan(text, frozenset(e.lower() for e in allowed_emails), found)
    return found
