"""without_gc pauses the cyclic collector for the call, nests, and always turns it back on."""

from __future__ import annotations

import gc

import pytest

from annotator.services.analytics.gc_pause import without_gc


def test_paused_inside_nested_and_restored_after_an_error() -> None:
    seen = []

    @without_gc
    def inner() -> None:
        seen.append(gc.isenabled())

    @without_gc
    def outer() -> None:
        inner()
        seen.append(gc.isenabled())  # still paused after the inner call
        raise RuntimeError("boom")

    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        outer()
    assert seen == [False, False]
    assert gc.isenabled()
    gc.disable()
    try:
        inner()
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()
