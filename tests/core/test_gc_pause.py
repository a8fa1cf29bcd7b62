"""without_gc pauses the cyclic collector for the call, nests, and always turns it back on;
BulkLoad pauses it across a stepwise load, then freezes what the load made."""

from __future__ import annotations

import gc

import pytest

from annotator.services.gc_pause import BulkLoad, without_gc


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


def test_a_bulk_load_pauses_then_freezes_then_releases() -> None:
    """BulkLoad: paused from begin to end; what is alive at the end is frozen (later full
    collections skip it) until release hands it back."""
    load = BulkLoad()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    load.begin()
    assert not gc.isenabled()
    made = [[] for _ in range(1000)]  # tracked objects made while paused
    load.end()
    assert gc.isenabled() and gc.get_freeze_count() >= len(made)
    load.begin()  # the next load releases the last one's objects first
    assert not gc.isenabled() and gc.get_freeze_count() == 0
    load.release()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_bulk_load_leaves_a_collector_paused_by_someone_else_alone() -> None:
    gc.disable()
    try:
        load = BulkLoad()
        load.begin()
        load.end()
        assert not gc.isenabled() and gc.get_freeze_count() == 0
        load.release()
        assert not gc.isenabled()
    finally:
        gc.enable()
