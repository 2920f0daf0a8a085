"""Property-based tests: generated secrets never survive, generated benign text never changes.

Secrets are generated for every detector family and written in the forms providers
use (env lines, headers, JSON, query strings, connection strings, XML, PEM blocks…)
under varied key spellings (snake, SCREAMING, kebab, camel, Pascal, header case),
then embedded in log lines, multi-line texts and random JSON structures. Benign
texts are built from what support needs to read: SR references, ticket numbers,
ULIDs, UUIDs, timestamps, HTTP status lines, URLs without credentials, sentences
that mention passwords and keys. ``max_examples`` is moderate so ``make test`` stays
fast (60 per family and embedding, 200 for the other properties); run with
``--hypothesis-show-statistics`` to see the counts.
"""

from __future__ import annotations

import base64
import json
import re
import string
import uuid

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from support_app.services.redaction import CATALOGUE, placeholder, redact, redact_text
from support_app.services.redaction.vocabulary import is_secret_key
from support_app.services.support_requests.reference import SupportRequestReference

PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# The secret properties run once per detector family, so each family gets its share.
PER_FAMILY_SETTINGS = settings(PROPERTY_SETTINGS, max_examples=60)

ALNUM = string.ascii_letters + string.digits
# Characters a secret value may hold in an unquoted key=value form.
SECRET_CHARS = ALNUM + "-_+/!$%*~^"
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"

# --- secrets ---------------------------------------------------------------------------------


def _text(alphabet: str, min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=min_size, max_size=max_size)


# A value that starts with a variable reference ($DB_PW, %DB_PW%) is kept on purpose:
# it names where the secret is ("password: ${{ secrets.X }}, token: …"), not the secret.
_VARIABLE = re.compile(r"\$[A-Z_][A-Z0-9_]*\b|%[A-Za-z_]\w*%")
# A secret value: long enough to be told apart from its surroundings, never a bare word.
secret_values = _text(SECRET_CHARS, 8, 40).filter(
    lambda s: any(c.isdigit() for c in s) and s[-1] not in "." and not _VARIABLE.match(s)
)

# Secret names as word parts, spelled in every convention below.
SECRET_NAMES = (
    ("password",),
    ("db", "password"),
    ("new", "password"),
    ("passwd",),
    ("pwd",),
    ("pass",),
    ("passphrase",),
    ("passwort",),
    ("kennwort",),
    ("secret",),
    ("client", "secret"),
    ("azure", "client", "secret"),
    ("token",),
    ("access", "token"),
    ("refresh", "token"),
    ("github", "token"),
    ("api", "key"),
    ("x", "api", "key"),
    ("access", "key"),
    ("aws", "secret", "access", "key"),
    ("account", "key"),
    ("shared", "access", "key"),
    ("subscription", "key"),
    ("private", "key"),
    ("sig",),
    ("signature",),
    ("auth",),
    ("auth", "token"),
    ("connection", "string"),
    ("credentials",),
    ("session",),
    ("session", "id"),
)


def _spell(parts: tuple[str, ...], style: str) -> str:
    if style == "snake":
        return "_".join(parts)
    if style == "screaming":
        return "_".join(parts).upper()
    if style == "kebab":
        return "-".join(parts)
    if style == "header":
        return "-".join(p.capitalize() for p in parts)
    if style == "camel":
        return parts[0] + "".join(p.capitalize() for p in parts[1:])
    if style == "pascal":
        return "".join(p.capitalize() for p in parts)
    return ".".join(parts)  # dotted, as in spring.datasource.password


secret_keys = st.builds(
    _spell,
    st.sampled_from(SECRET_NAMES),
    st.sampled_from(["snake", "screaming", "kebab", "header", "camel", "pascal", "dotted"]),
)


@st.composite
def key_value_forms(draw: st.DrawFn) -> tuple[str, str]:
    key, value = draw(secret_keys), draw(secret_values)
    assert is_secret_key(key), key
    form = draw(
        st.sampled_from(
            [
                "{k}={v}",
                "{k}: {v}",
                "{k} = {v}",
                '"{k}": "{v}"',
                "'{k}': '{v}'",
                '{k}="{v}"',
                "export {k}={v}",
                "https://api.example/x?a=1&{k}={v}&b=2",
                "<{k}>{v}</{k}>",
                "--{k}={v}",
            ]
        )
    )
    return value, form.format(k=key, v=value)


