"""The content validation is linear: no per-span SQL over document texts, and a number of
statements that does not grow with spans or documents (counts, not times); and it agrees with
the rules of the old SQL checklist on generated projects, while refusing every corruption."""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.domain.ids import new_uuid
from annotator.domain.model import Annotator, Document, DocumentInfo, Span, TagType
from annotator.domain.offsets import context_of, quote_of
from annotator.errors import ProjectFileError
from annotator.store import checks
from annotator.store.checks import open_read_only, run_checklist
from annotator.store.content_checks import validate_content
from annotator.store.ddl import schema_version
from annotator.store.project_store import ProjectStore

STAMP = "2026-01-01T00:00:00.000Z"


def build(path: Path, texts: list[str], fragments: list[list[tuple]]) -> Path:
    """A project with one document per text and, for each, spans over the given fragments."""
    annotator = Annotator(new_uuid(), "Ada", "", STAMP, STAMP)
    tag = TagType(new_uuid(), "actor", "Actor", "actor", "#1f77b4", created=STAMP, modified=STAMP)
    store = ProjectStore.create(path)
    try:
        with store.write() as session:
            session.insert_annotator(annotator)
            session.insert_tag_type(tag)
            spans = []
            for text, spans_fragments in zip(texts, fragments, strict=True):
                sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
                info = DocumentInfo(new_uuid(), "Doc", sha, len(text), imported=STAMP,
                                    created=STAMP, modified=STAMP)  # fmt: skip
                session.insert_document(Document(info, text))
                for pieces in spans_fragments:
                    prefix, suffix = context_of(text, pieces)
                    spans.append(Span(new_uuid(), info.uuid, annotator.uuid, "actor", pieces,
                                      quote_of(text, pieces), prefix, suffix,
                                      created=STAMP, modified=STAMP))  # fmt: skip
            session.bulk_insert_spans(spans)
    finally:
        store.close()
    return path


def _traced(path: Path) -> list[str]:
    statements: list[str] = []
    with closing(open_read_only(path)) as connection:
        connection.set_trace_callback(statements.append)
        validate_content(connection, path.name)
    return statements


def _project(tmp_path: Path, name: str, documents: int, spans: int) -> Path:
    text = "Zürich 😀 the ministry said on monday that talks would continue. " * 40
    every = [[((i * 7) % 2000, (i * 7) % 2000 + 5)] for i in range(spans)]
    every[0] = [(0, 6), (10, 20)]  # one discontinuous span
    texts = [f"{text}{number}" for number in range(documents)]  # sha256 is unique
    return build(tmp_path / name, texts, [every] * documents)


def test_statements_do_not_grow_with_spans_or_documents(tmp_path: Path) -> None:
    small = _traced(_project(tmp_path, "small.annotator", documents=2, spans=5))
    more_spans = _traced(_project(tmp_path, "spans.annotator", documents=2, spans=400))
    more_documents = _traced(_project(tmp_path, "docs.annotator", documents=40, spans=5))
    assert len(small) == len(more_spans) == len(more_documents), (small, more_spans)
    for statement in small + more_spans + more_documents:
        lowered = statement.lower()
        assert "substr(" not in lowered and "length(" not in lowered, statement


def test_the_whole_checklist_runs_no_substr_or_length(tmp_path: Path, monkeypatch) -> None:
    path = _project(tmp_path, "p.annotator", documents=3, spans=50)
    statements: list[str] = []
    original = checks.open_read_only

    def traced(*args, **kwargs) -> sqlite3.Connection:
        connection = original(*args, **kwargs)
        connection.set_trace_callback(statements.append)
        return connection

    monkeypatch.setattr(checks, "open_read_only", traced)
    run_checklist(path, full=True)
    assert any("FROM spans" in s for s in statements)
    assert not [s for s in statements if "substr(" in s.lower() or "length(" in s.lower()]


