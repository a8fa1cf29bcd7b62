"""Issue 17: a large W3C file of ours is checked a document, then an annotation, at a time
before it is parsed whole (io/formats/w3c/stream_check), with the reader's own words: a good
file still imports the same, a bad last annotation or document is refused by the first pass.
Run here with the threshold at 0 so every file takes that path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import json_helpers as h
import pytest
from service_helpers import snapshot

from annotator.domain.model import Schema
from annotator.errors import AnnotatorError
from annotator.io.formats import ExportOptions
from annotator.io.formats.json import stream_check
from annotator.io.formats.w3c import stream_check as w3c_check
from annotator.services.exchange_files import export_file, import_file
from annotator.services.project import Project


@pytest.fixture
def exported(tmp_path) -> dict[str, Any]:
    project, _ = h.build_rich_project(tmp_path / "rich.annotator")
    try:
        export_file(project, "w3c", tmp_path / "a.jsonld", ExportOptions())
    finally:
        project.close()
    return json.loads((tmp_path / "a.jsonld").read_text(encoding="utf-8"))


def import_data(tmp_path: Path, data: dict[str, Any], first_pass: bool) -> tuple[str, Any]:
    """("refused: <message>" or "imported", the first pass's own refusal or None)."""
    path = tmp_path / "big.jsonld"
    path.write_text(json.dumps(data), encoding="utf-8")
    refusals: list[str] = []
    real = w3c_check.check_w3c_first

    def spy(path: Path, context) -> None:
        try:
            real(path, context)
        except AnnotatorError as error:
            refusals.append(str(error))
            raise

    target = tmp_path / f"p{len(list(tmp_path.glob('p*.annotator')))}.annotator"
    with pytest.MonkeyPatch.context() as patch:
        if first_pass:
            patch.setattr(stream_check, "STREAM_CHECK_BYTES", 0)
        patch.setattr(w3c_check, "check_w3c_first", spy)
        with Project.create(target, schema=Schema(), annotator_name="Imp") as project:
            before = snapshot(project)
            try:
                report = import_file(project, "w3c", path, None)
            except AnnotatorError as error:
                assert snapshot(project) == before
                return f"refused: {error}", refusals[0] if refusals else None
            return f"imported: {sorted(report.added.items())}", None


def test_a_good_file_imports_the_same_after_the_first_pass(tmp_path, exported) -> None:
    whole = import_data(tmp_path, exported, first_pass=False)
    assert whole[0].startswith("imported: ") and "('spans', 6)" in whole[0]
    assert import_data(tmp_path, exported, first_pass=True) == whole


def _last_span(data: dict[str, Any]) -> dict[str, Any]:
    return [a for a in data["first"]["items"] if a.get("motivation") != "linking"][-1]


CHANGES = {
    "quote not in the text": lambda d: (
        _last_span(d)["target"]["selector"][0].update(
            exact="words that are nowhere", prefix="", suffix=""
        )
        or _last_span(d)["target"]["selector"].pop(1)
    ),
    "position outside the text": lambda d: _last_span(d)["target"]["selector"][1].update(end=10**6),
    "link to nothing": lambda d: [
        a for a in d["first"]["items"] if a.get("motivation") == "linking"
    ][-1].update(target="urn:uuid:nope"),
    "document text with NUL": lambda d: d["documents"][-1].update(value="a\x00b"),
    "document without text": lambda d: d["documents"][0].update(value=None),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_bad_row_is_refused_by_the_first_pass_in_the_readers_words(
    tmp_path, exported, change
) -> None:
    CHANGES[change](exported)
    whole, _ = import_data(tmp_path, exported, first_pass=False)
    assert whole.startswith("refused: big.jsonld: $."), whole
    streamed, refused_first = import_data(tmp_path, exported, first_pass=True)
    assert streamed == whole
    assert refused_first is not None and f"refused: {refused_first}" == whole


def test_a_file_without_documents_is_left_to_the_whole_reading(tmp_path, exported) -> None:
    """Annotations on the project's own texts (no `documents`): nothing to read a document
    at a time, so the first pass stands aside and the reader words the refusal."""
    del exported["documents"]
    whole, _ = import_data(tmp_path, exported, first_pass=False)
    assert import_data(tmp_path, exported, first_pass=True) == (whole, None)
