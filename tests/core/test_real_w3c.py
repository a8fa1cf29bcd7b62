"""W3C annotations made by another tool (RecogitoJS): the target has no source, the text is a web
page's; anchored by quote (whitespace-tolerant) with the position as a hint, tags, comments and
the connection between two annotations come through, and what cannot be anchored is reported."""

from __future__ import annotations

import json

import foreign_format_helpers as ff
import orjson
from real_files import real_file

from annotator.io.documents.html import import_html_string
from annotator.services.document_commands import AddDocuments
from annotator.services.project import Project


def _project_with_page(tmp_path):
    page = real_file("w3c/recogito_js_index.html").read_text(encoding="utf-8")
    project = ff.fresh(tmp_path / "p.annotator")
    add = AddDocuments([import_html_string(page, "recogito_js_index.html")])
    project.run(add)
    return project, add.report.added[0]


def _spans(project):
    with project.store.read() as session:
        labels = {t.key: t.label for t in session.schema().tag_types}
        link_labels = {t.key: t.label for t in session.schema().link_types}
        (doc,) = session.documents()
        text = session.document_text(doc.uuid)
        spans = session.spans(doc.uuid)
        links = session.links(doc.uuid)
    quotes = {s.uuid: text[s.start : s.fragments[-1][1]] for s in spans}
    return text, spans, links, quotes, labels, link_labels


def test_recogito_annotations_anchor_in_the_page_given_on_the_command_line(tmp_path, capsys):
    path = real_file("w3c/recogito_js.w3c.json")
    annotations = json.loads(path.read_text(encoding="utf-8"))
    project, doc = _project_with_page(tmp_path)
    project.close()
    code, _, err = ff.cli(
        capsys, "import", tmp_path / "p.annotator", path, "--format", "w3c", "--document", doc
    )
    assert code == 0, err
    with Project.open(tmp_path / "p.annotator") as project:
        _, spans, links, quotes, labels, link_labels = _spans(project)
    # independent reading: every quote of the file, once per tag (an untagged one as
    # "annotation"), each found in the page text with its whitespace squashed
    expected = sorted(
        (a["target"]["selector"][0]["exact"], tag)
        for a in annotations
        if a.get("motivation") != "linking"
        for tag in [b["value"] for b in a["body"] if b.get("purpose") == "tagging"]
        or ["annotation"]
    )
    assert sorted((quotes[s.uuid], labels[s.tag]) for s in spans) == expected
    troy = next(s for s in spans if quotes[s.uuid] == "Troy")
    assert troy.note == "This is a comment"
    assert [(quotes[x.source], quotes[x.target], link_labels[x.type]) for x in links] == [
        ("Troy", "death in battle", "isRelatedTo")
    ]


def test_unanchorable_annotations_are_reported_not_fatal(tmp_path):
    project, doc = _project_with_page(tmp_path)
    lost = {
        "type": "Annotation",
        "id": "#lost",
        "body": [{"type": "TextualBody", "value": "x", "purpose": "tagging"}],
        "target": {"selector": [{"type": "TextQuoteSelector", "exact": "not in this page"}]},
    }
    spaced = {
        "type": "Annotation",
        "id": "#spaced",
        "body": [{"type": "TextualBody", "value": "hero", "purpose": "tagging"}],
        "target": {
            "source": "https://example.org/odyssey",
            "selector": [
                {"type": "TextQuoteSelector", "exact": "that  ingenious\n hero", "prefix": "of "},
                {"type": "TextPositionSelector", "start": 9999, "end": 10018},
            ],
        },
    }
    path = tmp_path / "foreign.json"
    path.write_bytes(orjson.dumps([lost, spaced]))
    from annotator.services.exchange_files import import_file

    with project:
        report = import_file(project, "w3c", path, document=doc)
        _, spans, _, quotes, labels, _ = _spans(project)
    assert [(quotes[s.uuid], labels[s.tag]) for s in spans] == [("that ingenious hero", "hero")]
    assert report.loss.count("annotation(s) could not be anchored") == 1
    assert "1 annotation(s) could not be anchored" in report.summary()
