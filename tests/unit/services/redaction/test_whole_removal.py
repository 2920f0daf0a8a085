"""Never a placeholder next to the secret it was meant to hide.

Whatever a detector marks is removed whole: the rest of a quoted value after an
escaped (``\\"``) or doubled (``''``) quote, the lines of a YAML block scalar or of a
value below its key, the password after "creds: user /". The values are generated
with quotes, backslashes, blanks and line breaks, and written in the encodings an
operator pastes (JSON, JSON inside JSON, Python repr, YAML quoted, block and plain,
PowerShell and SQL quoting, XML, command-line options, name/value pairs). The
property: the output holds no word of the value, whether or not a placeholder
stands in it — and when one does, still none.
"""

from __future__ import annotations

import json
import string
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from support_app.services.redaction import redact, redact_text

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Words of a value: long enough to be told apart from the text around them.
words = st.text(alphabet=string.ascii_letters + string.digits, min_size=6, max_size=14).filter(
    lambda w: any(c.isdigit() for c in w) and any(c.isalpha() for c in w)
)
# What stands between the words: quotes, escapes, blanks, punctuation.
joints = st.sampled_from(
    ['"', "'", "\\", '\\"', "''", " ", "\t", "!", "#", "$", "%", "&", "*", "+", "-", ".", "/",
     ":", ";", "=", "?", "@", "^", "_", "~", " \" ", " ' ", "`"]
)  # fmt: skip


@st.composite
def values(draw: st.DrawFn, *, lines: bool) -> tuple[str, list[str]]:
    """A value (one line, or several) and its words."""
    parts = draw(st.lists(words, min_size=1, max_size=4, unique=True))
    breaks = ["\n"] if lines else []
    value = parts[0]
    for part in parts[1:]:
        value += draw(st.sampled_from(breaks) if breaks and draw(st.booleans()) else joints) + part
    if draw(st.booleans()):
        value = draw(joints) + value
    if draw(st.booleans()):
        value += draw(joints)
    # a value that starts like a reference ($X, %X%) is kept on purpose: not generated
    assume(not value.startswith(("$", "%")))
    return value, parts


def _yaml_double_quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _single_quoted_doubled(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


KEYS = ["password", "DB_PASSWORD", "client_secret", "apiKey", "Passwort", "token"]
ONE_LINE_FORMS = {
    "json": lambda k, v: json.dumps({k: v, "status": "failed"}),
    "json in json": lambda k, v: json.dumps({"body": json.dumps({k: v})}),
    "python repr": lambda k, v: repr({k: v, "status": "failed"}),
    "yaml double-quoted": lambda k, v: f"db:\n  {k}: {_yaml_double_quoted(v)}\n  user: app",
    "powershell/sql quoted": lambda k, v: f"${k} = {_single_quoted_doubled(v)}; Write-Host ok",
    "xml element": lambda k, v: f"<Settings><{k}>{escape(v)}</{k}><Port>5432</Port></Settings>",
    "cli option": lambda k, v: f"restic --{k} {_single_quoted_doubled(v)} backup /data",
    "name/value": lambda k, v: json.dumps([{"name": k, "value": v}, {"name": "LOG", "value": "x"}]),
}
MULTI_LINE_FORMS = {
    "yaml literal block": lambda k, v: (
        f"spec:\n  {k}: |\n" + "".join(f"    {line}\n" for line in v.split("\n")) + "  user: app"
    ),
    "yaml folded block": lambda k, v: (
        f"  {k}: >-\n" + "".join(f"    {line}\n" for line in v.split("\n")) + "  next: 1"
    ),
    "yaml next line": lambda k, v: (
        f"db:\n  {k}:\n" + "".join(f"    {line}\n" for line in v.split("\n")) + "  user: app"
    ),
}


def _left(parts: list[str], text: str, redacted: str) -> list[str]:
    """Words of the value still in the output (not counting words the text has elsewhere)."""
    return [p for p in parts if p in redacted and text.count(p) > redacted.count(p) - 1 + 1]


def _assert_removed_whole(text: str, parts: list[str]) -> None:
    redacted = redact_text(text)
    assert "[redacted:" in redacted, (text, redacted)
    left = [p for p in parts if p in redacted]
    assert not left, (left, text, redacted)
    assert redact_text(redacted) == redacted


@SETTINGS
@given(
    form=st.sampled_from(sorted(ONE_LINE_FORMS)),
    key=st.sampled_from(KEYS),
    value=values(lines=False),
)
def test_a_quoted_or_escaped_value_is_removed_whole(
    form: str, key: str, value: tuple[str, list[str]]
) -> None:
    raw, parts = value
    text = ONE_LINE_FORMS[form](key, raw)
    assume(not any(p in ONE_LINE_FORMS[form](key, "") for p in parts))
    _assert_removed_whole(text, parts)


@SETTINGS
@given(
    form=st.sampled_from(sorted(MULTI_LINE_FORMS)),
    key=st.sampled_from(KEYS),
    value=values(lines=True),
)
def test_a_multi_line_yaml_value_is_removed_whole(
    form: str, key: str, value: tuple[str, list[str]]
) -> None:
    raw, parts = value
    # a line of a plain scalar never starts like a YAML entry of its own
    assume(
        form != "yaml next line"
        or not any(
            line.lstrip().startswith(("-", "#")) or ": " in line or line.endswith(":")
            for line in raw.split("\n")
        )
    )
    text = MULTI_LINE_FORMS[form](key, raw)
    _assert_removed_whole(text, parts)


@SETTINGS
@given(
    user=st.sampled_from(["admin", "svc-backup", "CORP\\jdoe"]),
    separator=st.sampled_from([" / ", "/", " : ", " "]),
    label=st.sampled_from(["creds", "Credentials", "Zugangsdaten", "login creds"]),
    value=values(lines=False),
)
def test_a_user_and_password_pair_loses_the_password(
    user: str, separator: str, label: str, value: tuple[str, list[str]]
) -> None:
    raw, parts = value
    text = f"{label}: {user}{separator}{raw}\nnext line stays"
    redacted = redact_text(text)
    assert not [p for p in parts if p in redacted], (text, redacted)
    assert redacted.endswith("\nnext line stays")


@SETTINGS
@given(key=st.sampled_from(KEYS), value=values(lines=True))
def test_a_structure_holding_the_value_under_a_secret_key_or_name_keeps_no_word(
    key: str, value: tuple[str, list[str]]
) -> None:
    raw, parts = value
    structure = {
        "settings": [{"name": key, "value": raw}],
        "env": {key: raw},
        "headers": [[f"X-{key}", raw]],  # a header name, not a word of a list
        "argv": ["restic", f"--{key}", raw],
    }
    flat = json.dumps(redact(structure))
    assert not [p for p in parts if p in flat], flat
