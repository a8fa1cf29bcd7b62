"""The Agreement window: pick annotators and documents, compute off the GUI thread, read the
tables, click a figure or a confusion cell to list its passages, activate one to jump there."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.agreement import AgreementReport, Passage
from annotator.domain.layer_diff import LayerChoice, LayerMode
from annotator.domain.layers import is_gold
from annotator.errors import AnnotatorError
from annotator.gui.agreement import tables
from annotator.gui.agreement.tables import FigureTable
from annotator.gui.panels.common import labelled_columns
from annotator.gui.session import ProjectSession

#: Passages listed at once (a figure over 100,000 spans would otherwise fill the list slowly).
PASSAGE_LIMIT = 2000
UUID_ROLE = Qt.ItemDataRole.UserRole

Jump = Callable[[str, int, int], None]


class AgreementWindow(QWidget):
    """A top-level tool window over the session's project; `jump(document, start, end)` shows
    a passage in the reading pane."""

    def __init__(self, session: ProjectSession, jump: Jump, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.session, self.jump = session, jump
        self.report: AgreementReport | None = None
        self._texts: dict[str, str] = {}
        self._shown: list[Passage] = []  # the passages listed, by row
        self._of_pair = True  # whether they are behind a figure of the chosen pair
        self.setObjectName("agreement_window")
        self.setWindowTitle("Agreement")
        self.resize(1100, 760)
        self._build()
        self.reload_choices()

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.annotators = QListWidget(objectName="agreement_annotators")
        self.documents = QListWidget(objectName="agreement_documents")
        self.all_shared = QCheckBox("Also documents not &finished by everyone (missing data)")
        self.compute_button = QPushButton("&Compute", objectName="agreement_compute")
        self.compute_button.setDefault(True)
        self.compute_button.clicked.connect(self.compute)
        self.summary = QLabel("Choose annotators and documents, then Compute.")
        self.summary.setWordWrap(True)
        self.pair_choice = QComboBox(objectName="agreement_pair")
        # Filled after the first show: without this it kept the width of an empty combo.
        self.pair_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.pair_choice.currentIndexChanged.connect(self._show_pair)
        self.spans = FigureTable("agreement_spans")
        self.attributes = FigureTable("agreement_attributes")
        self.links = FigureTable("agreement_links")
        self.confusion = FigureTable("agreement_confusion")
        self.group = FigureTable("agreement_group")
        self.tabs = QTabWidget()
        for table, title in (
            (self.spans, "Spans and tokens"),
            (self.confusion, "Confusion"),
            (self.attributes, "Attributes"),
            (self.links, "Links"),
            (self.group, "All annotators"),
        ):
            self.tabs.addTab(table, title)
            table.currentCellChanged.connect(partial(self._cell_chosen, table))
            table.cellClicked.connect(partial(self._cell_chosen, table))
        self.passage_title = QLabel("Click a figure or a confusion cell to list its passages.")
        self.passages = QTableWidget(0, 5, objectName="agreement_passages")
        self.passages.setHorizontalHeaderLabels(["Document", "Where", "Text", "Annotators", "What"])
        self.passages.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.passages.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.passages.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.passages.verticalHeader().hide()
        header = self.passages.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)  # sized in _fit_passages
        self.passages.itemActivated.connect(self._passage_activated)

        choices = labelled_columns(
            ("&Annotators (gold left out unless ticked):", self.annotators),
            ("&Documents:", self.documents),
        )
        row = QHBoxLayout()
        row.addWidget(self.all_shared, 1)
        row.addWidget(QLabel("Pair:"))
        row.addWidget(self.pair_choice)
        row.addWidget(self.compute_button)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(choices)
        top_layout.addLayout(row)
        top_layout.addWidget(self.summary)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.passage_title)
        bottom_layout.addWidget(self.passages)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.tabs)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(1, 2)
        splitter.setStretchFactor(2, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    def reload_choices(self) -> None:
        """Fill the annotator and document lists (everyone who worked ticked, gold not)."""
        from annotator.services.agreement import default_annotators

        with self.session.read() as read:
            everyone = read.annotators()
            documents = read.documents()
        active = {a.uuid for a in default_annotators(self.session.project)}
        self.annotators.clear()
        for annotator in everyone:
            item = QListWidgetItem(
                annotator.name + (" (gold layer)" if is_gold(annotator.uuid) else "")
            )
            item.setData(UUID_ROLE, annotator.uuid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = annotator.uuid in active
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.annotators.addItem(item)
        self.documents.clear()
        for info in documents:
            item = QListWidgetItem(info.title or info.uuid)
            item.setData(UUID_ROLE, info.uuid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.documents.addItem(item)

    @staticmethod
    def _checked(widget: QListWidget) -> list[str]:
        return [
            widget.item(i).data(UUID_ROLE)
            for i in range(widget.count())
            if widget.item(i).checkState() == Qt.CheckState.Checked
        ]

    # -- computing ---------------------------------------------------------------------------
    def compute(self) -> None:
        from annotator.gui.dialogs.progress import run_with_progress
        from annotator.services.agreement import (
            AgreementCancelled,
            NoFinishedDocuments,
            compute_agreement,
        )

        annotators = self._checked(self.annotators)
        documents = self._checked(self.documents)
        if len(annotators) < 2:
            self.summary.setText("Tick at least two annotators.")
            return
        if not documents:
            self.summary.setText("Tick at least one document.")
            return
        every_document = len(documents) == self.documents.count()
        job = partial(compute_agreement, all_shared=self.all_shared.isChecked())
        try:
            report = run_with_progress(
                self,
                "Computing agreement",
                job,
                self.session.project,
                annotators,
                None if every_document else documents,
            )
        except AgreementCancelled:
            self.summary.setText("Cancelled.")
            return
        except NoFinishedDocuments as error:
            self.summary.setText(
                f"Cannot compute: {error}. Mark documents done (Document ▸ Mark done, "
                "Ctrl+Shift+D), or tick “Also documents not finished by everyone”."
            )
            return
        except AnnotatorError as error:
            self.summary.setText(f"Cannot compute: {error}")
            return
        self.show_report(report)

    def show_report(self, report: AgreementReport) -> None:
        self.report = report
        self._texts.clear()
        names = report.annotators
        skipped = f"; {len(report.skipped)} skipped" if report.skipped else ""
        self.summary.setText(
            f"{', '.join(names.values())}: {len(report.documents)} document(s), "
            f"{report.tokens:,} tokens{skipped}. Precision and recall take the first of a pair "
            "as the reference; spans match exactly (same fragments and tag) or by overlap "
            "(one to one, largest overlap first)."
        )
        self.pair_choice.blockSignals(True)
        self.pair_choice.clear()
        for pair in report.pairs:
            self.pair_choice.addItem(f"{names[pair.a]} vs {names[pair.b]}")
        self.pair_choice.blockSignals(False)
        self.group.fill(tables.GROUP_HEADER, tables.group_rows(report))
        self._show_pair(0)

    def _show_pair(self, index: int) -> None:
        if self.report is None or not 0 <= index < len(self.report.pairs):
            return
        pair = self.report.pairs[index]
        self.spans.fill(tables.SPAN_HEADER, tables.span_rows(self.report, pair))
        self.attributes.fill(tables.ATTRIBUTE_HEADER, tables.attribute_rows(pair))
        self.links.fill(tables.LINK_HEADER, tables.link_rows(pair))
        header, rows = tables.confusion_rows(self.report, pair, self.report.annotators)
        self.confusion.fill(header, rows)
        self.passages.setRowCount(0)

    # -- passages ----------------------------------------------------------------------------
    def _cell_chosen(self, table: FigureTable, row: int, column: int, *_ignored) -> None:
        found = table.passages_at(row, column)
        if found is not None:
            self._of_pair = table is not self.group
            self.show_passages(*found)

    def _text(self, document: str) -> str:
        if document not in self._texts:
            with self.session.read() as read:
                self._texts[document] = read.document_text(document)
        return self._texts[document]

    def show_passages(self, title: str, passages: list[Passage]) -> None:
        shown = passages[:PASSAGE_LIMIT]
        more = f" (the first {len(shown):,})" if len(passages) > len(shown) else ""
        self.passage_title.setText(f"{title}: {len(passages):,} passage(s){more}")
        report = self.report
        names = report.annotators if report else {}
        titles = report.titles if report else {}
        self.passages.setRowCount(len(shown))
        for row, passage in enumerate(shown):
            excerpt = " ".join(self._text(passage.document)[passage.start : passage.end].split())
            if len(excerpt) > 120:
                excerpt = excerpt[:117] + "…"
            cells = (
                titles.get(passage.document, passage.document),
                f"{passage.start}–{passage.end}",
                excerpt,
                ", ".join(names.get(a, a) for a in passage.annotators),
                passage.detail,
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column in (0, 4):  # may be cut short by _fit_passages
                    item.setToolTip(text)
                self.passages.setItem(row, column, item)
        self._shown = shown
        self._fit_passages()

    def _fit_passages(self) -> None:
        """Size the passage columns to their contents once, but keep the Text column in view:
        a document title is often a whole first sentence (cut short, whole in its tooltip)."""
        room = self.passages.viewport().width()
        for column, share in ((0, 4), (1, 8), (3, 6), (4, 5)):
            self.passages.resizeColumnToContents(column)
            width = self.passages.horizontalHeader().sectionSize(column)
            self.passages.horizontalHeader().resizeSection(column, min(width, room // share))

    def _passage_activated(self, item: QTableWidgetItem) -> None:
        passage = self._shown[item.row()]
        self._show_layers()
        self.jump(passage.document, passage.start, passage.end)

    def _show_layers(self) -> None:
        """The reading pane shows the layers behind the passages: the chosen pair compared (a
        span only one of them made is otherwise not drawn), or every layer for the group's."""
        layer = self.session.layer
        index = self.pair_choice.currentIndex()
        if self.report is not None and self._of_pair and 0 <= index < len(self.report.pairs):
            pair = self.report.pairs[index]
            side = layer.side_by_side
            layer.set_choice(LayerChoice(LayerMode.COMPARE, pair.a, pair.b, side_by_side=side))
        else:
            layer.set_choice(LayerChoice(LayerMode.ALL))
