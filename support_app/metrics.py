"""What each instance counts for Prometheus (served at ``/metrics``: ``web.metrics_route``).

Every label has a small, fixed set of values chosen by the app, never text a user or
a client made: a route's template (not its path, which may hold an id), a registered
event handler's name, an outcome or kind from the app's own list. No user, tenant,
reference, e-mail address or session ever becomes a label, so the number of series
stays bounded whatever the traffic.

Several Granian workers serve one instance, each its own process: counters and
histograms are kept in ``prometheus_client``'s multi-process mode, one file per
process in ``PROMETHEUS_MULTIPROC_DIR``, and a scrape (answered by any one worker)
adds up every worker's files, those of workers that died and were respawned
included (a counter must not drop when a worker is replaced). The directory must be
set before ``prometheus_client`` is first imported and must start empty for each
run of the server (stale files of an earlier run would be added in):
``metrics_directory.prepare_multiprocess_directory``, called by ``rxconfig.py`` in
the ``reflex run`` process before it starts the workers, does both. Values that describe the present
rather than count the past (readiness, handoffs pending) are not kept in files at
all: the scrape computes them (``web.metrics_route``).

Without that variable (tests, the command-line tools) the metrics live in the
process, in ``prometheus_client``'s default registry.
"""

from __future__ import annotations

import re

from prometheus_client import Counter, Histogram

from support_app import routes

# Seconds: from a 5 ms event to the desk's 5 s deadline and the 10 s database bound.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

OTHER = "other"
# HTTP routes by their template; everything else the backend serves (the built
# frontend's pages and assets, Reflex's own routes) counts as "other".
EVENT_SOCKET = "/_event"
METRICS = "/metrics"
_HTTP_ROUTES = frozenset(
    {
        routes.HEALTHZ,
        routes.READYZ,
        METRICS,
        routes.SIGN_IN,
        routes.SIGN_OUT,
        routes.SIGN_OUT_EVERYWHERE,
    }
)
EVENT_OUTCOMES = frozenset({"ok", "error", "unavailable", "malformed", "cancelled"})
SIGN_IN_OUTCOMES = frozenset(
    {"signed_in", "invalid", "throttled", "required", "unavailable", "forbidden"}
)
DEPENDENCIES = frozenset({"database", "redis"})
_DESK_OUTCOME = re.compile(r"[a-z0-9_]{1,40}")
# What a redaction placeholder names: ``[redacted:<detector>]``.
_PLACEHOLDER = re.compile(r"\[redacted:([A-Za-z0-9_-]{1,40})\]")

HTTP_REQUESTS = Counter(
    "support_app_http_requests",
    "HTTP requests answered, by route template and status class (2xx, 3xx, 4xx, 5xx).",
    ["route", "status_class"],
)
HTTP_DURATION = Histogram(
    "support_app_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template (the event socket not included).",
    ["route"],
    buckets=LATENCY_BUCKETS,
)
EVENTS = Counter(
    "support_app_events",
    "Reflex events handled, by registered handler and outcome.",
    ["handler", "outcome"],
)
EVENT_DURATION = Histogram(
    "support_app_event_duration_seconds",
    "Time to handle a Reflex event (state lock included), by registered handler.",
    ["handler"],
    buckets=LATENCY_BUCKETS,
)
DESK_CALLS = Counter(
    "support_app_desk_calls",
    "Create-ticket calls to the external support desk, by outcome "
    "(created, or the failure kind: timeout, http_5xx, connection_refused, ...).",
    ["outcome"],
)
DESK_DURATION = Histogram(
    "support_app_desk_call_duration_seconds",
    "Time a create-ticket call to the external support desk took, by outcome.",
    ["outcome"],
    buckets=LATENCY_BUCKETS,
)
REDACTIONS = Counter(
    "support_app_redactions",
    "Values removed from captured support context, by detector (counts only).",
    ["kind"],
)
SIGN_INS = Counter(
    "support_app_sign_ins",
    "Sign-in attempts, by outcome (throttled: refused by the back-off, no password checked).",
    ["outcome"],
)
DEPENDENCY_ERRORS = Counter(
    "support_app_dependency_errors",
    "Failed calls to a dependency: database (connection, timeout, cut-off read) "
    "or redis (the state store's commands).",
    ["dependency"],
)


def _bounded(value: str, allowed: frozenset[str]) -> str:
    return value if value in allowed else OTHER


def route_template(path: str) -> str:
    """The label for an HTTP path: one of the backend's own routes, else "other"."""
    if path == EVENT_SOCKET or path.startswith(EVENT_SOCKET + "/"):
        return EVENT_SOCKET
    return path if path in _HTTP_ROUTES else OTHER


def http_request(path: str, status: int | None, seconds: float, *, websocket: bool) -> None:
    """One answered request; a websocket counts, but its lifetime is no latency."""
    route = route_template(path)
    status_class = f"{status // 100}xx" if status and 100 <= status < 600 else "5xx"
    HTTP_REQUESTS.labels(route, status_class).inc()
    if not websocket:
        HTTP_DURATION.labels(route).observe(seconds)


def event_handled(handler: str, outcome: str, seconds: float) -> None:
    """``handler``: a registered handler's short name (``state.handler``), only ever:
    the event screen drops frames that name anything else before they get here."""
    EVENTS.labels(handler, _bounded(outcome, EVENT_OUTCOMES)).inc()
    EVENT_DURATION.labels(handler).observe(seconds)


def desk_call(outcome: str, seconds: float) -> None:
    """``outcome``: "created" or the handoff's failure kind (the app's own words)."""
    outcome = outcome if _DESK_OUTCOME.fullmatch(outcome) else OTHER
    DESK_CALLS.labels(outcome).inc()
    DESK_DURATION.labels(outcome).observe(seconds)


def redactions_in(redacted_text: str, detectors: frozenset[str]) -> None:
    """Count the placeholders (``[redacted:<detector>]``) in text the redactor
    produced, by detector; only the catalogue's ``detectors`` are labels, so text a
    user typed to look like a placeholder cannot make up a new one."""
    for detector in _PLACEHOLDER.findall(redacted_text):
        if detector in detectors:
            REDACTIONS.labels(detector).inc()


def sign_in(outcome: str) -> None:
    SIGN_INS.labels(_bounded(outcome, SIGN_IN_OUTCOMES)).inc()


def dependency_error(dependency: str) -> None:
    DEPENDENCY_ERRORS.labels(_bounded(dependency, DEPENDENCIES)).inc()
