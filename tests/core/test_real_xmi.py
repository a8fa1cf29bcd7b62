"""INCEpTION/WebAnno XMI files import as INCEpTION wrote them, checked against dkpro-cassis:
the number of spans and relations and the text of every span (CRLF sofa, Token-attached
Dependency relations), plus the quirks: stacked spans, several relations between the same
ends, every primitive feature as an attribute, one layer per user, entities carried."""

from __future__ import annotations

import io
import zipfile

import foreign_format_helpers as ff
import pytest
from real_files import real_file

cassis = pytest.importorskip("cassis")


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _imported(tmp_path, path):
    with ff.fresh(tmp_path / "new.annotator") as project:
        report = ff.import_file(project, "xmi", path)
        with project.store.read() as session:
            names = {a.uuid: a.name for a in session.annotators()}
            schema = session.schema()
            docs = session.documents()
            texts = {d.uuid: session.document_text(d.uuid) for d in docs}
            spans = [s for d in docs for s in session.spans(d.uuid)]
            links = [x for d in docs for x in session.links(d.uuid)]
    return report, texts, spans, links, names, schema


def _covered(texts, span) -> str:
    return " … ".join(texts[span.document][a:b] for a, b in span.fragments)


def test_crlf_sofa_with_custom_span_and_relation_layers(tmp_path) -> None:
    folder = real_file("xmi/relation_test_crlf")
    with (folder / "TypeSystem.xml").open("rb") as f:
        types = cassis.load_typesystem(f)
    with (folder / "relation_test.xmi").open("rb") as f:
        cas = cassis.load_cas_from_xmi(f, typesystem=types)
    expected_spans = sorted(
        _lf(a.get_covered_text()) for a in cas.select("webanno.custom.MyRelationBase")
    )
    relations = cas.select("webanno.custom.MyRelationLayer")
    expected_links = sorted(
        (_lf(r.Governor.get_covered_text()), _lf(r.Dependent.get_covered_text()), r.value)
        for r in relations
    )
    _, texts, spans, links, _, schema = _imported(tmp_path, folder / "relation_test.xmi")
    assert "\r" in cas.sofa_string and list(texts.values()) == [_lf(cas.sofa_string)]
    assert sorted(_covered(texts, s) for s in spans) == expected_spans
    assert len(spans) == 4
    by_uuid = {s.uuid: s for s in spans}
    # the default schema's "located in" links other tag types: the file's gets a type of its own
    labels = {t.key: t.label.removesuffix(" (imported)") for t in schema.link_types}
    found = sorted(
        (_covered(texts, by_uuid[x.source]), _covered(texts, by_uuid[x.target]), labels[x.type])
        for x in links
    )
    assert found == expected_links == [("Darmstadt", "Hessen", "located in")]


def test_token_attached_dependency_relation_imports(tmp_path) -> None:
    path = real_file("xmi/dependency_with_values.xmi")
    with (path.parent / "webanno_types.xml").open("rb") as f:
        types = cassis.load_typesystem(f)
    with path.open("rb") as f:
        cas = cassis.load_cas_from_xmi(f, typesystem=types, lenient=True)
    dependency = "de.tudarmstadt.ukp.dkpro.core.api.syntax.type.dependency.Dependency"
    expected = sorted(
        (d.Governor.get_covered_text(), d.Dependent.get_covered_text())
        for d in cas.select(dependency)
    )
    report, texts, spans, links, _, schema = _imported(tmp_path, path)
    by_uuid = {s.uuid: s for s in spans}
    found = sorted(
        (_covered(texts, by_uuid[x.source]), _covered(texts, by_uuid[x.target])) for x in links
    )
    assert found == expected == [("This", "is")]
    tags = {t.key: t.label for t in schema.tag_types}
    assert {tags[s.tag] for s in spans} == {"Token"}  # a Token end becomes a span "Token"
    assert {s.attributes.get("order") for s in spans} <= {None, "0"}  # primitive kept, pos ref not
    assert all("pos" not in s.attributes for s in spans)
    assert "left out (not annotation layers Annotator imports)" in " ".join(report.conflicts)


XMI = (
    '<?xml version="1.0" encoding="UTF-8"?><xmi:XMI xmlns:xmi="http://www.omg.org/XMI" '
    'xmlns:cas="http:///uima/cas.ecore" xmlns:custom="http:///webanno/custom.ecore" '
    'xmi:version="2.0"><cas:NULL xmi:id="0"/>{body}'
    '<cas:Sofa xmi:id="1" sofaNum="1" sofaID="_InitialView" mimeType="text" '
    'sofaString="Anna met Bob.&#13;&#10;😀 Then Carl."/></xmi:XMI>'
)


