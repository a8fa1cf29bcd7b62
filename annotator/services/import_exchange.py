"""ImportExchange: applying what a reader made of a file (io.exchange.Exchange) to the project,
as one command: one transaction, undoable as one step, written to history; and the preview of
it (the same application in a transaction that is rolled back)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from annotator.domain.changes import ChangeSet
from annotator.io.exchange import Exchange, ImportContext
from annotator.io.formats.json.reader import ImportReport
from annotator.services.command import Command
from annotator.services.history_log import record_changes
from annotator.services.import_apply import Applied, apply_exchange
from annotator.services.import_undo import applied_changes, revert_applied

if TYPE_CHECKING:
    from annotator.services.project import Project
    from annotator.store.project_store import WriteSession

Progress = Callable[[int, int], Any]


def import_context(project: Project) -> ImportContext:
    """What a reader may know of the project: a snapshot, read in one transaction."""
    with project.store.read() as session:
        return ImportContext(
            schema=session.schema(),
            annotator=project.annotator,
            annotators=tuple(session.annotators()),
            document_hashes=session.document_hashes(),
            documents=tuple(session.documents()),
            entities=frozenset(e.uuid for e in session.entities()),
            tombstones=frozenset(session.tombstone_uuids()),
            text_of=lambda uuid: _text_of(project, uuid),
        )


def _text_of(project: Project, uuid: str) -> str:
    with project.store.read() as session:
        return session.document(uuid).text


@dataclass(frozen=True)
class Prepared:
    """What a preview validated (the file's rows as domain values) and the project's change
    marker then: applying the same exchange to a project still at that marker reuses it."""

    marker: Any
    validated: Any


class ImportExchange(Command):
    """Apply an exchange: add what the project lacks, update what the file holds newer, apply
    its tombstones. Undo removes exactly what it added and restores what it changed. With
    `prepared` (from preview_prepared), a project unchanged since the preview is not validated
    again."""

    def __init__(
        self, exchange: Exchange, progress: Progress | None = None, prepared: Prepared | None = None
    ) -> None:
        self.exchange = exchange
        self.progress = progress
        self.prepared = prepared
        self.label = f"Import {exchange.source}" if exchange.source else "Import"
        self.report = ImportReport()
        self.done = Applied()
        self.named = False  # whether the import's history rows name the person importing

    def do(self, project: Project) -> ChangeSet:
        """As Command.do, but the history rows of the import are its own ("import" rows, and
        the file's history): written by the application, in the same transaction. The person
        importing is written to the file only when those rows name them (an import that
        changes nothing leaves the file as it was)."""
        try:
            with project.store.write() as session:
                changes = self.apply(project, session)
        finally:
            self.progress = None  # the first run's progress dialog; a redo has none
            self.prepared = None  # a redo validates again (the project has changed since)
        if self.named:
            project.ensure_annotator_saved()
        project.invalidate_schema()
        self._applied = True
        return changes

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        with session.lowering_push_mark():  # a file's rows older than the last team push
            self.report, self.done, self.named = apply_in(
                session, self.exchange, project, self.progress, self.prepared
            )
        return applied_changes(self.done)

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        return revert_applied(session, self.done)

    def undo(self, project: Project) -> ChangeSet:
        with project.writing() as session:
            changes = self.revert(project, session)
            record_changes(session, self, changes, "undo", project.annotator.uuid)
        return changes

    def history_pairs(self):
        """(before, after) of the rows the import changed, for the history of its undo."""
        done = self.done
        yield from zip(done.old_spans, done.new_spans, strict=True)
        yield from zip(done.old_links, done.new_links, strict=True)
        yield from zip(done.old_entities, done.new_entities, strict=True)


def apply_in(
    session: Any,
    exchange: Exchange,
    project: Project,
    progress: Progress | None = None,
    prepared: Prepared | None = None,
    found: list[Prepared] | None = None,
) -> tuple[ImportReport, Applied, bool]:
    """Validate the exchange against the project as this transaction sees it (or take what a
    preview validated when the project's change marker is still the preview's), then apply it.
    `found` receives what was validated, with the marker, for a later apply."""
    from annotator.io.formats.json.validate import ExchangeError, validate_exchange

    if progress is not None:
        progress(1, 3)
    project_schema = session.schema()
    marker = session.change_marker()
    reuse = prepared is not None and marker is not None and prepared.marker == marker
    try:
        if reuse:
            validated = prepared.validated
        else:
            known = {
                "annotators": set(session.annotator_uuids().values()),
                "entities": set(session.versions("entities")),
                "tombstones": session.tombstone_uuids(),
            }
            data = _kept_versions(session, exchange)
            validated = validate_exchange(data, project_schema, known)
        if found is not None:
            found.append(Prepared(marker, validated))
        if progress is not None:
            progress(2, 3)
        report, done = ImportReport(), Applied()
        named = apply_exchange(session, validated, project_schema, report, project.annotator, done)
    except ExchangeError as error:
        raise exchange_error(exchange, error) from None
    report.conflicts += [*exchange.notices, *exchange.loss.lines()]
    report.loss = exchange.loss
    report.notices = list(exchange.notices)
    if progress is not None:
        progress(3, 3)
    return report, done, named


def exchange_error(exchange: Exchange, error: Any) -> Exception:
    """The validation error, each line naming the file (a foreign file's in its own type)."""
    from annotator.io.formats.foreign_common import ForeignFormatError
    from annotator.io.formats.json.validate import ExchangeError

    kind = ForeignFormatError if exchange.foreign else ExchangeError
    name = exchange.source
    return kind([f"{name}: {line}" if name else line for line in error.errors])


def _kept_versions(session: Any, exchange: Exchange) -> Any:
    """The exchange's data, with rows the project already holds keeping the project's
    `modified` (by exchange.keep_existing), so importing the same file again changes nothing."""
    data = exchange.data
    if exchange.keep_existing == "none" or not isinstance(data, dict):
        return data
    versions = session.versions("spans") | session.versions("links")
    stamped_only = exchange.keep_existing == "stamped"

    def kept(row: Any) -> Any:
        if not isinstance(row, dict) or row.get("id") not in versions:
            return row
        if stamped_only and row.get("modified") != exchange.stamp:
            return row
        return row | {"modified": versions[row["id"]]}

    documents = [
        doc | {"spans": [kept(r) for r in doc["spans"]], "links": [kept(r) for r in doc["links"]]}
        for doc in data.get("documents", [])
    ]
    return data | {"documents": documents}


class _Rollback(Exception):
    """Ends a preview's transaction without committing it."""


def preview(project: Project, exchange: Exchange) -> ImportReport:
    """What importing the exchange would add, update, skip and lose, computed by applying it
    in a transaction that is then rolled back: nothing is written."""
    return preview_prepared(project, exchange)[0]


def preview_prepared(project: Project, exchange: Exchange) -> tuple[ImportReport, Prepared]:
    """The preview, and what it validated: ImportExchange(exchange, prepared=…) then applies
    the file without validating it again while the project is unchanged (the GUI's Import
    after its summary)."""
    found: list[ImportReport] = []
    validated: list[Prepared] = []
    try:
        with project.store.write() as session:
            report, _, _ = apply_in(session, exchange, project, found=validated)
            found.append(report)
            raise _Rollback
    except _Rollback:
        pass
    project.invalidate_schema()
    return found[0], validated[0]


def run_import(project: Project, exchange: Exchange, progress: Progress | None = None):
    """Apply the exchange through the project's history (undoable); returns the report."""
    command = ImportExchange(exchange, progress)
    project.run(command)
    return command.report
