"""Apply our Alembic migrations from code (the CLI, the test fixtures, ``make run``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from support_app.db import create_db_engine, refresh_statistics
from support_app.settings import get_settings

REPO_ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.attributes["url"] = url
    config.attributes["quiet"] = True
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Migrate, then refresh the planner statistics (new indexes have none yet)."""
    command.upgrade(alembic_config(url), revision)
    engine = create_db_engine(url or get_settings().db_url)
    try:
        refresh_statistics(engine)
    finally:
        engine.dispose()


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)
