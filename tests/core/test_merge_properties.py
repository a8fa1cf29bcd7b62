"""Merge properties with hypothesis, on real files: two copies of one project edited apart
(same-millisecond edits included) merge to the same content either way round, a second merge
changes nothing, and whatever either side deleted stays deleted."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from merge_helpers import canonical, open_as, rich_pair

from annotator.errors import AnnotatorError
from annotator.services.entity_commands import SetStatus
from annotator.services.merge import merge
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan, DeleteSpans, EditSpan

SPANS = ("mayor", "claim", "meeting", "place", "jane", "engineers")
#: (tag, start, end) spans that fit the second document ("Second article.\nEngineers …")
NEW_SPANS = (("event", 0, 6), ("actor", 16, 25), ("claim", 7, 14))

operation = st.one_of(
    st.tuples(st.just("note"), st.sampled_from(SPANS), st.sampled_from(["x", "y", "z"])),
    st.tuples(st.just("delete"), st.sampled_from(SPANS)),
    st.tuples(st.just("create"), st.integers(0, len(NEW_SPANS) - 1)),
    st.tuples(
        st.just("status"), st.sampled_from(["doc1", "doc2"]), st.sampled_from(["new", "done"])
    ),
)


def _apply(project: Project, rich, operations: list[tuple], deleted: set[str]) -> None:
    for op in operations:
        try:
            if op[0] == "note":
                project.run(EditSpan(getattr(rich, op[1]), note=op[2]))
            elif op[0] == "delete":
                project.run(DeleteSpans([getattr(rich, op[1])]))
                deleted.add(getattr(rich, op[1]))
            elif op[0] == "create":
                tag, start, end = NEW_SPANS[op[1]]
                project.run(CreateSpan(rich.doc2, tag, [(start, end)]))
            else:
                project.run(SetStatus(getattr(rich, op[1]), op[2]))
        except AnnotatorError:
            pass  # e.g. editing a span this side already deleted


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    ours=st.lists(operation, max_size=6),
    theirs=st.lists(operation, max_size=6),
)
def test_merge_is_commutative_idempotent_and_respects_deletions(ours, theirs) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        a_path, b_path, rich = rich_pair(tmp)
        deleted: set[str] = {rich.deleted_span}
        with open_as(a_path, "Ada") as a:
            _apply(a, rich, ours, deleted)
        with open_as(b_path, "Bob") as b:
            _apply(b, rich, theirs, deleted)
        a2, b2 = tmp / "a2.annotator", tmp / "b2.annotator"
        a2.write_bytes(a_path.read_bytes())
        b2.write_bytes(b_path.read_bytes())
        with open_as(a_path, "Ada") as a:
            merge(a, b_path, backup=False)
            a_into = canonical(a)
            again = merge(a, b_path, backup=False)
            assert not again.changed
            assert canonical(a) == a_into
            assert a.store.integrity_check() == []
        with open_as(b2, "Bob") as b:
            merge(b, a2, backup=False)
            assert canonical(b) == a_into
        spans = {s["id"] for d in a_into["documents"] for s in d["spans"]}
        tombstones = {t["id"] for t in a_into["tombstones"]}
        assert not spans & deleted
        assert deleted <= tombstones
