"""The app's answer to an event that fails: classified, logged once, translated, and
answered in the browser only (never with another server event)."""

from __future__ import annotations

import logging

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from reflex_base.event.context import EventContext
from sqlalchemy.exc import OperationalError

from support_app.i18n import translate
from support_app.services.access import NotFound, parse_id
from support_app.ui.client_state import OPEN_ASKED, SUBMIT_ASKED
from support_app.ui.states import event_errors
from support_app.ui.states.event_errors import (
    backend_exception_handler,
    infrastructure_cause,
    raised_by_the_call,
)


def _handler(self, form_data: dict) -> None:
    """Stands in for an event handler (this module is outside the app's package)."""


def _raised(call) -> Exception:
    try:
        call()
    except Exception as error:
        return error
    raise AssertionError("did not raise")


def _client_side_text(answer) -> str:
    """The JavaScript a failure's answer runs in the browser (no server round trip)."""
    assert answer and all(spec.handler.fn.__qualname__ == "_call_function" for spec in answer)
    return "\n".join(spec.args[0][1]._js_expr for spec in answer)


def test_arguments_that_do_not_fit_are_malformed_and_logged_as_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    error = _raised(lambda: _handler(None))  # missing form_data
    assert raised_by_the_call(error)
    with caplog.at_level(logging.WARNING):
        script = _client_side_text(backend_exception_handler(error))
    assert "This action could not be processed" in script
    assert [(r.levelname, r.exc_info) for r in caplog.records] == [("WARNING", None)]
    logged = caplog.records[0].getMessage()
    assert "TypeError" in logged and "form_data" not in logged  # type only, no message
    assert logged.split("[error ")[1].rstrip("]") in script  # the same reference


def test_a_failure_inside_our_code_is_unexpected_with_its_traceback_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    error = _raised(lambda: parse_id("x"))
    assert isinstance(error, NotFound) and not raised_by_the_call(error)
    with caplog.at_level(logging.WARNING):
        script = _client_side_text(backend_exception_handler(error))
    assert "may not have been completed" in script and "nothing was changed" not in script
    assert len(caplog.records) == 1 and caplog.records[0].levelname == "ERROR"
    record = caplog.records[0]
    # The stack is attached (the app's log configuration moves it into a field).
    assert record.exc_info is not None or "NotFound" in str(record.__dict__)


def _redis_down() -> Exception:
    try:
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    except RedisConnectionError as cause:
        try:
            raise RuntimeError("could not get the state") from cause
        except RuntimeError as error:
            return error


def _database_down() -> OperationalError:
    return OperationalError(
        "INSERT INTO x VALUES (%(summary)s)",
        {"summary": "my password is Hunter2!"},
        ConnectionRefusedError("connection refused"),
    )


@pytest.mark.parametrize("make", [_redis_down, _database_down])
def test_an_outage_is_unavailable_logged_as_error_once_per_cause_never_as_client_input(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, make
) -> None:
    monkeypatch.setattr(event_errors, "_infrastructure_log", event_errors.InfrastructureLog())
    assert infrastructure_cause(make()) is not None
    with caplog.at_level(logging.WARNING):
        scripts = [_client_side_text(backend_exception_handler(make())) for _ in range(50)]
    assert all("temporarily unavailable" in s for s in scripts)
    assert [r.levelname for r in caplog.records] == ["ERROR"]
    logged = caplog.records[0].getMessage()
    assert "malformed" not in logged and "Hunter2" not in logged and "INSERT" not in logged


def test_the_answer_speaks_the_tabs_language_and_names_the_event_without_any_state() -> None:
    error = _raised(lambda: _handler(None))
    german = translate("de", "event.error.malformed", reference="E-0")

    class _Ctx:
        router_data = {"headers": {"cookie": "sa_locale=de; other=1"}}
        txid = "3f9a0c1d2e4b"

    token = EventContext._context_var.set(_Ctx())  # type: ignore[attr-defined]
    try:
        script = _client_side_text(backend_exception_handler(error))
    finally:
        EventContext._context_var.reset(token)  # type: ignore[attr-defined]
    assert "Diese Aktion konnte nicht verarbeitet werden" in script
    assert "E-3F9A0C1D2E4B" in script  # the event's id, as in its event-log line
    assert german.startswith("Diese Aktion konnte nicht verarbeitet werden")


@pytest.mark.parametrize(
    "make", [_redis_down, _database_down, lambda: _raised(lambda: _handler(None))]
)
def test_every_failure_also_stops_the_browser_waiting_for_its_answer(make) -> None:
    """A dialog drawn at the click closes and "Submitting…" ends (``ui.client_state``)
    when the event they wait for fails: its answer will never come."""
    script = _client_side_text(backend_exception_handler(make()))
    for waiting in (OPEN_ASKED, SUBMIT_ASKED):
        setter = f"refs['_client_state_set{waiting._getter_name.capitalize()}']"
        assert f"{setter} ?? " in script and '(""))' in script
