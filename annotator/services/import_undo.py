"""The undo of an applied import (services/import_apply.Applied): delete what it added, put back
what it changed or deleted; and the change set of an application, for views and history."""

from __future__ import annotations

from typing import Any

from annotator.domain.changes import ChangeSet
from annotator.services.import_apply import Applied


def revert_applied(session: Any, done: Applied) -> ChangeSet:
    """Undo one application: delete what it added, put back what it changed or deleted."""
    session.remove_tombstones(done.tombstones)
    restored_docs = []
    for document, spans, links, statuses in done.deleted_documents:
        session.insert_document(document)
        restored_docs.append(document.uuid)
        for span in spans:
            session.insert_span(span)
        for link in links:
            session.insert_link(link)
        for status in statuses:
            session.put_status(status)
    for entity in done.deleted_entities:
        session.insert_entity(entity)
    for span in done.deleted_spans:
        session.insert_span(span)
    for link in done.deleted_links:
        if not session.links_by_uuid([link.uuid]):
            session.insert_link(link)
    for uuid in done.links:
        session.delete_link(uuid)
    for link in done.old_links:
        session.update_link(link)
    for document, annotator in done.statuses:
        session.delete_status(document, annotator)
    for status in done.old_statuses:
        session.put_status(status)
    # first the references a deleted entity cleared, then the versions before an update (an
    # updated span's reference is in its older version too, and that version wins)
    for span in done.entity_spans:
        session.update_span(span)
    for span in done.old_spans:
        session.update_span(span)
    session.delete_spans(done.spans)
    for entity in done.old_entities:
        session.update_entity(entity)
    for uuid in done.entities:
        session.delete_entity(uuid)
    for uuid in done.documents:
        session.delete_document(uuid)
    for uuid in done.attributes:
        session.delete_attribute_def(uuid)
    for key in done.link_types:
        session.delete_link_type(key)
    for key in done.tag_types:
        session.delete_tag_type(key)
    for uuid in done.annotators:
        session.delete_annotator(uuid)
    return ChangeSet(
        spans_added=frozenset(s.uuid for s in done.deleted_spans),
        spans_changed=frozenset(s.uuid for s in (*done.old_spans, *done.entity_spans)),
        spans_removed=frozenset(done.spans),
        links_added=frozenset(k.uuid for k in done.deleted_links),
        links_changed=frozenset(k.uuid for k in done.old_links),
        links_removed=frozenset(done.links),
        entities=frozenset(
            [*done.entities, *(e.uuid for e in (*done.old_entities, *done.deleted_entities))]
        ),
        documents=frozenset(done.touched_documents) - frozenset(done.documents),
        documents_added=frozenset(restored_docs),
        documents_removed=frozenset(done.documents),
        schema=True,
        annotators=True,
    )


def applied_changes(done: Applied) -> ChangeSet:
    """What an application changed, for views and the history of a redo or undo."""
    return ChangeSet(
        spans_added=frozenset(done.spans),
        spans_changed=frozenset(s.uuid for s in (*done.old_spans, *done.entity_spans)),
        spans_removed=frozenset(s.uuid for s in done.deleted_spans),
        links_added=frozenset(done.links),
        links_changed=frozenset(k.uuid for k in done.old_links),
        links_removed=frozenset(k.uuid for k in done.deleted_links),
        entities=frozenset(
            [*done.entities, *(e.uuid for e in (*done.old_entities, *done.deleted_entities))]
        ),
        documents=frozenset(done.touched_documents) | frozenset(done.documents),
        documents_added=frozenset(done.documents),
        documents_removed=frozenset(d[0].uuid for d in done.deleted_documents),
        schema=True,
        annotators=True,
    )
