"""Named fields in tables: a column whose heading names a secret, and its cells below.

For layer 2 (named fields, ``named_fields.TABLE_COLUMN``): the name is the column's
heading, the value the cell of each row under it. Two table shapes are read:

- delimited exports (CSV with ``,``, ``;`` or tabs, quoted fields): a password
  manager's export, a scanner's address book, a list of service accounts;
- aligned tool output with a dashed rule under the headings (PowerShell's
  ``Format-Table``, ``Get-ItemProperty | Select …``).

A heading names a secret when the shared vocabulary says so and it is a name, not a
sentence ("Password", "login_password", "Kennwort"; not "Kennwort läuft ab" or
"PasswordLastSet", which describe one). Cells already masked, empty or removed stay
as they are, so an export with its secrets blanked out reads unchanged.
"""

from __future__ import annotations

import re

from support_app.services.redaction.syntax import (
    IDENTIFIER,
    KEY_WORDS,
    PLACEHOLDER_PREFIX,
    reads_as_a_name,
    stands_for_no_secret,
)
from support_app.services.redaction.vocabulary import is_secret_key

# A cell: its line's index, its start and end in that line.
_Cell = tuple[int, int, int]
# What a reader found under a heading line: its secret cells, the line after its rows.
_Read = tuple[list[_Cell], int]

_DELIMITERS = (",", ";", "\t")
# A column heading: words, no values (dots, colons, a leading digit).
_HEADING = re.compile(r"[ \t]*[^\W\d_][\w \-/()#]*")
_WORD = re.compile(r"\S+")
_RULE = re.compile(r"-{3,}(?:[ \t]+-{3,})*[ \t]*")
# A heading is a name of at most two words ("Login Password"), not a sentence.
_MAX_HEADING_WORDS = 2


def _fields(line: str, delimiter: str) -> list[tuple[int, int]]:
    """The spans of a delimited line's fields, inside their quotes when quoted."""
    spans: list[tuple[int, int]] = []
    i, n = 0, len(line)
    while i <= n:
        if i < n and line[i] == '"':
            close = i + 1
            while (close := line.find('"', close)) >= 0 and line.startswith('""', close):
                close += 2
            if close < 0:
                return [*spans, (i + 1, n)]
            spans.append((i + 1, close))
            nxt = line.find(delimiter, close)
            i = n + 1 if nxt < 0 else nxt + 1
        else:
            nxt = line.find(delimiter, i)
            end = n if nxt < 0 else nxt
            spans.append((i, end))
            i = end + 1
    return spans


def _names_a_secret(heading: str) -> bool:
    heading = heading.strip()
    return (
        0 < len(heading.split()) <= _MAX_HEADING_WORDS
        and len(heading) <= 40
        and is_secret_key(heading)
    )


def _holds_a_secret(cell: str) -> bool:
    cell = cell.strip()
    return bool(cell) and not (
        cell.startswith(PLACEHOLDER_PREFIX)
        or stands_for_no_secret(cell)
        or IDENTIFIER.fullmatch(cell)  # a date or an address of the next column
        or reads_as_a_name(cell)  # "Keeper", "LAPS": where the password is kept
    )


def _delimited_cells(lines: list[str], at: int) -> _Read:
    """The secret cells under the heading line ``at``, and the line after its rows."""
    heading = lines[at].rstrip("\r\n")
    for delimiter in _DELIMITERS:
        if heading.count(delimiter) < 2:
            continue
        headings = [heading[s:e] for s, e in _fields(heading, delimiter)]
        if not all(_HEADING.fullmatch(h) for h in headings):
            continue  # a line of values ("pam_deny.so", "ssh-ed25519"), not of headings
        columns = [i for i, h in enumerate(headings) if _names_a_secret(h)]
        if not columns:
            continue
        width, cells, row = len(headings), [], at + 1
        while row < len(lines):
            line = lines[row].rstrip("\r\n")
            spans = _fields(line, delimiter)
            if len(spans) != width:
                break  # the table ends where the rows stop having its columns
            cells += [(row, *spans[c]) for c in columns if _holds_a_secret(line[slice(*spans[c])])]
            row += 1
        return cells, row
    return [], at + 1


