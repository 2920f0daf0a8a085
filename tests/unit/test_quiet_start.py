"""A start without noise: nothing in the server log that reads like a problem."""

from __future__ import annotations

import logging

import pytest


def test_compiling_twice_registers_each_page_once(caplog: pytest.LogCaptureFixture) -> None:
    # The production server compiles the app twice in one process (the build, then
    # the backend worker); pages must not be registered again the second time.
    from support_app.support_app import app

    with caplog.at_level(logging.WARNING):
        app._compile(dry_run=True)
        app._compile(dry_run=True)
    assert [r.getMessage() for r in caplog.records if "redefined" in r.getMessage()] == []
    assert {"index", "login", "tenants/[tenant_id]", "operations/[run_id]"} <= set(
        app._unevaluated_pages
    )


def test_the_node_version_notice_is_dropped(caplog: pytest.LogCaptureFixture) -> None:
    import rxconfig  # noqa: F401  (installs the filter, as `reflex run` does)

    logger = logging.getLogger("reflex.utils.js_runtimes")
    with caplog.at_level(logging.WARNING, logger=logger.name):
        logger.warning("Your version (20.20.2) of Node.js is out of date. Upgrade to 22.22.0.")
        logger.warning("Some other js runtime warning")
    assert [r.getMessage() for r in caplog.records] == ["Some other js runtime warning"]
