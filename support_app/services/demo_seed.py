"""Demo data: two workspaces, four tenants, users of every role and a run history.

Idempotent: a database that already holds the "Contoso MSP" workspace is left as it
is. Timestamps are laid out backwards from the seeding moment so the dashboard
always shows a recent history. Failed runs carry a raw provider payload and a
failure text, and a provider connection an error text, with planted fake secrets
in the forms MSP platforms meet (tokens, an Azure storage connection string, a PEM
private key, a Cookie header, an env-style secret, a SAS URL): support context,
diagnostics, audit metadata and the desk ticket must never leak them. Every planted
value is listed in ``PLANTED_SECRETS``, which the tests check against.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from support_app.models import (
    AuditLog,
    Finding,
    OperationRun,
    ProviderConnection,
    Report,
    Review,
    Tenant,
    TenantMembership,
    User,
    Workspace,
    WorkspaceMembership,
)
from support_app.models.clock import utcnow
from support_app.services.passwords import hash_password

DEMO_PASSWORD = "demo-Passw0rd!"
PLANTED_ACCESS_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZW1vLXNlY3JldCJ9.c2VjcmV0LXNpZ25hdHVyZQ"
PLANTED_CLIENT_SECRET = "demo-client-secret-7Q9x"
PLANTED_PASSWORD = "Winter2026!"
PLANTED_REFRESH_TOKEN = "rt-demo-9f8e7d"
PLANTED_STORAGE_ACCOUNT_KEY = (
    "c3VwcG9ydF9hcHAgZGVtbzogZmFrZSBBenVyZSBzdG9yYWdlIGFjY291bnQga2V5LCBuZXZlciByZWFsISEhIQ=="
)
PLANTED_PRIVATE_KEY_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDdemoFakeKeyBody"
PLANTED_COOKIE_VALUE = "PAQABAAEAAAD-demo-esctx-cookie-4711"
PLANTED_ENV_CLIENT_SECRET = "kR48Q~demoFakeEntraClientSecret0123456"
PLANTED_SAS_SIGNATURE = "dEm0FakeSasSignature%2BXyZ%3D"
# Every fake secret the seed plants; none may appear in anything support receives.
PLANTED_SECRETS = (
    PLANTED_ACCESS_TOKEN,
    PLANTED_CLIENT_SECRET,
    PLANTED_PASSWORD,
    PLANTED_REFRESH_TOKEN,
    PLANTED_STORAGE_ACCOUNT_KEY,
    PLANTED_PRIVATE_KEY_BODY,
    PLANTED_COOKIE_VALUE,
    PLANTED_ENV_CLIENT_SECRET,
    PLANTED_SAS_SIGNATURE,
)

_STORAGE_CONNECTION_STRING = (
    "DefaultEndpointsProtocol=https;AccountName=fabrikambackup;"
    f"AccountKey={PLANTED_STORAGE_ACCOUNT_KEY};EndpointSuffix=core.windows.net"
)
_PRIVATE_KEY = f"-----BEGIN PRIVATE KEY-----\n{PLANTED_PRIVATE_KEY_BODY}\n-----END PRIVATE KEY-----"
_SAS_URL = (
    "https://fabrikamexports.blob.core.windows.net/intune/export.zip"
    f"?sv=2022-11-02&sr=b&sp=cw&se=2026-12-31T00%3A00%3A00Z&sig={PLANTED_SAS_SIGNATURE}"
)
_COOKIE_HEADER = f"esctx={PLANTED_COOKIE_VALUE}; x-ms-gateway-slice=estsfd"

DEMO_USERS = {
    "owner@contoso.example": "Olivia Owner",
    "operator@contoso.example": "Oscar Operator",
    "readonly@contoso.example": "Rita Readonly",
    "outsider@litware.example": "Lars Litware",
}

_RUN_PLAN = (
    ("inventory_sync", "succeeded"),
    ("policy_backup", "failed"),
    ("drift_check", "succeeded"),
    ("restore", "partially_succeeded"),
    ("inventory_sync", "failed"),
    ("policy_backup", "succeeded"),
    ("drift_check", "succeeded"),
    ("inventory_sync", "succeeded"),
    ("restore", "failed"),
    ("policy_backup", "succeeded"),
    ("drift_check", "partially_succeeded"),
    ("inventory_sync", "succeeded"),
)

_FAILURES = {
    "policy_backup": "Graph request failed with 401 Unauthorized while exporting"
    f" configuration policies (access_token={PLANTED_ACCESS_TOKEN})."
    f" Backup target {_STORAGE_CONNECTION_STRING} was not written.",
    "inventory_sync": "Provider throttled the inventory sync (429) after 3 retries;"
    f" client_secret={PLANTED_CLIENT_SECRET} was rejected on re-authentication.\n"
    "GET https://graph.microsoft.com/beta/deviceManagement/managedDevices HTTP/1.1\n"
    f"Cookie: {_COOKIE_HEADER}",
    "drift_check": "Drift check incomplete: baseline snapshot unreadable"
    f" (password={PLANTED_PASSWORD} found in legacy script parameters was not applied)."
    f" Script environment: AZURE_CLIENT_SECRET={PLANTED_ENV_CLIENT_SECRET}\n"
    f"Signing certificate rejected:\n{_PRIVATE_KEY}",
    "restore": "Restore stopped: 2 of 14 policies could not be written (conflicting assignment).",
}


def _run_payload(run_type: str, outcome: str) -> dict:
    failed = outcome == "failed"
    return {
        "request": {
            "endpoint": "https://graph.example/beta/deviceManagement",
            "headers": {
                "Authorization": f"Bearer {PLANTED_ACCESS_TOKEN}",
                "Cookie": _COOKIE_HEADER,
            },
            "environment": f"AZURE_CLIENT_SECRET={PLANTED_ENV_CLIENT_SECRET}",
        },
        "response": {
            "status": 401 if failed else 200,
            "items": 14,
            "error": (
                {
                    "code": "InvalidAuthenticationToken",
                    "message": f"Certificate credential rejected: {_PRIVATE_KEY}",
                }
                if failed
                else None
            ),
        },
        "credentials": {"client_id": "demo-client", "client_secret": PLANTED_CLIENT_SECRET},
        "export_target": {"storage": _STORAGE_CONNECTION_STRING, "upload_url": _SAS_URL},
        "type": run_type,
    }


def seed_demo(session: Session) -> bool:
    """Create the demo data once. Returns False when it was already there."""
    if session.exec(select(Workspace).where(Workspace.name == "Contoso MSP")).first():
        return False
    now = utcnow()
    password_hash = hash_password(DEMO_PASSWORD)
    users = {
        email: User(email=email, display_name=name, password_hash=password_hash)
        for email, name in DEMO_USERS.items()
    }
    contoso, litware = Workspace(name="Contoso MSP"), Workspace(name="Litware")
    session.add_all([*users.values(), contoso, litware])
    session.flush()
    tenants = {
        name: Tenant(workspace_id=ws.id, name=name)
        for name, ws in (
            ("Fabrikam", contoso),
            ("Northwind", contoso),
            ("Adatum", contoso),
            ("Tailspin", litware),
        )
    }
    session.add_all(tenants.values())
    session.flush()

    memberships = [
        WorkspaceMembership(workspace_id=contoso.id, user_id=users[e].id, role=r)
        for e, r in (
            ("owner@contoso.example", "owner"),
            ("operator@contoso.example", "member"),
            ("readonly@contoso.example", "member"),
        )
    ]
    memberships.append(
        WorkspaceMembership(
            workspace_id=litware.id, user_id=users["outsider@litware.example"].id, role="owner"
        )
    )
    entitlements = [
        ("owner@contoso.example", "Fabrikam", "owner"),
        ("owner@contoso.example", "Northwind", "owner"),
        ("owner@contoso.example", "Adatum", "owner"),
        ("operator@contoso.example", "Fabrikam", "operator"),
        ("operator@contoso.example", "Northwind", "operator"),
        ("readonly@contoso.example", "Fabrikam", "readonly"),
        ("outsider@litware.example", "Tailspin", "owner"),
    ]
    session.add_all(memberships)
    session.add_all(
        TenantMembership(tenant_id=tenants[t].id, user_id=users[e].id, role=r)
        for e, t, r in entitlements
    )
    for index, tenant in enumerate(tenants.values()):
        owner = (
            "owner@contoso.example"
            if tenant.workspace_id == contoso.id
            else "outsider@litware.example"
        )
        _seed_tenant(session, tenant, users[owner].id, now, index)
    session.flush()
    return True


def _seed_tenant(session: Session, tenant: Tenant, actor_id: int, now, offset: int) -> None:
    session.add_all(
        [
            ProviderConnection(
                tenant_id=tenant.id,
                provider="microsoft_graph",
                display_name="Microsoft Graph",
                status="healthy",
                last_checked_at=now - timedelta(minutes=12 + offset),
            ),
            ProviderConnection(
                tenant_id=tenant.id,
                provider="intune_export",
                display_name="Intune export",
                status="degraded",
                last_checked_at=now - timedelta(minutes=40 + offset),
                last_error=f"Token refresh failed: refresh_token={PLANTED_REFRESH_TOKEN} expired"
                f" (AADSTS700082). Upload to {_SAS_URL} was refused (403).",
            ),
        ]
    )
    runs = []
    for i, (run_type, outcome) in enumerate(_RUN_PLAN):
        started = now - timedelta(hours=2 * (len(_RUN_PLAN) - i) + offset, minutes=7 * i)
        failed = outcome != "succeeded"
        runs.append(
            OperationRun(
                tenant_id=tenant.id,
                type=run_type,
                status="completed",
                outcome=outcome,
                started_at=started,
                finished_at=started + timedelta(minutes=3 + i),
                failure_summary=_FAILURES[run_type] if failed else None,
                raw_provider_payload=_run_payload(run_type, outcome),
                created_at=started,
            )
        )
    session.add_all(runs)
    session.add_all(
        Finding(tenant_id=tenant.id, severity=sev, status=status, title=title, created_at=now)
        for sev, status, title in (
            ("critical", "open", "Conditional access policy excludes all admins"),
            ("high", "open", "Legacy authentication still enabled"),
            ("high", "open", "Backup of compliance policies older than 7 days"),
            ("medium", "open", "Device naming template not applied"),
            ("low", "resolved", "Stale test device in inventory"),
        )
    )
    session.add(
        Review(
            tenant_id=tenant.id,
            title=f"Quarterly security review — {tenant.name}",
            status="in_progress",
            created_at=now - timedelta(days=3),
        )
    )
    session.add(
        Report(
            tenant_id=tenant.id,
            title=f"Monthly posture report — {tenant.name}",
            status="published",
            created_at=now - timedelta(days=1),
        )
    )
    session.flush()
    for run in runs:
        session.add(
            AuditLog(
                workspace_id=tenant.workspace_id,
                tenant_id=tenant.id,
                actor_user_id=actor_id,
                action="operation_run.completed",
                subject_type="operation_run",
                subject_id=str(run.id),
                metadata_json={"type": run.type, "outcome": run.outcome},
                created_at=run.finished_at,
            )
        )
