"""The import preview: what an import would add, update, skip and lose, with Import and Cancel;
Import applies it as one undoable step (Edit ▸ Undo removes exactly what it added)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from annotator.errors import AnnotatorError
from annotator.gui.dialogs.progress import run_with_progress
from annotator.gui.session import ProjectSession
from annotator.io.exchange import Exchange
from annotator.services.command import Refusal
from annotator.services.import_exchange import ImportExchange, Prepared


def preview_text(report) -> str:
    """The preview's details: the report's lines, losses last under their own heading."""
    return report.summary()


def show_preview(
    session: ProjectSession,
    exchange: Exchange,
    report,
    parent: QWidget,
    prepared: Prepared | None = None,
) -> None:
    """Ask before writing: the summary of what the import would do, Import or Cancel. Import
    applies what the preview validated (`prepared`) when the project has not changed since."""
    box = QMessageBox(parent)
    box.setObjectName("import_preview")
    box.setWindowTitle("Import")
    box.setIcon(QMessageBox.Icon.Question)
    name = exchange.source or "the file"
    if report.changed:
        box.setText(f"Import {name}? Nothing has been written yet.")
    else:
        box.setText(f"{name} holds nothing this project lacks; importing it changes nothing.")
    box.setInformativeText(preview_text(report))
    accept = box.addButton("&Import", QMessageBox.ButtonRole.AcceptRole)
    accept.setObjectName("import_accept")
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(accept)

    def finished() -> None:
        if box.clickedButton() is accept:
            apply_import(session, exchange, parent, prepared)
        else:
            session.message.emit(f"Import of {name} cancelled; nothing was written")
        box.deleteLater()

    box.finished.connect(finished)
    box.open()
    return box


def apply_import(
    session: ProjectSession, exchange: Exchange, parent: QWidget, prepared: Prepared | None = None
) -> bool:
    """Apply the exchange through the session (one step on the undo stack), with progress."""
    command = ImportExchange(exchange, prepared=prepared)

    def job(progress) -> object:
        command.progress = progress
        return command.do(session.project)

    def do():
        return run_with_progress(parent, "Importing", job)

    try:
        # report=False: the summary below is the status note, not the generic "Done: …"
        done = session.run(command, do=do, report=False)
    except (AnnotatorError, OSError) as error:  # changed since the preview: nothing written
        done = Refusal(str(error))
    if not done:
        QMessageBox.warning(parent, "Import", f"Nothing was imported.\n\n{done.reason}")
        return False
    lines = command.report.summary().splitlines()
    session.message.emit(
        f"Imported {exchange.source}: {lines[0] if lines else 'done'} (Ctrl+Z undoes it)"
    )
    return True
