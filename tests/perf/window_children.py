"""The child side of bench_window.py: one fresh process measures one case through the real
window (paint probe, bare QPlainTextEdit baseline, key presses) and prints one JSON line."""

from __future__ import annotations

import gc
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from perf_data import ANNOTATOR_NAME, DEFAULT_WORKDIR, median, peak_rss_mb

WIDTH, HEIGHT = 1200, 900
EDITS = 10  # tag keys (and as many undos) per process


class PaintProbe:
    """Counts paint events of a widget (the reading view's viewport)."""

    def __init__(self, widget: Any) -> None:
        from PySide6.QtCore import QEvent, QObject

        probe = self

        class _Filter(QObject):
            def eventFilter(self, _watched: Any, event: Any) -> bool:
                if event.type() == QEvent.Type.Paint:
                    probe.count += 1
                return False

        self.count = 0
        self._filter = _Filter()
        widget.installEventFilter(self._filter)


def _wait_paint(app: Any, probe: PaintProbe, before: int, limit_s: float = 600.0) -> None:
    deadline = time.perf_counter() + limit_s
    while probe.count == before:
        app.processEvents()
        if time.perf_counter() > deadline:
            raise RuntimeError("the reading pane never painted")


def _bare_open(app: Any, text: str) -> float:
    from PySide6.QtWidgets import QPlainTextEdit

    widget = QPlainTextEdit()
    widget.setReadOnly(True)
    widget.resize(WIDTH, HEIGHT)
    probe = PaintProbe(widget.viewport())
    started = time.perf_counter()
    widget.setPlainText(text)
    widget.show()
    _wait_paint(app, probe, 0)
    elapsed = time.perf_counter() - started
    widget.close()
    widget.deleteLater()
    app.processEvents()
    return elapsed * 1000


def _document_text(path: Path, index: int = 0) -> str:
    import sqlite3

    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = connection.execute(
            "SELECT text FROM documents ORDER BY id LIMIT 1 OFFSET ?", (index,)
        ).fetchone()
    finally:
        connection.close()
    return row[0]


def _app(skip_checklist: bool, *, import_app: bool = True) -> Any:
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("AnnotatorBench")
    QCoreApplication.setApplicationName("AnnotatorBench")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    folder = str(DEFAULT_WORKDIR / "settings")
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, folder)
    if skip_checklist:
        import annotator.store.project_store as project_store
        from annotator.store.checks import read_header

        project_store.run_checklist = lambda path, **_: read_header(path)[0]
    if import_app:  # before any clock starts (start-up is measured elsewhere)
        import annotator.gui.app  # noqa: F401

    app = QApplication.instance() or QApplication([])
    _bare_open(app, "warm up " * 2000)  # fonts, the raster engine, the first widget
    return app


def _open_window(app: Any, path: Path) -> tuple[Any, Any, float, float]:
    """Application.open_project(path) until the reading pane painted the first document.

    Returns the application, its window, the whole time in ms (project file → first frame,
    window construction included) and the time from `open_document` to the first frame."""
    from annotator.gui import main_window
    from annotator.gui.app import Application
    from annotator.gui.session import ProjectSession
    from annotator.gui.settings import Settings

    settings = Settings()
    # The generated spans are this annotator's: "My layer" (the default) shows all of them.
    settings.annotator_name = ANNOTATOR_NAME
    application = Application(app, settings)
    holder: dict[str, Any] = {}
    original = main_window.MainWindow.__init__
    original_open = ProjectSession.open_document

    def init(window: Any, *args: Any, **kwargs: Any) -> None:
        original(window, *args, **kwargs)
        window.resize(WIDTH, HEIGHT)
        holder["probe"] = PaintProbe(window.view.viewport())

    def open_document(session: Any, uuid: str) -> None:
        holder.setdefault("document", time.perf_counter())
        original_open(session, uuid)

    main_window.MainWindow.__init__ = init  # type: ignore[method-assign]
    ProjectSession.open_document = open_document  # type: ignore[method-assign]
    started = time.perf_counter()
    try:
        if not application.open_project(path):
            raise RuntimeError(f"could not open {path}")
    finally:
        main_window.MainWindow.__init__ = original  # type: ignore[method-assign]
        ProjectSession.open_document = original_open  # type: ignore[method-assign]
    window = application.window
    probe = holder["probe"]
    while not (probe.count and window.view.text()):
        before = probe.count
        _wait_paint(app, probe, before)
    ended = time.perf_counter()
    if not window.view._index._spans:  # the frame must show spans
        raise RuntimeError("the reading pane shows no spans (wrong layer?)")
    return application, window, (ended - started) * 1000, (ended - holder["document"]) * 1000


