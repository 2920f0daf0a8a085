"""The key-name normaliser: which mapping keys and text keys name a secret."""

from __future__ import annotations

import pytest

from support_app.services.redaction.named_fields import SECRET_KEY
from support_app.services.redaction.vocabulary import (
    SECRET_PHRASES,
    SECRET_WORDS,
    is_password_key,
    is_secret_key,
    key_parts,
)


@pytest.mark.parametrize(
    ("key", "parts"),
    [
        ("DB_PASSWORD", ("db", "password")),
        ("connectionString", ("connection", "string")),
        ("AccountKey", ("account", "key")),
        ("x-api-key", ("x", "api", "key")),
        ("X-Api-Key", ("x", "api", "key")),
        ("APIKey", ("api", "key")),
        ("Shared Access Key", ("shared", "access", "key")),
        ("passwordMinimumLength", ("password", "minimum", "length")),
        ("OAuth2Token", ("o", "auth2", "token")),
        ("--password", ("password",)),
        ("spring.datasource.password", ("spring", "datasource", "password")),
    ],
)
def test_key_parts_split_case_separators_and_camel_case(key: str, parts: tuple[str, ...]) -> None:
    assert key_parts(key) == parts


@pytest.mark.parametrize(
    "key",
    [
        # the list, in the spellings providers use
        "password",
        "Password",
        "DB_PASSWORD",
        "passwd",
        "pwd",
        "Pwd",
        "pass",
        "SMTP_PASS",
        "passphrase",
        "Passwort",
        "Kennwort",
        "secret",
        "client_secret",
        "clientSecret",
        "AZURE_CLIENT_SECRET",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "GITHUB_TOKEN",
        "x-auth-token",
        "api_key",
        "api-key",
        "apikey",
        "X-Api-Key",
        "APIKey",
        "access_key",
        "aws_secret_access_key",
        "AccountKey",
        "accountKey",
        "SharedAccessKey",
        "shared_access_key",
        "Ocp-Apim-Subscription-Key",
        "primaryKey",
        "x-functions-key",
        "DD_APP_KEY",
        "client_key",
        "sig",
        "signature",
        "Authorization",
        "authorisation",
        "auth",
        "basic_auth",
        "Cookie",
        "Set-Cookie",
        "cookies",
        "private_key",
        "privateKey",
        "connectionString",
        "primaryConnectionString",
        "conn_str",
        "credential",
        "credentials",
        "creds",
        "session",
        "session_id",
        "sessionId",
        "sa_session",
        # one lower-case word ending in a secret word
        "userpassword",
        "xsrftoken",
        "mycookie",
        "new_password",
        "password_hint",
    ],
)
def test_secret_key_names(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize(
    "key",
    [
        # ordinary keys
        "client_id",
        "tenant_id",
        "type",
        "outcome",
        "status",
        "summary",
        "endpoint",
        "key",  # an identifier in most APIs (issue keys, registry keys, catalog keys)
        "keys",
        "PartitionKey",  # Azure Table entity keys: identifiers
        "RowKey",
        "idempotency_key",
        # a secret word only inside a longer word
        "author",
        "authority",
        "authentication",
        "passenger",
        "passport",
        "bypass",
        "keyboard",
        "monkey",
        "tokenizer",
        "secretary",
        "passwordless",
        "signal",
        "signed",
        "sessionless",
        # metadata about a secret, which support needs
        "token_count",
        "tokenType",
        "token_type",
        "expires_in",
        "refresh_token_expires_in",
        "passwordRequired",
        "passwordMinimumLength",
        "passwordExpirationDays",
        "passwordLastSetDateTime",
        "SharedAccessKeyName",
        "keyName",
        "client_secret_expires_at",
        "auth_method",
        "authorization_endpoint",
        "token_endpoint",
        "session_timeout",
        "signature_algorithm",
        "secretName",
    ],
)
def test_ordinary_and_metadata_key_names(key: str) -> None:
    assert not is_secret_key(key)


@pytest.mark.parametrize(
    ("key", "expected"),
    [("password", True), ("Passwort", True), ("DB_PWD", True), ("client_secret", False)],
)
def test_password_keys_may_hold_a_phrase(key: str, expected: bool) -> None:
    assert is_password_key(key) is expected


def test_every_secret_word_and_phrase_carries_a_trigger_of_the_key_detectors() -> None:
    # The scanner skips a text without any trigger; a secret word without one would
    # make its key=value form invisible.
    triggers = SECRET_KEY.triggers
    for word in (*SECRET_WORDS, *("".join(p) for p in SECRET_PHRASES)):
        assert is_secret_key(word)
        assert any(t in word for t in triggers), word
