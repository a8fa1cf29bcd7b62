"""Persistence: the only package that speaks SQL (SQLAlchemy over SQLite)."""