def _settle(app: Any) -> None:
    for _ in range(3):
        app.processEvents()


def _loaded(app: Any, window: Any) -> None:
    """Wait until the document's spans and links are all in and counted."""
    content = window.session.content()
    while not (content.complete and window.documents.model.counts_known):
        app.processEvents()
    _settle(app)


def child_open(path: Path, order: str, skip: bool) -> dict[str, Any]:
    app = _app(skip)
    text = _document_text(path)
    gc.collect()
    result: dict[str, Any] = {}

    def app_step() -> None:
        _application, _window, whole, document = _open_window(app, path)
        result["app"], result["document"] = whole, document

    def base_step() -> None:
        result["base"] = _bare_open(app, text)

    steps: list[Callable[[], None]] = [base_step, app_step]
    if order == "app-first":
        steps.reverse()
    for step in steps:
        step()
        gc.collect()
    return result


def _visible_selection(window: Any, k: int) -> tuple[int, int]:
    """A word-sized range on screen, different for each k."""
    view = window.view
    block = view.firstVisibleBlock()
    for _ in range(k % 5):
        if block.next().isValid():
            block = block.next()
    start = view._map.to_cp(block.position()) + 7 * (k + 1)
    return start, start + 6


class ServiceClock:
    """Time spent inside the services' commands (do/undo: the transaction, the store), to
    tell the window's own share of a key press from the core's."""

    def __init__(self) -> None:
        from annotator.services.command import Command

        self.spent = 0.0
        clock = self
        for name in ("do", "undo"):
            original = getattr(Command, name)

            def timed(command: Any, project: Any, _original: Any = original) -> Any:
                started = time.perf_counter()
                try:
                    return _original(command, project)
                finally:
                    clock.spent += time.perf_counter() - started

            setattr(Command, name, timed)

    def take(self) -> float:
        spent, self.spent = self.spent, 0.0
        return spent * 1000


def child_edit(path: Path, skip: bool) -> dict[str, Any]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    app = _app(skip)
    services = ServiceClock()
    _application, window, opened, _ = _open_window(app, path)
    window.activateWindow()
    view = window.view
    view.setFocus()
    _loaded(app, window)
    probe = PaintProbe(view.viewport())
    tags, undos, tags_settled, undos_settled = [], [], [], []
    tag_core, undo_core = [], []
    for k in range(EDITS):
        view.set_selection(*_visible_selection(window, k))
        _settle(app)
        services.take()
        before = probe.count
        started = time.perf_counter()
        QTest.keyClick(view, "1")
        _wait_paint(app, probe, before)
        tags.append((time.perf_counter() - started) * 1000)
        tag_core.append(services.take())
        if window.session.undo_stack.index() != 1:
            raise RuntimeError("the tag key did not create a span")
        _settle(app)
        tags_settled.append((time.perf_counter() - started) * 1000)
        before = probe.count
        started = time.perf_counter()
        QTest.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        _wait_paint(app, probe, before)
        undos.append((time.perf_counter() - started) * 1000)
        undo_core.append(services.take())
        if window.session.undo_stack.index() != 0:
            raise RuntimeError("Ctrl+Z did not undo")
        _settle(app)
        undos_settled.append((time.perf_counter() - started) * 1000)
    return {
        "open": opened,
        "tag": median(tags),
        "undo": median(undos),
        "tag_settled": median(tags_settled),
        "undo_settled": median(undos_settled),
        "tag_window": median([a - b for a, b in zip(tags, tag_core, strict=True)]),
        "undo_window": median([a - b for a, b in zip(undos, undo_core, strict=True)]),
        "tag_core": median(tag_core),
        "undo_core": median(undo_core),
    }


