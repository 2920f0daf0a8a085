"""What ``support_app.metrics`` counts and how it keeps its labels bounded, and the
multi-process mode the Granian workers share (real processes, real files)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from support_app import metrics
from support_app.metrics_directory import MULTIPROCESS_DIR, prepare_multiprocess_directory


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.parametrize(
    ("path", "route"),
    [
        ("/readyz", "/readyz"),
        ("/auth/sign-in", "/auth/sign-in"),
        ("/metrics", "/metrics"),
        ("/_event/", "/_event"),
        ("/_event", "/_event"),
        ("/tenants/42", "other"),  # an id in the path never becomes a label
        ("/support-requests/SR-01JBQ0000000000000000000000", "other"),
        ("/readyz/../../etc", "other"),
        ("/_events", "other"),
    ],
)
def test_a_path_is_labelled_by_its_route_template_or_other(path: str, route: str) -> None:
    assert metrics.route_template(path) == route


def test_http_requests_count_by_status_class_and_time_only_plain_requests() -> None:
    before = sample("support_app_http_requests_total", route="/readyz", status_class="5xx")
    timed = sample("support_app_http_request_duration_seconds_count", route="/readyz")
    metrics.http_request("/readyz", 503, 0.02, websocket=False)
    metrics.http_request("/readyz", None, 0.02, websocket=False)  # no answer: a failure
    assert sample("support_app_http_requests_total", route="/readyz", status_class="5xx") == (
        before + 2
    )
    assert sample("support_app_http_request_duration_seconds_count", route="/readyz") == timed + 2
    sockets = sample("support_app_http_request_duration_seconds_count", route="/_event")
    metrics.http_request("/_event/", 101, 3600.0, websocket=True)  # a lifetime, no latency
    assert sample("support_app_http_request_duration_seconds_count", route="/_event") == sockets


def test_an_outcome_outside_the_known_set_is_counted_as_other() -> None:
    before = sample("support_app_events_total", handler="s.h", outcome="other")
    metrics.event_handled("s.h", "stored <script>", 0.01)
    assert sample("support_app_events_total", handler="s.h", outcome="other") == before + 1
    before = sample("support_app_sign_ins_total", outcome="other")
    metrics.sign_in("jane@example.com")
    assert sample("support_app_sign_ins_total", outcome="other") == before + 1
    before = sample("support_app_desk_calls_total", outcome="other")
    metrics.desk_call("Ticket #42 for jane@example.com", 0.2)
    assert sample("support_app_desk_calls_total", outcome="other") == before + 1


def test_redactions_count_placeholders_of_known_detectors_only() -> None:
    jwt, made_up = (sample("support_app_redactions_total", kind=k) for k in ("jwt", "made-up"))
    metrics.redactions_in(
        "token [redacted:jwt] and [redacted:jwt], [redacted:made-up]", frozenset({"jwt"})
    )
    assert sample("support_app_redactions_total", kind="jwt") == jwt + 2
    assert sample("support_app_redactions_total", kind="made-up") == made_up == 0


def _unprepared(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a new ``reflex run`` process; what ``prepare`` sets is undone afterwards."""
    for name in (MULTIPROCESS_DIR, "SUPPORT_APP_METRICS_DIR_PREPARED"):
        monkeypatch.setenv(name, "")  # recorded, so the test's value is undone too
        monkeypatch.delenv(name)


def test_prepare_empties_a_chosen_directory_once_per_server_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "counter_123.db").write_bytes(b"stale")
    (tmp_path / "keep.txt").write_text("not ours")
    _unprepared(monkeypatch)
    monkeypatch.setenv(MULTIPROCESS_DIR, str(tmp_path))
    prepare_multiprocess_directory()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]
    (tmp_path / "counter_456.db").write_bytes(b"a worker's")
    prepare_multiprocess_directory()  # a worker importing rxconfig: leaves it alone
    assert (tmp_path / "counter_456.db").exists()


def test_without_a_chosen_directory_each_run_gets_a_new_one(monkeypatch) -> None:
    _unprepared(monkeypatch)
    prepare_multiprocess_directory()
    directory = Path(os.environ[MULTIPROCESS_DIR])
    assert directory.is_dir() and not any(directory.iterdir())


_WORKER = """
from support_app import metrics
for _ in range({n}):
    metrics.sign_in("invalid")
metrics.event_handled("support_request_state.submit", "ok", 0.3)
"""

_SCRAPE = """
import asyncio
from support_app.web.metrics_route import exposition
print(exposition({"database": "ok"}, 3).decode())
"""


def test_a_scrape_adds_up_every_worker_including_one_that_has_exited(tmp_path: Path) -> None:
    environment = {**os.environ, MULTIPROCESS_DIR: str(tmp_path)}
    for n in (2, 3):  # two workers, both gone by the time of the scrape
        subprocess.run(
            [sys.executable, "-c", _WORKER.format(n=n)], env=environment, check=True, timeout=60
        )
    text = subprocess.run(
        [sys.executable, "-c", _SCRAPE],
        env=environment,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    values = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert values[("support_app_sign_ins_total", (("outcome", "invalid"),))] == 5
    submit = (("handler", "support_request_state.submit"),)
    assert values[("support_app_event_duration_seconds_count", submit)] == 2
    assert values[("support_app_ready", ())] == 1
    assert values[("support_app_handoffs_pending", ())] == 3
