"""HistoryEntry: one provenance row — who changed which object, how, and when."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Kinds of objects whose changes are recorded (the history table's CHECK constraint).
OBJECT_KINDS = ("span", "link", "entity", "document", "document_status")
#: What happened to the object.
ACTIONS = ("create", "update", "delete", "restore", "adjudicate", "merge", "import")


@dataclass(frozen=True)
class HistoryEntry:
    """One change of one object. `annotator` is the author's uuid (None when unknown or the
    annotator was removed); `detail` is free JSON (for example the values before and after)."""

    uuid: str
    object_uuid: str
    object_kind: str
    action: str
    summary: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    annotator: str | None = None
    at: str = ""
