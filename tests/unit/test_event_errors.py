"""The app's answer to an event that fails: classified, logged once, translated."""

from __future__ import annotations

import logging

import pytest

from support_app.services.access import NotFound, parse_id
from support_app.ui.states.event_errors import (
    MALFORMED,
    UNEXPECTED,
    backend_exception_handler,
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


def test_arguments_that_do_not_fit_are_malformed_and_logged_as_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    error = _raised(lambda: _handler(None))  # missing form_data
    assert raised_by_the_call(error)
    with caplog.at_level(logging.WARNING):
        spec = backend_exception_handler(error)
    assert spec is not None and spec.args[0][1]._js_expr == f'"{MALFORMED}"'
    assert [(r.levelname, r.exc_info) for r in caplog.records] == [("WARNING", None)]
    assert "missing 1 required positional argument" in caplog.records[0].getMessage()


def test_a_failure_inside_our_code_is_unexpected_with_its_traceback_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    error = _raised(lambda: parse_id("x"))
    assert isinstance(error, NotFound) and not raised_by_the_call(error)
    with caplog.at_level(logging.WARNING):
        spec = backend_exception_handler(error)
    assert spec is not None and spec.args[0][1]._js_expr == f'"{UNEXPECTED}"'
    assert len(caplog.records) == 1 and caplog.records[0].exc_info is not None
