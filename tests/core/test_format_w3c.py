"""W3C Web Annotation export/import: the official test-suite schemas, offline JSON-LD expansion,
code-point selectors after an emoji / ZWJ family / combining mark, round trip, filters, cancel,
bad input, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import json_helpers as h
import pytest
from service_helpers import snapshot

from annotator.cli import main
from annotator.domain.model import Schema
from annotator.errors import AnnotatorError
from annotator.io.formats import ExportOptions
from annotator.services.exchange_files import export_file, import_file
from annotator.services.project import Project

SHARED = Path("/work/shared/formats")
SUITE = SHARED / "web-annotation-tests"
CONTEXT_FILE = SHARED / "web-annotation" / "anno.jsonld"


@pytest.fixture
def rich(tmp_path):
    project, ids = h.build_rich_project(tmp_path / "rich.annotator")
    yield project, ids
    project.close()


def export(project: Project, path: Path, **options: Any) -> tuple[dict[str, Any], Any]:
    result = export_file(project, "w3c", path, ExportOptions(**options))
    return json.loads(path.read_text(encoding="utf-8")), result


def items(data: dict[str, Any]) -> list[dict[str, Any]]:
    return data["first"]["items"] if "first" in data else []


# -- the official suite ----------------------------------------------------------------------------
def suite_validators(test_file: str) -> list[Any]:
    """Draft 4 validators (with format checks) for every MUST assertion of a suite .test file."""
    if not SUITE.is_dir():
        pytest.skip(f"the W3C test suite is not at {SUITE}")
    jsonschema = pytest.importorskip("jsonschema")
    referencing_jsonschema = pytest.importorskip("referencing.jsonschema")
    import referencing

    resources = []
    for folder in ("definitions", "annotations", "collections"):
        for file in (SUITE / folder).rglob("*.json"):
            document = json.loads(file.read_text(encoding="utf-8"))
            if "id" in document:
                resource = referencing.Resource.from_contents(
                    document, default_specification=referencing_jsonschema.DRAFT4
                )
                resources.append((document["id"], resource))
    registry = referencing.Registry().with_resources(resources)
    listed = json.loads((SUITE / test_file).read_text(encoding="utf-8"))["assertions"]
    validators = []
    for assertion in listed:
        schema = json.loads((SUITE / assertion).read_text(encoding="utf-8"))
        if schema.get("assertionType", "must") == "must":
            validators.append(
                (
                    assertion,
                    jsonschema.Draft4Validator(
                        schema,
                        registry=registry,
                        format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER,
                    ),
                )
            )
    assert len(validators) > 5
    return validators


def failed(validators: list[Any], instance: dict[str, Any]) -> list[str]:
    return [name for name, v in validators if not v.is_valid(instance)]


def test_format_checkers_are_active():
    """Without rfc3987 / rfc3339-validator the suite silently passes bad URIs and dates."""
    validators = suite_validators("annotations/annotationMusts.test")
    good = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "urn:uuid:01a2234a-d244-7028-bb40-101342cbf744",
        "type": "Annotation",
        "target": "urn:uuid:01a2234a-d244-7028-bb40-101342cbf745",
    }
    assert failed(validators, good) == []
    assert failed(validators, good | {"id": "not a uri"})
    assert failed(validators, good | {"created": "yesterday"})


def test_every_annotation_passes_the_must_assertions(rich, tmp_path):
    project, _ = rich
    data, result = export(project, tmp_path / "out.jsonld")
    validators = suite_validators("annotations/annotationMusts.test")
    assert len(items(data)) == result.spans + result.links == 9
    for annotation in items(data):
        standalone = {"@context": data["@context"], **annotation}
        assert failed(validators, standalone) == [], annotation["id"]


def test_collection_and_page_pass_their_must_assertions(rich, tmp_path):
    project, _ = rich
    data, _ = export(project, tmp_path / "out.jsonld")
    head = {k: v for k, v in data.items() if k != "first"} | {"first": data["first"]["id"]}
    assert failed(suite_validators("collections/collectionMusts.test"), head) == []
    page = {"@context": data["@context"], **data["first"]}
    # The suite's page schemas need partOf as an object (README §2: a quirk of the suite).
    page["partOf"] = {k: data[k] for k in ("id", "type", "label", "total")}
    assert failed(suite_validators("collections/pages/pageMusts.test"), page) == []


# -- JSON-LD -------------------------------------------------------------------------------------
def offline_loader():
    if not CONTEXT_FILE.is_file():
        pytest.skip(f"the bundled context is not at {CONTEXT_FILE}")
    jsonld = pytest.importorskip("pyld.jsonld")
    context = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))

    def load(url: str, options: Any = None) -> dict[str, Any]:
        if url.rstrip("/") in (
            "http://www.w3.org/ns/anno.jsonld",
            "https://www.w3.org/ns/anno.jsonld",
        ):
            return {
                "contentType": "application/ld+json",
                "contextUrl": None,
                "documentUrl": url,
                "document": context,
            }
        raise jsonld.JsonLdError(f"offline: refusing to load {url}", "loading document failed")

    return jsonld, load, context


def keys_of(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


def test_json_ld_expansion_keeps_every_key(rich, tmp_path):
    project, _ = rich
    jsonld, load, context = offline_loader()
    data, _ = export(project, tmp_path / "out.jsonld")
    expanded = jsonld.expand(data, {"documentLoader": load})
    text = json.dumps(expanded)
    for iri in (
        "http://www.w3.org/ns/oa#hasTarget",
        "http://www.w3.org/ns/oa#hasBody",
        "http://www.w3.org/ns/oa#TextPositionSelector",
        "http://www.w3.org/ns/oa#start",
        "http://www.w3.org/ns/oa#exact",
        "http://www.w3.org/ns/oa#linking",
        "urn:x-annotator:documents",
        "urn:x-annotator:attribute",
    ):
        assert iri in text, iri
    # Expansion silently drops undefined keys: every key used must be a term of a context.
    terms = set(context["@context"]) | set(data["@context"][1])
    assert keys_of({k: v for k, v in data.items() if k != "@context"}) <= terms
    quads = jsonld.to_rdf(data, {"documentLoader": load, "format": "application/n-quads"})
    assert "urn:x-annotator:attribute" in quads


# -- content -------------------------------------------------------------------------------------
def test_selectors_are_code_points_after_emoji_zwj_and_combining_mark(rich, tmp_path):
    project, ids = rich
    data, _ = export(project, tmp_path / "out.jsonld")
    texts = {d["id"]: d["value"] for d in data["documents"]}
    text_1 = texts[f"urn:uuid:{ids.doc1}"]
    assert text_1.index("Mayor") > text_1.index("\u200d") > text_1.index("😀")
    assert "e\u0301" in text_1[: text_1.index("Mayor")]
    mayor = next(a for a in items(data) if a["id"] == f"urn:uuid:{ids.mayor}")
    quote, position = mayor["target"]["selector"]
    assert (position["start"], position["end"]) == h.between(text_1, "Mayor Jane Doe")
    assert quote["exact"] == "Mayor Jane Doe"
    for annotation in items(data):
        if annotation["motivation"] != "tagging":
            continue
        targets = annotation["target"]
        for target in targets if isinstance(targets, list) else [targets]:
            quote, position = target["selector"]
            text = texts[target["source"]]
            assert text[position["start"] : position["end"]] == quote["exact"]
            assert text[: position["start"]].endswith(quote["prefix"])
            assert text[position["end"] :].startswith(quote["suffix"])
    claim = next(a for a in items(data) if a["id"] == f"urn:uuid:{ids.claim}")
    assert [t["selector"][0]["exact"] for t in claim["target"]] == ["the bridge", "was safe"]
    link = next(a for a in items(data) if a["id"] == f"urn:uuid:{ids.asserts}")
    assert link["target"] == f"urn:uuid:{ids.mayor}"
    assert link["body"][0] == f"urn:uuid:{ids.claim}"
    assert link["body"][1]["value"] == "asserts"


def test_round_trip_export_import_export_is_equal(rich, tmp_path):
    project, _ = rich
    first, result = export(project, tmp_path / "a.jsonld")
    assert result.warnings == [
        "2 entity references dropped: W3C annotations carry no entity registry"
    ]
    with Project.create(tmp_path / "b.annotator", schema=Schema(), annotator_name="Imp") as other:
        report = import_file(other, "w3c", tmp_path / "a.jsonld", None)
        assert report.added["spans"] == 6 and report.added["links"] == 3
        second, _ = export(other, tmp_path / "b.jsonld")
        again = import_file(other, "w3c", tmp_path / "a.jsonld", None)
        assert not again.changed
    assert items(second) == items(first)
    assert second["documents"] == first["documents"]


def test_layer_and_document_filters(rich, tmp_path):
    project, ids = rich
    data, result = export(project, tmp_path / "bob.jsonld", annotators=frozenset({ids.bob}))
    assert items(data) == [] and result.spans == 0 and len(data["documents"]) == 2
    data, result = export(
        project,
        tmp_path / "doc2.jsonld",
        annotators=frozenset({ids.ada}),
        documents=frozenset({ids.doc2}),
    )
    assert [d["id"] for d in data["documents"]] == [f"urn:uuid:{ids.doc2}"]
    assert [a["id"] for a in items(data)] == [f"urn:uuid:{ids.engineers}"]


def test_cancel_leaves_no_file(rich, tmp_path):
    project, _ = rich
    target = tmp_path / "out.jsonld"
    with pytest.raises(Exception, match="cancel"):
        export(project, target, progress=lambda done, total: False)
    assert list(tmp_path.glob("out*")) == [] and list(tmp_path.glob(".out*")) == []


def first_link(data: dict[str, Any]) -> dict[str, Any]:
    return next(a for a in items(data) if a["motivation"] == "linking")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["first"]["items"][0]["target"]["selector"][1].update(end=10**6), "outside"),
        (lambda d: d["first"]["items"][0]["body"][0].update(value="no key!"), "tag key"),
        (lambda d: first_link(d).update(target="urn:uuid:nope"), "targets a span"),
        (lambda d: d["documents"][0].update(value=None), "document text"),
    ],
)
def test_bad_input_names_file_and_path_and_writes_nothing(rich, tmp_path, change, expected):
    project, _ = rich
    data, _ = export(project, tmp_path / "a.jsonld")
    change(data)
    bad = tmp_path / "bad.jsonld"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with Project.create(tmp_path / "b.annotator", schema=Schema(), annotator_name="Imp") as other:
        before = snapshot(other)
        with pytest.raises(AnnotatorError) as caught:
            import_file(other, "w3c", bad, None)
        assert snapshot(other) == before
    message = str(caught.value)
    assert message.startswith("bad.jsonld: $.") and expected in message, message
    assert "\n" not in message


def test_cli_export_prints_warnings_and_import_creates_project(rich, tmp_path, capsys):
    project, _ = rich
    path = project.path
    project.close()
    out = tmp_path / "cli.jsonld"
    assert main(["export", "--format", "w3c", "-o", str(out), str(path)]) == 0
    err = capsys.readouterr().err
    assert "warning: 2 entity references dropped" in err
    new = tmp_path / "new.annotator"
    assert main(["import", "--format", "w3c", str(new), str(out)]) == 0
    assert "6 spans" in capsys.readouterr().out
    with Project.open(new) as reopened, reopened.store.read() as session:
        assert len(session.documents()) == 2
