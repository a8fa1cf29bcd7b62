"""Team ▸ My queue… (assigned documents, open the next unfinished) and Team ▸ Progress…
(per member: assigned, in progress, done)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.services.team_assign import MemberProgress, QueueItem, next_unfinished

_STATUS = {"new": "New", "in_progress": "In progress", "done": "Done"}


class QueueDialog(QDialog):
    """My assigned documents in assignment order; Enter or the button opens one."""

    def __init__(self, parent: QWidget, items: list[QueueItem], open_document) -> None:
        super().__init__(parent)
        self.setWindowTitle("My queue")
        self.setObjectName("team_queue")
        self.items, self.open_document = items, open_document
        layout = QVBoxLayout(self)
        upcoming = next_unfinished(items)
        done = sum(item.status == "done" for item in items)
        layout.addWidget(QLabel(f"{done} of {len(items)} assigned documents done"))
        self.list = QListWidget()
        for item in items:
            row = QListWidgetItem(f"{_STATUS.get(item.status, item.status):<12}  {item.title}")
            row.setData(256, item.document)
            self.list.addItem(row)
            if item is upcoming:
                self.list.setCurrentItem(row)
        self.list.itemActivated.connect(lambda row: self._open(row.data(256)))
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.next_button = QPushButton("Open &next unfinished")
        self.next_button.setEnabled(upcoming is not None)
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(lambda: upcoming and self._open(upcoming.document))
        buttons.addButton(self.next_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 360)

    def _open(self, document: str) -> None:
        self.open_document(document)
        self.accept()


class ProgressDialog(QDialog):
    """Every member's assigned, in-progress and done counts (as last pushed)."""

    def __init__(self, parent: QWidget, rows: list[MemberProgress]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Team progress")
        self.setObjectName("team_progress")
        layout = QVBoxLayout(self)
        self.table = QTableWidget(len(rows), 5)
        self.table.setHorizontalHeaderLabels(["Member", "Role", "Assigned", "In progress", "Done"])
        for r, row in enumerate(rows):
            for c, value in enumerate(
                (row.name, row.kind, row.assigned, row.in_progress, row.done)
            ):
                self.table.setItem(r, c, QTableWidgetItem(str(value)))
        self.table.resizeColumnsToContents()
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 360)
