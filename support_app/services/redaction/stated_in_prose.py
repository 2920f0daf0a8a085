"""Layer 3, stated in prose."""

from __future__ import annotations

import re

from support_app.services.redaction.syntax import DQ, SQ, Detector, Verdict, quoted_span, unredacted

LAYER = "stated-in-prose"

# --- prose ---------------------------------------------------------------------------------

_STATED_WORDS = (
    r"password|passwort|kennwort|passphrase|pwd|pin|secret|token|geheimnis"
    r"|(?:api|access|account|storage|recovery|license|licence)[ \t\-]?key"
    r"|mot[ \t]+de[ \t]+passe|contrase(?:ñ|n|\\u00f1)a|clave"  # ñ also as json.dumps writes it
)
# Verbs that introduce a value: "is", "was set to", "reset … to", "lautet", "ist".
_STATED_VERBS = (
    r"(?:(?:is|was|has[ \t]+been|ist|war|wurde|est|es)[ \t]+)?"
    r"(?:(?:set|changed|reset|updated|geändert|gesetzt|zurückgesetzt)[ \t]+)?(?:to|auf)"
    r"|lautet|lauten|is|was|ist|war|est|es|are|sind"
)
_STATED_VALUE = re.compile(
    r"(?=.*[0-9!#$%&*+/=?@^_~§])(?=.{4})|(?=.*[a-z][A-Z])(?=.{6})", re.DOTALL
)
_NUMBERS_ONLY = re.compile(r"[0-9]+")
_HARMLESS_SHAPE = re.compile(
    r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|[0-9A-HJKMNP-TV-Z]{26}|[0-9a-fA-F]{32,}"
    r"|v?\d+(?:\.\d+)+|\d{1,2}:\d{2}(?::\d{2})?|\d{4}-\d{2}-\d{2}\S*"
)


def _locate_stated_secret(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    text = match.string
    quoted = quoted_span(match)
    if quoted is not None:
        return unredacted(text, quoted)
    start, end = match.span("tok")
    while end > start and text[end - 1] in ".,;:)":
        end -= 1
    value = text[start:end]
    if match.group("verb").lower() not in ("lautet", "lauten"):
        if _HARMLESS_SHAPE.fullmatch(value) or not _STATED_VALUE.match(value):
            return None  # "the password is expired", "the token is 3f2a…-…" (an id)
        numbers = _NUMBERS_ONLY.fullmatch(value)
        if numbers and len(value) < (4 if match.group("word").lower() == "pin" else 6):
            return None  # "the password is 8 characters long"
    return unredacted(text, (start, end))


STATED_SECRET = Detector(
    layer=LAYER,
    name="stated-secret",
    summary="a secret stated in a sentence, English, German, French, Spanish: 'the password "
    "is X', 'set to X', 'reset his password to X', 'Das Passwort lautet X', 'Kennwort ist "
    "X'; after 'is'/'ist'/'to' only a value that looks like a secret (digits, symbols, "
    "inner capitals), so 'the password is expired' stays",
    triggers=(
        "pass",
        "pw",
        "kennwort",
        "secret",
        "token",
        "key",
        "pin ",  # not "mapping", "shipping"
        "pin\t",
        "geheim",
        "contrase",
        "clave",
    ),
    pattern=re.compile(
        rf"(?<![\w\-])(?P<word>{_STATED_WORDS})"
        r"(?:[ \t]+(?:for|für|fuer|von|vom|of|de|du|del|para)[ \t]+[^\s:]+(?:[ \t]+[^\s:]+)?)?"
        rf"[ \t]+(?P<verb>{_STATED_VERBS})(?:[ \t]*:)?[ \t]+(?:now[ \t]+|jetzt[ \t]+|nun[ \t]+)?"
        rf"(?:{DQ}|{SQ}|(?P<tok>[^\s\"'<>]+))",
        re.IGNORECASE,
    ),
    locate=_locate_stated_secret,
)
