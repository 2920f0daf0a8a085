"""Apply our Alembic migrations from code (the CLI, the test fixtures, ``make run``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, make_url, text

from support_app.db import create_db_engine, refresh_statistics
from support_app.settings import get_settings

REPO_ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.attributes["url"] = url
    config.attributes["quiet"] = True
    return config


def create_database_if_missing(url: str) -> None:
    """Create a PostgreSQL database that does not exist yet (SQLite creates its file)."""
    target = make_url(url)
    if target.get_backend_name() != "postgresql":
        return
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            ).first()
            if not exists:
                quoted = conn.dialect.identifier_preparer.quote(target.database)
                conn.execute(text(f"CREATE DATABASE {quoted}"))
    finally:
        admin.dispose()


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Migrate, then refresh the planner statistics (new indexes have none yet)."""
    url = url or get_settings().db_url
    command.upgrade(alembic_config(url), revision)
    engine = create_db_engine(url, maintenance=True)
    try:
        refresh_statistics(engine)
    finally:
        engine.dispose()


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)
