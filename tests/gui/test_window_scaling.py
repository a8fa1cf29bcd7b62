"""Regression guards for the window's speed, by counts (stable on a noisy machine): the table
models' data() calls per open, SQL statements per open and per tag key, and no model reset on
an edit. Each compares a small and a ten times larger document through the real MainWindow."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from window_helpers import build_project, open_window

from annotator.gui.main_window import MainWindow
from annotator.gui.session import ProjectSession


class StatementCounter:
    """Counts SQL statements on every sqlite3 connection opened while installed."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, _statement: str) -> None:
        self.count += 1


@contextmanager
def counting_statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    connect = sqlite3.connect

    def traced(*args, **kwargs):
        connection = connect(*args, **kwargs)
        connection.set_trace_callback(counter)
        return connection

    with monkeypatch.context() as patch:
        patch.setattr(sqlite3, "connect", traced)
        yield counter


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scaling")
    return {
        "small": build_project(folder / "small.annotator", 300),
        "large": build_project(folder / "large.annotator", 3_000),
        "many": build_project(folder / "many.annotator", 300, documents=30),
    }


def opened(qtbot, monkeypatch, path: Path) -> tuple[MainWindow, int, int, int]:
    """A window over the project; SQL statements, table data() calls and rows built."""
    with counting_statements(monkeypatch) as counter:
        window = open_window(qtbot, path)
        statements = counter.count
    tables = window.tables
    calls = tables.span_model.data_calls + tables.link_model.data_calls
    built = tables.span_model.rows_built + tables.link_model.rows_built
    return window, statements, calls, built


def test_an_open_costs_the_same_for_ten_times_the_spans(qtbot, monkeypatch, projects) -> None:
    small, small_sql, small_calls, small_built = opened(qtbot, monkeypatch, projects["small"])
    large, large_sql, large_calls, large_built = opened(qtbot, monkeypatch, projects["large"])
    assert large.tables.span_model.rowCount() == 3_000
    # Rows are formatted for the rows on screen only (a 3,000-row reset used to format them
    # all), and data() is asked for those: at the first screen and once per slice of rows
    # the tables take while the spans arrive (a few more slices for ten times the spans;
    # formatting every row would be 18,000 calls).
    assert 0 < small_built <= small_calls and large_built <= small_built + 50
    assert large_calls <= small_calls * 6 + 50
    # Statements: a fixed number, plus one per chunk of 5,000 spans loaded after the first
    # screen (a chunk is a few statements) - never one per span.
    assert large_sql <= small_sql + 20, (small_sql, large_sql)
    many = opened(qtbot, monkeypatch, projects["many"])[1]
    assert many <= small_sql + 20, (small_sql, many)  # nor one per document
    for window in (small, large):
        window.session.close()


def tag_and_undo(qtbot, window: MainWindow, monkeypatch) -> tuple[int, int, list[str]]:
    """Tag a word by key, then undo by key; SQL statements of each and model signals seen."""
    view, session = window.view, window.session
    seen: list[str] = []
    models = [window.tables.span_model, window.tables.link_model, window.documents.model]
    for model in models:
        model.modelReset.connect(lambda m=model: seen.append(f"reset {type(m).__name__}"))
    window.tables.span_model.rowsInserted.connect(lambda *_: seen.append("inserted"))
    window.tables.span_model.rowsRemoved.connect(lambda *_: seen.append("removed"))
    view.setFocus()
    view.set_selection(4, 11)
    before = session.undo_stack.index()
    with counting_statements(monkeypatch) as counter:
        # Already open connections are traced too: the store keeps them pooled.
        for connection in _open_connections(session):
            connection.set_trace_callback(counter)
        qtbot.keyClick(view, "1")
        session.flush()
        tag = counter.count
        assert session.undo_stack.index() == before + 1
        counter.count = 0
        qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        session.flush()
        undo = counter.count
        assert session.undo_stack.index() == before
    return tag, undo, seen


def _open_connections(session: ProjectSession) -> list[sqlite3.Connection]:
    store = session.project.store
    out = []
    edit = getattr(store, "_edit_connection", None)
    if edit is not None:
        out.append(edit.driver_connection)
    pool = store.engine.pool
    for record in list(pool._pool.queue):
        if record.dbapi_connection is not None:
            out.append(record.dbapi_connection)
    return out


def test_a_tag_key_and_its_undo_neither_reset_nor_scale(qtbot, monkeypatch, projects) -> None:
    results = {}
    for name in ("small", "large"):
        window = open_window(qtbot, projects[name])
        results[name] = tag_and_undo(qtbot, window, monkeypatch)
        window.session.close()
    for tag, undo, seen in results.values():
        assert not [s for s in seen if s.startswith("reset")], seen  # rows move, never a reset
        assert seen == ["inserted", "removed"], seen
        assert tag > 0 and undo > 0
    (small_tag, small_undo, _), (large_tag, large_undo, _) = results["small"], results["large"]
    assert large_tag <= small_tag + 2, (small_tag, large_tag)
    assert large_undo <= small_undo + 2, (small_undo, large_undo)
