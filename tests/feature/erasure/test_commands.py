"""The command-line paths: ``erase-tenant`` (typed name, desk tickets listed),
``set-retention`` and ``apply-retention``; and the app's own retention sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from support_app import __main__ as cli
from support_app import db
from support_app.models import Workspace
from support_app.models.clock import utcnow
from support_app.models.erasure import ERASURE_MARKER
from support_app.services.erasure import retention
from tests.conftest import run_coroutine
from tests.feature.erasure.conftest import backdate, raise_request, stored
from tests.feature.support_requests.conftest import tenant_id


@pytest.fixture
def on_engine(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    return engine


def test_erase_tenant_needs_the_name_and_lists_the_desk_tickets(
    on_engine: Engine, session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    linked = raise_request(on_engine, session, ticket="#77")
    fabrikam = str(tenant_id(session, "Fabrikam"))
    assert cli.main(["erase-tenant", fabrikam, "--confirm", "Northwind"]) == 2
    assert stored(on_engine, linked).erasure_id is None
    assert cli.main(["erase-tenant", fabrikam, "--confirm", "Fabrikam"]) == 0
    out = capsys.readouterr().out
    assert "Erased 1 request(s) of Fabrikam" in out
    assert f"{linked}  #77" in out
    assert stored(on_engine, linked).summary == ERASURE_MARKER


def test_set_and_apply_retention(
    on_engine: Engine, session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    old = backdate(on_engine, raise_request(on_engine, session), utcnow() - timedelta(days=90))
    assert cli.main(["set-retention", "1", "0"]) == 2
    assert cli.main(["set-retention", "1", "2"]) == 0
    assert session.get_one(Workspace, 1).retention_months == 2
    assert cli.main(["apply-retention"]) == 0
    assert "Workspace 1: erased 1 request(s)" in capsys.readouterr().out
    assert stored(on_engine, old).summary == ERASURE_MARKER
    assert cli.main(["set-retention", "1", "off"]) == 0


class _Stop(Exception):
    pass


def test_the_apps_own_sweep_applies_retention(
    on_engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = backdate(on_engine, raise_request(on_engine, session), utcnow() - timedelta(days=90))
    monkeypatch.setattr(retention, "get_engine", lambda: on_engine)
    assert cli.main(["set-retention", "1", "2"]) == 0
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        raise _Stop

    with pytest.raises(_Stop):
        run_coroutine(retention.retention_sweeper(sleep=sleep))
    assert waits == [retention.SWEEP_INTERVAL_SECONDS]
    assert stored(on_engine, old).summary == ERASURE_MARKER