@st.composite
def connection_strings(draw: st.DrawFn) -> tuple[str, str]:
    kind = draw(st.sampled_from(["storage", "service_bus", "sql"]))
    if kind == "storage":
        key = draw(_text(B64, 40, 88))
        return key, (
            "DefaultEndpointsProtocol=https;AccountName=acc;"
            f"AccountKey={key}==;EndpointSuffix=core.windows.net"
        )
    if kind == "service_bus":
        key = draw(_text(B64, 20, 44))
        return key, (
            "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
            f"SharedAccessKey={key}="
        )
    words = draw(st.lists(_text(ALNUM + "!@#$", 4, 10), min_size=1, max_size=4))
    password = " ".join(words)
    assume(any(c.isdigit() for c in password))
    name = draw(st.sampled_from(["Password", "Pwd", "password"]))
    return password, (
        f"Server=tcp:sql.example,1433;Database=db;User ID=sa;{name}={password};Encrypt=True"
    )


@st.composite
def url_credentials(draw: st.DrawFn) -> tuple[str, str]:
    scheme = draw(st.sampled_from(["https", "postgresql", "redis", "mongodb+srv", "amqps", "sftp"]))
    user = draw(st.sampled_from(["", "admin", "svc-backup", "x-access-token"]))
    password = draw(_text(ALNUM + "-_.~!$*%", 8, 30).filter(lambda s: any(c.isdigit() for c in s)))
    return password, f"{scheme}://{user}:{password}@host.example:1234/path"


@st.composite
def cli_credentials(draw: st.DrawFn) -> tuple[str, str]:
    option = draw(st.sampled_from(["-u ", "--user ", "--user=", "-U ", "--proxy-user "]))
    user = draw(st.sampled_from(["admin", "svc-backup", "ops@contoso.example"]))
    password = draw(_text(ALNUM + "-_.~!$*%@", 6, 30).filter(lambda s: not s.isdigit()))
    quote = draw(st.sampled_from(["", '"', "'"]))
    return password, f"curl -sS {option}{quote}{user}:{password}{quote} https://api.example/v1"


@st.composite
def authorization_headers(draw: st.DrawFn) -> tuple[str, str]:
    token = draw(_text(B64URL + ".~+/", 12, 60).filter(lambda s: any(c.isdigit() for c in s)))
    scheme = draw(
        st.sampled_from(
            ["Bearer", "Basic", "Negotiate", "NTLM", "SharedKey", "Token", "AWS4-HMAC-SHA256", ""]
        )
    )
    name = draw(
        st.sampled_from(["Authorization", "authorization", "AUTHORIZATION", "Proxy-Authorization"])
    )
    value = f"{scheme} {token}".strip()
    form = draw(st.sampled_from(["{n}: {v}", '"{n}": "{v}"', "'{n}': '{v}'", "{n}={v}"]))
    return token, form.format(n=name, v=value)


@st.composite
def cookie_headers(draw: st.DrawFn) -> tuple[str, str]:
    value = draw(secret_values.filter(lambda s: ";" not in s))
    before = draw(st.sampled_from(["", "fpc=AkRx1; ", "x-ms-gateway-slice=estsfd; "]))
    after = draw(st.sampled_from(["", "; x-ms-gateway-slice=estsfd", "; HttpOnly; Path=/"]))
    name = draw(st.sampled_from(["Cookie", "cookie", "Set-Cookie", "set-cookie"]))
    return value, f"{name}: {before}esctx={value}{after}"


@st.composite
def pem_blocks(draw: st.DrawFn) -> tuple[str, str]:
    kind = draw(st.sampled_from(["RSA ", "EC ", "DSA ", "OPENSSH ", "ENCRYPTED ", ""]))
    lines = draw(st.lists(_text(B64, 16, 64), min_size=1, max_size=4))
    newline = draw(st.sampled_from(["\n", "\r\n", "\\n"]))  # "\\n": JSON-escaped
    block = f"-----BEGIN {kind}PRIVATE KEY-----{newline}{newline.join(lines)}{newline}"
    if draw(st.booleans()):
        block += f"-----END {kind}PRIVATE KEY-----"  # otherwise cut off, as in a log
    return max(lines, key=len), block


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@st.composite
def jwts(draw: st.DrawFn) -> tuple[str, str]:
    alg = draw(st.sampled_from(["HS256", "RS256", "none"]))
    claims = draw(
        st.dictionaries(st.sampled_from(["sub", "aud", "tid", "oid"]), _text(ALNUM, 1, 20))
    )
    header = _b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = _b64url(json.dumps({"iss": "https://sts.example", **claims}).encode())
    signature = "" if alg == "none" else _b64url(draw(st.binary(min_size=16, max_size=64)))
    token = f"{header}.{payload}.{signature}"
    return payload, token


def _prefixed(prefix: str, alphabet: str, size: int) -> st.SearchStrategy[str]:
    return _text(alphabet, size, size).map(lambda s: prefix + s)


