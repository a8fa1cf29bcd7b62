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
Import quirks (issue 12): a CRLF sofa becomes LF with offsets remapped; a relation end that is no
span layer (a Token, for DKPro Dependency) becomes a span labelled by its type ("Token") on the
same text; each element without our uuid feature is a span or relation of its own (stacked spans
and several relations between the same ends stay apart); every primitive feature of a foreign
annotation becomes a text attribute (references left out: per the zip's TypeSystem.xml, else a
value naming other xmi:ids);
INCEpTION's per-user files (`annotation/<doc>/<user>.xmi`, or zipped) are one layer per user;
other annotation types (Token, Sentence, POS…) are counted in the import report. The export
carries a span's entity (features `entity` and `entityData`, JSON) and link notes.
XML 1.0 cannot hold most control characters: they are written as U+FFFD (same length).
"""

from __future__ import annotations

import json
import re
import zipfile
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import quoteattr

from annotator.domain.ids import is_uuid
from annotator.domain.wording import quoted
from annotator.io.bounded_zip import MAX_MEMBER_BYTES, BoundedZip
from annotator.io.exchange import Exchange, ImportContext, Loss
from annotator.io.formats import (
    ExportFormat,
    ExportOptions,
    ExportResult,
    ExportSource,
    ImportFormat,
    Progress,
    register_export,
    register_import,
)
from annotator.io.formats.builder import ExchangeBuilder
from annotator.io.formats.export_common import (
    Dropped,
    annotator_names,
    iter_document_layers,
    write_atomically,
)
from annotator.io.formats.foreign_common import (
    ForeignFormatError,
    span_order,
    split_loss,
    stable_uuid,
)
from annotator.io.formats.foreign_files import read_bytes
from annotator.io.text_positions import Utf16Offsets

XMI_NS = "http://www.omg.org/XMI"
CAS_NS = "http:///uima/cas.ecore"
CUSTOM_NS = "http:///webanno/custom.ecore"
META_NS = "http:///de/tudarmstadt/ukp/dkpro/core/api/metadata/type.ecore"
NER_NS = "http:///de/tudarmstadt/ukp/dkpro/core/api/ner/type.ecore"
SPAN_TYPE, RELATION_TYPE = "webanno.custom.Span", "webanno.custom.SpanRelation"
META_TYPE = "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData"
FEATURES = ("label", "annotator", "uuid", "attributes", "note", "entity", "entityData")
STRUCTURE = ("sofa", "begin", "end", "Governor", "Dependent")
XMI_ID = f"{{{XMI_NS}}}id"
PRIMITIVES = frozenset(
    f"uima.cas.{name}"
    for name in ("String", "Boolean", "Byte", "Short", "Integer", "Long", "Float", "Double")
)
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


def write_xmi(source: ExportSource, destination: Path, options: ExportOptions) -> ExportResult:
    result, dropped, split, replaced = ExportResult(), Dropped(), [], [0]

    def write(temp: Path) -> None:
        with source.read() as session, zipfile.ZipFile(temp, "w") as archive:
            names = annotator_names(session)
            entities = {e.uuid: e for e in session.entities()}
            archive.writestr("TypeSystem.xml", type_system_xml(), zipfile.ZIP_DEFLATED)
            for number, layer in enumerate(iter_document_layers(session, options), 1):
                xmi = document_xmi(layer, names, split, replaced, entities)
                slug = re.sub(r"[^\w\-]+", "_", layer.document.info.title)[:40].strip("_")
                archive.writestr(
                    f"{number:05d}-{slug or 'document'}.xmi", xmi, zipfile.ZIP_DEFLATED
                )
                result.documents += 1
                result.spans += len(layer.spans)
                result.links += len(layer.links)
                dropped.add("links", layer.orphan_links, "an endpoint is in a layer not exported")

    write_atomically(destination, write)
    result.record(dropped.losses() + split_loss(split, "one Span per fragment"))
    result.record([Loss("control characters written as U+FFFD (not XML 1.0)", replaced[0])])
    return result


def document_xmi(layer, names: dict[str, str], split: list, replaced: list[int], entities) -> str:
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
        if span.entity in entities:  # the entity itself, so a new project gets it too
            entity = entities[span.entity]
            data = {"name": entity.name, "kind": entity.kind, "aliases": list(entity.aliases)}
            data |= {"external_ids": entity.external_ids, "note": entity.note}
            features |= {"entity": entity.uuid, "entityData": json.dumps(data, sort_keys=True)}
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


def read_xmi(path: Path, context: ImportContext, progress: Progress | None) -> Exchange:
    builder = ExchangeBuilder(context, path)
    raw = read_xmi_bytes(path)
    skipped: Counter[str] = Counter()
    references: frozenset[str] | None = None
    if raw is None:  # a zip, read member by member (not loaded whole)
        with BoundedZip(path, Path(path).name) as archive:  # sizes counted as unpacked
            documents = list(_zip_documents(builder, archive))
            references = _references(archive)
        if not documents:
            raise builder.fail("zip", "no .xmi file inside")
        for data, member, user in documents:
            _read_document(builder, data, member, member, user, skipped, references)
    else:  # the builder's messages name the file already
        _read_document(builder, raw, Path(path).name, "", None, skipped)
    if skipped:
        kinds = ", ".join(f"{n} {name}" for name, n in sorted(skipped.items()))
        what = f"annotation(s) left out (not annotation layers Annotator imports): {kinds}"
        builder.lost.append(Loss(what, sum(skipped.values())))
    return builder.exchange(progress)


def read_xmi_bytes(path: Path) -> bytes | None:
    """An .xmi file's bytes, None for a zip; one over the limit of a file inside an archive
    (an XML parser needs several times its size) is refused unread."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            if handle.read(2) == b"PK":
                return None
    except OSError as error:
        raise ForeignFormatError([f"{path.name}: cannot be read ({error.strerror})"]) from None
    limit = MAX_MEMBER_BYTES
    if path.stat().st_size > limit:
        what = "the limit for one XMI file, in an archive or not"
        raise ForeignFormatError([f"{path.name}: over {limit // 1024**2} MiB ({what})"])
    return read_bytes(path)


