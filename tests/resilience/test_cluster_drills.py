"""Two instances behind HAProxy, four operators at work: a rolling restart and a lost
host cost nobody their work (issue 23).

The instances run on hostnames of their own (``cluster.py``), so only worker leases
tell a live instance from a lost one. Tabs: one types, one submits internal
requests, one creates tickets on a slow desk (2 s), one browses. Expectations: no
typed text lost, no duplicate request or ticket, every submit answered truthfully
within 15 s, no error page, and the proxy never sends a request to an instance
that is not ready.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from support_app.services.support_desk.emulator import CONTROL_TOKEN_HEADER
from tests.resilience.cluster import Cluster, Instance
from tests.resilience.operator_screen import (
    REFERENCE,
    desk_fault,
    open_dialog,
    screenshot,
    sign_in,
    stored,
    tenant_id,
)
from tests.running_app import DESK_CONTROL_TOKEN

ANSWER_BOUND_S = 15
TICKET = "Create a new ticket in the external support desk"
_HTTP_LINE = re.compile(r" instances/(host-[ab]) \S+ (\d{3}) ")
_STATE_LINE = re.compile(r"instances/(host-[ab]) is (UP|DOWN)")


@pytest.fixture
def tabs(browser: Browser, cluster: Cluster) -> Iterator[dict[str, Page]]:
    """Four signed-in operators' tabs on the proxy, each on a tenant's dashboard."""
    contexts, pages = [], {}
    for role, tenant in (
        ("typing", "Fabrikam"),
        ("internal", "Northwind"),
        ("ticket", "Northwind"),
        ("browsing", "Fabrikam"),
    ):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=cluster.url)
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        sign_in(page)
        page.goto(f"/tenants/{tenant_id(cluster.database, tenant)}")
        pages[role] = page
    yield pages
    for context in contexts:
        context.close()


def _dialog_with(page: Page, summary: str, *, ticket: bool = False) -> None:
    open_dialog(page)
    dialog = page.get_by_role("dialog")
    if ticket:
        dialog.get_by_role("radio", name=TICKET).click()
    dialog.get_by_label("Summary").fill(summary)


def _next_request(page: Page, summary: str, *, ticket: bool = False) -> None:
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="New request").click()
    if ticket:
        dialog.get_by_role("radio", name=TICKET).click()
    dialog.get_by_label("Summary").fill(summary)


def _submit(page: Page) -> None:
    page.get_by_role("dialog").get_by_role("button", name="Submit request").click()


def _answered(page: Page, clicked: float) -> float:
    """Seconds from the click until the tab shows the stored request's reference."""
    reference = page.get_by_role("dialog").get_by_test_id("support-reference")
    expect(reference).to_have_text(REFERENCE, timeout=ANSWER_BOUND_S * 1000)
    return time.monotonic() - clicked


def _browse(page: Page, cluster: Cluster) -> None:
    """A page load and a navigation through the proxy: never an error page."""
    page.goto(f"/tenants/{tenant_id(cluster.database, 'Northwind')}")
    expect(page.get_by_test_id("connection-lost")).to_have_count(0, timeout=15_000)
    page.goto("/")
    expect(page.get_by_test_id("tenant-card").first).to_be_visible(timeout=15_000)


def _desk_creates(desk: str) -> int:
    answer = httpx.get(
        f"{desk}/__emulator/requests",
        headers={CONTROL_TOKEN_HEADER: DESK_CONTROL_TOKEN},
        trust_env=False,
    )
    return answer.json()["count"]


def _requests_to_unready_instances(cluster: Cluster) -> list[str]:
    """Proxy log lines of a request (not a socket's tunnel, logged when it closes) sent
    to an instance while the proxy had it marked down."""
    down: set[str] = set()
    sent = []
    for line in cluster.proxy_log.read_text(errors="replace").splitlines():
        if state := _STATE_LINE.search(line):
            (down.add if state.group(2) == "DOWN" else down.discard)(state.group(1))
        elif (
            (request := _HTTP_LINE.search(line))
            and request.group(2) != "101"
            and request.group(1) in down
        ):
            sent.append(line)
    return sent


def _restart(cluster: Cluster, instance: Instance) -> float:
    ups = cluster.proxy_marked(instance, "UP")
    started = time.monotonic()
    instance.start()
    instance.wait_ready()
    cluster.wait_proxy_marked(instance, "UP", ups)
    return time.monotonic() - started


def _stored_once(cluster: Cluster, summaries: list[str], ticket: bool) -> None:
    for summary in summaries:
        rows = stored(cluster.database, summary)
        assert len(rows) == 1, (summary, rows)
        if ticket:
            assert rows[0][0].external_ticket_reference, rows[0][0]  # the desk answered


