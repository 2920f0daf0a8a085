"""What the operator drills share: the app they drive, and how an operator signs in,
opens the dialog and reads what was stored (the fixtures live in ``conftest``)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from support_app.db import create_db_engine
from support_app.models import AuditLog, SupportRequest, Tenant
from support_app.services.demo_seed import DEMO_PASSWORD
from support_app.services.support_desk.emulator import CONTROL_TOKEN_HEADER
from tests.resilience.processes import supervisor_running, workers_of
from tests.running_app import DESK_CONTROL_TOKEN, REPO

REFERENCE = re.compile(r"^SR-[0-9A-HJKMNP-TV-Z]{26}$")
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
OPERATOR = "operator@contoso.example"


@dataclass(frozen=True)
class OperatorApp:
    """The full production build (frontend too) on the lane's own services."""

    url: str
    desk: str
    database: str
    log: Path

    def log_lines(self) -> int:
        return len(self.log.read_bytes().splitlines())

    def workers(self) -> list[int]:
        port = self.url.rsplit(":", 1)[1]
        return workers_of(supervisor_running(f"--frontend-port {port}"))


def sign_in(page: Page, email: str = OPERATOR) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("tenant-card").first).to_be_visible()


def tenant_id(database: str, name: str) -> int:
    engine = create_db_engine(database)
    try:
        with Session(engine) as session:
            return session.exec(select(Tenant.id).where(Tenant.name == name)).one()
    finally:
        engine.dispose()


def stored(database: str, summary: str) -> list[tuple[SupportRequest, list[str]]]:
    """The requests with ``summary`` and the audit actions about each."""
    engine = create_db_engine(database)
    try:
        with Session(engine) as session:
            rows = session.exec(select(SupportRequest).where(SupportRequest.summary == summary))
            return [
                (
                    row,
                    list(
                        session.exec(
                            select(AuditLog.action)
                            .where(AuditLog.subject_id == row.reference)
                            .order_by(AuditLog.id)
                        )
                    ),
                )
                for row in rows
            ]
    finally:
        engine.dispose()


def request_support(page: Page) -> None:
    page.get_by_role("button", name="More").click()
    page.get_by_role("menuitem", name="Request support").click()


def open_dialog_on_tenant(page: Page, app: OperatorApp, tenant: str, summary: str) -> None:
    """Signed in, on ``tenant``'s dashboard, the dialog open with ``summary`` typed."""
    sign_in(page)
    page.goto(f"/tenants/{tenant_id(app.database, tenant)}")
    open_dialog(page)
    page.get_by_role("dialog").get_by_label("Summary").fill(summary)


def open_dialog(page: Page) -> None:
    request_support(page)
    expect(page.get_by_role("dialog")).to_be_visible()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def desk_fault(desk: str, mode: str) -> None:
    httpx.post(
        f"{desk}/__emulator/fault",
        json={"mode": mode},
        headers={CONTROL_TOKEN_HEADER: DESK_CONTROL_TOKEN},
        trust_env=False,
    ).raise_for_status()


def app_cpu_seconds(app_url: str) -> float:
    """User + system CPU of the app's processes (all listening on its port's tree)."""
    port = app_url.rsplit(":", 1)[1]
    pids = subprocess.run(
        ["pgrep", "-f", "--", f"--frontend-port {port}"], capture_output=True, text=True
    ).stdout.split()
    assert pids, "the app's processes were not found"
    processes = {int(pid) for pid in pids}
    for pid in list(processes):
        processes.update(_descendants(pid))
    total = 0.0
    for pid in processes:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / 100
    return total


def _descendants(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if parent == pid:
                found += [int(entry.name), *_descendants(int(entry.name))]
    return found
