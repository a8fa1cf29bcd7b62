"""Keep PySide6 from caching the source of every module the app imports (about 20 MB).

PySide6's `__feature__` support asks of each module imported after it whether it uses PySide6,
by `inspect.getsource(module)`, which loads the module's whole source into `linecache` and
keeps it there for the life of the process: about 21 MB of the app's import memory (measured
with tracemalloc; SQLAlchemy's source alone is most of it). The same question is answered here
by reading the file's bytes, which are then dropped. Installed once, from annotator/gui's
__init__, before any other module of the app is imported. Where PySide6 is laid out differently
(another version), nothing is changed."""

from __future__ import annotations

import sys
from types import ModuleType

import PySide6.QtCore  # noqa: F401  (loads shibokensupport.feature, whose hook this replaces)


def install() -> bool:
    """Replace the source scan; True when it was replaced (or already was)."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None:
        return False
    if getattr(original, "_annotator_bytes_scan", False):
        return True

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not (isinstance(path, str) and path.endswith(".py")):
            return original(module)  # built-in, compiled or source-less: PySide6's own answer
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return False  # as inspect.getsource failing: PySide6 answers False then too

    uses_pyside._annotator_bytes_scan = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[union-attr]
    return True
