"""The merge dialogs: confirm the files and choose per schema conflict, show the reports,
browse the reports kept in the project."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.merge_report import MergeReport
from annotator.gui.panels.common import local_time
from annotator.services.merge import SchemaConflict

CHOICES = (("Keep mine", "mine"), ("Take theirs", "theirs"))


def report_text(report: MergeReport) -> str:
    """A report as the dialogs show it, with the example ids under their counts."""
    lines = [report.summary()]
    if report.examples:
        lines.append("\nexamples:")
        lines += [f"  {kind}: {', '.join(ids)}" for kind, ids in sorted(report.examples.items())]
    return "\n".join(lines)


class MergeDialog(QDialog):
    """Which files are merged (and which were refused, why), the schema conflicts with a
    choice for each or for all, and the note that a merge is not undone with Ctrl+Z."""

    def __init__(
        self,
        parent: QWidget | None,
        files: list[tuple[Path, list[SchemaConflict]]],
        refused: list[str],
        backup: Path,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("merge_dialog")
        self.setWindowTitle("Merge project files")
        self.files = files
        self._combos: dict[str, QComboBox] = {}
        layout = QVBoxLayout(self)
        names = ", ".join(path.name for path, _ in files) or "no file"
        layout.addWidget(QLabel(f"Merge into this project: <b>{_escape(names)}</b>"))
        for line in refused:
            label = QLabel(f"Not merged: {_escape(line)}")
            label.setObjectName("merge_refused")
            label.setWordWrap(True)
            layout.addWidget(label)
        conflicts = {c.ident: c for _, found in files for c in found}
        if conflicts:
            layout.addWidget(QLabel("These schema items are defined differently:"))
            layout.addWidget(self._conflict_table(list(conflicts.values())))
            row = QHBoxLayout()
            for text, choice in CHOICES:
                button = QPushButton(f"{text} for all")
                button.setObjectName(f"all_{choice}")
                button.clicked.connect(lambda _=False, c=choice: self.choose_all(c))
                row.addWidget(button)
            row.addStretch(1)
            layout.addLayout(row)
        note = QLabel(
            "A merge cannot be undone with Ctrl+Z (the undo history is cleared). "
            f"A copy of the project as it is now is saved first as {_escape(backup.name)}."
        )
        note.setWordWrap(True)
        note.setObjectName("merge_note")
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.merge_button = buttons.addButton("Merge", QDialogButtonBox.ButtonRole.AcceptRole)
        self.merge_button.setObjectName("merge_button")
        self.merge_button.setEnabled(bool(files))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if conflicts:  # room for the table
            self.resize(640, 420)
        else:  # two or three lines of text: no taller than they need
            self.resize(640, max(layout.totalHeightForWidth(640), layout.minimumSize().height()))

    def _conflict_table(self, conflicts: list[SchemaConflict]) -> QTableWidget:
        table = QTableWidget(len(conflicts), 3, self)
        table.setObjectName("merge_conflicts")
        table.setHorizontalHeaderLabels(["Item", "Differs in", "Use"])
        table.verticalHeader().hide()
        for row, conflict in enumerate(conflicts):
            table.setItem(row, 0, QTableWidgetItem(f"{conflict.kind} {conflict.key}"))
            table.setItem(row, 1, QTableWidgetItem(", ".join(conflict.fields)))
            combo = QComboBox()
            for text, choice in CHOICES:
                combo.addItem(text, choice)
            table.setCellWidget(row, 2, combo)
            self._combos[conflict.ident] = combo
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        return table

    def choose_all(self, choice: str) -> None:
        for combo in self._combos.values():
            combo.setCurrentIndex(combo.findData(choice))

    def choose(self, ident: str, choice: str) -> None:
        combo = self._combos[ident]
        combo.setCurrentIndex(combo.findData(choice))

    def choices(self) -> dict[str, str]:
        """SchemaConflict.ident → "mine" / "theirs"."""
        return {ident: combo.currentData() for ident, combo in self._combos.items()}


class ReportsDialog(QDialog):
    """Merge reports: a list on the left (source and time), the chosen report on the right."""

    def __init__(self, parent: QWidget | None, title: str, reports: list[MergeReport]) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.reports = reports
        layout = QVBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.list = QListWidget()
        self.list.setObjectName("merge_reports_list")
        for report in reports:
            self.list.addItem(f"{report.source} — {local_time(report.merged)}")
            self.list.item(self.list.count() - 1).setToolTip(f"{report.source}, {report.merged}")
        self.text = QPlainTextEdit(readOnly=True)
        self.text.setObjectName("merge_report_text")
        splitter.addWidget(self.list)
        splitter.addWidget(self.text)
        splitter.setStretchFactor(1, 3)
        layout.addWidget(splitter)
        if not reports:
            self.text.setPlainText("No project file has been merged into this project yet.")
        self.list.currentRowChanged.connect(self._show)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if reports:
            self.list.setCurrentRow(0)
        self.resize(820, 480)

    def _show(self, row: int) -> None:
        if 0 <= row < len(self.reports):
            self.text.setPlainText(report_text(self.reports[row]))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
