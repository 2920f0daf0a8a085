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

People also state a secret by where they put it, so the layer reads the layouts of
what they paste: the answer below a question or request for a secret in a chat
("what's the pw?" / "[09:15] Anna: Summer2024!"), the column of a table whose header
names a secret ("Device | User | Password"), list items below a credentials heading
or labelled with an account or what a code opens ("- firewall admin: X", "- Door:
6655#"), and a login / password pair with a slash ("admin / X"). Each asks for a
strongly chosen value (or a keypad code), since the layout is weaker evidence than a
sentence.

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

from support_app.services.redaction.syntax import (
    IDENTIFIER,
    PLACEHOLDER_PREFIX,
    REFERENCE,
    SIZE,
    UNLIKE_A_NAME,
    Detector,
    Finding,
    placeholder,
    reads_as_a_name,
    reference_at,
    stands_for_no_secret,
)
from support_app.services.redaction.vocabulary import (
    PROSE_QUALIFIERS,
    is_a_word,
    is_common_word,
    is_everyday_word,
    is_secret_key,
    key_parts,
    names_secret_in_prose,
    qualifies_later,
)

LAYER = "stated-in-prose"

# The stems of the secret nouns, lower-cased: a line without any is not read further.
_NOUN_STEMS = (
    "pass",
    "pw",
    "kennw",  # Kennwort, Kennw.
    "kennsatz",
    "kombination",
    "combination",
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
    "noun, a stating relation and a value that looks chosen rather than worded; or one "
    "a chat answer, a table column, a list item or a login / password pair lays out",
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
        "neu",  # "Türcode wurde geändert, neu 770412"
        "namely",  # "dasselbe Passwort, nämlich X", "…, i.e. X", "e.g. X"
        "nämlich",
        "i.e.",
        "e.g.",
        "d.h.",
        "z.b.",
    }
)
# A dash or an arrow between a noun and its value.
_DASHES = frozenset({"-", "\u2013", "->", "-->", "as", "als"})
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
        "doch",
        "eigentlich",
        "ab",  # "ist ab sofort X"
        "sofort",
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
    r"(?P<rel>(?:is|was|ist|war)[ \t]+(?:(?:the|our|your|their|his|her|its|my|das|der|die"
    r"|den|unser\w*|euer\w*|ihr\w*|sein\w*|mein\w*|a|an|ein\w*)[ \t]+)?"
    r"|(?:as|als)[ \t]+(?:(?:the|a|an|das|den|die|der|ein\w*|our|unser\w*|new|neue\w*)[ \t]+)?)"
    r"(?:[^\s\"'\u201e\u201c,()]*[^\s\"'\u201e\u201c,().!?][ \t]+){0,2}$",  # one sentence
    re.IGNORECASE,
)
# What the words before a noun must hold for the backward reading to be tried at all.
_BACKWARD_HINT = re.compile(r"(?i:\b(?:is|was|ist|war|as|als)\b|=)[^\r\n]{0,60}$")
# A credentials noun's value is the second of a pair, anywhere after it on the line:
# "admin / X", "Benutzer admin / X", "with admin and X", "mit admin und X".
_PAIR = re.compile(
    r"(?:^|[\s(:])(?:(?:user|username|benutzer|benutzername|account|konto|login)[ \t:]+)?"
    r"(?P<user>[^\s/:,=;+]+)(?:[ \t]*[/|+][ \t]*|:(?=[^\s/])|[ \t]+(?:and|und|/|pw|pass|password"
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
_DIGIT_NOUNS = ("pin", "puk", "code", "passcode", "tan", "pins", "codes", "tans", "kombination",
                "combination")  # fmt: skip
_SYMBOLS = frozenset("!#$%&*+=?@^_~§/|\\<>;()[]{}")
# Lower-case letters and digits that alternate, as generated session passwords do
# ("7xk2pq", "3fg8ry"); not a word with a number after it ("mueller123").
_INTERLEAVED = re.compile(r"(?:[a-z]+\d+|\d+[a-z]+){2}[a-z\d]*|[a-z\d]*\d[a-z]+\d[a-z\d]*")
_PASSPHRASE = re.compile(r"[^\W\d_]+(?:[\-._][^\W\d_]+){2,}")
_DIGIT_GROUP = re.compile(r"(?=(?:\D*\d){4})\d+(?:[ \-]\d+)+")


# Nouns written short with a dot.
_ABBREVIATED = frozenset({"kennw", "passw", "passwd", "pwd", "pw", "pass"})
# A noun right after one of these is a part of a path, URL, option or address.
_NOT_PROSE_BEFORE = frozenset("/\\.=:@_&?#%$-,")


class _Candidate(NamedTuple):
    start: int
    end: int
    evidence: str


def _fold_word(word: str) -> str:
    return "".join(key_parts(word.strip("()\"'"))) or word


@lru_cache(maxsize=4096)
def _shape(value: str, noun: str, quoted: bool) -> str | None:
    """Why ``value`` looks chosen rather than worded, or ``None`` when it does not."""
    if len(value) < 3 or stands_for_no_secret(value) or reference_at(value, 0):
        return None
    if IDENTIFIER.fullmatch(value) or SIZE.match(value):
        return None  # a GUID, a path, "6-stellig"
    digits = sum(c.isdigit() for c in value)
    letters = sum(c.isalpha() for c in value)
    symbols = sum(c in _SYMBOLS or c in "-.," for c in value)
    if digits == len(value):
        minimum = 4 if noun.lower().endswith(_DIGIT_NOUNS) else 6
        return f"{len(value)} digits" if len(value) >= minimum else None
    if _DIGIT_GROUP.fullmatch(value):
        return "digit groups"
    if not letters and digits >= 4 and noun.lower().endswith(_DIGIT_NOUNS):
        return "digits and symbols"  # a keypad's "#4471*"
    if letters == len(value):
        if quoted and " " not in value and not is_common_word(value):
            return "quoted word"
        inner_capital = any(c.isupper() for c in value[1:]) and not value.isupper()
        if inner_capital and len(value) >= 6 and not is_common_word(value):
            return "mixed case"
        if len(value) >= 6 and not is_a_word(value):
            return "no word of the language"
        return None
    if _PASSPHRASE.fullmatch(value):
        parts = re.split(r"[\-._]", value)
        return f"passphrase of {len(parts)} words"
    groups = value.split()
    if (
        len(groups) >= 3
        and all(_GROUP.fullmatch(g) for g in groups)
        and len(set(map(len, groups))) == 1
        and (any(c.isdigit() for c in value) or not any(is_common_word(g) for g in groups))
    ):
        return f"a value in {len(groups)} groups"
    if quoted and " " in value.strip():
        words = value.split()
        if len(words) > 6 or all(IDENTIFIER.fullmatch(w) for w in words):
            return None
        return "quoted phrase"
    if len(value) < 4:
        return None
    if digits and letters:
        return f"letters and digits{' and symbols' if symbols else ''}, {len(value)} characters"
    if symbols and letters and len(value) >= 5:
        return f"letters and symbols, {len(value)} characters"
    return None


# Two words joined by a hyphen or a dot: the name of a thing, not a chosen value.
_NAMED_THING = re.compile(r"[^\W\d_]+[\-.][^\W\d_]+")


def _strongly_chosen(value: str, noun: str) -> str | None:
    """A value that needs no relation to count ("use password Kx9!mPq2", "PIN 4711"):
    three kinds of character of upper case, lower case, digits and symbols, or the
    digits of a PIN or code. "password INC0000001" names a ticket, not a password."""
    if IDENTIFIER.fullmatch(value) or stands_for_no_secret(value) or reference_at(value, 0):
        return None
    digit_noun = noun.lower().endswith(_DIGIT_NOUNS)
    if value.isdigit():
        # a PIN or code from 4 digits, a password of digits from 6 ("Admin-Kennwort 71946253")
        return f"{len(value)} digits" if len(value) >= (4 if digit_noun else 6) else None
    if _NAMED_THING.fullmatch(value):
        return None  # a name of two words ("Follow-Me", "IT-Schrank", "Kassen-PC")
    if digit_noun and _DIGIT_GROUP.fullmatch(value):
        return "digit groups"
    if 6 <= len(value) <= 16 and _INTERLEAVED.fullmatch(value):
        return f"letters and digits interleaved, {len(value)} characters"  # "7xk2pq"
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
    quoted = end - start >= 2 and text[start] in _QUOTES and text[end - 1] in _QUOTES
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
    if stands_for_no_secret(raw) or reference_at(text, start):
        return None  # "<your integration code>", "{{AT_INTEGRATION_CODE}}", "$TOKEN"
    start, end, quoted = _value_span(text, start, end)
    if end <= start or "\0" in text[start:end] or reference_at(text, start):
        return None
    value = text[start:end]
    shape = _shape(value, noun, quoted)
    if shape is None:
        if relation.lower() not in ("lautet", "lauten") or not value.isalpha():
            return None
        if is_everyday_word(value):
            return None  # "lautet wie folgt: X"
        shape = "a word stated with 'lautet'"
    return _Candidate(start, end, f"noun '{noun}', relation '{relation}', {shape}")


_GROUP = re.compile(r"[A-Za-z0-9]{3,6}")
# How many digit groups of a length make one value as people read codes aloud:
# "739 204", "80 41 77", "2 5 8 0".
_DIGIT_GROUPS = {1: 4, 2: 3, 3: 2}


def _grouped(line: str, tokens: list[re.Match[str]], first: int) -> tuple[int, int]:
    """The span of a value written in groups ("4712 8836 1902 0455", "zuna nxov sr3t 32zm",
    "739 204", "2 5 8 0"): the tokens from ``first`` on while they are groups of one
    length, three or more of them (digits: as many as ``_DIGIT_GROUPS`` asks);
    otherwise the one token."""
    group = tokens[first].group().rstrip(".,;")
    digits = group.isdigit() and len(group) in _DIGIT_GROUPS
    if not (_GROUP.fullmatch(group) or digits):
        return tokens[first].span()
    if not digits and group.isalpha() and is_common_word(group):
        return tokens[first].span()  # a word of a sentence ("aus der SMS"), not a key
    last = first
    while last + 1 < len(tokens):
        following = tokens[last + 1].group().rstrip(".,;")
        if len(following) != len(group) or tokens[last].group()[-1:] in ".,;":
            break
        if not (following.isdigit() if digits else _GROUP.fullmatch(following)):
            break
        last += 1
    needed = _DIGIT_GROUPS[len(group)] if digits else 3
    if last - first + 1 < needed:
        return tokens[first].span()
    if not digits:
        groups = [t.group().rstrip(".,;") for t in tokens[first : last + 1]]
        if not any(c.isdigit() for g in groups for c in g) and any(map(is_common_word, groups)):
            return tokens[first].span()  # words of a sentence ("aus der SMS"), not a key
    return tokens[first].start(), tokens[last].end()


def _adjacent(
    line: str, tokens: list[re.Match[str]], first: int, noun: str, how: str
) -> _Candidate | None:
    """A value without a relation (``tokens[first]``, or digits in groups from there):
    only one that looks strongly chosen."""
    token = tokens[first].group()
    if token[:2] in ("[(", "[[", "['", '["', "{'", '{"', "({") or "=" in token:
        return None  # a structure or a key=value: their own detectors read them
    if token.endswith(":") and len(token) > 1:
        return None  # a label ("Passwort Kassen-PC: X"): the walk reads what it labels
    if _JOINED_WORDS.fullmatch(token.strip(_TRAILING)) or _MASKED.search(token):
        return None  # "geändert;Status": cells of a header; "sk_live_•••4xQ2": masked
    start, end, _quoted = _value_span(line, *_grouped(line, tokens, first))
    value = line[start:end]
    if end <= start or "\0" in value or reference_at(line, start):
        return None
    if _OPTION.match(value) or _named_identifier(line, start):
        return None
    shape = _strongly_chosen(value, noun)
    return _Candidate(start, end, f"noun '{noun}', relation '{how}', {shape}") if shape else None


# Words joined by the separators of cells ("geändert;Status", "Name|PIN").
_JOINED_WORDS = re.compile(r"[;|,]?[^\W\d_]+(?:[;|,][^\W\d_]+)*")
# A value masked in part: "sk_live_•••••4xQ2", "Pa****rd", "xxxx1234".
_MASKED = re.compile(r"[\u2022\u25cf*]{3,}|[xX]{4,}")
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
    while line[noun_end : noun_end + 1] == ")":
        noun_end += 1  # "(Notfall-Code): 6052"
    if line[noun_end : noun_end + 1] == "." and _fold_word(noun.split()[-1]) in _ABBREVIATED:
        noun_end += 1  # "Kennw. Lohnbuchhaltung: X"
    after = line[noun_end : noun_end + 1]
    if after not in (":", ",", ";", "") and not after.isspace():
        return
    tokens = list(itertools.islice(_TOKEN.finditer(line, noun_end + (after == ":")), _REACH))
    if not tokens:
        return
    words = [t.group() for t in tokens]
    if after == ":":  # "door keypad pin: 4826"
        judged = _phrase(line, tokens[0].start(), noun) or _judge(
            line, *_grouped(line, tokens, 0), noun, ":"
        )
        if judged is None and words[0].endswith(",") and len(tokens) > 1:
            judged = _adjacent(line, tokens, 1, noun, ": …,")  # "identical, Kiosk#Fleet-9"
        if judged:
            yield judged
        return
    if _fold_word(words[0]) in PROSE_QUALIFIERS and not (
        len(words) > 1 and words[1].lower() in ("to", "auf")
    ):
        return  # "password hash: …", "PIN length: 6", "token id" (but "PIN reset to 4711")
    around = line[max(0, noun_end - _WINDOW) : noun_end + _WINDOW]
    if needs_qualifier and not (
        _qualified_in(needs_qualifier, line) and qualifies_later(needs_qualifier, around)
    ):
        return
    adjacent = _adjacent(line, tokens, 0, noun, "adjacent")
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
            judged = _adjacent(line, tokens, i, noun, "in parentheses")
            if judged and UNLIKE_A_NAME.search(line, judged.start, judged.end):
                yield judged
                return
        if _OPTION.match(word) and i > 0:
            return  # a command line goes on: its options are the named-fields layer's
        if '"' in word[1:] and word[:1] not in _QUOTES:
            return  # the string the noun is in closes ("password The", "detail": …)
        if (word.endswith(":") and len(word) > 1) or word in (":", "="):
            value_at, relation = i + 1, ":"
        elif lower in _DASHES and i + 1 < len(tokens):
            # "from the sticky note - Reception2!Desk", "rotated -> X", "given as
            # 'Red-Lantern-93'": a dash also joins clauses and "as" names a role
            # ("shows it as QR-Code"), so only a value of digits and strong choice counts
            judged = _adjacent(line, tokens, i + 1, noun, word)
            if judged and any(c.isdigit() for c in line[judged.start : judged.end]):
                yield judged
                return
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
            judged = _phrase(line, tokens[value_at].start(), noun) or _judge(
                line, *_grouped(line, tokens, value_at), noun, relation
            )
            if judged is None and words[value_at].endswith(",") and value_at + 1 < len(tokens):
                # "password on all kiosks: identical, Kiosk#Fleet-9"
                judged = _adjacent(line, tokens, value_at + 1, noun, f"{relation} …,")
            if judged is None and words[value_at].lower() in _ARTICLES:
                # "is the passphrase 'copper lantern meadow violin'"
                for j in (value_at + 1, value_at + 2):
                    if j < len(tokens):
                        quoted = words[j][:1] in _QUOTES
                        judged = (
                            _judge(line, *tokens[j].span(), noun, relation)
                            if quoted
                            else _adjacent(line, tokens, j, noun, relation)
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


# A passphrase of words: three to 24 of them (a wallet's recovery phrase), to the end
# of the clause.
_PHRASE = re.compile(r"[^\W_]+(?:[ \t]+[^\W_]+){2,23}(?=[ \t]*(?:[.,;(]|$))", re.MULTILINE)
_PHRASE_NOUNS = ("phrase", "satz")


def _phrase(line: str, start: int, noun: str) -> _Candidate | None:
    """The words a passphrase noun states ("passphrase …: silver kettle orbit lemon",
    "Kennsatz: Hafen Möwe Anker Leuchtturm"): none of them a word of grammar or of
    every day, which a sentence about the passphrase has ("is stored in the vault")."""
    if not _fold_word(noun.split()[-1]).endswith(_PHRASE_NOUNS) or line[start] in _QUOTES:
        return None
    phrase = _PHRASE.match(line, start)
    if phrase is None:
        return None
    words = phrase.group().split()
    if any(len(w) > 3 if w.isdigit() else is_everyday_word(w) for w in words):
        return None
    return _Candidate(*phrase.span(), f"noun '{noun}', a passphrase of {len(words)} words")


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
        if "/" in pair.group("value") or "/" in pair.group("user"):
            continue  # a path (secret/data/kunde/fw01), not a user and a password
        if line[pair.end("user") : pair.end("user") + 1] == ":" and not (
            pair.group("user")[:1].isalpha()
        ):
            continue  # a time (08:44:02), not a user:password
        if pair.group("user")[:1] in "$%":
            continue  # a variable of a drive or scope ($env:SVC_PW), not a user
        judged = _judge(line, *pair.span("value"), noun, "user / X")
        if judged:
            return judged
    return None


def _signed_in_with(line: str, start: int, noun: str) -> _Candidate | None:
    """ "logged in with Gu3st!Wlan#8": one strongly chosen value after "with"."""
    for token in itertools.islice(_TOKEN.finditer(line, start), 4):
        if token.group().lower() in ("with", "mit"):
            values = list(itertools.islice(_TOKEN.finditer(line, token.end()), 8))
            return _adjacent(line, values, 0, noun, token.group()) if values else None
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
        if noun_kind is None or _NOT_A_NOUN.search(_compound_end(text)):
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
    r"_|[a-z][A-Z]|^[a-z0-9]+(?:-[a-z0-9]+){2,}$|^(?:Get|Set|New|Remove|Add|Reset|Update|Test|Invoke|Connect|Enable|Disable|Convert"
    r"|ConvertTo|ConvertFrom|Import|Export|Start|Stop|Restart|Install|Uninstall|Clear|Read"
    r"|Write|Unlock|Search|Grant|Revoke|Register|Unregister|Save|Publish)-[A-Z]"
)


@lru_cache(maxsize=256)
def _qualified_in(noun: str, line: str) -> bool:
    """Whether anything in ``line`` qualifies ``noun``: one search a line and noun, so a
    line of many unqualified nouns ("code code code …") reads no window around each."""
    return qualifies_later(noun, line)


def _compound_end(word: str) -> str:
    """A hyphenated compound's last part when it is a plain noun ("BitLocker-Kennwort",
    "TeamViewer-Passwort": a brand's capitals do not make an identifier); else the word."""
    head, _, last = word.rpartition("-")
    return last if head and last[:1].isupper() and last[1:].islower() else word


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


def _names_a_secret(line: str) -> str:
    """The last secret noun a line names ("Enter this key instead:", "Notfallcodes",
    "cat /etc/openvpn/creds.txt"), whose value the lines just below may hold alone."""
    found = ""
    words = _WORD.findall(line)
    for i, (before, word) in enumerate(zip(["", *words], words, strict=False)):
        if _NOT_A_NOUN.search(word) or before.lower() in ("public", "host", "pub"):
            continue  # DB_PASSWORD, "Public key for the partner:"
        kind = names_secret_in_prose(word, before)
        if kind in ("secret", "phrase", "credentials") or (
            kind == "qualified-later"
            and (
                _fold_word(word) == "key"
                or (
                    _qualified_in(word, line)
                    and qualifies_later(word, " ".join(words[i + 1 : i + _REACH]))
                )
            )
        ):
            found = word
    if not found:  # a command that names it: terraform output -raw admin_password
        found = next((w for w in _IDENTIFIERS.findall(line) if is_secret_key(w)), "")
    if not found and (shown := _SHOWS_A_FILE.search(line)):
        name = shown.group("path").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
        found = name if is_secret_key(name.replace(".", "_")) else ""
    return found


_IDENTIFIERS = re.compile(r"\b[A-Za-z][A-Za-z0-9]*_[\w]+")
# A command that prints a file ("cat /etc/zabbix/agent.psk", "type creds.txt").
_SHOWS_A_FILE = re.compile(
    r"(?:^|[#$>]\s*)(?:cat|type|more|less|head|tail|Get-Content|gc)\s+(?P<path>[^\s|;&]+)\s*$"
)
# A line that is a value on its own: codes in a row or numbered ("1. 9919 6079",
# "da27b-6c747    d9783-9ab1b", "oham uxby 3wp4 …"), or one strongly chosen token.
_NUMBERING = re.compile(r"[ \t]*(?:\d{1,2}[.)][ \t]+)?")
_CODE_TOKEN = re.compile(r"[A-Za-z0-9]{3,12}(?:-[A-Za-z0-9]{3,12})?")
_NON_BLANK = re.compile(r"\S+")
# A value alone on its line: no key=value, label, path, markup or cells of a row, a
# digit in it, at most 40 characters (a line of a base64 block is longer).
_ALONE = re.compile(r"(?=[^\s]*\d)[^\s=:;|<>{}\[\]/\\]{6,40}")


def _value_line(line: str, noun: str) -> list[_Candidate]:
    """The values of a line that holds nothing but them, below a line naming ``noun``."""
    body_start = _NUMBERING.match(line).end()
    if phrase := _phrase(line, body_start, noun):
        return [phrase]  # a recovery phrase of words below its noun
    tokens = list(_NON_BLANK.finditer(line, body_start))
    if not tokens or len(tokens) > 8:
        return []
    values = [t.group() for t in tokens]
    if len(values) == 1 and (pair := _USER_AND_PASSWORD.fullmatch(values[0])):
        start = tokens[0].start() + pair.start("password")
        shape = _strongly_chosen(pair.group("password"), noun)
        if shape:  # chpasswd's "user:password" lines
            return [
                _Candidate(start, start + len(pair.group("password")), f"user:X below '{noun}'")
            ]
    if len(values) == 1:
        start, end, _quoted = _value_span(line, *tokens[0].span())
        alone = line[start:end]
        shape = _ALONE.fullmatch(alone) and _strongly_chosen(alone, noun)
        if not shape and _fold_word(noun).endswith(_PLURAL_NOUNS) and _LISTED_CODE.fullmatch(alone):
            shape = "a code of a list" if any(c.isdigit() for c in alone) else ""
        return [_Candidate(start, end, f"alone below '{noun}', {shape}")] if shape else []
    if len(values) < 2 or not all(
        _CODE_TOKEN.fullmatch(v) and not IDENTIFIER.fullmatch(v) for v in values
    ):
        return []  # codes come several to a line; one token alone must look chosen
    if (
        len(values) >= 3
        and len({len(v) for v in values}) == 1
        and len(values[0]) >= 4
        and sum(not is_a_word(v) for v in values) * 2 >= len(values)
    ):
        # one key in groups, most of them no word ("wada jmzp nwlv zfrs")
        first, last = tokens[0].start(), tokens[-1].end()
        return [_Candidate(first, last, f"below '{noun}', a key in {len(values)} groups")]
    if any(is_common_word(v) and not v.isdigit() for v in values):
        return []  # "port 587": a setting, not codes
    digits = sum(any(c.isdigit() for c in v) for v in values)
    unknown = sum(not is_a_word(v) for v in values)
    if digits * 2 < len(values) and unknown < max(3, len(values) - 1):
        return []  # words of a sentence, not codes
    first, last = tokens[0].start(), tokens[-1].end()
    if len({len(v) for v in values}) == 1 and len(values) >= 3:
        # one key written in groups ("oham uxby 3wp4 …"): removed whole
        return [_Candidate(first, last, f"below '{noun}', a key in {len(values)} groups")]
    return [
        _Candidate(t.start(), t.end(), f"below '{noun}', code of {len(t.group())}") for t in tokens
    ]


_USER_AND_PASSWORD = re.compile(r"[\w.\-]{1,32}:(?P<password>[^\s:]{6,64})")
# How many lines below its noun a value may stand alone.
_LINES_BELOW = 3
# A line whose value is a reference ("ansible_password: !vault |", "pw = {{ x }}"): the
# lines below are that reference's (an encrypted block), not a value stated alone.
_GIVES_A_REFERENCE = re.compile(r"[:=][ \t]*(?:" + REFERENCE.pattern + ")")


def redact_statements(text: str, findings: list[Finding] | None = None) -> str:
    """``text`` without the values its lines state as secrets.

    Besides what each line states, a line that holds nothing but a value (codes in a
    row, a key in groups, one chosen token) is removed when one of the lines just
    above names a secret ("Your recovery codes", "Enter this key instead:", "cat
    creds.txt"): authenticator, recovery and tool screens put the value below.
    """
    lower = text.lower()
    stated = _STEMS.search(lower)
    if not (stated or "/" in text or _ACCOUNT_WORD.search(lower) or qualifies_later("code", lower)):
        return text
    out: list[str] = []
    pos = 0
    line_start = 0
    above, lines_left = "", 0  # the secret noun a line above named, for how many lines
    asked = False  # whether that line asked for it ("what's the pw?")
    table: _Table | None = None  # the secret columns of a table above
    for line in text.splitlines(keepends=True):
        read = _as_read(line)
        spans: list[_Candidate] = []
        if table is not None:
            spans, table = table.row(read)
        if not spans and lines_left:
            spans = _value_line(read, above) or _listed_item(read, above)
            if not spans and asked:
                spans = _answer(read, above)
            lines_left = _LINES_BELOW if spans else lines_left - 1
        if not spans and stated and _STEMS.search(line.lower()):
            spans = sorted({(c.start, c.end): c for c in _candidates(read)}.values())
            if not spans and table is None:
                table = _Table.of(read)
        if not spans:
            spans = _account_pairs(read) or _listed_item(read, "")
        if (
            not spans
            and stated
            and table is None
            and not _GIVES_A_REFERENCE.search(read)
            and (noun := _names_a_secret(read))
        ):
            above, lines_left = noun, _LINES_BELOW
            asked = bool(_QUESTION.search(read) or _REQUEST.search(read))
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


# --- conversations, lists, pairs and tables ---------------------------------------------------

# A chat message's speaker and time, or a reply's answer label, before its text:
# "[09:15] Anna Vogt: ", "Lea Hoffmann, 13:24: ", "Sam (Teams): ", "A: ", "yep: ".
_NAME_WORD = r"(?:[^\W\d_](?:[^\W_]|[.'\-])*|\([^()\r\n]{1,20}\))"
_SPEAKER = re.compile(
    r"[ \t]*(?:>[ \t]*)*(?:\[[^\]\r\n]{1,40}\][ \t]*)?"
    rf"(?:{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,3}}(?:,?[ \t]+\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?"
    r"[ \t]*:[ \t]+)?"
)
# A question mark that ends a question ("pw?", "Kennwort vom Scanner?"), not one of
# a shell's ("${PASSWORD:?set in .env}").
_QUESTION = re.compile(r"[^\W\d_]\?(?=[\s\"')]|$)")
# A request for it ("can u send me the admin pass", "schick mir mal das Kennwort").
_REQUEST = re.compile(
    r"(?i)\b(?:send|give|share|need|schick\w*|sende\w*|gib|brauch\w*)\b(?:[ \t]+\w+){0,2}"
    r"[ \t]+(?:me|us|mir|uns)\b|\b(?:need|brauche)\b"
)
# What may follow an answer in its message: nothing, or a remark after a dash, a comma
# or a parenthesis ("Un1fi_Ctrl!88 - don't paste it anywhere").
_AFTER_ANSWER = re.compile(r"[ \t]*(?:[#*]|[\-\u2013\u2014,(][^\r\n]*)?[ \t]*\r?\n?")


def _answer(line: str, noun: str) -> list[_Candidate]:
    """The value a message answers with, below a message that asked for a secret
    ("what's the pw for the scanner user?" / "[09:15] Anna Vogt: Summer2024!"): the
    whole message, or its first token before a remark, when it looks chosen and holds
    a digit or a symbol (an answer of letters only is a word: "yes", "Moment")."""
    body = _SPEAKER.match(line).end()
    tokens = list(itertools.islice(_TOKEN.finditer(line, body), 4))
    if not tokens or "?" in line[body:]:
        return []
    first = 0
    while first < len(tokens) - 1 and is_everyday_word(tokens[first].group().strip(",:")):
        first += 1  # "Ja, X", "das ist X", "here: X"
    if first > 2:
        return []
    token = tokens[first]
    start, end, quoted = _value_span(line, *_grouped(line, tokens, first))
    if not _AFTER_ANSWER.fullmatch(line, end):
        return []
    value = line[start:end]
    if not value or value.isalpha() or "\0" in value or _named_identifier(line, start):
        return []
    if reference_at(line, token.start()) or stands_for_no_secret(value):
        return []
    if reads_as_a_name(value):
        return []  # "HP-LaserJet-M404": a model, a host or a group answers many questions
    shape = _shape(value, noun, quoted)
    return [_Candidate(start, end, f"answers a question for '{noun}', {shape}")] if shape else []


# Words that name an account, whose value in a list or after a slash is its password.
_ACCOUNTS = (
    "admin",
    "administrator",
    "root",
    "sa",
    "enable",
    "benutzer",
    "user",
    "login",
    "konto",
    "account",
    "ubnt",
    "techniker",
    "support",
    "service",
    "svc",
)
_ACCOUNT_WORD = re.compile(r"\b(?:" + "|".join(_ACCOUNTS) + r")\b")
# A label that ends in one of these labels a login, not its password ("- admin
# account: ADM-Kroth01", "Benutzername: …").
_NAMES_A_LOGIN = re.compile(
    r"(?:account|user|username|name|konto|benutzer|benutzername|login|id|e-?mail)\W*$"
)
# A list item that labels a value: "- firewall admin: X", "• smtp relay: X",
# "1. Server-Kennwort (lokaler Admin): X", "NVR .......... X".
_LIST_ITEM = re.compile(
    r"[ \t]*(?:[\-*\u2022\u2013\u00b7]|\d{1,2}[.)])[ \t]+(?P<label>[^:=\r\n]{1,60}?)"
    r"[ \t]*(?::|\.{3,}|=|->|=>|\u2192)[ \t]*(?P<value>\S+)[ \t]*\r?\n?"
)
# The digits of a keypad, with its keys for enter or cancel ("6655#", "*4471").
_KEYPAD_CODE = re.compile(r"[#*]?\d{4,8}[#*]?")


def _listed_item(line: str, noun: str) -> list[_Candidate]:
    """The value of a list item under a line naming a secret (``noun``), or of an item
    whose label names an account ("- firewall admin: Fw@Edge-2026"): a strongly
    chosen value with a digit or a symbol."""
    item = _LIST_ITEM.fullmatch(line)
    if item is None:
        return []
    label = item.group("label").lower()
    start, end, _quoted = _value_span(line, *item.span("value"))
    value = line[start:end]
    if not noun and _KEYPAD_CODE.fullmatch(value) and qualifies_later("code", label):
        # "- Door: 6655#", "- Alarmanlage: 4711": what the label opens, and its code
        return [_Candidate(start, end, f"a list item labelled '{label}', a keypad code")]
    if not noun and not (_ACCOUNT_WORD.search(label) and not _NAMES_A_LOGIN.search(label)):
        return []
    if not UNLIKE_A_NAME.search(value) or "\0" in value:
        return []  # "- owner: IT-Ops-2026", "- admin portal: Admin-Center-2026"
    shape = _strongly_chosen(value, noun or "password")
    evidence = f"a list item below '{noun}'" if noun else "a list item labelled with an account"
    return [_Candidate(start, end, f"{evidence}, {shape}")] if shape else []


# "admin / X", "root / X", "mwalker / X": a login and the password after a slash with
# blanks around it; without blanks ("root/X") only after an account's name, since
# paths write the same ("actions/checkout@v4", "postfix/smtpd[301]").
_SLASH_PAIR = re.compile(
    r"(?:^|(?<=[\s(:,]))(?:(?P<user>[a-z][\w.\-@]{0,31})[ \t]+/[ \t]+"
    r"|(?:" + "|".join(_ACCOUNTS) + r")/)(?P<value>[^\s/]+)"
)


def _account_pairs(line: str) -> list[_Candidate]:
    """The password of each login/password pair a line writes with a slash and no noun
    ("Zyxel NAS: admin / NasZyx#551"): the password must be strongly chosen, with a
    digit, and no path may go on after it."""
    if "/" not in line:
        return []
    found = []
    for pair in _SLASH_PAIR.finditer(line):
        start, end, _quoted = _value_span(line, *pair.span("value"))
        value = line[start:end]
        if "\0" in value or not any(c.isdigit() for c in value) or IDENTIFIER.fullmatch(value):
            continue
        if line[pair.end() : pair.end() + 1] == "/" or reference_at(line, start):
            continue
        shape = UNLIKE_A_NAME.search(value) and _strongly_chosen(value, "password")
        if shape and _kinds(value) >= 3 and not _DATE_OR_NUMBER.fullmatch(value):
            found.append(_Candidate(start, end, f"a login / password pair, {shape}"))
    return found


_DATE_OR_NUMBER = re.compile(r"[\d.,:\-+/]+")


def _kinds(value: str) -> int:
    return (
        any(c.isupper() for c in value)
        + any(c.islower() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )


# How a table separates its cells: pipes, semicolons, tabs, or runs of blanks.
_CELL_SEPARATORS = (
    re.compile(r"[ \t]*\|[ \t]*"),
    re.compile(r"[ \t]*;[ \t]*"),
    re.compile(r"[ \t]*\t[ \t]*"),
    re.compile(r"[ \t]{2,}"),
)
# A header cell: a label of up to three words, no digits ("Password", "IP addresses",
# "# client"), where a row of values has digits, dots or quotes.
_HEADER_CELL = re.compile(r"(?:#[ \t]*)?[^\W\d_]+(?:[ \-/][^\W\d_]+){0,2}")
_RULER = re.compile(r"[ \t]*[\-=+|: \t]{3,}\r?\n?")


class _Table(NamedTuple):
    """A table whose header names a secret column ("Device | User | Password"): the
    cells of that column below it, row by row, while rows have the header's width."""

    separator: re.Pattern[str]
    width: int
    columns: tuple[tuple[int, str], ...]  # index and header of each secret column

    @staticmethod
    def of(line: str) -> _Table | None:
        """The table ``line`` heads, if it is a header naming a secret column."""
        for separator in _CELL_SEPARATORS:
            cells = _cells(line, separator)
            if len(cells) < 2 or not all(_HEADER_CELL.fullmatch(c) for c in cells):
                continue
            columns = tuple((i, c) for i, c in enumerate(cells) if _names_a_column(c, cells))
            if columns and len(columns) < len(cells):
                return _Table(separator, len(cells), columns)
        return None

    def row(self, line: str) -> tuple[list[_Candidate], _Table | None]:
        """The secret cells of one row, and the table, or ``None`` where it ends."""
        if _RULER.fullmatch(line):
            return [], self
        cells = list(_cell_spans(line, self.separator))
        if len(cells) != self.width:
            return [], None
        found = []
        for index, header in self.columns:
            start, end, quoted = _value_span(line, *cells[index])
            value = line[start:end]
            if not value or (" " in value.strip() and not _DIGIT_GROUP.fullmatch(value)):
                continue  # "(in vault)", "siehe Safe": words, not a value
            if reads_as_a_name(value):
                continue  # "FW-HQ-01", "Stored-In-Vault": a name in the column
            shape = "\0" not in value and _shape(value, header, quoted)
            if shape:
                found.append(_Candidate(start, end, f"in column '{header}', {shape}"))
        return found, self


def _cell_spans(line: str, separator: re.Pattern[str]) -> Iterator[tuple[int, int]]:
    """The spans of a row's cells (a markdown row's outer pipes open and close no cell)."""
    body_start = len(line) - len(line.lstrip())
    body_end = len(line.rstrip())
    if separator.pattern.startswith(r"[ \t]*\|"):
        body_start += line[body_start:body_end].startswith("|")
        body_end -= line[body_start:body_end].endswith("|")
    at = body_start
    for gap in separator.finditer(line, body_start, body_end):
        yield at, gap.start()
        at = gap.end()
    yield at, body_end


def _cells(line: str, separator: re.Pattern[str]) -> list[str]:
    return [line[a:b].strip() for a, b in _cell_spans(line, separator)]


def _names_a_column(cell: str, header: list[str]) -> bool:
    """A header cell whose last word names a secret ("Password", "Startpasswort", "PIN",
    "Door code"), and nothing after it; "Schlüssel" or "Key" with a column that
    qualifies it ("WLAN | Schlüssel")."""
    words = _WORD.findall(cell)
    if not words or len(words) > 3 or not cell.rstrip(" :").endswith(words[-1]):
        return False
    before = words[-2] if len(words) > 1 else ""
    kind = names_secret_in_prose(words[-1], before)
    return kind in ("secret", "phrase") or (
        kind == "qualified-later" and qualifies_later(words[-1], " ".join(header))
    )
