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


def test_values_and_choices_read_without_a_repr() -> None:
    from annotator.domain.wording import as_reason, one_of, quoted

    assert quoted("state") == "\u201cstate\u201d"
    assert quoted(["a", "b"]) == "\u201ca, b\u201d" and quoted(True) == "\u201cyes\u201d"
    assert one_of(["country", "region", "city"]) == (
        "\u201ccountry\u201d, \u201cregion\u201d or \u201ccity\u201d"
    )
    reason = as_reason(KeyError("There is no item named 'META-INF/container.xml' in the archive"))
    assert reason == "There is no item named \u2018META-INF/container.xml\u2019 in the archive"
    for raw in ("[", "'", '"', "Error"):
        assert raw not in as_reason(ValueError("zipfile.BadZipError: ['x'] \"y\""))
    assert as_reason(ValueError("")) == "the file could not be parsed"
