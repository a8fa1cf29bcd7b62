"""The timeline counted in SQL equals the Python folds in `timeline`: the chart's points (events
per lane, date and kind of date), the events behind each point, and the claims' spread (rows,
order, and each claim's spans) for filters drawn by hypothesis on a generated project; the
spread falls back to the fold where SQL cannot count, and reads no claim span to paint."""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.services.analytics import timeline, timeline_pages
from annotator.services.analytics.dataset import load_dataset
from annotator.services.analytics.filters import AnalyticsFilter
from annotator.services.command import Compound
from annotator.services.project import Project
from annotator.services.schema_commands import AddAttribute
from annotator.services.span_commands import EditSpan
from tests.core.analytics_helpers import generate_project


@pytest.fixture(scope="module")
def project_path(tmp_path_factory) -> Path:
    """A generated project whose events also carry a second date attribute, given on some
    events only (with or without the first)."""
    path = tmp_path_factory.mktemp("timelinepages") / "generated.annotator"
    project = generate_project(path, seed=31, documents=18)
    project.run(AddAttribute("tag", "event", "reported", "Reported", "date"))
    with project.store.read() as session:
        found = [
            (s.uuid, s.attributes)
            for d in session.documents()
            for s in session.spans(d.uuid, project.annotator.uuid)
            if s.tag == "event"
        ]
    edits = []
    for number, (uuid, attributes) in enumerate(found):
        extra = dict(attributes)
        if number % 3 == 0:
            extra["reported"] = f"2022-0{number % 9 + 1}-1{number % 10}"
        if number % 7 == 1:
            extra.pop("date", None)
        edits.append(EditSpan(uuid, attributes=extra))
    project.run(Compound("dates", edits))
    project.close()
    return path


def _open(path: Path) -> Project:
    return Project.open(path, annotator_name="ana", read_only=True)


filters = st.builds(
    AnalyticsFilter,
    outlet=st.sampled_from(["", "global", "daily"]),
    published_from=st.sampled_from(["", "2024-02"]),
    published_to=st.sampled_from(["", "2024-05-15"]),
    tags=st.frozensets(st.sampled_from(["actor", "event", "claim"])),
    link_types=st.frozensets(st.sampled_from(["participates_in", "asserts", "supports"])),
    attributes=st.dictionaries(
        st.sampled_from(["stance", "date"]),
        st.frozensets(st.sampled_from(["critical", "neutral", "2023-03-03"]), min_size=1),
        max_size=1,
    ),
    layer=st.sampled_from(["mine", "all", "bob", "gold"]),
)


def _fold_points(events: list[timeline.TimelineEvent]) -> Counter:
    return Counter((lane, e.date, e.estimated) for e in events for lane in e.lanes)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(choice=filters, lanes=st.sampled_from(["actor", "document"]), merge=st.booleans())
def test_points_and_their_events_equal_the_fold(
    project_path: Path, choice, lanes: str, merge: bool
) -> None:
    with _open(project_path) as project:
        events = timeline.events(load_dataset(project, choice, merge_by_text=merge), lanes)
        data = load_dataset(project, choice, merge_by_text=merge)
        counts = timeline_pages.event_counts(data, lanes)
        assert counts.points == dict(_fold_points(events))
        assert counts.events == len(events)
        assert counts.estimated == sum(e.estimated for e in events)
        kept, _other = timeline_pages.busiest_lanes(counts.points, 3)  # a shared lane too
        for lane, date, estimated in counts.points:
            shown = lane if lane in kept else "(more lanes)"
            found = timeline_pages.point_events(data, counts, shown, date, estimated, kept)
            expected = [
                (e.span, e.label)
                for e in events
                if e.date == date
                and e.estimated == estimated
                and (lane in e.lanes if lane in kept else set(e.lanes) - set(kept))
            ]
            assert sorted(found) == sorted(expected)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(choice=filters.map(lambda f: AnalyticsFilter(**{**f.__dict__, "attributes": {}})))
def test_spread_rows_equal_the_fold(project_path: Path, choice) -> None:
    with _open(project_path) as project:
        expected = timeline_pages.folded_rows(load_dataset(project, choice))
        table = timeline_pages.SpreadTable(load_dataset(project, choice))
        assert table.paged
        assert [r[:5] for r in table.rows] == [r[:5] for r in expected]
        for row, folded in zip(table.rows, expected, strict=True):
            assert table.spans(row) == list(folded.spans)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(merge=st.booleans(), stance=st.booleans())
def test_where_sql_cannot_count_the_spread_is_the_fold(project_path: Path, merge, stance) -> None:
    choice = AnalyticsFilter(
        layer="all", attributes={"stance": frozenset({"critical"})} if stance else {}
    )
    if not merge and not stance:
        merge = True
    with _open(project_path) as project:
        table = timeline_pages.SpreadTable(load_dataset(project, choice, merge_by_text=merge))
        expected = timeline_pages.folded_rows(load_dataset(project, choice, merge_by_text=merge))
        assert not table.paged
        assert table.rows == expected


def test_a_file_with_missing_span_keys_uses_the_fold(project_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.annotator"
    shutil.copy(project_path, copy)
    with sqlite3.connect(copy) as db:
        db.execute("DELETE FROM span_keys WHERE rowid IN (SELECT rowid FROM span_keys LIMIT 3)")
    with _open(copy) as project:
        table = timeline_pages.SpreadTable(load_dataset(project, AnalyticsFilter(layer="all")))
        assert not table.paged
        assert table.rows == timeline_pages.folded_rows(
            load_dataset(project, AnalyticsFilter(layer="all"))
        )


def test_counting_folds_no_event_or_claim_span(project_path: Path, monkeypatch) -> None:
    """The points and the spread come from grouped rows: neither fold runs (beyond the few
    events the chart names) and no span row is read per event or claim."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("folded every span")

    monkeypatch.setattr(timeline_pages, "NAMED_EVENTS", 0)
    monkeypatch.setattr(timeline, "events", refuse)
    monkeypatch.setattr(timeline, "claim_spread", refuse)
    monkeypatch.setattr("annotator.services.analytics.dataset.span_facts", refuse)
    with _open(project_path) as project:
        data = load_dataset(project, AnalyticsFilter(layer="all"))
        counts = timeline_pages.event_counts(data)
        assert counts.events > 0 and not counts.names
        assert timeline_pages.SpreadTable(data).paged


def test_two_claim_texts_under_one_hash_fold_the_spread(project_path: Path, tmp_path: Path):
    copy = tmp_path / "collide.annotator"
    shutil.copy(project_path, copy)
    with sqlite3.connect(copy) as db:
        keys = db.execute(
            "SELECT k.tag_type_id, k.text_hash FROM span_keys k JOIN tag_types t "
            "ON t.id = k.tag_type_id WHERE t.key = 'claim' AND k.entity_id IS NULL "
            "GROUP BY 1, 2 LIMIT 2"
        ).fetchall()
        assert len(keys) == 2
        db.execute(  # the second text now stored under the first's hash
            "UPDATE span_keys SET text_hash = ? WHERE tag_type_id = ? AND text_hash = ?",
            (keys[0][1], keys[1][0], keys[1][1]),
        )
    with _open(copy) as project:
        choice = AnalyticsFilter(layer="all")
        table = timeline_pages.SpreadTable(load_dataset(project, choice))
        merged = next(r for r in table.rows if r.group == ("text", keys[0][0], keys[0][1]))
        assert table.spans(merged) is None
        assert table.refolded and not table.paged
        assert table.rows == timeline_pages.folded_rows(load_dataset(project, choice))
