"""File ▸ Export… and Import…: every registered exchange format, layer choice, progress, results."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.layers import is_gold
from annotator.errors import AnnotatorError
from annotator.gui.dialogs.import_preview import show_preview
from annotator.gui.dialogs.progress import run_with_progress
from annotator.gui.folders import remember, start_in
from annotator.gui.session import ProjectSession
from annotator.io.documents.registry import internal_error_line
from annotator.io.formats import (
    ExportOptions,
    check_export_destination,
    export_formats,
    import_formats,
)
from annotator.io.formats.export_common import ExportCancelled
from annotator.services.exchange_files import ProjectSnapshot, read_with
from annotator.services.import_exchange import preview_prepared

ALL_LAYERS = "All annotators"
FROM_THE_FILE = "The documents the file names"
GOLD_LAYER = "Gold layer"


class _FormatDialog(QDialog):
    """A format list with the chosen format's description, a path row and OK/Cancel."""

    def __init__(self, title: str, formats: tuple, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.formats = formats
        self.format_list = QListWidget(objectName="formats")
        for fmt in formats:
            item = QListWidgetItem(fmt.label)
            item.setData(Qt.ItemDataRole.UserRole, fmt.key)
            self.format_list.addItem(item)
        self.about = QLabel(objectName="format_about", wordWrap=True)
        self.about.setMinimumHeight(60)
        self.path = QLineEdit(objectName="path")
        self.browse = QPushButton("Browse…", objectName="browse")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.form = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Format:"))
        layout.addWidget(self.format_list)
        layout.addWidget(self.about)
        layout.addLayout(self.form)
        self.form.addRow("File:", row)
        layout.addWidget(self.buttons)
        self.format_list.currentRowChanged.connect(self._format_changed)
        self.path.textChanged.connect(self._update_ok)
        self.resize(560, 460)

    @property
    def chosen(self):
        return self.formats[max(self.format_list.currentRow(), 0)]

    def chosen_path(self) -> Path:
        return Path(self.path.text().strip())

    def _format_changed(self, _row: int) -> None:
        self._update_ok()

    def _update_ok(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.format_list.currentRow() >= 0 and bool(self.path.text().strip()))


class ExportDialog(_FormatDialog):
    """Choose a format (its limits shown), the layers and the destination."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__("Export", export_formats(), parent)
        self.session = session
        self.layer = QComboBox(objectName="layer")
        self.layer.addItem(ALL_LAYERS, None)
        with session.project.store.read() as read:
            annotators = read.annotators()
        for annotator in annotators:
            if is_gold(annotator.uuid):
                self.layer.addItem(GOLD_LAYER, frozenset({annotator.uuid}))
        for annotator in annotators:
            if not is_gold(annotator.uuid):
                self.layer.addItem(f"{annotator.name} only", frozenset({annotator.uuid}))
        self.form.insertRow(0, "Layers:", self.layer)
        self.browse.clicked.connect(self._browse)
        # the last folder used (issue 14), not the project's: that may be a hidden data folder
        self.path.setText(start_in(session.project.path.stem + self.formats[0].suffix))
        self.format_list.setCurrentRow(0)

    def _format_changed(self, row: int) -> None:
        fmt = self.formats[row]
        limits = f"<br><b>Cannot carry:</b> {fmt.limits}" if fmt.limits else ""
        self.about.setText(f"{fmt.description}{limits}")
        current = self.path.text().strip()
        if current:  # the destination follows the format's suffix
            self.path.setText(str(Path(current).with_suffix(fmt.suffix)))
        super()._format_changed(row)

    def _browse(self) -> None:
        fmt = self.chosen
        name, _ = QFileDialog.getSaveFileName(
            self, "Export to", self.path.text(), f"{fmt.label} (*{fmt.suffix})"
        )
        if name:
            remember(name)
            path = Path(name)
            if path.suffix != fmt.suffix:
                path = path.with_name(path.name + fmt.suffix)
            self.path.setText(str(path))

    def options(self) -> ExportOptions:
        return ExportOptions(annotators=self.layer.currentData())


class ImportDialog(_FormatDialog):
    """Choose a format and the file to read."""

    def __init__(
        self, parent: QWidget | None = None, documents: list[tuple[str, str]] = ()
    ) -> None:
        super().__init__("Import", import_formats(), parent)
        # W3C annotations made elsewhere (Hypothesis, Recogito) name a web page, not one of
        # ours: the user says which project document they annotate
        self.annotated = QComboBox(objectName="annotated_document")
        self.annotated.addItem(FROM_THE_FILE, None)
        for uuid, title in documents:
            self.annotated.addItem(title, uuid)
        self.annotated_label = QLabel("Annotates:")
        self.form.addRow(self.annotated_label, self.annotated)
        self.browse.clicked.connect(self._browse)
        self.format_list.setCurrentRow(0)

    def _format_changed(self, row: int) -> None:
        fmt = self.formats[row]
        self.about.setText(f"{fmt.description}<br>Files: {', '.join(fmt.suffixes)}")
        if hasattr(self, "annotated"):
            foreign = fmt.key == "w3c" and self.annotated.count() > 1
            self.annotated.setVisible(foreign)
            self.annotated_label.setVisible(foreign)
        super()._format_changed(row)

    def annotated_document(self) -> str | None:
        """The project document chosen for foreign W3C annotations (None: the file says)."""
        return None if self.annotated.isHidden() else self.annotated.currentData()

    def _browse(self) -> None:
        fmt = self.chosen
        patterns = " ".join(f"*{s}" for s in fmt.suffixes)
        name, _ = QFileDialog.getOpenFileName(
            self, "Import from", start_in(), f"{fmt.label} ({patterns});;All files (*)"
        )
        if name:
            remember(name)
            self.path.setText(name)


# -- running them ----------------------------------------------------------------------------------
def run_export(session: ProjectSession, dialog: ExportDialog, parent: QWidget) -> None:
    """Write the export the dialog describes (progress, cancel), then show its warnings."""
    fmt, destination, options = dialog.chosen, dialog.chosen_path(), dialog.options()

    def job(progress) -> object:
        chosen = ExportOptions(options.annotators, options.documents, progress)
        return fmt.write(ProjectSnapshot(session.project), destination, chosen)

    try:
        check_export_destination(session.project.path, destination)
        result = run_with_progress(parent, "Exporting", job)
    except ExportCancelled:
        session.message.emit("Export cancelled; nothing was written")
        return
    except (AnnotatorError, OSError) as error:
        QMessageBox.warning(parent, "Export", f"The export failed: {error}")
        return
    remember(destination)  # a typed destination is the next dialog's folder too
    done = f"Exported {result.documents} document(s) to {destination.name}"
    if result.warnings:
        lines = "\n".join(f"• {w}" for w in result.warnings)
        text = f"{done}.\n\nNot carried by {fmt.label}:\n{lines}"
        QMessageBox.information(parent, "Export", text)
    session.message.emit(done)


def run_import(session: ProjectSession, dialog: ImportDialog, parent: QWidget) -> None:
    """Read the chosen file and work out what importing it would do (nothing is written),
    then show that summary with Import and Cancel: Import applies it as one undoable step."""
    fmt, source, annotated = dialog.chosen, dialog.chosen_path(), dialog.annotated_document()

    def job(progress) -> object:
        exchange = read_with(fmt, session.project, source, progress, annotated)
        return exchange, *preview_prepared(session.project, exchange)

    try:
        exchange, report, prepared = run_with_progress(parent, "Reading", job)
    except (AnnotatorError, OSError) as error:
        lines = getattr(error, "errors", None) or [str(error)]
    except Exception as error:  # a bug in a reader: said, reported, and nothing was written
        lines = [f"{Path(source).name}: {internal_error_line(error)}"]
    else:
        lines = []
    if lines:
        more = f"\n(and {len(lines) - 10} more)" if len(lines) > 10 else ""
        text = "\n".join(lines[:10]) + more
        QMessageBox.warning(parent, "Import", f"Nothing was imported.\n\n{text}")
        return
    show_preview(session, exchange, report, parent, prepared)


def open_export(session: ProjectSession, parent: QWidget) -> ExportDialog:
    dialog = ExportDialog(session, parent)
    dialog.accepted.connect(lambda: run_export(session, dialog, parent))
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


def open_import(session: ProjectSession, parent: QWidget) -> ImportDialog:
    with session.project.store.read() as store:
        documents = [(d.uuid, d.title) for d in store.documents()]
    dialog = ImportDialog(parent, documents)
    dialog.accepted.connect(lambda: run_import(session, dialog, parent))
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
