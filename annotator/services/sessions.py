"""The read and write session types of an open project, for type hints outside the store (the
GUI annotates with them; it never imports the store itself)."""

from __future__ import annotations

from annotator.store.project_store import ReadSession, WriteSession

__all__ = ["ReadSession", "WriteSession"]
