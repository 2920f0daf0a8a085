"""A fixed corpus of realistic provider error bodies and HTTP dumps, with expected output.

``corpus/<name>`` is what a provider (Microsoft Graph, Entra ID, Intune, Azure
Storage, Service Bus, SQL) or an HTTP client log really looks like; the file of the
same name in ``corpus/expected/`` is the reviewed redacted text. The secrets each
input holds are also listed here, so a wrong expected file cannot hide a leak, and
the two bodies without secrets must come out unchanged.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support_app.services.redaction import redact_text

CORPUS = Path(__file__).parent / "corpus"
ALLOWED = ("support@contoso.example",)  # the requester's own desk stays readable

SECRETS: dict[str, tuple[str, ...]] = {
    "graph_invalid_token.json": (),
    "entra_invalid_client_secret.json": (),
    "entra_token_request_dump.txt": (
        "M2YyZTFkMGM6a1I0OFF+ZGVtb0Zha2U=",
        "AkRxDemoFpc0123456789",
        "kR48Q~demoFakeEntraClientSecret0123456",
        "AkRxNewDemoFpc987654",
    ),
    "intune_export_upload_error.json": (
        "dEm0IntuneSasSig%2Fabc%2BXyZ%3D",
        "c3VwcG9ydF9hcHAgZGVtbzogZmFrZSBBenVyZSBzdG9yYWdlIGFjY291bnQga2V5LCBuZXZlciByZWFsISEhIQ==",
    ),
    "graph_batch_echo.json": (
        "ZGVtby1zaWduYXR1cmU",
        "eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20ifQ",
        "demo-apim-key-4711",
    ),
    "service_bus_and_sql_errors.log": (
        "dEm0ServiceBusKey0123456789abcdefGHIJKLMN=",
        "Sommer 2026 Haus!",
        "Haus!",
        "Winter2026!",
        "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
        "cache-pw-0815",
    ),
    "storage_auth_failed.xml": (
        "c3VwcG9ydF9hcHAgZGVtbzogZmFrZSBBenVyZSBzdG9yYWdlIGFjY291bnQga2V5LCBuZXZlciByZWFsISEhIQ==",
    ),
    "certificate_credential_error.txt": (
        "demoFakeRsaKeyMaterialLine1",
        "dEm0FakeRsaKeyMaterialLine2",
        "eyJhbGciOiJSUzI1NiIsIng1dCI6ImRlbW8ifQ",
        "c2lnbmF0dXJlLWRlbW8",
        "admin@fabrikam.example",
    ),
}
# Must survive: what support needs to read in these bodies.
KEPT: dict[str, tuple[str, ...]] = {
    "entra_token_request_dump.txt": (
        "client_id=3f2e1d0c-9b8a-4c7d-a6e5-f4d3c2b1a098",
        "HTTP/1.1 401 Unauthorized",
        'WWW-Authenticate: Bearer realm="", error="invalid_client"',
        "x-ms-request-id: 8d7c6b5a-4e3f-4a2b-9c1d-0e9f8a7b6c5d",
    ),
    "intune_export_upload_error.json": ("AccountName=tenantpilotexports", "sv=2019-02-02&sr=b"),
    "graph_batch_echo.json": ('"passwordRequired":true', '"passwordMinimumLength":12'),
    "service_bus_and_sql_errors.log": (
        "SharedAccessKeyName=RootManageSharedAccessKey",
        "InvalidSignature: The token has an invalid signature.",
        "User ID=tp_reader",
        "SR-01JD8X5V3T6Q2W4R7Y9Z0A1B2C and ticket #4711",
    ),
    "certificate_credential_error.txt": ("AADSTS700027", "support@contoso.example"),
}


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_the_corpus_lists_every_file() -> None:
    names = {p.name for p in CORPUS.iterdir() if p.is_file()}
    assert names == set(SECRETS)
    assert names == {p.name for p in (CORPUS / "expected").iterdir()}


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_corpus_body_redacts_to_the_reviewed_output(name: str) -> None:
    original = _read(CORPUS / name)
    redacted = redact_text(original, allowed_emails=ALLOWED)
    assert redacted == _read(CORPUS / "expected" / name)
    for secret in SECRETS[name]:
        assert secret in original  # the list is about this body
        assert secret not in redacted
    for kept in KEPT.get(name, ()):
        assert kept in redacted
    if not SECRETS[name]:
        assert redacted == original
    assert redact_text(redacted, allowed_emails=ALLOWED) == redacted