well_known_tokens = st.one_of(
    st.sampled_from(["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]).flatmap(
        lambda p: _prefixed(p, ALNUM, 36)
    ),
    _prefixed("github_pat_", ALNUM + "_", 60),
    _prefixed("glpat-", ALNUM + "-_", 20),
    st.sampled_from(["xoxb-", "xoxp-", "xoxa-"]).flatmap(lambda p: _prefixed(p, ALNUM + "-", 40)),
    st.sampled_from(["sk_live_", "rk_test_"]).flatmap(lambda p: _prefixed(p, ALNUM, 24)),
    _prefixed("AIza", ALNUM + "-_", 35),
    _prefixed("GOCSPX-", ALNUM + "-_", 28),
    st.sampled_from(["AKIA", "ASIA"]).flatmap(
        lambda p: _prefixed(p, string.ascii_uppercase + string.digits, 16)
    ),
    st.builds(
        lambda a, d, b: f"{a}{d}Q~{b}",
        _text(ALNUM, 3, 3),
        st.sampled_from(string.digits),
        _text(ALNUM + "_~.-", 31, 34),
    ),
    _text(B64, 86, 86).map(lambda s: s + "=="),
    st.builds(lambda a, b: f"SG.{a}.{b}", _text(B64URL, 22, 22), _text(B64URL, 43, 43)),
    _prefixed("npm_", ALNUM, 36),
    _prefixed("pypi-AgEIcHlwaS5vcmc", ALNUM + "-_", 60),
    _prefixed("sk-proj-", ALNUM, 40),
)


@st.composite
def bare_tokens(draw: st.DrawFn, tokens: st.SearchStrategy[str]) -> tuple[str, str]:
    token = draw(tokens)
    return token, draw(
        st.sampled_from(["{t}", "value {t} rejected", '"{t}"', "({t})", "id={t}"])
    ).format(t=token)


@st.composite
def high_entropy_values(draw: st.DrawFn) -> tuple[str, str]:
    # distinct characters of all three classes: random-looking by construction
    chars = draw(st.lists(st.sampled_from(ALNUM), min_size=17, max_size=40, unique=True))
    value = "aZ9" + "".join(c for c in chars if c not in "aZ9")
    key = draw(
        st.sampled_from(["client secret", "AccountKey is", "token", "API key", "password was"])
    )
    return value, f"{key} {value}"


@st.composite
def third_party_emails(draw: st.DrawFn) -> tuple[str, str]:
    user = draw(
        _text(string.ascii_lowercase + string.digits + "._+", 3, 20).filter(
            lambda s: s[0].isalnum()
        )
    )
    address = f"{user}@{draw(st.sampled_from(['evil.example', 'corp.co.uk', 'mail.example.org']))}"
    return address, f"contact {address} for details"


# --- second-round detectors: shells, settings, tool output, dotfiles, webhooks, files -----

# A password as operators type it: never a bare word, no quote, blank or shell operator,
# and not starting like a variable, prompt or option ($pw, %PW%, *, -x), which the
# command-line detectors keep on purpose.
typed_passwords = _text(ALNUM + "!#+_.-", 6, 24).filter(
    lambda s: any(c.isdigit() for c in s) and s[0] in ALNUM and s[-1] not in "."
)


@st.composite
def cli_options(draw: st.DrawFn) -> tuple[str, str]:
    password = draw(typed_passwords)
    form = draw(
        st.sampled_from(
            [
                "mysql -u root -p{v} crm",
                "mysqldump -h db01 -u backup -p{v} --all-databases",
                "sshpass -p {v} ssh admin@10.0.0.5",
                'sqlcmd -S db01 -U sa -P "{v}" -Q "select 1"',
                "redis-cli -h cache -a {v} ping",
                "ldapsearch -x -D cn=admin -w {v} -b dc=corp",
                "restic --password {v} backup /srv",
                "az login --service-principal -u app -p {v} --tenant t",
                "New-LocalUser -Name svc -Password '{v}'",
                "Connect-Thing -ClientSecret {v} -TenantId t",
                "xfreerdp /u:admin /p:{v} /v:host",
                "keytool -importkeystore -storepass {v} -keystore k.jks",
                "openssl pkcs12 -export -passout pass:{v} -out c.pfx",
                '["sshpass", "-p", "{v}", "ssh", "h"]',
                '["docker", "login", "--password", "{v}", "registry.example"]',
            ]
        )
    )
    return password, form.format(v=password)


@st.composite
def net_use_commands(draw: st.DrawFn) -> tuple[str, str]:
    password = draw(typed_passwords)
    form = draw(
        st.sampled_from(
            [
                "net use Z: \\\\fs01\\share /user:CORP\\jdoe {v}",
                "net use \\\\fs\\ipc$ {v} /user:CORP\\admin",
                "NET USE * \\\\srv\\c$ /persistent:no /user:admin {v}",
                "net.exe use Y: \\\\nas\\backup {v} /user:nas\\svc-backup /persistent:yes",
            ]
        )
    )
    return password, form.format(v=password)


@st.composite
def secure_strings(draw: st.DrawFn) -> tuple[str, str]:
    password = draw(typed_passwords)
    form = draw(
        st.sampled_from(
            [
                "$pw = ConvertTo-SecureString '{v}' -AsPlainText -Force",
                'ConvertTo-SecureString -String "{v}" -AsPlainText -Force',
                "ConvertTo-SecureString {v} -AsPlainText -Force",
                "'{v}' | ConvertTo-SecureString -AsPlainText -Force",
            ]
        )
    )
    return password, form.format(v=password)


@st.composite
def piped_passwords(draw: st.DrawFn) -> tuple[str, str]:
    password = draw(typed_passwords)
    form = draw(
        st.sampled_from(
            [
                "echo '{v}' | sudo -S systemctl restart app",
                "echo {v} | docker login --password-stdin -u ci registry.example",
                'echo -n "{v}" | podman login --password-stdin -u ci quay.example',
                "printf '%s\\n' '{v}' | passwd --stdin svc",
                "echo 'svc:{v}' | chpasswd",
            ]
        )
    )
    return password, form.format(v=password)


# A value in a setting: anything but quotes, blanks and the JSON/XML delimiters.
setting_values = _text(ALNUM + "!#*+/=_.-", 6, 30).filter(
    lambda s: any(c.isdigit() for c in s) and s[0] in ALNUM and s[-1] not in "."
)


@st.composite
def name_value_pairs(draw: st.DrawFn) -> tuple[str, str]:
    name, value = draw(secret_keys), draw(setting_values)
    form = draw(
        st.sampled_from(
            [
                '{{"name": "{k}", "value": "{v}"}}',
                '{{"name": "{k}", "slotSetting": false, "value": "{v}"}}',
                '{{"key": "{k}", "enabled": true, "type": "text", "value": "{v}"}}',
                "- name: {k}\n  value: {v}",
                "env:\n  - name: {k}\n    value: '{v}'",
            ]
        )
    )
    if draw(st.booleans()):  # a header tuple pairs a header name with its value
        name = draw(st.sampled_from(["X-Api-Key", "Authorization", "X-Auth-Token", "API_KEY"]))
        form = draw(st.sampled_from(['[["{k}", "{v}"]]', "[('{k}', '{v}')]"]))
    return value, form.format(k=name, v=value)


@st.composite
def key_vault_secrets(draw: st.DrawFn) -> tuple[str, str]:
    value = draw(setting_values)
    vault = draw(st.sampled_from(["kv-prod", "contoso-kv", "app-secrets-01"]))
    name = draw(st.sampled_from(["DbPassword", "graph-client-secret", "smtp"]))
    secret_id = f"https://{vault}.vault.azure.net/secrets/{name}/{draw(st.uuids()).hex}"
    pairs = [
        f'"id": "{secret_id}"',
        '"attributes": {"enabled": true, "recoveryLevel": "Recoverable"}',
        '"contentType": null',
        f'"name": "{name}"',
    ]
    value_pair = f'"value": "{value}"'
    if draw(st.booleans()):
        pairs.append(value_pair)  # az keyvault secret show
    else:
        pairs.insert(0, value_pair)  # the REST API
    return value, "{" + ", ".join(pairs) + "}"


@st.composite
def xml_settings(draw: st.DrawFn) -> tuple[str, str]:
    name, value = draw(secret_keys), draw(setting_values)
    form = draw(
        st.sampled_from(
            [
                '<add key="{k}" value="{v}" />',
                "<add name='{k}' value='{v}'/>",
                '<setting name="{k}" serializeAs="String"><value>{v}</value></setting>',
                '<entry key="{k}">{v}</entry>',
            ]
        )
    )
    return value, form.format(k=name, v=value)


@st.composite
def tool_outputs(draw: st.DrawFn) -> tuple[str, str]:
    words = draw(st.lists(setting_values, min_size=1, max_size=3))
    value = " ".join(words)
    label = draw(
        st.sampled_from(
            [
                "    Key Content            : ",
                "    Schlüsselinhalt        : ",
                "    Contenu de la clé      : ",
                "Pre-shared key: ",
                "Preshared Key : ",
                "Shared secret: ",
            ]
        )
    )
    return max(words, key=len), label + value


def _hex(size: int) -> st.SearchStrategy[str]:
    return _text("0123456789abcdef", size, size)


_MD5_CRYPT = string.ascii_letters + string.digits + "./"


@st.composite
def network_device_secrets(draw: st.DrawFn) -> tuple[str, str]:
    secret = draw(typed_passwords)
    if draw(st.booleans()):  # a type 5 secret: an MD5-crypt hash
        secret = f"$1${draw(_text(_MD5_CRYPT, 4, 4))}${draw(_text(_MD5_CRYPT, 22, 22))}"
        form = draw(
            st.sampled_from(["enable secret 5 {v}", "username admin privilege 15 secret 5 {v}"])
        )
    else:
        form = draw(
            st.sampled_from(
                [
                    "username admin privilege 15 password 0 {v}",
                    "username netops password {v}",
                    "enable password {v}",
                    "snmp-server community {v} RO",
                    "crypto isakmp key {v} address 203.0.113.9",
                    "tacacs-server host 10.0.0.5 key 7 {v}",
                    "radius-server key {v}",
                    " pre-shared-key ascii {v}",
                    " key-string 7 {v}",
                ]
            )
        )
    return secret, form.format(v=secret)


# A stated password: letters and digits, maybe symbols; no sentence punctuation, which
# ends the value ("… is Xy7!. Please …").
stated_values = _text(ALNUM + "!#$%&*+=?@^_~", 6, 20).filter(
    lambda s: any(c.isdigit() for c in s) and any(c.isalpha() for c in s)
)


@st.composite
def stated_secrets(draw: st.DrawFn) -> tuple[str, str]:
    value = draw(stated_values)
    form = draw(
        st.sampled_from(
            [
                "the password is {v} now",
                "Password was set to {v}.",
                "I reset his password to {v}",
                "the new password for jdoe is {v}",
                "API key is {v}",
                "Das Passwort lautet {v}",
                "Das Kennwort ist {v}.",
                "le mot de passe est {v}",
                "la contraseña es {v}",
                'the password is "{v}"',
            ]
        )
    )
    return value, form.format(v=value)


@st.composite
def netrc_entries(draw: st.DrawFn) -> tuple[str, str]:
    password = draw(typed_passwords)
    host = draw(st.sampled_from(["api.github.com", "h.example", "artifacts.corp"]))
    separator = draw(st.sampled_from([" ", "\n  ", "\n\t"]))
    return password, f"machine {host}{separator}login bob{separator}password {password}"


@st.composite
def pgpass_lines(draw: st.DrawFn) -> tuple[str, str]:
    password = draw(typed_passwords)
    host = draw(st.sampled_from(["db01", "localhost", "pg.corp.example", "*"]))
    port = draw(st.sampled_from(["5432", "6432", "*"]))
    line = f"{host}:{port}:{draw(st.sampled_from(['crm', '*']))}:app:{password}"
    # A .pgpass line is a file's line: pasted below its name, never inside a sentence.
    return password, f"~/.pgpass:\n{line}"


@st.composite
def nt_hashes(draw: st.DrawFn) -> tuple[str, str]:
    user = draw(st.sampled_from(["Administrator", "svc_backup", "krbtgt", "CORP.jdoe"]))
    rid = draw(st.integers(min_value=500, max_value=99999))
    lm = draw(st.sampled_from(["aad3b435b51404eeaad3b435b51404ee", "0" * 32]))
    nt = draw(_hex(32))
    return nt, f"{user}:{rid}:{lm}:{nt}:::"


@st.composite
def teams_webhooks(draw: st.DrawFn) -> tuple[str, str]:
    tenant, group = draw(st.uuids()), draw(st.uuids())
    token = draw(_hex(32))
    suffix = draw(_text(B64URL, 43, 43))
    host = draw(
        st.sampled_from(["contoso.webhook.office.com/webhookb2", "outlook.office.com/webhook"])
    )
    url = f"https://{host}/{group}@{tenant}/IncomingWebhook/{token}/{draw(st.uuids())}/V2{suffix}"
    if draw(st.booleans()):
        url = url.replace("/", "\\/")  # as JSON encoders that escape slashes write it
    return token, draw(st.sampled_from(["{u}", "POST {u} failed", '"webhookUrl": "{u}"'])).format(
        u=url
    )


@st.composite
def discord_webhooks(draw: st.DrawFn) -> tuple[str, str]:
    webhook_id = draw(st.integers(min_value=10**16, max_value=10**19 - 1))
    token = draw(_text(B64URL, 68, 68))
    host = draw(st.sampled_from(["discord.com/api", "discordapp.com/api", "discord.com/api/v10"]))
    url = f"https://{host}/webhooks/{webhook_id}/{token}"
    if draw(st.booleans()):
        url = url.replace("/", "\\/")  # as JSON encoders that escape slashes write it
    return token, f"POST {url} returned 404"


@st.composite
def function_keys(draw: st.DrawFn) -> tuple[str, str]:
    key = draw(_text(B64URL, 40, 54)) + draw(st.sampled_from(["", "==", "%3D%3D"]))
    form = draw(
        st.sampled_from(
            [
                "https://fn-export.azurewebsites.net/api/Export?code={k}",
                "https://fn.azurewebsites.net/api/Sync?clientId=default&code={k}&x=1",
                "https://fn.azurewebsites.net/api/Sync?a=1\\u0026code={k}",
                "GET /signin-oidc?code={k}&state=xyz",
            ]
        )
    )
    return key, form.format(k=key)


@st.composite
def putty_keys(draw: st.DrawFn) -> tuple[str, str]:
    private = draw(_text(B64, 24, 64))
    newline = draw(st.sampled_from(["\n", "\r\n", "\\n"]))  # "\\n": JSON-escaped
    lines = [
        f"PuTTY-User-Key-File-{draw(st.sampled_from(['2', '3']))}: ssh-ed25519",
        "Encryption: none",
        "Comment: eddsa-key-20261202",
        "Public-Lines: 1",
        "AAAAC3NzaC1lZDI1NTE5AAAAIHr0mVpUGpublicpart",
        "Private-Lines: 1",
        private,
    ]
    if draw(st.booleans()):
        lines.append(f"Private-MAC: {draw(_hex(64))}")
    return private, newline.join(lines)


@st.composite
def pfx_blobs(draw: st.DrawFn) -> tuple[str, str]:
    lines = draw(st.lists(_text(B64, 16, 64), min_size=1, max_size=4))
    newline = draw(st.sampled_from(["", "\n", "\r\n", "\\n"]))  # "\\n": JSON-escaped
    padding = draw(st.sampled_from(["", "=", "=="]))
    blob = f"MII{draw(_text(B64, 3, 3))}IBAzCC{newline.join(lines)}{padding}"
    form = draw(
        st.sampled_from(
            ['"pfx": "{b}"', "[Convert]::FromBase64String('{b}')", "certificate {b} imported"]
        )
    )
    return max(lines, key=len), form.format(b=blob)


@st.composite
def bitlocker_recovery_keys(draw: st.DrawFn) -> tuple[str, str]:
    groups = draw(st.lists(st.integers(min_value=0, max_value=999999), min_size=8, max_size=8))
    key = "-".join(f"{g:06d}" for g in groups)
    form = draw(
        st.sampled_from(
            [
                "{k}",
                "Recovery key: {k}.",
                "    Numerical Password:\n      ID: {{6F1A2B3C-4D5E-4F60-8A7B-9C0D1E2F3A4B}}\n"
                "      Password:\n        {k}",
                '"recoveryKey": "{k}"',
            ]
        )
    )
    return key, form.format(k=key)


def _azure_devops_pat(head: str, middle: str, tail: str) -> str:
    return f"{head}JQQJ99{middle}AZDO{tail}"


second_round_tokens = {
    "huggingface-token": _prefixed("hf_", ALNUM, 34),
    "digitalocean-token": st.sampled_from(["dop_v1_", "doo_v1_", "dor_v1_"]).flatmap(
        lambda p: _hex(64).map(lambda h: p + h)
    ),
    "vault-token": st.sampled_from(["hvs.", "hvb.", "hvr."]).flatmap(
        lambda p: _text(ALNUM + "_-", 24, 90).map(lambda s: p + s)
    ),
    "telegram-bot-token": st.builds(
        lambda bot, rest: f"{bot}:AA{rest}",
        st.integers(min_value=10**7, max_value=10**10 - 1),
        _text(ALNUM + "_-", 33, 33),
    ),
    "azure-devops-pat": st.builds(
        _azure_devops_pat, _text(ALNUM, 52, 52), _text(ALNUM, 18, 18), _text(ALNUM, 4, 4)
    ),
}

SECRET_FORMS = {
    "key-value": key_value_forms(),
    "connection-string": connection_strings(),
    "url-credentials": url_credentials(),
    "cli-credentials": cli_credentials(),
    "authorization": authorization_headers(),
    "cookie": cookie_headers(),
    "private-key": pem_blocks(),
    "jwt": jwts(),
    "well-known-token": bare_tokens(well_known_tokens),
    "high-entropy": high_entropy_values(),
    "email": third_party_emails(),
    # The second round's detectors, grouped so the property runs stay few (each group
    # gets PER_FAMILY_SETTINGS' examples, shared by its detectors).
    "cli-option+net-use+secure-string+piped-password": st.one_of(
        cli_options(), net_use_commands(), secure_strings(), piped_passwords()
    ),
    "name-value+key-vault-secret+xml-setting": st.one_of(
        name_value_pairs(), key_vault_secrets(), xml_settings()
    ),
    "tool-output+network-device-secret+stated-secret": st.one_of(
        tool_outputs(), network_device_secrets(), stated_secrets()
    ),
    "netrc+pgpass+nt-hash": st.one_of(netrc_entries(), pgpass_lines(), nt_hashes()),
    "teams-webhook+discord-webhook+function-key": st.one_of(
        teams_webhooks(), discord_webhooks(), function_keys()
    ),
    "putty-key+pfx-blob+bitlocker-recovery-key": st.one_of(
        putty_keys(), pfx_blobs(), bitlocker_recovery_keys()
    ),
    "+".join(second_round_tokens): bare_tokens(st.one_of(*second_round_tokens.values())),
}
secret_forms = st.one_of(*SECRET_FORMS.values())

# --- benign text -------------------------------------------------------------------------------

WORDS = [
    "The",
    "password",
    "was",
    "reset",
    "by",
    "the",
    "tenant",
    "admin",
    "and",
    "the",
    "key",
    "vault",
    "access",
    "policy",
    "was",
    "updated",
    "Token",
    "refresh",
    "failed",
    "for",
    "the",
    "app",
    "registration",
    "check",
    "the",
    "client",
    "secret",
    "expiry",
    "Backup",
    "of",
    "compliance",
    "policies",
    "incomplete",
    "sync",
    "throttled",
    "retry",
    "later",
    "Legacy",
    "authentication",
    "still",
    "enabled",
    "author",
    "passenger",
    "keyboard",
    "session",
    "cookies",
    "credentials",
    "signature",
    "rotated",
    "Device",
    "naming",
    "template",
    "not",
    "applied",
    "conflicting",
    "assignment",
    "Intune",
    "Graph",
    "Entra",
    "export",
]


def _ulid() -> st.SearchStrategy[str]:
    return st.builds(lambda: SupportRequestReference.generate()[3:])


benign_tokens = st.one_of(
    st.sampled_from(WORDS),
    st.builds(SupportRequestReference.generate),
    _ulid(),
    st.uuids().map(str),
    st.uuids().map(lambda u: str(u).upper()),
    st.integers(min_value=1, max_value=999999).map(lambda n: f"#{n}"),
    st.integers(min_value=1, max_value=9999999).map(lambda n: f"INC{n:07d}"),
    st.datetimes().map(lambda d: d.isoformat(timespec="seconds") + "Z"),
    st.sampled_from(
        [
            "HTTP/1.1 401 Unauthorized",
            "HTTP/2 503 Service Unavailable",
            "HTTP/1.1 429 Too Many Requests",
            "AADSTS700082",
            "0x87D1FDE8",
        ]
    ),
    st.builds(
        lambda u, top: (
            f"https://graph.microsoft.com/v1.0/deviceManagement/managedDevices/{u}"
            f"?$select=id,deviceName&$top={top}"
        ),
        st.uuids(),
        st.integers(min_value=1, max_value=999),
    ),
    st.sampled_from(
        [
            "https://login.microsoftonline.com/common/oauth2/v2.0/token",
            "https://portal.azure.com/#view/Microsoft_AAD_RegisteredApps",
            "https://desk.example.com/agent/tickets/4711",
        ]
    ),
)
benign_texts = st.lists(
    st.tuples(benign_tokens, st.sampled_from([" ", " ", ", ", ". ", " - ", "; ", "\n", " ("])),
    min_size=1,
    max_size=25,
).map(lambda pairs: "".join(t + sep for t, sep in pairs).rstrip())

# --- embeddings ----------------------------------------------------------------------------


@st.composite
def log_lines(draw: st.DrawFn, form: str) -> str:
    stamp = draw(st.datetimes()).isoformat(timespec="milliseconds")
    level = draw(st.sampled_from(["INFO", "WARN", "ERROR"]))
    component = draw(st.sampled_from(["graph", "intune.export", "sync-worker"]))
    return f"{stamp}Z {level} [{component}] {draw(benign_texts)} {form} {draw(benign_texts)}"


@st.composite
def multi_line_texts(draw: st.DrawFn, form: str) -> str:
    lines = draw(st.lists(benign_texts, min_size=1, max_size=6))
    lines.insert(draw(st.integers(min_value=0, max_value=len(lines))), form)
    return draw(st.sampled_from(["\n", "\r\n"])).join(lines)


benign_keys = st.sampled_from(
    [
        "status",
        "detail",
        "message",
        "error",
        "items",
        "author",
        "token_count",
        "passwordRequired",
        "keyName",
        "innerError",
        "request-id",
        "endpoint",
        "type",
        "tenantId",
    ]
)


def _json_trees(leaf: st.SearchStrategy) -> st.SearchStrategy:
    return st.recursive(
        leaf,
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(benign_keys, children, max_size=4)
        ),
        max_leaves=12,
    )


