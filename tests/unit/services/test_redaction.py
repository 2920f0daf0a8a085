"""Redactor: secrets go by key name and by value shape; everything else stays as it is."""

from __future__ import annotations

import json

import pytest

from support_app.models import OperationRun, ProviderConnection, Tenant
from support_app.models.clock import utcnow
from support_app.services import demo_seed
from support_app.services.demo_seed import PLANTED_ACCESS_TOKEN, PLANTED_CLIENT_SECRET
from support_app.services.redaction import REDACTED, is_secret_key, redact, redact_text

# Every fake secret the demo seed plants in failure texts, payloads and connection errors.
PLANTED_SECRETS = (
    PLANTED_ACCESS_TOKEN,
    PLANTED_CLIENT_SECRET,
    "Winter2026!",
    "rt-demo-9f8e7d",
)


def _flatten(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _assert_no_planted_secret(text: str) -> None:
    for secret in PLANTED_SECRETS:
        assert secret not in text
    # No recognisable fragment of the JWT survives either.
    for part in PLANTED_ACCESS_TOKEN.split("."):
        assert part not in text


# --- secrets by key name ---------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "Password",
        "passwd",
        "new_password",
        "secret",
        "client_secret",
        "clientSecret",
        "access_token",
        "refresh_token",
        "id_token",
        "token",
        "api_key",
        "api-key",
        "apikey",
        "X-Api-Key",
        "Authorization",
        "authorisation",
        "Cookie",
        "Set-Cookie",
        "credentials",
        "private_key",
        "session",
        "session_id",
        "signature",
    ],
)
def test_secret_key_names_replace_the_whole_value(key: str) -> None:
    assert is_secret_key(key)
    redacted = redact({key: "plain-looking-value", "nested": {key: {"deep": 1}}})
    assert redacted == {key: REDACTED, "nested": {key: REDACTED}}


@pytest.mark.parametrize(
    "key", ["client_id", "tenant_id", "type", "outcome", "status", "summary", "endpoint"]
)
def test_ordinary_key_names_are_kept(key: str) -> None:
    assert not is_secret_key(key)
    assert redact({key: "value"}) == {key: "value"}


# --- secrets by value shape ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer abc.DEF-123_xyz~", "abc.DEF-123_xyz~"),
        ("header was bearer s3cr3tT0ken==", "s3cr3tT0ken=="),
        ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
        (f"token {PLANTED_ACCESS_TOKEN} rejected", PLANTED_ACCESS_TOKEN),
        ("access_token=abc123XYZ&state=1", "abc123XYZ"),
        ("refresh_token=rt-77 expired", "rt-77"),
        ("id_token: tok-99", "tok-99"),
        ("client_secret=cs-42; retrying", "cs-42"),
        ("CLIENT_SECRET = 'quoted secret'", "quoted secret"),
        ('password="with spaces inside"', "with spaces inside"),
        ("password=Hunter2!", "Hunter2!"),
        ("pwd: hunter2", "hunter2"),
        ("api_key=AKIA1234567890", "AKIA1234567890"),
        ("X-Api-Key: k-123456", "k-123456"),
        ("https://cb.example/?code=1&access_token=tok-in-url&state=2", "tok-in-url"),
        ("postgresql://admin:db-pass-1@db.internal:5432/app", "db-pass-1"),
        ("fetch https://alice:pa55@files.example/x failed", "pa55"),
        ('upstream said {"access_token": "json-tok-1", "expires_in": 3600}', "json-tok-1"),
        ("payload {'client_secret': 'repr-secret-2'}", "repr-secret-2"),
    ],
)
def test_secret_shaped_values_are_redacted(text: str, secret: str) -> None:
    redacted = redact_text(text)
    assert secret not in redacted
    assert REDACTED in redacted


def test_redaction_keeps_the_surrounding_text() -> None:
    redacted = redact_text("Sync failed: client_secret=cs-1 was rejected by the provider.")
    assert redacted == f"Sync failed: client_secret={REDACTED} was rejected by the provider."
    assert redact_text("Authorization: Bearer abc") == f"Authorization: Bearer {REDACTED}"


def test_url_without_credentials_is_kept() -> None:
    url = "https://graph.example/beta/deviceManagement?$top=10"
    assert redact_text(url) == url