def _el(name, xmi, begin, end, **features):
    attrs = "".join(f' {k}="{v}"' for k, v in features.items())
    return f'<custom:{name} xmi:id="{xmi}" sofa="1" begin="{begin}" end="{end}"{attrs}/>'


def test_stacked_spans_repeated_relations_and_features(tmp_path) -> None:
    body = (
        _el("Person", 2, 0, 4, value="PER", confidence="0.9", gender="f")
        + _el("Person", 3, 0, 4, value="PER", confidence="0.4")  # stacked: same place, label
        + _el("Person", 4, 9, 12, value="PER")
        + _el("Person", 5, 23, 27, value="PER")  # "Carl": after CRLF and 😀 (2 units)
        + _el("Rel", 6, 9, 12, Governor="2", Dependent="4", value="meets", mood="happy")
        + _el("Rel", 7, 9, 12, Governor="2", Dependent="4", value="meets")  # same ends again
    )
    path = tmp_path / "in.xmi"
    path.write_text(XMI.format(body=body), encoding="utf-8")
    _, texts, spans, links, _, _ = _imported(tmp_path, path)
    assert sorted(_covered(texts, s) for s in spans) == ["Anna", "Anna", "Bob", "Carl"]
    assert len(links) == 2
    anna = sorted((s.attributes for s in spans if _covered(texts, s) == "Anna"), key=len)
    assert anna == [{"confidence": "0.4"}, {"confidence": "0.9", "gender": "f"}]
    assert sorted(x.attributes.get("mood", "") for x in links) == ["", "happy"]


def test_inception_one_xmi_per_user_becomes_one_layer_per_user(tmp_path) -> None:
    path = tmp_path / "project.zip"
    one = XMI.format(body=_el("Person", 2, 0, 4, value="PER"))
    two = XMI.format(body=_el("Person", 2, 9, 12, value="PER"))
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as nested:
        nested.writestr("carol.xmi", XMI.format(body=_el("Person", 2, 23, 27, value="PER")))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("annotation/doc.txt/alice.xmi", one)
        archive.writestr("annotation/doc.txt/bob.xmi", two)
        archive.writestr("annotation/doc.txt/carol.zip", inner.getvalue())
    _, texts, spans, _, names, _ = _imported(tmp_path, path)
    assert len(texts) == 1  # one document, three layers
    layers = sorted((names[s.annotator], _covered(texts, s)) for s in spans)
    assert layers == [("alice", "Anna"), ("bob", "Bob"), ("carol", "Carl")]


def test_export_carries_entities_link_notes_and_attributes_into_a_new_project(tmp_path) -> None:
    project, ids, _ = ff.rich(tmp_path)
    out = tmp_path / "out.zip"
    ff.export(project, "xmi", out)
    with project.store.read() as session:
        mayor = session.span(ids.mayor)
        entity = session.entity(mayor.entity)
        notes = sorted(x.note for d in session.documents() for x in session.links(d.uuid))
        values = sorted(
            str(s.attributes) for d in session.documents() for s in session.spans(d.uuid)
        )
    assert mayor.entity is not None
    with ff.fresh(tmp_path / "copy.annotator") as copy:
        ff.import_file(copy, "xmi", out)
        with copy.store.read() as session:
            again = session.span(ids.mayor)
            assert again.entity == entity.uuid
            assert session.entity(entity.uuid).name == entity.name
            assert session.entity(entity.uuid).aliases == entity.aliases
            assert (
                sorted(x.note for d in session.documents() for x in session.links(d.uuid)) == notes
            )
            got = sorted(
                str(s.attributes) for d in session.documents() for s in session.spans(d.uuid)
            )
    assert got == values


def test_type_system_decides_which_features_are_references(tmp_path) -> None:
    """With TypeSystem.xml in the zip, an integer feature whose value happens to equal an
    xmi:id is still an attribute, and a reference feature is not."""
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><typeSystemDescription '
        'xmlns="http://uima.apache.org/resourceSpecifier"><types><typeDescription>'
        "<name>webanno.custom.Person</name><supertypeName>uima.tcas.Annotation</supertypeName>"
        "<features><featureDescription><name>rank</name><rangeTypeName>uima.cas.Integer"
        "</rangeTypeName></featureDescription><featureDescription><name>link</name>"
        "<rangeTypeName>uima.tcas.Annotation</rangeTypeName></featureDescription></features>"
        "</typeDescription></types></typeSystemDescription>"
    )
    body = _el("Person", 2, 0, 4, value="PER", rank="3", link="3") + _el(
        "Person", 3, 9, 12, value="PER"
    )
    path = tmp_path / "typed.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("TypeSystem.xml", types)
        archive.writestr("doc.xmi", XMI.format(body=body))
    _, texts, spans, _, _, _ = _imported(tmp_path, path)
    anna = next(s for s in spans if _covered(texts, s) == "Anna")
    assert anna.attributes == {"rank": "3"}
