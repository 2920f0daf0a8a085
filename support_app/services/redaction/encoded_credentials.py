"""Layer 4, encoded credentials: base64 and hex blobs that carry credentials, removed whole.

An encoded blob looks like any other identifier, so this layer removes one only where
the blob itself or the text around it says it carries credentials:

- authentication exchanges: NTLM messages (``TlRMTVNTUA…``: the type-3 message holds
  the response to the challenge) and SPNEGO/Kerberos tokens (``YII…``, ``oYI…``) in a
  line that names Negotiate, Kerberos or SPNEGO — proxy logs, Fiddler and browser
  captures paste them without their ``Authorization`` header;
- ticket and key material: Kerberos tickets as Rubeus and Mimikatz print them
  (``doI…``, base64 of a KRB-CRED) and keytabs (``BQIAA…``) in a line that names a
  ticket or keytab;
- a base64 ``user:password`` (what HTTP Basic sends) in a line that speaks of
  authentication or credentials: decoded, it must read as a user and a password;
- secret objects: every value under ``data:`` of a Kubernetes ``kind: Secret``
  manifest (base64 by definition, whatever its key is named).

The key names and the words around a blob stay: support needs to see which exchange
or object it was.
"""

from __future__ import annotations

import base64
import binascii
import re

from support_app.services.redaction.syntax import Detector, Verdict, unredacted
from support_app.services.redaction.vocabulary import names_a_key

LAYER = "encoded-credentials"

_B64 = r"[A-Za-z0-9+/]"


