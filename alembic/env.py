"""Alembic environment: our own migrations on ``SQLModel.metadata``.

The database URL is ``config.attributes["url"]`` when a caller passes one (tests,
``python -m support_app migrate``), else the configured ``REFLEX_DB_URL``.
"""

from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

import support_app.models  # noqa: F401  (registers every table on the metadata)
from support_app.db import create_db_engine
from support_app.settings import get_settings

config = context.config
if config.config_file_name and not config.attributes.get("quiet"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = create_db_engine(
        config.attributes.get("url") or get_settings().db_url, maintenance=True
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