def test_third_party_emails_are_redacted_and_allowed_ones_kept() -> None:
    text = "Contact Owner@Contoso.example, cc mallory@evil.example and bob.smith+x@corp.co.uk"
    redacted = redact_text(text, allowed_emails=["owner@contoso.example"])
    assert "Owner@Contoso.example" in redacted
    assert "mallory@evil.example" not in redacted
    assert "bob.smith+x@corp.co.uk" not in redacted
    assert redacted.count(REDACTED) == 2


def test_emails_are_redacted_when_nothing_is_allowed() -> None:
    assert redact_text("owner@contoso.example") == REDACTED
    assert redact({"contact": "owner@contoso.example"}) == {"contact": REDACTED}


def test_allowed_emails_apply_inside_nested_structures() -> None:
    value = {"people": [{"mail": "me@corp.example"}, {"mail": "them@other.example"}]}
    redacted = redact(value, allowed_emails=("me@corp.example",))
    assert redacted == {"people": [{"mail": "me@corp.example"}, {"mail": REDACTED}]}


def test_text_without_secrets_is_unchanged() -> None:
    text = "Restore stopped: 2 of 14 policies could not be written (conflicting assignment)."
    assert redact_text(text) == text


# --- structure ---------------------------------------------------------------------------


def test_nested_dicts_and_lists_are_walked() -> None:
    value = {
        "steps": [
            {"name": "auth", "detail": "Bearer abc.def"},
            ["client_secret=x1", {"password": "p"}],
            ("tuple", "access_token=t1"),
        ],
        "ok": "nothing to hide",
    }
    assert redact(value) == {
        "steps": [
            {"name": "auth", "detail": f"Bearer {REDACTED}"},
            [f"client_secret={REDACTED}", {"password": REDACTED}],
            ["tuple", f"access_token={REDACTED}"],
        ],
        "ok": "nothing to hide",
    }


def test_non_string_scalars_are_untouched() -> None:
    value = {"count": 14, "ratio": 0.5, "flag": True, "none": None, "items": [1, 2.5, False]}
    assert redact(value) == value
    for scalar in (0, 3.25, True, None):
        assert redact(scalar) is scalar


def test_redact_returns_a_copy_and_leaves_the_input_alone() -> None:
    original = {"password": "p", "list": ["Bearer abc"]}
    snapshot = json.loads(json.dumps(original))
    redacted = redact(original)
    assert original == snapshot
    assert redacted is not original and redacted["list"] is not original["list"]


def test_keys_become_strings_so_the_result_is_json_safe() -> None:
    assert redact({1: "one", "two": 2}) == {"1": "one", "two": 2}


# --- the planted demo secrets ----------------------------------------------------------


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


def test_the_seed_really_plants_the_secrets() -> None:
    # Guards the tests below: if the seed stopped planting secrets they would prove nothing.
    joined = " ".join(_seeded_texts()) + _flatten(_seeded_payloads())
    for secret in PLANTED_SECRETS:
        assert secret in joined
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
        assert redacted["response"] == payload["response"]
        assert redacted["request"]["endpoint"] == payload["request"]["endpoint"]
        assert redacted["type"] == payload["type"]


def test_no_planted_secret_survives_when_a_payload_is_serialised_into_text() -> None:
    for payload in _seeded_payloads():
        for text in (json.dumps(payload), repr(payload)):
            _assert_no_planted_secret(redact_text(text))


def test_redaction_keeps_the_surrounding_sentence_intact() -> None:
    text = "Export failed (access_token=abc.def.ghi). Retry later; client_secret=s3cr3t."
    assert redact_text(text) == (
        "Export failed (access_token=[redacted]). Retry later; client_secret=[redacted]."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Token refresh failed: refresh_token=rt-demo-9f8e7d expired (AADSTS700082).",
        "Export failed (access_token=abc.def.ghi). Retry later; client_secret=s3cr3t.",
        "Authorization: Bearer abc123 and https://user:pw@host/path",
    ],
)
def test_redacting_twice_changes_nothing(text: str) -> None:
    once = redact_text(text)
    assert redact_text(once) == once
    assert redact({"detail": once}) == {"detail": once}
