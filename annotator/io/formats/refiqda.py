"""REFI-QDA project exchange (`.qdpx`) for NVivo, ATLAS.ti, MAXQDA and QualCoder.

A zip of `project.qde` (QDA-XML 1.0, namespace urn:QDA-XML:project:1.0, element order as the
official Project.xsd requires) and `Sources/<guid>.txt` (UTF-8, no BOM). Users are our
annotators, the CodeBook holds one codable Code per tag type (guid = tag type uuid, name = its
label, colour, guideline as Description), every span fragment is a `PlainTextSelection` with one
`Coding` → `CodeRef`; a span's note is a `Note` referenced by `NoteRef`, its attribute values are
JSON text in the selection's `Description`; links are `Link` elements between selection guids.

Positions: the standard only says "positions". NVivo counts UTF-16 code units over the source as
stored (CRLF counted as two, the BOM not counted): checked on a real NVivo 12 project, where 327
of 330 selections fall on word boundaries read so and 20-63 read any other way. MAXQDA and
ATLAS.ti count a line end as one position whatever the source file holds (QualCoder's reader
counts CRLF as one for ATLAS.ti exports, and its export for MAXQDA writes CRLF sources with
one-per-line-end positions; MAXQDA 24 itself writes LF sources, where both readings agree), in
UTF-16 units (their Windows/macOS string types; not seen on a file with emoji). QualCoder and
unknown origins: code points. The export writes UTF-16 units over LF sources, as NVivo reads
them, and says so in `origin`. Sources with CRLF/CR are normalised to LF and every position
remapped (builder.ExchangeBuilder).
Codebook hierarchy → one tag type per codable code, named by its path ("Parent / Child").
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
from annotator.domain.wording import quoted
from annotator.io.bounded_zip import BoundedZip
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
    add_zip_member,
    annotator_names,
    iter_document_layers,
    write_atomically,
)
from annotator.io.formats.export_losses import count_losses
from annotator.io.formats.foreign_common import span_order, split_loss, stable_uuid
from annotator.io.formats.xmi import NOT_XML, REPLACEMENT
from annotator.io.text_positions import ASTRAL, LineEnds, Utf16Offsets

NS = "urn:QDA-XML:project:1.0"
UTF16_TOOLS = ("nvivo", "maxqda", "atlas.ti")
#: Tools whose positions count a line end as one, though their sources may hold CRLF.
ONE_PER_LINE_END = ("maxqda", "atlas.ti")
#: Written in the export's `origin`: the unit of its positions, read back by position_unit.
ORIGIN = "Annotator (positions: UTF-16 code units, as NVivo counts)"
#: The QualCoder flavour's origin: code points, as QualCoder slices its sources (Python str).
ORIGIN_POINTS = "Annotator (positions: code points, as QualCoder counts)"
Q = f"{{{NS}}}"


def _attr(**values: Any) -> str:
    return "".join(
        f" {key}={quoteattr(NOT_XML.sub(REPLACEMENT, str(v)))}"
        for key, v in values.items()
        if v not in (None, "")
    )


def _text(value: str) -> str:
    return escape(NOT_XML.sub(REPLACEMENT, value))


class _CodePoints:
    """Positions as code points (QualCoder reads `fulltext[start:end]` of a Python str)."""

    def __init__(self, text: str) -> None:
        pass

    @staticmethod
    def to_units(point: int) -> int:
        return point


def write_qdpx(snapshot: ExportSource, destination: Path, options: ExportOptions) -> ExportResult:
    """The standard REFI-QDA project: positions in UTF-16 units, as NVivo reads them."""
    return _write_qdpx(snapshot, destination, options, Utf16Offsets, ORIGIN)


def write_qdpx_for_qualcoder(
    snapshot: ExportSource, destination: Path, options: ExportOptions
) -> ExportResult:
    """The same project with positions in code points, which QualCoder reads without a shift
    after a character outside the BMP (it slices its sources as Python strings)."""
    return _write_qdpx(snapshot, destination, options, _CodePoints, ORIGIN_POINTS)


def _write_qdpx(
    snapshot: ExportSource, destination: Path, options: ExportOptions, unit_of, origin: str
) -> ExportResult:
    result, dropped, split, astral = ExportResult(), Dropped(), [], [0]

    def write(temp: Path) -> None:
        # project.qde names its users first but holds every document's selections, notes and
        # links after them: the three long parts are spooled to unnamed files beside the
        # output as the documents are read (not to memory, where the whole XML was the
        # export's peak, nor to a /tmp that may be RAM), then joined into the member. The same
        # strings in the same order, UTF-8 encoded piece by piece: the bytes the whole string
        # gave (lxml's incremental writer would serialise attributes and escapes its own way).
        with (
            snapshot.read() as session,
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
                units = unit_of(text)
                source = _source(layer, names, its_notes, its_links, split, schema, units)
                sources.write(source.encode("utf-8"))
                notes.write("".join(its_notes).encode("utf-8"))
                links.write("".join(its_links).encode("utf-8"))
                used |= {s.annotator for s in layer.spans}
                result.documents += 1
                result.spans += len(layer.spans)
                result.links += len(layer.links)
                dropped.add("links", layer.orphan_links, "an endpoint is in a layer not exported")
                count_losses(
                    dropped,
                    layer,
                    "REFI-QDA",
                    entities=True,
                    link_notes=True,
                    link_attributes=True,
                    link_layers=True,
                )
            users = "".join(
                f"<User{_attr(guid=uuid, name=names.get(uuid, uuid))}/>" for uuid in sorted(used)
            )
            codes = "".join(
                f"<Code{_attr(guid=t.uuid, name=t.label, isCodable='true', color=t.color)}>"
                + (f"<Description>{_text(t.guideline)}</Description>" if t.guideline else "")
                + "</Code>"
                for t in schema.tag_types
            )
            head = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<Project xmlns="{NS}"{_attr(name=info.get("name") or "Annotator project")}'
                f"{_attr(origin=origin)}>"
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
    result.record(dropped.losses() + split_loss(split, "one selection per fragment"))
    if unit_of is Utf16Offsets:
        what = "document(s) hold characters outside the BMP (emoji): positions are UTF-16 "
        what += "units as NVivo counts them; tools that count code points (QualCoder) shift "
        what += "after them: export 'REFI-QDA for QualCoder' for those"
        result.record([Loss(what, astral[0])])
    else:
        what = "document(s) hold characters outside the BMP (emoji): positions are code points "
        what += "as QualCoder counts them; NVivo, MAXQDA and ATLAS.ti (UTF-16 units) shift "
        what += "after them: export 'REFI-QDA project' for those"
        result.record([Loss(what, astral[0])])
    return result


def _source(layer, names, notes: list, links: list, split: list, schema, units) -> str:
    """One TextSource; `units` converts code points to the positions written (its origin
    names the unit)."""
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
                f' startPosition="{units.to_units(start)}" endPosition="{units.to_units(end)}"'
                f"{_attr(**who)}>"
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


def read_qdpx(path: Path, context: ImportContext, progress: Progress | None) -> Exchange:
    builder = ExchangeBuilder(context, path)
    # Sizes are counted as members unpack, not taken from the header (a zip bomb is refused).
    with BoundedZip(Path(path), Path(path).name) as archive:  # members read, not the file
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
    return builder.exchange(progress)


def position_unit(origin: str) -> str:
    """How a project's positions count: "utf16" for NVivo, MAXQDA and ATLAS.ti (Windows .NET/Qt
    strings; NVivo 12 checked on a real project: its CRLF sources, BOM not counted, UTF-16
    units) and for Annotator's own export, which names the unit in `origin`; "points" (code
    points, as QualCoder counts) for any other origin."""
    lowered = origin.lower()
    if "utf-16" in lowered or any(tool in lowered for tool in UTF16_TOOLS):
        return "utf16"
    return "points"


def line_end_counts_one(origin: str) -> bool:
    """Whether the tool that wrote the project counts a line end (CRLF too) as one position."""
    return any(tool in origin.lower() for tool in ONE_PER_LINE_END)


def _read_project(builder: ExchangeBuilder, archive: BoundedZip, root: Any, qde: str) -> None:
    unit = position_unit(root.get("origin") or "")
    one_per_line_end = line_end_counts_one(root.get("origin") or "")
    users = {_guid(u.get("guid")): u.get("name") or "" for u in root.iter(f"{Q}User")}
    notes = {
        _guid(n.get("guid")): (n.findtext(f"{Q}PlainTextContent") or "")
        for n in root.iter(f"{Q}Note")
    }
    referenced: set[str] = set()
    codes = _codebook(builder, root, notes, referenced)
    for guid, name in users.items():  # users without codings are kept as annotators
        builder.annotator(name or guid, guid)
    coded_codes: set[str] = set()
    coded_users: set[str] = set()
    selections: dict[str, tuple[str, str]] = {}  # selection guid → (document, span uuid)
    for i, source in enumerate(root.iter(f"{Q}TextSource")):
        where = f"{qde}: TextSource[{i}]"
        text = _source_text(builder, archive, source, where)
        if one_per_line_end:  # its positions count the text as the tool shows it: LF ends
            text = LineEnds(text).text
        guid = _guid(source.get("guid"))
        doc = builder.document(
            text, source.get("name") or f"source {i + 1}", where, guid if is_uuid(guid) else None
        )
        memo = _memo(source, notes, referenced)
        if memo:
            builder.document_entry(doc)["metadata"]["extra"] = {"memo": memo}
        units = Utf16Offsets(text) if unit == "utf16" else None
        for j, selection in enumerate(source.findall(f"{Q}PlainTextSelection")):
            place = f"{where}.PlainTextSelection[{j}]"
            _read_selection(builder, doc, selection, place, codes, users, notes, units)
            referenced |= {_guid(r.get("targetGUID")) for r in selection.iter(f"{Q}NoteRef")}
            for coding in selection.findall(f"{Q}Coding"):
                ref = coding.find(f"{Q}CodeRef")
                coded_codes.add(_guid(ref.get("targetGUID") if ref is not None else ""))
                coded_users.add(_guid(coding.get("creatingUser") or selection.get("creatingUser")))
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
    _report(builder, codes, coded_codes, users, coded_users, notes, referenced)


def _codebook(builder: ExchangeBuilder, root: Any, notes: dict, referenced: set) -> dict:
    """Every codable Code of the CodeBook as a tag type (kept with or without codings): a
    nested code is named by its path ("Parent / Child"), its colour kept, its Description and
    code memos (NoteRef) become the type's guideline. Returns code guid → tag type key."""
    codes: dict[str, str] = {}

    def walk(parent: Any, path: tuple[str, ...]) -> None:
        for code in parent.findall(f"{Q}Code"):
            name = (code.get("name") or "code").strip() or "code"
            label = " / ".join((*path, name))
            guid = _guid(code.get("guid"))
            if code.get("isCodable", "true").lower() != "false":
                guideline = "\n".join(
                    filter(None, (code.findtext(f"{Q}Description") or "", _memo(code, notes)))
                )
                codes[guid] = builder.tag_key(
                    label, "CodeBook", uuid=guid, color=code.get("color") or "", guideline=guideline
                )
            referenced.update(_guid(r.get("targetGUID")) for r in code.findall(f"{Q}NoteRef"))
            walk(code, (*path, name))

    book = root.find(f"{Q}CodeBook/{Q}Codes")
    if book is not None:
        walk(book, ())
    return codes


