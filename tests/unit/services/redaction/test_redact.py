"""``redact`` over nested structures, e-mail addresses, and the planted demo secrets."""

from __future__ import annotations

import json

import pytest

from support_app.models import OperationRun, ProviderConnection, Tenant
from support_app.models.clock import utcnow
from support_app.services import demo_seed
from support_app.services.demo_seed import PLANTED_ACCESS_TOKEN, PLANTED_SECRETS
from support_app.services.redaction import (
    SECRET_KEY_PLACEHOLDER,
    is_secret_key,
    placeholder,
    redact,
    redact_text,
    scanner,
)

KEY = SECRET_KEY_PLACEHOLDER
EMAIL = placeholder("email")


def _flatten(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _assert_no_planted_secret(text: str) -> None:
    for secret in PLANTED_SECRETS:
        assert secret not in text
    # No recognisable fragment of the JWT survives either.
    for part in PLANTED_ACCESS_TOKEN.split("."):
        assert part not in text


# --- mappings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["password", "DB_PASSWORD", "clientSecret", "X-Api-Key", "AccountKey", "Set-Cookie"]
)
def test_a_secret_key_replaces_the_whole_value(key: str) -> None:
    assert is_secret_key(key)
    redacted = redact({key: "plain-looking-value", "nested": {key: {"deep": 1}}, "n": {key: 7}})
    assert redacted == {key: KEY, "nested": {key: KEY}, "n": {key: KEY}}


def test_true_false_and_none_under_a_secret_key_are_kept() -> None:
    # They cannot carry a secret, and tell support whether one was set.
    value = {"password": None, "client_secret": True, "token": False}
    assert redact(value) == value


@pytest.mark.parametrize(
    "key", ["client_id", "tenant_id", "author", "token_count", "passwordRequired", "keyName"]
)
def test_ordinary_key_names_are_kept(key: str) -> None:
    assert redact({key: "value", "n": {key: 3}}) == {key: "value", "n": {key: 3}}


def test_values_under_ordinary_keys_are_scanned() -> None:
    value = {"detail": "Authorization: Bearer abc.def", "url": "redis://:pw@cache:6379"}
    assert redact(value) == {
        "detail": f"Authorization: Bearer {placeholder('authorization')}",
        "url": f"redis://{placeholder('url-credentials')}@cache:6379",
    }


def test_nested_dicts_lists_and_tuples_are_walked() -> None:
    value = {
        "steps": [
            {"name": "auth step", "detail": "Bearer abc.def"},
            ["client_secret=x1", {"password": "p"}],
            ("tuple", "access_token=t1"),
        ],
        "ok": "nothing to hide",
    }
    assert redact(value) == {
        "steps": [
            {"name": "auth step", "detail": f"Bearer {placeholder('authorization')}"},
            [f"client_secret={KEY}", {"password": KEY}],
            ["tuple", f"access_token={KEY}"],
        ],
        "ok": "nothing to hide",
    }


def test_non_string_scalars_are_untouched() -> None:
    value = {"count": 14, "ratio": 0.5, "flag": True, "none": None, "items": [1, 2.5, False]}
    assert redact(value) == value
    for scalar in (0, 3.25, True, None):
        assert redact(scalar) is scalar


def test_redact_returns_a_copy_and_leaves_the_input_alone() -> None:
    original = {"password": "p", "list": ["Bearer abc1"]}
    snapshot = json.loads(json.dumps(original))
    redacted = redact(original)
    assert original == snapshot
    assert redacted is not original and redacted["list"] is not original["list"]


def test_keys_become_strings_so_the_result_is_json_safe() -> None:
    assert redact({1: "one", "two": 2}) == {"1": "one", "two": 2}


def test_redacting_a_structure_twice_changes_nothing() -> None:
    value = {"password": "p", "note": "Cookie: a=1", "deep": [{"x": "token=abc def"}]}
    once = redact(value)
    assert redact(once) == once


# --- e-mail addresses ------------------------------------------------------------------------