@st.composite
def json_structures_holding(draw: st.DrawFn, secret_leaf: object) -> object:
    """A random JSON tree with ``secret_leaf`` somewhere in it."""
    tree = draw(_json_trees(st.one_of(benign_texts, st.integers(), st.booleans(), st.none())))
    path_keys = draw(st.lists(benign_keys, min_size=1, max_size=4))
    node: dict = {}
    root = node
    for key in path_keys[:-1]:
        node[key] = {}
        node = node[key]
    node[path_keys[-1]] = secret_leaf
    return [tree, root] if draw(st.booleans()) else {"context": tree, "detail": root}


# --- properties ----------------------------------------------------------------------------------

_PLACEHOLDERS = " ".join(placeholder(d.name) for d in CATALOGUE)
_WINDOW = 5


def _leaked(secret: str, before: str, after: str) -> list[str]:
    """Pieces of ``secret`` left in ``after``: the whole, or any 5-character window of it.

    A window that also occurs in ``before`` outside the secret (or in a placeholder) is
    ordinary text around it, not a leak.
    """
    ordinary = before.replace(secret, "\0") + _PLACEHOLDERS
    size = min(_WINDOW, len(secret))
    windows = {secret[i : i + size] for i in range(len(secret) - size + 1)}
    return sorted(w for w in windows if w in after and w not in ordinary)


