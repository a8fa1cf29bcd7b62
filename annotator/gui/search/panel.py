"""The Search panel (Ctrl+Shift+F): project-wide search of documents or annotations, results
as keyword-in-context lines under their document titles; Enter or a double click jumps there."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.errors import AnnotatorError
from annotator.gui.panels.common import WARNING, muted_label
from annotator.gui.search.kwic import KWIC_ROLE, KwicDelegate, kwic_plain
from annotator.gui.session import ProjectSession
from annotator.services.search import (
    PAGE_SIZE,
    count_documents,
    search_annotations,
    search_documents,
)

#: Item data: ("hit", document, start, end) or ("span", span uuid) or ("document", uuid).
TARGET_ROLE = Qt.ItemDataRole.UserRole + 21

MODES = (("documents", "Documents"), ("annotations", "Annotations"))
HELP = {
    "documents": 'Words (all must occur), "a phrase", prefix*, a OR b, -excluded',
    "annotations": 'Text words, "a phrase", tag:actor, annotator:Ann, note:word, entity:Name, '
    "attribute:value",
}


class _Results(QTreeWidget):
    """The result tree; Enter activates the current item (the tree's own key for it varies)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem():
            self.itemActivated.emit(self.currentItem(), 0)
            return
        super().keyPressEvent(event)


class SearchPanel(QWidget):
    """Emits `hit_activated(document, start, end)` (code points), `span_activated(uuid)` and
    `annotate_requested(document, start, end)` / `annotate_span_requested(uuid)` (annotate all
    occurrences of a hit's text or of an annotation)."""

    hit_activated = Signal(str, int, int)
    span_activated = Signal(str)
    annotate_requested = Signal(str, int, int)
    annotate_span_requested = Signal(str)

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("search_panel")
        self.session = session
        self._query = ""
        self._mode = "documents"
        self._loaded = 0
        self._ranked = True  # False: more matches than are ranked, listed in project order
        self._total: int | None = None  # documents matching the query (None: not counted yet)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("project_search_edit")
        self.edit.setClearButtonEnabled(True)
        self.mode = QComboBox(self)
        for key, label in MODES:
            self.mode.addItem(label, key)
        self.status = muted_label("", self)
        self.status.setWordWrap(True)
        self.results = _Results(self)
        self.results.setObjectName("search_results")
        self.results.setHeaderHidden(True)
        self.results.setUniformRowHeights(True)
        self.results.setItemDelegate(KwicDelegate(self.results))
        self.results.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.more = QPushButton("More results", self)
        self.more.hide()
        top = QHBoxLayout()
        top.addWidget(self.edit, 1)
        top.addWidget(self.mode)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.more)
        self.setFocusProxy(self.edit)
        self.edit.returnPressed.connect(self.run_search)
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.results.itemActivated.connect(self._activate)
        self.results.customContextMenuRequested.connect(self._context_menu)
        self.more.clicked.connect(self.load_more)
        self._mode_changed()

    # -- searching ---------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        self.mode.setCurrentIndex(self.mode.findData(mode))

    def _mode_changed(self) -> None:
        self._mode = self.mode.currentData()
        self.edit.setPlaceholderText(HELP[self._mode])
        self.edit.setToolTip(HELP[self._mode])
        if self.edit.text().strip():
            self.run_search()

    def run_search(self) -> None:
        """Search for the query in the field (first page)."""
        self._query = self.edit.text()
        self._loaded = 0
        self._total = None
        self.results.clear()
        self.more.hide()
        if not self._query.strip():
            self._say("")
            return
        self.load_more()
        first = self.results.topLevelItem(0)
        if first is not None:
            self.results.setCurrentItem(first.child(0) or first)

    def load_more(self) -> None:
        """Append the next page of results."""
        try:
            if self._mode == "documents":
                # The first page comes without the count: a query that matches nearly every
                # document costs as much to count as to rank, so it is counted once the page
                # is on screen (`_count`), unless the page itself shows it is all there is.
                page = search_documents(
                    self.session.project,
                    self._query,
                    limit=PAGE_SIZE,
                    offset=self._loaded,
                    count=False,
                )
                self._add_documents(page)
                self._ranked = page.ranked
                self._loaded += len(page.results)
                if len(page.results) < PAGE_SIZE and self._total is None:
                    self._total = self._loaded
                elif self._total is None:
                    query = self._query
                    QTimer.singleShot(0, self, lambda: self._count(query))
                more = self._total is None or self._loaded < self._total
                self._say_documents()
            else:
                blind = self.session.layer.blind  # others' annotations stay hidden
                found = search_annotations(
                    self.session.project,
                    self._query,
                    limit=PAGE_SIZE + 1,
                    offset=self._loaded,
                    only_annotator=self.session.project.annotator.uuid if blind else None,
                )
                more = len(found) > PAGE_SIZE
                self._add_annotations(found[:PAGE_SIZE])
                self._loaded += len(found[:PAGE_SIZE])
                count = f"{self._loaded:,}{'+' if more else ''}"
                self._say(f"{count} annotation{'' if self._loaded == 1 else 's'}")
        except AnnotatorError as error:
            self._say(str(error), warning=True)
            return
        if not self._loaded:
            self._say("No matches", warning=True)
        self.more.setVisible(more)

    def _count(self, query: str) -> None:
        """Count the matches of the query shown (if it still is), after its first page."""
        if query != self._query or self._mode != "documents" or self._total is not None:
            return
        try:
            self._total = count_documents(self.session.project, query)
        except AnnotatorError as error:
            self._say(str(error), warning=True)
            return
        self.more.setVisible(self._loaded < self._total)
        self._say_documents()

    def _say_documents(self) -> None:
        if not self._loaded:
            return
        # Very many matches come in project order (ranking would score every one of them).
        order = "" if self._ranked else " in project order (too many to rank)"
        if self._total is None:
            self._say(f"{self._loaded:,}+ documents{order}")
            return
        total = self._total
        self._say(f"{total:,} document{'' if total == 1 else 's'}{order}")

    def _say(self, text: str, *, warning: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {WARNING};" if warning else "")

    def _add_documents(self, page) -> None:
        for result in page.results:
            hits = result.hit_count
            label = (
                f"{result.title}  ({hits} hit{'' if hits == 1 else 's'})"
                if hits
                else (f"{result.title}  (title)")
            )
            parent = QTreeWidgetItem(self.results, [label])
            parent.setData(0, TARGET_ROLE, ("document", result.document))
            font = parent.font(0)
            font.setBold(True)
            parent.setFont(0, font)
            for hit in result.hits:
                child = QTreeWidgetItem(parent, [kwic_plain(hit.before, hit.match, hit.after)])
                child.setData(0, KWIC_ROLE, (hit.before, hit.match, hit.after))
                child.setData(0, TARGET_ROLE, ("hit", result.document, hit.start, hit.end))
                child.setToolTip(0, f"{result.title}: {hit.start}–{hit.end}")
            if hits > len(result.hits):
                rest = QTreeWidgetItem(
                    parent, [f"… {hits - len(result.hits)} more in this document"]
                )
                rest.setData(0, TARGET_ROLE, ("document", result.document))
            parent.setExpanded(True)

    def _add_annotations(self, found) -> None:
        for item in found:
            row = item.row
            line = kwic_plain(item.before, row.quote, item.after)
            entry = QTreeWidgetItem(self.results, [f"{row.title} · {row.tag} · {line}"])
            entry.setData(
                0, KWIC_ROLE, (item.before, row.quote, item.after, f"{row.title} · {row.tag} · ")
            )
            entry.setData(0, TARGET_ROLE, ("span", row.span))
            entry.setToolTip(0, f"{row.annotator}{': ' + row.note if row.note else ''}")

    # -- going there -------------------------------------------------------------------------
    def _activate(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        target = item.data(0, TARGET_ROLE)
        if not target:
            return
        if target[0] == "hit":
            self.hit_activated.emit(target[1], target[2], target[3])
        elif target[0] == "span":
            self.span_activated.emit(target[1])
        elif target[0] == "document":
            first = item.child(0)
            if first is not None and first.data(0, TARGET_ROLE)[0] == "hit":
                self._activate(first)
            else:
                self.session.open_document(target[1])

    def _context_menu(self, position) -> None:
        item = self.results.itemAt(position)
        target = item.data(0, TARGET_ROLE) if item else None
        if not target or target[0] not in ("hit", "span"):
            return
        menu = QMenu(self)
        menu.addAction("Go to", lambda: self._activate(item))
        if target[0] == "hit":
            menu.addAction(
                "Annotate all occurrences…",
                lambda: self.annotate_requested.emit(target[1], target[2], target[3]),
            )
        else:
            menu.addAction(
                "Annotate all occurrences…",
                lambda: self.annotate_span_requested.emit(target[1]),
            )
        menu.exec(self.results.viewport().mapToGlobal(position))
