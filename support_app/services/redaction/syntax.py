"""The pieces every redaction layer is built from: detectors, verdicts and value syntax.

A detector is a regular expression plus, where the shape alone is not enough, a
``locate`` step that decides what to remove (or declines). Its name appears in the
placeholder, ``[redacted:<name>]``, so a reader of a redacted text knows what kind of
thing was there; its layer is recorded with every finding. The quoting, reference and
YAML readers here are shared so that every layer reads a value the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

PLACEHOLDER_PREFIX = "[redacted:"


def placeholder(name: str) -> str:
    """The text that replaces a secret found by the detector ``name``."""
    return f"{PLACEHOLDER_PREFIX}{name}]"


class Redact(NamedTuple):
    """Replace ``text[start:end]`` by the detector's placeholder.

    ``evidence`` says why, where the detector weighed more than its pattern (the
    prose layer's word, relation and value shape); else the finding names the
    detector's summary.
    """

    start: int
    end: int
    evidence: str = ""


class Finding(NamedTuple):
    """One removal: which layer and detector found it, and on what evidence."""

    layer: str
    kind: str
    evidence: str


class Keep(NamedTuple):
    """Leave ``text`` up to ``end`` as it is and go on scanning from there."""

    end: int


# What a detector's ``locate`` decides for one match; ``None`` declines the match
# (another detector may still match at the same position).
Verdict = Redact | Keep | None
Locate = Callable[[re.Match[str], frozenset[str]], Verdict]


def _secret_group(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    """The ``secret`` group when the pattern has one that took part, else the match."""
    if "secret" in match.re.groupindex and match.start("secret") >= 0:
        return Redact(*match.span("secret"))
    return Redact(*match.span())


@dataclass(frozen=True)
class Detector:
    """One named secret form: its pattern, the literals it needs, and what it removes."""

    name: str
    # Which layer of the redaction found it (``known-formats``, ``named-fields``,
    # ``stated-in-prose``, ``encoded-credentials``): recorded with every finding.
    layer: str
    summary: str
    pattern: re.Pattern[str]
    # Literal strings (compared case-insensitively) one of which every match contains:
    # a text with none of the catalogue's triggers is skipped without a scan.
    triggers: tuple[str, ...]
    locate: Locate = _secret_group
    # For a form without any literal (a BitLocker key is digits and dashes): a pattern
    # every match contains, searched only in texts holding at least ``count`` of
    # ``char`` (a cheap count keeps the search off timestamps and ids).
    shape_trigger: tuple[str, str, int] | None = None  # (pattern, char, count)
    # Applied in a pass of its own before the others, because its match spans lines
    # and must win over anything that would otherwise match inside it.
    spans_lines: bool = False
    # Found by the prose layer's own pass after the others (it weighs a whole line,
    # before and after its noun), not by ``pattern`` at one position.
    scans_sentences: bool = False
    # Found by the table pass before the others (a column's heading names the secret
    # of every row below it), not by ``pattern`` at one position.
    scans_rows: bool = False


def unredacted(text: str, span: tuple[int, int], *, literal: bool = False) -> Verdict:
    """``Redact`` the span, or ``Keep`` past a placeholder already standing there, or
    past a value that stands for no secret (masked, a flag, a reference).

    ``literal``: the syntax says the span is the secret as typed (``-u user:X``, ``-p
    X``), so no reading of it as a mask or a flag applies.
    """
    start, end = span
    if text.startswith(PLACEHOLDER_PREFIX, start):
        close = text.find("]", start)  # none when a bound cut the placeholder short
        return Keep(close + 1 if close >= 0 else len(text))
    if start == end:
        return None
    if not literal and stands_for_no_secret(text[start:end]):
        return Keep(end)
    return Redact(start, end)


# A value that stands for no secret: masked ("********", "****QX7Z", "•••"), a
# placeholder ("<your key>", "[redacted]", "[entfernt]", "(hidden)"), a flag or a
# status ("true", "required", "none"), a path to the file that holds it
# ("./password.txt", a file name with its extension), or a reference to where it is
# kept ("$(cat /run/secrets/x)").
_NO_SECRET = re.compile(
    r"\*{3,}\w{0,6}|\w{0,6}\*{3,}|[\u2022\u25cf\u00b7]{3,}\w{0,6}|x{3,}|X{3,}|#{3,}|-{1,3}"
    r"|<[^<>\r\n]*>|\[(?!enc:)[^\[\]\r\n]*\]?"  # (IIS's [enc:…:enc] is the secret, encrypted)
    r"|(?i:your|my|dein|ihr)[_\-][\w\-]+|[\w\-]+[_\-](?i:here|hier)"  # YOUR_API_KEY_HERE
    r"|\((?i:hidden|masked|redacted|removed|entfernt|ausgeblendet|versteckt|geschw\u00e4rzt"
    r"|siehe|see|not|nicht|sensitive|none|keine|leer|empty|n/a)\b[^)\r\n]*\)?"
    r"|(?:\u2026|\.\.\.)\S*"  # cut short by whoever pasted it
    r"|(?:System|Microsoft)\.[\w.]+"  # a .NET type shown instead of the value
    r"|(?i:true|false|yes|no|ja|nein|on|off|null|none|nil|n/a|required|optional|erforderlich"
    r"|empty|leer|unset|set|enabled|disabled|gesetzt|aktiviert|deaktiviert|aktiv|inaktiv"
    r"|active|inactive|not|nicht|kein|keine|never|nie|redacted|hidden|masked|removed|entfernt"
    r"|change_?me|replace_?me|todo|tbd|placeholder|dummy|changeit|bitte[-_ ]?(?:ae|\u00e4)ndern)\)?"
    r"|\d{1,3}/\d{1,3}"  # a count: auth=0/1
    r"|(?i:wpa\d?(?:[-/](?:psk|aes|tkip|sae|ccmp|personal|enterprise|eap))*|wep)"  # a mode
    r"|(?:[X*]{4,5}-){2,}\S*"  # a key masked but for its end: XXXXX-XXXXX-…-7QK4M
    r"|\{?CN=.*"  # a directory name
    r"|[01]"  # a flag (PasswordComplexity = 1)
    r"|[A-Za-z_][\w.]*\((?:['\"$)]|[\w.\-]+[),]|$).*"  # a call: credentials('id'), lookup(x, …)
    r"|[\w\-]+:/(?!/)\S+"  # a name and a path: db-password:/etc/credstore/… (no URL)
    r"|(?:\.{1,2}|~)/(?:[\w.\-]+/)*[\w\-]+\.[A-Za-z0-9]{1,8}|file:\S+"
    r"|/(?:etc|run|var|root|home|opt|usr|srv|tmp|mnt|data|secrets?|config)(?:/[\w./\-]*)?"
    r"|(?:hash|lmdb|btree|texthash|proxy|cdb):/\S+"  # a file, a lookup table
)


def reference_at(text: str, start: int) -> re.Match[str] | None:
    """The variable reference ``text`` holds at ``start`` ("$TOKEN", "%SMTP_PW%"), if any."""
    return _WHOLE_REFERENCE.match(text, start)


def stands_for_no_secret(value: str) -> bool:
    """Whether ``value`` holds no secret of its own (see ``_NO_SECRET``)."""
    return bool(_NO_SECRET.fullmatch(value) or _WHOLE_REFERENCE.fullmatch(value))


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """Without trailing blanks and a sentence's final dot."""
    while end > start and text[end - 1] in " \t.":
        end -= 1
    return start, end


# An ordinary word ("expired", "The"): a status after a secret-named key, not a secret.
PLAIN_WORD = re.compile(r"[A-Za-z][a-z]*")
# Every secret key name contains one of these words (tests/unit/services/redaction/
# test_keys.py checks it), so they are the key-based detectors' triggers.
KEY_WORDS = (
    "pass",
    "pw",
    "psk",
    "mdp",
    "clave",
    "contrase",
    "hook",
    "zugangsdaten",
    "anmeldedaten",
    "secret",
    "token",
    "key",
    "sig",
    "auth",
    "cookie",
    "cred",
    "session",
    "bearer",
    "dsn",
    "sas",
    "conn",
    "kennwort",
    "code",  # "ApiIntegrationCode", "Zugangscode"
    "schl",  # "WLAN-Schlüssel" (also "Schluessel")
    "pin",
    "puk",
    "pat",
    "communit",  # SNMP community
    "geheim",  # "Geheimnis"
)
# A key name in text: any word (possessive, so a failed match never backtracks into
# it); ``vocabulary.is_secret_key`` decides. Letters of any script ("contraseña").
KEY_NAME = r"[\w.\-]++"
# An unquoted value: up to a blank, separator or closing bracket, without a final dot.
UNQUOTED_VALUE = r"[^\s,;&\"'<>)\]}]*[^\s,;&\"'<>)\]}.]"
# A quote, also escaped as in JSON inside a JSON string (\"password\": \"…\").
QUOTE = r"(?:\\?[\"'])?"
# Quoted contents up to the closing quote: a value holds escaped quotes (\"), doubled
# quotes ('' in PowerShell and SQL, "" in CSV), PowerShell's `" and any other escape;
# where that reading finds no closing quote, a backslash is a plain character (a
# Windows path, a shell's '…\'). Opened with an escaped quote (JSON inside JSON), it
# closes at the escaped quote and holds doubly escaped ones (\\\"). A quote that
# never closes on its line leaves the rest of the line as the value ("unclosed"):
# never a placeholder before the tail. Each reading is possessive: a doubled quote is
# never given back to close the value early, and no reading backtracks.
DQ = (
    r"(?:\"(?P<dq>(?:`\"|\"\"|\\[^\r\n]|[^\"\\\r\n])*+)\""
    r"|\"(?P<rdq>(?:\"\"|[^\"\r\n])*+)\""
    r"|\\\"(?P<edq>(?:\\\\\\\"|\\\\|\\[^\"\\\r\n]|[^\"\\\r\n])*+)\\\")"
)
SQ = (
    r"(?:'(?P<sq>(?:''|\\[^\r\n]|[^'\\\r\n])*+)'"
    r"|'(?P<rsq>(?:''|[^'\r\n])*+)'"
    r"|\\'(?P<esq>(?:\\\\|\\[^'\\\r\n]|[^'\\\r\n])*+)\\')"
)
UNCLOSED = r"(?:\\?[\"'])(?P<unclosed>[^\r\n]*)"
_QUOTED_GROUPS = ("dq", "rdq", "edq", "sq", "rsq", "esq", "unclosed")
# A header-like value: quoted, or the rest of the line.
HEADER_VALUE = rf"(?:{DQ}|{SQ}|{UNCLOSED}|(?P<line>[^\r\n]*))"


def quoted_span(match: re.Match[str]) -> tuple[int, int] | None:
    """The span of the quoted value the match took, if it took one."""
    for group in _QUOTED_GROUPS:
        if group in match.re.groupindex and match.start(group) >= 0:
            if group == "unclosed":
                return trimmed(match.string, *match.span(group))
            return match.span(group)
    return None


def header_value(match: re.Match[str]) -> tuple[int, int]:
    return quoted_span(match) or trimmed(match.string, *match.span("line"))


# A reference to a secret kept elsewhere, not the secret: a CI expression
# (${{ secrets.X }}), a template ({{ .Values.x }}), an environment variable ($DB_PW,
# ${DB_PW}, %DB_PW%, $env:DB_PW), an Azure Pipelines or Octopus variable, a command
# substitution ($(cat /run/secrets/db)).
REFERENCE = re.compile(
    r"\$\{\{[^}\r\n]*\}\}|\{\{[^}\r\n]*\}\}|\$\{[A-Za-z_][^}\r\n]*\}|\$\([A-Za-z_][^()\r\n]*\)"
    r"|%[A-Za-z_]\w*%|#\{[\w.\-]+\}#?|\$env:[A-Za-z_]\w*|\$[A-Z_][A-Z0-9_]*\b"
    r"|(?:var|local|module|data)\.[A-Za-z_][\w.\-]*"  # Terraform
    r"|[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][\w\-]*\.[a-z_][\w.]*"  # random_password.db.result
    r"|@Microsoft\.KeyVault\([^)\r\n]*\)"  # an App Service Key Vault reference
    # YAML tags that fetch or encrypt it: Ansible !vault, CloudFormation !Ref, Home
    # Assistant !secret; sops' ENC[…]; 1Password op://…, vault:path#key
    r"|!(?:vault|Ref|Sub|GetAtt|ImportValue|FindInMap|secret|env_var|include)\b"
    r"|ENC\[[^\]\r\n]*\]|op://\S+|vault:[\w/.\-]+#\w+"
    r"|%\([\w.]+\)[sdr]"  # Python's %(DB_PASSWORD)s
    r"|\$(?:[a-z][A-Za-z_]*|[A-Z][a-z]+(?:[A-Z][a-z]+)+)\b(?![^\s,;)\]}'\"])"  # $cred, $SmtpCred
    r"|@[A-Za-z_]+\b(?![^\s,;)\]}'\"])"  # a T-SQL variable: WITH PASSWORD = @pw
)

# A variable reference as a whole value: "$TOKEN", "%SMTP_PW%" (a name that starts with
# two letters or more: "%A000%" and "$A0000" are more likely typed than variables).
_WHOLE_REFERENCE = re.compile(
    rf"(?!%[A-Za-z_]?[^A-Za-z_%])(?!\$[A-Za-z_][^A-Za-z_({{])(?:{REFERENCE.pattern})"
)


def reference_end(text: str, start: int, end: int) -> int | None:
    """Where a reference that covers all of ``text[start:end]`` ends, if one does."""
    reference = REFERENCE.match(text, start)
    return reference.end() if reference and reference.end() >= end else None


# A YAML entry line: "key: …" or a list item; a next line like this is no value.
_YAML_ENTRY = re.compile(r"[ \t]*(?:- |-$|#|[\w\"'.\-]+[ \t]*:(?:[ \t]|$))", re.MULTILINE)


def indented_lines(text: str, key_start: int, after: int, *, block: bool) -> tuple[int, int] | None:
    """The value on the lines after a key that ends its line (YAML).

    Those lines are indented deeper than the key; a block scalar (``|``, ``>-``) takes
    them all, opaque; a plain value only if the first one is no entry of its own
    (``password:`` over ``  minLength: 12`` is a mapping, not a value).
    """
    column = key_start - (text.rfind("\n", 0, key_start) + 1)
    line_start = text.find("\n", after)
    first = last = None
    while line_start >= 0:
        line_start += 1
        line_end = text.find("\n", line_start)
        line_end = len(text) if line_end < 0 else line_end
        line = text[line_start:line_end].rstrip("\r")
        content = line.lstrip(" \t")
        if content:
            if len(line) - len(content) <= column:
                break
            if first is None:
                if not block and _YAML_ENTRY.match(line):
                    return None
                first = line_start + len(line) - len(content)
            last = line_start + len(line)
        line_start = line_end if line_end < len(text) else -1
    return (first, last) if first is not None else None


# What names do not have and chosen values do: a symbol other than a name's joints
# (- _ .), or a digit between letters ("iDr4c", "T3chn!ker"). Layouts without a noun
# on their line (answers, pairs, table cells) ask for it: a group, host or model name
# ("G_Admins_2026", "HP-LaserJet-M404") or a password manager ("Keeper") has neither.
UNLIKE_A_NAME = re.compile(r"[!#$%&*+=?@^~\u00a7]|[^\W\d_]\d+[^\W\d_]")


def reads_as_a_name(value: str) -> bool:
    """True when ``value`` could be a name rather than a chosen secret (see above);
    digits alone are a code, never a name."""
    return not (value.replace(" ", "").isdigit() or UNLIKE_A_NAME.search(value))


# A size named instead of a secret ("admin-password:  16 bytes", "PIN: 6-stellig",
# "Passphrase: 5 Wörter").
SIZE = re.compile(
    r"\d+(?:\s+|-)(?i:bytes|characters|chars|zeichen|digits|stellen|stellig|ziffern|words"
    r"|w\u00f6rter)\b"
)
# Identifier shapes a text names instead of a secret: GUIDs, IP and MAC addresses,
# URLs, e-mail addresses, paths and registry paths, versions, dates and times, KB and
# CVE numbers, ULIDs and support references, host names.
IDENTIFIER = re.compile(
    r"\{?[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\}?(?:[_.][0-9a-z]+)?"  # GUID
    r"|(?:\d{1,3}\.){3}\d{1,3}(?:[:/]\d+)?"  # IPv4, port or prefix
    r"|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:/\d+)?"  # IPv6
    r"|(?:[0-9a-f]{2}[:\-]){5}[0-9a-f]{2}"  # MAC
    r"|[a-z][a-z0-9+.\-]*://\S*"  # URL
    r"|[^\s@]+@[^\s@]+\.[a-z]{2,}"  # e-mail
    r"|(?:[a-z]:)?[\\/]{1,2}[^\s]*|~/\S*"  # path
    r"|hk(?:lm|cu|cr|u|cc|ey_[a-z_]+):?\\\S*"  # registry path
    r"|v?\d+(?:\.\d+){1,3}(?:[\-+][0-9a-z.]+)?|[a-z]+/v?\d+(?:\.\d+)*"  # versions
    r"|\d{4}-\d{2}-\d{2}\S*|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{1,2}:\d{2}(?::\d{2})?"  # dates
    r"|kb\d{5,8}|cve-\d{4}-\d{3,7}|0x[0-9a-f]+|#\d+"
    r"|(?-i:INC|CHG|RITM|REQ|PRB|TASK|SCTASK|CS|TKT|SR|AADSTS|MSRC)-?\d{4,}"  # tickets, errors
    r"|(?:[a-z]{2,5}-)?[0-9a-hjkmnp-tv-z]{26}"  # ULID, support reference (SR-…)
    r"|[a-z][\w\-]*(?:\.[\w\-]+)+/[\w./\-]*"  # host and path without a scheme (aka.ms/x)
    r"|[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.(?:com|net|org|local|lan|intern|internal|corp|de|at|ch"
    r"|eu|io|example|cloud|onmicrosoft\.com|microsoft|azure|windows)",  # host names
    re.IGNORECASE,
)
