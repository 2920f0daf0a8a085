"""Layer 3, stated in prose: a value that a sentence states as a secret, scored on evidence.

A catalogue of forms cannot get ahead of what people type ("Password for the
break-glass account: X", "the key they gave us is X", "X ist das neue WLAN-Passwort"),
so this layer reads free text the way a careful reader does. It removes a value when
the same line states it as a secret, and only then; three pieces of evidence must
agree:

1. a *secret noun* from the shared vocabulary (``vocabulary.names_secret_in_prose``):
   password, Kennwort, PIN, passphrase, credentials, an API or Wi-Fi key, a recovery or
   alarm code, and their compounds (``WLAN-Passwort``, ``Adminkennwort``);
2. a *stating relation* between the noun and the value: "is", "ist", "lautet", ":",
   "=", "set to", "changed to", "auf", "as the …", "with …", "user / X", or the value
   right after the noun; also backwards ("X is the wifi password", "X als Passwort");
3. a value that *looks chosen rather than worded*: digits, symbols, inner capitals,
   a quoted phrase, a digit group stated as a PIN or code, words joined into a
   passphrase, or a word no dictionary knows (``wordfreq``'s English and German
   frequencies) — and no identifier shape the sentence names instead: a GUID, an IP
   or MAC address, a host, path, URL, version, date, KB or CVE number, an event id,
   a device name or serial after its label, a hash named as a hash, a value already
   masked or already removed.

The noun never suffices on its own ("the password is expired", "Passwort wurde
zurückgesetzt", "the token is in Key Vault" keep every word). Each finding carries
its evidence: the noun, the relation and the value's shape, never the value.

This layer is a pass of its own after the pattern layers (``scanner``): it looks
before and after the noun within the line, and sees what they removed as
placeholders, which it leaves alone.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from wordfreq import zipf_frequency

from support_app.services.redaction.syntax import (
    PLACEHOLDER_PREFIX,
    REFERENCE,
    Detector,
    Finding,
    placeholder,
    stands_for_no_secret,
)
from support_app.services.redaction.vocabulary import (
    PROSE_QUALIFIERS,
    key_parts,
    names_secret_in_prose,
    qualifies_later,
)

LAYER = "stated-in-prose"

# The stems of the secret nouns, lower-cased: a line without any is not read further.
_NOUN_STEMS = (
    "pass",
    "pw",
    "kennwort",
    "pin",
    "puk",
    "secret",
    "geheim",
    "token",
    "cred",
    "zugang",
    "anmelde",
    "log",  # login, logon, "log in", "logged into"
    "sign in",
    "signed in",
    "anmeld",
    "einlogg",
    "eingeloggt",
    "seed",
    "key",
    "schlüssel",
    "schluessel",
    "code",
    "psk",
    "community",
    "contrase",
    "clave",
    "mot de",
)
_STEMS = re.compile("|".join(re.escape(stem) for stem in _NOUN_STEMS))

STATED_SECRET = Detector(
    layer=LAYER,
    name="stated-secret",
    summary="a value a sentence states as a secret (English, German and more): a secret "
    "noun, a stating relation and a value that looks chosen rather than worded",
    # Found by ``redact_statements`` (a pass of its own over whole lines), not by a
    # pattern at one position; the triggers are the nouns' stems.
    pattern=re.compile(r"(?!)"),
    triggers=_NOUN_STEMS,
    scans_sentences=True,
)
_PLACEHOLDER = placeholder(STATED_SECRET.name)

# --- secret nouns -----------------------------------------------------------------------------

# Words (with hyphens: "WLAN-Passwort", "Wi-Fi") and the word before each, which may
# qualify it ("API key", "recovery code"). Letters of any script.
# Letters also as json.dumps writes them by default ("contrase\\u00f1a").
_WORD = re.compile(r"[^\W\d_](?:\w|-(?=\w)|\\u[0-9a-fA-F]{4})*")
_ESCAPED_LETTER = re.compile(r"\\u([0-9a-fA-F]{4})")
# --- relations --------------------------------------------------------------------------------

# A line is read as tokens: a quoted phrase, an angle-bracket placeholder, or a run of
# non-blanks.
_TOKEN = re.compile(
    r"\u201e[^\u201c\r\n]{1,100}\u201c|\"[^\"\r\n]{1,100}\"|'[^'\r\n]{1,100}'|`[^`\r\n]{1,100}`"
    r"|\u00ab[^\u00bb\r\n]{1,100}\u00bb|<[^<>\r\n]{1,60}>|\S+"
)
# How far around its noun (characters) a line is read for a pair, a qualifier or a
# value stated before it: each noun costs a bounded read, so a line of many nouns
# ("login login login …") costs its length, not its length squared.
_WINDOW = 160
# At most this many listed codes after one plural noun.
_LISTED_MAX = 24
_COLON_AHEAD = re.compile(r"[^:\r\n]{0,60}:")
# How far after its noun a line may state the value ("Kennwort für den
# Sicherungsdatenträger ist dasselbe wie letztes Jahr: X"): tokens.
_REACH = 12
# Words that state a value: "is", "ist", "lautet", "remains"…
_VERBS = frozenset(
    {
        "is",
        "was",
        "are",
        "were",
        "ist",
        "war",
        "sind",
        "waren",
        "lautet",
        "lauten",
        "lautete",
        "heißt",
        "heisst",
        "bleibt",
        "remains",
        "stays",
        "es",
        "est",
        "será",
        "=",
        "=>",
        "->",
        "\u2192",
        "to",
        "auf",
        "zu",
        "used",
        "use",
        "uses",
        "using",
        "chose",
        "picked",
        "took",
        "gave",
        "sent",
        "verwenden",
        "verwendet",
        "benutzt",
        "nutzt",
        "nimm",
        "nehmen",
    }
)
# Words between a relation and its value: "is now", "ist weiterhin", "lautet jetzt:".
_ADVERBS = frozenset(
    {
        "now",
        "jetzt",
        "nun",
        "still",
        "noch",
        "immer",
        "again",
        "wieder",
        "currently",
        "aktuell",
        "simply",
        "just",
        "einfach",
        "nur",
        "temporarily",
        "vorübergehend",
        "weiterhin",
        "always",
        "also",
        "auch",
    }
)
# An article (and one more word) before a value: "is the passphrase 'copper lantern'".
_ARTICLES = frozenset(
    {"the", "a", "an", "das", "der", "die", "den", "ein", "eine", "our", "unser", "unsere"}
)
# German: "als Passwort haben wir X genommen": a value stated before its participle.
_HAVE = frozenset({"haben", "hat", "habe", "hatte", "hatten", "wurde", "wird"})
_PARTICIPLES = frozenset(
    {
        "genommen",
        "gesetzt",
        "vergeben",
        "verwendet",
        "eingestellt",
        "eingetragen",
        "gewählt",
        "festgelegt",
        "hinterlegt",
    }
)
# Short capitalised words with a dot that do not end a sentence ("Hrn. Yilmaz").
_ABBREVIATION = re.compile(r"(?:[A-Z][a-z]{0,3}|[a-z]\.[a-z])\.")
# Backwards: "X is the (new) wifi password", "X ist das neue WLAN-Passwort", "use X as
# (the) password", "X als Kennwort": the text before the noun ends like this.
_BACKWARD = re.compile(
    r"(?:^|[\s(])(?P<value>\u201e[^\u201c\r\n]{1,100}\u201c|\"[^\"\r\n]{1,100}\"|'[^'\r\n]{1,100}'"
    r"|[^\s\"'\u201e\u201c]+)[ \t]+"
    r"(?P<rel>(?:is|was|ist|war|=)[ \t]+(?:(?:the|our|your|their|his|her|its|my|das|der|die"
    r"|den|unser\w*|euer\w*|ihr\w*|sein\w*|mein\w*|a|an|ein\w*)[ \t]+)?"
    r"|(?:as|als)[ \t]+(?:(?:the|a|an|das|den|die|der|ein\w*|our|unser\w*|new|neue\w*)[ \t]+)?)"
    r"(?:[^\s\"'\u201e\u201c]+[ \t]+){0,2}$",
    re.IGNORECASE,
)
# What the words before a noun must hold for the backward reading to be tried at all.
_BACKWARD_HINT = re.compile(r"(?i:\b(?:is|was|ist|war|as|als)\b|=)[^\r\n]{0,60}$")
# A credentials noun's value is the second of a pair, anywhere after it on the line:
# "admin / X", "Benutzer admin / X", "with admin and X", "mit admin und X".
_PAIR = re.compile(
    r"(?:^|[\s(:])(?:(?:user|username|benutzer|benutzername|account|konto|login)[ \t:]+)?"
    r"(?P<user>[^\s/:,=;]+)(?:[ \t]*[/\\|][ \t]*|[ \t]+(?:and|und|/|pw|pass|password"
    r"|passwort|kennwort)[ \t:]+|,[ \t]*(?:pw|pass|password|passwort|kennwort)[ \t:]+)"
    r"(?P<value>\S+)",
    re.IGNORECASE,
)
# A plural noun whose line ends with ":" lists its values on the next lines, a few
# code-like tokens a line (recovery codes, backup codes).
_LISTED_CODE = re.compile(r"[A-Za-z0-9]{3,12}(?:[\- ][A-Za-z0-9]{3,12}){0,3}")
_PLURAL_NOUNS = ("codes", "keys", "passwords", "pins", "kennworter", "passworter", "schlussel")

# --- values -----------------------------------------------------------------------------------

# straight, typographic and angle quotes
_QUOTES = "\"'`\u201c\u201d\u201e\u00ab\u00bb\u201a\u2018\u2019"
_TRAILING = ".,;:)]}" + _QUOTES
_IDENTIFIER = re.compile(
    r"\{?[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\}?(?:[_.][0-9a-z]+)?"  # GUID
    r"|(?:\d{1,3}\.){3}\d{1,3}(?:[:/]\d+)?"  # IPv4, port or prefix
    r"|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:/\d+)?"  # IPv6
    r"|(?:[0-9a-f]{2}[:\-]){5}[0-9a-f]{2}"  # MAC
    r"|[a-z][a-z0-9+.\-]*://\S*"  # URL
    r"|[^\s@]+@[^\s@]+\.[a-z]{2,}"  # e-mail
    r"|(?:[a-z]:)?[\\/]{1,2}[^\s]*|~/\S*"  # path
    r"|v?\d+(?:\.\d+){1,3}(?:[\-+][0-9a-z.]+)?|[a-z]+/v?\d+(?:\.\d+)*"  # versions
    r"|\d{4}-\d{2}-\d{2}\S*|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{1,2}:\d{2}(?::\d{2})?"  # dates
    r"|kb\d{5,8}|cve-\d{4}-\d{3,7}|0x[0-9a-f]+"
    r"|(?:[a-z]{2,5}-)?[0-9a-hjkmnp-tv-z]{26}"  # ULID, support reference (SR-…)
    r"|[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.(?:com|net|org|local|lan|intern|internal|corp|de|at|ch"
    r"|eu|io|example|cloud|onmicrosoft\.com|microsoft|azure|windows)",  # host names
    re.IGNORECASE,
)
# A label right before the value that makes it an identifier, not a secret.
_IDENTIFIER_LABELS = frozenset(
    {
        "server",
        "host",
        "hostname",
        "device",
        "gerät",
        "geraet",
        "serial",
        "seriennummer",
        "sn",
        "s/n",
        "model",
        "modell",
        "version",
        "build",
        "ticket",
        "case",
        "order",
        "bestellung",
        "invoice",
        "rechnung",
        "event",
        "ereignis",
        "id",
        "kb",
        "error",
        "fehler",
        "hash",
        "sha1",
        "sha256",
        "md5",
        "thumbprint",
        "fingerprint",
        "fingerabdruck",
        "user",
        "username",
        "benutzer",
        "benutzername",
        "account",
        "konto",
        "tenant",
        "vault",
        "tresor",
        "keeper",
        "1password",
        "bitwarden",
        "keepass",
        "passbolt",
        "lastpass",
    }
)
# Nouns whose value may be digits only (a PIN, a door code); digits stated as a
# password count from 6.
_DIGIT_NOUNS = ("pin", "puk", "code", "passcode", "zugangscode", "tan")
_SYMBOLS = frozenset("!#$%&*+=?@^_~§/|\\<>;()[]{}")
# A word at least this frequent in English or German (Zipf scale: 3 is once per
# million words) is worded, not chosen.
_FREQUENT = 2.5
_PASSPHRASE = re.compile(r"[^\W\d_]+(?:[\-._][^\W\d_]+){2,}")
_DIGIT_GROUP = re.compile(r"\d{2,}(?:[ \-]\d{2,})+")


# A noun right after one of these is a part of a path, URL, option or address.
_NOT_PROSE_BEFORE = frozenset("/\\.=:@_&?#%$-")


class _Candidate(NamedTuple):
    start: int
    end: int
    evidence: str


def _fold_word(word: str) -> str:
    return "".join(key_parts(word.strip("()\"'"))) or word


@lru_cache(maxsize=8192)
def _worded(word: str) -> bool:
    """A word of the language (English or German), not a chosen string."""
    lower = word.lower()
    return zipf_frequency(lower, "en") >= _FREQUENT or zipf_frequency(lower, "de") >= _FREQUENT


@lru_cache(maxsize=8192)
def _known(word: str) -> bool:
    """Whether English or German has this word at all (however rare: "escrowed")."""
    lower = word.lower()
    return zipf_frequency(lower, "en") > 0 or zipf_frequency(lower, "de") > 0


@lru_cache(maxsize=4096)
def _shape(value: str, noun: str, quoted: bool) -> str | None:
    """Why ``value`` looks chosen rather than worded, or ``None`` when it does not."""
    if len(value) < 3 or stands_for_no_secret(value) or REFERENCE.match(value):
        return None
    if _IDENTIFIER.fullmatch(value):
        return None
    digits = sum(c.isdigit() for c in value)
    letters = sum(c.isalpha() for c in value)
    symbols = sum(c in _SYMBOLS or c in "-.," for c in value)
    if digits == len(value):
        minimum = 4 if noun.lower().endswith(_DIGIT_NOUNS) else 6
        return f"{len(value)} digits" if len(value) >= minimum else None
    if _DIGIT_GROUP.fullmatch(value):
        return "digit groups"
    if letters == len(value):
        if quoted and " " not in value and not _worded(value):
            return "quoted word"
        inner_capital = any(c.isupper() for c in value[1:]) and not value.isupper()
        if inner_capital and len(value) >= 6 and not _worded(value):
            return "mixed case"
        if len(value) >= 6 and not _known(value):
            return "no word of the language"
        return None
    if _PASSPHRASE.fullmatch(value):
        parts = re.split(r"[\-._]", value)
        return f"passphrase of {len(parts)} words"
    if quoted and " " in value.strip():
        words = value.split()
        if len(words) > 6 or all(_IDENTIFIER.fullmatch(w) for w in words):
            return None
        return "quoted phrase"
    if len(value) < 4:
        return None
    if digits and letters:
        return f"letters and digits{' and symbols' if symbols else ''}, {len(value)} characters"
    if symbols and letters and len(value) >= 5:
        return f"letters and symbols, {len(value)} characters"
    return None


def _strongly_chosen(value: str, noun: str) -> str | None:
    """A value that needs no relation to count ("use password Kx9!mPq2", "PIN 4711"):
    three kinds of character of upper case, lower case, digits and symbols, or the
    digits of a PIN or code. "password INC0000001" names a ticket, not a password."""
    if _IDENTIFIER.fullmatch(value) or stands_for_no_secret(value) or REFERENCE.match(value):
        return None
    digit_noun = noun.lower().endswith(_DIGIT_NOUNS)
    if value.isdigit():
        return f"{len(value)} digits" if digit_noun and len(value) >= 4 else None
    if digit_noun and _DIGIT_GROUP.fullmatch(value):
        return "digit groups"
    kinds = (
        any(c.isupper() for c in value)
        + any(c.islower() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )
    return (
        f"{kinds} kinds of character, {len(value)} characters"
        if kinds >= 3 and len(value) >= 6
        else None
    )


def _value_span(text: str, start: int, end: int) -> tuple[int, int, bool]:
    """The value without sentence punctuation and quotes; whether it was quoted."""
    quoted = text[start] in _QUOTES and end - start >= 2 and text[end - 1] in _QUOTES
    if quoted:
        inner_end = end - 1
        while inner_end > start + 1 and text[inner_end - 1] == " ":
            inner_end -= 1  # the blank that stood for a closing quote's escape
        return start + 1, inner_end, True
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    while start < end and (text[start] in _QUOTES or text[start] in "([{"):
        start += 1
    return start, end, False


def _named_identifier(text: str, start: int) -> bool:
    """Whether the word before ``start`` labels the value as an identifier ("server X")."""
    before = text[max(0, start - 30) : start].rstrip(" \t:#=")
    label = before.rsplit(None, 1)[-1].lower() if before.split() else ""
    return label.strip("(\"'") in _IDENTIFIER_LABELS


def _judge(text: str, start: int, end: int, noun: str, relation: str) -> _Candidate | None:
    """The value at ``text[start:end]`` as a finding, if it looks chosen."""
    raw = text[start:end].rstrip(_TRAILING)
    if stands_for_no_secret(raw) or REFERENCE.match(text, start):
        return None  # "<your integration code>", "{{AT_INTEGRATION_CODE}}", "$TOKEN"
    start, end, quoted = _value_span(text, start, end)
    if end <= start or "\0" in text[start:end] or REFERENCE.match(text, start):
        return None
    value = text[start:end]
    shape = _shape(value, noun, quoted)
    if shape is None:
        if relation.lower() not in ("lautet", "lauten") or not value.isalpha():
            return None
        shape = "a word stated with 'lautet'"
    return _Candidate(start, end, f"noun '{noun}', relation '{relation}', {shape}")


def _adjacent(line: str, token: re.Match[str], noun: str, how: str) -> _Candidate | None:
    """A value without a relation: only one that looks strongly chosen."""
    start, end, _quoted = _value_span(line, *token.span())
    value = line[start:end]
    if end <= start or "\0" in value or REFERENCE.match(line, start):
        return None
    if _OPTION.match(value) or _named_identifier(line, start):
        return None
    shape = _strongly_chosen(value, noun)
    return _Candidate(start, end, f"noun '{noun}', relation '{how}', {shape}") if shape else None


_OPTION = re.compile(r"--?[A-Za-z]|/[A-Za-z]{1,20}(?::|$)")
_CLAUSE_END = re.compile(r".*[.!?]$")


def _forward(
    line: str, noun_end: int, noun: str, needs_qualifier: str | None
) -> Iterator[_Candidate]:
    """The value stated after the noun: walk the tokens of the line up to a relation.

    Several relations may follow ("ist dasselbe wie letztes Jahr: X"): a value that
    does not look chosen lets the walk go on; a sentence's end or a command-line
    option stops it.
    """
    after = line[noun_end : noun_end + 1]
    if after not in (":", ",", ";", "") and not after.isspace():
        return
    tokens = list(itertools.islice(_TOKEN.finditer(line, noun_end + (after == ":")), _REACH))
    if not tokens:
        return
    words = [t.group() for t in tokens]
    if after == ":":  # "door keypad pin: 4826"
        judged = _judge(line, *tokens[0].span(), noun, ":")
        if judged:
            yield judged
        return
    if _fold_word(words[0]) in PROSE_QUALIFIERS and not (
        len(words) > 1 and words[1].lower() in ("to", "auf")
    ):
        return  # "password hash: …", "PIN length: 6", "token id" (but "PIN reset to 4711")
    around = line[max(0, noun_end - _WINDOW) : noun_end + _WINDOW]
    if needs_qualifier and not qualifies_later(needs_qualifier, _WORD.findall(around)):
        return
    adjacent = _adjacent(line, tokens[0], noun, "adjacent")
    if adjacent:
        yield adjacent
        return
    i = 0
    while i < len(tokens):
        word = words[i]
        lower = word.lower().rstrip(",;")
        value_at = None
        relation = ""
        if i and names_secret_in_prose(lower.strip(":"), words[i - 1]) == "secret":
            return  # the next noun: its own walk reads what follows it
        if word.startswith("(") and word.rstrip(".,;:").endswith(")") and len(word) > 2:
            judged = _adjacent(line, tokens[i], noun, "in parentheses")
            if judged:
                yield judged
                return
        if _OPTION.match(word) and i > 0:
            return  # a command line goes on: its options are the named-fields layer's
        if '"' in word[1:] and word[:1] not in _QUOTES:
            return  # the string the noun is in closes ("password The", "detail": …)
        if (word.endswith(":") and len(word) > 1) or word in (":", "=", "=>", "->", "\u2192"):
            value_at, relation = i + 1, ":"
        elif lower in _VERBS:
            value_at, relation = i + 1, lower
            while value_at < len(tokens) and words[value_at].lower().rstrip(":") in _ADVERBS:
                value_at += 1
            if value_at < len(tokens) and words[value_at] == ":":
                value_at += 1
        elif lower in _HAVE and i + 2 < len(tokens):
            # "als Passwort haben wir X genommen"
            for j in (i + 1, i + 2):
                if j + 1 < len(tokens) and words[j + 1].lower().rstrip(".,;") in _PARTICIPLES:
                    judged = _judge(line, *tokens[j].span(), noun, f"{lower} … {words[j + 1]}")
                    if judged:
                        yield judged
                        return
        if value_at is not None and value_at < len(tokens):
            if "\0" in words[value_at]:
                return  # stated, and already removed by an earlier layer
            judged = _judge(line, *tokens[value_at].span(), noun, relation)
            if judged is None and words[value_at].lower() in _ARTICLES:
                # "is the passphrase 'copper lantern meadow violin'"
                for j in (value_at + 1, value_at + 2):
                    if j < len(tokens):
                        quoted = words[j][:1] in _QUOTES
                        judged = (
                            _judge(line, *tokens[j].span(), noun, relation)
                            if quoted
                            else _adjacent(line, tokens[j], noun, relation)
                        )
                        if judged:
                            break
            if judged:
                yield judged
                return
        if (
            _CLAUSE_END.match(word)
            and not _ABBREVIATION.fullmatch(word)
            and word[:1] not in _QUOTES
        ):
            return
        i += 1


def _listed(line: str, start: int, noun: str) -> Iterator[_Candidate]:
    """Each code-like value a plural noun lists after it ("Backup codes: 3064 7248, …"),
    up to the first token that is no code."""
    for token in itertools.islice(_TOKEN.finditer(line, start), _LISTED_MAX):
        begin, end, _quoted = _value_span(line, *token.span())
        value = line[begin:end]
        if not (value and _LISTED_CODE.fullmatch(value) and any(c.isdigit() for c in value)):
            return
        yield _Candidate(begin, end, f"noun '{noun}', listed after ':', code of {len(value)}")


def _pair(line: str, start: int, noun: str) -> _Candidate | None:
    """The password of a user/password pair after a credentials noun."""
    for pair in _PAIR.finditer(line, start, start + _WINDOW):
        judged = _judge(line, *pair.span("value"), noun, "user / X")
        if judged:
            return judged
    return None


def _signed_in_with(line: str, start: int, noun: str) -> _Candidate | None:
    """ "logged in with Gu3st!Wlan#8": one strongly chosen value after "with"."""
    for token in itertools.islice(_TOKEN.finditer(line, start), 4):
        if token.group().lower() in ("with", "mit"):
            value = _TOKEN.search(line, token.end())
            return _adjacent(line, value, noun, token.group()) if value else None
    return None


def _candidates(line: str) -> Iterator[_Candidate]:
    """Every value ``line`` states as a secret."""
    previous = ""
    previous_end = 0
    for word in _WORD.finditer(line):
        text = word.group()
        noun_kind = names_secret_in_prose(
            _ESCAPED_LETTER.sub(lambda m: chr(int(m.group(1), 16)), text), previous
        )
        qualifier_start = previous_end
        previous, previous_end = text, word.start()
        if noun_kind is None or _NOT_A_NOUN.search(text):
            continue
        if word.start() and line[word.start() - 1] in _NOT_PROSE_BEFORE:
            continue  # a part of a path, URL, option, key or address
        noun_start = qualifier_start if noun_kind == "phrase" else word.start()
        noun = line[noun_start : word.end()]
        if noun_kind == "credentials":
            found = _pair(line, word.end(), noun) or _signed_in_with(line, word.end(), noun)
            if found:
                yield found
            continue
        listing = _fold_word(text).endswith(_PLURAL_NOUNS)
        colon = _COLON_AHEAD.match(line, word.end()) if listing else None
        if colon:
            listed = list(_listed(line, colon.end(), noun))
            if len(listed) > 1:
                yield from listed
                continue
        found = False
        needs = text if noun_kind == "qualified-later" else None
        for candidate in _forward(line, word.end(), noun, needs):
            found = True
            yield candidate
        if not found and noun_kind != "qualified-later":
            start = max(0, noun_start - _WINDOW)
            hint = _BACKWARD_HINT.search(line, start, noun_start)
            backward = hint and _BACKWARD.search(line, start, noun_start)
            if backward:
                relation = backward.group("rel").split()[0]
                judged = _judge(line, *backward.span("value"), noun, relation)
                if judged:
                    yield judged


# Words that are no noun of a sentence: identifiers (DB_PASSWORD, {{X}}), cmdlets
# (Set-ADAccountPassword).
_NOT_A_NOUN = re.compile(
    r"_|^(?:Get|Set|New|Remove|Add|Reset|Update|Test|Invoke|Connect|Enable|Disable|Convert"
    r"|ConvertTo|ConvertFrom|Import|Export|Start|Stop|Restart|Install|Uninstall|Clear|Read"
    r"|Write|Unlock|Search|Grant|Revoke|Register|Unregister|Save|Publish)-[A-Z]"
)


_PLACEHOLDERS = re.compile(re.escape(PLACEHOLDER_PREFIX) + r"[a-z0-9\-]*\]")


_ESCAPED_BLANK = re.compile(r"(?<!\\)\\[nrt]")


def _as_read(line: str) -> str:
    """``line`` as this layer reads it, of the same length: what earlier layers removed
    blanked out (no noun is read inside a placeholder, no value runs into one), and
    JSON-escaped line breaks and tabs (``\\n``) as blanks, which end a value, and
    JSON-escaped quotes as quotes after a blank (the escape stays outside the value)."""
    if PLACEHOLDER_PREFIX in line:
        line = _PLACEHOLDERS.sub(lambda m: "\0" * len(m.group()), line)
    if "\\" in line:
        line = _ESCAPED_BLANK.sub("  ", line).replace('\\"', ' "')
    return line


def _lists_below(line: str) -> str:
    """The plural noun ("Recovery codes …:") a line ends on, whose values follow."""
    stripped = line.rstrip()
    if not stripped.endswith(":"):
        return ""
    words = _WORD.findall(stripped)
    nouns = [
        w
        for w in words
        if _fold_word(w).endswith(_PLURAL_NOUNS) and names_secret_in_prose(w, "recovery")
    ]
    return nouns[-1] if nouns else ""


def _listed_line(line: str, noun: str) -> list[_Candidate]:
    """A line of listed codes under ``noun``: every token code-like, one to four."""
    tokens = line.split()
    if not 1 <= len(tokens) <= 4 or not all(_LISTED_CODE.fullmatch(t.strip(",;")) for t in tokens):
        return []
    return list(_listed(line, 0, noun))


def redact_statements(text: str, findings: list[Finding] | None = None) -> str:
    """``text`` without the values its lines state as secrets."""
    if not _STEMS.search(text.lower()):
        return text
    out: list[str] = []
    pos = 0
    line_start = 0
    listing = ""  # the plural noun whose values the lines below list
    for line in text.splitlines(keepends=True):
        read = _as_read(line)
        spans: list[_Candidate] = []
        if listing:
            spans = _listed_line(read, listing)
            listing = listing if spans else ""
        if not spans and _STEMS.search(line.lower()):
            spans = sorted({(c.start, c.end): c for c in _candidates(read)}.values())
            listing = _lists_below(read)
        if spans:
            for candidate in spans:
                start, end = line_start + candidate.start, line_start + candidate.end
                if start < pos:
                    continue  # inside a value already removed
                out += (text[pos:start], _PLACEHOLDER)
                pos = end
                if findings is not None:
                    findings.append(Finding(LAYER, STATED_SECRET.name, candidate.evidence))
        line_start += len(line)
    out.append(text[pos:])
    return "".join(out)