def _memo(element: Any, notes: dict[str, str], referenced: set | None = None) -> str:
    """An element's own Description and the notes its NoteRefs name, as one text."""
    refs = [_guid(r.get("targetGUID")) for r in element.findall(f"{Q}NoteRef")]
    if referenced is not None:
        referenced.update(refs)
    parts = [notes.get(ref, "") for ref in refs]
    if element.tag != f"{Q}Code":  # a code's Description is read by _codebook
        parts.insert(0, element.findtext(f"{Q}Description") or "")
    return "\n".join(p.strip() for p in parts if p and p.strip())


def _report(builder, codes, coded_codes, users, coded_users, notes, referenced) -> None:
    uncoded = len(set(codes) - coded_codes)
    idle = len(set(users) - coded_users)
    if uncoded or idle:
        builder.notices.append(
            f"kept {uncoded} code(s) and {idle} user(s) that have no coding in this project"
        )
    loose = len(set(notes) - referenced)
    if loose:
        builder.lost.append(
            Loss(
                "project memo(s) not attached to a source, code or selection left out "
                "(Annotator keeps memos on documents, tag types and spans)",
                loose,
            )
        )


def _source_text(builder: ExchangeBuilder, archive: BoundedZip, source: Any, where: str) -> str:
    path = source.get("plainTextPath")
    if path:
        # MAXQDA writes its sources under "sources/": member names match case-insensitively
        name = path.split("internal://", 1)[-1].lower()
        member = next((n for n in archive.names() if n.lower().endswith(f"sources/{name}")), None)
        if member is None:
            raise builder.fail(where, f"plainTextPath {quoted(path)} is not in the .qdpx")
        try:
            return archive.read(member).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise builder.fail(member, f"not UTF-8 ({error})") from None
    content = source.findtext(f"{Q}PlainTextContent")
    if content is None:
        raise builder.fail(where, "a TextSource needs plainTextPath or PlainTextContent")
    return content


