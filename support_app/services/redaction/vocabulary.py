"""Which key names say "secret": one normaliser for mapping keys and keys inside text.

A key name is split into lower-case word parts (``DB_PASSWORD`` → ``db password``,
``connectionString`` → ``connection string``, ``x-api-key`` → ``x api key``,
``AccountKey`` → ``account key``). It names a secret when

- one part is a secret word (``password``, ``pwd``, ``auth``, ``token``, ``session``…),
  or ends with a long secret word (``userpassword``, ``accesstoken``);
- or consecutive parts form a secret phrase (``api key``, ``account key``,
  ``connection string``…), also written as one word (``apikey``);

unless a part after the secret word turns the name into metadata *about* the secret
(``token_count``, ``token_type``, ``passwordMinimumLength``, ``SharedAccessKeyName``,
``client_secret_expires_at``): such values describe a secret and help support.

Deliberately not secret: ``key`` alone (an identifier in most APIs: issue keys,
registry keys, catalog keys), words that merely contain a secret word as a part of
a longer word (``author``, ``authority``, ``passenger``, ``keyboard``, ``tokenizer``,
``secretary``, ``passwordless``), paging cursors (``$skiptoken``, ``nextPageToken``,
``continuationToken``: they page a listing, they open nothing), and Microsoft Graph's
``passwordCredentials`` / ``keyCredentials`` collections, whose entries are metadata
(key ids, hints, expiry dates) support needs; the one secret inside, ``secretText``,
is a secret key of its own.

A webhook is a secret whose value is a URL, so ``TEAMS_WEBHOOK_URL`` names a secret
although ``token_url`` names an endpoint. Accents are folded (``contraseña``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from wordfreq import zipf_frequency

# Secret words that must be a whole word part.
SECRET_WORDS = frozenset(
    {
        "password",
        "passwords",
        "passwd",
        "pwd",
        "pw",
        "pass",
        "passphrase",
        "passcode",
        "passwort",
        "kennwort",
        "passe",  # French "mot de passe"
        "motdepasse",
        "mdp",
        "contrasena",  # Spanish, accent folded
        "clave",
        "psk",  # Wi-Fi pre-shared key (wpa_supplicant psk=)
        "skey",  # Duo secret key
        "secret",
        "secrets",
        "token",
        "tokens",
        "sig",
        "signature",
        "sas",
        "auth",
        "authorization",
        "authorisation",
        "bearer",
        "cookie",
        "cookies",
        "connstr",
        "dsn",
        "credential",
        "credentials",
        "cred",
        "creds",
        "zugangsdaten",  # German "access data": user and password
        "anmeldedaten",
        "session",
        "sessions",
        "sessionid",
        "webhook",
        "webhooks",
        "pat",  # personal access token ($pat, AZURE_DEVOPS_PAT)
        "community",  # SNMP (AccessControl1Community=, snmp_community:)
        "passhash",  # PRTG's API credential
        "pin",
        "puk",
        "geheimnis",  # German "secret"
    }
)
# Compounds of "code" and "Schlüssel" (accents folded) that name a secret, in keys and
# in prose alike ("ApiIntegrationCode", "Zugangscode", "WLAN-Schlüssel").
SECRET_COMPOUNDS = (
    *(
        f"{qualifier}code"
        for qualifier in (
            "zugangs",
            "alarm",
            "tur",
            "tor",
            "sicherheits",
            "entsperr",
            "wiederherstellungs",
            "notfall",
            "tresor",
            "pin",
            "integration",
            "access",
            "recovery",
            "backup",
            "unlock",
            "entry",
            "emergency",
            "duress",
            "installer",  # alarm panels: installer_code, master code
            "errichter",
            "master",
            "bestatigungs",  # Bestätigungscode: a one-time code from an SMS or app
            "verifizierungs",
            "verification",
            "einmal",
            "zahlen",  # Zahlencode of a key safe or a lock
            "turoffner",
        )
    ),
    *(
        f"{qualifier}schlussel"
        for qualifier in (
            "wlan",
            "netzwerk",
            "wiederherstellungs",
            "api",
            "zugangs",
            "zugriffs",
            "sicherheits",
            "lizenz",
            "produkt",
            "verschlusselungs",
            "geheim",
            "einrichtungs",
        )
    ),
    "zugriffspass",  # Temporary Access Pass, German
    "accesspass",
)
_COMPOUNDS = frozenset(SECRET_COMPOUNDS)
# A single part that ends with one of these is a secret too (``userpassword``,
# ``xsrftoken``); short words (``pw``, ``pass``, ``sig``) are left out because as a
# suffix they hit ordinary words and random identifiers.
_SECRET_SUFFIXES = (
    "password",
    "passwd",
    "passwort",
    "kennwort",
    "passphrase",
    "secret",
    "token",
    "credential",
    "credentials",
    "apikey",
    "accesskey",
    "accountkey",
    "privatekey",
    "connectionstring",
    "cookie",
    "authorization",
    "signature",
    "webhook",
    "webhookurl",
    "webhookuri",
    "pw",  # bindpw, rootpw, SAPWD
    "pwd",
    "privkey",
    "authtok",  # sssd's ldap_default_authtok
    "community",
    "phash",  # PAN-OS
    "pskvalue",  # Zabbix TLSPSKVALUE (TLSPSKIDENTITY names the key, not its value)
    *(
        f"{owner}pass"
        for owner in (
            "server",
            "admin",
            "root",
            "db",
            "user",
            "mail",
            "smtp",
            "sa",
            "ftp",
            "bind",
            "ldap",
            "sql",
            "proxy",
            "vpn",
            "wifi",
            "wlan",
            "api",
            "app",
            "master",
            "svc",
            "service",
            "require",
            "ssh",  # sshpass's SSHPASS
        )
    ),
    *SECRET_COMPOUNDS,
)
# Consecutive parts that together name a secret.
SECRET_PHRASES: tuple[tuple[str, ...], ...] = (
    ("api", "key"),
    ("secret", "key"),  # Django's SECRET_KEY (a "key" after "secret" is no field name)
    ("password", "key"),
    ("access", "key"),
    ("account", "key"),
    ("private", "key"),
    ("subscription", "key"),
    ("primary", "key"),
    ("secondary", "key"),
    ("master", "key"),
    ("encryption", "key"),
    ("signing", "key"),
    ("validation", "key"),  # ASP.NET <machineKey validationKey= decryptionKey=>
    ("decryption", "key"),
    ("hmac", "key"),
    ("auth", "key"),  # WordPress AUTH_KEY, SECURE_AUTH_KEY; Tailscale auth keys
    ("password", "salt"),  # Nextcloud passwordsalt
    ("storage", "key"),
    ("function", "key"),
    ("functions", "key"),
    ("host", "key"),
    ("app", "key"),
    ("client", "key"),
    ("admin", "key"),
    ("write", "key"),
    ("deploy", "key"),
    ("license", "key"),
    ("product", "key"),
    ("pid", "key"),  # msiexec PIDKEY
    ("acct", "key"),
    ("shared", "key"),
    ("shared", "secret"),
    ("preshared", "key"),
    ("pre", "shared", "key"),
    ("recovery", "key"),
    ("key", "material"),  # WLAN profile <keyMaterial>
    ("key", "content"),  # netsh wlan show profile "Key Content"
    ("connection", "string"),
    ("conn", "str"),
    ("conn", "string"),
)
# A phrase written as one word ("apikey", "AccountKey" in lower case) is one too.
_JOINED_PHRASES = frozenset("".join(p) for p in SECRET_PHRASES)
# A part after the secret word that makes the name describe the secret, not hold it.
QUALIFIERS = frozenset(
    {
        "count",
        "counts",
        "type",
        "types",
        "kind",
        "length",
        "size",
        "name",
        "names",
        "required",
        "enabled",
        "disabled",
        "allowed",
        "policy",
        "policies",
        "expiry",
        "expires",
        "expiration",
        "expired",
        "lifetime",
        "ttl",
        "timeout",
        "days",
        "hours",
        "minutes",
        "seconds",
        "at",
        "time",
        "date",
        "datetime",
        "last",
        "status",
        "state",
        "method",
        "methods",
        "endpoint",
        "url",
        "uri",
        "format",
        "version",
        "algorithm",
        "alg",
        "scheme",
        "file",
        "files",
        "path",
        "stdin",
        "prompt",
        "helper",
        "ref",
        "reference",
        "age",  # MaxPasswordAge
        "flags",  # psk-flags
        "flag",
        "maps",  # smtp_sasl_password_maps
        "map",
        "variable",  # passwordVariable
        "var",
        "store",  # credsStore
        "stores",
        "helpers",  # credHelpers
        "bytes",
        "key",  # adminPasswordKey: the name of the field that holds it
        "complexity",
        "history",
        "strength",
        "rules",
        "requirements",
        "attempt",
        "attempts",
        "failure",
        "failures",
        "encrypted",  # LoadCredentialEncrypted
        "interval",
        "logon",  # -ResetPasswordOnNextLogon, ChangePasswordAtLogon: a switch, not a value
        "never",  # PasswordNeverExpires
        "id",  # "Wiederherstellungsschlüssel-ID", "api_key_id": which one, not the secret
        "ids",
        "guid",
        "identifier",
        "thumbprint",
        "fingerprint",
        "encryption",  # password_encryption = scram-sha-256: how it is stored
        "min",  # KennwortMinLaenge, password_min_length
        "max",
        "minimum",
        "maximum",
        "laenge",
        "lange",
        "pruefung",
        "prufung",
        "check",
        "header",  # ApiKeyHeader: the header's name, not its value
        "field",
        "label",
        "prefix",
        "hash",  # discovery-token-ca-cert-hash, password_hash: a digest named as one
        "identity",  # TLSPSKIdentity, "PSK identity": which key, not the key
    }
)
# A session's id is its secret: "session_id", "JSESSIONID".
_SESSION_QUALIFIERS = QUALIFIERS - {"id", "ids", "identifier"}
# A webhook's URL is the secret itself: these qualifiers do not apply after "webhook",
# but its id does describe it.
_WEBHOOK_QUALIFIERS = (QUALIFIERS - {"url", "uri", "endpoint"}) | {"id", "ids"}
_WEBHOOK_WORDS = ("webhook", "webhooks", "webhookurl", "webhookuri")
# A "token" after one of these is a paging cursor, not a credential.
_PAGING_WORDS = frozenset({"skip", "delta", "continuation", "page", "sync", "next"})
_PAGING_TOKENS = frozenset(f"{w}token" for w in (*_PAGING_WORDS, "nextpage"))
# Microsoft Graph collections of credential metadata (walked into, not replaced whole).
_CREDENTIAL_METADATA = frozenset(
    {"passwordcredentials", "keycredentials", "federatedidentitycredentials"}
)
# The key names whose value after ``:`` may be several words ("Passwort: mein Haus").
# Credentials ("creds: admin / Adm1n!") are a phrase too: user and password together.
PASSWORD_WORDS = frozenset(
    {
        "password",
        "passwords",
        "passwd",
        "pwd",
        "pw",
        "pass",
        "passphrase",
        "passcode",
        "passwort",
        "kennwort",
        "passe",
        "motdepasse",
        "mdp",
        "contrasena",
        "clave",
        "cred",
        "creds",
        "credential",
        "credentials",
        "zugangsdaten",
        "anmeldedaten",
    }
)

_CAMEL_LOWER_UPPER = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_SEPARATORS = re.compile(r"[^a-z0-9]+")


def key_parts(key: str) -> tuple[str, ...]:
    """The lower-case word parts of a key name (case, ``-``/``_``/spaces, camelCase)."""
    if not key.isascii():
        folded = unicodedata.normalize("NFKD", key)
        key = "".join(c for c in folded if not unicodedata.combining(c))
    spaced = _CAMEL_ACRONYM.sub(r"\1 \2", _CAMEL_LOWER_UPPER.sub(r"\1 \2", key))
    return tuple(p for p in _SEPARATORS.split(spaced.lower()) if p)


def _secret_end(parts: tuple[str, ...]) -> int:
    """Index just after the last secret word or phrase in ``parts``; 0 when none."""
    end = 0
    for i, part in enumerate(parts):
        if part in _PAGING_TOKENS or (
            part in ("token", "tokens") and i > 0 and parts[i - 1] in _PAGING_WORDS
        ):
            continue
        if (
            part in SECRET_WORDS
            or part in _JOINED_PHRASES
            or part.endswith(_SECRET_SUFFIXES)
            or (i and parts[i - 1] + part in _COMPOUNDS)
        ):
            end = i + 1
        for phrase in SECRET_PHRASES:
            if parts[i : i + len(phrase)] == phrase:
                end = max(end, i + len(phrase))
    return end


# Words before "key" that name a key nobody keeps secret, or an identifier called a key.
_NOT_SECRET_KEYS = frozenset(
    {"public", "pub", "host", "id", "registry", "cache", "object", "partition", "row", "sort",
     "idempotency", "dedupe", "dedup", "lookup", "foreign", "license", "product", "issue",
     "routing", "shard", "index", "map", "dict", "hash", "group", "sub", "ssh"}
)  # fmt: skip


@lru_cache(maxsize=1024)
def names_a_key(key: str) -> bool:
    """A name that ends in "key" or "Schlüssel" without saying whose public or which
    identifier it is: ``key``, ``encryption_key``, ``Schluessel`` — not ``public_key``,
    ``cache_key``, ``issue key``. Such a name alone does not make its value a secret
    (most keys are identifiers); a value that looks like key material does."""
    parts = key_parts(key)
    return (
        bool(parts)
        and parts[-1] in ("key", "schlussel", "schluessel")
        and not (len(parts) > 1 and parts[-2] in _NOT_SECRET_KEYS)
    )


# Password managers are named after what they keep: "KeePass: Kunden.kdbx → …".
_PASSWORD_MANAGERS = frozenset(
    {"keepass", "keepassxc", "lastpass", "1password", "bitwarden", "passbolt", "passwordstate",
     "fortitoken", "yubikey"}
)  # fmt: skip


@lru_cache(maxsize=4096)
def is_secret_key(key: str) -> bool:
    """True when a value stored under ``key`` must be treated as a secret."""
    parts = key_parts(key)
    if "".join(parts) in _CREDENTIAL_METADATA or "".join(parts) in _PASSWORD_MANAGERS:
        return False
    if sum(len(p) <= 2 for p in parts) > 2:
        return False  # "MII000IBAzCCConnectionString": letters of a blob, not a name
    end = _secret_end(parts)
    if end == 0:
        return False
    if any(p in ("existing", "external") for p in parts[:end]):
        return False  # Helm's (auth.)existingSecret: the name of a Secret object, not its value
    if parts[end - 1].endswith(_WEBHOOK_WORDS):
        qualifiers = _WEBHOOK_QUALIFIERS
    elif parts[end - 1] in ("session", "sessions"):
        qualifiers = _SESSION_QUALIFIERS
    else:
        qualifiers = QUALIFIERS
    return not any(p in qualifiers for p in parts[end:])


@lru_cache(maxsize=1024)
def is_password_key(key: str) -> bool:
    """A secret key naming a password, whose value may be a phrase of several words."""
    return is_secret_key(key) and any(p in PASSWORD_WORDS for p in key_parts(key))


# --- nouns that name a secret in prose --------------------------------------------------------
# Nouns for a user and password together: their value is a pair ("admin / X").
_PROSE_CREDENTIAL_WORDS = frozenset(
    {
        "credentials",
        "credential",
        "creds",
        "cred",
        "zugangsdaten",
        "anmeldedaten",
        "logindaten",
        "login",
        "logins",
        "zugang",  # "Zugang: admin / X"
        "anmelden",  # "anmelden mit admin und X"
        "einloggen",
        "angemeldet",
        "eingeloggt",
    }
)
# A word of a sentence that names a secret by itself ("password", "Kennwort", "PIN"):
# the password words of keys but those for a user and password together, the secret
# words a sentence uses alone, and the plurals, abbreviations and synonyms of prose.
_PROSE_SECRET_WORDS = (
    (PASSWORD_WORDS - _PROSE_CREDENTIAL_WORDS - {"passe", "motdepasse"})
    | (SECRET_WORDS & {"pin", "puk", "secret", "token", "psk"})
    | {
        "passworter",  # Passwörter, accent folded
        "kennworter",
        "geheimnis",
        "kennw",  # abbreviated with a dot: "Kennw. Lohnbuchhaltung: X"
        "passw",
        "kennsatz",  # German "passphrase"
        "passsatz",
    }
)
# … or as the end of a compound ("Adminkennwort", "WLAN-Passwort", "clientSecret",
# "Zugangscode", "Wiederherstellungsschlüssel", "ApiIntegrationCode").
_PROSE_SECRET_SUFFIXES = (
    "password",
    "passwort",
    "kennwort",
    "passphrase",
    "passcode",
    "secret",
    "token",
    *SECRET_COMPOUNDS,
)
# Verbs of signing in, whose objects are a user and a password ("logged in with X").
_PROSE_CREDENTIAL_PHRASES = frozenset(
    (verb, particle)
    for verb in ("log", "logs", "logged", "logging", "sign", "signed", "signing")
    for particle in ("in", "into", "on", "onto")
)
# "key", "code", "Schlüssel" and "community" name a secret only after one of these
# ("API key", "Wi-Fi key", "recovery code", "WLAN Schlüssel", "SNMP community"): an
# error code, a registry key or a product's key feature are no secrets.
_PROSE_QUALIFIED = {
    "key": frozenset(
        {
            "api",
            "access",
            "secret",
            "account",
            "storage",
            "recovery",
            "license",
            "licence",
            "product",
            "wifi",
            "wlan",
            "network",
            "security",
            "encryption",
            "preshared",
            "pre-shared",
            "shared",
            "master",
            "private",
            "app",
            "client",
            "admin",
            "subscription",
            "integration",
            "signing",
            "bitlocker",
            "unlock",
        }
    ),
    "code": frozenset(
        {
            "access",
            "alarm",
            "door",
            "gate",
            "safe",
            "unlock",
            "recovery",
            "backup",
            "security",
            "entry",
            "pin",
            "puk",
            "master",
            "admin",
            "integration",
            "verification",
            "sec",  # "sec code for the Yale lock"
            "keypad",
            "lockbox",
            "authenticator",  # "Code aus der Authenticator-App"
            "sms",
            "otp",
            "mfa",
            "2fa",
            "totp",
            "bestatigung",
            "verifizierung",
            "garage",
            "notfall",
            "emergency",
            "duress",
            "tresor",
            "tur",
            "tor",
        }
    ),
    "codes": frozenset(
        {"recovery", "backup", "bypass", "notfall", "emergency", "einmal", "wiederherstellungs"}
    ),
    "phrase": frozenset(
        {"recovery", "seed", "secret", "backup", "wiederherstellungs", "geheim", "mnemonic"}
    ),
    "schlussel": frozenset(
        {"wlan", "wifi", "netzwerk", "api", "psk", "bitlocker", "recovery", "geheimer", "geheime"}
    ),
    "seed": frozenset({"mfa", "totp", "otp", "2fa", "authenticator", "recovery", "wallet"}),
    "community": frozenset({"snmp", "read", "write", "ro", "rw", "community"}),
    "passe": frozenset({"de"}),  # French "mot de passe"
    "combination": frozenset({"safe", "lock", "padlock"}),
    "kombination": frozenset({"tresor", "safe", "schloss", "zahlenschloss"}),
}
# Words after a noun that make it metadata ("password policy", "PIN length",
# "token id", "password hash"), so what follows describes the secret, not states it.
PROSE_QUALIFIERS = QUALIFIERS | frozenset(
    {
        "id",
        "hash",
        "hint",
        "hinweis",
        "manager",
        "richtlinie",
        "richtlinien",
        "lange",
        "history",
        "verlauf",
        "reset",
        "resets",
        "change",
        "changes",
        "anderung",
        "ablauf",
        "age",
        "alter",
        "field",
        "feld",
        "dialog",
        "requirements",
        "anforderungen",
        "complexity",
        "komplexitat",
        "strength",
        "starke",
        "anzahl",
        "typ",
        "rotation",
        "vault",
        "safe",
        "store",
        "spray",
        "spraying",
        "audit",
    }
)


def _fold(word: str) -> str:
    if word.isascii():
        return word.lower()
    folded = unicodedata.normalize("NFKD", word)
    return "".join(c for c in folded if not unicodedata.combining(c)).lower()


# Words before "code" or "key" that make them no secret.
_NOT_QUALIFYING = frozenset(
    {"error", "fehler", "status", "exit", "return", "response", "event", "reason", "country",
     "zip", "post", "postal", "area", "source", "sign", "signin", "host", "public", "registry"}
)  # fmt: skip


@lru_cache(maxsize=8192)
def names_secret_in_prose(word: str, previous: str = "") -> str | None:
    """Whether ``word`` (after ``previous``) names a secret in a sentence, and how.

    ``"secret"`` for a noun of its own ("password", "WLAN-Passwort"), ``"phrase"`` when
    it does so with the word before ("API key", "recovery code"), ``"credentials"``
    for a user and password together ("creds", "Zugangsdaten"), ``"qualified-later"``
    for a word that needs a qualifier it may get after it ("the code for the alarm",
    "Code für die Alarmanlage": see ``qualifies_later``); ``None`` otherwise.
    """
    parts = key_parts(word)
    if not parts:
        return None
    last = parts[-1]
    joined = "".join(parts)
    if last in _PROSE_CREDENTIAL_WORDS or joined in _PROSE_CREDENTIAL_WORDS:
        return "credentials"
    if (_fold(previous), last) in _PROSE_CREDENTIAL_PHRASES:
        return "credentials"  # "log in with admin and X", "logged into … with bob / X"
    if last in _PROSE_SECRET_WORDS or joined.endswith(_PROSE_SECRET_SUFFIXES):
        return "secret"
    qualifiers = _PROSE_QUALIFIED.get(last)
    before = parts[-2] if len(parts) > 1 else "".join(key_parts(previous))
    if qualifiers is None:
        # a German compound of "code" or "Schlüssel" ("Scharfschaltcode"): its first
        # part is the qualifier, or one may come later ("… der Alarmanlage")
        base = next((b for b in _COMPOUND_BASES if last.endswith(b) and last != b), None)
        if base is None or len(parts) > 1:
            return None
        qualifiers, before = _PROSE_QUALIFIED[base], last[: -len(base)]
        if _fold(before) in _NOT_QUALIFYING:
            return None  # "Fehlercode", "Statuscode"
        return "secret" if before in qualifiers else "qualified-later"  # one word
    if _fold(before) in _NOT_QUALIFYING:
        return None  # "error code", "status code", "exit code"
    if _fold(before) in qualifiers:
        return "phrase"
    return "qualified-later" if len(parts) == 1 else None


# Nouns that German compounds end with ("Scharfschaltcode", "Tresorschlüssel").
_COMPOUND_BASES = ("codes", "code", "schlussel", "phrase")


def qualifies_later(noun: str, text: str) -> bool:
    """Whether a word of ``text`` around ``noun`` ("for the alarm panel") qualifies it as
    a secret: a word, or a part of a hyphenated word ("fürs Gäste-WLAN"), that starts
    with one of its qualifiers ("Alarmanlage", "door"). One search of the text, so a
    line of many such nouns costs its length times the window, not times the words."""
    folded_noun = "".join(key_parts(noun))
    base = next((b for b in _COMPOUND_BASES if folded_noun.endswith(b)), folded_noun)
    pattern = _qualifier_pattern(folded_noun if folded_noun in _PROSE_QUALIFIED else base)
    if pattern is None:
        return False
    folded = _fold(text)
    return bool(
        pattern.search(folded) or ("-" in folded and pattern.search(folded.replace("-", "")))
    )


@lru_cache(maxsize=64)
def _qualifier_pattern(noun: str) -> re.Pattern[str] | None:
    """The qualifiers of ``noun`` as one search for the start of a word."""
    qualifiers = sorted((q for q in _PROSE_QUALIFIED.get(noun, ()) if len(q) >= 3), key=len)
    if not qualifiers:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, reversed(qualifiers))) + ")")


# --- words of the language ------------------------------------------------------------------

_MIXED = re.compile(r"[\d!#$%&*+=?@^~|/\\]")
_LETTER = re.compile(r"[^\W\d_]")
# A word at least this frequent in English or German (Zipf scale: 3 is once per
# million words) is worded, not chosen ("expired", "abgelaufen", "required").
_COMMON = 2.5


@lru_cache(maxsize=8192)
def is_common_word(word: str) -> bool:
    """A frequent word of English or German (wordfreq's lists), not a chosen string.

    A string of letters mixed with digits or symbols ("Ro-Kunde!42") is chosen, even
    when wordfreq, reading it as several words, finds each of them frequent.
    """
    if _MIXED.search(word) and _LETTER.search(word):
        return False
    lower = word.lower()
    return zipf_frequency(lower, "en") >= _COMMON or zipf_frequency(lower, "de") >= _COMMON


@lru_cache(maxsize=8192)
def is_a_word(word: str) -> bool:
    """Whether English or German has this word at all, however rare ("escrowed")."""
    lower = word.lower()
    return zipf_frequency(lower, "en") > 0 or zipf_frequency(lower, "de") > 0


# A word at least this frequent is a word of grammar or of every day ("the", "ist",
# "time", "wurde"); the words of a passphrase are chosen among rarer ones.
_EVERYDAY = 5.2


@lru_cache(maxsize=8192)
def is_everyday_word(word: str) -> bool:
    """A word of grammar or of every day in English or German, which a passphrase's
    chosen words are not ("silver kettle orbit" against "unchanged since onboarding")."""
    lower = word.lower()
    return zipf_frequency(lower, "en") >= _EVERYDAY or zipf_frequency(lower, "de") >= _EVERYDAY
