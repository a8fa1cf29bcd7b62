"""A registry of named entries whose built-in ones register themselves when their modules are
first imported (lazily: the modules may import the registry's owner freely). Document importers
(io/documents/registry.py) and exchange formats (io/formats/__init__.py) each keep one."""

from __future__ import annotations

import importlib
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Entries by key, in registration order; `modules` are imported on the first lookup."""

    def __init__(self, modules: tuple[str, ...]) -> None:
        self.modules = modules
        self._entries: dict[str, T] = {}
        self._loaded = False

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            for module in self.modules:
                importlib.import_module(module)

    def add(self, key: str, entry: T) -> T:
        """Register entry under key (replacing one of the same key) and return it."""
        self._entries[key] = entry
        return entry

    def remove(self, key: str) -> None:
        self._entries.pop(key, None)

    def all(self) -> tuple[T, ...]:
        self._load()
        return tuple(self._entries.values())

    def get(self, key: str) -> T | None:
        self._load()
        return self._entries.get(key)

    def keys(self) -> list[str]:
        self._load()
        return list(self._entries)