@pytest.mark.parametrize("family", sorted(SECRET_FORMS))
@PER_FAMILY_SETTINGS
@given(data=st.data())
def test_no_generated_secret_survives_in_log_lines_and_multi_line_texts(
    data: st.DataObject, family: str
) -> None:
    secret, form = data.draw(SECRET_FORMS[family])
    text = data.draw(st.one_of(log_lines(form), multi_line_texts(form)))
    assume(text.count(secret) == form.count(secret))  # the secret is not also benign text
    redacted = redact_text(text)
    assert not _leaked(secret, text, redacted), (family, text, redacted)
    assert redact_text(redacted) == redacted


@pytest.mark.parametrize("family", sorted(SECRET_FORMS))
@PER_FAMILY_SETTINGS
@given(data=st.data())
def test_no_generated_secret_survives_in_json_structures(data: st.DataObject, family: str) -> None:
    secret, form = data.draw(SECRET_FORMS[family])
    structure = data.draw(json_structures_holding(form))
    assume(json.dumps(structure).count(secret) == form.count(secret))  # not also benign text
    redacted = redact(structure)
    flat = json.dumps(structure)
    assert not _leaked(secret, flat, json.dumps(redacted)), (family, structure, redacted)
    assert redact(redacted) == redacted
    # also when the whole structure was serialised into a text (a provider error body)
    for text in (json.dumps(structure), json.dumps(structure, indent=2), repr(structure)):
        assert not _leaked(secret, text, redact_text(text)), (family, text)


