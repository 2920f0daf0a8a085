"""Every detector of the catalogue: what it removes, what it leaves, and its placeholder."""

from __future__ import annotations

import pytest

from support_app.services.redaction import CATALOGUE, placeholder, redact_text
from support_app.services.redaction.catalogue import looks_random

STORAGE_KEY = (
    "c3VwcG9ydF9hcHAgZGVtbzogZmFrZSBBenVyZSBzdG9yYWdlIGFjY291bnQga2V5LCBuZXZlciByZWFsISEhIQ=="
)
GITHUB = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
JWT_SIGNED = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl"
JWT_UNSIGNED = "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."


def R(name: str) -> str:
    """Short for ``placeholder``, so the expected texts read like the output."""
    return placeholder(name)


# detector name → (text, expected redacted text)
EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "private-key": [
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nq2x+Zz==\n"
            "-----END RSA PRIVATE KEY-----\nnext line",
            f"{R('private-key')}\nnext line",
        ),
        (
            '{"key": "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXk\\n'
            '-----END OPENSSH PRIVATE KEY-----"}',
            f'{{"key": "{R("private-key")}"}}',
        ),
        (
            "cut: -----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHzBJBgkqhkiG9w0B",
            f"cut: {R('private-key')}",
        ),
        (
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQdGBF\n-----END PGP PRIVATE KEY BLOCK-----",
            R("private-key"),
        ),
        (
            "private_key: -----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----",
            f"private_key: {R('private-key')}",
        ),
    ],
    "url-credentials": [
        (
            "postgresql://admin:db-pass-1@db.internal:5432/app",
            f"postgresql://{R('url-credentials')}@db.internal:5432/app",
        ),
        ("redis://:s3cret@cache:6379/0", f"redis://{R('url-credentials')}@cache:6379/0"),
        (
            "fetch https://alice:pa55@files.example/x failed",
            f"fetch https://{R('url-credentials')}@files.example/x failed",
        ),
        (
            "mongodb+srv://svc:p%40ss@cluster0.example.net/db",
            f"mongodb+srv://{R('url-credentials')}@cluster0.example.net/db",
        ),
    ],
    "authorization": [
        ("Authorization: Bearer abc.DEF-123_xyz~", f"Authorization: Bearer {R('authorization')}"),
        (
            "authorization: SharedKey myaccount:c2lnbmF0dXJl=",
            f"authorization: SharedKey {R('authorization')}",
        ),
        (
            "Proxy-Authorization: Basic dXNlcjpwYXNz",
            f"Proxy-Authorization: Basic {R('authorization')}",
        ),
        (
            "Authorization: Negotiate YIIBhwYGKwYBBQUCoIIBezCCAXeg",
            f"Authorization: Negotiate {R('authorization')}",
        ),
        ("AUTHORIZATION: opaque-token-only", f"AUTHORIZATION: {R('authorization')}"),
        (
            "{'Authorization': 'Bearer abc', 'Accept': 'application/json'}",
            f"{{'Authorization': 'Bearer {R('authorization')}', 'Accept': 'application/json'}}",
        ),
        ("header was bearer s3cr3tT0ken==", f"header was bearer {R('authorization')}"),
        (
            "SharedAccessSignature sr=sb%3A%2F%2Fns&sig=abc%3D&se=1735689600&skn=Root",
            f"SharedAccessSignature {R('authorization')}",
        ),
    ],
    "cookie": [
        ("Cookie: esctx=abc; x-ms-gateway-slice=estsfd", f"Cookie: {R('cookie')}"),
        ("Set-Cookie: sa_session=xyz; HttpOnly; Path=/", f"Set-Cookie: {R('cookie')}"),
        ('"cookie": "a=1; b=2", "x": 1', f'"cookie": "{R("cookie")}", "x": 1'),
    ],
    "connection-string": [
        (
            "DefaultEndpointsProtocol=https;AccountName=acc;AccountKey=abc+def==;"
            "EndpointSuffix=core.windows.net",
            f"DefaultEndpointsProtocol=https;AccountName=acc;AccountKey={R('connection-string')};"
            "EndpointSuffix=core.windows.net",
        ),
        (
            "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
            "SharedAccessKey=xyz+abc=",
            "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
            f"SharedAccessKey={R('connection-string')}",
        ),
        (
            "Server=tcp:sql.example,1433;Database=db;User ID=sa;Password=p@ss w0rd;Encrypt=True",
            f"Server=tcp:sql.example,1433;Database=db;User ID=sa;Password={R('connection-string')};"
            "Encrypt=True",
        ),
        (
            "Driver={ODBC Driver 18};Server=x;Uid=sa;Pwd={p;w d};",
            f"Driver={{ODBC Driver 18}};Server=x;Uid=sa;Pwd={R('connection-string')};",
        ),
        ("Password=first-pair;Server=x", f"Password={R('connection-string')};Server=x"),
    ],
    "secret-key": [
        ("access_token=abc123XYZ&state=1", f"access_token={R('secret-key')}&state=1"),
        ("DB_PASSWORD=hunter2", f"DB_PASSWORD={R('secret-key')}"),
        ("GITHUB_TOKEN=short-one", f"GITHUB_TOKEN={R('secret-key')}"),
        ("export AZURE_CLIENT_SECRET='x y'", f"export AZURE_CLIENT_SECRET='{R('secret-key')}'"),
        ("pass=hunter2 expired", f"pass={R('secret-key')} expired"),
        ("Passwort: mein geheimes Haus.", f"Passwort: {R('secret-key')}."),
        ("Kennwort=Sommer2026", f"Kennwort={R('secret-key')}"),
        ("password: correct horse battery staple", f"password: {R('secret-key')}"),
        ("x-api-key: k-123456", f"x-api-key: {R('secret-key')}"),
        ("Ocp-Apim-Subscription-Key: 0123abcd", f"Ocp-Apim-Subscription-Key: {R('secret-key')}"),
        (
            '{"access_token": "json-tok-1", "expires_in": 3600}',
            f'{{"access_token": "{R("secret-key")}", "expires_in": 3600}}',
        ),
        (
            "https://x.example/c?sv=2022-11-02&sig=abc%2Bdef%3D&se=2026",
            f"https://x.example/c?sv=2022-11-02&sig={R('secret-key')}&se=2026",
        ),
        ("--password=hunter2 --user=x", f"--password={R('secret-key')} --user=x"),
        (
            "redirect_uri=https%3A%2F%2Fapp%2Fcb%3Faccess_token%3Dabc123%26state%3D1",
            f"redirect_uri=https%3A%2F%2Fapp%2Fcb%3Faccess_token%3D{R('secret-key')}",
        ),
        ("x-functions-key: k3yV4lue", f"x-functions-key: {R('secret-key')}"),
        ('$env:DB_PASSWORD = "x"', f'$env:DB_PASSWORD = "{R("secret-key")}"'),
        ("auth=abc1; retry", f"auth={R('secret-key')}; retry"),
        (  # not swallowed by the entropy rule of the "token" before it
            "POST https://login.example/oauth2/token new_password=00A*0000",
            f"POST https://login.example/oauth2/token new_password={R('secret-key')}",
        ),
        ("secret: Winter2026", f"secret: {R('secret-key')}"),
        ("pass: sunshine", f"pass: {R('secret-key')}"),  # a password may be a word
        (
            "Export failed (access_token=abc.def.ghi). Retry later; client_secret=s3cr3t.",
            f"Export failed (access_token={R('secret-key')}). Retry later; "
            f"client_secret={R('secret-key')}.",
        ),
    ],
    "secret-element": [
        ("<Password>hunter2</Password>", f"<Password>{R('secret-element')}</Password>"),
        (
            "<ClientSecret>abc def</ClientSecret>",
            f"<ClientSecret>{R('secret-element')}</ClientSecret>",
        ),
    ],
    "jwt": [
        (f"token {JWT_SIGNED} rejected", f"token {R('jwt')} rejected"),
        (f"unsigned {JWT_UNSIGNED} accepted", f"unsigned {R('jwt')} accepted"),
        (f"[{JWT_SIGNED}]", f"[{R('jwt')}]"),
    ],
    "github-token": [
        (f"GITHUB {GITHUB} found", f"GITHUB {R('github-token')} found"),
        (
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzAB",
            R("github-token"),
        ),
        (
            f"git clone https://{GITHUB}@github.com/org/repo",
            f"git clone https://{R('github-token')}@github.com/org/repo",
        ),
    ],
    "gitlab-token": [("use glpat-AbCdEfGhIjKlMnOpQrSt12 now", f"use {R('gitlab-token')} now")],
    "slack-token": [
        ("xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp", R("slack-token")),
        (
            "posted to https://hooks.slack.com/services/T0000AAAA/B0000BBBB/XXXXyyyyZZZZ",
            f"posted to https://hooks.slack.com/services/{R('slack-token')}",
        ),
    ],
    "stripe-key": [
        ("sk_live_" + "a1B2c3D4e5F6g7H8i9J0k1L2", R("stripe-key")),
        ("rk_test_" + "a1B2c3D4e5F6g7H8i9J0k1L2", R("stripe-key")),
        ("whsec_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3", R("stripe-key")),
    ],
    "google-credential": [
        ("AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", R("google-credential")),
        ("GOCSPX-" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4", R("google-credential")),
        ("ya29.a0AfH6SMBx1y2z3A4B5C6D7E8F9", R("google-credential")),
    ],
    "aws-access-key-id": [("id AKIAIOSFODNN7EXAMPLE used", f"id {R('aws-access-key-id')} used")],
    "azure-client-secret": [
        ("abc8Q~abcdefghijklmnopqrstuvwxyz12345", R("azure-client-secret")),
        ("secret (kR48Q~demoFakeEntraClientSecret0123456)", f"secret ({R('azure-client-secret')})"),
    ],
    "azure-storage-key": [
        (f'{{"value": "{STORAGE_KEY}"}}', f'{{"value": "{R("azure-storage-key")}"}}')
    ],
    "sendgrid-key": [
        ("SG." + "a" * 22 + "." + "B" * 43, R("sendgrid-key")),
    ],
    "npm-token": [("npm_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", R("npm-token"))],
    "pypi-token": [("pypi-AgEIcHlwaS5vcmc" + "x1" * 30, R("pypi-token"))],
    "openai-key": [("sk-proj-" + "a1B2c3D4e5F6g7H8i9J0k1L2", R("openai-key"))],
    "high-entropy": [
        (
            "client secret Xy7QwErTy12345AbCdEf was used",
            f"client secret {R('high-entropy')} was used",
        ),
        (
            "AccountKey is Q2xpZW50U2VjcmV0MTIzNDU2Nzg5",
            f"AccountKey is {R('high-entropy')}",
        ),
    ],
    "cli-credentials": [
        (
            "curl -u admin:S3cret! https://api.example/v1",
            f"curl -u admin:{R('cli-credentials')} https://api.example/v1",
        ),
        (
            'curl --user "svc:pass phrase" -X POST',
            f'curl --user "svc:{R("cli-credentials")}" -X POST',
        ),
        ("wget --user=bob:hunter2 http://h", f"wget --user=bob:{R('cli-credentials')} http://h"),
        ("curl -U proxy:pr0xyPw http://h", f"curl -U proxy:{R('cli-credentials')} http://h"),
        (
            "curl --proxy-user 'p:x1' http://h",
            f"curl --proxy-user 'p:{R('cli-credentials')}' http://h",
        ),
    ],
    "email": [
        ("cc mallory@evil.example please", f"cc {R('email')} please"),
        ("bob.smith+x@corp.co.uk", R("email")),
    ],
}

