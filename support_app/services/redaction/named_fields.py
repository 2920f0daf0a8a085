"""Layer 2, named fields in any syntax: a name that means "secret" and the value beside it.

One structural layer over the shared vocabulary (``vocabulary.is_secret_key``): it
finds the name and its value wherever a syntax puts them — keys of every
serialisation (``key=value``, ``key: value``, ``"key": "value"``, YAML below the key),
XML attributes, elements and key/value element pairs, name/value pairs in lists and
objects, connection strings, URL user-info, headers, command lines (options that
take a secret and the positional secrets of known commands), registry and
environment writes, dotfiles and the configuration lines of devices and services.
No rule here names a tool's field: the vocabulary decides what is secret.
"""

from __future__ import annotations

import math
import re

from support_app.services.redaction.commands import (
    ATTACHED,
    COMMAND_TRIGGERS,
    GLUED,
    SPACED,
    command_of,
    option_takes_secret,
)
from support_app.services.redaction.known_formats import NAMED_FORMATS
from support_app.services.redaction.syntax import (
    DQ,
    HEADER_VALUE,
    IDENTIFIER,
    KEY_NAME,
    KEY_WORDS,
    PLACEHOLDER_PREFIX,
    PLAIN_WORD,
    QUOTE,
    REFERENCE,
    SIZE,
    SQ,
    UNCLOSED,
    UNQUOTED_VALUE,
    Detector,
    Finding,
    Keep,
    Redact,
    Verdict,
    header_value,
    indented_lines,
    placeholder,
    quoted_span,
    reference_end,
    stands_for_no_secret,
    trimmed,
    unredacted,
)
from support_app.services.redaction.tables import secret_cells
from support_app.services.redaction.vocabulary import (
    is_common_word,
    is_password_key,
    is_secret_key,
    key_parts,
    names_a_key,
)

LAYER = "named-fields"

# --- key-based ---------------------------------------------------------------------------


# A secret-named key's value, read only once the key is known to name a secret: the
# key alone is what the scan matches, so a text of many keys that name nothing
# (``key=key=key=…``) is not read to its end once per key.
_SECRET_KEY_VALUE = re.compile(
    # SQL's N'…' and a one-string JSON array (config.bindCredential=["X"]) read as quoted
    rf"(?:(?:N(?=')|\[[ \t]*(?=\\?[\"']))?(?:{DQ}|{SQ})"
    rf"|(?P<block>[|>][+\-]?[0-9]?(?=[ \t]*(?:#[^\r\n]*)?\r?\n))"
    rf"|{UNCLOSED}|(?P<tok>{UNQUOTED_VALUE})|(?P<eol>(?=\r?\n)))"
)


