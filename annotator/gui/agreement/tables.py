"""Report tables of the Agreement window: each cell remembers the passages behind its figure."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from annotator.domain.agreement import (
    NONE_LABEL,
    OVERALL,
    AgreementReport,
    Coefficient,
    MatchCounts,
    PairReport,
    Passage,
)


def figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


class FigureTable(QTableWidget):
    """A read-only table whose cells carry passages (`passages_at(row, column)`)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setAlternatingRowColors(True)
        self._passages: dict[tuple[int, int], list[Passage]] = {}
        self._titles: dict[tuple[int, int], str] = {}

    def fill(self, header: list[str], rows: list[list[tuple[str, list[Passage] | None, str]]]):
        """rows: cells of (text, passages or None, what the passages are)."""
        self.clear()
        self._passages.clear()
        self._titles.clear()
        self.setColumnCount(len(header))
        self.setHorizontalHeaderLabels(header)
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, (text, passages, title) in enumerate(row):
                item = QTableWidgetItem(text)
                if c > 0:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if passages is not None:
                    self._passages[(r, c)] = passages
                    self._titles[(r, c)] = title
                    item.setToolTip(f"{len(passages):,} passage(s): click to list them")
                self.setItem(r, c, item)
        self.verticalHeader().hide()

    def passages_at(self, row: int, column: int) -> tuple[str, list[Passage]] | None:
        if (row, column) not in self._passages:
            return None
        return self._titles[(row, column)], self._passages[(row, column)]

    def cell_of(self, row_text: str, column_header: str) -> tuple[int, int]:
        """(row, column) of the cell in the row starting with row_text under column_header."""
        column = next(
            c
            for c in range(self.columnCount())
            if self.horizontalHeaderItem(c).text() == column_header
        )
        row = next(r for r in range(self.rowCount()) if self.item(r, 0).text() == row_text)
        return row, column


def _tag_label(key: str) -> str:
    return "all tags" if key == OVERALL else key


def _counts_cells(counts: MatchCounts, what: str) -> list:
    return [
        (str(counts.tp), counts.true_positives, f"{what}: agreeing (TP)"),
        (str(counts.fp), counts.false_positives, f"{what}: only the second annotator (FP)"),
        (str(counts.fn), counts.false_negatives, f"{what}: only the reference (FN)"),
        (figure(counts.precision), counts.passages(), f"{what}: precision"),
        (figure(counts.recall), counts.passages(), f"{what}: recall"),
        (figure(counts.f1), counts.passages(), f"{what}: F1"),
    ]


def _coefficient_cell(value: Coefficient, what: str) -> tuple:
    text = figure(value.value)
    return (text, value.passages, f"{what}: where the annotators differ")


SPAN_HEADER = [
    "tag",
    "exact TP",
    "exact FP",
    "exact FN",
    "exact P",
    "exact R",
    "exact F1",
    "overlap TP",
    "overlap FP",
    "overlap FN",
    "overlap P",
    "overlap R",
    "overlap F1",
    "Cohen κ",
    "Krippendorff α",
]


def span_rows(report: AgreementReport, pair: PairReport) -> list[list]:
    rows = []
    for key in [OVERALL, *report.tags]:
        label = _tag_label(key)
        rows.append(
            [
                (label, None, ""),
                *_counts_cells(pair.exact[key], f"{label}, exact"),
                *_counts_cells(pair.overlap[key], f"{label}, overlap"),
                _coefficient_cell(pair.kappa[key], f"{label}, Cohen κ on tokens"),
                _coefficient_cell(pair.alpha[key], f"{label}, α on tokens"),
            ]
        )
    return rows


LINK_HEADER = ["link type", "TP", "FP", "FN", "P", "R", "F1"]


def link_rows(pair: PairReport) -> list[list]:
    rows = []
    for key, counts in pair.links.items():
        label = "all types" if key == OVERALL else key
        rows.append([(label, None, ""), *_counts_cells(counts, f"{label} links")])
    rows.append(
        [
            ("left out (endpoint unmatched)", None, ""),
            (str(len(pair.links_excluded)), pair.links_excluded, "links left out"),
            *[("", None, "")] * 5,
        ]
    )
    return rows


ATTRIBUTE_HEADER = ["attribute", "compared", "equal", "share equal", "Cohen κ"]


def attribute_rows(pair: PairReport) -> list[list]:
    rows = []
    for cell in pair.attributes:
        label = f"{cell.tag}.{cell.key}"
        everything = [*cell.differing, *cell.agreeing]
        rows.append(
            [
                (label, None, ""),
                (str(cell.compared), everything, f"{label}: compared"),
                (str(len(cell.agreeing)), cell.agreeing, f"{label}: equal"),
                (figure(cell.share_equal), cell.differing, f"{label}: different values"),
                (figure(cell.kappa.value), cell.differing, f"{label}: different values"),
            ]
        )
    return rows


def confusion_rows(report: AgreementReport, pair: PairReport, names) -> tuple[list, list]:
    keys = [*report.tags, NONE_LABEL]
    used = [k for k in keys if any(k in cell for cell in pair.confusion)] or keys
    a, b = names[pair.a], names[pair.b]
    header = [f"{a} \\ {b}", *used]
    rows = []
    for row in used:
        cells: list = [(row, None, "")]
        for column in used:
            passages = pair.confusion.get((row, column), [])
            cells.append((str(len(passages)), passages, f"{a}: {row} / {b}: {column}"))
        rows.append(cells)
    return header, rows


GROUP_HEADER = ["tag", "Krippendorff α", "Fleiss κ"]


def group_rows(report: AgreementReport) -> list[list]:
    rows = []
    for key in [OVERALL, *report.tags]:
        label = _tag_label(key)
        rows.append(
            [
                (label, None, ""),
                _coefficient_cell(report.group.alpha[key], f"{label}, α (all annotators)"),
                _coefficient_cell(report.group.fleiss[key], f"{label}, Fleiss κ (all annotators)"),
            ]
        )
    return rows
