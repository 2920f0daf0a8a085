"""The detector catalogue: every secret form the redactor recognises, by name.

Each detector is a regular expression plus, where the shape alone is not enough, a
``locate`` step that decides what to remove (or declines). The name appears in the
placeholder, ``[redacted:<name>]``, so a reader of a redacted text knows what kind
of thing was there. Patterns for well-known token formats follow the plugin
catalogue of ``detect-secrets`` (AWS, Azure storage, GitHub, GitLab, Slack, Stripe,
SendGrid, npm, PyPI, OpenAI, JWT, private keys, basic auth), widened where provider
errors showed other shapes (unsigned JWTs, an empty URL user, any PEM key block,
Azure AD client secrets, connection strings).

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
# it); ``keys.is_secret_key`` decides.
_KEY = r"[A-Za-z0-9_.\-]++"
# An unquoted value: up to a blank, separator or closing bracket, without a final dot.
_TOKEN = r"[^\s,;&\"'<>)\]}]*[^\s,;&\"'<>)\]}.]"
# A quote, also escaped as in JSON inside a JSON string (\"password\": \"…\").
_Q = r"(?:\\?[\"'])?"
# Quoted contents: up to the closing quote or an escaped one; other escapes belong to it.
_DQ = r"\\?\"(?P<dq>(?:[^\"\\\r\n]|\\[^\"\r\n])*)\\?\""
_SQ = r"\\?'(?P<sq>(?:[^'\\\r\n]|\\[^'\r\n])*)\\?'"
# A header-like value: quoted, or the rest of the line.
_HEADER_VALUE = rf"(?:{_DQ}|{_SQ}|(?P<line>[^\r\n]*))"


def _header_value(match: re.Match[str]) -> tuple[int, int]:
    for group in ("dq", "sq"):
        if match.start(group) >= 0:
            return match.span(group)
    return _trimmed(match.string, *match.span("line"))


# --- key-based ---------------------------------------------------------------------------


def _locate_secret_key(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    key, text = match.group("key"), match.string
    if not is_secret_key(key):
        return None
    password = is_password_key(key)
    if match.start("dq") >= 0:
        span = match.span("dq")
    elif match.start("sq") >= 0:
        span = match.span("sq")
    elif match.group("sep") == ":" and password:
        # "Passwort: mein geheimes Haus" — a password may be a phrase: the rest of the line.
        start = match.start("tok")
        end = min(e for e in (text.find("\n", start), text.find("\r", start), len(text)) if e >= 0)
        span = _trimmed(text, start, end)
    else:
        span = match.span("tok")
    if not password and _PLAIN_WORD.fullmatch(text, *span):
        # "token: expired", "InvalidSignature: The token …"; a password may be a word
        return None
    return _unredacted(text, span)


SECRET_KEY = Detector(
    name="secret-key",
    summary="the value after a secret-named key in text: key=value, key: value, "
    '"key": "value", env-style NAME=value, query parameters (sig=, access_token=); '
    "after a password-named key and ':' the rest of the line",
    triggers=_KEY_WORDS,
    pattern=re.compile(
        # "%3D": an encoded "=" inside a URL that is itself a query parameter
        rf"(?<![\w.\-]){_Q}(?P<key>{_KEY}){_Q}[ \t]*(?P<sep>[=:]|%3[Dd])[ \t]*"
        rf"(?:{_DQ}|{_SQ}|(?P<tok>{_TOKEN}))",
        re.IGNORECASE,
    ),
    locate=_locate_secret_key,
)


def _locate_xml_element(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    if match.group("key").lower() != match.group("close").lower():
        return None
    if not is_secret_key(match.group("key")):
        return None
    return _unredacted(match.string, match.span("secret"))


SECRET_ELEMENT = Detector(
    name="secret-element",
    summary="the text of an XML element with a secret name (<Password>…</Password>)",
    triggers=_KEY_WORDS,
    pattern=re.compile(
        rf"<(?P<key>{_KEY})>(?P<secret>[^<]*)</(?P<close>[A-Za-z0-9_.\-]+)>", re.IGNORECASE
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
    for group in ("dq", "sq", "tok"):
        if match.start(group) >= 0:
            start, end = match.span(group)
            break
    colon = match.string.find(":", start, end)
    if colon < 0:
        return None  # "curl -u admin" asks for the password; "pip install -U pkg"
    user, password = match.string[start:colon], match.string[colon + 1 : end]
    if user.isdigit() and password.isdigit():
        return None  # "docker run -u 1000:1000": a uid and gid
    return _unredacted(match.string, (colon + 1, end))  # the user name stays readable


CLI_CREDENTIALS = Detector(
    name="cli-credentials",
    summary="the password of user:password after -u/--user/-U/--proxy-user on a command "
    "line (curl, wget); the user name is kept",
    triggers=("-u",),
    pattern=re.compile(
        r"(?<![\w\-])(?:-u|--user|--proxy-user)(?:[ \t]+|=)"
        rf"(?:{_DQ}|{_SQ}|(?P<tok>[^\s\"']+))",
        re.IGNORECASE,
    ),
    locate=_locate_cli_credentials,
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
    "Slack tokens (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxe-, xapp-) and incoming-webhook paths",
    ("xox", "xapp-", "hooks.slack.com"),
    r"(?<![A-Za-z0-9_\-])(?:xox[abposre]-[A-Za-z0-9\-]{10,}|xapp-\d-[A-Za-z0-9\-]{10,})"
    r"|hooks\.slack\.com/services/(?P<secret>T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9_]+)",
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
)
# Catalogue order is the order of precedence at one position (see the module docstring).
CATALOGUE: tuple[Detector, ...] = (
    PRIVATE_KEY,
    URL_CREDENTIALS,
    AUTHORIZATION,
    COOKIE,
    CLI_CREDENTIALS,
    CONNECTION_STRING,
    SECRET_KEY,
    SECRET_ELEMENT,
    *_NAMED_FORMATS,
    HIGH_ENTROPY,
    EMAIL,
)
# The placeholder for a value stored under a secret-named mapping key.
SECRET_KEY_PLACEHOLDER = placeholder(SECRET_KEY.name)
