"""ProjectSession: the open project as the GUI sees it: undo stack, current document,
selection, and change sets coalesced per event-loop turn. Widgets hold no data of their own;
they read through the session and refresh from `changed`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QUndoStack

from annotator.domain.changes import ChangeSet
from annotator.domain.model import Schema
from annotator.errors import AnnotatorError
from annotator.gui.document_content import CHUNK, LoadedDocument, StepSize
from annotator.gui.feedback import done_text
from annotator.gui.layers import LayerState
from annotator.gui.undo import UndoableCommand
from annotator.services.command import Command, Refusal
from annotator.services.gc_pause import BulkLoad
from annotator.services.project import Project
from annotator.services.sessions import ReadSession


class ProjectSession(QObject):
    """Signals carry uuids as str; "" means none."""

    changed = Signal(object)  # ChangeSet, coalesced: at most one per event-loop turn
    document_changed = Signal(str)  # the document shown in the reading pane
    span_selected = Signal(str)
    link_selected = Signal(str)
    error = Signal(str)  # a one-line message for the user
    message = Signal(str)  # a transient status-bar note
    _from_worker = Signal(object)  # a ChangeSet told on a worker thread (e.g. an import)
    #: While a long document loads (see `content`): more of its spans, in reading order…
    spans_loaded = Signal(list)
    #: …its links, a page at a time once every span is in (`LoadedDocument.arrived_links`)…
    links_arrived = Signal(list)
    #: …the end of its links…
    links_loaded = Signal()
    #: …and progress: spans loaded so far, spans in all (equal when the loading is done).
    loading = Signal(int, int)

    def __init__(self, project: Project, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.undo_stack = QUndoStack(self)
        self.current_document = ""
        self.selected_span = ""
        self.selected_link = ""
        self._content: LoadedDocument | None = None
        self._schema: Schema | None = None
        self._loader = QTimer(self, singleShot=True, interval=0)
        self._loader.timeout.connect(self._load_step)
        self._collector = BulkLoad()
        self._step = StepSize()  # spans (or links) a loading step reads: see StepSize
        #: Delay before a long document's second step. The window sets it and calls
        #: `resume_loading` after the reading pane's first paint, so the first screen is not
        #: held up by the rest of the document; the delay is the fallback when nothing paints.
        self.loading_delay = 0
        self.layer = LayerState(lambda: self.annotator, self._annotator_names, self)
        self._pending = ChangeSet()
        self._annotators_changed = False
        self._flush = QTimer(self, singleShot=True, interval=0)
        self._flush.timeout.connect(self._emit_changes)
        self._from_worker.connect(self._queue, Qt.ConnectionType.QueuedConnection)
        project.listeners.append(self._queue)

    # -- reading -----------------------------------------------------------------------------
    @contextmanager
    def read(self) -> Iterator[ReadSession]:
        with self.project.store.read() as session:
            yield session

    def content(self) -> LoadedDocument | None:
        """The current document's text, spans and links (None when no document is open).

        Read once per document and kept in step with change sets before `changed` is emitted,
        so views read it instead of the store. A long document comes in steps: the text and
        the first screen's spans at once, the other spans in chunks between events
        (`spans_loaded`, `loading`), then its links (`links_loaded`); switching documents
        stops the loading. `finish_loading` reads the rest at once."""
        uuid = self.current_document
        if not uuid:
            return None
        if self._content is None or self._content.uuid != uuid:
            self._collector.release()  # the previous document's objects: collected as usual
            with self.read() as read:
                self._content = LoadedDocument.read_head(read, uuid)
            if not self._content.complete:
                self._collector.begin()  # no full collections stall the steps (gc_pause)
                self._step = StepSize()
                self._loader.start(self.loading_delay)
        return self._content

    def loaded(self, uuid: str) -> LoadedDocument | None:
        """The content of document `uuid` if it is the one held with every span (no read)."""
        content = self._content
        if content is not None and content.uuid == uuid and content.spans_complete:
            return content
        return None

    def resume_loading(self) -> None:
        """Go on loading the current document at the next event-loop turn."""
        content = self._content
        if content is not None and not content.complete and self._loader.interval() != 0:
            self._loader.start(0)

    def finish_loading(self) -> None:
        """Read what is left of the current document now (compare mode and jumps need every
        span); emits the same signals as the stepwise loading."""
        self._loader.stop()
        content = self.content()  # the current document's (an earlier one's may be held)
        while content is not None and content is self._content and not content.complete:
            self._load_step(CHUNK)  # all at once: steps sized for responsiveness are no use

    def _load_step(self, limit: int | None = None) -> None:
        content = self._content
        if content is None or content.uuid != self.current_document:
            self._collector.release()  # the load was abandoned (no document, or another)
            return
        if content.complete:
            return
        was_complete = content.spans_complete
        started, before = time.perf_counter(), len(content.spans) + len(content.links)
        with self.read() as read:
            new = content.read_more(read, limit or self._step.size)
        if new:
            self.spans_loaded.emit(new)
        if content.arrived_links:
            self.links_arrived.emit(content.arrived_links)
        if content.links_complete:
            self.links_loaded.emit()
        if not was_complete or content.links_complete:
            self.loading.emit(len(content.spans), max(content.total, len(content.spans)))
        # what the step cost, read and shown, sizes the next (the links' reset counts as none)
        read_now = len(content.spans) + len(content.links) - before
        self._step.measured(read_now, time.perf_counter() - started)
        if content.complete:
            self._collector.end()
        elif not self._loader.isActive():
            self._loader.start(0)

    def _update_content(self, changes: ChangeSet) -> None:
        content = self._content
        if content is None:
            return
        if content.uuid in changes.documents_removed or LoadedDocument.stale_after(changes):
            self._content = None
            self._collector.release()
        elif content.uuid in changes.documents_added:
            self._content = None  # a document deleted and restored: read it again
            self._collector.release()
        elif content.uuid in changes.documents:
            with self.read() as read:
                content.apply(changes, read)

    @property
    def schema(self) -> Schema:
        """The project's schema, kept until a change set says the schema changed (the project
        re-reads it from the file after every write: ~3 ms per key press, several times)."""
        if self._schema is None:
            self._schema = self.project.schema
        return self._schema

    @property
    def annotator(self) -> str:
        return self.project.annotator.uuid

    def _annotator_names(self) -> dict[str, str]:
        with self.read() as read:
            names = {a.uuid: a.name for a in read.annotators()}
        me = self.project.annotator  # written to the file only with their first change
        names.setdefault(me.uuid, me.name)
        return names

    # -- changing ----------------------------------------------------------------------------
    def run(
        self,
        command: Command,
        do: Callable[[], ChangeSet] | None = None,
        *,
        report: bool = True,
    ) -> Literal[True] | Refusal:
        """Do a command through the services (`Project.attempt`: saved at once, recorded in
        the project's history) and mirror it on the undo stack. True when done, else the
        Refusal (false), which is also shown (message or error) unless report=False.

        `do` stands in for `command.do(project)`, e.g. the same call behind a progress dialog;
        any exception but a refusal (a cancel) propagates, and nothing is recorded."""
        refusal = self.layer.refusal(command)
        if refusal:  # a read-only layer is shown: say so rather than ignore the key
            if report:
                self.message.emit(refusal)
            return Refusal(refusal)
        outcome = self.project.attempt(command, do)
        if isinstance(outcome, Refusal):
            if report:
                self.error.emit(outcome.reason)
            return outcome
        self.undo_stack.push(
            UndoableCommand(self.project, command, self.error.emit, self.message.emit)
        )
        if report:
            self.message.emit(done_text(command))  # the status bar says what was done
        return True

    def notify(self, changes: ChangeSet) -> None:
        """Tell the project's listeners (this session included) what changed."""
        self.project.notify(changes)

    def _queue(self, changes: ChangeSet) -> None:
        if changes.schema:
            self._schema = None  # every change goes through here, the worker's too
        if QThread.currentThread() != self.thread():
            # A job on a worker thread (an import behind a progress dialog) told the project:
            # hand it to the GUI thread, where the timer can start and the views live.
            self._from_worker.emit(changes)
            return
        # A new annotator (Help ▸ Change annotator) is written with their first change, which
        # says nothing of annotators: flag it so name caches (e.g. the Annotator column) reload.
        if changes.annotators:
            self._annotators_changed = True
        elif self._annotators_changed:
            changes, self._annotators_changed = changes.merge(ChangeSet(annotators=True)), False
        self._pending = self._pending.merge(changes)
        self._flush.start()

    def _emit_changes(self) -> None:
        changes, self._pending = self._pending, ChangeSet()
        self._update_content(changes)
        if self.selected_span and self.selected_span in changes.spans_removed:
            self.select_span("")
        if self.selected_link and self.selected_link in changes.links_removed:
            self.select_link("")
        if self.current_document and self.current_document in changes.documents_removed:
            self.open_document("")
        self.changed.emit(changes)

    def flush(self) -> None:
        """Emit pending changes now (tests and code that must see the refresh at once)."""
        if self._flush.isActive():
            self._flush.stop()
            self._emit_changes()

    # -- navigation and selection ------------------------------------------------------------
    def open_document(self, uuid: str) -> None:
        if uuid == self.current_document:
            return
        self.select_span("")
        self.select_link("")
        self.current_document = uuid
        self.document_changed.emit(uuid)

    def select_span(self, uuid: str) -> None:
        if uuid != self.selected_span:
            self.selected_span = uuid
            self.span_selected.emit(uuid)

    def select_link(self, uuid: str) -> None:
        if uuid != self.selected_link:
            self.selected_link = uuid
            self.link_selected.emit(uuid)

    def jump_to_span(self, uuid: str) -> None:
        """Open the span's document (if needed) and select the span."""
        try:
            with self.read() as session:
                span = session.span(uuid)
        except AnnotatorError as error:
            self.error.emit(str(error))
            return
        if not self.layer.shows(span.annotator):
            if self.layer.blind:
                self.message.emit("That span is in another layer: blind mode hides it")
                return
            self.layer.show_layer_of(span.annotator)
        self.open_document(span.document)
        self.select_span(uuid)

    def jump_to_link(self, uuid: str) -> None:
        with self.read() as session:
            found = session.links_by_uuid([uuid])
        if found:
            self.open_document(found[0].document)
            self.select_span(found[0].source)
            self.select_link(uuid)

    def close(self) -> None:
        self._collector.release()
        if self._queue in self.project.listeners:
            self.project.listeners.remove(self._queue)
        self.project.close()
