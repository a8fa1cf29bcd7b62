"""Label Studio files as Label Studio wrote them: `predictions` (a layer per model), the old
`completions`, a text under another data key, and our own export with a cross-annotator link;
checked against a plain JSON reading (regions, UTF-16 offsets, the text of every span)."""

from __future__ import annotations

import json

import foreign_format_helpers as ff
import orjson
from real_files import real_file

from annotator.services.link_commands import CreateLink
from annotator.services.span_commands import CreateSpan


def _expected(tasks, lists=("annotations", "completions", "predictions")):
    """(layer kind, label, covered text) of every labels region, read with plain json."""
    found = []
    for task in tasks if isinstance(tasks, list) else [tasks]:
        units = next(v for v in task["data"].values() if isinstance(v, str)).encode("utf-16-le")
        for name in lists:
            for annotation in task.get(name) or []:
                for item in annotation["result"]:
                    value = item["value"]
                    text = units[2 * value["start"] : 2 * value["end"]].decode("utf-16-le")
                    assert text == value.get("text", text)
                    found += [(name == "predictions", label, text) for label in value["labels"]]
    return sorted(found)


def _imported(tmp_path, path):
    with ff.fresh(tmp_path / "new.annotator") as project:
        report = ff.import_file(project, "labelstudio", path)
        with project.store.read() as session:
            names = {a.uuid: a.name for a in session.annotators()}
            labels = {t.key: t.label for t in session.schema().tag_types}
            docs = session.documents()
            found = sorted(
                (
                    names[s.annotator].startswith("model: "),
                    labels[s.tag],
                    session.document_text(d.uuid)[s.start : s.fragments[-1][1]],
                )
                for d in docs
                for s in session.spans(d.uuid)
            )
            layers = {names[s.annotator] for d in docs for s in session.spans(d.uuid)}
            links = sum(len(session.links(d.uuid)) for d in docs)
    return report, docs, found, layers, links


def test_predictions_become_a_model_layer(tmp_path) -> None:
    path = real_file("labelstudio/tasks_with_predictions.json")
    tasks = json.loads(path.read_text(encoding="utf-8"))
    report, docs, found, layers, _ = _imported(tmp_path, path)
    assert len(docs) == len(tasks) and found == _expected(tasks) and found
    assert layers == {"model: model 1"}
    assert "prediction(s) imported as layers of their own" in " ".join(report.conflicts)


def test_old_completions_import(tmp_path) -> None:
    path = real_file("labelstudio/old_completions_format.json")
    task = json.loads(path.read_text(encoding="utf-8"))
    _, docs, found, _, _ = _imported(tmp_path, path)
    assert len(docs) == 1 and found == _expected(task) and len(found) > 5


def test_text_under_another_key(tmp_path) -> None:
    text = "Great 😀 phone, bad battery"
    start = len(text[: text.index("bad")].encode("utf-16-le")) // 2
    region = {"id": "a", "from_name": "s", "to_name": "review", "type": "labels"}
    region |= {"source": "$review", "value": {"start": start, "end": start + 11}}
    region["value"]["labels"] = ["Complaint"]
    task = {"data": {"review": text, "stars": 3}, "annotations": [{"result": [region]}]}
    path = tmp_path / "review.json"
    path.write_bytes(orjson.dumps([task]))
    _, docs, found, _, _ = _imported(tmp_path, path)
    assert len(docs) == 1 and found == [(False, "Complaint", "bad battery")]


def test_own_export_with_a_cross_annotator_link_reimports(tmp_path) -> None:
    project, ids, bob_span = ff.rich(tmp_path)
    with project.store.read() as session:
        text = session.document_text(ids.doc2)
    # Ada's place span, linked by Ada to Bob's place span: the link's ends are in two layers
    ada_place = CreateSpan(ids.doc2, "place", [(0, text.index(" "))])
    project.run(ada_place)
    project.run(CreateLink(ada_place.uuid, bob_span, "located_in"))
    out = tmp_path / "ls.json"
    ff.export(project, "labelstudio", out)
    with project.store.read() as session:
        expected = sum(len(session.links(d.uuid)) for d in session.documents())
    *_, links = _imported(tmp_path, out)
    assert links == expected
