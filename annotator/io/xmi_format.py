"""UIMA CAS XMI (XML 1.0) for INCEpTION/WebAnno: a zip of one .xmi per document plus
TypeSystem.xml; offsets in the XMI are UTF-16 code units (Java strings), converted here.

Layers (formats/README §3): ONE span layer `webanno.custom.Span` (features label, annotator,
uuid, attributes as JSON text, note) and ONE relation layer `webanno.custom.SpanRelation`
(Governor → Dependent, begin/end of the Dependent, same features); import the TypeSystem.xml
into an INCEpTION project (Layers → Import) before the documents. A discontinuous span is one
Span per fragment sharing the uuid feature (INCEpTION has no discontinuous spans; our import
joins them again). `DocumentMetaData` carries the title. The import also reads INCEpTION's own
exports: DKPro `NamedEntity` (`value`) and any `webanno.custom.*` span type with a label
(`label` or `value` feature, else the type name) and Governor/Dependent relation types.
XML 1.0 cannot hold most control characters: they are written as U+FFFD (same length).
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import quoteattr

from annotator.domain.ids import is_uuid
from annotator.io.bounded_zip import BoundedZip
from annotator.io.export_common import (
    Dropped,
    annotator_names,
    iter_document_layers,
    write_atomically,
)
from annotator.io.foreign_common import (
    ForeignImport,
    Utf16Offsets,
    read_bytes,
    span_order,
    split_warning,
)
from annotator.io.formats import (
    ExportFormat,
    ExportOptions,
    ExportResult,
    ImportFormat,
    Progress,
    register_export,
    register_import,
)

XMI_NS = "http://www.omg.org/XMI"
CAS_NS = "http:///uima/cas.ecore"
CUSTOM_NS = "http:///webanno/custom.ecore"
META_NS = "http:///de/tudarmstadt/ukp/dkpro/core/api/metadata/type.ecore"
NER_NS = "http:///de/tudarmstadt/ukp/dkpro/core/api/ner/type.ecore"
SPAN_TYPE, RELATION_TYPE = "webanno.custom.Span", "webanno.custom.SpanRelation"
META_TYPE = "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData"
FEATURES = ("label", "annotator", "uuid", "attributes", "note")
#: What XML 1.0 cannot carry (tab, LF and CR it can, escaped in attributes).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def type_system_xml() -> str:
    """TypeSystem.xml declaring the span layer, the relation layer and DocumentMetaData."""

    def feature(name: str, range_type: str) -> str:
        return (
            f"<featureDescription><name>{name}</name><description/>"
            f"<rangeTypeName>{range_type}</rangeTypeName></featureDescription>"
        )

    def type_(name: str, supertype: str, features: list[str]) -> str:
        return (
            f"<typeDescription><name>{name}</name><description/>"
            f"<supertypeName>{supertype}</supertypeName>"
            f"<features>{''.join(features)}</features></typeDescription>"
        )

    strings = [feature(name, "uima.cas.String") for name in FEATURES]
    ends = [feature(name, SPAN_TYPE) for name in ("Governor", "Dependent")]
    meta = [feature(name, "uima.cas.String") for name in ("documentTitle", "documentId")]
    types = (
        type_(SPAN_TYPE, "uima.tcas.Annotation", strings)
        + type_(RELATION_TYPE, "uima.tcas.Annotation", ends + strings)
        + type_(META_TYPE, "uima.tcas.DocumentAnnotation", meta)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<typeSystemDescription xmlns="http://uima.apache.org/resourceSpecifier">'
        f"<types>{types}</types></typeSystemDescription>\n"
    )


def write_xmi(project: Any, destination: Path, options: ExportOptions) -> ExportResult:
    result, dropped, split, replaced = ExportResult(), Dropped(), [], [0]

    def write(temp: Path) -> None:
        with project.store.read() as session, zipfile.ZipFile(temp, "w") as archive:
            names = annotator_names(session)
            archive.writestr("TypeSystem.xml", type_system_xml(), zipfile.ZIP_DEFLATED)
            for number, layer in enumerate(iter_document_layers(session, options), 1):
                xmi = document_xmi(layer, names, split, replaced)
                slug = re.sub(r"[^\w\-]+", "_", layer.document.info.title)[:40].strip("_")
                archive.writestr(
                    f"{number:05d}-{slug or 'document'}.xmi", xmi, zipfile.ZIP_DEFLATED
                )
                result.documents += 1
                result.spans += len(layer.spans)
                result.links += len(layer.links)
                dropped.add("links", layer.orphan_links, "an endpoint is in a layer not exported")

    write_atomically(destination, write)
    result.warnings = dropped.warnings() + split_warning(split, "one Span per fragment")
    if replaced[0]:
        result.warnings.append(f"{replaced[0]} control characters written as U+FFFD (not XML 1.0)")
    return result


def document_xmi(layer: Any, names: dict[str, str], split: list, replaced: list[int]) -> str:
    text = layer.document.text
    clean, count = NOT_XML.subn(REPLACEMENT, text)
    replaced[0] += count
    units = Utf16Offsets(text)
    lines, members, next_id = ['<cas:NULL xmi:id="0"/>'], [], 2
    info = layer.document.info
    meta = {"documentTitle": info.title, "documentId": info.uuid, "language": "x-unspecified"}
    lines.append(_element("type2:DocumentMetaData", next_id, 0, units.units, meta))
    members.append(next_id)
    first_id: dict[str, tuple[int, int, int]] = {}  # span uuid → (xmi id, begin, end)
    for span in sorted(layer.spans, key=lambda s: span_order(s, names)):
        if len(span.fragments) > 1:
            split.append(span.uuid)
        features = {
            "label": span.tag,
            "annotator": names.get(span.annotator, span.annotator),
            "uuid": span.uuid,
            "attributes": json.dumps(span.attributes, ensure_ascii=False, sort_keys=True),
            "note": span.note,
        }
        for start, end in span.fragments:
            next_id += 1
            begin, finish = units.to_units(start), units.to_units(end)
            first_id.setdefault(span.uuid, (next_id, begin, finish))
            lines.append(_element("custom:Span", next_id, begin, finish, features))
            members.append(next_id)
    for link in sorted(layer.links, key=lambda x: (first_id[x.source], first_id[x.target])):
        governor, dependent = first_id[link.source], first_id[link.target]
        next_id += 1
        features = {"Governor": str(governor[0]), "Dependent": str(dependent[0])}
        features |= {
            "label": link.type,
            "annotator": names.get(link.annotator, link.annotator),
            "uuid": link.uuid,
            "attributes": json.dumps(link.attributes, ensure_ascii=False, sort_keys=True),
            "note": link.note,
        }
        lines.append(_element("custom:SpanRelation", next_id, dependent[1], dependent[2], features))
        members.append(next_id)
    lines.append(
        '<cas:Sofa xmi:id="1" sofaNum="1" sofaID="_InitialView" mimeType="text" '
        f"sofaString={quoteattr(clean)}/>"
    )
    lines.append(f'<cas:View sofa="1" members="{" ".join(map(str, members))}"/>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<xmi:XMI xmlns:xmi="{XMI_NS}" xmlns:cas="{CAS_NS}" xmlns:custom="{CUSTOM_NS}" '
        f'xmlns:type2="{META_NS}" xmi:version="2.0">\n' + "\n".join(lines) + "\n</xmi:XMI>\n"
    )


def _element(name: str, xmi_id: int, begin: int, end: int, features: dict[str, str]) -> str:
    attrs = "".join(
        f" {key}={quoteattr(NOT_XML.sub(REPLACEMENT, v))}" for key, v in features.items()
    )
    return f'<{name} xmi:id="{xmi_id}" sofa="1" begin="{begin}" end="{end}"{attrs}/>'


# -- import ----------------------------------------------------------------------------------


def read_xmi(project: Any, path: Path, progress: Progress | None) -> Any:
    builder = ForeignImport(project, path)
    raw = read_bytes(path)
    if raw[:2] == b"PK":
        with BoundedZip(raw, Path(path).name) as archive:  # sizes counted as unpacked
            members = sorted(n for n in archive.names() if n.lower().endswith(".xmi"))
            if not members:
                raise builder.fail("zip", "no .xmi file inside")
            for member in members:
                _read_document(builder, archive.read(member), member, member)
    else:  # the builder's messages name the file already
        _read_document(builder, raw, Path(path).name, "")
    return builder.run(progress)


def _local(tag: str) -> tuple[str, str]:
    namespace, _, name = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    return namespace, name


def _read_document(builder: ForeignImport, data: bytes, member: str, place: str) -> None:
    """One CAS XMI document: `member` is its file name, `place` what failures name before the
    element (the zip member; nothing for a plain .xmi, which the builder names)."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise builder.fail(place, f"not well-formed XML ({error})") from None
    xmi_id = f"{{{XMI_NS}}}id"
    sofas = [e for e in root if _local(e.tag) == (CAS_NS, "Sofa")]
    sofa = next((s for s in sofas if s.get("sofaID") == "_InitialView"), None)
    if sofa is None or sofa.get("sofaString") is None:
        raise builder.fail(place, "no _InitialView Sofa with a sofaString (not a CAS XMI)")
    text, sofa_id = sofa.get("sofaString", ""), sofa.get(xmi_id)
    units = Utf16Offsets(text)
    annotations = [e for e in root if e.get("sofa") == sofa_id and e.get("begin") is not None]
    title, uuid = Path(member).stem, None
    for element in annotations:
        if _local(element.tag) == (META_NS, "DocumentMetaData"):
            title = element.get("documentTitle") or title
            uuid = element.get("documentId") if is_uuid(element.get("documentId")) else None
    doc = builder.document(text, title, place, uuid)
    pieces: dict[str, dict[str, Any]] = {}  # span key (uuid feature or xmi id) → its parts
    by_xmi: dict[str, str] = {}  # xmi id → span key
    relations = []
    for element in annotations:
        namespace, name = _local(element.tag)
        where = f"{name} xmi:id={element.get(xmi_id)}"
        where = f"{place}: {where}" if place else where
        if element.get("Governor") is not None and element.get("Dependent") is not None:
            relations.append((where, element))
            continue
        if namespace == NER_NS and name == "NamedEntity":
            label = element.get("value") or name
        elif namespace == CUSTOM_NS:
            label = element.get("label") or element.get("value") or name
        else:
            continue  # tokens, sentences, metadata, tag sets: not annotations of ours
        fragment = (_points(builder, units, element, "begin", where),)
        fragment += (_points(builder, units, element, "end", where),)
        key = element.get("uuid") or f"xmi:{element.get(xmi_id)}"
        entry = pieces.setdefault(key, {"label": label, "where": where, "fragments": []})
        entry["fragments"].append(fragment)
        entry |= {"annotator": element.get("annotator"), "note": element.get("note") or ""}
        entry["attributes"] = _attributes(builder, element, where)
        by_xmi[element.get(xmi_id) or ""] = key
    spans = {}
    for key, entry in pieces.items():
        spans[key] = builder.span(
            doc,
            entry["label"],
            entry["fragments"],
            entry["where"],
            annotator=entry["annotator"],
            note=entry["note"],
            attributes=entry["attributes"],
            uuid=key if is_uuid(key) else None,
        )
    for where, element in relations:
        source = spans.get(by_xmi.get(element.get("Governor") or "", ""))
        target = spans.get(by_xmi.get(element.get("Dependent") or "", ""))
        if source is None or target is None:
            raise builder.fail(where, "Governor and Dependent must be spans of this document")
        label = element.get("label") or element.get("value") or _local(element.tag)[1]
        uuid = element.get("uuid")
        builder.link(
            doc,
            label,
            source,
            target,
            where,
            annotator=element.get("annotator"),
            note=element.get("note") or "",
            attributes=_attributes(builder, element, where),
            uuid=uuid if is_uuid(uuid) else None,
        )


def _attributes(builder: ForeignImport, element: Any, where: str) -> dict[str, Any]:
    raw = element.get("attributes")
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise builder.fail(where, "the attributes feature must be a JSON object")
    return value


def _points(builder: ForeignImport, units: Utf16Offsets, element: Any, key: str, where: str) -> int:
    value = element.get(key, "")
    if not value.isdigit():
        raise builder.fail(where, f"{key}={value!r} is not an offset")
    try:
        return units.to_points(int(value))
    except ValueError as error:
        raise builder.fail(where, f"{key}: {error}") from None


register_export(
    ExportFormat(
        key="xmi",
        label="UIMA CAS XMI (INCEpTION)",
        suffix=".zip",
        write=write_xmi,
        description="one XMI per document + TypeSystem.xml (span and relation layers)",
        limits="attributes as JSON text in one feature; discontinuous spans become one Span "
        "per fragment",
    )
)
register_import(
    ImportFormat(
        key="xmi",
        label="UIMA CAS XMI (INCEpTION)",
        suffixes=(".zip", ".xmi"),
        read=read_xmi,
        description="INCEpTION/WebAnno XMI: custom span layers, NamedEntity, relations",
    )
)