def _locate_blob(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    return unredacted(match.string, match.span("secret"))


def _line_of(text: str, at: int) -> str:
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return text[start : end if end >= 0 else len(text)]


_NEGOTIATE_CONTEXT = re.compile(r"negotiate|kerberos|spnego|gssapi|www-authenticate", re.I)


def _locate_exchange(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    if match.group("secret").startswith("TlRMTVNTUA"):
        return _locate_blob(match, _allowed)  # NTLMSSP says what it is by itself
    if not _NEGOTIATE_CONTEXT.search(_line_of(match.string, match.start())):
        return None
    return _locate_blob(match, _allowed)


AUTHENTICATION_EXCHANGE = Detector(
    layer=LAYER,
    name="authentication-exchange",
    summary="an NTLM message (TlRMTVNTUA…) anywhere, and a SPNEGO/Kerberos token (YII…, "
    "oYI…) in a line that names Negotiate, Kerberos or SPNEGO",
    # the blob's own prefix, or a word the line must hold anyway (short base64 prefixes
    # would hide other triggers in the one-per-position trigger search)
    triggers=("TlRMTVNTUA", "negotiate", "kerberos", "spnego", "gssapi", "www-authenticate"),
    pattern=re.compile(
        rf"(?<!{_B64})(?P<secret>TlRMTVNTUA{_B64}{{8,}}={{0,2}}"
        rf"|(?:YII|oYI|YIG|oIG){_B64}{{40,}}={{0,2}})(?![A-Za-z0-9+/=])"
    ),
    locate=_locate_exchange,
)

_TICKET_CONTEXT = re.compile(r"ticket|kirbi|krbtgt|rubeus|mimikatz|keytab|ccache|tgt\b", re.I)


def _locate_ticket(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    text = match.string
    context = text[max(0, match.start() - 300) : match.start()] + _line_of(text, match.start())
    if not _TICKET_CONTEXT.search(context):
        return None
    return _locate_blob(match, _allowed)


KERBEROS_MATERIAL = Detector(
    layer=LAYER,
    name="kerberos-material",
    summary="a Kerberos ticket (doI…, base64 of a KRB-CRED as Rubeus and Mimikatz print it, "
    "also wrapped over lines) or keytab (BQIAA…) near a word that names a ticket or keytab",
    triggers=("ticket", "kirbi", "krbtgt", "rubeus", "mimikatz", "keytab", "ccache", "tgt"),
    pattern=re.compile(
        rf"(?<!{_B64})(?P<secret>(?:doI|BQIA){_B64}{{40,}}(?:\r?\n[ \t]*{_B64}{{20,}})*={{0,2}})"
        r"(?![A-Za-z0-9+/=])"
    ),
    locate=_locate_ticket,
)

_CREDENTIAL_CONTEXT = re.compile(
    r"basic|auth|credential|creds|login|password|passwort|kennwort|header|proxy", re.I
)
# What a decoded Basic credential reads like: a user, a colon, a password.
_USER_PASSWORD = re.compile(r"[\w.@\\\-+ ]{1,64}:[!-~]{1,128}")


def _locate_basic(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    value = match.group("secret")
    if len(value) % 4 or not _CREDENTIAL_CONTEXT.search(_line_of(match.string, match.start())):
        return None
    try:
        decoded = base64.b64decode(value, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        return None
    if not _USER_PASSWORD.fullmatch(decoded) or decoded.count(":") != 1:
        return None
    return _locate_blob(match, _allowed)


ENCODED_USER_PASSWORD = Detector(
    layer=LAYER,
    name="encoded-user-password",
    summary="a base64 user:password (what HTTP Basic sends) in a line that speaks of "
    "authentication or credentials, recognised by decoding it",
    triggers=("basic", "auth", "cred", "login", "passw", "kennwort", "header", "proxy"),
    pattern=re.compile(rf"(?<!{_B64})(?P<secret>{_B64}{{8,256}}={{0,2}})(?![A-Za-z0-9+/=])"),
    locate=_locate_basic,
)

# A value line under "data:" of a Kubernetes Secret: "  password: cGFzc3dvcmQ=".
_SECRET_KIND = re.compile(r"^kind:[ \t]*[\"']?Secret[\"']?[ \t]*$", re.M)
_DATA_ENTRY = re.compile(rf"[ \t]+[\w.\-]+:[ \t]*{_B64}+={{0,2}}[ \t]*")


def _locate_secret_data(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    text = match.string
    if not _SECRET_KIND.search(text):
        return None
    line_start = text.rfind("\n", 0, match.start()) + 1
    while line_start > 0:  # up over the other entries to the "data:" line
        previous_start = text.rfind("\n", 0, line_start - 1) + 1
        previous = text[previous_start : line_start - 1].rstrip("\r")
        if previous.strip() in ("data:", "binaryData:"):
            return _locate_blob(match, _allowed)
        if not _DATA_ENTRY.fullmatch(previous):
            return None
        line_start = previous_start
    return None


SECRET_OBJECT_DATA = Detector(
    layer=LAYER,
    name="secret-object-data",
    summary="every value under data: of a Kubernetes Secret manifest (base64 by definition, "
    "whatever its key is named); the keys stay",
    triggers=("data:",),
    pattern=re.compile(
        rf"(?<![^\n])[ \t]+[\w.\-]+:[ \t]*(?P<secret>{_B64}{{4,}}={{0,2}})[ \t]*(?=\r?\n|$)"
    ),
    locate=_locate_secret_data,
)

_HEX_KEY = r"(?:0x)?[0-9A-Fa-f]{32,}"
_KEYTAB_CONTEXT = 2000


def _locate_key_material(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    text = match.string
    if match.start("name") >= 0:
        if not names_a_key(match.group("name")):
            return None  # "public_key = …", "cache_key: …"
        return unredacted(text, match.span("secret"))
    if match.start("listed") >= 0:
        if "keytab" not in text[max(0, match.start() - _KEYTAB_CONTEXT) : match.start()].lower():
            return None
        return unredacted(text, match.span("listed"))
    return unredacted(text, match.span("shown"))


KEY_MATERIAL = Detector(
    layer=LAYER,
    name="key-material",
    summary="a hex key where the text says it is one: under a name that ends in key or "
    "Schlüssel (Schluessel=4f2a…, encryption_key: 0x…; not a public, host or cache key), "
    "a file of key material shown by cat (cat …/agent.psk), a keytab's keys (klist -K)",
    triggers=("key", "schl", "psk"),
    pattern=re.compile(
        r"(?<![\w\-.])(?P<name>[\w\-.]*(?i:key|schl(?:\u00fc|ue|u)ssel))[\"']?[ \t]*[=:][ \t]*"
        rf"[\"']?(?P<secret>{_HEX_KEY})(?![\w\-])"
        r"|(?<![\w\-])cat[ \t]+\S*(?i:\.psk|\.key|psk|secret)\S*[ \t]*\r?\n"
        rf"[ \t]*(?P<shown>{_HEX_KEY})[ \t]*(?=\r?\n|$)"
        rf"|\((?P<listed>0x[0-9A-Fa-f]{{32,}})\)"
    ),
    locate=_locate_key_material,
)

ENCODED_CREDENTIALS = (
    AUTHENTICATION_EXCHANGE,
    KERBEROS_MATERIAL,
    SECRET_OBJECT_DATA,
    ENCODED_USER_PASSWORD,
    KEY_MATERIAL,
)
