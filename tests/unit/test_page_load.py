"""Every page state loads through the one ``PageLoadState`` definition, yet each gets
handlers and a ``load_failed`` of its own: Reflex binds a handler, and the state a
background event locks, to the class that declares it, so a handler inherited from a
parent state would load (and retry) the parent, not the page."""

from __future__ import annotations

import pytest

from support_app.ui.states.pages import (
    HomeState,
    PageLoadState,
    RunViewerState,
    TenantDashboardState,
)
from support_app.ui.states.session import SessionState
from support_app.ui.states.support_history import (
    SupportHistoryState,
    SupportRequestDetailState,
)

PAGE_STATES = (
    HomeState,
    TenantDashboardState,
    RunViewerState,
    SupportHistoryState,
    SupportRequestDetailState,
)


@pytest.mark.parametrize("page", PAGE_STATES, ids=lambda s: s.__name__)
def test_each_page_state_loads_and_retries_as_itself(page) -> None:
    assert issubclass(page, PageLoadState)
    assert page.get_parent_state() is SessionState  # a page state, not a mixin
    for name in ("load", "retry_load"):
        handler = page.event_handlers[name]
        assert handler.state_full_name == page.get_full_name(), name
    assert page.event_handlers["retry_load"].is_background  # waits without the lock
    assert not page.event_handlers["load"].is_background  # the page's on_load
    assert "load_failed" in page.base_vars


def test_the_pages_do_not_share_load_failed() -> None:
    names = {str(page.load_failed) for page in PAGE_STATES}
    assert len(names) == len(PAGE_STATES)


@pytest.mark.parametrize(
    ("page", "handler"),
    [
        (SupportHistoryState, "set_outcome"),
        (SupportHistoryState, "next_page"),
        (SupportRequestDetailState, "redact"),
    ],
)
def test_actions_that_read_or_write_the_database_do_not_hold_the_tab_locked(
    page, handler: str
) -> None:
    assert page.event_handlers[handler].is_background
