"""Property: any sequence of imports and merges of hostile inputs (NUL and control characters,
texts over the size limit, malformed JSON columns, rows that break schema.sql's CHECKs, wrong
types, duplicate ids) leaves the project openable and passing `check`, and every refusal is a
one-line message that left the project's bytes as they were."""

from __future__ import annotations

import json
from pathlib import Path

import fixtures_hostile as fh
import pytest
from fuzz_helpers import (
    FUZZ,
    apply_hostile,
    assert_clean_outcome,
    hostile_text,
    json_mutations,
    mutate_json,
    sql_mutations,
)
from hypothesis import given
from hypothesis import strategies as st
from merge_helpers import rich_pair

from annotator.domain import content_rules
from annotator.io.formats import ExportOptions, import_format
from annotator.services.exchange_files import export_file, import_file
from annotator.services.merge import merge
from annotator.services.project import Project

LIMIT = 400  # a small text limit (monkeypatched) makes "oversized" texts cheap

texts = st.one_of(
    hostile_text,
    st.just("The mayor spoke."),
    st.integers(LIMIT // 5, LIMIT // 2).map(lambda n: "word " * n),  # over or near the limit
)


@st.composite
def doccano_lines(draw: st.DrawFn) -> str:
    rows = []
    for _ in range(draw(st.integers(1, 3))):
        text = draw(texts)
        label = [draw(st.integers(-2, 30)), draw(st.integers(-2, 30)), draw(st.sampled_from(
            ["actor", "claim", "", "new label", "\x00"]))]  # fmt: skip
        rows.append({"text": text, "label": draw(st.sampled_from([[label], [], [label, label]]))})
    return "\n".join(json.dumps(row) for row in rows) + "\n"


steps = st.one_of(
    st.tuples(st.just("doccano"), doccano_lines()),
    st.tuples(st.just("json"), json_mutations()),
    st.tuples(st.just("merge"), sql_mutations()),
)


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    """A rich project's JSON export, and a colleague's copy of that project."""
    folder = tmp_path_factory.mktemp("seeds")
    _, b_path, _ = rich_pair(folder)
    with Project.open(b_path, annotator_name="Bob") as project:
        export_file(project, "json", folder / "b.json", ExportOptions())
    return json.loads((folder / "b.json").read_bytes()), b_path


@FUZZ
@given(sequence=st.lists(steps, min_size=1, max_size=4))
def test_any_sequence_of_hostile_imports_and_merges(
    seeds, tmp_path_factory, monkeypatch, sequence
) -> None:
    monkeypatch.setattr(content_rules, "MAX_TEXT_BYTES", LIMIT)
    exported, colleague = seeds
    folder = tmp_path_factory.mktemp("sequence")
    mine = folder / "mine.annotator"
    Project.create(mine, name="Mine", annotator_name="Fuzzer").close()
    for index, (kind, step) in enumerate(sequence):
        if kind == "merge":
            theirs = fh.copy_project(colleague, folder / f"theirs{index}.annotator")
            apply_hostile(theirs, step)
            assert_clean_outcome(mine, lambda p, other=theirs: merge(p, other, backup=False))
            continue
        source = folder / f"in{index}.{'jsonl' if kind == 'doccano' else 'json'}"
        if kind == "doccano":
            source.write_text(step, "utf-8")
        else:
            source.write_text(json.dumps(mutate_json(exported, step)), "utf-8")
        fmt = import_format(kind)
        assert_clean_outcome(mine, lambda p, f=fmt, s=source: import_file(p, f.key, s))
