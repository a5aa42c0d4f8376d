"""Alembic migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import bot.staff.models  # noqa: F401 - the staff tables belong to the same schema
from bot.tickets.db import MIGRATIONS_DIR, create_db_engine, migrate
from bot.tickets.models import Base


def test_migrated_schema_matches_the_models(database_url):
    engine = create_db_engine(database_url)
    migrate(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_downgrade_removes_the_tables(database_url):
    engine = create_db_engine(database_url)
    migrate(engine)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