EXAMPLE_CASES = [
    (name, text, expected) for name, cases in EXAMPLES.items() for text, expected in cases
]

# Near misses: each looks like a detector's form and must stay exactly as it is.
UNCHANGED = [
    "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----",
    "https://graph.microsoft.com/v1.0/users?$top=10&$select=id,displayName",
    "see https://user@docs.example/guide",  # a user name alone is no credential
    "Basic authentication is disabled for this tenant.",
    "Bearer tokens are rejected by the gateway.",
    "The authorization server is unavailable; Authorization failed.",
    'WWW-Authenticate: Bearer realm="", error="invalid_token"',
    "Cookies are disabled in the browser.",
    "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
    "EntityPath=queue",
    "Provider throttled after 3 retries; giving up.",
    "token_count=5, author: Jane, passenger=2, keyboard: de, status: 401",
    "token: expired, session: active, InvalidSignature: The token has an invalid signature",
    "passwordRequired: true; password_expiry: 2026-12-01; SharedAccessKeyName=Root",
    "authority: https://login.microsoftonline.com/common",
    "<PasswordRequired>true</PasswordRequired><Author>x</Author>",
    "eyJust kidding",
    "note: access_token=[redacted:sec",  # a placeholder cut short by a length bound
    "gh_pr_12 and ghp_short",
    "AKIA is a prefix, AKIAshort too",
    "task-abcdefghijklmnopqrstuvwxyz is done",
    "session 01JD8X5V3T6Q2W4R7Y9Z0A1B2C started",
    "token 2f0e0b1c-8d6a-4b0e-9d3e-6f1a2b3c4d5e issued",
    "The password was reset and the key vault access policy updated.",
    "Token refresh failed (AADSTS700082); check the client secret in the app registration.",
    "Restore stopped: 2 of 14 policies could not be written (conflicting assignment).",
    "curl -u admin https://api.example/v1",  # curl asks for the password
    "pip install -U requests; docker run -u 1000:1000 image; re-use -u: none",
]


