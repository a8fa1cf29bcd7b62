"""Counts in reports read as English: "1 span", "2 spans"."""

from __future__ import annotations

import pytest

from annotator.domain.merge_report import MergeReport
from annotator.domain.wording import counted


@pytest.mark.parametrize(
    ("kind", "n", "reads"),
    [
        ("spans", 1, "span"),
        ("spans", 2, "spans"),
        ("spans", 0, "spans"),
        ("entities", 1, "entity"),
        ("statuses", 1, "status"),
        ("tag types", 1, "tag type"),
        ("history entries", 1, "history entry"),
        ("links: an endpoint is not here", 1, "link: an endpoint is not here"),
        ("links: an endpoint is not here", 3, "links: an endpoint is not here"),
    ],
)
def test_counted(kind, n, reads) -> None:
    assert counted(kind, n) == reads


def test_merge_summary_says_one_link_not_one_links() -> None:
    report = MergeReport(source="b.annotator")
    report.count("added", "links")
    report.count("added", "spans", 2)
    report.count("skipped", "entities: unchanged or older")
    lines = report.summary().splitlines()
    assert "added: 1 link, 2 spans" in lines
    assert "skipped: 1 entity: unchanged or older" in lines
