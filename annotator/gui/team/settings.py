"""The Team menu's remembered choices (over the application's Settings)."""

from __future__ import annotations

from annotator.gui.settings import Settings

#: Auto sync choices in minutes (0: off).
INTERVALS = (0, 5, 10, 15, 30, 60)


class TeamSettings:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @property
    def auto_minutes(self) -> int:
        value = self._settings._get("team/auto_minutes", 10, int)
        return value if value in INTERVALS else 10

    @auto_minutes.setter
    def auto_minutes(self, value: int) -> None:
        self._settings._set("team/auto_minutes", int(value))

    @property
    def sync_on_close(self) -> bool:
        return self._settings._get("team/sync_on_close", True, bool)

    @sync_on_close.setter
    def sync_on_close(self, value: bool) -> None:
        self._settings._set("team/sync_on_close", bool(value))
