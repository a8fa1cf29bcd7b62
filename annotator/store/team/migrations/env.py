"""Alembic environment: runs on the connection `annotator.store.team.migrate` hands over."""

from __future__ import annotations

from alembic import context


def run() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, version_table_schema="team", transactional_ddl=True)
    with context.begin_transaction():
        context.run_migrations()


if hasattr(context, "config"):  # imported by Alembic (not by a test that imports every module)
    run()
