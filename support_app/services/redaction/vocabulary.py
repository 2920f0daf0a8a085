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
    }
)
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
)
# Consecutive parts that together name a secret.
SECRET_PHRASES: tuple[tuple[str, ...], ...] = (
    ("api", "key"),
    ("access", "key"),
    ("account", "key"),
    ("private", "key"),
    ("subscription", "key"),
    ("primary", "key"),
    ("secondary", "key"),
    ("master", "key"),
    ("encryption", "key"),
    ("signing", "key"),
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
    }
)
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
        if part in SECRET_WORDS or part in _JOINED_PHRASES or part.endswith(_SECRET_SUFFIXES):
            end = i + 1
        for phrase in SECRET_PHRASES:
            if parts[i : i + len(phrase)] == phrase:
                end = max(end, i + len(phrase))
    return end


@lru_cache(maxsize=4096)
def is_secret_key(key: str) -> bool:
    """True when a value stored under ``key`` must be treated as a secret."""
    parts = key_parts(key)
    if "".join(parts) in _CREDENTIAL_METADATA:
        return False
    end = _secret_end(parts)
    if end == 0:
        return False
    qualifiers = _WEBHOOK_QUALIFIERS if parts[end - 1].endswith(_WEBHOOK_WORDS) else QUALIFIERS
    return not any(p in qualifiers for p in parts[end:])


@lru_cache(maxsize=1024)
def is_password_key(key: str) -> bool:
    """A secret key naming a password, whose value may be a phrase of several words."""
    return is_secret_key(key) and any(p in PASSWORD_WORDS for p in key_parts(key))