def _read_selection(builder, doc, selection, where, codes, users, notes, units) -> None:
    builder.last_span = None
    try:
        start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
    except (TypeError, ValueError):
        raise builder.fail(where, "startPosition and endPosition must be integers") from None
    if units is not None:
        try:
            start, end = units.to_points(start), units.to_points(end)
        except ValueError as error:
            raise builder.fail(where, str(error)) from None
    note = "\n".join(
        notes.get(_guid(ref.get("targetGUID")), "") for ref in selection.findall(f"{Q}NoteRef")
    )
    attributes = {}
    description = (selection.findtext(f"{Q}Description") or "").strip()
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
        tag = codes.get(_guid(ref.get("targetGUID") if ref is not None else ""))
        if tag is None:
            raise builder.fail(f"{where}.Coding[{k}]", "its CodeRef names no Code of the CodeBook")
        user = _guid(coding.get("creatingUser") or selection.get("creatingUser"))
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
        limits="attributes as JSON in each selection's Description; positions in UTF-16 units "
        "(as NVivo counts); discontinuous spans become one selection per fragment",
    )
)
register_export(
    ExportFormat(
        key="refiqda-qualcoder",
        label="REFI-QDA for QualCoder (.qdpx, code points)",
        suffix=".qdpx",
        write=write_qdpx_for_qualcoder,
        description="the REFI-QDA project with positions in code points, as QualCoder reads them",
        limits="attributes as JSON in each selection's Description; positions in code points "
        "(QualCoder), which NVivo, MAXQDA and ATLAS.ti read shifted after an emoji; "
        "discontinuous spans become one selection per fragment",
        picked_by_suffix=False,
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