@PROPERTY_SETTINGS
@given(key=secret_keys, value=st.one_of(secret_values, st.integers(), _json_trees(secret_values)))
def test_any_value_under_a_generated_secret_key_is_replaced(key: str, value: object) -> None:
    structure = {"outer": [{key: value, "status": "ok"}]}
    redacted = redact(structure)
    assert redacted == {"outer": [{key: "[redacted:secret-key]", "status": "ok"}]}


@PROPERTY_SETTINGS
@given(text=benign_texts)
def test_generated_benign_text_is_unchanged(text: str) -> None:
    assert redact_text(text) == text


@PROPERTY_SETTINGS
@given(structure=_json_trees(st.one_of(benign_texts, st.integers(), st.booleans(), st.none())))
def test_generated_benign_structures_are_unchanged(structure: object) -> None:
    assert redact(structure) == structure
    text = json.dumps(structure)
    assert redact_text(text) == text


@PROPERTY_SETTINGS
@given(text=st.text(max_size=300))
def test_any_text_redacts_idempotently(text: str) -> None:
    once = redact_text(text)
    assert redact_text(once) == once


def test_uuid_helpers_are_benign() -> None:
    # a fixed example of each benign token kind, so a failure here names the kind
    for token in (
        str(uuid.uuid4()),
        SupportRequestReference.generate(),
        "HTTP/1.1 401 Unauthorized",
    ):
        assert redact_text(token) == token
