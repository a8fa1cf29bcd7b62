"""Adding documents (undoable) and editing their metadata; the text itself never changes."""

from __future__ import annotations

import calendar
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from annotator.domain.changes import ChangeSet
from annotator.domain.content_rules import text_problem
from annotator.domain.ids import new_uuid, now
from annotator.domain.model import Document, DocumentInfo, DocumentStatus, Link, Span
from annotator.domain.wording import quoted
from annotator.errors import ValidationError
from annotator.io.documents.registry import ImportedDocument
from annotator.services.command import Command
from annotator.services.project import Project
from annotator.store.project_store import WriteSession

METADATA_FIELDS = ("title", "author", "outlet", "url", "published", "language")


@dataclass
class AddReport:
    """What an add did: documents added, and duplicates skipped (by SHA-256 of the text)."""

    added: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (source name, title)


def document_from_import(imported: ImportedDocument, author: str) -> Document:
    when = now()
    meta = imported.metadata
    info = DocumentInfo(
        uuid=new_uuid(),
        title=imported.title,
        sha256=imported.sha256,
        length=len(imported.text),
        author=meta.get("author", ""),
        outlet=meta.get("outlet", ""),
        url=meta.get("url", ""),
        published=meta.get("published", ""),
        language=meta.get("language", ""),
        source_filename=imported.source_filename,
        source_encoding=imported.source_encoding,
        imported=when,
        created=when,
        modified=when,
        author_uuid=author,
    )
    return Document(info, imported.text)


def _check_hash(item: ImportedDocument) -> None:
    """Refuse a document whose SHA-256 is not that of its text, or whose text breaks the
    content rules (a NUL, the size limit): the open checklist would refuse the whole project
    file afterwards. The importers refuse or clean such texts first; this holds for any."""
    try:
        digest = hashlib.sha256(item.text.encode("utf-8")).hexdigest()
    except UnicodeEncodeError:
        raise ValidationError(f"{quoted(item.title)}: the text is not valid Unicode") from None
    if (problem := text_problem(item.text)) is not None:
        raise ValidationError(f"{item.source_filename or item.title}: {problem}")
    if digest != item.sha256:
        raise ValidationError(f"{quoted(item.title)}: the SHA-256 does not match the text")


class AddDocuments(Command):
    """Add imported documents; a text already in the project (same SHA-256) is reported and
    skipped, never added twice."""

    def __init__(self, imported: Iterable[ImportedDocument]) -> None:
        self.imported = list(imported)
        self.documents: list[Document] = []
        self.report = AddReport()
        self.label = (
            "Add document" if len(self.imported) == 1 else f"Add {len(self.imported)} documents"
        )

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        if not self.documents and not self.report.duplicates:
            seen: set[str] = set()
            for item in self.imported:
                _check_hash(item)
                if item.sha256 in seen or session.document_by_sha256(item.sha256):
                    self.report.duplicates.append((item.source_filename, item.title))
                    continue
                seen.add(item.sha256)
                self.documents.append(document_from_import(item, project.annotator.uuid))
            self.report.added = [d.uuid for d in self.documents]
        for document in self.documents:
            session.remove_tombstone(document.uuid)
            session.insert_document(document, index=False)
        # One search-index statement for the batch: half the cost of one per document.
        session.index_documents([d.uuid for d in self.documents])
        return ChangeSet(documents_added=frozenset(d.uuid for d in self.documents))

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        for document in self.documents:
            if session.spans(document.uuid):
                raise ValidationError(
                    f"{quoted(document.info.title)} has spans now; delete it instead"
                )
            session.delete_document(document.uuid)
            session.add_tombstone(document.uuid, "document", now(), project.annotator.uuid)
        return ChangeSet(documents_removed=frozenset(d.uuid for d in self.documents))


class DeleteDocument(Command):
    """Delete a document with all its spans, links and statuses (undo restores them all)."""

    def __init__(self, uuid: str) -> None:
        self.uuid = uuid
        self.document: Document | None = None
        self.spans: list[Span] = []
        self.links: list[Link] = []
        self.statuses: list[DocumentStatus] = []
        self.label = "Delete document"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        self.document = session.document(self.uuid)
        self.spans = session.spans(self.uuid)
        self.links = session.links(self.uuid)
        self.statuses = session.statuses(self.uuid)
        when, author = now(), project.annotator.uuid
        for item, kind in [(x, "link") for x in self.links] + [(x, "span") for x in self.spans]:
            session.add_tombstone(item.uuid, kind, when, author)
        session.delete_document(self.uuid)
        session.add_tombstone(self.uuid, "document", when, author)
        return ChangeSet(documents_removed=frozenset({self.uuid}))

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        assert self.document is not None
        session.remove_tombstone(self.uuid)
        session.insert_document(self.document)
        for span in self.spans:
            session.remove_tombstone(span.uuid)
            session.insert_span(span)
        for link in self.links:
            session.remove_tombstone(link.uuid)
            session.insert_link(link)
        for status in self.statuses:
            session.put_status(status)
        return ChangeSet(documents_added=frozenset({self.uuid}))


def _date_problem(value: str) -> str | None:
    """Why value is no calendar date written YYYY-MM-DD (what imports store); None if it is."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return "is not YYYY-MM-DD"
    year, month, day = (int(part) for part in value.split("-"))
    if not 1 <= month <= 12:
        return f"is not a calendar date (there is no month {month})"
    if year == 0:
        return "is not a calendar date (there is no year 0)"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"is not a calendar date ({value[:7]} has {days} days)"
    return None


class EditDocumentMetadata(Command):
    """Change title, author, outlet, URL, publication date or language of a document."""

    def __init__(self, uuid: str, **fields: Any) -> None:
        unknown = set(fields) - set(METADATA_FIELDS)
        if unknown:
            raise ValidationError(f"documents have no editable field {quoted(sorted(unknown)[0])}")
        if "title" in fields and not str(fields["title"]).strip():
            raise ValidationError("a document needs a title")
        published = str(fields.get("published", "")).strip()
        problem = _date_problem(published) if published else None
        if problem:
            raise ValidationError(f"the publication date {quoted(published)} {problem}")
        self.uuid, self.fields = uuid, {k: str(v).strip() for k, v in fields.items()}
        self.before: dict[str, Any] = {}
        self.after: dict[str, Any] = {}
        self.label = "Edit document properties"

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        info = session.document_info(self.uuid)
        if not self.after:  # a redo writes the same values, modified time included
            self.before = {k: getattr(info, k) for k in self.fields} | {"modified": info.modified}
            self.after = {**self.fields, "modified": now()}
        session.update_document_metadata(self.uuid, self.after)
        return ChangeSet(documents=frozenset({self.uuid}))

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        session.update_document_metadata(self.uuid, self.before)
        return ChangeSet(documents=frozenset({self.uuid}))
