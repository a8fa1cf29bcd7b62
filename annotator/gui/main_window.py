"""The main window: composes the reading pane, panels, menus and status bar (no logic of its
own beyond wiring; the work is done by the controller, panels and file actions)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from annotator import __version__
from annotator.domain.changes import ChangeSet
from annotator.gui.actions import build_actions, build_menus
from annotator.gui.annotate import AnnotationController
from annotator.gui.app_theme import apply_theme
from annotator.gui.dialogs.search_bar import SearchBar
from annotator.gui.feedback import StatusFeedback
from annotator.gui.file_actions import FileActions
from annotator.gui.first_frame import AfterFirstFrame, LatePanels
from annotator.gui.layer_controls import LayerControls
from annotator.gui.layer_panes import ComparePanes, host_splitter
from annotator.gui.merge.actions import MergeActions
from annotator.gui.panels.annotations import AnnotationTables
from annotator.gui.panels.documents import DocumentListModel, DocumentsPanel
from annotator.gui.panels.inspector import Inspector
from annotator.gui.reading import ReadingView
from annotator.gui.retag import RetagChoiceMenu
from annotator.gui.search.tools import SearchTools
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.gui.tag_palette import TagPalette
from annotator.gui.team.menu import TeamMenu
from annotator.gui.tool_windows import show_tool_window
from annotator.gui.window_layout import WindowLayout
from annotator.gui.workflow import Workflow

ANALYTICS_TABS = ("network", "timeline", "claims", "statistics")

#: Actions that act on the reading pane only (their keys mean something else elsewhere).
VIEW_ACTIONS = (
    "cycle_span",
    "clear_selection",
    "delete",
    "grow_start",
    "shrink_start",
    "shrink_end",
    "grow_end",
)


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


class MainWindow(LatePanels, QMainWindow):
    """One window per open project. `open_requested(path)` asks the app to switch projects."""

    open_requested = Signal(object)  # Path | None (None: the sample project)
    new_requested = Signal(object)  # Path

    def __init__(self, session: ProjectSession, settings: Settings) -> None:
        super().__init__()
        self.session, self.settings = session, settings
        self.setObjectName("main_window")
        self.setAcceptDrops(True)
        self.view = ReadingView()
        # Built after the reading pane's first paint, or when first asked for (see `later`).
        self._search: SearchBar | None = None
        self._documents: DocumentsPanel | None = None
        self._inspector: Inspector | None = None
        self.later = AfterFirstFrame(self.view.painted, self)
        self.controller = AnnotationController(session, self.view)
        self.files = FileActions(session, self)
        self.merging = MergeActions(session, self)
        # The document list's model is there from the start (the title, the document order
        # kept from change sets: no read of 10,000 rows per key); its panel comes after.
        self.document_list = DocumentListModel(session, self, defer_counts=True)
        self.workflow = Workflow(session, self.document_list.document_uuids)
        self.tables = AnnotationTables(session)
        self.palette_bar = TagPalette(self)
        self._compose()
        self.actions_by_id = build_actions(self, self._handlers())
        menus = build_menus(self.menuBar(), self.actions_by_id)
        self._recent_menu = QMenu("Open &recent", self)
        self._recent_menu.aboutToShow.connect(self._fill_recent)
        menus["&File"].insertMenu(self.actions_by_id["add_documents"], self._recent_menu)
        self.layers = LayerControls(self, session, settings, menus["&View"], self.actions_by_id)
        self.team = TeamMenu(self, session, settings, refresh=False)
        self.feedback = StatusFeedback(session, self.statusBar())
        RetagChoiceMenu(menus["&Annotate"])
        self.compare_panes = ComparePanes(session, self.controller, self.reading_splitter, self)
        self._bind_view_actions()
        self.search_tools = SearchTools(self)
        self.window_layout = WindowLayout(self, settings, self.view)
        self.window_layout.merge_top_row(self.palette_bar, [self.layers.toolbar])
        self.actions_by_id.update(self.window_layout.build_panels_menu(menus["&View"]))
        self.window_layout.focus_action = self.actions_by_id["focus_mode"]
        # Every action also on the window itself: their keys work in focus mode, menus hidden.
        self.addActions(list(self.actions_by_id.values()))
        self._wire()
        self._restore()
        self._refresh_title()
        self.later.add("documents", lambda: self.documents)
        self.later.add("inspector", lambda: self.inspector)
        self.later.add("team", self.team.refresh)
        self.team.menu.aboutToShow.connect(lambda: self.later.run("team"))

    # -- composition -------------------------------------------------------------------------
    def _compose(self) -> None:
        center = QWidget()
        layout = QVBoxLayout(center)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.reading_splitter = host_splitter(self.view)  # compare mode adds a second pane
        layout.addWidget(self.reading_splitter, 1)
        self.setCentralWidget(center)
        for title, widget, area, name in (
            ("Documents", QWidget(), Qt.DockWidgetArea.LeftDockWidgetArea, "documents"),
            ("Inspector", QWidget(), Qt.DockWidgetArea.RightDockWidgetArea, "inspector"),
            ("Annotations", self.tables, Qt.DockWidgetArea.BottomDockWidgetArea, "tables"),
        ):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock_{name}")
            dock.setWidget(widget)
            dock.setFeatures(
                QDockWidget.DockWidgetFeature.DockWidgetMovable
                | QDockWidget.DockWidgetFeature.DockWidgetClosable
            )
            self.addDockWidget(area, dock)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.palette_bar)
        self.palette_bar.set_schema(self.session.schema)
        self.status_project = QLabel()
        self.status_counts = QLabel()
        self.statusBar().addPermanentWidget(self.status_counts)
        self.statusBar().addPermanentWidget(self.status_project)

    def _handlers(self) -> dict:
        c, w, f = self.controller, self.workflow, self.files
        return {
            "new_project": self._new_project,
            "open_project": self._open_project,
            "open_sample": lambda: self.open_requested.emit(None),
            "add_documents": f.add_documents,
            "add_folder": lambda: f.add_documents(True),
            "import_data": f.import_data,
            "export_data": f.export_data,
            "save_copy": f.save_copy,
            "show_in_folder": f.show_in_folder,
            "merge_files": self.merging.merge_files,
            "merge_history": self.merging.history,
            "quit": self.close,
            "undo": self.session.undo_stack.undo,
            "redo": self.session.undo_stack.redo,
            "delete": c.delete_selected,
            "find": self._find,
            "paste_document": self._paste_document,
            "document_properties": lambda: self._document_properties(""),
            "project_search": lambda: self.search_tools.show_search(),
            "annotate_occurrences": lambda: self.search_tools.annotate_selected(),
            "link": self._link,
            "cycle_span": c.cycle,
            "clear_selection": c.clear_selection,
            "grow_start": lambda: c.adjust("start", -1),
            "shrink_start": lambda: c.adjust("start", 1),
            "shrink_end": lambda: c.adjust("end", -1),
            "grow_end": lambda: c.adjust("end", 1),
            "grow_start_word": lambda: c.adjust("start", -1, by_word=True),
            "shrink_start_word": lambda: c.adjust("start", 1, by_word=True),
            "shrink_end_word": lambda: c.adjust("end", -1, by_word=True),
            "grow_end_word": lambda: c.adjust("end", 1, by_word=True),
            "mark_new": lambda: w.set_status("new"),
            "mark_in_progress": lambda: w.set_status("in_progress"),
            "mark_done": lambda: w.set_status("done"),
            "next_document": lambda: w.step(1),
            "previous_document": lambda: w.step(-1),
            "next_unfinished": w.next_unfinished,
            "zoom_in": lambda: self._zoom(1),
            "zoom_out": lambda: self._zoom(-1),
            "zoom_reset": lambda: self._zoom(0, reset=True),
            "dark_theme": self._set_dark,
            "snap_to_words": self._set_snap,
            "show_all_links": self._set_show_all_links,
            "focus_mode": lambda on: self.window_layout.set_focus(on),
            "edit_schema": self._edit_schema,
            "shortcuts": self._shortcuts,
            "change_annotator": self._change_annotator,
            "agreement": self.show_agreement,
            "curate": self.show_curation,
            **{f"analytics_{tab}": partial(self.show_analytics, tab) for tab in ANALYTICS_TABS},
            "export_report": lambda: self.show_analytics("").export_report(),
            "about": self._about,
        }

    def _bind_view_actions(self) -> None:
        for action_id in VIEW_ACTIONS:
            action = self.actions_by_id[action_id]
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self.view.addAction(action)
        stack = self.session.undo_stack
        undo, redo = self.actions_by_id["undo"], self.actions_by_id["redo"]
        stack.canUndoChanged.connect(undo.setEnabled)
        stack.canRedoChanged.connect(redo.setEnabled)
        # Bound methods (not lambdas) so Qt disconnects them when the window is destroyed.
        stack.undoTextChanged.connect(self._undo_text)
        stack.redoTextChanged.connect(self._redo_text)
        undo.setEnabled(False)
        redo.setEnabled(False)

    def _fill_recent(self) -> None:
        self._recent_menu.clear()
        current = self.session.project.path.resolve()
        for path in self.settings.recent_projects:
            action = self._recent_menu.addAction(f"{path.name}  —  {path.parent}")
            action.setEnabled(path != current and path.exists())
            action.triggered.connect(lambda _=False, p=path: self.open_requested.emit(p))
        if self._recent_menu.isEmpty():
            self._recent_menu.addAction("No recent projects").setEnabled(False)

    def _undo_text(self, text: str) -> None:
        self.actions_by_id["undo"].setText(f"&Undo {text}".strip())

    def _redo_text(self, text: str) -> None:
        self.actions_by_id["redo"].setText(f"&Redo {text}".strip())

    def _wire(self) -> None:
        s = self.session
        s.changed.connect(self._on_changes)
        s.document_changed.connect(self._on_document)
        s.error.connect(self._show_error)
        s.loading.connect(self._show_loading)
        # Work that can wait starts after the reading pane's first paint (the first screen
        # of a long document or a large project shows at once).
        s.loading_delay = 250
        self.view.painted.connect(self._after_paint)
        self.document_list.counts_loaded.connect(self._refresh_title)
        self.palette_bar.tag_chosen.connect(self.controller.tag_selection)
        self.view.zoom_requested.connect(self._zoom)
        self.controller.loaded.connect(self.layers.show_legend)
        s.layer.changed.connect(self._refresh_title)

    def _restore(self) -> None:
        st = self.settings
        self.window_layout.restore()
        a = self.actions_by_id
        a["dark_theme"].setChecked(st.theme == "dark")
        a["snap_to_words"].setChecked(st.snap_to_words)
        a["show_all_links"].setChecked(st.show_all_links)
        self.controller.snap = st.snap_to_words
        self.view.set_show_all_links(st.show_all_links)
        # Polished first: the style sheet's polish at the first show would otherwise put back
        # the palette the view had before (light text on the dark theme's page at start-up).
        self.view.ensurePolished()
        self.view.set_dark(st.theme == "dark")
        self.view.set_zoom(st.zoom)
        self.layers.restore()

    # -- reactions ---------------------------------------------------------------------------
    def _on_changes(self, changes: ChangeSet) -> None:
        if changes.schema:
            self.palette_bar.set_schema(self.session.schema)
        self._refresh_title()

    def _on_document(self, uuid: str) -> None:
        if self._search is not None:
            self._search.set_text(self.view.text() if uuid else "")
        self._refresh_title()

    def _refresh_title(self) -> None:
        s = self.session
        with s.read() as read:
            name = read.project_info().get("name", s.project.path.stem)
        # Titles and counts come from the document list, which keeps them per document (the
        # layers shown); reading them here cost a pass over the text and over every span.
        model = self.document_list
        title = model.title_of(s.current_document) if s.current_document else ""
        total, spans = model.span_total(), model.spans_of(s.current_document)
        layer = "" if s.layer.choice.editable or s.layer.blind else f" [{s.layer.describe()}]"
        self.setWindowTitle(f"{title + ' — ' if title else ''}{name}{layer} — Annotator")
        self.status_project.setText(f"{s.project.path.name} · {s.project.annotator.name}")
        if total < 0:  # not counted yet (see _after_paint)
            self.status_counts.setText(_plural(model.rowCount(), "document"))
            return
        self.status_counts.setText(
            f"{_plural(model.rowCount(), 'document')} · {_plural(total, 'span')}"
            + (f" · {spans} in this document" if s.current_document else "")
        )

    def _after_paint(self) -> None:
        self.session.resume_loading()
        self.document_list.count_in_background()

    def _show_loading(self, done: int, total: int) -> None:
        """A long document's spans arrive in chunks after its first screen: say how far."""
        bar = self.statusBar()
        if done < total:
            bar.showMessage(f"Loading spans … {done:,} of {total:,}")
        elif bar.currentMessage().startswith("Loading spans"):
            bar.clearMessage()

    def _show_error(self, text: str) -> None:
        self.feedback.refuse(text)
        QMessageBox.warning(self, "Annotator", text)

    # -- handlers that need the window -------------------------------------------------------
    def _new_project(self) -> None:
        path = self.files.ask_new_project_path()
        if path is not None:
            self.new_requested.emit(path)

    def _open_project(self) -> None:
        path = self.files.ask_open_project_path()
        if path is not None:
            self.open_requested.emit(path)

    def _paste_document(self) -> None:
        from annotator.gui.paste import paste_as_document

        paste_as_document(self.session, self)

    def _document_properties(self, uuid: str = "") -> None:
        from annotator.gui.dialogs.document_properties import DocumentPropertiesDialog

        uuid = uuid or self.session.current_document
        if not uuid:
            self.statusBar().showMessage("Open a document to see its properties", 5000)
            return
        dialog = DocumentPropertiesDialog(self.session, uuid, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _find(self) -> None:
        self.search.set_text(self.view.text())
        self.search.show()
        self.search.setFocus()

    def _link(self) -> None:
        from annotator.gui.dialogs.link_picker import LinkPicker

        if not self.session.selected_span:
            self.statusBar().showMessage("Select a span to link from", 5000)
            return
        if not self.session.layer.editable:  # say so before the picker, not after it
            self.statusBar().showMessage(self.session.layer.read_only_message(), 8000)
            return
        LinkPicker(self.session, self.session.selected_span, self).exec()

    def _zoom(self, delta: int, reset: bool = False) -> None:
        steps = 0 if reset else self.view.zoom() + delta
        self.view.set_zoom(steps)
        self.compare_panes.sync_look()
        self.settings.zoom = steps

    def _set_dark(self, dark: bool) -> None:
        self.settings.theme = "dark" if dark else "light"
        apply_theme(QApplication.instance(), dark)
        self.view.set_dark(dark)
        self.compare_panes.sync_look()

    def _set_snap(self, on: bool) -> None:
        self.settings.snap_to_words = on
        self.controller.snap = on

    def _set_show_all_links(self, on: bool) -> None:
        self.settings.show_all_links = on
        self.view.set_show_all_links(on)
        self.compare_panes.sync_look()

    def _edit_schema(self) -> None:
        from annotator.gui.dialogs.schema_editor import SchemaEditor

        editor = SchemaEditor(self.session, self)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.show()

    def _shortcuts(self) -> None:
        from annotator.gui.curation import keys as curation_keys
        from annotator.gui.dialogs.shortcuts import ShortcutsDialog

        tags = [
            (t.hotkey, f"Tag the selection as {t.label} (Ctrl+{t.hotkey}: add as fragment)")
            for t in self.session.schema.tag_types
            if t.hotkey
        ]
        extra = [
            *tags,
            ("Alt+drag", "Link one span to another"),
            ("Click", "Select a span; click again to cycle overlapping spans"),
        ]
        actions: list[QAction] = list(self.actions_by_id.values())
        more = [(curation_keys.GROUP, curation_keys.key_rows())]
        ShortcutsDialog(actions, extra, self, more).exec()

    def _change_annotator(self) -> None:
        from annotator.gui.dialogs.first_run import ask_annotator_name

        name = ask_annotator_name(self, self.session.project.annotator.name)
        if name:
            self.settings.annotator_name = name
            self.session.project.switch_annotator(name)

    def show_agreement(self) -> None:
        """The Agreement window (one per main window; raised if already open)."""
        from annotator.gui.agreement import AgreementWindow

        tools = self.search_tools
        show_tool_window(
            self, "agreement_window", lambda: AgreementWindow(self.session, tools.go_to, self)
        )

    def show_curation(self) -> None:
        """The Curation window (one per main window; raised if already open)."""
        from annotator.gui.curation import CurationWindow

        tools = self.search_tools
        show_tool_window(
            self,
            "curation_window",
            lambda: CurationWindow(self.session, tools.go_to, tools.preview, self),
        )

    def show_analytics(self, tab: str):
        """The Analytics window on `tab` ("": as it is); its code loads on first use."""
        from annotator.gui.analytics.actions import show_analytics

        return show_analytics(self, tab)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About Annotator",
            f"<b>Annotator {__version__}</b><p>Annotate articles with actors, "
            "events, claims and links. Everything stays on this machine.</p>",
        )

    # -- drag and drop, closing --------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.files.add_paths(paths)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.later.discard()  # nothing more to build: the session closes next
        self.window_layout.save()
        event.accept()
