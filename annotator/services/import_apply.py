"""Applying a validated exchange to a project inside one write transaction (ImportExchange's
do), recording what it added, changed and deleted so that undo restores the project exactly.

Matching rules (design brief §7): schema items by key (the project's definition wins and a
differing one is reported), documents by the SHA-256 of their text, everything else by uuid;
an incoming row replaces an existing one only when its `modified` time is newer; tombstones
delete, and a tombstoned uuid is never brought back. Importing the same file twice changes
nothing the second time."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from annotator.domain.model import (
    Annotator,
    Document,
    DocumentStatus,
    Entity,
    Link,
    LinkType,
    Schema,
    Span,
)
from annotator.domain.wording import quoted
from annotator.io.formats.json.history import import_history
from annotator.io.formats.json.reader import ImportReport
from annotator.io.formats.json.validate import Exchange, ExchangeError, effective_schema
from annotator.io.schema_file import schema_to_dict

PLURALS = {"span": "spans", "link": "links", "entity": "entities", "document": "documents"}


@dataclass
class Applied:
    """What one application of an exchange did, for its undo: uuids (keys for schema items) of
    what it added, the project's rows as they were before it changed or deleted them."""

    annotators: list[str] = field(default_factory=list)
    tag_types: list[str] = field(default_factory=list)
    link_types: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    spans: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    statuses: list[tuple[str, str]] = field(default_factory=list)  # (document, annotator)
    tombstones: list[str] = field(default_factory=list)
    old_entities: list[Entity] = field(default_factory=list)  # before an update
    old_spans: list[Span] = field(default_factory=list)
    old_links: list[Link] = field(default_factory=list)
    old_statuses: list[DocumentStatus] = field(default_factory=list)
    new_entities: list[Entity] = field(default_factory=list)  # after an update (history)
    new_spans: list[Span] = field(default_factory=list)
    new_links: list[Link] = field(default_factory=list)
    deleted_documents: list[tuple[Document, list, list, list]] = field(default_factory=list)
    deleted_entities: list[Entity] = field(default_factory=list)
    deleted_spans: list[Span] = field(default_factory=list)
    deleted_links: list[Link] = field(default_factory=list)
    # spans whose entity a deleted entity cleared (the database sets it NULL), as they were
    entity_spans: list[Span] = field(default_factory=list)
    touched_documents: set[str] = field(default_factory=set)