def child_next(path: Path, skip: bool) -> dict[str, Any]:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    app = _app(skip)
    _application, window, opened, _ = _open_window(app, path)
    window.activateWindow()
    view = window.view
    view.setFocus()
    _loaded(app, window)
    probe = PaintProbe(view.viewport())
    times, settled = [], []
    first = window.session.current_document
    for _ in range(EDITS):
        before = probe.count
        current = window.session.current_document
        started = time.perf_counter()
        QTest.keyClick(view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
        _wait_paint(app, probe, before)
        times.append((time.perf_counter() - started) * 1000)
        _settle(app)
        settled.append((time.perf_counter() - started) * 1000)
        if window.session.current_document == current:
            raise RuntimeError("Ctrl+PgDown did not move to the next document")
    if window.session.current_document == first:
        raise RuntimeError("no document change")
    return {"open": opened, "next": median(times), "next_settled": median(settled)}


def child_load(path: Path, skip: bool) -> dict[str, Any]:
    """After the first frame: how long the rest of the document takes to arrive, and the
    longest the event loop is blocked meanwhile (what a key press would wait)."""
    app = _app(skip)
    _application, window, opened, document = _open_window(app, path)
    content = window.session.content()
    started = last = time.perf_counter()
    stall = 0.0
    while not (content.complete and window.documents.model.counts_known):
        app.processEvents()
        now = time.perf_counter()
        stall, last = max(stall, now - last), now
    return {
        "open": opened,
        "document": document,
        "rest": (time.perf_counter() - started) * 1000,
        "stall": stall * 1000,
        "spans": len(content.spans),
    }


def child_memory(path: Path, kind: str, skip: bool) -> dict[str, Any]:
    app = _app(skip, import_app=kind != "base")  # the bare process imports no app module
    if kind == "base":
        text = _document_text(path)
        _bare_open(app, text)
        from PySide6.QtWidgets import QPlainTextEdit

        keep = QPlainTextEdit()
        keep.setReadOnly(True)
        keep.resize(WIDTH, HEIGHT)
        keep.setPlainText(text)
        keep.show()
        _settle(app)
    else:
        _application, window, _, _ = _open_window(app, path)
        _loaded(app, window)
    return {"peak_mb": peak_rss_mb()}


def child_arcs(path: Path, skip: bool) -> dict[str, Any]:
    """Full repaints of the reading pane with every link's arc shown ("Show all links"), at
    five places of the document, against the same repaints with links hidden and a bare
    QPlainTextEdit of the same text, font and column."""
    from PySide6.QtWidgets import QPlainTextEdit

    app = _app(skip)
    _application, window, opened, _ = _open_window(app, path)
    _loaded(app, window)
    view = window.view
    viewport = view.viewport()
    text = view.text()
    places = [int(len(text) * f) for f in (0.1, 0.3, 0.5, 0.7, 0.9)]

    def repaints() -> tuple[list[float], list[int]]:
        times, drawn = [], []
        for cp in places:
            view.scroll_top_to(cp)
            viewport.repaint()  # the first paint lays the place out and routes its arcs
            for _ in range(5):
                started = time.perf_counter()
                viewport.repaint()
                times.append((time.perf_counter() - started) * 1000)
            drawn.append(len(view._drawn.arcs) + len(view._drawn.chips))
        return times, drawn

    hidden, _ = repaints()
    started = time.perf_counter()
    view.set_show_all_links(True)  # what View ▸ Show all links does, without the setting
    viewport.repaint()
    toggled = (time.perf_counter() - started) * 1000
    shown, drawn = repaints()
    view.set_show_all_links(False)
    bare = QPlainTextEdit()
    bare.setReadOnly(True)
    bare.setFont(view.font())
    bare.resize(view.size())
    bare.setViewportMargins(view.viewportMargins())
    bare.setPlainText(text)
    bare.show()
    app.processEvents()
    bare_times = []
    for cp in places:
        bare.verticalScrollBar().setValue(
            int(bare.verticalScrollBar().maximum() * cp / max(1, len(text)))
        )
        bare.viewport().repaint()
        for _ in range(5):
            started = time.perf_counter()
            bare.viewport().repaint()
            bare_times.append((time.perf_counter() - started) * 1000)
    return {
        "open": opened,
        "links": len(view._links),
        "hidden": median(hidden),
        "shown": median(shown),
        "shown_max": max(shown),
        "toggle": toggled,
        "bare": median(bare_times),
        "arcs_per_screen": median([float(d) for d in drawn]),
    }
