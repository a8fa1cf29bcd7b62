"""The Curation window: adjudicate the chosen annotators' disagreements into the gold layer by
keyboard — the queue by document with progress, the current unit's versions side by side,
accept one (1–9), edit (E), reject all (R, Delete), accept every agreed unit (Ctrl+Shift+Return,
with progress and Cancel); undo and redo through the main window's undo stack."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.changes import ChangeSet
from annotator.domain.curation import Unit
from annotator.domain.layers import is_gold
from annotator.domain.model import Annotator
from annotator.errors import AnnotatorError
from annotator.gui.curation.bulk import accept_with_progress
from annotator.gui.curation.gold_editor import GoldEditDialog
from annotator.gui.curation.keys import ACCEPT_AGREED_KEY, CURATION_KEYS, hint, native
from annotator.gui.curation.text_compare import TextCompare
from annotator.gui.curation.texts import UnitTexts
from annotator.gui.curation.versions import KIND_NAMES, VersionsTable, unit_where
from annotator.gui.panels.common import labelled_columns
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.services.curation import SCOPED_READ, CurationQueue, build_queue, read_queue
from annotator.services.curation_commands import AcceptAgreed, Decide, EditIntoGold

UUID_ROLE = Qt.ItemDataRole.UserRole
Jump = Callable[[str, int, int], None]


class CurationWindow(QWidget):
    """A top-level tool window over the session's project. `go_to(document, start, end)` shows
    a passage in the reading pane and focuses it; `preview` shows it and keeps the focus here."""

    def __init__(
        self, session: ProjectSession, go_to: Jump, preview: Jump, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.session, self.go_to, self.preview = session, go_to, preview
        self.queue: CurationQueue | None = None
        self.rows: list[Unit] = []  # the open units listed, by row
        self.texts = UnitTexts(session)
        self.settings = Settings()
        self.text_compare = TextCompare(session.layer)
        self.setObjectName("curation_window")
        self.setWindowTitle("Curation — adjudicate into gold")
        self.resize(1150, 780)
        self._build()
        self._add_actions()
        self.reload_choices()
        session.changed.connect(self._on_changes)

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.annotators = QListWidget(objectName="curation_annotators")
        self.annotators.itemChanged.connect(self._annotators_ticked)
        self.documents = QListWidget(objectName="curation_documents")
        self.documents.itemChanged.connect(lambda _item: self._fill_queue())
        self.progress = QProgressBar(objectName="curation_progress")
        self.progress.setFormat("%v of %m units decided")
        self.summary = QLabel(objectName="curation_summary")
        self.summary.setWordWrap(True)
        self.queue_table = QTableWidget(0, 4, objectName="curation_queue")
        self.queue_table.setHorizontalHeaderLabels(["Document", "Unit", "What", "Agreed"])
        self.queue_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.queue_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.queue_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.queue_table.verticalHeader().hide()
        header = self.queue_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.queue_table.currentCellChanged.connect(self._current_changed)
        self.queue_table.activated.connect(lambda _index: self.show_in_text())
        self.unit_title = QLabel(objectName="curation_unit")
        self.unit_title.setWordWrap(True)
        self.versions = VersionsTable()
        self.accept_row = QHBoxLayout()
        self.accept_buttons: list[QPushButton] = []
        self.edit_button = QPushButton("&Edit (E)", objectName="curation_edit")
        self.edit_button.setToolTip(
            "Start from the first annotator's version there is, change it, accept it into gold"
        )
        self.edit_button.clicked.connect(self.edit)
        self.reject_button = QPushButton("&Reject all (R)", objectName="curation_reject")
        self.reject_button.clicked.connect(lambda: self.decide("reject"))
        self.agreed_button = QPushButton("Accept all a&greed", objectName="curation_agreed")
        self.agreed_button.setToolTip(
            f"{native((ACCEPT_AGREED_KEY,))}: every unit all annotators agree on, as one undo step"
        )
        self.agreed_button.clicked.connect(self.accept_agreed)
        for button in (self.edit_button, self.reject_button, self.agreed_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the queue keeps the keys
        keys = QLabel(hint(), objectName="curation_keys")
        keys.setWordWrap(True)
        keys.setStyleSheet("color: palette(placeholder-text);")

        choices = labelled_columns(
            ("&Annotators to adjudicate between:", self.annotators),
            ("&Documents (decided / units):", self.documents),
        )
        choices.setColumnStretch(1, 2)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(choices)
        top_layout.addWidget(self.progress)
        top_layout.addWidget(self.summary)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.unit_title)
        bottom_layout.addWidget(self.versions)
        bottom_layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addLayout(self.accept_row)
        buttons.addStretch(1)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.reject_button)
        buttons.addWidget(self.agreed_button)
        bottom_layout.addLayout(buttons)
        bottom_layout.addWidget(keys)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.queue_table)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def _add_actions(self) -> None:
        handlers: dict[str, Callable[[], object]] = {
            "down": lambda: self.move(1),
            "up": lambda: self.move(-1),
            "edit": self.edit,
            "reject": lambda: self.decide("reject"),
            "accept_agreed": self.accept_agreed,
            "show": self.show_in_text,
        }
        for number in range(1, 10):
            handlers[f"accept_{number}"] = lambda n=number: self.decide("accept", n - 1)
        self.key_actions: dict[str, QAction] = {}
        for key in CURATION_KEYS:
            action = QAction(key.what, self)
            action.setShortcuts([QKeySequence(k) for k in key.keys])
            # triggered(bool) would fill a first default argument: drop it
            action.triggered.connect(lambda _=False, run=handlers[key.command]: run())
            self.addAction(action)
            self.key_actions[key.command] = action
        stack = self.session.undo_stack
        for action, key in (
            (stack.createUndoAction(self, "&Undo"), QKeySequence.StandardKey.Undo),
            (stack.createRedoAction(self, "&Redo"), QKeySequence.StandardKey.Redo),
        ):
            action.setShortcut(QKeySequence(key))
            self.addAction(action)

    # -- choices -----------------------------------------------------------------------------
    def reload_choices(self) -> None:
        """Everyone who worked ticked (never the gold layer, which curation writes)."""
        from annotator.services.agreement import default_annotators

        with self.session.read() as read:
            everyone = [a for a in read.annotators() if not is_gold(a.uuid)]
        here = {a.uuid for a in everyone}
        remembered = self.settings.curation_annotators & here
        active = remembered or {a.uuid for a in default_annotators(self.session.project)}
        self.annotators.blockSignals(True)
        self.annotators.clear()
        for annotator in everyone:
            item = QListWidgetItem(annotator.name)
            item.setData(UUID_ROLE, annotator.uuid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = annotator.uuid in active
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.annotators.addItem(item)
        self.annotators.blockSignals(False)
        self.refresh()

    def _annotators_ticked(self, _item: QListWidgetItem) -> None:
        """Remember the choice (this project's part of it) and build the queue again."""
        items = [self.annotators.item(i) for i in range(self.annotators.count())]
        here = {item.data(UUID_ROLE) for item in items}
        ticked = {i.data(UUID_ROLE) for i in items if i.checkState() == Qt.CheckState.Checked}
        self.settings.curation_annotators = (self.settings.curation_annotators - here) | ticked
        self.refresh()

    def chosen_annotators(self) -> list[Annotator]:
        with self.session.read() as read:
            everyone = {a.uuid: a for a in read.annotators()}
        return [
            everyone[item.data(UUID_ROLE)]
            for item in map(self.annotators.item, range(self.annotators.count()))
            if item.checkState() == Qt.CheckState.Checked and item.data(UUID_ROLE) in everyone
        ]

    def chosen_documents(self) -> list[str]:
        return [
            item.data(UUID_ROLE)
            for item in map(self.documents.item, range(self.documents.count()))
            if item.checkState() == Qt.CheckState.Checked
        ]

    # -- the queue ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Build the queue again (after a decision, an undo, or another annotator choice)."""
        annotators = self.chosen_annotators()
        self.texts.clear()
        if len(annotators) < 2:
            self.queue = None
            self.summary.setText(self._too_few_text())
        else:
            # about 2 s for 100,000 spans: say that it is working
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                self.queue = build_queue(self.session.project, annotators)
            except AnnotatorError as error:
                self.queue = None
                self.summary.setText(f"Cannot build the queue: {error}")
            finally:
                QApplication.restoreOverrideCursor()
        self._fill_documents()
        self._fill_accept_buttons([a.name for a in annotators] if self.queue else [])
        self._fill_queue()
        self._compare_in_text(annotators)

    def _compare_in_text(self, annotators: list[Annotator]) -> None:
        """Show the first two chosen layers compared in the reading pane."""
        pair = tuple(a.uuid for a in annotators[:2])
        if self.isVisible() and self.text_compare.compare(pair):
            self._jump(self.preview)  # a new layer choice drops the text selection

    def _fill_documents(self) -> None:
        unticked = {
            item.data(UUID_ROLE)
            for item in map(self.documents.item, range(self.documents.count()))
            if item.checkState() != Qt.CheckState.Checked
        }
        self.documents.blockSignals(True)
        self.documents.clear()
        for doc in self.queue.documents if self.queue else []:
            done = " ✓" if doc.total and doc.decided == doc.total else ""
            item = QListWidgetItem(f"{doc.title} — {doc.decided} / {doc.total}{done}")
            item.setData(UUID_ROLE, doc.document)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = doc.document not in unticked
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            self.documents.addItem(item)
        self.documents.blockSignals(False)

    def _fill_accept_buttons(self, names: list[str]) -> None:
        if [b.property("annotator") for b in self.accept_buttons] == names:
            return
        for button in self.accept_buttons:
            self.accept_row.removeWidget(button)
            button.deleteLater()
        self.accept_buttons = []
        for index, name in enumerate(names[:9]):
            button = QPushButton(f"{index + 1} · Accept {name}")
            button.setObjectName(f"curation_accept_{index + 1}")
            button.setProperty("annotator", name)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, i=index: self.decide("accept", i))
            self.accept_row.addWidget(button)
            self.accept_buttons.append(button)

    def _fill_queue(self) -> None:
        previous = self.current_unit()
        old_row = self.queue_table.currentRow()
        chosen = set(self.chosen_documents())
        documents = [
            d for d in (self.queue.documents if self.queue else []) if d.document in chosen
        ]
        self.rows = [u for d in documents for u in d.open_units]
        titles = {d.document: d.title for d in documents}
        table = self.queue_table
        table.blockSignals(True)
        # Columns sized to their contents would measure every row again on each setItem
        # (minutes for 10,000 units): fixed while filling, sized to the contents once after.
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.setRowCount(len(self.rows))
        for row, unit in enumerate(self.rows):
            cells = (
                titles[unit.document],
                KIND_NAMES[unit.kind] + (f" ({unit.link_type})" if unit.link_type else ""),
                self._where(unit),
                "✓ agreed" if unit.agreed else "",
            )
            for column, value in enumerate(cells):
                table.setItem(row, column, QTableWidgetItem(value))
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        keys = [(u.document, u.kind, u.key) for u in self.rows]
        wanted = (previous.document, previous.kind, previous.key) if previous else None
        row = keys.index(wanted) if wanted in keys else min(max(old_row, 0), len(self.rows) - 1)
        table.blockSignals(False)
        if row >= 0:
            table.setCurrentCell(row, 0)
        self._show_current()
        self._show_progress(documents)

    def _show_progress(self, documents) -> None:
        decided = sum(d.decided for d in documents)
        total = sum(d.total for d in documents)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(decided)
        self.progress.setVisible(self.queue is not None)  # no "0 of 1 decided" without a queue
        if self.queue is None:
            return
        agreed = sum(1 for u in self.rows if u.agreed)
        names = ", ".join(a.name for a in self.queue.annotators)
        self.summary.setText(
            f"Between {names}: {len(self.rows)} unit(s) waiting, {agreed} of them agreed. "
            "Attribute and link units appear once their spans are in gold."
        )

    def _too_few_text(self) -> str:
        """Why there is no queue, and what to do about it."""
        if self.annotators.count() < 2:
            return (
                "Curation compares the work of two or more annotators, and this project has "
                "one. Merge a colleague’s project file (File ▸ Merge) to compare with it."
            )
        return "Tick at least two annotators above to adjudicate between them."

    def _where(self, unit: Unit) -> str:
        document = unit.document
        return unit_where(unit, self.texts.text(document), self.texts.spans(document, self.queue))

    # -- the current unit --------------------------------------------------------------------
    def current_unit(self) -> Unit | None:
        row = self.queue_table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _current_changed(self, *_args) -> None:
        self._show_current()
        self._jump(self.preview)

    def _show_current(self) -> None:
        unit = self.current_unit()
        names = [a.name for a in self.queue.annotators] if self.queue else []
        text = self.texts.text(unit.document) if unit else ""
        spans = self.texts.spans(unit.document, self.queue) if unit else {}
        self.versions.show_unit(unit, names, text, spans, self.session.schema)
        if self.queue is None:  # one clear state: the summary says what to do
            self.unit_title.setText("")
        elif unit is None:
            self.unit_title.setText("Nothing waiting: every unit is decided.")
        else:
            state = "every annotator agrees" if unit.agreed else "annotators disagree"
            self.unit_title.setText(f"<b>{KIND_NAMES[unit.kind]} unit</b> — {state}")
        for index, button in enumerate(self.accept_buttons):
            has = unit is not None and index < len(unit.versions) and unit.versions[index]
            button.setEnabled(bool(has))
        self.edit_button.setEnabled(unit is not None)
        self.reject_button.setEnabled(unit is not None)
        self.agreed_button.setEnabled(self.queue is not None and any(u.agreed for u in self.rows))

    def _jump(self, jump: Jump) -> None:
        unit = self.current_unit()
        extent = self.texts.extent(unit, self.queue) if unit else None
        if unit is not None and extent is not None:
            jump(unit.document, *extent)

    def show_in_text(self) -> None:
        self._jump(self.go_to)

    def move(self, step: int) -> None:
        if self.rows:
            row = min(max(self.queue_table.currentRow() + step, 0), len(self.rows) - 1)
            self.queue_table.setCurrentCell(row, 0)

    # -- deciding ----------------------------------------------------------------------------
    def decide(self, verdict: str, version: int | None = None) -> None:
        unit = self.current_unit()
        if unit is None:
            return
        if verdict == "accept" and (
            version is None or version >= len(unit.versions) or unit.versions[version] is None
        ):
            names = [a.name for a in self.queue.annotators] if self.queue else []
            who = names[version] if version is not None and version < len(names) else "Nobody"
            self.session.message.emit(f"{who} has no version of this unit")
            return
        try:
            command = Decide(unit, verdict, None if verdict == "reject" else version)
        except AnnotatorError as error:
            self.session.error.emit(str(error))
            return
        if self.session.run(command):
            self.session.flush()

    def edit(self) -> None:
        """Open the gold editor on the first version there is (the edit verdict)."""
        unit = self.current_unit()
        if unit is None or self.queue is None:
            return
        index = next(i for i, v in enumerate(unit.versions) if v is not None)
        version = unit.versions[index]
        with self.session.read() as read:
            if unit.kind == "link":
                found = read.links_by_uuid([version.uuid])
            else:
                found = read.spans_by_uuid([version.uuid])
        note = found[0].note if found else ""
        dialog = GoldEditDialog(
            version,
            self.queue.annotators[index].name,
            self.texts.text(unit.document),
            self.session.schema,
            note,
            attributes_only=unit.kind == "attribute",
            parent=self,
        )
        dialog.accepted.connect(lambda: self._edited(unit, index, dialog.changes()))
        dialog.finished.connect(dialog.deleteLater)
        self.gold_editor = dialog
        dialog.open()

    def _edited(self, unit: Unit, index: int, changes: dict) -> None:
        try:
            command = EditIntoGold(unit, index, **changes)
        except AnnotatorError as error:
            self.session.error.emit(str(error))
            return
        if self.session.run(command):
            self.session.flush()

    def accept_agreed(self) -> None:
        if self.queue is None or not any(u.agreed for u in self.rows):
            self.session.message.emit("No agreed unit is waiting")
            return
        documents = self.chosen_documents()
        every = len(documents) == self.documents.count()
        command = AcceptAgreed(
            [a.uuid for a in self.queue.annotators], None if every else documents
        )
        accept_with_progress(self, self.session, command)

    def _on_changes(self, changes: ChangeSet) -> None:
        """Read again only the documents a change touched (a decision, an undo, an edit)."""
        if not self.isVisible():
            return
        whole = changes.annotators or changes.schema or changes.documents_removed
        if whole or self.queue is None or len(changes.documents) > SCOPED_READ:
            self.refresh()
        elif changes.documents:
            self._refresh_documents(changes.documents)

    def _refresh_documents(self, documents: frozenset[str]) -> None:
        assert self.queue is not None
        directed = {t.key: t.directed for t in self.session.schema.link_types}
        annotators = [a.uuid for a in self.queue.annotators]
        with self.session.read() as read:
            fresh = {
                d.document: d for d in read_queue(read, annotators, sorted(documents), directed)
            }
        listed = self.queue.documents
        for index, doc in enumerate(listed):
            if doc.document in fresh:
                listed[index] = fresh.pop(doc.document)
        listed.extend(d for d in fresh.values() if d.units)  # newly worked on
        for document in documents:
            self.texts.forget(document)
        self._fill_documents()
        self._fill_queue()

    def closeEvent(self, event) -> None:
        self.text_compare.restore()  # the reading pane shows what it showed before curating
        super().closeEvent(event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()  # decisions made elsewhere (the CLI, an undo) while hidden
