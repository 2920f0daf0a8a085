"""The support-request history and detail pages (issue 17) on a bad day, in Chromium.

PostgreSQL is stopped under a signed-in operator: the pages say they could not be
loaded (never "no requests" or an empty table, never "not found"), offer Retry, and
recover by themselves once the database is back, without a reload. A filter change
and a redaction during the outage say that nothing was changed, leave nothing stuck,
and work on the next try. Each drill restores what it broke.
"""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from support_app.db import create_db_engine
from support_app.models import OperationRun, SupportRequest, User
from support_app.services.access import Actor
from support_app.services.support_requests.form import SupportRequestForm
from support_app.services.support_requests.scope import SupportContext
from support_app.services.support_requests.submission import SupportRequestSubmissionService
from tests.conftest import run_coroutine
from tests.resilience.conftest import PrivatePostgres
from tests.resilience.operator_screen import OperatorApp, screenshot, sign_in, tenant_id

OWNER = "owner@contoso.example"
NO_REQUESTS = "No support requests match"
# The page says "could not be loaded" within this after the navigation.
SHOWN_WITHIN_MS = 10_000
# The slowest back-off step (30 s) plus the load itself: the longest a tab waits.
RECOVERED_WITHIN_MS = 40_000


def _stored_request(database: str, tenant: str, summary: str, run_id: int | None = None) -> str:
    """A request stored as the operator would (internal only, about the tenant or one
    of its runs); its reference."""
    engine = create_db_engine(database)
    try:
        with Session(engine) as session:
            user = session.exec(select(User).where(User.email == "operator@contoso.example")).one()
            actor = Actor.of(user)
        if run_id is None:
            context = SupportContext("tenant", tenant_id(database, tenant))
        else:
            context = SupportContext("operation_run", run_id)
        form = SupportRequestForm(severity="high", summary=summary)
        service = SupportRequestSubmissionService(engine)
        return run_coroutine(service.submit(actor, context, form)).reference
    finally:
        engine.dispose()


def _stored(database: str, reference: str) -> SupportRequest:
    engine = create_db_engine(database)
    try:
        with Session(engine) as session:
            return session.exec(
                select(SupportRequest).where(SupportRequest.reference == reference)
            ).one()
    finally:
        engine.dispose()


def _history(database: str, tenant: str) -> str:
    return f"/tenants/{tenant_id(database, tenant)}/support-requests"


def _failed_run(database: str, tenant: str) -> int:
    engine = create_db_engine(database)
    try:
        with Session(engine) as session:
            return session.exec(
                select(OperationRun.id)
                .where(OperationRun.tenant_id == tenant_id(database, tenant))
                .where(OperationRun.outcome == "failed")
                .order_by(OperationRun.id)
            ).first()
    finally:
        engine.dispose()


def test_history_and_detail_with_postgresql_stopped_say_so_and_recover_by_themselves(
    page: Page, operator_app: OperatorApp, private_postgres: PrivatePostgres
) -> None:
    """The history narrowed to a run, so the recovered page must also keep what the URL
    asked for (the run, page 1), not only show rows."""
    database = operator_app.database
    summary = f"Backups fail, history drill {time.monotonic_ns()}"
    run_id = _failed_run(database, "Fabrikam")
    reference = _stored_request(database, "Fabrikam", summary, run_id)
    history = f"{_history(database, 'Fabrikam')}?run={run_id}"
    sign_in(page)
    detail = page.context.new_page()
    private_postgres.stop()
    try:
        started = time.monotonic()
        page.goto(history)
        expect(page.get_by_test_id("page-load-failed")).to_be_visible(timeout=SHOWN_WITHIN_MS)
        history_shown = time.monotonic() - started
        expect(page.get_by_text(NO_REQUESTS)).to_have_count(0)
        expect(page.get_by_test_id("history-row")).to_have_count(0)
        expect(page.get_by_test_id("not-found")).to_have_count(0)
        screenshot(page, "resilience-history-load-failed")

        started = time.monotonic()
        detail.goto(f"/support-requests/{reference}")
        expect(detail.get_by_test_id("page-load-failed")).to_be_visible(timeout=SHOWN_WITHIN_MS)
        detail_shown = time.monotonic() - started
        expect(detail.get_by_test_id("not-found")).to_have_count(0)
        screenshot(detail, "resilience-detail-load-failed")

        # Retry while the database is still down: the same truthful answer, not a
        # spinner and not an empty list.
        page.get_by_test_id("page-retry").click()
        time.sleep(2)
        expect(page.get_by_test_id("page-load-failed")).to_be_visible()
        expect(page.get_by_text(NO_REQUESTS)).to_have_count(0)
        time.sleep(max(0.0, 8 - (time.monotonic() - started)))  # an outage of ~10 s
    finally:
        private_postgres.start()
    restarted = time.monotonic()
    row = page.get_by_test_id("history-row").filter(has_text=reference)
    expect(row).to_be_visible(timeout=RECOVERED_WITHIN_MS)
    history_recovered = time.monotonic() - restarted
    expect(page.get_by_test_id("page-load-failed")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Support requests · Operation run #{run_id}"
    )
    rows = page.get_by_test_id("history-row")
    for i in range(rows.count()):
        expect(rows.nth(i)).to_contain_text(f"#{run_id}")
    expect(page.get_by_text("Page 1", exact=True)).to_be_visible()
    screenshot(page, "resilience-history-recovered")
    expect(detail.get_by_test_id("detail-summary")).to_have_text(
        summary, timeout=RECOVERED_WITHIN_MS
    )
    detail_recovered = time.monotonic() - restarted
    screenshot(detail, "resilience-detail-recovered")
    detail.close()
    print(
        f"\nhistory, PostgreSQL stopped: 'could not be loaded' {history_shown:.1f} s after"
        f" navigation, recovered without reload {history_recovered:.1f} s after the restart;"
        f" detail: {detail_shown:.1f} s and {detail_recovered:.1f} s"
    )