def test_third_party_emails_are_redacted_and_allowed_ones_kept() -> None:
    text = "Contact Owner@Contoso.example, cc mallory@evil.example and bob.smith+x@corp.co.uk"
    redacted = redact_text(text, allowed_emails=["owner@contoso.example"])
    assert redacted == f"Contact Owner@Contoso.example, cc {EMAIL} and {EMAIL}"


def test_emails_are_redacted_when_nothing_is_allowed() -> None:
    assert redact_text("owner@contoso.example") == EMAIL
    assert redact({"contact": "owner@contoso.example"}) == {"contact": EMAIL}


def test_allowed_emails_apply_inside_nested_structures() -> None:
    value = {"people": [{"mail": "me@corp.example"}, {"mail": "them@other.example"}]}
    redacted = redact(value, allowed_emails=("ME@corp.example",))
    assert redacted == {"people": [{"mail": "me@corp.example"}, {"mail": EMAIL}]}


def test_a_remembered_text_is_answered_for_its_own_allowed_addresses() -> None:
    # Short texts are remembered with their result: the same text under another set
    # of allowed addresses must not get the answer remembered for the first set.
    text = "Reply to remembered@contoso.example"
    assert redact_text(text) == f"Reply to {EMAIL}"
    assert redact_text(text, allowed_emails=["remembered@contoso.example"]) == text
    assert redact_text(text) == f"Reply to {EMAIL}"


def test_the_remembered_texts_are_kept_as_digests_never_as_text() -> None:
    secret = "Remember-me-not-0815"
    assert secret not in redact_text(f"password={secret}")
    remembered = scanner._remembered
    assert remembered, "short texts are remembered"
    for (digest, _allowed), result in remembered.items():
        assert isinstance(digest, bytes) and secret.encode() not in digest
        assert secret not in result


@pytest.mark.parametrize("padding", [0, 600])
def test_short_and_long_texts_are_redacted_alike(padding: int) -> None:
    # Texts over the remembered length take the direct path; both must redact.
    text = "x" * padding + " Authorization: Bearer abc.def.ghi-jkl"
    assert "abc.def.ghi-jkl" not in redact_text(text)
    assert redact_text(redact_text(text)) == redact_text(text)


# --- the planted demo secrets ----------------------------------------------------------------


class _CollectingSession:
    """Stands in for a database session: keeps what the seed adds, flushes nothing."""

    def __init__(self) -> None:
        self.rows: list[object] = []

    def add(self, row: object) -> None:
        self.rows.append(row)

    def add_all(self, rows) -> None:
        self.rows.extend(rows)

    def flush(self) -> None:
        pass


def _seeded_rows() -> list[object]:
    session = _CollectingSession()
    tenant = Tenant(id=1, workspace_id=1, name="Fabrikam")
    demo_seed._seed_tenant(session, tenant, actor_id=1, now=utcnow(), offset=0)
    return session.rows


def _seeded_texts() -> list[str]:
    """Every failure summary and connection error text the demo seed writes."""
    texts = []
    for row in _seeded_rows():
        if isinstance(row, OperationRun) and row.failure_summary:
            texts.append(row.failure_summary)
        if isinstance(row, ProviderConnection) and row.last_error:
            texts.append(row.last_error)
    return texts


def _seeded_payloads() -> list[dict]:
    return [r.raw_provider_payload for r in _seeded_rows() if isinstance(r, OperationRun)]


def test_the_seed_really_plants_every_secret_in_texts_and_payloads() -> None:
    # Guards the tests below: if the seed stopped planting secrets they would prove nothing.
    texts, payloads = " ".join(_seeded_texts()), _flatten(_seeded_payloads())
    for secret in PLANTED_SECRETS:
        assert secret in texts, secret
    for secret in (
        demo_seed.PLANTED_ACCESS_TOKEN,
        demo_seed.PLANTED_CLIENT_SECRET,
        demo_seed.PLANTED_STORAGE_ACCOUNT_KEY,
        demo_seed.PLANTED_PRIVATE_KEY_BODY,
        demo_seed.PLANTED_COOKIE_VALUE,
        demo_seed.PLANTED_ENV_CLIENT_SECRET,
        demo_seed.PLANTED_SAS_SIGNATURE,
    ):
        assert secret in payloads, secret
    assert set(demo_seed._FAILURES.values()) <= set(_seeded_texts())


