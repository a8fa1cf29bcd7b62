"""File ▸ Import… and Export… on the real main window: format list with limits, layer choice
(the gold layer once there is one), destination via the (patched) file dialog, progress and
cancel, warnings shown after, import summary, and import errors shown without a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFileDialog,
    QListWidget,
    QMessageBox,
    QPushButton,
)

from annotator.domain.layers import GOLD_ANNOTATOR_UUID
from annotator.gui.dialogs import exchange
from annotator.gui.dialogs.exchange import GOLD_LAYER, ExportDialog, ImportDialog
from annotator.gui.main_window import MainWindow
from annotator.gui.settings import Settings
from annotator.services.exchange_files import export_file

TEXT = "😀 👩\u200d👩\u200d👧 Cafe\u0301: Ada met Bob.\n"
CONF = "[entities]\nPerson\n[relations]\n[events]\n[attributes]\n"


@pytest.fixture
def window(qtbot, sample_session):
    main = MainWindow(sample_session, Settings())
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    return main


@pytest.fixture
def boxes(monkeypatch) -> list[tuple[str, str, str]]:
    """Every message box shown: (kind, title, text); none blocks the test."""
    shown: list[tuple[str, str, str]] = []
    for kind in ("information", "warning", "critical"):
        monkeypatch.setattr(
            QMessageBox,
            kind,
            staticmethod(lambda parent, title, text, *a, k=kind: shown.append((k, title, text))),
        )
    return shown


def gold_collection(tmp_path: Path, covered: str = "Ada") -> Path:
    """A brat collection whose Gold folder is the gold layer."""
    folder = tmp_path / "collection"
    (folder / "Gold").mkdir(parents=True)
    (folder / "annotation.conf").write_text(CONF, "utf-8")
    (folder / "Gold" / "doc.txt").write_text(TEXT, "utf-8")
    start = TEXT.index("Ada")
    ann = f"T1\tPerson {start} {start + 3}\t{covered}\n"
    (folder / "Gold" / "doc.ann").write_text(ann, "utf-8")
    return folder / "Gold" / "doc.ann"


def open_dialog(qtbot, main: MainWindow, action: str, kind: type):
    main.actions_by_id[action].trigger()
    dialog = main.findChild(kind)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitExposed(dialog)
    return dialog


def pick_format(qtbot, dialog, label: str) -> None:
    formats: QListWidget = dialog.format_list
    item = formats.findItems(label, Qt.MatchFlag.MatchExactly)[0]
    rect = formats.visualItemRect(item)
    qtbot.mouseClick(formats.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dialog.chosen.label == label


def press_ok(qtbot, dialog) -> None:
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.isEnabled()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)


def import_file(qtbot, main, monkeypatch, label: str, path: Path, accept: bool = True) -> str:
    """Import through the dialog; returns the preview's text (after pressing Import)."""
    dialog = open_dialog(qtbot, main, "import_data", ImportDialog)
    pick_format(qtbot, dialog, label)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    qtbot.mouseClick(dialog.browse, Qt.MouseButton.LeftButton)
    assert dialog.path.text() == str(path)
    press_ok(qtbot, dialog)
    return answer_preview(qtbot, main, "import_accept") if accept else ""


def answer_preview(qtbot, main, button: str | None) -> str:
    """Wait for the import preview, press its Import button (button="import_accept") or
    Cancel (None); return the preview's summary text."""
    qtbot.waitUntil(lambda: main.findChild(QMessageBox, "import_preview") is not None)
    box = main.findChild(QMessageBox, "import_preview")
    qtbot.waitExposed(box)
    text = f"{box.text()}\n{box.informativeText()}"
    if button is None:
        pressed = box.button(QMessageBox.StandardButton.Cancel)
    else:
        pressed = box.findChild(QPushButton, button)
    with qtbot.waitSignal(main.session.message) as message:
        qtbot.mouseClick(pressed, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: main.findChild(QMessageBox, "import_preview") is None)
    return text + "\n" + message.args[0]


def test_every_registered_format_is_listed_with_its_limits(qtbot, window):
    dialog = open_dialog(qtbot, window, "export_data", ExportDialog)
    labels = [dialog.format_list.item(i).text() for i in range(dialog.format_list.count())]
    assert {"Annotator JSON", "W3C Web Annotation (JSON-LD)", "brat standoff"} <= set(labels)
    assert {"CoNLL-2003 / BIO (IOB2)", "CSV (spreadsheet)"} <= set(labels)
    pick_format(qtbot, dialog, "CoNLL-2003 / BIO (IOB2)")
    assert "Cannot carry" in dialog.about.text() and "links" in dialog.about.text()
    assert dialog.path.text().endswith(".conll")
    layers = [dialog.layer.itemText(i) for i in range(dialog.layer.count())]
    assert layers == ["All annotators", "tester only"]  # no gold layer yet
    dialog.path.clear()
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    dialog.reject()