def apply_exchange(
    session: Any,
    x: Exchange,
    project_schema: Any,
    report: ImportReport,
    importer: Annotator,
    done: Applied,
) -> bool:
    """Apply the exchange; return whether its own history rows name the person importing."""
    touched: list[tuple[str, str, str]] = []  # (kind, uuid, added/updated/deleted): history
    tombstones = session.tombstone_uuids()
    existing_annotators = set(session.annotator_uuids().values())
    for annotator in x.annotators:
        if annotator.uuid in existing_annotators:
            report.count("skipped", "annotators")
        else:
            session.insert_annotator(annotator)
            existing_annotators.add(annotator.uuid)
            done.annotators.append(annotator.uuid)
            report.count("added", "annotators")

    schema = _apply_schema(session, x, project_schema, report, tombstones, done)
    entity_versions = session.versions("entities")
    updated_entities = [e.uuid for e in x.entities if e.uuid in entity_versions]
    before = {e.uuid: e for e in session.entities() if e.uuid in set(updated_entities)}
    for entity in x.entities:
        what = _upsert(
            session,
            "entities",
            entity,
            entity_versions,
            tombstones,
            report,
            session.insert_entity,
            session.update_entity,
        )
        if what is not None:
            touched.append(("entity", entity.uuid, what))
        if what == "added":
            done.entities.append(entity.uuid)
        elif what == "updated":
            done.old_entities.append(before[entity.uuid])
            done.new_entities.append(entity)

    # Documents match by text hash: spans of a known text attach to the project's copy.
    hashes = session.document_hashes()
    doc_uuids = set(hashes.values())
    rename: dict[str, str] = {}
    unindexed: list[str] = []  # indexed for search in one statement after the loop
    for index, document in enumerate(x.documents):
        mine = hashes.get(document.info.sha256)
        if mine is not None:
            rename[document.uuid] = mine
            report.count("skipped", "documents")
        elif document.uuid in tombstones:
            report.count("skipped", "documents")
        elif document.uuid in doc_uuids:
            raise ExchangeError(
                [f"$.documents[{index}].id: {document.uuid} is a document with another text here"]
            )
        else:
            session.insert_document(document, index=False)
            done.documents.append(document.uuid)
            touched.append(("document", document.uuid, "added"))
            unindexed.append(document.uuid)
            hashes[document.info.sha256] = document.uuid
            report.count("added", "documents")
    session.index_documents(unindexed)
    present_docs = set(hashes.values())

    entities_here = set(session.versions("entities"))
    span_versions = session.versions("spans")
    new_spans, updates = [], []
    kept_spans: set[str] = set(span_versions)
    for span in x.spans:
        span = dataclasses.replace(span, document=rename.get(span.document, span.document))
        if span.entity is not None and span.entity not in entities_here:
            # The entity was deleted here (its tombstone skipped it): the span loses the
            # reference, as spans do when an entity is deleted in the app.
            span = dataclasses.replace(span, entity=None)
        if span.document not in present_docs or span.uuid in tombstones:
            report.count("skipped", "spans")
        elif span.uuid not in span_versions:
            new_spans.append(span)
            kept_spans.add(span.uuid)
        elif span.modified > span_versions[span.uuid]:
            updates.append(span)
        else:
            report.count("skipped", "spans")
    updates = _checked_updates(session, schema, x, updates, report)
    done.old_spans += _in_chunks(session.spans_by_uuid, [s.uuid for s in updates])
    done.new_spans += updates
    done.spans += [s.uuid for s in new_spans]
    done.touched_documents |= {s.document for s in (*updates, *new_spans)}
    for span in updates:
        session.update_span(span)
        report.count("updated", "spans")
    if new_spans:
        report.count("added", "spans", session.bulk_insert_spans(new_spans))
    touched += [("span", s.uuid, "updated") for s in updates]
    touched += [("span", s.uuid, "added") for s in new_spans]

    link_versions = session.versions("links")
    new_links, changed_links = [], []
    for link in x.links:
        link = dataclasses.replace(link, document=rename.get(link.document, link.document))
        endpoints_here = link.source in kept_spans and link.target in kept_spans
        if link.uuid in tombstones or not endpoints_here:
            report.count("skipped", "links")
        elif link.uuid not in link_versions:
            new_links.append(link)
        elif link.modified > link_versions[link.uuid]:
            changed_links.append(link)
        else:
            report.count("skipped", "links")
    # An endpoint kept in this project's newer version may have another tag than in the file.
    ends = {s.uuid: (s.document, s.tag) for s in (*new_spans, *updates)}
    wanted = {u for link in (*new_links, *changed_links) for u in (link.source, link.target)}
    found = _in_chunks(session.spans_by_uuid, wanted - set(ends))
    ends |= {s.uuid: (s.document, s.tag) for s in found}
    new_links = [link for link in new_links if _fits(schema, link, ends, report)]
    changed_links = [link for link in changed_links if _fits(schema, link, ends, report)]
    done.old_links += _in_chunks(session.links_by_uuid, [k.uuid for k in changed_links])
    done.new_links += changed_links
    done.links += [k.uuid for k in new_links]
    done.touched_documents |= {k.document for k in (*new_links, *changed_links)}
    for link in changed_links:
        session.update_link(link)
        report.count("updated", "links")
        touched.append(("link", link.uuid, "updated"))
    if new_links:
        report.count("added", "links", session.bulk_insert_links(new_links))
    touched += [("link", link.uuid, "added") for link in new_links]

    status_ids = set(session.versions("document_status"))
    for status in x.statuses:
        status = dataclasses.replace(status, document=rename.get(status.document, status.document))
        if status.document not in present_docs:
            continue
        current = session.status(status.document, status.annotator)
        if current is None and status.uuid in status_ids:
            report.conflicts.append(
                f"status {status.uuid} is another document's or annotator's here; not imported"
            )
            report.count("skipped", "statuses")
        elif current is None or status.modified > current.modified:
            uuid = current.uuid if current else status.uuid
            if current is None:
                done.statuses.append((status.document, status.annotator))
            else:
                done.old_statuses.append(current)
            done.touched_documents.add(status.document)
            session.put_status(dataclasses.replace(status, uuid=uuid))
            report.count("updated" if current else "added", "statuses")
            touched.append(("document_status", uuid, "updated" if current else "added"))
        else:
            report.count("skipped", "statuses")

    touched += _apply_tombstones(session, x, tombstones, report, done)

    named: list[bool] = []

    def save_importer() -> None:
        named.append(True)
        if importer.uuid not in session.annotator_uuids().values():
            session.insert_annotator(importer)

    report.history = import_history(
        session, x.history, rename, touched, importer.uuid, save_importer
    )
    return bool(named)


