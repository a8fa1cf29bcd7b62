"""CSV export for spreadsheets: a zip holding spans.csv (one row per span) and links.csv (per link).

Both files are UTF-8 with a byte-order mark (so Excel detects the encoding; pandas and the csv
module with encoding "utf-8-sig" read it), comma-separated, RFC 4180 quoting, "\\n" row ends
inside quoted cells kept as they are. Offsets are code points; a discontinuous span gives its
fragments as "start-end;start-end" and its text joined by " … ". Attributes are one JSON object
per cell. Not carried: entities (only their name and id), document statuses, the schema.

Text from the documents and annotators (titles, quotes, notes, names) is untrusted: a cell that
starts like a formula (=, +, -, @, tab, carriage return) is written with a leading apostrophe,
so a spreadsheet shows it as text instead of running it (OWASP "CSV injection"; a hostile
article could otherwise carry a =HYPERLINK that sends data off the machine). The export warns
with the count; the offsets still give the exact text."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

from annotator.io.exchange import Loss
from annotator.io.formats import (
    ExportFormat,
    ExportOptions,
    ExportResult,
    ExportSource,
    register_export,
)
from annotator.io.formats.export_common import (
    Dropped,
    add_zip_member,
    annotator_names,
    iter_document_layers,
    write_atomically,
)

SPAN_COLUMNS = (
    "document_id",
    "document_title",
    "span_id",
    "annotator",
    "annotator_id",
    "tag",
    "start",
    "end",
    "fragments",
    "text",
    "attributes",
    "note",
    "entity_id",
    "entity_name",
    "created",
    "modified",
)
LINK_COLUMNS = (
    "document_id",
    "document_title",
    "link_id",
    "annotator",
    "annotator_id",
    "type",
    "directed",
    "source_id",
    "source_tag",
    "source_text",
    "target_id",
    "target_tag",
    "target_text",
    "attributes",
    "note",
    "created",
    "modified",
)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


def export_csv(snapshot: ExportSource, destination: Path, options: ExportOptions) -> ExportResult:
    """Write spans.csv and links.csv of the chosen layers and documents into a zip."""
    result, dropped = ExportResult(), Dropped()
    neutralised = 0

    def cells(*row: Any) -> list[Any]:
        nonlocal neutralised
        out = list(row)
        for i, value in enumerate(out):
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                out[i] = "'" + value
                neutralised += 1
        return out

    def write(temp: Path) -> None:
        # Rows interleave (a document's spans, then its links) while a zip takes one member
        # at a time, so both tables are spooled to unnamed files beside the output (not to
        # memory, not to a /tmp that may be RAM) and copied in afterwards.
        with (
            tempfile.TemporaryFile(dir=temp.parent) as spans_file,
            tempfile.TemporaryFile(dir=temp.parent) as links_file,
        ):
            write_tables(spans_file, links_file)
            with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive:
                add_zip_member(archive, "spans.csv", spans_file, archive.compression)
                add_zip_member(archive, "links.csv", links_file, archive.compression)

    def write_tables(spans_file: BinaryIO, links_file: BinaryIO) -> None:
        # utf-8-sig writes the byte-order mark once, before the first row.
        spans_out = io.TextIOWrapper(spans_file, encoding="utf-8-sig", newline="")
        links_out = io.TextIOWrapper(links_file, encoding="utf-8-sig", newline="")
        spans = csv.writer(spans_out, lineterminator="\r\n")
        links = csv.writer(links_out, lineterminator="\r\n")
        spans.writerow(SPAN_COLUMNS)
        links.writerow(LINK_COLUMNS)
        with snapshot.read() as session:
            names = annotator_names(session)
            entities = {e.uuid: e.name for e in session.entities()}
            directed = {t.key: t.directed for t in session.schema().link_types}
            for item in iter_document_layers(session, options):
                info = item.document.info
                by_uuid = {s.uuid: s for s in item.spans}
                for s in item.spans:
                    spans.writerow(
                        cells(
                            info.uuid,
                            info.title,
                            s.uuid,
                            names.get(s.annotator, ""),
                            s.annotator,
                            s.tag,
                            s.start,
                            s.end,
                            ";".join(f"{a}-{b}" for a, b in s.fragments),
                            s.quote,
                            _json(s.attributes),
                            s.note,
                            s.entity or "",
                            entities.get(s.entity or "", ""),
                            s.created,
                            s.modified,
                        )
                    )
                for x in item.links:
                    source, target = by_uuid[x.source], by_uuid[x.target]
                    links.writerow(
                        cells(
                            info.uuid,
                            info.title,
                            x.uuid,
                            names.get(x.annotator, ""),
                            x.annotator,
                            x.type,
                            "yes" if directed.get(x.type, True) else "no",
                            x.source,
                            source.tag,
                            source.quote,
                            x.target,
                            target.tag,
                            target.quote,
                            _json(x.attributes),
                            x.note,
                            x.created,
                            x.modified,
                        )
                    )
                dropped.add("links", item.orphan_links, "an endpoint is in a layer not exported")
                result.documents += 1
                result.spans += len(item.spans)
                result.links += len(item.links)
        for table in (spans_out, links_out):
            table.flush()
            table.detach()  # the spooled file stays open for the zip

    write_atomically(destination, write)
    result.record(dropped.losses())
    what = "cells starting with =, +, -, @, tab or carriage return were written with a "
    what += "leading ' so spreadsheets show them as text, not formulas"
    result.record([Loss(what, neutralised)])
    return result


register_export(
    ExportFormat(
        key="csv",
        label="CSV (spreadsheet)",
        suffix=".zip",
        write=export_csv,
        description="a zip with spans.csv (one row per span) and links.csv (one row per link), "
        "UTF-8, for spreadsheets and pandas",
        limits="export only; entities appear by name and id only; statuses and the schema are "
        "not written; cells starting like a formula get a leading ' (spreadsheet safety)",
    )
)