def test_import_brat_then_export_only_the_gold_layer(qtbot, window, boxes, monkeypatch, tmp_path):
    summary = import_file(qtbot, window, monkeypatch, "brat standoff", gold_collection(tmp_path))
    assert "added:" in summary and "1 span" in summary and "Ctrl+Z" in summary
    with window.session.project.store.read() as read:
        assert GOLD_ANNOTATOR_UUID in {a.uuid for a in read.annotators()}

    dialog = open_dialog(qtbot, window, "export_data", ExportDialog)
    pick_format(qtbot, dialog, "W3C Web Annotation (JSON-LD)")
    dialog.layer.setFocus()
    qtbot.keyClick(dialog.layer, Qt.Key.Key_Down)  # All annotators → Gold layer
    assert dialog.layer.currentText() == GOLD_LAYER
    target = tmp_path / "gold"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(dialog.browse, Qt.MouseButton.LeftButton)
    assert dialog.path.text() == str(target) + ".jsonld"
    with qtbot.waitSignal(window.session.message) as message:
        press_ok(qtbot, dialog)
    assert message.args[0].startswith("Exported 2 document(s)")
    data = json.loads((tmp_path / "gold.jsonld").read_text(encoding="utf-8"))
    annotations = data["first"]["items"]
    assert [a["creator"]["id"] for a in annotations] == [f"urn:uuid:{GOLD_ANNOTATOR_UUID}"]
    (position,) = [s for s in annotations[0]["target"]["selector"] if "start" in s]
    assert position["start"] == TEXT.index("Ada")  # code points after emoji, ZWJ, combining


def test_export_warnings_are_shown_after(qtbot, window, boxes, monkeypatch, tmp_path):
    dialog = open_dialog(qtbot, window, "export_data", ExportDialog)
    pick_format(qtbot, dialog, "CoNLL-2003 / BIO (IOB2)")
    dialog.path.setText(str(tmp_path / "all.conll"))
    press_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: bool(boxes))
    kind, title, text = boxes[-1]
    assert (kind, title) == ("information", "Export")
    assert "Not carried by CoNLL" in text and "links dropped" in text
    assert (tmp_path / "all.conll").read_text(encoding="utf-8").startswith("-DOCSTART-")


def test_cancel_removes_the_partial_export(qtbot, window, boxes, monkeypatch, tmp_path):
    real = exchange.run_with_progress

    def cancelling(parent, title, job):  # the real progress runner; the user cancels at once
        return real(parent, title, lambda progress: job(lambda *a, **k: False))

    monkeypatch.setattr(exchange, "run_with_progress", cancelling)
    dialog = open_dialog(qtbot, window, "export_data", ExportDialog)
    pick_format(qtbot, dialog, "brat standoff")
    dialog.path.setText(str(tmp_path / "out.zip"))
    with qtbot.waitSignal(window.session.message) as message:
        press_ok(qtbot, dialog)
    assert "cancelled" in message.args[0]
    assert not any(p.name.startswith((".out", "out")) for p in tmp_path.iterdir())
    assert boxes == []


def test_a_bad_import_shows_the_error_without_traceback(
    qtbot, window, boxes, monkeypatch, tmp_path
):
    with window.session.project.store.read() as read:
        before = sum(len(read.spans(d.uuid)) for d in read.documents())
    bad = gold_collection(tmp_path, "Bob")
    import_file(qtbot, window, monkeypatch, "brat standoff", bad, accept=False)
    kind, title, text = boxes[-1]
    assert (kind, title) == ("warning", "Import")
    assert (
        text.startswith("Nothing was imported.")
        and "doc.ann:1: text \u201cBob\u201d differs" in text
    )
    assert "Traceback" not in text
    with window.session.project.store.read() as read:
        assert sum(len(read.spans(d.uuid)) for d in read.documents()) == before


def test_export_onto_the_project_file_is_refused(qtbot, window, boxes):
    # Typing the project's own path wrote the JSON over it: the project was gone.
    project_path = window.session.project.path
    dialog = open_dialog(qtbot, window, "export_data", ExportDialog)
    pick_format(qtbot, dialog, "Annotator JSON")
    dialog.path.setText(str(project_path))
    press_ok(qtbot, dialog)
    qtbot.waitUntil(lambda: bool(boxes))
    kind, title, text = boxes[-1]
    assert (kind, title) == ("warning", "Export") and "the project file itself" in text
    assert project_path.read_bytes().startswith(b"SQLite format 3\x00")
    with window.session.project.store.read() as read:
        assert read.documents()


