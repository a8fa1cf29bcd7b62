"""Alembic migrations of the team schema (run by annotator.store.team.migrate)."""
