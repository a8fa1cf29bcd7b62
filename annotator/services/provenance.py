"""Reading the history for people: an object's changes or the latest of a project, with the
author's name and the local time (the inspector's History section and `annotator history`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from annotator.domain.provenance import HistoryEntry

UNKNOWN_AUTHOR = "unknown"


@dataclass(frozen=True)
class HistoryLine:
    """One history row as shown: the row, its author's name and when, in local time."""

    entry: HistoryEntry
    author: str
    when: str

    def to_dict(self) -> dict[str, Any]:
        e = self.entry
        return {
            "id": e.uuid,
            "object": e.object_uuid,
            "kind": e.object_kind,
            "action": e.action,
            "summary": e.summary,
            "detail": e.detail,
            "annotator": e.annotator,
            "annotator_name": self.author,
            "at": e.at,
        }


def local_time(at: str) -> str:
    """A stored UTC timestamp as readable local time (the text itself if it is not one)."""
    try:
        moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return at
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def object_history(project: Any, uuid: str) -> list[HistoryLine]:
    """Every recorded change of one object, newest first."""
    with project.store.read() as session:
        return _lines(session, session.history_of(uuid))


def recent_changes(project: Any, limit: int) -> list[HistoryLine]:
    """The latest `limit` changes of the whole project, newest first."""
    with project.store.read() as session:
        return _lines(session, session.recent_history(limit))


def history_lines(session: Any, uuids: list[str]) -> list[HistoryLine]:
    """The changes of several objects (a span and its links) in one list, newest first, read
    in an open session."""
    entries = session.history(uuids)[::-1]  # the later written first, then by time (stable)
    entries.sort(key=lambda e: e.at, reverse=True)
    return _lines(session, entries)


def _lines(session: Any, entries: list[HistoryEntry]) -> list[HistoryLine]:
    names = {a.uuid: a.name for a in session.annotators()} if entries else {}
    return [
        HistoryLine(e, names.get(e.annotator or "", UNKNOWN_AUTHOR), local_time(e.at))
        for e in entries
    ]