def test_an_import_refreshes_the_document_list_and_palette(
    qtbot, window, boxes, monkeypatch, tmp_path
):
    # The import runs on a worker thread and told the session there; the session's timer
    # could not start from that thread ("Timers cannot be started from another thread"), so
    # the new document and tag type stayed out of the views until some later edit.
    before = window.documents.proxy.rowCount()
    import_file(qtbot, window, monkeypatch, "brat standoff", gold_collection(tmp_path))
    qtbot.waitUntil(lambda: window.documents.proxy.rowCount() == before + 1)
    assert "Person" in [tag.label for tag in window.session.schema.tag_types]


def test_foreign_w3c_annotations_go_on_the_document_chosen_in_the_dialog(
    qtbot, window, boxes, monkeypatch, tmp_path
):
    """A Recogito-style file names no document of ours: the dialog's "Annotates:" choice (shown
    for W3C only) says which one, and the quote is anchored there."""
    session = window.session
    with session.project.store.read() as store:
        info = store.documents()[-1]
        text = store.document_text(info.uuid)
        before = len(store.spans(info.uuid))
    quote = " ".join(text.split()[1:3])  # two words, anchored whatever the spacing
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "#a1",
        "type": "Annotation",
        "body": [{"type": "TextualBody", "value": "Seen", "purpose": "tagging"}],
        "target": {"selector": [{"type": "TextQuoteSelector", "exact": quote}]},
    }
    path = tmp_path / "recogito.json"
    path.write_text(json.dumps([annotation]), "utf-8")
    dialog = open_dialog(qtbot, window, "import_data", ImportDialog)
    pick_format(qtbot, dialog, "W3C Web Annotation (JSON-LD)")
    choice = dialog.annotated
    assert choice.isVisible() and choice.currentText() == exchange.FROM_THE_FILE
    index = choice.findData(info.uuid)
    choice.setFocus()
    for _ in range(index):
        qtbot.keyClick(choice, Qt.Key.Key_Down)
    assert choice.currentData() == info.uuid
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    qtbot.mouseClick(dialog.browse, Qt.MouseButton.LeftButton)
    press_ok(qtbot, dialog)
    assert "1 span" in answer_preview(qtbot, window, "import_accept")
    with session.project.store.read() as store:
        spans = store.spans(info.uuid)
    assert len(spans) == before + 1
    assert any(" ".join(text[s.start : s.fragments[-1][1]].split()) == quote for s in spans)


def test_the_preview_says_what_would_change_and_cancel_writes_nothing(
    qtbot, window, boxes, monkeypatch, tmp_path
):
    project = window.session.project
    before = project.path.read_bytes()
    with project.store.read() as read:
        documents = len(read.documents())
    dialog = open_dialog(qtbot, window, "import_data", ImportDialog)
    pick_format(qtbot, dialog, "brat standoff")
    dialog.path.setText(str(gold_collection(tmp_path)))
    press_ok(qtbot, dialog)
    text = answer_preview(qtbot, window, None)
    assert "Nothing has been written yet" in text
    assert "added: 1 annotator, 1 document, 1 span, 1 tag type" in text
    assert "cancelled; nothing was written" in text
    with project.store.read() as read:
        assert len(read.documents()) == documents
    assert project.path.read_bytes() == before
    assert window.session.undo_stack.count() == 0


def test_ctrl_z_after_an_import_removes_exactly_what_it_added(
    qtbot, window, boxes, monkeypatch, tmp_path
):
    project = window.session.project
    bundle = tmp_path / "before.json"
    export_file(project, "json", bundle)
    before = json.loads(bundle.read_text("utf-8"))
    import_file(qtbot, window, monkeypatch, "brat standoff", gold_collection(tmp_path))
    stack = window.session.undo_stack
    assert stack.count() == 1 and stack.undoText() == "Import doc.ann"
    with project.store.read() as read:
        assert GOLD_ANNOTATOR_UUID in {a.uuid for a in read.annotators()}
    assert window.actions_by_id["undo"].isEnabled(), window.actions_by_id["undo"].text()
    errors = []
    window.session.error.connect(errors.append)
    with qtbot.waitActive(window):  # the preview had the focus
        window.activateWindow()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    window.session.flush()
    assert errors == []
    assert stack.index() == 0
    after = tmp_path / "after.json"
    export_file(project, "json", after)
    undone = json.loads(after.read_text("utf-8"))
    assert undone["documents"] == before["documents"]
    assert undone["schema"] == before["schema"]
    assert {a["id"] for a in undone["annotators"]} <= {a["id"] for a in before["annotators"]}
    with project.store.read() as read:
        history = read.history()
    assert any(entry.action == "import" for entry in history)
    assert any(entry.summary.endswith("(undo)") for entry in history)
    window.actions_by_id["redo"].trigger()  # Edit ▸ Redo puts it back
    assert stack.index() == 1
    with project.store.read() as read:
        assert GOLD_ANNOTATOR_UUID in {a.uuid for a in read.annotators()}
