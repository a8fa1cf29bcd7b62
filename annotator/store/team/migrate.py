"""Bring a team database's schema to the newest migration (Alembic, scripts in migrations/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

SCRIPTS = Path(__file__).resolve().parent / "migrations"


def upgrade(connection: Any) -> None:
    """Run every migration not yet applied, on the caller's connection and transaction."""
    from alembic import command
    from alembic.config import Config

    connection.exec_driver_sql("CREATE SCHEMA IF NOT EXISTS team")
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def current_revision(connection: Any) -> str | None:
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(connection, opts={"version_table_schema": "team"})
    return context.get_current_revision()
