"""store.large_blocks: once a project is opened, a large block freed (a document's text read
whole) goes back to the system, however many were freed before (glibc would otherwise raise its
mapping threshold after the first and keep the next ones' pages in the heap)."""

from __future__ import annotations

import sys

import pytest

from annotator.store.large_blocks import release_large_blocks

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")

MB = 1024 * 1024


def _rss() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def test_freed_texts_leave_no_resident_pages(store) -> None:
    """`store` opened a project (ProjectStore.create → open): the threshold is fixed by now."""
    assert release_large_blocks()  # already done: stays so
    before = _rss()
    for size in (24 * MB, 20 * MB, 16 * MB):  # each one under the one freed before it
        text = "🗞" * (size // 4)  # a 4-bytes-a-character str, its pages written
        assert len(text) == size // 4
        del text
    assert _rss() - before < 8 * MB