def _aligned_cells(lines: list[str], at: int) -> _Read:
    """The secret cells of an aligned table whose headings are on line ``at`` and its
    dashed rule on the next, and the line after its rows."""
    if at + 1 >= len(lines) or not _RULE.fullmatch(lines[at + 1].rstrip("\r\n")):
        return [], at + 1
    heading, rule = lines[at].rstrip("\r\n"), lines[at + 1].rstrip("\r\n")
    starts = [m.start() for m in re.finditer(r"-+", rule)]
    bounds = list(zip(starts, [*starts[1:], None], strict=True))
    columns = [(s, e) for s, e in bounds if _names_a_secret(heading[s:e])]
    cells, row = [], at + 2
    while columns and row < len(lines):
        line = lines[row].rstrip("\r\n")
        if not line.strip():
            break
        row += 1
        words = [(m.start(), m.end()) for m in _WORD.finditer(line)]
        for s, e in columns:
            # the word under the heading: a wide cell before it may push it along
            under = [w for w in words if w[1] > s and (e is None or w[0] < e)]
            if under:
                start, end = min(under, key=lambda w: abs(w[0] - s))
                if _holds_a_secret(line[start:end]):
                    cells.append((row - 1, start, end))
    return cells, row if columns else at + 1


def _commented_cells(lines: list[str], at: int) -> _Read:
    """The secret cells under a commented heading line, as secrets files of pppd and
    others write it ("# client  server  secret  IP addresses", then one entry per line,
    fields apart by blanks, quoted where they hold one), and the line after them."""
    heading = _COMMENTED_HEADING.fullmatch(lines[at].rstrip("\r\n"))
    if heading is None:
        return [], at + 1
    words = heading.group("words").split()
    # a name comes first (the client, the user); a comment that starts with a secret's
    # word is a sentence about it
    column = next((i for i, w in enumerate(words) if i and is_secret_key(w)), None)
    if column is None:
        return [], at + 1
    cells, row = [], at + 1
    while row < len(lines):
        line = lines[row].rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            break
        fields = list(_FIELD.finditer(line))
        if not len(words) - 2 <= len(fields) <= len(words) or column >= len(fields):
            break
        field = fields[column]
        start, end = field.span("value" if field.start("value") >= 0 else "bare")
        if _holds_a_secret(line[start:end]):
            cells.append((row, start, end))
        row += 1
    return cells, row


_COMMENTED_HEADING = re.compile(
    r"[ \t]*#[ \t]*(?P<words>(?:[A-Za-z][\w\-]*[ \t]+){2,}[A-Za-z][\w\-]*)[ \t]*"
)
_FIELD = re.compile(r"\"(?P<value>[^\"\r\n]*)\"|(?P<bare>\S+)")


def secret_cells(text: str) -> list[tuple[int, int]]:
    """The spans of ``text``'s cells under headings that name a secret, in order."""
    if "\n" not in text:
        return []
    lines = text.splitlines(keepends=True)
    cells: set[_Cell] = set()
    at = 0
    while at < len(lines):
        after = at + 1
        if any(word in lines[at].lower() for word in KEY_WORDS):
            # The rows of a table are each read once: never headings of their own (a
            # text of heading-like lines is read in one pass, not once per line).
            for read in (_delimited_cells, _aligned_cells, _commented_cells):
                found, end = read(lines, at)
                cells.update(found)
                after = max(after, end)
        at = after
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    spans: list[tuple[int, int]] = []
    for row, start, end in sorted(cells):
        if spans and offsets[row] + start < spans[-1][1]:
            continue  # overlaps a cell already taken
        spans.append((offsets[row] + start, offsets[row] + end))
    return spans
