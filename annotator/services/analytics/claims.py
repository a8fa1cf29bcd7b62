"""The claims table: one row per claim (entity or normalised text) with who asserts it, where
it appears, its attribute counts (stance, verdict) and the claims that support or contradict it."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from annotator.services.analytics.dataset import Dataset
from annotator.services.analytics.sorting import sort_stably
from annotator.services.gc_pause import without_gc

ASSERTS, SUPPORTS, CONTRADICTS = "asserts", "supports", "contradicts"
COUNTED_TYPES = ("choice", "multi_choice", "boolean")


@dataclass
class ClaimRow:
    node: str
    label: str
    spans: list[str] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)
    outlets: set[str] = field(default_factory=set)
    asserted_by: dict[str, int] = field(default_factory=dict)  # node label -> links
    # attribute key -> value -> mentions (plain dicts: a Counter costs ~1 µs to create)
    values: dict[str, dict[str, int]] = field(default_factory=dict)
    supporting: set[str] = field(default_factory=set)  # labels of claims
    contradicting: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)  # asserts/supports/contradicts links


def counted_attributes(data: Dataset) -> list[str]:
    """The attribute keys a claims table counts: choice-like attributes of claim tags."""
    keys: list[str] = []
    for tag in data.schema.tag_types:
        if tag.kind == "claim":
            keys += [a.key for a in tag.attributes if a.value_type in COUNTED_TYPES]
    return list(dict.fromkeys(keys))


@without_gc
def claim_rows(data: Dataset) -> list[ClaimRow]:
    """Rows by documents (most first), then label. Reads the claim spans and the links with
    their ends as small rows, not every span."""
    counted = counted_attributes(data)
    facts = data.span_facts("claim")
    documents, names, tags = facts.documents, facts.entities, facts.tags
    node_key, label = data.node_key, data.label
    rows: dict[str, ClaimRow] = {}
    node_of: dict[str, str] = {}  # claim span uuid -> node: most link ends are claims
    shown_of: dict[str, list[tuple[str, str]]] = {}  # attributes JSON -> counted values
    for uuid, document_id, quote, entity, tag, attributes in facts.rows:
        node = node_of[uuid] = node_key(
            tags[tag], quote, names[entity] if entity is not None else None
        )
        row = rows.get(node)
        if row is None:
            row = rows[node] = ClaimRow(node, label(node), values={k: {} for k in counted})
        add_mention(data, row, uuid, documents[document_id], attributes, counted, shown_of)
    ends = data.link_ends()  # every type: an end's label is its first mention's, in link order
    names, tags, types = ends.entities, ends.tags, ends.types
    for link, type_id, a, a_tag, a_quote, a_entity, b, b_tag, b_quote, b_entity in ends.rows:
        source = node_of.get(a) or node_key(
            tags[a_tag], a_quote, names[a_entity] if a_entity is not None else None
        )
        target = node_of.get(b) or node_key(
            tags[b_tag], b_quote, names[b_entity] if b_entity is not None else None
        )
        add_claim_link(rows, link, types[type_id], source, target, label)
    return sort_stably(rows.values(), lambda r: r.label.casefold(), lambda r: -len(r.documents))


def add_mention(
    data: Dataset,
    row: ClaimRow,
    uuid: str,
    document: str,
    attributes: str,
    counted: list[str],
    shown_of: dict[str, list[tuple[str, str]]],
) -> None:
    """Fold one claim span into its row: the span, its document and outlet, and its counted
    attribute values (`attributes` is the JSON text; `shown_of` keeps each distinct object's
    values, parsed once: claims share few attribute objects)."""
    row.spans.append(uuid)
    row.documents.add(document)
    outlet = data.documents[document].outlet
    if outlet:
        row.outlets.add(outlet)
    if attributes == "{}" or not counted:
        return
    values = shown_of.get(attributes)
    if values is None:
        values = shown_of[attributes] = _counted_values(orjson.loads(attributes), counted)
    for key, shown in values:
        counts = row.values[key]
        counts[shown] = counts.get(shown, 0) + 1


def add_claim_link(rows: dict, link: str, link_type: str, source, target, label) -> None:
    """Fold one link between two nodes into the claim rows it touches: who asserts a claim,
    what supports it, what contradicts it (both ways). `label(node)` names a node."""
    if link_type == ASSERTS and target in rows:
        who = label(source)
        rows[target].asserted_by[who] = rows[target].asserted_by.get(who, 0) + 1
        rows[target].links.append(link)
    elif link_type == SUPPORTS and target in rows and source != target:
        rows[target].supporting.add(label(source))
        rows[target].links.append(link)
    elif link_type == CONTRADICTS and source != target:
        for one, other in ((source, target), (target, source)):
            if one in rows:
                rows[one].contradicting.add(label(other))
                rows[one].links.append(link)


def _counted_values(values: dict, counted: list[str]) -> list[tuple[str, str]]:
    """(attribute, shown value) of each counted value of one attribute object, in order."""
    found = []
    for key in counted:
        value = values.get(key)
        for one in value if isinstance(value, list) else [value]:
            if one is not None and one != "":
                found.append((key, str(one).lower() if isinstance(one, bool) else str(one)))
    return found


def counts_text(counter: dict[str, int]) -> str:
    return ", ".join(f"{value} {count}" for value, count in sorted(counter.items()))


def claim_header(data: Dataset) -> list[str]:
    return [
        "claim",
        "asserted by",
        "documents",
        "outlets",
        "outlet names",
        *counted_attributes(data),
        "supporting",
        "contradicting",
    ]


def claim_cells(data: Dataset, row: ClaimRow) -> list[object]:
    """A row's cells in `claim_header` order (text, or int for the counts)."""
    return [
        row.label,
        "; ".join(f"{name} ({n})" for name, n in sorted(row.asserted_by.items())),
        len(row.documents),
        len(row.outlets),
        "; ".join(sorted(row.outlets)),
        *(counts_text(row.values.get(key, {})) for key in counted_attributes(data)),
        "; ".join(sorted(row.supporting)),
        "; ".join(sorted(row.contradicting)),
    ]


def write_claims(data: Dataset, rows: list[ClaimRow], path: Path) -> None:
    """CSV (.csv) or Excel (.xlsx, through openpyxl) of the claims table."""
    from annotator.errors import ValidationError

    path = Path(path)
    header = claim_header(data)
    table = [claim_cells(data, row) for row in rows]
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(table)
    elif suffix == ".xlsx":
        write_xlsx(path, "Claims", header, table)
    else:
        raise ValidationError(f"cannot write claims as {suffix or 'a file without suffix'}")


def write_xlsx(path: Path, title: str, header: list[str], rows: list[list[object]]) -> None:
    from annotator.services.analytics.extras import require

    openpyxl = require("openpyxl")
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
