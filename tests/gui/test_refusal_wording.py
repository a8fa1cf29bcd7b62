"""No raw exception text in the GUI (issue 13): every refusal a command can meet, run through
the window's one path (ProjectSession.run, as keys, menus and panels do) or its undo, shows a
sentence for the user in the status bar and the message box: no Python repr, so no bracket,
no straight quote and no "Error"."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from annotator.errors import AnnotatorError
from annotator.services.document_commands import DeleteDocument, EditDocumentMetadata
from annotator.services.entity_commands import DeleteEntity
from annotator.services.link_commands import CreateLink, DeleteLinks
from annotator.services.schema_commands import (
    AddAttribute,
    AddLinkType,
    AddTagType,
    DeleteAttribute,
    DeleteLinkType,
    DeleteTagType,
    EditAttribute,
    EditTagType,
)
from annotator.services.span_commands import CreateSpan, DeleteSpans, EditSpan


def _spans(window) -> dict[str, object]:
    with window.session.read() as read:
        return {s.quote: s for s in read.spans(window.session.current_document)}


def _refusals(window):
    doc = window.session.current_document
    spans = _spans(window)
    pla, vostok = spans["Chinese military forces"], spans["Vostok-2018"]
    russia, china = spans["Russia"], spans["China"]
    return {
        "create span, unknown tag": lambda: CreateSpan(doc, "weapon", [(0, 4)]),
        "create span, bad choice": lambda: CreateSpan(
            doc, "actor", [(0, 4)], attributes={"kind": "x"}
        ),
        "create span, bad number": lambda: CreateSpan(
            doc, "claim", [(0, 4)], attributes={"confidence": "high"}
        ),
        "create span, unknown attribute": lambda: CreateSpan(
            doc, "actor", [(0, 4)], attributes={"mood": "calm"}
        ),
        "create span, outside the text": lambda: CreateSpan(doc, "actor", [(0, 10**7)]),
        "create span, empty": lambda: CreateSpan(doc, "actor", [(5, 5)]),
        "resize span, overlapping fragments": lambda: EditSpan(
            pla.uuid, fragments=[(0, 9), (5, 12)]
        ),
        "retag span, link not allowed": lambda: EditSpan(pla.uuid, tag="place"),
        "edit span, bad date": lambda: EditSpan(vostok.uuid, attributes={"date": "11/09/2018"}),
        "delete span, gone": lambda: DeleteSpans(["no-such-span"]),
        "link, to itself": lambda: CreateLink(russia.uuid, russia.uuid, "same_as"),
        "link, not allowed": lambda: CreateLink(vostok.uuid, russia.uuid, "asserts"),
        "link, unknown type": lambda: CreateLink(russia.uuid, china.uuid, "blames"),
        "delete link, gone": lambda: DeleteLinks(["no-such-link"]),
        "entity, delete a gone one": lambda: DeleteEntity("no-such-entity"),
        "schema, duplicate tag key": lambda: AddTagType("actor", "Actor", "actor", "#112233"),
        "schema, bad colour": lambda: AddTagType("weapon", "Weapon", "custom", "red"),
        "schema, bad key": lambda: AddTagType("9 lives", "Cat", "custom", "#112233"),
        "schema, hotkey taken": lambda: AddTagType(
            "weapon", "Weapon", "custom", "#112233", hotkey="2"
        ),
        "schema, bad kind": lambda: AddTagType("weapon", "Weapon", "gadget", "#112233"),
        "schema, edit unknown field": lambda: EditTagType("actor", size=3),
        "schema, delete tag in use": lambda: DeleteTagType("actor"),
        "schema, duplicate link key": lambda: AddLinkType("same_as", "same", "#112233"),
        "schema, delete link type in use": lambda: DeleteLinkType("located_in"),
        "schema, duplicate attribute": lambda: AddAttribute("tag", "actor", "kind", "Kind", "text"),
        "schema, attribute of nothing": lambda: AddAttribute("both", "actor", "x", "X", "text"),
        "schema, attribute type": lambda: AddAttribute("tag", "actor", "x", "X", "colour"),
        "schema, choice values in use": lambda: EditAttribute(
            "tag", "actor", "kind", choices=["person"]
        ),
        "schema, delete missing attribute": lambda: DeleteAttribute("tag", "actor", "nope"),
        "document, bad date": lambda: EditDocumentMetadata(doc, published="yesterday"),
        "document, no title": lambda: EditDocumentMetadata(doc, title=" "),
        "document, unknown field": lambda: EditDocumentMetadata(doc, colour="red"),
        "document, delete a gone one": lambda: DeleteDocument("no-such-document"),
    }


def _assert_readable(text: str) -> None:
    assert text, "nothing was shown"
    for raw in ("[", "'", "Error", "Traceback"):
        assert raw not in text, f"{raw} in the message: {text}"


@pytest.fixture
def shown(ada_window, monkeypatch) -> list[str]:
    boxes: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: boxes.append(text))
    return boxes


def test_every_refusal_reads_as_a_sentence(qtbot, ada_window, shown) -> None:
    window = ada_window
    refused = 0
    for name, make in _refusals(window).items():
        shown.clear()
        try:
            command = make()
        except AnnotatorError as error:  # refused as it is made: the panel shows the message
            _assert_readable(str(error))
            refused += 1
            continue
        done = window.session.run(command)
        if done:  # a refusal this schema does not reach is no refusal: fail loudly
            pytest.fail(f"{name}: was not refused")
        refused += 1
        assert len(shown) == 1, name
        _assert_readable(shown[0])
        _assert_readable(window.statusBar().currentMessage())
    assert refused == len(_refusals(window))


def test_refused_files_read_as_sentences(qtbot, ada_window, shown, tmp_path) -> None:
    """Adding documents: each refused file's line in the report is a sentence too."""
    from PySide6.QtWidgets import QApplication

    broken = {
        "empty.docx": b"PK\x03\x04 not really a zip",
        "page.html": b"<html><body></body></html>",
        "binary.txt": b"\x00\x01\x02\x03" * 64,
        "bad.epub": b"PK\x05\x06" + b"\x00" * 18,
        "nothing.pdf": b"%PDF-1.4 broken",
    }
    paths = []
    for name, data in broken.items():
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(path)
    ada_window.files.add_paths(paths)
    qtbot.waitUntil(
        lambda: (
            any(w.objectName() == "import_report" for w in QApplication.topLevelWidgets())
            or bool(shown)
        )
    )
    boxes = [w for w in QApplication.topLevelWidgets() if w.objectName() == "import_report"]
    texts = [b.informativeText() for b in boxes] + shown
    lines = [line for text in texts for line in text.splitlines()[1:]] or shown
    assert lines
    for line in lines:
        _assert_readable(line.replace(tmp_path.name, ""))
