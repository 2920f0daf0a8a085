"""The detector catalogue: every secret form the redactor recognises, by name.

Each detector is a regular expression plus, where the shape alone is not enough, a
``locate`` step that decides what to remove (or declines). The name appears in the
placeholder, ``[redacted:<name>]``, so a reader of a redacted text knows what kind
of thing was there. Patterns for well-known token formats follow the plugin
catalogue of ``detect-secrets`` (AWS, Azure storage, GitHub, GitLab, Slack, Stripe,
SendGrid, npm, PyPI, OpenAI, JWT, private keys, basic auth), widened where provider
errors showed other shapes (unsigned JWTs, an empty URL user, any PEM key block,
Azure AD client secrets, connection strings).

The second round added the forms operators paste from shells, configs and tools:
command-line options with their value (also as argv lists), passwords stated in
prose (English, German, French, Spanish), values paired with a secret name in JSON,
YAML and header tuples, Key Vault bundles, XML settings, network device
configuration, .netrc/.pgpass, pwdump hashes, webhooks (Teams, Discord, Slack), and
more token shapes (Azure DevOps, PuTTY, PFX, Hugging Face, DigitalOcean, Vault,
Telegram, Functions keys, BitLocker recovery keys).

Detectors are tried at each position in catalogue order (see ``scanner``), so the
order matters: structural forms that carry a secret of any shape (URL credentials,
Authorization and Cookie headers, connection strings, secret-named keys) come
before the shape-based token detectors, the entropy heuristic after the named
formats, and e-mail addresses last.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from support_app.services.redaction.commands import (
    ATTACHED,
    COMMAND_TRIGGERS,
    GLUED,
    SPACED,
    command_of,
    option_takes_secret,
)
from support_app.services.redaction.keys import is_password_key, is_secret_key

PLACEHOLDER_PREFIX = "[redacted:"


def placeholder(name: str) -> str:
    """The text that replaces a secret found by the detector ``name``."""
    return f"{PLACEHOLDER_PREFIX}{name}]"


class Redact(NamedTuple):
    """Replace ``text[start:end]`` by the detector's placeholder."""

    start: int
    end: int


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


def _unredacted(text: str, span: tuple[int, int]) -> Verdict:
    """``Redact`` the span, or ``Keep`` past a placeholder already standing there."""
    start, end = span
    if text.startswith(PLACEHOLDER_PREFIX, start):
        close = text.find("]", start)  # none when a bound cut the placeholder short
        return Keep(close + 1 if close >= 0 else len(text))
    if start == end:
        return None
    return Redact(start, end)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """Without trailing blanks and a sentence's final dot."""
    while end > start and text[end - 1] in " \t.":
        end -= 1
    return start, end


# An ordinary word ("expired", "The"): a status after a secret-named key, not a secret.
_PLAIN_WORD = re.compile(r"[A-Za-z][a-z]*")
# Every secret key name contains one of these words (tests/unit/services/redaction/
# test_keys.py checks it), so they are the key-based detectors' triggers.
_KEY_WORDS = (
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
)
# A key name in text: any word (possessive, so a failed match never backtracks into
# it); ``keys.is_secret_key`` decides. Letters of any script ("contraseña").
_KEY = r"[\w.\-]++"
# An unquoted value: up to a blank, separator or closing bracket, without a final dot.
_TOKEN = r"[^\s,;&\"'<>)\]}]*[^\s,;&\"'<>)\]}.]"
# A quote, also escaped as in JSON inside a JSON string (\"password\": \"…\").
_Q = r"(?:\\?[\"'])?"
# Quoted contents up to the closing quote: a value holds escaped quotes (\"), doubled
# quotes ('' in PowerShell and SQL, "" in CSV), PowerShell's `" and any other escape;
# where that reading finds no closing quote, a backslash is a plain character (a
# Windows path, a shell's '…\'). Opened with an escaped quote (JSON inside JSON), it
# closes at the escaped quote and holds doubly escaped ones (\\\"). A quote that
# never closes on its line leaves the rest of the line as the value ("unclosed"):
# never a placeholder before the tail. Each reading is possessive: a doubled quote is
# never given back to close the value early, and no reading backtracks.
_DQ = (
    r"(?:\"(?P<dq>(?:`\"|\"\"|\\[^\r\n]|[^\"\\\r\n])*+)\""
    r"|\"(?P<rdq>(?:\"\"|[^\"\r\n])*+)\""
    r"|\\\"(?P<edq>(?:\\\\\\\"|\\\\|\\[^\"\\\r\n]|[^\"\\\r\n])*+)\\\")"
)
_SQ = (
    r"(?:'(?P<sq>(?:''|\\[^\r\n]|[^'\\\r\n])*+)'"
    r"|'(?P<rsq>(?:''|[^'\r\n])*+)'"
    r"|\\'(?P<esq>(?:\\\\|\\[^'\\\r\n]|[^'\\\r\n])*+)\\')"
)
_UNCLOSED = r"(?:\\?[\"'])(?P<unclosed>[^\r\n]*)"
_QUOTED_GROUPS = ("dq", "rdq", "edq", "sq", "rsq", "esq", "unclosed")
# A header-like value: quoted, or the rest of the line.
_HEADER_VALUE = rf"(?:{_DQ}|{_SQ}|{_UNCLOSED}|(?P<line>[^\r\n]*))"


def _quoted_span(match: re.Match[str]) -> tuple[int, int] | None:
    """The span of the quoted value the match took, if it took one."""
    for group in _QUOTED_GROUPS:
        if group in match.re.groupindex and match.start(group) >= 0:
            if group == "unclosed":
                return _trimmed(match.string, *match.span(group))
            return match.span(group)
    return None


def _header_value(match: re.Match[str]) -> tuple[int, int]:
    return _quoted_span(match) or _trimmed(match.string, *match.span("line"))


# A reference to a secret kept elsewhere, not the secret: a CI expression
# (${{ secrets.X }}), a template ({{ .Values.x }}), an environment variable ($DB_PW,
# ${DB_PW}, %DB_PW%, $env:DB_PW), an Azure Pipelines or Octopus variable.
_REFERENCE = re.compile(
    r"\$\{\{[^}\r\n]*\}\}|\{\{[^}\r\n]*\}\}|\$\{[A-Za-z_][\w.:\-]*\}|\$\([A-Za-z_][\w.\-]*\)"
    r"|%[A-Za-z_]\w*%|#\{[\w.\-]+\}|\$env:[A-Za-z_]\w*|\$[A-Z_][A-Z0-9_]*\b"
)