def test_a_rolling_restart_costs_no_operator_their_work(
    cluster: Cluster, tabs: dict[str, Page]
) -> None:
    typed = f"Rolling deploy while typing {time.monotonic_ns()}"
    _dialog_with(tabs["typing"], typed)
    internal, tickets, answers, drains = [], [], [], []
    creates_before = _desk_creates(cluster.desk)
    desk_fault(cluster.desk, "slow")
    try:
        for round_, instance in enumerate(cluster.instances):
            internal.append(f"Internal during restart of {instance.name} {time.monotonic_ns()}")
            tickets.append(f"Ticket during restart of {instance.name} {time.monotonic_ns()}")
            if round_ == 0:
                _dialog_with(tabs["internal"], internal[-1])
                _dialog_with(tabs["ticket"], tickets[-1], ticket=True)
            else:
                _next_request(tabs["internal"], internal[-1])
                _next_request(tabs["ticket"], tickets[-1], ticket=True)
            clicked = time.monotonic()
            tabs["ticket"].get_by_role("dialog").get_by_role(
                "button", name="Submit request"
            ).click()
            tabs["internal"].get_by_role("dialog").get_by_role(
                "button", name="Submit request"
            ).click()
            drains.append(instance.terminate())  # SIGTERM with both submits in flight
            answers += [_answered(tabs["internal"], clicked), _answered(tabs["ticket"], clicked)]
            _browse(tabs["browsing"], cluster)
            tabs["typing"].get_by_role("dialog").get_by_label("Reproduction notes (optional)").fill(
                f"typed after {instance.name} stopped"
            )
            _restart(cluster, instance)
    finally:
        desk_fault(cluster.desk, "none")
    screenshot(tabs["typing"], "cluster-rolling-restart-typing")
    dialog = tabs["typing"].get_by_role("dialog")
    expect(dialog.get_by_label("Summary")).to_have_value(typed)
    expect(dialog.get_by_label("Reproduction notes (optional)")).to_have_value(
        "typed after host-b stopped"
    )
    _stored_once(cluster, internal, ticket=False)
    _stored_once(cluster, tickets, ticket=True)
    assert _desk_creates(cluster.desk) - creates_before == len(tickets)  # no second ticket
    assert _requests_to_unready_instances(cluster) == []
    assert max(drains) < 15
    print(
        f"\nrolling restart: drains {', '.join(f'{d:.1f}' for d in drains)} s;"
        f" submits answered in {', '.join(f'{a:.1f}' for a in answers)} s"
    )


def test_a_lost_host_costs_seconds_not_work(cluster: Cluster, tabs: dict[str, Page]) -> None:
    typed = f"Host lost while typing {time.monotonic_ns()}"
    ticket = f"Ticket while the host is lost {time.monotonic_ns()}"
    _dialog_with(tabs["typing"], typed)
    _dialog_with(tabs["ticket"], ticket, ticket=True)
    logs_before = {i.name: len(i.log.read_bytes()) for i in cluster.instances}
    desk_fault(cluster.desk, "hang")  # the desk call is in flight when the host goes
    try:
        _submit(tabs["ticket"])
        holder = _instance_that_logged(cluster, logs_before, "support request submit started")
        time.sleep(1)  # stored, now waiting for the desk
        lost = time.monotonic()
        holder.kill()
        shown = _answered(tabs["ticket"], lost)
    finally:
        desk_fault(cluster.desk, "none")
    expect(tabs["ticket"].get_by_role("dialog").get_by_test_id("failure-summary")).to_contain_text(
        "The app stopped before the desk answered"
    )
    screenshot(tabs["ticket"], "cluster-host-lost-ticket")
    rows = stored(cluster.database, ticket)
    assert len(rows) == 1 and rows[0][0].external_handoff_failure_kind == "app_stopped"
    # Every tab goes on on the surviving instance, the typed text where it was.
    expect(tabs["typing"].get_by_test_id("connection-lost")).to_have_count(0, timeout=10_000)
    dialog = tabs["typing"].get_by_role("dialog")
    expect(dialog.get_by_label("Summary")).to_have_value(typed)
    clicked = time.monotonic()
    _submit(tabs["typing"])
    typed_answer = _answered(tabs["typing"], clicked)
    assert len(stored(cluster.database, typed)) == 1
    _browse(tabs["browsing"], cluster)
    restarted = _restart(cluster, holder)
    assert _requests_to_unready_instances(cluster) == []
    print(
        f"\nhost lost in a ticket create: reference and 'app stopped' shown {shown:.1f} s"
        f" after the loss; the typing tab's submit answered in {typed_answer:.1f} s;"
        f" instance back in {restarted:.1f} s"
    )


def _instance_that_logged(cluster: Cluster, offsets: dict[str, int], text: str) -> Instance:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for instance in cluster.instances:
            if text.encode() in instance.log.read_bytes()[offsets[instance.name] :]:
                return instance
        time.sleep(0.05)
    raise AssertionError(f"no instance logged {text!r}")