def test_every_detector_has_examples_and_a_summary() -> None:
    names = [d.name for d in CATALOGUE]
    assert len(names) == len(set(names))
    assert set(EXAMPLES) == set(names)
    for detector in CATALOGUE:
        assert detector.summary and detector.triggers


@pytest.mark.parametrize(("name", "text", "expected"), EXAMPLE_CASES)
def test_detector_removes_its_form(name: str, text: str, expected: str) -> None:
    redacted = redact_text(text)
    assert redacted == expected
    assert R(name) in redacted


@pytest.mark.parametrize(("name", "text", "expected"), EXAMPLE_CASES)
def test_redacting_twice_changes_nothing(name: str, text: str, expected: str) -> None:
    once = redact_text(text)
    assert redact_text(once) == once


@pytest.mark.parametrize("text", UNCHANGED)
def test_near_misses_are_left_alone(text: str) -> None:
    assert redact_text(text) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Xy7QwErTy12345AbCdEf", True),
        ("Q2xpZW50U2VjcmV0MTIzNDU2Nzg5", True),
        ("short1Aa", False),
        ("01JD8X5V3T6Q2W4R7Y9Z0A1B2C", False),  # ULID: no lower case
        ("2f0e0b1c-8d6a-4b0e-9d3e-6f1a2b3c4d5e", False),  # UUID: no upper case
        ("Aa1Aa1Aa1Aa1Aa1Aa1Aa1", False),  # all classes, but repetitive
        ("re-authentication-flow", False),
    ],
)
def test_looks_random(value: str, expected: bool) -> None:
    assert looks_random(value) is expected


def test_every_placeholder_names_its_detector() -> None:
    assert R("jwt") == "[redacted:jwt]"
    assert R("connection-string") == "[redacted:connection-string]"