def _reference_end(text: str, start: int, end: int) -> int | None:
    """Where a reference that covers all of ``text[start:end]`` ends, if one does."""
    reference = _REFERENCE.match(text, start)
    return reference.end() if reference and reference.end() >= end else None


# A YAML entry line: "key: …" or a list item; a next line like this is no value.
_YAML_ENTRY = re.compile(r"[ \t]*(?:- |-$|#|[\w\"'.\-]+[ \t]*:(?:[ \t]|$))", re.MULTILINE)


def _indented_lines(
    text: str, key_start: int, after: int, *, block: bool
) -> tuple[int, int] | None:
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


# --- key-based ---------------------------------------------------------------------------


def _locate_secret_key(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    key, text = match.group("key"), match.string
    if not is_secret_key(key):
        return None
    password = is_password_key(key)
    colon = match.group("sep") == ":"
    if (quoted := _quoted_span(match)) is not None:
        span = quoted
    elif match.start("block") >= 0 or match.start("eol") >= 0:
        if not colon:
            return None
        span = _indented_lines(
            text, match.start("key"), match.end(), block=match.start("block") >= 0
        )
        return None if span is None else _unredacted(text, span)
    elif colon and password:
        # "Passwort: mein geheimes Haus" — a password may be a phrase: the rest of the line.
        start = match.start("tok")
        if reference := _REFERENCE.match(text, start):
            return Keep(reference.end())  # "password: ${{ secrets.X }}, token: …"
        end = min(e for e in (text.find("\n", start), text.find("\r", start), len(text)) if e >= 0)
        span = _trimmed(text, start, end)
        if _MYSQL_PASSWORD_USED.match(text, *span):
            return None  # MySQL's "(using password: YES)" says whether one was sent
    elif _CMDLET.fullmatch(text, *match.span("tok")):
        return None  # "$pw = ConvertTo-SecureString 'X'": the cmdlet's detector takes X
    else:
        start, end = match.span("tok")
        escaped_ampersand = text.find("\\u0026", start, end)  # a JSON-escaped "&"
        span = (start, escaped_ampersand if escaped_ampersand > start else end)
    if (reference := _reference_end(text, *span)) is not None:
        return Keep(reference)
    if not password and _PLAIN_WORD.fullmatch(text, *span):
        # "token: expired", "InvalidSignature: The token …"; a password may be a word
        return None
    return _unredacted(text, span)


_MYSQL_PASSWORD_USED = re.compile(r"(?:YES|NO)\)")
_CMDLET = re.compile(r"[A-Z][A-Za-z]+-[A-Z][A-Za-z]+")

SECRET_KEY = Detector(
    name="secret-key",
    summary="the value after a secret-named key in text: key=value, key: value, "
    '"key": "value", env-style NAME=value, query parameters (sig=, access_token=, also '
    "after a JSON-escaped \\u0026); after a password-named key and ':' the rest of the "
    "line; a YAML value on the lines below (plain, | and >- block scalars); quoted "
    "values whole, with escaped and doubled quotes. References (${{ secrets.X }}, $VAR) "
    "are kept",
    triggers=_KEY_WORDS,
    pattern=re.compile(
        # "%3D": an encoded "=" inside a URL that is itself a query parameter
        rf"(?:(?<=\\u0026)|(?<![\w.\-])){_Q}(?P<key>{_KEY}){_Q}[ \t]*(?P<sep>[=:]|%3[Dd])[ \t]*"
        rf"(?:{_DQ}|{_SQ}|(?P<block>[|>][+\-]?[0-9]?(?=[ \t]*(?:#[^\r\n]*)?\r?\n))"
        rf"|{_UNCLOSED}|(?P<tok>{_TOKEN})|(?P<eol>(?=\r?\n)))",
        re.IGNORECASE,
    ),
    locate=_locate_secret_key,
)


def _locate_xml_element(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    key = match.group("key")
    if not is_secret_key(key.rpartition(":")[2]):
        return None
    if match.start("value") >= 0:  # <AdministratorPassword><Value>X</Value>
        return _unredacted(match.string, match.span("value"))
    if key.lower() != match.group("close").lower():
        return None
    return _unredacted(match.string, match.span("secret"))


SECRET_ELEMENT = Detector(
    name="secret-element",
    summary="the text of an XML element with a secret name (<Password>…</Password>), also "
    "with a namespace prefix and attributes (<wsse:Password Type=…>), or in its <Value> "
    "child (unattend.xml <AdministratorPassword><Value>…)",
    triggers=_KEY_WORDS,
    pattern=re.compile(
        r"<(?P<key>[\w.\-]+(?::[\w.\-]+)?)(?:[ \t][^<>]*)?(?<!/)>"
        r"(?:(?P<secret>[^<]*)</(?P<close>[\w.\-:]+)>"
        r"|\s*<(?:[\w.\-]+:)?value(?:[ \t][^<>]*)?>(?P<value>[^<]*)</)",
        re.IGNORECASE,
    ),
    locate=_locate_xml_element,
)


# A connection-string pair: a name (may hold spaces: "User ID") and "=".
_PAIR = re.compile(r"[ \t]*[A-Za-z][\w .\-]*=")


def _follows_a_pair(text: str, semicolon: int) -> bool:
    """Whether the segment before this ';' is itself a ``name=value`` pair.

    Tells "Server=x;Password=y" from a sentence that goes on after a ';'.
    """
    start = max(text.rfind(c, 0, semicolon) for c in ";\n\"'") + 1
    return _PAIR.match(text, start, semicolon) is not None


def _locate_connection_string(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    text = match.string
    if match.start("key") >= 0:
        if not _follows_a_pair(text, match.start() - 1):
            return None
        key, span = match.group("key"), match.span("secret")
    else:
        key, span = match.group("key2"), match.span("secret2")
    if not is_secret_key(key):
        return None
    return _unredacted(text, span)


_CONNECTION_VALUE = r"(?:\{[^}\r\n]*\}|\"[^\"\r\n]*\"|'[^'\r\n]*'|[^;\"'\r\n]+)"
CONNECTION_STRING = Detector(
    name="connection-string",
    summary="a secret-named pair in a ';'-separated connection string (AccountKey=, "
    "SharedAccessKey=, Password= with spaces, Pwd={…}), up to the next ';'",
    triggers=_KEY_WORDS,
    pattern=re.compile(
        # a pair after a ';' …
        rf"(?<=;)[ \t]*(?P<key>{_KEY})[ \t]*=[ \t]*(?P<secret>{_CONNECTION_VALUE})"
        # … or the first pair of a string that goes on with ';name='
        rf"|(?<![\w.\-])(?P<key2>{_KEY})[ \t]*=[ \t]*(?P<secret2>[^;\"'\s]+)"
        r"(?=;[ \t]*[A-Za-z][\w .\-]*=)",
        re.IGNORECASE,
    ),
    locate=_locate_connection_string,
)

# --- headers -----------------------------------------------------------------------------

_AUTH_SCHEMES = (
    "bearer",
    "basic",
    "negotiate",
    "ntlm",
    "sharedkeylite",
    "sharedkey",
    "sharedaccesssignature",
)
_CHALLENGE_PARAMETER = re.compile(r"[A-Za-z_]+=")
# A scheme is a word of letters (a token has digits), or one of the digit-bearing ones.
_SCHEME_PREFIX = re.compile(r"(?:[A-Za-z][A-Za-z\-]{0,30}|AWS4-HMAC-SHA256|HMAC-SHA256)[ \t]+")


def _locate_authorization(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    text = match.string
    if match.start("scheme") >= 0:  # "Bearer <token>" without a header name
        start, end = _trimmed(text, *match.span("token"))
        if _PLAIN_WORD.fullmatch(text, start, end):
            return None  # "Basic authentication is disabled": a sentence, not a token
        if _CHALLENGE_PARAMETER.fullmatch(text, start, end) and text.startswith('"', end):
            return None  # 'WWW-Authenticate: Bearer realm="…"': a challenge, no credential
        return _unredacted(text, (start, end))
    start, end = _header_value(match)
    scheme = _SCHEME_PREFIX.match(text, start, end)
    if scheme and scheme.end() < end:  # keep the scheme: support needs to know it
        start = scheme.end()
    return _unredacted(text, (start, end))


AUTHORIZATION = Detector(
    name="authorization",
    summary="the credentials of an Authorization/Proxy-Authorization header of any scheme "
    "(the scheme word is kept), and a token after Bearer/Basic/Negotiate/NTLM/SharedKey/"
    "SharedAccessSignature in free text",
    triggers=("authori", *_AUTH_SCHEMES),
    pattern=re.compile(
        rf"(?<![\w\-]){_Q}(?:proxy-)?authori[sz]ation{_Q}[ \t]*[:=][ \t]*{_HEADER_VALUE}"
        rf"|(?<![\w\-])(?P<scheme>{'|'.join(_AUTH_SCHEMES)})[ \t]+"
        r"(?P<token>[A-Za-z0-9\-._~+/:%=&]+)",
        re.IGNORECASE,
    ),
    locate=_locate_authorization,
)


def _locate_header(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    return _unredacted(match.string, _header_value(match))


COOKIE = Detector(
    name="cookie",
    summary="the whole value of a Cookie or Set-Cookie header (every cookie in it)",
    triggers=("cookie",),
    pattern=re.compile(
        rf"(?<![\w\-]){_Q}(?:set-)?cookie{_Q}[ \t]*:[ \t]*{_HEADER_VALUE}", re.IGNORECASE
    ),
    locate=_locate_header,
)

# --- command lines -----------------------------------------------------------------------


def _locate_cli_credentials(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    start, end = _quoted_span(match) or match.span("tok")
    text = match.string
    # user:password, or smbclient's -U 'DOMAIN\user%password': whichever comes first
    user_end = start  # past a user already redacted ("[redacted:email]:…")
    while text.startswith(PLACEHOLDER_PREFIX, user_end) and text.find("]", user_end, end) > 0:
        user_end = text.find("]", user_end, end) + 1
    found = [i for i in (text.find(":", user_end, end), text.find("%", user_end, end)) if i >= 0]
    if not found:
        return None  # "curl -u admin" asks for the password; "pip install -U pkg"
    separator = min(found)
    user, password = text[start:separator], text[separator + 1 : end]
    if user.isdigit() and password.isdigit():
        return None  # "docker run -u 1000:1000": a uid and gid
    return _unredacted(text, (separator + 1, end))  # the user name stays readable


CLI_CREDENTIALS = Detector(
    name="cli-credentials",
    summary="the password of user:password after -u/--user/-U/--proxy-user on a command "
    "line (curl, wget), and of user%password (smbclient -U); the user name is kept",
    triggers=("-u",),
    pattern=re.compile(
        r"(?<![\w\-])(?:-u|--user|--proxy-user)(?:[ \t]+|=)"
        rf"(?:{_DQ}|{_SQ}|(?P<tok>[^\s\"']+))",
        re.IGNORECASE,
    ),
    locate=_locate_cli_credentials,
)

_ARGUMENT = r"[^\s\"',;|&<>()\[\]{}`]+"
# A value that is no secret of its own: a variable, an expression, a prompt ("*").
_NOT_A_LITERAL = re.compile(r"[$%(*]|(?:env|file|fd):|stdin\b")
# After a short option, a value that starts like an option is the next option.
_OPTION = re.compile(r"-[\w\-]")


def _locate_cli_option(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    text, option = match.string, match.group("opt")
    command = command_of(text, match.start("opt"))
    span = _quoted_span(match) or (match.span("tok") if match.start("tok") >= 0 else None)
    if span is not None:
        how = ATTACHED if match.group("colon") else SPACED
        start, end = span
        quoted = any(match.start(g) >= 0 for g in ("sq", "rsq", "esq"))
        literal = quoted or not (
            _NOT_A_LITERAL.match(text, start, end)
            or (len(option) == 2 and _OPTION.match(text, start, end))
        )
        if literal and option_takes_secret(option, command, how):
            if text.startswith("pass:", start):  # openssl -passin pass:X
                start += len("pass:")
            return _unredacted(text, (start, end))
    if len(option) > 2 and option[1] != "-" and option_takes_secret(option[:2], command, GLUED):
        glued = re.compile(_ARGUMENT).match(text, match.start("opt") + 2)
        if glued and not _NOT_A_LITERAL.match(text, glued.start()):
            return _unredacted(text, glued.span())
    return None


CLI_OPTION = Detector(
    name="cli-option",
    summary="the value of a command-line option that takes a secret: named options "
    "(--password X, --token X, --shared-key X, -Password 'X', -SecretKey X, -pw X, "
    "/p:X, openssl -passout pass:X), spaced, glued (mysql -pX), quoted, or as the next "
    "element of an argv list written as text; short letters only after their command "
    "(mysql, sshpass, sqlcmd, ldapsearch, redis-cli, psexec, docker login…). Variables "
    "($pw, $env:X) and prompts are kept",
    triggers=(*_KEY_WORDS, *COMMAND_TRIGGERS),
    pattern=re.compile(
        r"(?<![\w\-/\\.:])(?P<opt>--?[A-Za-z][\w\-]*|/[A-Za-z][\w\-]*)"
        r"(?:(?:\\?[\"'][ \t]*,[ \t]*(?=\\?[\"'])|(?P<colon>:)|[ \t]+)"
        rf"(?:{_DQ}|{_SQ}|{_UNCLOSED}|(?P<tok>{_ARGUMENT})))?"
    ),
    locate=_locate_cli_option,
)

_NET_USE_TOKEN = re.compile(r"\"[^\"\r\n]*\"|[^\s]+")


def _locate_net_use(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    """The one argument of ``net use`` that is neither a drive, a share nor a switch."""
    text = match.string
    for token in _NET_USE_TOKEN.finditer(text, match.end("use"), match.end()):
        value = token.group()
        if value.startswith(("/", "\\\\", "*", "$", "%")) or re.fullmatch(r"[A-Za-z]:", value):
            continue
        return _unredacted(text, token.span())
    return None


NET_USE = Detector(
    name="net-use",
    summary="the password argument of 'net use' (before or after /user:), not the drive, "
    "share or switches; '*' (prompt) is kept",
    triggers=("net use", "net.exe use"),
    pattern=re.compile(r"(?<![\w\-])net(?:\.exe)?[ \t]+(?P<use>use)\b[^\r\n|;&]*", re.IGNORECASE),
    locate=_locate_net_use,
)


def _locate_literal(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    """A quoted or bare literal the pattern took, unless it is a variable."""
    span = _quoted_span(match)
    if span is None:
        for group in ("tok", "pdq", "psq"):
            if match.start(group) >= 0:
                span = match.span(group)
                break
    if span is None or (match.start("sq") < 0 and _NOT_A_LITERAL.match(match.string, span[0])):
        return None
    return _unredacted(match.string, span)


SECURE_STRING = Detector(
    name="secure-string",
    summary="the plain text turned into a SecureString: ConvertTo-SecureString 'X' "
    "(-String X, also piped in: 'X' | ConvertTo-SecureString)",
    triggers=("convertto-securestring",),
    pattern=re.compile(
        rf"ConvertTo-SecureString[ \t]+(?:-String[ \t]+)?(?:{_DQ}|{_SQ}|(?P<tok>{_ARGUMENT}))"
        r"|(?:\"(?P<pdq>[^\"\r\n]+)\"|'(?P<psq>[^'\r\n]+)')[ \t]*\|[ \t]*ConvertTo-SecureString",
        re.IGNORECASE,
    ),
    locate=_locate_literal,
)

PIPED_PASSWORD = Detector(
    name="piped-password",
    summary="a password echoed into a command that reads it from standard input "
    "(echo X | sudo -S, | docker login --password-stdin, | passwd --stdin, | chpasswd)",
    triggers=("echo", "printf"),
    pattern=re.compile(
        r"(?<![\w\-])(?:echo|printf)(?:[ \t]+-[neE]+)*[ \t]+(?:'%s(?:\\{1,2}n)?'[ \t]+)?"
        rf"(?:{_DQ}|{_SQ}|(?P<tok>[^\s|;&]+))[ \t]*\|[ \t]*"
        r"(?=[^\r\n|;&]*(?:\bsudo\b[^\r\n|;&]*[ \t]-[A-Za-z]*S\b|--password-stdin|--stdin\b"
        r"|\bchpasswd\b|\bkinit\b|\bcryptsetup\b))"
    ),
    locate=_locate_literal,
)

# --- structures written as text ----------------------------------------------------------

_ANY_QUOTE = r"\\?[\"']"
# One more "key": scalar (or flat object) pair of the same JSON object.
_JSON_PAIR = (
    rf"[ \t\r\n]*,[ \t\r\n]*{_ANY_QUOTE}[\w\-$@.]+{_ANY_QUOTE}[ \t]*:[ \t]*"
    r"(?:\\?\"(?:[^\"\\\r\n]|\\[^\"\r\n])*\\?\"|'[^'\r\n]*'|true|false|null|True|False|None"
    r"|-?[\d.]+|\{[^{}]*\}|\[[^\[\]]*\])"
)


_HEADER_NAMES = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_PAIR_END = re.compile(r"[ \t]*[\])]")
_HEADER_NAME = re.compile(r"[\w.\-]+")


def names_a_header(name: str) -> bool:
    """Whether the first of two strings names a header or setting ("X-Api-Key",
    "DB_PASSWORD", "apiKey", "Authorization"), not a word of a list ("password",
    "Token"): only then is the second its value."""
    if not _HEADER_NAME.fullmatch(name):
        return False
    if name.lower() in _HEADER_NAMES or any(c in name for c in "-_."):
        return True
    return not (name.islower() or name.istitle())


def _locate_name_value(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    name = next(match.group(g) for g in ("key", "ykey", "tkey") if match.start(g) >= 0)
    if not is_secret_key(name):
        return None
    if match.start("tkey") >= 0 and not (
        names_a_header(name) and _PAIR_END.match(match.string, match.end())
    ):
        return None  # a header tuple is a pair: ["X-Api-Key", "…"], not a list of words
    span = _quoted_span(match) or _trimmed(match.string, *match.span("tok"))
    if (reference := _reference_end(match.string, *span)) is not None:
        return Keep(reference)
    return _unredacted(match.string, span)


NAME_VALUE = Detector(
    name="name-value",
    summary='the value paired with a secret name: {"name": "DB_PASSWORD", "value": X} '
    '(App Service settings, Kubernetes env, HAR headers and query strings), {"key": '
    '"api_key", "value": X} (Postman), YAML "- name: X / value: Y", header tuples '
    '[["X-Api-Key", X]]',
    # "value" (JSON, YAML), or a list or tuple opening on a quote (header tuples)
    triggers=("value", '["', "['", '("', "('", '[\\"', '(\\"'),
    pattern=re.compile(
        rf"(?:{_ANY_QUOTE}(?:name|key|header|parameter|variable){_ANY_QUOTE}[ \t]*:[ \t]*"
        rf"{_ANY_QUOTE}(?P<key>[^\"'\\\r\n]{{1,120}}){_ANY_QUOTE}(?:{_JSON_PAIR})*"
        rf"[ \t\r\n]*,[ \t\r\n]*{_ANY_QUOTE}value{_ANY_QUOTE}[ \t]*:[ \t]*"
        # YAML, also with JSON-escaped line breaks ("- name: X\\n  value: Y")
        r"|(?<![\w\-])name:[ \t]*[\"']?(?P<ykey>[\w.\-]+)[\"']?[ \t]*(?:\r?\n|(?:\\r)?\\n)[ \t]*"
        r"value:[ \t]*"
        rf"|[\[(][ \t]*{_ANY_QUOTE}(?P<tkey>[^\"'\\\r\n,]{{1,80}}){_ANY_QUOTE}[ \t]*,[ \t]*"
        r"(?=\\?[\"']))"
        rf"(?:{_DQ}|{_SQ}|(?P<tok>[^\r\n,}}\]]*[^\s,}}\]]))",
        re.IGNORECASE,
    ),
    locate=_locate_name_value,
)


def _locate_quoted(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    """The quoted value the pattern ends with."""
    span = _quoted_span(match)
    return None if span is None else _unredacted(match.string, span)


# Quotes also JSON-escaped (\"): a secret bundle written into a JSON string.
_VAULT_SECRET_ID = (
    r"\\?\"id\\?\"[ \t]*:[ \t]*\\?\"https://[^\"\s\\]*\.vault\.[\w.]+/secrets/[^\"\s\\]*\\?\""
)
_VALUE_NAME = r"\\?\"value\\?\"[ \t]*:[ \t]*"
KEY_VAULT_SECRET = Detector(
    name="key-vault-secret",
    summary="the value of an Azure Key Vault secret bundle in JSON (az keyvault secret "
    'show, the REST API): "value" in the object whose "id" is …vault…/secrets/…, also '
    "JSON-escaped",
    triggers=("/secrets/",),
    pattern=re.compile(
        rf"(?:{_VAULT_SECRET_ID}(?:{_JSON_PAIR})*[ \t\r\n]*,[ \t\r\n]*{_VALUE_NAME}"
        # the value before the id: looked ahead to, over the value and its quotes
        rf"|{_VALUE_NAME}(?=\\?\"(?:[^\"\\\r\n]|\\[^\r\n])*?\\?\"[ \t\r\n]*,[ \t\r\n]*"
        rf"{_VAULT_SECRET_ID}))"
        rf"{_DQ}"
    ),
    locate=_locate_quoted,
)


def _locate_xml_setting(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    name = match.group("k1") if match.start("k1") >= 0 else match.group("k2")
    if not is_secret_key(name):
        return None
    group = next(g for g in ("v1", "v2", "v3", "v4") if match.start(g) >= 0)
    return _unredacted(match.string, _trimmed(match.string, *match.span(group)))


XML_SETTING = Detector(
    name="xml-setting",
    summary='the value of an XML setting with a secret key or name: <add key="SmtpPassword" '
    'value="X"/>, <setting name="DbPassword"><value>X</value>, <entry key="db.password">X'
    "</entry>",
    triggers=("key=", "name="),
    pattern=re.compile(
        # quotes also JSON-escaped (\"), as in an XML file written into a JSON string
        r"<[\w.\-:]+[ \t][^<>]*?\b(?:key|name)[ \t]*=[ \t]*"
        r"(?:\\?\"(?P<k1>[^\"<>\\]*)\\?\"|\\?'(?P<k2>[^'<>\\]*)\\?')"
        r"(?:[^<>]*?\bvalue[ \t]*=[ \t]*"
        r"(?:\\?\"(?P<v1>(?:[^\"\\]|\\(?!\"))*)\\?\"|\\?'(?P<v2>(?:[^'\\]|\\(?!'))*)\\?')"
        r"|[^<>]*?(?<!/)>\s*(?:<(?:[\w.\-]+:)?value>(?P<v3>[^<]*)<|(?P<v4>[^<\s][^<]*)<))",
        re.IGNORECASE,
    ),
    locate=_locate_xml_setting,
)

# --- tool output and device configuration --------------------------------------------------

TOOL_OUTPUT = Detector(
    name="tool-output",
    summary="the rest of the line after a secret's label in tool output: netsh wlan "
    "'Key Content : X' (also German/French), 'Pre-shared key: X', 'Shared secret: X'",
    triggers=(
        "key content",
        "schlüsselinhalt",
        "schl\\u00fcsselinhalt",
        "contenu de la c",
        "pre-shared",
        "preshared",
        "shared secret",
    ),
    pattern=re.compile(
        # ü and é also as json.dumps writes them by default (\u00fc, \u00e9)
        r"(?<![\w\-])(?:Key[ \t]+Content|Schl(?:ü|\\u00fc)sselinhalt"
        r"|Contenu[ \t]+de[ \t]+la[ \t]+cl(?:é|\\u00e9)"
        r"|Pre-?shared[ \t]+key|Shared[ \t]+secret)[ \t]*:[ \t]*(?P<secret>[^\r\n]*[^\s])",
        re.IGNORECASE,
    ),
    locate=lambda match, _allowed: _unredacted(match.string, match.span("secret")),
)

NETWORK_DEVICE_SECRET = Detector(
    name="network-device-secret",
    summary="secrets in network device configuration (Cisco IOS and alike): password/secret "
    "with a type digit (password 0 X, secret 5 $1$…), username … password X, enable "
    "secret X, snmp-server community X, isakmp/tacacs/radius key X, pre-shared-key X",
    triggers=(
        "username",
        "enable password",
        "enable secret",
        "snmp-server",
        "isakmp",
        "tacacs-server",
        "radius-server",
        "pre-shared-key",
        "key-string",
        "authentication-key",
        *(f"{word} {kind}" for word in ("password", "secret") for kind in "05789"),
    ),
    pattern=re.compile(
        r"(?<![\w\-])(?:"
        r"(?:password|secret|key-string|authentication-key)[ \t]+[05789][ \t]+"
        r"|username[ \t]+\S+(?:[ \t]+privilege[ \t]+\d+)?[ \t]+(?:password|secret)[ \t]+"
        r"(?![05789][ \t])"
        r"|enable[ \t]+(?:password|secret)(?:[ \t]+level[ \t]+\d+)?(?:[ \t]+[05789](?=[ \t]))?"
        r"[ \t]+"
        r"|snmp-server[ \t]+community[ \t]+"
        r"|(?:isakmp|tacacs-server|radius-server)(?:[ \t]+host[ \t]+\S+)?[ \t]+key"
        r"(?:[ \t]+[0-9](?=[ \t]))?[ \t]+"
        r"|pre-shared-key(?:[ \t]+(?:ascii|hex|local|remote))*[ \t]+)"
        r"(?P<secret>[^\s]+)",
        re.IGNORECASE,
    ),
    locate=lambda match, _allowed: _unredacted(match.string, match.span("secret")),
)

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
    quoted = _quoted_span(match)
    if quoted is not None:
        return _unredacted(text, quoted)
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
    return _unredacted(text, (start, end))


STATED_SECRET = Detector(
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
        rf"(?:{_DQ}|{_SQ}|(?P<tok>[^\s\"'<>]+))",
        re.IGNORECASE,
    ),
    locate=_locate_stated_secret,
)

# --- dotfiles -------------------------------------------------------------------------------

# Entries over several lines, also with JSON-escaped line breaks (\n, \t).
_NETRC_GAP = r"(?:\s|\\[nrt])+"
_NETRC_WORD = r"(?:[^\s\\]|\\(?![nrt]))+"
NETRC = Detector(
    name="netrc",
    summary="the password of a .netrc entry (machine host login user password X), on one "
    "line or several",
    triggers=("machine",),
    pattern=re.compile(
        rf"(?<![\w\-])machine[ \t]+{_NETRC_WORD}(?:{_NETRC_GAP}(?:login|account|port)[ \t]+"
        rf"{_NETRC_WORD})*{_NETRC_GAP}password[ \t]+(?P<secret>{_NETRC_WORD})"
    ),
)

PGPASS = Detector(
    name="pgpass",
    summary="the password field of a .pgpass line (host:port:database:user:password)",
    triggers=(":*:", ":5432:", ":5433:", ":6432:", "pgpass"),
    pattern=re.compile(
        # a line of its own, also after a JSON-escaped line break (\n)
        r"(?:(?<![^\r\n])|(?<=\\n))[ \t]*[^\s:#\\][^\s:\\]*:(?:\d{1,5}|\*):[^\s:]+:[^\s:]+:"
        r"(?P<secret>(?:[^\r\n\\]|\\(?![rn]))*[^\s\\])"
    ),
)

NT_HASH = Detector(
    name="nt-hash",
    summary="the LM and NT hashes of a pwdump/secretsdump line (user:rid:LM:NT:::); the user "
    "and RID are kept",
    triggers=(":::",),
    pattern=re.compile(r"(?<![^\s\"'])[^\s:]+:\d+:(?P<secret>[0-9a-fA-F]{32}:[0-9a-fA-F]{32}):::"),
)

# --- webhooks -------------------------------------------------------------------------------

# also JSON-escaped (\/), once or twice (a JSON text inside a JSON string: \\/)
_SLASH = r"(?:\\{0,2}/)"
_URL_PATH = r"(?:[^\s\"'<>\\]|\\{1,2}/)+"
TEAMS_WEBHOOK = Detector(
    name="teams-webhook",
    summary="the path of a Microsoft Teams incoming webhook (…webhook.office.com/webhookb2/…, "
    "outlook.office.com/webhook/…, with the /V2… suffix), also with \\/-escaped slashes",
    triggers=("webhook.office.com", "outlook.office"),
    pattern=re.compile(
        rf"(?:(?<![\w\-])[\w\-]++\.webhook\.office\.com{_SLASH}webhookb2"
        rf"|outlook\.office(?:365)?\.com{_SLASH}webhook(?:b2)?){_SLASH}(?P<secret>{_URL_PATH})",
        re.IGNORECASE,
    ),
)
DISCORD_WEBHOOK = Detector(
    name="discord-webhook",
    summary="the id and token of a Discord webhook URL (discord.com/api/webhooks/…)",
    triggers=("discord.com", "discordapp.com"),
    pattern=re.compile(
        rf"discord(?:app)?\.com{_SLASH}api{_SLASH}(?:v\d+{_SLASH})?webhooks{_SLASH}"
        rf"(?P<secret>\d+{_SLASH}[\w\-]+)",
        re.IGNORECASE,
    ),
)

# --- value-based -------------------------------------------------------------------------

PRIVATE_KEY = Detector(
    name="private-key",
    summary="a PEM block of any key type (-----BEGIN … KEY----- … -----END … KEY-----), "
    "also JSON-escaped on one line or cut off before its END line",
    triggers=("-----BEGIN",),
    pattern=re.compile(
        r"-----BEGIN[ A-Z0-9]*KEY(?: BLOCK)?-----[\s\S]*?"
        r"(?:-----END[ A-Z0-9]*KEY(?: BLOCK)?-----|\Z)"
    ),
    spans_lines=True,
)


PUTTY_KEY = Detector(
    name="putty-key",
    summary="a PuTTY private key file (PuTTY-User-Key-File-2/3 … Private-MAC), also "
    "JSON-escaped or cut off",
    triggers=("PuTTY-User-Key-File-",),
    pattern=re.compile(
        r"PuTTY-User-Key-File-\d+:[\s\S]*?(?:Private-(?:MAC|Hash):[ \t]*[0-9a-fA-F]+|\Z)"
    ),
    spans_lines=True,
)


def _locate_secret(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    return _unredacted(match.string, match.span("secret"))


URL_CREDENTIALS = Detector(
    name="url-credentials",
    summary="user:password in a URL of any scheme, also with an empty user (redis://:pw@)",
    triggers=("://",),
    pattern=re.compile(
        r"(?<![\w+.\-])[a-z][a-z0-9+.\-]*://"
        r"(?P<secret>[^\s/?#@:\"'<>]*:[^\s/?#\"'<>]*)@",
        re.IGNORECASE,
    ),
    locate=_locate_secret,
)

JWT = Detector(
    name="jwt",
    summary="a JSON Web Token, signed or unsigned (eyJ….….), also JWE with five parts",
    triggers=("eyJ",),
    pattern=re.compile(
        r"(?<![\w\-])eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{4,}(?:\.[A-Za-z0-9_\-]*){0,3}"
    ),
)

_RANDOM_MIN_LENGTH = 16
_RANDOM_MIN_ENTROPY = 3.5  # bits per character


def looks_random(value: str) -> bool:
    """Long, with upper, lower case and digits, and high Shannon entropy.

    UUIDs, ULIDs, timestamps and words fail the character-class test on purpose.
    """
    if len(value) < _RANDOM_MIN_LENGTH:
        return False
    if not (
        any(c.islower() for c in value)
        and any(c.isupper() for c in value)
        and any(c.isdigit() for c in value)
    ):
        return False
    counts = {c: value.count(c) for c in set(value)}
    entropy = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return entropy >= _RANDOM_MIN_ENTROPY


def _locate_high_entropy(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    text = match.string
    start, end = _trimmed(text, *match.span("secret"))
    if not (is_secret_key(match.group("key")) and looks_random(text[start:end])):
        return None
    if any(d.pattern.match(text, start) for d in _NAMED_FORMATS):
        return None  # the named detector takes it, so the placeholder says what it was
    return Redact(start, end)


HIGH_ENTROPY = Detector(
    name="high-entropy",
    summary="a long random-looking value right after a secret-named word without a "
    "separator ('client secret Xy7…', 'AccountKey is Q2…')",
    triggers=_KEY_WORDS,
    pattern=re.compile(
        # the key may be two words: "API key", "client secret", "access token"
        rf"(?<![\w.\-])(?P<key>{_KEY}(?:[ \t]+(?:key|secret|token|password|string)\b)?)"
        rf"{_Q}[ \t]+(?:(?:is|was|=>|->)[ \t]+)?{_Q}"
        r"(?P<secret>[A-Za-z0-9+/_~.\-]{16,}={0,2})",  # "=" only as base64 padding
        re.IGNORECASE,
    ),
    locate=_locate_high_entropy,
)


def _token(name: str, summary: str, triggers: tuple[str, ...], pattern: str) -> Detector:
    """A detector for a token format with a well-known prefix."""
    return Detector(name=name, summary=summary, triggers=triggers, pattern=re.compile(pattern))


GITHUB_TOKEN = _token(
    "github-token",
    "GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)",
    ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})",
)
GITLAB_TOKEN = _token(
    "gitlab-token",
    "GitLab tokens (glpat-, gldt-, glrt-, glsoat-, glptt-, glcbt-, glimt-, glagent-, "
    "gloas-, glft-, runner registration GR1348941)",
    (
        "glpat-",
        "gldt-",
        "glft-",
        "glsoat-",
        "glrt-",
        "glptt-",
        "glcbt-",
        "glimt-",
        "glagent-",
        "gloas-",
        "GR1348941",
    ),
    r"(?<![A-Za-z0-9_\-])(?:gl(?:pat|dt|ft|soat|rt|ptt|cbt|imt|agent|oas)-[A-Za-z0-9_\-]{20,}"
    r"|GR1348941[A-Za-z0-9_\-]{20,})",
)
SLACK_TOKEN = _token(
    "slack-token",
    "Slack tokens (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxe-, xapp-) and incoming-webhook "
    "and workflow paths, also with \\/-escaped slashes",
    ("xox", "xapp-", "hooks.slack.com"),
    r"(?<![A-Za-z0-9_\-])(?:xox[abposre]-[A-Za-z0-9\-]{10,}|xapp-\d-[A-Za-z0-9\-]{10,})"
    r"|hooks\.slack\.com(?:\\?/)(?:services|workflows|triggers)(?:\\?/)"
    r"(?P<secret>[A-Za-z0-9_]+(?:(?:\\?/)[A-Za-z0-9_]+)+)",
)
STRIPE_KEY = _token(
    "stripe-key",
    "Stripe secret and restricted keys (sk_live_, sk_test_, rk_…) and webhook secrets (whsec_)",
    ("sk_", "rk_", "whsec_"),
    r"(?<![A-Za-z0-9_])(?:[sr]k_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9]{24,})",
)
GOOGLE_CREDENTIAL = _token(
    "google-credential",
    "Google API keys (AIza…), OAuth client secrets (GOCSPX-) and access tokens (ya29.)",
    ("AIza", "GOCSPX-", "ya29."),
    r"(?<![A-Za-z0-9_\-])(?:AIza[0-9A-Za-z_\-]{35}|GOCSPX-[A-Za-z0-9_\-]{24,}"
    r"|ya29\.[A-Za-z0-9_\-]{20,})",
)
AWS_ACCESS_KEY_ID = _token(
    "aws-access-key-id",
    "AWS access key ids (AKIA, ASIA, ABIA, ACCA, A3T…)",
    ("A3T", "AKIA", "ASIA", "ABIA", "ACCA"),
    r"(?<![A-Z0-9])(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])",
)
AZURE_CLIENT_SECRET = _token(
    "azure-client-secret",
    "Microsoft Entra (Azure AD) application client secrets (xxx8Q~…)",
    ("Q~",),
    r"(?<![\w~.\-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.\-]{31,34}(?![\w~.\-])",
)
AZURE_STORAGE_KEY = _token(
    "azure-storage-key",
    "Azure storage account keys (88 base64 characters ending in ==) anywhere",
    ("==",),
    r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])",
)
SENDGRID_KEY = _token(
    "sendgrid-key",
    "SendGrid API keys (SG.….…)",
    ("SG.",),
    r"(?<![A-Za-z0-9_\-])SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}",
)
NPM_TOKEN = _token(
    "npm-token", "npm access tokens (npm_…)", ("npm_",), r"(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}"
)
PYPI_TOKEN = _token(
    "pypi-token",
    "PyPI upload tokens (pypi-AgE…)",
    ("pypi-AgE",),
    r"(?<![A-Za-z0-9_])pypi-AgE[A-Za-z0-9_\-]{50,}",
)
OPENAI_KEY = _token(
    "openai-key",
    "OpenAI API keys (sk-…, sk-proj-…)",
    ("sk-",),
    r"(?<![A-Za-z0-9_\-])sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}",
)


HUGGINGFACE_TOKEN = _token(
    "huggingface-token",
    "Hugging Face access tokens (hf_…)",
    ("hf_",),
    r"(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30,40}(?![A-Za-z0-9])",
)
DIGITALOCEAN_TOKEN = _token(
    "digitalocean-token",
    "DigitalOcean tokens (dop_v1_, doo_v1_, dor_v1_)",
    ("_v1_",),
    r"(?<![A-Za-z0-9_])do[por]_v1_[a-f0-9]{64}",
)
VAULT_TOKEN = _token(
    "vault-token",
    "HashiCorp Vault tokens (hvs., hvb., hvr.)",
    ("hvs.", "hvb.", "hvr."),
    r"(?<![A-Za-z0-9_.])hv[sbr]\.[A-Za-z0-9_\-]{24,}",
)
TELEGRAM_BOT_TOKEN = _token(
    "telegram-bot-token",
    "Telegram bot tokens (123456789:AA…), also in an API URL path (/bot<token>/)",
    (":aa",),
    r"(?<![A-Za-z0-9_:])(?:bot)?(?P<secret>\d{6,12}:AA[A-Za-z0-9_\-]{30,34})(?![A-Za-z0-9_\-])",
)
AZURE_DEVOPS_PAT = _token(
    "azure-devops-pat",
    "Azure DevOps personal access tokens of the 84-character format (…JQQJ…AZDO…)",
    ("AZDO",),
    r"(?<![A-Za-z0-9])[A-Za-z0-9]{52}JQQJ[A-Za-z0-9]{20}AZDO[A-Za-z0-9]{4}(?![A-Za-z0-9])",
)
PFX_BLOB = _token(
    "pfx-blob",
    "a base64 PKCS#12 (.pfx/.p12) file: certificate and private key (MII…IBAzCC…), also "
    "wrapped over lines",
    ("IBAzCC",),
    # line breaks real or JSON-escaped, also twice (a JSON text inside a JSON string)
    r"(?<![A-Za-z0-9+/])MII[A-Za-z0-9+/]{3}IBAzCC(?:[A-Za-z0-9+/]|\\{1,3}[rn]|\r?\n)*={0,2}",
)
FUNCTION_KEY = Detector(
    name="function-key",
    summary="a long code= query parameter: Azure Functions keys (?code=…), OAuth "
    "authorization codes; also after a JSON-escaped \\u0026",
    triggers=("code=",),
    pattern=re.compile(
        r"(?:(?<=[?&])|(?<=\\u0026))code=(?P<secret>[A-Za-z0-9_\-%/+.~]{20,}={0,2})"
    ),
)
BITLOCKER_RECOVERY_KEY = Detector(
    name="bitlocker-recovery-key",
    summary="BitLocker recovery passwords (48 digits in 8 groups of 6)",
    triggers=(),
    shape_trigger=(r"\d{6}(?:-\d{6}){7}", "-", 7),
    pattern=re.compile(r"(?<![\d\-])\d{6}(?:-\d{6}){7}(?![\d\-])"),
)


def _locate_email(match: re.Match[str], allowed: frozenset[str]) -> Verdict:
    if match.group(0).lower() in allowed:
        return Keep(match.end())
    return Redact(*match.span())


EMAIL = Detector(
    name="email",
    summary="e-mail addresses of third parties (the caller names the allowed ones); "
    "not the user name in a URL",
    triggers=("@",),
    pattern=re.compile(r"(?<![\w.%+\-/])[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"),
    locate=_locate_email,
)

_NAMED_FORMATS = (
    JWT,
    GITHUB_TOKEN,
    GITLAB_TOKEN,
    SLACK_TOKEN,
    STRIPE_KEY,
    GOOGLE_CREDENTIAL,
    AWS_ACCESS_KEY_ID,
    AZURE_CLIENT_SECRET,
    AZURE_STORAGE_KEY,
    SENDGRID_KEY,
    NPM_TOKEN,
    PYPI_TOKEN,
    OPENAI_KEY,
    HUGGINGFACE_TOKEN,
    DIGITALOCEAN_TOKEN,
    VAULT_TOKEN,
    TELEGRAM_BOT_TOKEN,
    AZURE_DEVOPS_PAT,
    PFX_BLOB,
)
# Catalogue order is the order of precedence at one position (see the module docstring).
CATALOGUE: tuple[Detector, ...] = (
    PRIVATE_KEY,
    PUTTY_KEY,
    URL_CREDENTIALS,
    TEAMS_WEBHOOK,
    DISCORD_WEBHOOK,
    AUTHORIZATION,
    COOKIE,
    CLI_CREDENTIALS,
    NET_USE,
    SECURE_STRING,
    PIPED_PASSWORD,
    NAME_VALUE,
    KEY_VAULT_SECRET,
    XML_SETTING,
    CONNECTION_STRING,
    SECRET_KEY,
    CLI_OPTION,
    SECRET_ELEMENT,
    TOOL_OUTPUT,
    NETWORK_DEVICE_SECRET,
    STATED_SECRET,
    NETRC,
    PGPASS,
    NT_HASH,
    *_NAMED_FORMATS,
    BITLOCKER_RECOVERY_KEY,
    FUNCTION_KEY,
    HIGH_ENTROPY,
    EMAIL,
)
# The placeholder for a value stored under a secret-named mapping key.
SECRET_KEY_PLACEHOLDER = placeholder(SECRET_KEY.name)