def _in_chunks(read: Any, uuids: Any, size: int = 500) -> list:
    """read(uuids) in chunks (SQLite limits the variables of one statement)."""
    items, found = list(uuids), []
    for index in range(0, len(items), size):
        found += read(items[index : index + size])
    return found


def _fits(schema: Schema, link: Any, ends: dict[str, tuple[str, str]], report) -> bool:
    """Whether the link joins two spans of its document here and its type allows their tags
    here (ends: span uuid → (document, tag)); if not, it is left out and reported."""
    (source_doc, source), (target_doc, target) = ends[link.source], ends[link.target]
    if source_doc != link.document or target_doc != link.document:
        problem = "joins spans of different documents here"
    elif not schema.link_type(link.type).allows(source, target):
        problem = f"{quoted(link.type)} does not link {quoted(source)} to {quoted(target)} here"
    else:
        return True
    report.conflicts.append(f"link {link.uuid}: {problem}; not imported")
    report.count("skipped", "links")
    return False


def _checked_updates(session, schema: Schema, x: Exchange, updates, report):
    """The span updates to apply. Left out, this project's version kept and reported: a span
    the file puts in another document than here, and a retag that a link here (one the file
    does not delete) would no longer allow."""
    here = {s.uuid: s for s in _in_chunks(session.spans_by_uuid, [s.uuid for s in updates])}
    moved = {s.uuid for s in updates if s.document != here[s.uuid].document}
    for uuid in sorted(moved):
        report.conflicts.append(f"span {uuid} is in another document here; not changed")
        report.count("skipped", "spans")
    updates = [s for s in updates if s.uuid not in moved]
    retagged = {s.uuid: s.tag for s in updates if s.tag != here[s.uuid].tag}
    if not retagged:
        return updates
    deleted = {t.uuid for t in x.tombstones}
    links = [k for k in _in_chunks(session.links_of_spans, retagged) if k.uuid not in deleted]
    others = {u for link in links for u in (link.source, link.target)} - set(retagged)
    tags = {s.uuid: s.tag for s in _in_chunks(session.spans_by_uuid, others)} | retagged
    refused = {
        end
        for link in links
        if not schema.link_type(link.type).allows(tags[link.source], tags[link.target])
        for end in (link.source, link.target)
        if end in retagged
    }
    for uuid in sorted(refused):
        report.conflicts.append(
            f"span {uuid}: the file retags it as {quoted(retagged[uuid])}, which a link here "
            "does not allow; this project's version kept"
        )
        report.count("skipped", "spans")
    return [s for s in updates if s.uuid not in refused]


def _upsert(session, kind, item, versions, tombstones, report, insert, update) -> str | None:
    """Add or update one item; return "added", "updated" or None (left as it is)."""
    if item.uuid in tombstones:
        report.count("skipped", kind)
    elif item.uuid not in versions:
        insert(item)
        report.count("added", kind)
        return "added"
    elif item.modified > versions[item.uuid]:
        update(item)
        report.count("updated", kind)
        return "updated"
    else:
        report.count("skipped", kind)
    return None


