"""The optional analytics libraries (pip install 'annotator[analytics]'), imported on demand."""

from __future__ import annotations

import importlib
from types import ModuleType

from annotator.errors import AnnotatorError

EXTRA_HINT = "install the analytics extra: pip install 'annotator[analytics]'"


class MissingExtra(AnnotatorError):
    """An optional library a view or export needs is not installed."""


def require(name: str) -> ModuleType:
    """Import `name` (networkx, matplotlib, openpyxl) or say how to install it."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise MissingExtra(f"{name} is not installed; {EXTRA_HINT}") from None
