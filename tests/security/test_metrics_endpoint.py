"""``/metrics`` on the running app: a loopback scrape sees what the lane's tabs did,
another address gets a 404, and no label carries anything a user or client made.

The lane's app allows only ``127.0.0.1/32`` (``SUPPORT_APP_METRICS_ALLOWED_ADDRESSES``
in ``conftest``), so a request from ``127.0.0.2`` - another address of this machine
- stands for a client elsewhere.
"""

from __future__ import annotations

import re

import httpx
from prometheus_client.parser import text_string_to_metric_families

from support_app.ui.states.pages import HomeState
from tests.security.conftest import DEMO_USERS, OPERATOR, World, run, signed_in_tab

HOME_LOAD = f"{HomeState.get_full_name()}.load"
# What a label may be: the app's own words, a route template, a handler's name.
ALLOWED_LABEL = re.compile(r"[a-z0-9_]+(?:[.-][a-z0-9_]+)*|[0-9]xx|/[a-z/_-]*|[+.0-9e]+|\+Inf")


async def _scrape(app: str, local_address: str) -> httpx.Response:
    transport = httpx.AsyncHTTPTransport(local_address=local_address)
    async with httpx.AsyncClient(trust_env=False, transport=transport, timeout=10) as http:
        return await http.get(app.replace("localhost", "127.0.0.1") + "/metrics")


def test_a_loopback_scrape_sees_the_lanes_traffic_and_another_address_gets_404(
    app: str, world: World
) -> None:
    async def scenario() -> tuple[httpx.Response, httpx.Response]:
        tab = await signed_in_tab(app, OPERATOR)
        try:
            await tab.call(HOME_LOAD, path="/")
        finally:
            await tab.close()
        return await _scrape(app, "127.0.0.1"), await _scrape(app, "127.0.0.2")

    scrape, elsewhere = run(scenario)
    assert (elsewhere.status_code, elsewhere.text) == (404, "Not Found")
    assert scrape.status_code == 200
    samples = [s for f in text_string_to_metric_families(scrape.text) for s in f.samples]
    value = {(s.name, tuple(sorted(s.labels.items()))): s.value for s in samples}
    assert value[("support_app_events_total", (("handler", "home_state.load"), ("outcome", "ok")))]
    assert value[("support_app_sign_ins_total", (("outcome", "signed_in"),))]
    sign_ins = (("route", "/auth/sign-in"), ("status_class", "3xx"))
    assert value[("support_app_http_requests_total", sign_ins)]
    assert value[("support_app_ready", ())] == 1

    labels = {v for s in samples for k, v in s.labels.items() if k != "le"}
    assert [v for v in labels if not ALLOWED_LABEL.fullmatch(v)] == []
    user_data = [*DEMO_USERS, *world.tenants, "SR-", "@"]
    user_data += [t.workspace for t in world.tenants.values()]
    assert [v for v in labels for d in user_data if d.lower() in v.lower()] == []
    assert [v for v in labels if v.isdigit()] == []  # no ids
    assert [v for v in labels if re.search(r"[0-9a-f]{12}", v)] == []  # no session hashes