def _locate_secret_key(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    key, text = match.group("key"), match.string
    if len(key) > 64:
        return None  # (a base64 blob with "=" padding is no key=value)
    if not is_secret_key(key):
        return _chosen_key(match) if names_a_key(key) else None
    if _COLON_PATH.search(text, max(0, match.start("key") - 80), match.start("key")):
        return None  # a part of a colon path: arn:aws:secretsmanager:…:secret:name
    opening = text[match.start("key") - 1 : match.start("key")]
    if (
        opening in ("'", '"')
        and text[match.end("key") : match.end("key") + 1] != opening  # not "key": "value"
        and text[match.end() : match.end() + 1] == opening
    ):
        return None  # read -p 'Passwort: ' PW: a prompt, its quote closes at once
    value = _SECRET_KEY_VALUE.match(text, match.end())
    if value is None:
        return None
    password = is_password_key(key)
    colon = match.group("sep") == ":"
    if colon and text.startswith("//", match.end("sep")):
        return None  # a URL's scheme: credential.https://dev.azure.com.useHttpPath
    if (quoted := quoted_span(value)) is not None:
        span = _to_the_real_close(text, quoted)
    elif value.start("block") >= 0 or value.start("eol") >= 0:
        if not colon:
            return None
        span = indented_lines(
            text, match.start("key"), value.end(), block=value.start("block") >= 0
        )
        return None if span is None else unredacted(text, span)
    elif colon and password:
        # "Passwort: mein geheimes Haus" — a password may be a phrase: the rest of the line.
        start = value.start("tok")
        opening = text[match.start("key") - 1 : match.start("key")]
        if opening in ("'", '"') and text.startswith(opening, start):
            return None  # read -p 'Passwort: ' PW: a prompt, its quote closes at once
        if reference := REFERENCE.match(text, start):
            return Keep(reference.end())  # "password: ${{ secrets.X }}, token: …"
        if _OPENS_A_MAPPING.match(text, start):
            return None  # "adminPassword": {  — its own keys follow on the next lines
        end = min(e for e in (text.find("\n", start), text.find("\r", start), len(text)) if e >= 0)
        span = trimmed(text, start, end)
        first = text[start:end].split(None, 1)[0].rstrip(",;.)")
        if (
            stands_for_no_secret(first)
            or is_secret_key(first)  # "passwd: password updated successfully"
            or _DATE.fullmatch(first)  # "LastBadPasswordAttempt : 18.03.2024 …"
            or _VAULT_POINTER.match(text, start, end)
            or _SAYS_INSTEAD.match(text, start, end)
            or (_STATUS.fullmatch(first) and is_common_word(first))
            or SIZE.match(text, start, end)
        ):
            # "password: required, min 12", "Kennwort: •••• (ausgeblendet)", "pw: im
            # 1Password-Tresor hinterlegt": what the line says instead of the secret
            return Keep(end)
        if _MYSQL_PASSWORD_USED.match(text, *span):
            return None  # MySQL's "(using password: YES)" says whether one was sent
    elif _SQL_PASSWORD_CALL.match(text, value.start("tok")):
        return None  # "= PASSWORD('X')": the command-argument detector takes X
    elif _CMDLET.fullmatch(text, *value.span("tok")):
        return None  # "$pw = ConvertTo-SecureString 'X'": the cmdlet's detector takes X
    else:
        start, end = value.span("tok")
        if _CREDENTIAL_PARTS & set(key_parts(key)) and (pair := _PAIR_REST.match(text, end)):
            end = pair.end()  # --credentials=user,password: the pair is one value
        escaped_ampersand = text.find("\\u0026", start, end)  # a JSON-escaped "&"
        span = (start, escaped_ampersand if escaped_ampersand > start else end)
        if SIZE.match(text, start, end):
            return Keep(end)  # "PIN: 6-stellig": its size
    if (reference := reference_end(text, *span)) is not None:
        return Keep(reference)
    if not text[span[0] : span[1]].strip("="):
        return None  # "…String==": base64 padding after a word inside a blob, no value
    if _CONNECTION_STRING_NAME.search(key) and _PAIRS.search(text, *span):
        return None  # its secret pairs are the connection-string detector's to remove
    if not password and PLAIN_WORD.fullmatch(text, *span):
        # "token: expired", "InvalidSignature: The token …"; a password may be a word
        return None
    return unredacted(text, span)


_OPENS_A_MAPPING = re.compile(r"[{\[][ \t]*(?:\r?\n|$)")
_CREDENTIAL_PARTS = frozenset({"cred", "creds", "credential", "credentials"})
_PAIR_REST = re.compile(r",[^\s,;&\"'<>)\]}=]+(?=\s|$)")  # (not mount's ",uid=0")


def _chosen_key(match: re.Match[str]) -> Verdict:
    """The value of a bare "key" (key = "X", key=X) when it looks chosen as a secret: a
    typed password's letters, digits and symbols, or a long random string; an
    identifier called a key (an issue key, an object path) stays."""
    text = match.string
    value = _BARE_KEY_VALUE.match(text, match.end())  # bounded: key=key=key=… stays cheap
    if value is None:
        return None
    span = next(value.span(g) for g in ("dq", "sq", "tok") if value.start(g) >= 0)
    chosen = text[span[0] : span[1]]
    if _TYPED_PASSWORD.fullmatch(chosen) or (
        looks_random(chosen) and not _PATH_LIKE.search(chosen)
    ):
        return unredacted(text, span)
    return None


_PATH_LIKE = re.compile(r"[/\\.:]")
_BARE_KEY_VALUE = re.compile(
    r"\"(?P<dq>[^\"\r\n]{1,128})\"|'(?P<sq>[^'\r\n]{1,128})'"
    r"|(?P<tok>[^\s,;&\"'<>)\]}=]{1,128})(?![^\s,;&\"'<>)\]}])"
)


def _to_the_real_close(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """A quoted value whose closing quote is glued to more text (read by one quoting's
    rules where another's apply) runs to the last such quote of its line."""
    start, end = span
    if end >= len(text) or text[end] not in "\"'":
        return span
    line_end = min(i for i in (text.find("\n", end), len(text)) if i >= 0)
    rest = text[end + 1 : line_end].lstrip(" \t")
    if not rest or rest[0] in ",;)}]#\\" or not rest.rstrip().endswith(text[end]):
        return span
    last = text.rfind(text[end], end + 1, line_end)
    return (start, last) if last > end else span


# A pointer to where a password is kept, instead of the password.
_VAULT_POINTER = re.compile(
    r"\(?(?i:im|in|in\s+the|see|siehe|unter|under|stored|hinterlegt|liegt|from|aus|via|per)\b"
    r".{0,80}?(?i:vault|tresor|keeper|1password|bitwarden|keepass|passbolt|lastpass|it\s*glue"
    r"|hudu|passwortsafe|password\s*manager|passwortmanager|key\s*vault|safe)"
)
# What a line says instead of a password, in words: where or how it is kept or sent
# ("Kennwort: beim Kunden erfragen", "creds: sent via Teams DM", "Anmeldedaten: wie
# bisher", "Password: unchanged since onboarding").
_SAYS_INSTEAD = re.compile(
    r"(?i:wie|beim|bei|wurde|wird|ist|sind|war|sent|send|via|per|unchanged|unver\u00e4ndert"
    r"|same|gleich|ask|check|see|siehe|in|im|from|aus|telefonisch|separately|separat|by"
    r"|folgt|follows|will|kommt|noch|liegt|steht|stored|given|provided|chosen|gew\u00e4hlt"
    r"|vergeben|not|nicht|known|bekannt|handed|\u00fcbergeben|recorded)[ \t]+\S"
)
# A participle that says what happened to a password ("abgelaufen", "gesperrt",
# "zurückgesetzt", "deaktiviert", "Expired", "changed"), when it is a common word.
_STATUS = re.compile(
    r"(?i:[a-z\u00e4\u00f6\u00fc]{0,7}ge[a-z\u00e4\u00f6\u00fc\u00df]{2,}(?:t|en)"
    r"|[a-z\u00e4\u00f6\u00fc]{3,}iert|[a-z]{3,}ed)"
)
_DATE = re.compile(r"\d{1,4}[.\-]\d{1,2}[.\-]\d{2,4}")
_COLON_PATH = re.compile(r"\barn:\S*:$")
_CONNECTION_STRING_NAME = re.compile(r"(?i)conn(?:ection)?[_\-]?str(?:ing)?|dsn")
_PAIRS = re.compile(r"=[^;]*;")
_MYSQL_PASSWORD_USED = re.compile(r"(?:YES|NO)\)")
_SQL_PASSWORD_CALL = re.compile(r"(?i:(?:old_)?password)[ \t]*\(")
_CMDLET = re.compile(r"[A-Z][A-Za-z]+-[A-Z][A-Za-z]+")

SECRET_KEY = Detector(
    layer=LAYER,
    name="secret-key",
    summary="the value after a secret-named key in text: key=value, key: value, "
    '"key": "value", env-style NAME=value, query parameters (sig=, access_token=, also '
    "after a JSON-escaped \\u0026); after a password-named key and ':' the rest of the "
    "line; a YAML value on the lines below (plain, | and >- block scalars); quoted "
    "values whole, with escaped and doubled quotes. References (${{ secrets.X }}, $VAR) "
    "are kept",
    triggers=KEY_WORDS,
    pattern=re.compile(
        # "%3D": an encoded "=" inside a URL that is itself a query parameter
        rf"(?:(?<=\\u0026)|(?<![\w.\-])){QUOTE}(?P<key>{KEY_NAME}){QUOTE}"
        r"[ \t]*(?P<sep>[:?+]=|[=:]|%3[Dd])[ \t]*",  # (Make's and Go's := ?= +=)
        re.IGNORECASE,
    ),
    locate=_locate_secret_key,
)


def _locate_xml_element(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    key = match.group("key")
    if not is_secret_key(key.rpartition(":")[2]):
        return None
    if match.start("value") >= 0:  # <AdministratorPassword><Value>X</Value>
        return unredacted(match.string, match.span("value"))
    if key.lower() != match.group("close").lower():
        return None
    return unredacted(match.string, match.span("secret"))


SECRET_ELEMENT = Detector(
    layer=LAYER,
    name="secret-element",
    summary="the text of an XML element with a secret name (<Password>…</Password>), also "
    "with a namespace prefix and attributes (<wsse:Password Type=…>), or in its <Value> "
    "child (unattend.xml <AdministratorPassword><Value>…)",
    triggers=KEY_WORDS,
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
        key, span = match.group("key"), trimmed(text, *match.span("secret"))
    else:
        key, span = match.group("key2"), match.span("secret2")
    if not is_secret_key(key):
        return None
    return unredacted(text, span)


_CONNECTION_VALUE = r"(?:\{[^}\r\n]*\}|\"[^\"\r\n]*\"|'[^'\r\n]*'|[^;\"'\r\n]+)"
CONNECTION_STRING = Detector(
    layer=LAYER,
    name="connection-string",
    summary="a secret-named pair in a ';'-separated connection string (AccountKey=, "
    "SharedAccessKey=, Password= with spaces, Pwd={…}), up to the next ';'",
    triggers=KEY_WORDS,
    pattern=re.compile(
        # a pair after a ';' …
        rf"(?<=;)[ \t]*(?P<key>{KEY_NAME})[ \t]*=[ \t]*(?P<secret>{_CONNECTION_VALUE})"
        # … or the first pair of a string that goes on with ';name='
        rf"|(?<![\w.\-])(?P<key2>{KEY_NAME})[ \t]*=[ \t]*(?P<secret2>[^;\"'\s]++)"
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
        start, end = trimmed(text, *match.span("token"))
        if PLAIN_WORD.fullmatch(text, start, end):
            return None  # "Basic authentication is disabled": a sentence, not a token
        if _CHALLENGE_PARAMETER.fullmatch(text, start, end) and text.startswith('"', end):
            return None  # 'WWW-Authenticate: Bearer realm="…"': a challenge, no credential
        return unredacted(text, (start, end))
    start, end = header_value(match)
    opening = text[match.start()]
    if (
        opening in "\"'"
        and match.start("line") >= 0
        and (close := text.find(opening, start, end)) > 0
    ):
        end = close  # curl -H "Authorization: Bearer $TOKEN" -H …: the header ends at its quote
    scheme = _SCHEME_PREFIX.match(text, start, end)
    if scheme and scheme.end() < end:  # keep the scheme: support needs to know it
        start = scheme.end()
    first = text[start:end].split(None, 1)
    if first and stands_for_no_secret(first[0]):
        return Keep(end)  # "Basic …(gekürzt)…", "Bearer [redacted]", "Bearer $TOKEN"
    return unredacted(text, (start, end))


AUTHORIZATION = Detector(
    layer=LAYER,
    name="authorization",
    summary="the credentials of an Authorization/Proxy-Authorization header of any scheme "
    "(the scheme word is kept), and a token after Bearer/Basic/Negotiate/NTLM/SharedKey/"
    "SharedAccessSignature in free text",
    triggers=("authori", *_AUTH_SCHEMES),
    pattern=re.compile(
        rf"(?<![\w\-]){QUOTE}(?:proxy-)?authori[sz]ation{QUOTE}[ \t]*[:=][ \t]*{HEADER_VALUE}"
        rf"|(?<![\w\-])(?P<scheme>{'|'.join(_AUTH_SCHEMES)})[ \t]+"
        r"(?P<token>[A-Za-z0-9\-._~+/:%=&]+)",
        re.IGNORECASE,
    ),
    locate=_locate_authorization,
)


def _locate_header(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    start, end = header_value(match)
    if all(_PLAIN_COOKIE.fullmatch(pair.strip()) for pair in match.string[start:end].split(";")):
        return Keep(end)  # "Set-Cookie: lang=de; Path=/; Secure": settings, no session
    return unredacted(match.string, (start, end))


# A cookie that carries no session: a preference (language, theme, consent) or one of
# Set-Cookie's attributes.
_PLAIN_COOKIE = re.compile(
    r"(?i:path|domain|expires|max-age|samesite|secure|httponly|priority|partitioned)\b.*"
    r"|(?i:lang|language|locale|culture|theme|tz|timezone|currency|country|region|consent"
    r"|cookie_?consent)=[\w\-]{0,12}|"
)


COOKIE = Detector(
    layer=LAYER,
    name="cookie",
    summary="the whole value of a Cookie or Set-Cookie header (every cookie in it)",
    triggers=("cookie",),
    pattern=re.compile(
        rf"(?<![\w\-]){QUOTE}(?:set-)?cookie{QUOTE}[ \t]*:[ \t]*{HEADER_VALUE}", re.IGNORECASE
    ),
    locate=_locate_header,
)

# --- command lines -----------------------------------------------------------------------


def _locate_cli_credentials(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    start, end = quoted_span(match) or match.span("tok")
    text = match.string
    # user:password, or smbclient's -U 'DOMAIN\user%password': whichever comes first
    user_end = start  # past a user already redacted ("[redacted:email]:…")
    while text.startswith(PLACEHOLDER_PREFIX, user_end) and text.find("]", user_end, end) > 0:
        user_end = text.find("]", user_end, end) + 1
    found = [i for i in (text.find(":", user_end, end), text.find("%", user_end, end)) if i >= 0]
    if not found and (comma := text.find(",", user_end, end)) > user_end:
        found = [comma]  # lftp -u user,password
    if not found:
        return None  # "curl -u admin" asks for the password; "pip install -U pkg"
    separator = min(found)
    user, password = text[start:separator], text[separator + 1 : end]
    if user.isdigit() and password.isdigit():
        return None  # "docker run -u 1000:1000": a uid and gid
    return unredacted(text, (separator + 1, end), literal=True)  # the user name stays readable


CLI_CREDENTIALS = Detector(
    layer=LAYER,
    name="cli-credentials",
    summary="the password of user:password after -u/--user/-U/--proxy-user on a command "
    "line (curl, wget), and of user%password (smbclient -U); the user name is kept",
    triggers=("-u",),
    pattern=re.compile(
        r"(?<![\w\-])(?:-u|--user|--proxy-user)(?:[ \t]+|=)"
        rf"(?:{DQ}|{SQ}|(?P<tok>[^\s\"']+))",
        re.IGNORECASE,
    ),
    locate=_locate_cli_credentials,
)

_ARGUMENT = r"[^\s\"',;|&<>()\[\]{}`]+"
# A value that is no secret of its own: a variable, an expression, a prompt ("*").
_NOT_A_LITERAL = re.compile(r"[$%(*]|(?:env|file|fd)(?::|$)|stdin\b")  # keytool -storepass:env X
# After a short option, a value that starts like an option is the next option.
_OPTION = re.compile(r"-[\w\-]")


def _locate_cli_option(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    text, option = match.string, match.group("opt")
    command = command_of(text, match.start("opt"))
    span = quoted_span(match) or (match.span("tok") if match.start("tok") >= 0 else None)
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
            return unredacted(text, (start, end), literal=True)
    glued_option = next(
        (o for o in (option[:2], option[:3]) if option_takes_secret(o, command, GLUED)), None
    )
    if option[1] != "-" and glued_option:
        after = match.start("opt") + len(glued_option)
        quoted = _GLUED_QUOTED.match(text, after)  # mysql -p'X'
        if quoted:
            return unredacted(text, quoted.span("value"), literal=True)
        glued = re.compile(_ARGUMENT).match(text, after) if len(option) > 2 else None
        if glued and not _NOT_A_LITERAL.match(text, glued.start()):
            return unredacted(text, glued.span(), literal=True)
    return None


_GLUED_QUOTED = re.compile(r"([\"'])(?P<value>(?:(?!\1)[^\r\n])+)\1")


CLI_OPTION = Detector(
    layer=LAYER,
    name="cli-option",
    summary="the value of a command-line option that takes a secret: named options "
    "(--password X, --token X, --shared-key X, -Password 'X', -SecretKey X, -pw X, "
    "/p:X, openssl -passout pass:X), spaced, glued (mysql -pX), quoted, or as the next "
    "element of an argv list written as text; short letters only after their command "
    "(mysql, sshpass, sqlcmd, ldapsearch, redis-cli, psexec, docker login…). Variables "
    "($pw, $env:X) and prompts are kept",
    triggers=(*KEY_WORDS, *COMMAND_TRIGGERS),
    pattern=re.compile(
        r"(?<![\w\-/\\.:])(?P<opt>--?[A-Za-z][\w\-]*|/[A-Za-z][\w\-]*)"
        r"(?:(?:\\?[\"'][ \t]*,[ \t]*(?=\\?[\"'])|(?P<colon>:)|[ \t]+)"
        rf"(?:{DQ}|{SQ}|{UNCLOSED}|(?P<tok>{_ARGUMENT})))?"
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
        return unredacted(text, token.span())
    return None


NET_USE = Detector(
    layer=LAYER,
    name="net-use",
    summary="the password argument of 'net use' (before or after /user:), not the drive, "
    "share or switches; '*' (prompt) is kept",
    triggers=("net use", "net.exe use"),
    pattern=re.compile(r"(?<![\w\-])net(?:\.exe)?[ \t]+(?P<use>use)\b[^\r\n|;&]*", re.IGNORECASE),
    locate=_locate_net_use,
)


# The positional secrets of known commands: what the command's own syntax says is a
# password, or a value written under a secret-named variable or registry value.
_POSITIONAL_VALUE = rf"(?:{DQ}|{SQ}|(?P<tok>[^\s\"'|&;<>]+))"


def _locate_command_argument(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    text = match.string
    names = ("name", "qname", "rname", "rqname")
    name = next((match.group(g) for g in names if match.start(g) >= 0), None)
    if name is not None and not is_secret_key(name):
        return None  # setx/reg add of a value whose name says nothing secret
    start, end = quoted_span(match) or match.span("tok")
    if REFERENCE.match(text, start):
        return None
    if match.start("netuser") >= 0 and text.startswith(("/", "*"), start):
        return None  # "net user bob /add", "net user bob *" (prompts for it)
    if match.start("auth") >= 0 and (
        _MECHANISM.fullmatch(text, start, end)
        or not _CHOSEN.search(text, start, end)
        or is_common_word(text[start:end])
    ):
        return None  # SMTP's "AUTH LOGIN", "AUTH failed for …": no password
    if match.start("oracle") >= 0 and (at := text.find("@", start, end)) > start:
        end = at  # user/password@//host:1521/service
    return unredacted(text, (start, end))


_MECHANISM = re.compile(r"[A-Z][A-Z0-9\-_]*")

COMMAND_ARGUMENT = Detector(
    layer=LAYER,
    name="command-argument",
    summary="the positional secret of a known command: setx NAME X and reg add … /v NAME "
    "… /d X under a secret name, net user NAME X, htpasswd -b FILE USER X, the password "
    "of user/X@db for sqlplus, rman, expdp and impdp, SQL's IDENTIFIED BY 'X' and WITH "
    "PASSWORD 'X', wpa_passphrase SSID X, synouser --setpw USER X, rclone obscure X",
    triggers=(
        "identified",
        "with password",
        "with encrypted",
        "wpa_passphrase",
        "synouser",
        "obscure",
        "setx",
        "reg add",
        "reg.exe add",
        "net user",
        "net.exe user",
        "htpasswd",
        "mosquitto_passwd",
        "sqlplus",
        "rman",
        "expdp",
        "impdp",
        "dgmgrl",
        "exp ",
        "imp ",
        "password(",
        "rabbitmqctl",
        "rasdial",
        "auth ",
    ),
    pattern=re.compile(
        r"(?<![\w\-])(?:"
        r"setx(?:\.exe)?[ \t]+(?:\"(?P<qname>[^\"\r\n]+)\"|(?P<name>[^\s\"]+))[ \t]+"
        r"|reg(?:\.exe)?[ \t]+add\b[^\r\n|&]*?[ \t]/v[ \t]+"
        r"(?:\"(?P<rqname>[^\"\r\n]+)\"|(?P<rname>[^\s\"]+))[^\r\n|&]*?[ \t]/d[ \t]+"
        r"|(?P<netuser>net)(?:\.exe)?[ \t]+user[ \t]+(?:\"[^\"\r\n]+\"|[^\s/\"]+)[ \t]+"
        r"|(?:htpasswd|mosquitto_passwd)[ \t]+(?-i:-[A-Za-z]*b[A-Za-z]*)(?:[ \t]+-[A-Za-z]+)*"
        r"(?:[ \t]+(?![\"'])[^\s\"']+){1,2}[ \t]+"
        r"|(?P<oracle>sqlplus|rman|expdp|impdp|exp|imp|dgmgrl)(?:[ \t]+-[A-Za-z]+)*[ \t]+"
        r"(?:(?:userid|target)(?:=|[ \t]+))?[\w$#]+/"
        r"|identified[ \t]+by[ \t]+(?:password[ \t]+)?"  # SQL: CREATE USER x IDENTIFIED BY 'y'
        r"|with[ \t]+(?:encrypted[ \t]+)?password[ \t]+(?:=[ \t]*)?N?(?=['\"])"  # WITH PASSWORD
        r"|(?<![\w.])(?:old_)?password[ \t]*\([ \t]*(?=['\"])"  # MySQL's PASSWORD('X')
        # a user's password as the argument after the user: rabbitmqctl add_user U X,
        # rasdial ENTRY U X, Redis AUTH [U] X at its prompt or a line's start
        r"|rabbitmqctl[ \t]+(?:add_user|change_password)[ \t]+[^\s\"']+[ \t]+"
        r"|rasdial(?:\.exe)?[ \t]+(?:\"[^\"\r\n]+\"|[^\s\"]+)[ \t]+[^\s/\"]+[ \t]+(?![/*])"
        r"|(?:(?<=[>#$][ \t])|(?<![^\r\n]))(?P<auth>(?-i:AUTH))[ \t]+(?:[\w.\-]+[ \t]+(?=\S))?"
        r"|wpa_passphrase[ \t]+(?:\"[^\"\r\n]*\"|'[^'\r\n]*'|[^\s\"']+)[ \t]+"
        r"|synouser[ \t]+--setpw[ \t]+[^\s\"']+[ \t]+"
        r"|rclone[ \t]+obscure[ \t]+"
        r")" + _POSITIONAL_VALUE,
        re.IGNORECASE,
    ),
    locate=_locate_command_argument,
)


def _locate_literal(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    """A quoted or bare literal the pattern took, unless it is a variable."""
    span = quoted_span(match)
    if span is None:
        for group in ("tok", "pdq", "psq"):
            if match.start(group) >= 0:
                span = match.span(group)
                break
    if span is None or (match.start("sq") < 0 and _NOT_A_LITERAL.match(match.string, span[0])):
        return None
    return unredacted(match.string, span)


SECURE_STRING = Detector(
    layer=LAYER,
    name="secure-string",
    summary="the plain text turned into a SecureString: ConvertTo-SecureString 'X' "
    "(-String X, also piped in: 'X' | ConvertTo-SecureString)",
    triggers=("convertto-securestring",),
    pattern=re.compile(
        r"ConvertTo-SecureString(?:[ \t]+-(?:AsPlainText|Force)(?::\$true)?\b)*+[ \t]+"
        rf"(?:-String[ \t]+)?(?:{DQ}|{SQ}|(?P<tok>(?!-){_ARGUMENT}))"
        r"|(?:\"(?P<pdq>[^\"\r\n]+)\"|'(?P<psq>[^'\r\n]+)')[ \t]*\|[ \t]*ConvertTo-SecureString",
        re.IGNORECASE,
    ),
    locate=_locate_literal,
)

PIPED_PASSWORD = Detector(
    layer=LAYER,
    name="piped-password",
    summary="a password echoed into a command that reads it from standard input "
    "(echo X | sudo -S, | docker login --password-stdin, | passwd --stdin, | chpasswd)",
    triggers=("echo", "printf"),
    pattern=re.compile(
        r"(?<![\w\-])(?:echo|printf)(?:[ \t]+-[neE]+)*[ \t]+(?:'%s(?:\\{1,2}n)?'[ \t]+)?"
        rf"(?:{DQ}|{SQ}|(?P<tok>[^\s|;&)]+))"
        # (echo X; echo X) | smbpasswd -s: the new password and its confirmation
        r"(?:[ \t]*;[ \t]*(?:echo|printf)[^\r\n|;&)]*\))?[ \t]*\)?[ \t]*\|[ \t]*"
        r"(?=[^\r\n|;&]*(?:\bsudo\b[^\r\n|;&]*[ \t]-[A-Za-z]*S\b|--password-stdin|--stdin\b"
        r"|\bchpasswd\b|\bkinit\b|\bcryptsetup\b|--set-password\b|--passwd-on-stdin\b"
        r"|\bsmbpasswd\b[^\r\n|;&]*[ \t]-[A-Za-z]*s))"
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
_HEADER_NAME = re.compile(r"[\w\-]+(?:\.[\w\-]+)*")  # ("password." ends a sentence)


def names_a_header(name: str) -> bool:
    """Whether the first of two strings names a header or setting ("X-Api-Key",
    "DB_PASSWORD", "apiKey", "Authorization"), not a word of a list ("password",
    "Token"): only then is the second its value."""
    if not _HEADER_NAME.fullmatch(name):
        return False
    if name.lower() in _HEADER_NAMES or any(c in name for c in "-_."):
        return True
    return not (name.islower() or name.istitle())


def _in_a_list_of_pairs(text: str, opening: int) -> bool:
    """Whether the pair opening at ``opening`` is an element of a list of pairs
    ([["username", "x"], ["password", "X"]]): then even a lower-case name is a name."""
    before = text[max(0, opening - 40) : opening].rstrip()
    return (before.endswith(("[", ",")) and "[" in before) or before.endswith("[")


def _locate_name_value(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    name = next(match.group(g) for g in ("key", "ykey", "tkey") if match.start(g) >= 0)
    if not is_secret_key(name):
        return None
    if match.start("tkey") >= 0 and not (
        (names_a_header(name) or _in_a_list_of_pairs(match.string, match.start()))
        and _PAIR_END.match(match.string, match.end())
    ):
        return None  # a header tuple is a pair: ["X-Api-Key", "…"], not a list of words
    span = quoted_span(match) or trimmed(match.string, *match.span("tok"))
    if (reference := reference_end(match.string, *span)) is not None:
        return Keep(reference)
    value = match.string[span[0] : span[1]].rstrip(",.;( ")
    if (
        match.start("tkey") >= 0
        and not names_a_header(name)
        and (IDENTIFIER.fullmatch(value) or is_common_word(value))
    ):
        return None  # ["password", "SR-01…"]: a list that names a run, no pair
    return unredacted(match.string, span)


NAME_VALUE = Detector(
    layer=LAYER,
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
        rf"(?:{DQ}|{SQ}|(?P<tok>[^\r\n,}}\]]*[^\s,}}\]]))",
        re.IGNORECASE,
    ),
    locate=_locate_name_value,
)


def _locate_quoted(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    """The quoted value the pattern ends with."""
    span = quoted_span(match)
    return None if span is None else unredacted(match.string, span)


# Quotes also JSON-escaped (\"): a secret bundle written into a JSON string.
_VAULT_SECRET_ID = (
    r"\\?\"id\\?\"[ \t]*:[ \t]*\\?\"https://[^\"\s\\]*\.vault\.[\w.]+/secrets/[^\"\s\\]*\\?\""
)
_VALUE_NAME = r"\\?\"value\\?\"[ \t]*:[ \t]*"
KEY_VAULT_SECRET = Detector(
    layer=LAYER,
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
        rf"{DQ}"
    ),
    locate=_locate_quoted,
)


def _locate_xml_setting(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    name = next(match.group(g) for g in ("k1", "k2", "k3", "k4", "k5") if match.start(g) >= 0)
    if not is_secret_key(name.strip()):
        return None
    group = next(g for g in ("v1", "v2", "v3", "v4", "v5", "v6", "v7") if match.start(g) >= 0)
    return unredacted(match.string, trimmed(match.string, *match.span(group)))


XML_SETTING = Detector(
    layer=LAYER,
    name="xml-setting",
    summary='the value of an XML setting with a secret key or name: <add key="SmtpPassword" '
    'value="X"/> (attributes in any order), <setting name="DbPassword"><value>X</value>, '
    '<entry key="db.password">X</entry>, and a key element\'s value element (plist '
    "<key>ApiSecret</key><string>X</string>, <entry><key>…</key><value>X</value>)",
    triggers=("key=", "name=", "type=", "id=", "<key>"),
    pattern=re.compile(
        # quotes also JSON-escaped (\"), as in an XML file written into a JSON string
        r"<[\w.\-:]+[ \t][^<>]*?\b(?:key|name|type|id)[ \t]*=[ \t]*"
        r"(?:\\?\"(?P<k1>[^\"<>\\]*)\\?\"|\\?'(?P<k2>[^'<>\\]*)\\?')"
        r"(?:[^<>]*?\bvalue[ \t]*=[ \t]*"
        r"(?:\\?\"(?P<v1>(?:[^\"\\]|\\(?!\"))*)\\?\"|\\?'(?P<v2>(?:[^'\\]|\\(?!'))*)\\?')"
        r"|[^<>]*?(?<!/)>\s*(?:<(?:[\w.\-]+:)?value>(?P<v3>[^<]*)<|(?P<v4>[^<\s][^<]*)<))"
        # the value before the name: <add value="X" key="ApiSecret" />
        r"|<[\w.\-:]+[ \t][^<>]*?\bvalue[ \t]*=[ \t]*"
        r"(?:\\?\"(?P<v5>(?:[^\"\\]|\\(?!\"))*)\\?\"|\\?'(?P<v6>(?:[^'\\]|\\(?!'))*)\\?')"
        r"[^<>]*?\b(?:key|name|type|id)[ \t]*=[ \t]*"
        r"(?:\\?\"(?P<k3>[^\"<>\\]*)\\?\"|\\?'(?P<k4>[^'<>\\]*)\\?')"
        # a key element and its value element: plist <key>X</key><string>…, <entry><key>…
        r"|<key>(?P<k5>[^<]{1,80})</key>\s*<(?:string|value|data)>(?P<v7>[^<]*)<",
        re.IGNORECASE,
    ),
    locate=_locate_xml_setting,
)

# --- tool output and device configuration --------------------------------------------------

TOOL_OUTPUT = Detector(
    layer=LAYER,
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
    locate=lambda match, _allowed: unredacted(match.string, match.span("secret")),
)


def _locate_device_secret(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    line_start = match.string.rfind("\n", 0, match.start()) + 1
    if match.string.startswith("no ", line_start):
        return None  # "no snmp-server community public RO" removes it
    return unredacted(match.string, match.span("secret"))


# How a device writes a secret it shows: "password encrypted 3efc…", "key ciphertext AQB…".
_DEVICE_ENCODING = r"(?:encrypted|ciphertext|cipher|plaintext)"

NETWORK_DEVICE_SECRET = Detector(
    layer=LAYER,
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
        rf"(?:{_DEVICE_ENCODING}[ \t]+)?(?![05789][ \t])"
        r"|enable[ \t]+(?:password|secret)(?:[ \t]+level[ \t]+\d+)?(?:[ \t]+[05789](?=[ \t]))?"
        r"[ \t]+"
        r"|snmp-server[ \t]+community[ \t]+"
        r"|(?:isakmp|tacacs-server|radius-server)(?:[ \t]+host[ \t]+\S+)?[ \t]+key"
        rf"(?:[ \t]+(?:[0-9]|{_DEVICE_ENCODING})(?=[ \t]))?[ \t]+"
        r"|pre-shared-key(?:[ \t]+(?:ascii-text|hexadecimal|ascii|hex|local|remote|key))*[ \t]+)"
        r"(?P<secret>[^\s]+)",
        re.IGNORECASE,
    ),
    locate=_locate_device_secret,
)


_EMAIL_BEFORE = re.compile(r"(?:[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)+|\[redacted:email\])$")


def _locate_address_password(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    text = match.string
    before = text[max(0, match.start() - 100) : match.start()]
    if not _EMAIL_BEFORE.search(before) or "://" in before.rsplit(None, 1)[-1]:
        return None  # no address before it, or a URL's user@host:port
    if _PORT.match(text, match.start("secret")):
        return None
    return unredacted(text, match.span("secret"))


_PORT = re.compile(r"\d{1,5}(?:/|$|\s)")


ADDRESS_PASSWORD = Detector(
    layer=LAYER,
    name="address-password",
    summary="the password after an e-mail address and ':' (postfix sasl_passwd, dovecot "
    "passwd-file, credential lists: user@example:X)",
    triggers=("@",),
    # (a password may hold "@": what comes after the address and ":" is the password)
    pattern=re.compile(r":(?P<secret>(?:\{[A-Z0-9\-]+\})?[^\s:@\"'<>,;][^\s:\"'<>,;]{3,})"),
    locate=_locate_address_password,
)


# A secret in a configuration line of a device or service, given as "<name>
# [encoding…] <value>": "set passwd ENC SH2…", "key 7 0822455D0A16", "user noc password
# plaintext X", "security wpa psk set-key ascii 0 X", "masterauth X", "option key 'X'".
# The name is a secret name of the vocabulary or one that devices use for a secret.
_CONFIG_NAMES = frozenset(
    {
        "key",
        "key-string",
        "set-key",
        "keystr",
        "community",
        "psk",
        "psksecret",
        "passphrase",
        "masterauth",
        "plaintext",
        "plain-text",
        "ciphertext",
        "irreversible-cipher",
        "plain-text-password-value",
        "encrypted-password",
        "eap",
        "xauth",
        "priv",  # SNMPv3: auth sha X priv aes 128 Y
        *(
            _SNMP_PROTOCOLS := (
                "md5",
                "sha",
                "sha1",
                "sha224",
                "sha256",
                "sha384",
                "sha512",
                "aes",
                "aes128",
                "aes192",
                "aes256",
                "des",
                "3des",
            )
        ),
    }
)
_CONFIG_ENCODINGS = frozenset(
    {"enc", "encrypted", "cipher", "ciphertext", "plaintext", "plain-text", "ascii", "ascii-text",
     "hex", "raw", "sha", "sha1", "sha256", "md5", "aes", "des", "3des", "128", "192", "256",
     "simple", "cleartext", "aes-128", "aes-192", "aes-256", "sha-256", "sha-512",
     "0", "5", "6", "7", "8", "9", "reg_sz", "reg_expand_sz", "reg_multi_sz"}
)  # fmt: skip
# Words before a name that make it no secret's name ("public key", "host key").
_NOT_SECRET_BEFORE = frozenset({"public", "host", "pub", "the", "a", "an", "das", "der", "die"})


def _locate_config_value(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    text = match.string
    name = match.group("name")
    lower = name.lower()
    if lower not in _CONFIG_NAMES and not is_secret_key(name):
        return None
    # the line before the name, read back a bounded way (a long line costs its length)
    line_start = text.rfind("\n", max(0, match.start() - 120), match.start()) + 1
    if line_start == 0 and match.start() > 120:
        return None
    prompt = _PROMPT.match(text, line_start, match.start())
    before = text[prompt.end() if prompt else line_start : match.start()].split()
    if before and before[-1].lower().strip("\"'(") in _NOT_SECRET_BEFORE:
        return None
    start, end = match.span("value")
    quoted = text[start] in "\"'"
    # a quoted value after a secret's name is a statement of it after any command words
    # ("SetEnv DB_PASS 'X'", "occ ldap:set-config s01 ldapAgentPassword 'X'")
    token = _COMMAND_TOKEN if quoted and is_secret_key(name) else _CONFIG_TOKEN
    if not all(token.fullmatch(word) for word in before):
        return None  # a log line or a sentence, not a configuration statement
    if lower in _SNMP_PROTOCOLS and not _keyed_by_protocol(text[start:end].strip("\"'")):
        return None  # "encr aes 256", "esp aes256 sha256", "sha256 9f86d0…": no key
    if quoted:
        start, end = start + 1, end - 1
    else:
        start, end = trimmed(text, start, end)
    value = text[start:end]
    if not value or stands_for_no_secret(value) or REFERENCE.match(value):
        return None  # (not Keep: what follows may be another detector's, "[('X-Api-Key', …)]")
    if (
        not quoted
        and lower in ("auth", "credentials", "creds")
        and (pair := _USER_AND_PASSWORD.fullmatch(value))
        and _CHOSEN.search(pair.group("secret"))
    ):
        return unredacted(text, (start + pair.start("secret"), end))  # stats auth ops:X
    if not quoted and (_NOT_A_CONFIG_VALUE.match(value) or value.endswith(":")):
        return None  # an option, a pipe, a key=value pair or a label comes next
    encoded = bool(match.group("enc").strip())
    if (
        (_NAME_SHAPE.fullmatch(value) and is_secret_key(value))
        or _STATED_NEXT.match(text, match.end())
        or _OPENS_A_BLOCK.match(text, match.end())
    ):
        return None  # "key AccountKey is …", 'key "rndc-key" {': a name, not a value
    if not (encoded or quoted or _CHOSEN.search(value)):
        return None  # "key chain KC1", "Kennwort läuft ab": a word, not a value
    if is_common_word(value) or (
        not encoded and IDENTIFIER.fullmatch(value) and not _HEX_KEY.fullmatch(value)
    ):
        return None
    if any(d.pattern.match(text, start) for d in NAMED_FORMATS):
        return None  # the named detector takes it, so the placeholder says what it was
    return unredacted(text, (start, end))


def _keyed_by_protocol(value: str) -> bool:
    """Whether the value after an SNMPv3 protocol word ("auth sha X", createUser's "SHA
    'X' AES 'Y'") is a chosen key, not a key size, another protocol or a named hash."""
    lower = value.lower()
    return not (
        lower in _CONFIG_ENCODINGS
        or lower.isdigit()
        or _HASH_LIKE.fullmatch(value)
        or _PROTOCOL_WORD.match(lower)
    ) and bool(_CHOSEN.search(value))


_HASH_LIKE = re.compile(r"[0-9a-fA-F]{16,}")
_PROTOCOL_WORD = re.compile(r"(?:sha|md5|aes|des|3des|hmac|modp|ecp|group)[\d\-_]")
# A long hex key is no identifier: "PSK 0x5f2c8a1e9b7d3f6a…".
_HEX_KEY = re.compile(r"0x[0-9a-fA-F]{16,}")
_OPENS_A_BLOCK = re.compile(r"[ \t]*\{")
_NAME_SHAPE = re.compile(r"[A-Za-z][A-Za-z_\-.]*|[A-Z][A-Z0-9_]*")  # no chosen digits
_USER_AND_PASSWORD = re.compile(r"[\w.\-@]+:(?P<secret>\S+)")
# A device's prompt before its command: "(Cisco Controller) >", "[Huawei-aaa]",
# "127.0.0.1:6379>", "sw01(config)#".
_PROMPT = re.compile(
    r"[ \t]*(?:\([^()\r\n]{1,40}\)[ \t]*[>#]"
    r"|(?:\[[^\[\]\s]{1,40}\]|[\w\-.@:~]+(?:\([\w\-]+\))?[#>$])(?=[ \t]))"
)
# Command words before a quoted value: anything but a sentence's punctuated word.
_COMMAND_TOKEN = re.compile(r"[^\s]*[^\s.,;!?]")
# What starts no value: an option, a pipe or redirection, a parenthesis, a variable.
_NOT_A_CONFIG_VALUE = re.compile(r"[-/|&<>()$=:\\]|[^=]+=[^=]|[^:]+:")  # (base64 ends in "=")
# A value that looks chosen: a digit, a symbol, or a capital inside a word.
_CHOSEN = re.compile(r"\d|[!#$%*+?@^~&]|[a-z][A-Z]")
# What may stand before a secret's name in a configuration statement: lower-case words,
# numbers, addresses, quoted names, a device prompt ("6300-CORE(config)#").
_CONFIG_TOKEN = re.compile(
    r":|-{1,2}[A-Za-z][\w\-]*|[a-z0-9][\w\-.:/]*|\S*[!#$%*+?@^~&]\S*[^\s.,;!?]|(?=\S*\d)[\w\-.:/@]+|[A-Z0-9][A-Z0-9_\-]*|\"[^\"]*\"|'[^']*'|[\w\-.@\[\]~]+(?:\([\w\-]+\))?[#>$]"
)
_STATED_NEXT = re.compile(r"[ \t]+(?i:is|ist|was|war|lautet|=|:)(?:[ \t]|$)")

CONFIG_VALUE = Detector(
    layer=LAYER,
    name="config-line",
    summary="the value after a secret's name and its encoding in a configuration line of "
    "a device or service ('set passwd ENC …', 'key 7 0822…', 'password plaintext X', "
    "'wpa psk set-key ascii 0 X', 'masterauth X', 'option key 'X'')",
    triggers=(*KEY_WORDS, "keystr", "masterauth", "plaintext", "ciphertext", "cipher", "eap"),
    pattern=re.compile(
        r"(?<![\w\-./\\])(?P<name>[A-Za-z][\w\-.]*)"
        rf"(?P<enc>(?:[ \t]+(?i:{'|'.join(sorted(_CONFIG_ENCODINGS, key=len, reverse=True))}))*)"
        r"[ \t]+(?P<value>\"[^\"\r\n]+\"|'[^'\r\n]+'|[^\s\"';,\\]+)"
    ),
    locate=_locate_config_value,
)


def _locate_password_as_user(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    value = match.group("secret")
    if not _TYPED_PASSWORD.fullmatch(value):
        return None  # a user name: no password's symbols and digits in it
    return unredacted(match.string, match.span("secret"))


# What a user name never holds but a password does: a letter, a digit and a symbol.
_TYPED_PASSWORD = re.compile(r"(?=.*[A-Za-z])(?=.*\d)(?=.*[!#$%&*+=?^~§])\S{6,64}")

PASSWORD_AS_USER = Detector(
    layer=LAYER,
    name="password-as-user",
    summary="a password typed into the user-name field, as sign-in logs record it (sshd's "
    "'invalid user X', event 4625's 'Account Name: X', 'Kontoname \"X\"'): a value with a "
    "letter, a digit and a symbol where a user name should be",
    triggers=("invalid user", "account name", "kontoname", "benutzername", "user name", "for user"),
    pattern=re.compile(
        r"(?i:invalid[ \t]+user|for[ \t]+(?:invalid[ \t]+)?user|account[ \t]+name:?"
        r"|kontoname|benutzername:?|user[ \t]+name:?)[ \t]+(?:als[ \t]+)?[\"'\u201e]?"
        r"(?P<secret>[^\s\"'\u201c]+)"
    ),
    locate=_locate_password_as_user,
)


# --- dotfiles -------------------------------------------------------------------------------

# Entries over several lines, also with JSON-escaped line breaks (\n, \t).
_NETRC_GAP = r"(?:\s|\\[nrt])+"
_NETRC_WORD = r"(?:[^\s\\]|\\(?![nrt]))+"
NETRC = Detector(
    layer=LAYER,
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
    layer=LAYER,
    name="pgpass",
    summary="the password field of a .pgpass line (host:port:database:user:password)",
    triggers=(":*:", ":5432:", ":5433:", ":6432:", "pgpass"),
    pattern=re.compile(
        # a line of its own, also after a JSON-escaped line break (\n)
        r"(?:(?<![^\r\n])|(?<=\\n))[ \t]*[^\s:#\\][^\s:\\]*:(?:\d{1,5}|\*):[^\s:]+:[^\s:]+:"
        r"(?P<secret>(?:[^\r\n\\]|\\(?![rn]))*[^\s\\])"
    ),
)


def _locate_secret(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    return unredacted(match.string, match.span("secret"))


URL_CREDENTIALS = Detector(
    layer=LAYER,
    name="url-credentials",
    summary="user:password in a URL of any scheme, also with an empty user (redis://:pw@)",
    triggers=("://",),
    pattern=re.compile(
        r"(?<![\w+.\-])[a-z][a-z0-9+.\-]*://"
        # a password may hold "#" and "?" (pasted as typed, not encoded)
        r"(?P<secret>[^\s/?#@:\"'<>]*:[^\s/\"'<>@]*)@",
        re.IGNORECASE,
    ),
    locate=_locate_secret,
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
    start, end = trimmed(text, *match.span("secret"))
    if not (is_secret_key(match.group("key")) and looks_random(text[start:end])):
        return None
    if any(d.pattern.match(text, start) for d in NAMED_FORMATS):
        return None  # the named detector takes it, so the placeholder says what it was
    return Redact(start, end)


HIGH_ENTROPY = Detector(
    layer=LAYER,
    name="high-entropy",
    summary="a long random-looking value right after a secret-named word without a "
    "separator ('client secret Xy7…', 'AccountKey is Q2…')",
    triggers=KEY_WORDS,
    pattern=re.compile(
        # the key may be two words: "API key", "client secret", "access token"
        rf"(?<![\w.\-])(?P<key>{KEY_NAME}(?:[ \t]+(?:key|secret|token|password|string)\b)?)"
        rf"{QUOTE}[ \t]+(?:(?:is|was|=>|->)[ \t]+)?{QUOTE}"
        r"(?P<secret>[A-Za-z0-9+/_~.\-]{16,}={0,2})",  # "=" only as base64 padding
        re.IGNORECASE,
    ),
    locate=_locate_high_entropy,
)


# --- names and values as arguments of calls ---------------------------------------------

# A quoted setting name: any name the vocabulary reads ("DB_PASSWORD", "Smtp:Password",
# "dbpassword").
_QUOTED_NAME = r"(?:\"(?P<dname>[^\"\s\\]{2,80})\"|'(?P<sname>[^'\s\\]{2,80})')"
# A name that is a setting's, not a word of a list: with a separator or capitals inside.
_SETTING_NAME = re.compile(r"[\w.:/\-]*[_.:/\-][\w.:/\-]*|[a-z]+[A-Z]\w*|[A-Z][A-Z0-9]+")
# A value that is itself a name: an environment variable, a snake-case setting.
_NAME_LIKE_VALUE = re.compile(r"[A-Z][A-Z0-9_]*|[a-z]+(?:_[a-z0-9]+)+")


def _locate_quoted_setting(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    text = match.string
    name = match.group("dname") or match.group("sname")
    if not is_secret_key(name):
        return None
    if match.start("list") >= 0 and not _SETTING_NAME.fullmatch(name):
        return None  # ["password", "username"]: words of a list, no pair
    span = quoted_span(match)
    if span is None:
        return None
    value = text[span[0] : span[1]]
    if (
        _NAME_LIKE_VALUE.fullmatch(value)
        or is_common_word(value)
        or IDENTIFIER.fullmatch(value)
        or text.startswith(":", span[1] + 1)  # the next JSON key, not a value
    ):
        return None
    return unredacted(text, span)


QUOTED_SETTING = Detector(
    layer=LAYER,
    name="quoted-setting",
    summary="a quoted value after a quoted secret name in code and commands: PHP "
    "define('DB_PASSWORD', 'X') and 'dbpassword' => 'X', Ruby ['smtp_password'] = 'X', "
    "SetEnvironmentVariable('API_SECRET', 'X'), dotnet user-secrets set \"Smtp:Password\" "
    '"X"',
    triggers=KEY_WORDS,
    pattern=re.compile(
        rf"{_QUOTED_NAME}(?:[ \t]*(?:=>|\][ \t]*=)[ \t]*|(?P<list>[ \t]*,[ \t]*|[ \t]+))"
        rf"(?:{DQ}|{SQ})"
    ),
    locate=_locate_quoted_setting,
)


def _locate_credential_call(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    """The password among a sign-in call's quoted arguments: the one after the user."""
    text = match.string
    if _NAMED_ARGUMENT.search(text, match.end("fn"), match.end()):
        return None  # named arguments (credentialsId: 'x', user=…) are the key detectors'
    literals = list(_QUOTED_ARGUMENT.finditer(text, match.end("fn"), match.end()))
    if len(literals) >= 2:
        chosen = literals[1]
    elif len(literals) == 1 and match.group("fn").lower().endswith("password"):
        chosen = literals[0]  # setPassword('X')
    else:
        return None
    start, end = chosen.span("value")
    value = text[start:end]
    if (
        is_common_word(value)
        or IDENTIFIER.fullmatch(value)
        or REFERENCE.match(value)
        or _NAME_LIKE_VALUE.fullmatch(value)
    ):
        return None
    return unredacted(text, (start, end))


_NAMED_ARGUMENT = re.compile(r"[(,][ \t]*\w+[ \t]*[:=][^:=]")
_QUOTED_ARGUMENT = re.compile(r"([\"'])(?P<value>(?:(?!\1)[^\r\n\\])*)\1")

CREDENTIAL_CALL = Detector(
    layer=LAYER,
    name="credential-call",
    summary="the password among the quoted arguments of a sign-in call, after the user: "
    "NetworkCredential('user', 'X'), ldap_bind($c, 'dn', 'X'), sp_addlogin 'user', 'X', "
    "db.changeUserPassword('user', 'X'), authenticate('user', 'X')",
    triggers=("credential", "bind", "login", "password", "authenticate"),
    pattern=re.compile(
        r"(?<![\w.])(?P<fn>(?:\w+\.)*\w*(?i:credentials?|bind(?:_s)?|login|password"
        r"|authenticate))(?:[ \t]*\(|[ \t]+(?=[\"']))[^()\r\n;]{0,300}"
    ),
    locate=_locate_credential_call,
)


def _locate_secret_default(match: re.Match[str], _allowed: frozenset[str]) -> Verdict:
    if not is_secret_key(match.group("name")):
        return None
    span = quoted_span(match)
    return None if span is None else unredacted(match.string, span)


VARIABLE_DEFAULT = Detector(
    layer=LAYER,
    name="variable-default",
    summary="the default value of a Terraform/HCL variable whose name names a secret "
    '(variable "sql_admin_password" { default = "X" })',
    triggers=("variable",),
    pattern=re.compile(
        r"(?<![\w\-])variable[ \t]+\"(?P<name>[^\"\r\n]{1,80})\"[ \t]*\{[^{}]{0,400}?"
        rf"\bdefault[ \t]*=[ \t]*{DQ}"
    ),
    locate=_locate_secret_default,
)

EXPECTED_PASSWORD = Detector(
    layer=LAYER,
    name="expect-send",
    summary='what an expect script sends after a password prompt (expect "Password:" / '
    'send "X\\r")',
    triggers=("expect",),
    pattern=re.compile(
        r"(?<![\w\-])expect[ \t]+(?:-\w+[ \t]+)*\"[^\"\r\n]*(?i:pass|kennwort|pin\b|secret)"
        r"[^\"\r\n]*\"[^\r\n]*\r?\n[ \t]*send[ \t]+(?:-\w+[ \t]+)*\""
        r"(?P<secret>(?:[^\"\\\r\n]|\\(?![rn]\"))+)(?:\\[rn])?\""
    ),
    locate=_locate_secret,
)


# --- tables --------------------------------------------------------------------------------

TABLE_COLUMN = Detector(
    layer=LAYER,
    name="table-column",
    summary="the cells under a column heading that names a secret: delimited exports "
    "(CSV with ',', ';' or tabs: Password, login_password, Kennwort) and aligned tool "
    "output with a dashed rule under the headings (Format-Table)",
    triggers=KEY_WORDS,
    # A heading line with a delimiter, or over a dashed rule; the cells are found by
    # ``redact_table_columns`` row by row (``tables``), in a pass before the others.
    pattern=re.compile(r"[^\r\n]*(?:[,;\t][^\r\n]*|\r?\n-{3,}[ \t]+-)"),
    scans_rows=True,
)
_TABLE_PLACEHOLDER = placeholder(TABLE_COLUMN.name)


def redact_table_columns(text: str, findings: list[Finding] | None = None) -> str:
    """``text`` without the cells of columns whose headings name a secret."""
    spans = secret_cells(text)
    if not spans:
        return text
    out, pos = [], 0
    for start, end in spans:
        out += (text[pos:start], _TABLE_PLACEHOLDER)
        pos = end
        if findings is not None:
            findings.append(Finding(LAYER, TABLE_COLUMN.name, TABLE_COLUMN.summary))
    out.append(text[pos:])
    return "".join(out)