def test_a_filter_change_with_postgresql_stopped_changes_nothing_and_says_so(
    page: Page, operator_app: OperatorApp, private_postgres: PrivatePostgres
) -> None:
    database = operator_app.database
    reference = _stored_request(database, "Fabrikam", f"Filter drill {time.monotonic_ns()}")
    sign_in(page)
    page.goto(_history(database, "Fabrikam"))
    mine = page.get_by_test_id("history-row").filter(has_text=reference)
    expect(mine).to_be_visible()
    outcome = page.get_by_role("combobox", name="Handoff outcome")
    private_postgres.stop()
    try:
        outcome.click()
        started = time.monotonic()
        page.get_by_role("option", name="Handoff failed").click()
        expect(page.get_by_test_id("history-not-updated")).to_be_visible(timeout=SHOWN_WITHIN_MS)
        answered_after = time.monotonic() - started
        # The list, its filter and its page are as they were; nothing is left spinning.
        expect(mine).to_be_visible()
        expect(outcome).to_have_text("All")
        expect(page.get_by_text("Updating the list")).to_have_count(0)
        screenshot(page, "resilience-history-filter-not-updated")
    finally:
        private_postgres.start()
    # The next change works, without a reload.
    outcome.click()
    page.get_by_role("option", name="Handoff failed").click()
    expect(mine).to_have_count(0, timeout=15_000)
    expect(page.get_by_test_id("history-not-updated")).to_have_count(0)
    expect(outcome).to_have_text("Handoff failed")
    print(f"\nhistory filter, PostgreSQL stopped: 'not updated' after {answered_after:.1f} s")


def test_a_redaction_with_postgresql_stopped_removes_nothing_and_works_after(
    page: Page, operator_app: OperatorApp, private_postgres: PrivatePostgres
) -> None:
    database = operator_app.database
    secret = f"pw-{time.monotonic_ns()}"
    reference = _stored_request(database, "Fabrikam", f"Restore fails, I pasted {secret}")
    sign_in(page, OWNER)
    page.goto(f"/support-requests/{reference}")
    summary = page.get_by_test_id("detail-summary")
    expect(summary).to_contain_text(secret)
    text = page.get_by_label("Text to remove")
    remove = page.get_by_role("button", name="Remove everywhere in this request")
    private_postgres.stop()
    try:
        text.fill(secret)
        started = time.monotonic()
        remove.click()
        message = page.get_by_role("alert").filter(has_text="Nothing was removed")
        expect(message).to_be_visible(timeout=SHOWN_WITHIN_MS)
        answered_after = time.monotonic() - started
        expect(remove).to_be_enabled()  # not stuck
        expect(summary).to_contain_text(secret)  # the page still shows what is stored
        screenshot(page, "resilience-redaction-not-applied")
    finally:
        private_postgres.start()
    assert _stored(database, reference).redaction_count == 0
    # The next try works, without a reload.
    text.fill(secret)
    remove.click()
    expect(page.get_by_text("Removed 1 occurrence(s).")).to_be_visible(timeout=15_000)
    expect(summary).not_to_contain_text(secret, timeout=15_000)
    expect(message).to_have_count(0)
    stored = _stored(database, reference)
    assert stored.redaction_count == 1 and secret not in stored.summary
    print(f"\nredaction, PostgreSQL stopped: 'nothing was removed' after {answered_after:.1f} s")