def test_the_table_pass_on_a_second_connection_reads_only(tmp_path, monkeypatch) -> None:
    """Large files check their tables on a second connection, in a thread: read-only too."""
    path = _project(tmp_path, "p.annotator", documents=3, spans=50)
    opened: list[sqlite3.Connection] = []
    original = checks.open_read_only

    def recording(*args, **kwargs) -> sqlite3.Connection:
        connection = original(*args, **kwargs)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            connection.execute("CREATE TABLE probe (x)")
        opened.append(connection)
        return connection

    monkeypatch.setattr(checks, "open_read_only", recording)
    monkeypatch.setattr(checks, "PARALLEL_FROM_BYTES", 0)
    assert run_checklist(path, full=True) == schema_version()
    assert len(opened) == 2


@pytest.mark.parametrize("cancel_at", [1, 3, 6, 10])
def test_cancel_ends_both_passes(tmp_path, monkeypatch, cancel_at) -> None:
    """Cancel (the GUI's button; the CLI's Ctrl+C takes the same path) while the table pass
    runs in its thread: the check says cancelled, and no thread or connection is left."""
    import threading

    from annotator.errors import CheckCancelledError

    path = _project(tmp_path, "p.annotator", documents=4, spans=300)
    monkeypatch.setattr(checks, "PARALLEL_FROM_BYTES", 0)
    calls = 0

    def steps(done: int, total: int, text: str) -> bool:
        nonlocal calls
        calls += 1
        return calls < cancel_at

    before = threading.active_count()
    with pytest.raises(CheckCancelledError):
        run_checklist(path, full=True, steps=steps)
    assert threading.active_count() == before
    assert not [t for t in threading.enumerate() if t.name == "checklist-tables"]


# -- the old rules as an oracle ------------------------------------------------------------------
OLD_RULES = (  # the SQL checklist this one replaced (offsets, extents, order, quotes)
    "SELECT 1 FROM span_fragments f JOIN spans s ON s.id = f.span_id JOIN documents d ON "
    'd.id = s.document_id WHERE f."end" > length(d.text)',
    'SELECT 1 FROM spans s JOIN documents d ON d.id = s.document_id WHERE s."end" > length(d.text)',
    'SELECT 1 FROM spans s LEFT JOIN (SELECT span_id, min(start) AS lo, max("end") AS hi, '
    "count(*) AS n, max(ordinal) AS top FROM span_fragments GROUP BY span_id) f ON "
    'f.span_id = s.id WHERE f.span_id IS NULL OR f.lo <> s.start OR f.hi <> s."end" OR '
    "f.top <> f.n - 1",
    "SELECT 1 FROM span_fragments a JOIN span_fragments b ON b.span_id = a.span_id AND "
    'b.ordinal = a.ordinal + 1 WHERE b.start < a."end"',
    "SELECT 1 FROM spans s JOIN documents d ON d.id = s.document_id WHERE (SELECT count(*) "
    "FROM span_fragments f WHERE f.span_id = s.id) = 1 AND s.quote <> substr(d.text, "
    's.start + 1, s."end" - s.start)',
)


def old_rules_accept(path: Path) -> bool:
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as connection:
        return not any(connection.execute(q).fetchone() for q in OLD_RULES)


def new_rules_accept(path: Path) -> bool:
    with closing(open_read_only(path)) as connection:
        try:
            validate_content(connection, path.name)
        except ProjectFileError:
            return False
    return True


ALPHABET = st.sampled_from([*"ab \nçé😀Ω\t.,", "日本"])


@st.composite
def projects(draw) -> tuple[list[str], list[list[tuple]]]:
    texts, all_spans = [], []
    for number in range(draw(st.integers(1, 3))):
        text = "".join(draw(st.lists(ALPHABET, min_size=2, max_size=60))) + str(number)
        spans = []
        for _ in range(draw(st.integers(0, 5))):
            cuts = sorted(draw(st.sets(st.integers(0, len(text)), min_size=2, max_size=6)))
            pairs = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
            spans.append(tuple(pairs))
        texts.append(text)
        all_spans.append(spans)
    return texts, all_spans