def _zip_documents(builder: ExchangeBuilder, archive: BoundedZip, depth: int = 0):
    """(xmi bytes, member name, user) of a zip: ours (one .xmi per document at the top), or an
    INCEpTION export with one XMI per user per document (`annotation/<document>/<user>.xmi`,
    the user file itself zipped in project exports): the user is the file's stem, one layer
    each; `curation/…/CURATION_USER.xmi` is the curated layer."""
    for member in sorted(archive.names()):
        parts = PurePosixPath(member).parts
        user = PurePosixPath(member).stem if len(parts) >= 2 else None
        lowered = member.lower()
        if lowered.endswith(".xmi"):
            yield archive.read(member), member, user
        elif lowered.endswith(".zip") and depth == 0:
            # an inner zip spends what is left of the outer archive's budget
            budget = archive.max_total - archive.unpacked
            with BoundedZip(archive.read(member), member, max_total=budget) as inner:
                for data, name, _ in _zip_documents(builder, inner, 1):
                    yield data, f"{member}/{name}", user
                archive.unpacked += inner.unpacked


def _local(tag: str) -> tuple[str, str]:
    namespace, _, name = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    return namespace, name


def _references(archive: BoundedZip) -> frozenset[str] | None:
    """Names of the features that refer to other annotations, from the zip's TypeSystem.xml
    (a range that is no uima.cas primitive); None without one (then a value naming xmi:ids is
    taken for a reference)."""
    member = next((n for n in archive.names() if n.lower().endswith("typesystem.xml")), None)
    if member is None:
        return None
    try:
        root = ElementTree.fromstring(archive.read(member))
    except ElementTree.ParseError:
        return None
    found = set()
    for feature in root.iter():
        if _local(feature.tag)[1] != "featureDescription":
            continue
        name = next((c.text for c in feature if _local(c.tag)[1] == "name"), None)
        kind = next((c.text for c in feature if _local(c.tag)[1] == "rangeTypeName"), "")
        if name and kind not in PRIMITIVES:
            found.add(name.strip())
    return frozenset(found)


def _read_document(
    builder, data: bytes, member: str, place: str, user, skipped, references=None
) -> None:
    """One CAS XMI document: `member` is its file name, `place` what failures name before the
    element (the zip member; nothing for a plain .xmi, which the builder names), `user` the
    layer of an INCEpTION per-user file (None: each annotation's own annotator feature)."""
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
    by_id = {e.get(xmi_id): e for e in annotations}
    title, uuid = Path(member).stem if user is None else PurePosixPath(member).parent.name, None
    for element in annotations:
        if _local(element.tag) == (META_NS, "DocumentMetaData"):
            title = element.get("documentTitle") or title
            uuid = element.get("documentId") if is_uuid(element.get("documentId")) else None
    doc = builder.document(text, title, place, uuid)
    reader = _Reader(builder, doc, units, place, user, by_id)
    reader.references = references
    relations = []
    for element in annotations:
        namespace, name = _local(element.tag)
        if element.get("Governor") is not None and element.get("Dependent") is not None:
            relations.append(element)
        elif (namespace == NER_NS and name == "NamedEntity") or namespace == CUSTOM_NS:
            reader.piece(element)
        elif name not in ("DocumentMetaData", "TagsetDescription"):
            skipped[name] += 1  # tokens, sentences, POS …: not annotations of ours
    reader.spans()
    for element in relations:
        reader.relation(element)