def test_no_planted_secret_survives_in_seeded_failure_and_connection_texts() -> None:
    for text in _seeded_texts():
        _assert_no_planted_secret(redact_text(text))


def test_no_planted_secret_survives_in_seeded_raw_provider_payloads() -> None:
    payloads = _seeded_payloads()
    assert len(payloads) == 12
    for payload in payloads:
        redacted = redact(payload)
        _assert_no_planted_secret(_flatten(redacted))
        assert redacted["response"]["status"] == payload["response"]["status"]
        assert redacted["request"]["endpoint"] == payload["request"]["endpoint"]
        assert redacted["type"] == payload["type"]


def test_no_planted_secret_survives_when_a_payload_is_serialised_into_text() -> None:
    for payload in _seeded_payloads():
        for text in (json.dumps(payload), json.dumps(payload, indent=2), repr(payload)):
            _assert_no_planted_secret(redact_text(text))


def test_the_benign_seeded_failure_text_is_unchanged() -> None:
    text = demo_seed._FAILURES["restore"]
    assert redact_text(text) == text


# --- pairs in structures (second round) ----------------------------------------------------

NAME_VALUE = placeholder("name-value")
CLI_OPTION = placeholder("cli-option")


def test_a_value_paired_with_a_secret_name_is_replaced() -> None:
    settings = [
        {"name": "DB_PASSWORD", "slotSetting": False, "value": "NvDbPw1!"},
        {"key": "api_key", "value": {"nested": "NvPostman3"}, "type": "string"},
        {"name": "LOG_LEVEL", "value": "Information"},
        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db"}}},
    ]
    assert redact(settings) == [
        {"name": "DB_PASSWORD", "slotSetting": False, "value": NAME_VALUE},
        {"key": "api_key", "value": NAME_VALUE, "type": "string"},
        {"name": "LOG_LEVEL", "value": "Information"},
        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db"}}},
    ]


def test_a_key_vault_secret_bundle_loses_its_value_only() -> None:
    bundle = {
        "id": "https://kv-prod.vault.azure.net/secrets/sql-admin/0a1b2c",
        "value": "NvKv9pw!",
        "attributes": {"enabled": True, "expires": 1798761600},
    }
    assert redact(bundle) == {**bundle, "value": placeholder("key-vault-secret")}


def test_header_tuples_and_argv_lists_pair_the_secret_with_its_name() -> None:
    value = {
        "headers": [["X-Api-Key", "NvTuple7"], ("Accept", "application/json")],
        "argv": ["mysql", "-u", "root", "-pArgvGlued5", "crm"],
        "cmd": ["sshpass", "-p", "ArgvSsh2", "ssh", "host"],
        "restic": ["restic", "--password", "ArgvRestic3", "backup"],
        "harmless": ["mkdir", "-p", "/var/log/app"],
    }
    assert redact(value) == {
        "headers": [["X-Api-Key", NAME_VALUE], ["Accept", "application/json"]],
        "argv": ["mysql", "-u", "root", f"-p{CLI_OPTION}", "crm"],
        "cmd": ["sshpass", "-p", CLI_OPTION, "ssh", "host"],
        "restic": ["restic", "--password", CLI_OPTION, "backup"],
        "harmless": ["mkdir", "-p", "/var/log/app"],
    }
    assert redact(redact(value)) == redact(value)


def test_graph_credential_metadata_is_kept_and_only_the_secret_text_goes() -> None:
    application = {
        "passwordCredentials": [
            {
                "keyId": "9f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f",
                "hint": "Abc",
                "endDateTime": "2027-01-31T00:00:00Z",
                "secretText": "kR48Q~notKeptAnywhere",
            }
        ],
        "keyCredentials": [{"customKeyIdentifier": "52B3F1A0", "usage": "Verify"}],
    }
    redacted = redact(application)
    assert redacted["keyCredentials"] == application["keyCredentials"]
    entry = redacted["passwordCredentials"][0]
    assert entry["secretText"] == KEY
    assert entry["keyId"] == application["passwordCredentials"][0]["keyId"]
    assert entry["endDateTime"] == "2027-01-31T00:00:00Z"