def _apply_schema(
    session, x: Exchange, mine, report: ImportReport, tombstones: set[str], done: Applied
) -> Schema:
    """Add the file's new schema items; return the schema the project then has."""
    effective = effective_schema(mine, x.schema, tombstones)  # what validation allowed
    hotkeys = {tag.hotkey for tag in mine.tag_types if tag.hotkey is not None}
    for tag in x.schema.tag_types:
        existing = mine.tag(tag.key)
        if existing is None:
            wanted = effective.tag(tag.key)
            if wanted is None:
                report.conflicts.append(_gone("tag type", tag.key))
                continue
            if wanted.hotkey is not None and wanted.hotkey in hotkeys:
                report.conflicts.append(
                    f"tag type {quoted(tag.key)}: hotkey {quoted(wanted.hotkey)} is taken here; "
                    "added without a hotkey"
                )
                wanted = dataclasses.replace(wanted, hotkey=None)
            hotkeys.add(wanted.hotkey)
            session.insert_tag_type(wanted)
            done.tag_types.append(wanted.key)
            report.count("added", "tag types")
            continue
        for attribute in effective.tag(tag.key).attributes:
            if existing.attribute(attribute.key) is None:
                session.insert_attribute_def("tag", tag.key, attribute)
                done.attributes.append(attribute.uuid)
                report.count("added", "attributes")
        if _definition(existing) != _definition(tag):
            report.conflicts.append(
                f"tag type {quoted(tag.key)} differs; this project's definition kept"
            )
    for link_type in x.schema.link_types:
        existing = mine.link_type(link_type.key)
        if existing is None:
            wanted = effective.link_type(link_type.key)
            if wanted is None:
                report.conflicts.append(_gone("link type", link_type.key))
                continue
            session.insert_link_type(wanted)
            done.link_types.append(wanted.key)
            report.count("added", "link types")
        elif _definition(existing) != _definition(link_type):
            report.conflicts.append(
                f"link type {quoted(link_type.key)} differs; this project's definition kept"
            )
    return effective


def _gone(kind: str, key: str) -> str:
    return f"{kind} {quoted(key)} was deleted in this project; not added again"


def _definition(item: Any) -> dict[str, Any]:
    """What counts when comparing two schema items (not their ids or provenance)."""
    data = schema_to_dict(_single(item))
    entry = (data["tag_types"] or data["link_types"])[0]
    entry.pop("id")
    for attribute in entry["attributes"]:
        attribute.pop("id")
    return entry


def _single(item: Any) -> Any:
    return Schema(link_types=(item,)) if isinstance(item, LinkType) else Schema(tag_types=(item,))


def _apply_tombstones(
    session, x: Exchange, known: set[str], report: ImportReport, done: Applied
) -> list[tuple[str, str, str]]:
    """Apply the file's new tombstones; return (kind, uuid, "deleted") of what they deleted."""
    deleted: list[tuple[str, str, str]] = []
    deleters = {
        "span": session.delete_span,
        "link": session.delete_link,
        "entity": session.delete_entity,
        "document": session.delete_document,
    }
    present = {kind: set(session.versions(table)) for kind, table in PLURALS.items()}
    for tombstone in x.tombstones:
        if tombstone.uuid in known:
            continue
        delete = deleters.get(tombstone.kind)
        if delete is not None and tombstone.uuid in present[tombstone.kind]:
            _keep_deleted(session, tombstone.kind, tombstone.uuid, done)
            delete(tombstone.uuid)
            report.count("deleted", PLURALS[tombstone.kind])
            deleted.append((tombstone.kind, tombstone.uuid, "deleted"))
        else:  # nothing here to delete: only the tombstone is new (and keeps the row out)
            report.count("added", "tombstones")
        session.add_tombstone(tombstone.uuid, tombstone.kind, tombstone.deleted, tombstone.author)
        done.tombstones.append(tombstone.uuid)
        known.add(tombstone.uuid)
    return deleted


def _keep_deleted(session, kind: str, uuid: str, done: Applied) -> None:
    """Keep what a tombstone is about to delete (with a document: its spans, links and
    statuses), so that undo puts it back."""
    if kind == "document":
        document = session.document(uuid)
        parts = (session.spans(uuid), session.links(uuid), session.statuses(uuid))
        done.deleted_documents.append((document, *parts))
    elif kind == "entity":
        done.deleted_entities.append(session.entity(uuid))
        # the database clears the spans' reference: undo gives it back
        referring = session.spans_with_entity(uuid)
        done.entity_spans += referring
        done.touched_documents |= {s.document for s in referring}
    elif kind == "span":
        done.deleted_spans += session.spans_by_uuid([uuid])
        # links to the span go with it (the database deletes them): undo restores them too
        done.deleted_links += session.links_of_spans([uuid])
        done.touched_documents |= {s.document for s in done.deleted_spans}
    elif kind == "link":
        done.deleted_links += session.links_by_uuid([uuid])
        done.touched_documents |= {k.document for k in done.deleted_links}