CORRUPTIONS = {
    "quote": "UPDATE spans SET quote = quote || 'x' WHERE id = (SELECT min(id) FROM spans)",
    "prefix": "UPDATE spans SET prefix = 'x' || prefix WHERE id = (SELECT min(id) FROM spans)",
    "suffix": "UPDATE spans SET suffix = suffix || 'y' WHERE id = (SELECT min(id) FROM spans)",
    "end past the text": 'UPDATE spans SET "end" = "end" + 1000 WHERE id = '
    "(SELECT min(id) FROM spans)",
    "fragment moved": "UPDATE span_fragments SET start = start + 1 WHERE rowid = "
    "(SELECT min(rowid) FROM span_fragments)",
    "attributes": "UPDATE spans SET attributes = '{' WHERE id = (SELECT min(id) FROM spans)",
    "text with a control": "UPDATE documents SET text = text || char(1)",
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(project=projects(), corruption=st.one_of(st.none(), st.sampled_from(sorted(CORRUPTIONS))))
def test_new_rules_accept_what_the_old_accepted_and_refuse_corruptions(project, corruption):
    texts, spans = project
    with tempfile.TemporaryDirectory() as folder:
        path = build(Path(folder) / "p.annotator", texts, spans)
        assert new_rules_accept(path) and old_rules_accept(path)
        if corruption is None or not any(spans):
            return
        with closing(sqlite3.connect(path, isolation_level=None)) as connection:
            connection.execute("PRAGMA ignore_check_constraints = ON")  # as a hostile tool
            connection.execute(CORRUPTIONS[corruption])
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert not new_rules_accept(path), corruption


def test_rowids_at_both_ends_of_the_range_are_checked_in_a_few_steps(tmp_path: Path) -> None:
    """A hostile file may put rowids at -2^63 and 2^63-1: the UTF-8 pass walks chunks of the
    rows there are, not the rowid range (which took ~10^15 steps: the checklist hung)."""
    from fixtures_hostile import run_sql

    path = build(tmp_path / "p.annotator", ["Some text."], [[((0, 4),)]])
    run_sql(
        path,
        *(
            f"INSERT INTO annotators (id, uuid, name, created, modified) "
            f"VALUES ({rowid}, '{new_uuid()}', 'Edge {n}', '{STAMP}', '{STAMP}')"
            for n, rowid in enumerate((-(2**63), 2**63 - 1))
        ),
    )
    assert len(_traced(path)) < 200
    assert run_checklist(path, full=True) == schema_version()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("'{\"a\": 1}' || char(0) || '{}'", "attributes that is not valid JSON"),  # one NUL
        ("'[1, 2]'", "attributes that is not a JSON object"),
        ("'{\"a\": \"' || char(0) || '\"}'", "attributes that is not valid JSON"),
        ("CAST(X'7B2261223A2022FF227D' AS TEXT)", "spans holds text that is not valid UTF-8"),
    ],
)
@pytest.mark.parametrize("chunk_rows", [2, 50_000])
def test_a_chunk_that_fails_is_read_again_row_by_row(tmp_path, monkeypatch, value, expected,
                                                     chunk_rows) -> None:  # fmt: skip
    """The columns are checked a chunk of rows at a time (values joined by NUL): a NUL inside
    a value, a value of the wrong kind or bytes that are not UTF-8 send the chunk to the row by
    row check, which names the span; the other spans' valid JSON passes."""
    from fixtures_hostile import run_sql

    from annotator.store import column_checks

    monkeypatch.setattr(column_checks, "CHUNK_ROWS", chunk_rows)
    path = _project(tmp_path, "p.annotator", documents=2, spans=5)
    run_sql(path, 'UPDATE spans SET attributes = \'{"ok": [1, "é"]}\'')
    assert new_rules_accept(path)
    run_sql(path, f"UPDATE spans SET attributes = {value} WHERE id = (SELECT max(id) FROM spans)")
    with closing(open_read_only(path)) as connection, pytest.raises(ProjectFileError) as caught:
        validate_content(connection, path.name)
    assert expected in str(caught.value)
