"""Alembic environment: migrates the connection it is handed, or ``DATABASE_URL`` / the settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import bot.staff.models  # noqa: F401 - registers the staff tables on the shared metadata
from bot.tickets.models import Base


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Use the connection from :func:`bot.tickets.db.migrate`, or open one from the settings."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from bot.config import Settings
    from bot.tickets.db import create_db_engine

    url = context.config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url
    engine = create_db_engine(url)
    with engine.begin() as opened:
        _run(opened)
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=context.config.get_main_option("sqlalchemy.url"), target_metadata=Base.metadata,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
