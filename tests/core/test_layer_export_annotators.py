"""A layer-filtered export lists only the annotators whose work it carries: the gold layer alone
as a dataset must not name everyone who ever worked in the project (it listed them all)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import json_helpers as h
import orjson
import pytest
from service_helpers import Workspace, snapshot

from annotator.cli import main
from annotator.domain.layers import GOLD_ANNOTATOR_UUID
from annotator.io.formats import ExportOptions
from annotator.io.formats.json.writer import write_json
from annotator.services.curation import choose_annotators
from annotator.services.curation_commands import AcceptAgreed
from annotator.services.exchange_files import ProjectSnapshot, import_data
from annotator.services.span_commands import DeleteSpans

GOLD_ONLY = ExportOptions(annotators=frozenset({GOLD_ANNOTATOR_UUID}))


@pytest.fixture
def curated(tmp_path: Path):
    """Ada added the document and annotated, Bob annotated (and deleted a span of his), Cleo
    accepted what they agree on into gold."""
    ws = Workspace(tmp_path / "p.annotator", "Ada")
    ws.span("claim", "the bridge was safe")
    ws.span("event", "Monday")
    ws.project.switch_annotator("Bob")
    ws.span("claim", "the bridge was safe")
    ws.span("event", "Monday")
    ws.run(DeleteSpans([ws.span("actor", "Engineers")]))
    ws.project.switch_annotator("Cleo")
    chosen = [a.uuid for a in choose_annotators(ws.project, ["Ada", "Bob"])]
    ws.run(AcceptAgreed(chosen))
    yield ws
    ws.close()


def _export(project: Any, options: ExportOptions | None = None) -> dict:
    out = io.BytesIO()
    write_json(ProjectSnapshot(project), out, options=options)
    return orjson.loads(out.getvalue())


def _names(data: dict) -> list[str]:
    return sorted(a["name"] for a in data["annotators"])


def _references(data: dict) -> set[str | None]:
    """Every annotator uuid the file names anywhere (None: an unknown author)."""
    schema = data["schema"]
    items = [*schema["tag_types"], *schema["link_types"]]
    items += [a for item in items for a in item["attributes"]]
    found = {item.get("author") for item in items}
    found |= {e["author"] for e in data["entities"]} | {t["author"] for t in data["tombstones"]}
    found |= {r["annotator"] for r in data["history"]}
    for document in data["documents"]:
        found.add(document["author"])
        for key in ("spans", "links", "status"):
            found |= {x["annotator"] for x in document[key]}
    return found


def test_the_gold_layer_lists_gold_and_who_curated_it_not_everyone(curated) -> None:
    everything = _export(curated.project)
    assert _names(everything) == ["Ada", "Bob", "Cleo", "Gold"]
    gold = _export(curated.project, GOLD_ONLY)
    assert "Bob" not in _names(gold)
    assert {"Gold", "Cleo"} <= set(_names(gold))  # the layer, and who accepted into it
    listed = {a["id"] for a in gold["annotators"]}
    assert _references(gold) - {None} == listed  # nobody listed for nothing, nobody missing
    assert {t["author"] for t in gold["tombstones"]} == {None}  # Bob deleted that span
    assert h.schema_errors(gold) == []


def test_a_layer_export_imports_and_reimports_without_change(curated, tmp_path) -> None:
    gold = _export(curated.project, GOLD_ONLY)
    copy = h.project_for(tmp_path / "copy.annotator", gold)
    try:
        import_data(copy, gold)
        before = snapshot(copy)
        report = import_data(copy, gold)
        assert snapshot(copy) == before and not report.added
        with copy.store.read() as session:
            names = sorted(a.name for a in session.annotators())
        assert "Bob" not in names and "Gold" in names
        assert _export(copy, GOLD_ONLY)["annotators"] == gold["annotators"]
    finally:
        copy.close()


def test_the_cli_gold_layer_in_json_and_refi_qda_names_no_other_layer(curated, tmp_path) -> None:
    curated.close()
    path = str(curated.path)
    out = tmp_path / "gold.json"
    assert main(["export", path, "--layer", "gold", "-o", str(out)]) == 0
    assert "Bob" not in _names(orjson.loads(out.read_bytes()))
    qdpx = tmp_path / "gold.qdpx"
    assert main(["export", path, "--layer", "gold", "--format", "refiqda", "-o", str(qdpx)]) == 0
    with zipfile.ZipFile(qdpx) as archive:
        qde = archive.read("project.qde").decode("utf-8")
    assert qde.count("<User ") == 1 and GOLD_ANNOTATOR_UUID in qde
