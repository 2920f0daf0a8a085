"""Structured log lines: shape, one line per record, redaction, repeat limits,
one line per request and per event."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import time
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from support_app.logs import (
    RepeatLimit,
    RequestLog,
    logged_event,
    note_user,
    session_fingerprint,
    structured_handler,
)

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)


class Captured:
    def __init__(self, stream: io.StringIO, handler: logging.Handler) -> None:
        self._stream = stream
        self.handler = handler

    def lines(self) -> list[str]:
        return self._stream.getvalue().splitlines()

    def records(self) -> list[dict]:
        """The app's records (the test client's own httpx lines left out)."""
        records = [json.loads(line) for line in self.lines()]
        return [r for r in records if r["logger"].startswith("support_app")]


def _capture(json_lines: bool) -> Iterator[Captured]:
    stream = io.StringIO()
    handler = structured_handler(stream, json_lines=json_lines)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield Captured(stream, handler)
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


@pytest.fixture
def json_log() -> Iterator[Captured]:
    yield from _capture(json_lines=True)


@pytest.fixture
def text_log() -> Iterator[Captured]:
    yield from _capture(json_lines=False)


def test_a_text_line_has_time_level_pid_logger_and_stays_on_one_line(text_log: Captured) -> None:
    logging.getLogger("support_app.test").warning("first line\nsecond line")
    [line] = text_log.lines()
    timestamp, level, pid, *_ = line.split(" ")
    assert timestamp.endswith("+00:00") and "T" in timestamp
    assert level == "WARNING" and pid.startswith("pid=")
    assert "logger=support_app.test" in line
    assert 'msg="first line\\nsecond line"' in line


def test_an_error_is_one_record_with_its_stack(json_log: Captured) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("support_app.test").exception("it failed")
    [record] = json_log.records()
    assert record["level"] == "error" and record["msg"] == "it failed"
    assert "Traceback" in record["stack"] and "ValueError: boom" in record["stack"]
    assert {"ts", "pid", "logger"} <= record.keys()


def test_secrets_in_messages_and_stacks_are_redacted(json_log: Captured) -> None:
    log = logging.getLogger("support_app.test")
    log.error("desk said: Authorization: Bearer %s", JWT)
    try:
        raise RuntimeError(f"postgresql://app:Sup3rS3cret!@db/app {JWT}")
    except RuntimeError:
        log.exception("connect failed")
    output = json.dumps(json_log.records())
    assert JWT not in output and "Sup3rS3cret!" not in output
    assert "[redacted:" in output


def test_repeats_are_limited_and_the_next_written_line_counts_the_left_out_ones(
    json_log: Captured,
) -> None:
    limit = next(f for f in json_log.handler.filters if isinstance(f, RepeatLimit))
    limit._window_s = 0.2  # a short window for the test
    log = logging.getLogger("support_app.test")
    for _ in range(20):
        log.error("redis unavailable: %s", "ConnectionError")
    assert len(json_log.records()) == 5
    time.sleep(0.25)
    log.error("redis unavailable: %s", "ConnectionError")
    records = json_log.records()
    assert len(records) == 6 and records[-1]["repeats_suppressed"] == 15


def test_per_event_lines_are_never_dropped_but_repeated_stacks_are(json_log: Captured) -> None:
    for _ in range(8):
        with pytest.raises(ConnectionError), logged_event("support_request.submit") as entry:
            raise ConnectionError("redis down")
    records = json_log.records()
    assert len(records) == 8
    assert all(r["outcome"] == "error" and r["event"] == "support_request.submit" for r in records)
    assert sum("stack" in r for r in records) == 5
    assert sum(r.get("stack_suppressed", False) for r in records) == 3
    assert entry.event_id == records[-1]["event_id"] and len(entry.event_id) == 10


def test_an_event_line_carries_outcome_duration_and_who(json_log: Captured) -> None:
    session_hash = hashlib.sha256(b"token").hexdigest()
    with logged_event("dashboard.load", session=session_hash, user_id=3) as entry:
        entry.tenant_id = 7
        entry.outcome = "loaded"
    [record] = json_log.records()
    assert record["level"] == "info" and record["msg"] == "event"
    assert record["event"] == "dashboard.load" and record["outcome"] == "loaded"
    assert record["user_id"] == 3 and record["tenant_id"] == 7
    assert record["session"] == session_hash[:12]
    assert record["duration_ms"] >= 0


def _app() -> TestClient:
    async def page(request: Request) -> PlainTextResponse:
        note_user(42)
        logging.getLogger("support_app.test").warning("inside the request")
        return PlainTextResponse("ok")

    async def probe(_request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/page", page), Route("/readyz", probe)])
    return TestClient(RequestLog(app))


def test_one_line_per_request_with_its_id_session_prefix_user_and_status(
    json_log: Captured,
) -> None:
    with _app() as client:
        response = client.get("/page?token=secret-in-query", cookies={"sa_session": "raw-token"})
        probe = client.get("/readyz")
    request_id = response.headers["x-request-id"]
    assert len(request_id) == 16 and probe.headers["x-request-id"] != request_id
    inside, line = json_log.records()  # the passing probe is DEBUG: not written
    assert inside["request_id"] == request_id
    assert line["msg"] == "request" and line["request_id"] == request_id
    assert line["method"] == "GET" and line["path"] == "/page" and line["status"] == 200
    assert line["session"] == session_fingerprint("raw-token")
    assert line["session"] == hashlib.sha256(b"raw-token").hexdigest()[:12]
    assert line["user_id"] == 42 and line["duration_ms"] >= 0
    assert "secret-in-query" not in json.dumps(line) and "raw-token" not in json.dumps(line)


def test_a_plain_client_request_id_is_kept_and_anything_else_replaced(json_log: Captured) -> None:
    with _app() as client:
        kept = client.get("/page", headers={"x-request-id": "lb-1234_abc"})
        spaced = client.get("/page", headers={"x-request-id": "a b\r"})
        too_long = client.get("/page", headers={"x-request-id": "x" * 65})
    assert kept.headers["x-request-id"] == "lb-1234_abc"
    for replaced in (spaced, too_long):
        assert len(replaced.headers["x-request-id"]) == 16
        assert replaced.headers["x-request-id"].isalnum()
