"""Typed application settings over QSettings, declared once with their defaults."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 10


class Settings:
    """Remembered choices: annotator name, recent projects, geometry, theme, zoom, options."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._s = qsettings or QSettings()

    def _get(self, key: str, default, kind):
        value = self._s.value(key, default)
        if kind is bool and isinstance(value, str):
            return value.lower() in ("true", "1")
        try:
            return kind(value)
        except (TypeError, ValueError):
            return default

    def _set(self, key: str, value: object) -> None:
        if self._s.contains(key) and _same(self._s.value(key), value):
            return  # the window restores every option at start-up: no file write for those
        self._s.setValue(key, value)
        self._s.sync()

    @property
    def annotator_name(self) -> str:
        """The user's annotator name, shared with the CLI (`annotator whoami`) through the
        identity file; a name only this app's settings held (older versions) moves there."""
        from annotator.services.identity import saved_name, set_current_name

        name = saved_name()
        if name is None:
            legacy = self._get("annotator/name", "", str)
            if legacy.strip():
                try:
                    name = set_current_name(legacy)
                except OSError:
                    name = legacy.strip()
        return name or ""

    @annotator_name.setter
    def annotator_name(self, value: str) -> None:
        from annotator.services.identity import set_current_name

        try:
            set_current_name(value)
        except OSError:
            # The identity folder cannot be written: keep the name in this app's settings so
            # the app still knows it (the CLI then falls back to the login name).
            self._set("annotator/name", " ".join(value.split()))
            return
        self._s.remove("annotator/name")

    theme = property(
        lambda self: self._get("view/theme", "light", str),
        lambda self, v: self._set("view/theme", v),
    )
    zoom = property(
        lambda self: self._get("view/zoom", 0, int), lambda self, v: self._set("view/zoom", v)
    )
    snap_to_words = property(
        lambda self: self._get("view/snap_to_words", True, bool),
        lambda self, v: self._set("view/snap_to_words", v),
    )
    show_all_links = property(
        lambda self: self._get("view/show_all_links", False, bool),
        lambda self, v: self._set("view/show_all_links", v),
    )
    blind = property(
        lambda self: self._get("view/blind", False, bool),
        lambda self, v: self._set("view/blind", v),
    )
    #: What a retag does with attribute values the new tag cannot hold: "ask" (the first time,
    #: with a "remember" box), "drop" them, or move them to the span's "note" (gui/retag.py).
    retag_dropped = property(
        lambda self: self._get("annotate/retag_dropped", "ask", str),
        lambda self, v: self._set("annotate/retag_dropped", v),
    )

    def layout_for(self, screen: str) -> tuple[QByteArray | None, QByteArray | None]:
        """The window geometry and dock state remembered for a screen size ("1280x800")."""
        values = (self._s.value(f"layout/{screen}/{part}") for part in ("geometry", "state"))
        return tuple(v if isinstance(v, QByteArray) else None for v in values)  # type: ignore[return-value]

    def save_layout(self, screen: str, geometry: QByteArray, state: QByteArray) -> None:
        self._set(f"layout/{screen}/geometry", geometry)
        self._set(f"layout/{screen}/state", state)

    @property
    def curation_annotators(self) -> set[str]:
        """Uuids of the annotators last ticked in the Curation window (of every project)."""
        value = self._s.value("curation/annotators", [])
        items = [value] if isinstance(value, str) else list(value or [])
        return {str(v) for v in items if v}

    @curation_annotators.setter
    def curation_annotators(self, uuids: set[str]) -> None:
        self._set("curation/annotators", sorted(uuids))

    @property
    def recent_projects(self) -> list[Path]:
        value = self._s.value("projects/recent", [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [Path(p) for p in items if p]

    def add_recent(self, path: Path) -> None:
        path = _absolute(path)
        items = [p for p in self.recent_projects if p != path]
        self._set("projects/recent", [str(p) for p in [path, *items][:MAX_RECENT]])

    def remove_recent(self, path: Path) -> None:
        items = [p for p in self.recent_projects if p != _absolute(path)]
        self._set("projects/recent", [str(p) for p in items])

    @property
    def last_project(self) -> Path | None:
        recent = self.recent_projects
        return recent[0] if recent else None


def _same(stored: object, value: object) -> bool:
    """Whether a stored setting already holds value. Read back from an INI file in a new
    process, bools and ints are text ("true", "3"): compared as they were, every start-up
    rewrote and synced the settings file (15-20 ms of opening a project)."""
    if stored == value:
        return True
    if isinstance(value, bool) and isinstance(stored, str):
        return stored.lower() == ("true" if value else "false")
    if isinstance(value, int) and isinstance(stored, str):
        return stored == str(value)
    if isinstance(value, list) and isinstance(stored, str):
        return value == [stored]  # a one-item list reads back as its item (the recent list)
    return False


def _absolute(path: Path) -> Path:
    """The path with symlinks resolved where they can be; as given (made absolute) for one that
    cannot be resolved, such as a symlink loop (`resolve` raises RuntimeError for that)."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))
