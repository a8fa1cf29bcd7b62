"""The Curation window's keys: one list builds its shortcuts, its key hint and the help sheet."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QKeySequence

#: Not Ctrl+Shift+A: that is File ▸ Add documents in the main window.
ACCEPT_AGREED_KEY = "Ctrl+Shift+Return"
GROUP = "Curation window"


@dataclass(frozen=True)
class CurationKey:
    """`command` names what the window does (see CurationWindow._handlers); `keys` in
    portable notation; `shown` replaces the keys in the hint and the help (e.g. "1–9")."""

    command: str
    keys: tuple[str, ...]
    what: str
    shown: str = ""


CURATION_KEYS: tuple[CurationKey, ...] = (
    # The arrows move through the queue table itself (a window shortcut would take them from
    # the annotator and document lists too): listed, not bound.
    CurationKey("down", ("J",), "Next unit in the queue", "Down, J"),
    CurationKey("up", ("K",), "Previous unit in the queue", "Up, K"),
    *(
        CurationKey(f"accept_{n}", (str(n),), "Accept that annotator's version", "1–9")
        for n in range(1, 10)
    ),
    CurationKey("edit", ("E",), "Edit a version into gold"),
    CurationKey("reject", ("R", "Delete"), "Reject every version"),
    CurationKey("accept_agreed", (ACCEPT_AGREED_KEY,), "Accept every agreed unit"),
    CurationKey("show", ("Return", "Enter"), "Show the unit in the text"),
)


def native(keys: tuple[str, ...]) -> str:
    """Keys as the platform writes them (Ctrl+Shift+Return; ⇧⌘↩ on a Mac)."""
    return ", ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in keys)


def key_rows() -> list[tuple[str, str]]:
    """(what, keys) for the help sheet, one row per distinct action (1–9 once)."""
    rows: list[tuple[str, str]] = []
    for key in CURATION_KEYS:
        row = (key.what, key.shown or native(key.keys))
        if row not in rows:
            rows.append(row)
    return rows


def hint() -> str:
    """The one-line key hint under the window's buttons."""
    parts = [f"{keys.replace(', ', '/')} {what[0].lower()}{what[1:]}" for what, keys in key_rows()]
    return "Keys: " + " · ".join(parts) + " · Ctrl+Z undo"