class _Reader:
    """The spans and relations of one XMI document."""

    def __init__(self, builder, doc, units, place, user, by_id) -> None:
        self.builder, self.doc, self.units, self.place, self.user = builder, doc, units, place, user
        self.by_id = by_id
        self.pieces: dict[str, dict[str, Any]] = {}  # span key (uuid feature or xmi id) → parts
        self.by_xmi: dict[str, str] = {}  # xmi id → span key
        self.made: dict[str, str] = {}  # span key → span uuid
        self.references: frozenset[str] | None = None  # reference features (TypeSystem.xml)

    def where(self, element: Any) -> str:
        where = f"{_local(element.tag)[1]} xmi:id={element.get(XMI_ID)}"
        return f"{self.place}: {where}" if self.place else where

    def piece(self, element: Any) -> None:
        """A span element (or one fragment of a discontinuous span of ours). Without our uuid
        feature every element is a span of its own, so stacked spans stay apart."""
        label = element.get("label") or element.get("value") or _local(element.tag)[1]
        where = self.where(element)
        fragment = (_points(self.builder, self.units, element, "begin", where),)
        fragment += (_points(self.builder, self.units, element, "end", where),)
        key = element.get("uuid") or f"xmi:{element.get(XMI_ID)}"
        entry = self.pieces.setdefault(key, {"label": label, "where": where, "fragments": []})
        entry["fragments"].append(fragment)
        entry |= {"annotator": element.get("annotator") or self.user}
        entry |= {"note": element.get("note") or "", "entity": element.get("entity")}
        entry["entity_data"] = element.get("entityData")
        entry["attributes"] = _attributes(self.builder, element, where, self.by_id, self.references)
        self.by_xmi[element.get(XMI_ID) or ""] = key

    def spans(self) -> None:
        for key in self.pieces:
            self._make(key)

    def _make(self, key: str) -> None:
        """The builder's span for the piece under key (its uuid kept, else a stable one)."""
        entry = self.pieces[key]
        uuid = key if is_uuid(key) else stable_uuid("xmi span", self.doc, self.user, key)
        self.made[key] = self.builder.span(
            self.doc,
            entry["label"],
            entry["fragments"],
            entry["where"],
            annotator=entry["annotator"],
            note=entry["note"],
            attributes=entry["attributes"],
            uuid=uuid,
            entity=self._entity(entry),
        )

    def _entity(self, entry: dict[str, Any]) -> str | None:
        """The entity a span of ours refers to, carried in its entity/entityData features."""
        if not entry["entity"]:
            return None
        try:
            data = json.loads(entry["entity_data"] or "null")
        except ValueError:
            data = None
        return self.builder.entity(entry["entity"], data) or entry["entity"]

    def end(self, xmi: str, where: str) -> str:
        """The span of a relation end; an end that is no span layer (a Token, for INCEpTION's
        Dependency) becomes a span labelled by its type ("Token") over the same text."""
        key = self.by_xmi.get(xmi)
        if key is None:
            element = self.by_id.get(xmi)
            if element is None:
                raise self.builder.fail(where, f"relation end xmi:id={xmi} is no annotation")
            self.piece(element)
            key = self.by_xmi[xmi]
            self.pieces[key]["label"] = _local(element.tag)[1]  # "Token", not a feature value
            self._make(key)
        span = self.made.get(key)
        if span is None:
            raise self.builder.fail(where, "a relation end covers only a line end")
        return span

    def relation(self, element: Any) -> None:
        """A relation (Governor → Dependent); each keeps its own uuid, so several between the
        same ends stay apart."""
        where = self.where(element)
        source = self.end(element.get("Governor") or "", where)
        target = self.end(element.get("Dependent") or "", where)
        label = element.get("label") or element.get("value") or _local(element.tag)[1]
        uuid = element.get("uuid")
        if not is_uuid(uuid):
            uuid = stable_uuid("xmi link", self.doc, self.user, element.get(XMI_ID))
        self.builder.link(
            self.doc,
            label,
            source,
            target,
            where,
            annotator=element.get("annotator") or self.user,
            note=element.get("note") or "",
            attributes=_attributes(self.builder, element, where, self.by_id, self.references),
            uuid=uuid,
        )


def _attributes(builder, element: Any, where: str, by_id: dict, references=None) -> dict[str, Any]:
    """Our `attributes` JSON feature, plus every primitive feature of a foreign annotation
    (a feature whose value names other annotations by xmi:id is a reference, left out)."""
    values: dict[str, Any] = {}
    raw = element.get("attributes")
    if raw:
        try:
            values = json.loads(raw)
        except ValueError:
            values = None
        if not isinstance(values, dict):
            raise builder.fail(where, "the attributes feature must be a JSON object")
    for key, value in element.attrib.items():
        if key.startswith("{") or key in STRUCTURE or key in FEATURES or key == "value":
            continue
        if references is not None:
            if key in references:
                continue  # the type system says: a reference (Token → POS, Lemma …)
        elif value and all(part in by_id for part in value.split()):
            continue  # no type system: a value naming annotations is taken for a reference
        values.setdefault(key, value)
    return values


def _points(
    builder: ExchangeBuilder, units: Utf16Offsets, element: Any, key: str, where: str
) -> int:
    value = element.get(key, "")
    if not value.isdigit():
        raise builder.fail(where, f"{key}={quoted(value)} is not an offset")
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
        limits="attributes as JSON text in one feature; entities as JSON in entityData; "
        "discontinuous spans become one Span per fragment",
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
