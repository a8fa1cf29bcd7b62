"""Project: an open project file, the current annotator, the schema and the undo history."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from annotator.domain.changes import ChangeSet
from annotator.domain.ids import new_uuid, now
from annotator.domain.model import Annotator, Schema
from annotator.domain.wording import quoted
from annotator.errors import AnnotatorError, ValidationError
from annotator.io.schema_file import read_schema_file
from annotator.resources import resource_path
from annotator.services.command import Command, Refusal
from annotator.services.history import History
from annotator.services.identity import current_name, identity_uuid
from annotator.store.project_store import ProjectStore, WriteSession

PROJECT_SUFFIX = ".annotator"


def default_annotator_name() -> str:
    """The user's annotator name, shared by the app and the CLI (services/identity)."""
    return current_name()


def default_schema() -> Schema:
    """The schema that ships in resources/default_schema.json."""
    data = json.loads(resource_path("default_schema.json").read_text(encoding="utf-8"))
    return read_schema_file(data)


def write_schema(session: WriteSession, schema: Schema, author: str | None, when: str) -> None:
    """Insert every item of a schema (stamped with author and time) into an empty project."""
    for position, tag in enumerate(schema.tag_types):
        attributes = tuple(
            dataclasses.replace(a, created=when, modified=when, author=author)
            for a in tag.attributes
        )
        session.insert_tag_type(
            dataclasses.replace(
                tag, attributes=attributes, created=when, modified=when, author=author
            ),
            position,
        )
    for position, link_type in enumerate(schema.link_types):
        attributes = tuple(
            dataclasses.replace(a, created=when, modified=when, author=author)
            for a in link_type.attributes
        )
        session.insert_link_type(
            dataclasses.replace(
                link_type, attributes=attributes, created=when, modified=when, author=author
            ),
            position,
        )


class Project:
    """The service facade the CLI and the GUI share. Every change goes through `run`."""

    def __init__(self, store: ProjectStore, annotator: Annotator, *, saved: bool = True) -> None:
        self.store = store
        self.annotator = annotator
        # An annotator who only looks is written to the file with their first change, so
        # opening a project never modifies it.
        self._annotator_saved = saved
        self.history = History(self)
        self._schema: Schema | None = None
        self._session: WriteSession | None = None
        self._writer = 0  # the thread that holds `_session` (a bulk accept runs on a worker)
        self.listeners: list[Callable[[ChangeSet], None]] = []

    # -- life cycle --------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        path: Path,
        *,
        name: str | None = None,
        annotator_name: str | None = None,
        schema: Schema | None = None,
        info: dict[str, str] | None = None,
    ) -> Project:
        """Create a project file with a schema (default: the bundled one) and open it.

        `info` overrides the project's uuid, name and created time (used when a JSON export
        is imported into a new file, so the copy keeps its identity)."""
        path = Path(path)
        annotator_name = (annotator_name or default_annotator_name()).strip()
        if not annotator_name:
            raise ValidationError("an annotator needs a name")
        schema = default_schema() if schema is None else schema
        when = now()
        # The user's identity uuid, not a fresh one: the same person is then the same
        # annotator in every project they create, and merges match her by uuid.
        annotator = Annotator(identity_uuid(annotator_name), annotator_name, "", when, when)
        info = {"uuid": new_uuid(), "name": name or path.stem, "created": when, **(info or {})}

        def initialize(session: WriteSession) -> None:
            for key, value in info.items():
                session.set_project_info(key, value)
            if schema.tag_types or schema.link_types:
                session.insert_annotator(annotator)
                write_schema(session, schema, annotator.uuid, when)

        store = ProjectStore.create(path, initialize)
        saved = bool(schema.tag_types or schema.link_types)
        return cls(store, annotator, saved=saved)

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        annotator_name: str | None = None,
        progress: Callable[[str], None] | None = None,
        read_only: bool = False,
        steps: Callable[[int, int, str], bool | None] | None = None,
    ) -> Project:
        """Open a project (after the open checklist) as the named annotator. `read_only`:
        for commands that only read; works while the app has the project open, and every
        change (`run`) is refused. `steps(done, total, text)`: the checklist's progress;
        returning False cancels the open (`CheckCancelledError`)."""
        store = ProjectStore.open(Path(path), progress=progress, read_only=read_only, steps=steps)
        try:
            annotator, saved = _find_annotator(store, annotator_name or default_annotator_name())
        except BaseException:
            store.close()
            raise
        return cls(store, annotator, saved=saved)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def path(self) -> Path:
        return self.store.path

    # -- the current annotator ---------------------------------------------------------------
    def switch_annotator(self, name: str) -> Annotator:
        """Annotate as `name` from now on (created on first use). The undo history is kept."""
        self.annotator, self._annotator_saved = _find_annotator(self.store, name)
        self.notify(ChangeSet(annotators=True))
        return self.annotator

    # -- commands ----------------------------------------------------------------------------
    def ensure_annotator_saved(self) -> None:
        """Write the current annotator to the file (before their first change)."""
        if self._annotator_saved:
            return
        with self.store.write() as session:
            if self.annotator.uuid not in session.annotator_uuids().values():
                session.insert_annotator(self.annotator)
        self._annotator_saved = True

    def run(self, command: Command, do: Callable[[], ChangeSet] | None = None) -> ChangeSet:
        """Do a command, record it for undo and tell listeners what changed (`do`: see
        History.push). A refusal raises (AnnotatorError); see `attempt`."""
        return self.notify(self.history.push(command, do))

    def attempt(
        self, command: Command, do: Callable[[], ChangeSet] | None = None
    ) -> ChangeSet | Refusal:
        """`run`, with a refusal returned (nothing written, nothing recorded) instead of
        raised: the one path the GUI runs commands through."""
        try:
            return self.run(command, do)
        except AnnotatorError as error:
            return Refusal(str(error))

    def undo(self) -> ChangeSet:
        return self.notify(self.history.undo())

    def redo(self) -> ChangeSet:
        return self.notify(self.history.redo())

    def notify(self, changes: ChangeSet) -> ChangeSet:
        """Tell listeners (views) what changed; used by bulk operations outside `run`."""
        if changes.schema:
            self._schema = None
        for listener in list(self.listeners):
            listener(changes)
        return changes

    def invalidate_schema(self) -> None:
        self._schema = None

    # -- reads -------------------------------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[WriteSession]:
        """A write transaction during which `schema` reads through it (sees its own edits).

        An annotator not yet in the file is written in the same transaction (commands, their
        undo and redo refer to them), so a refused first change leaves the file untouched."""
        with self.store.edit() as session:
            if (
                not self._annotator_saved
                and self.annotator.uuid not in session.annotator_uuids().values()
            ):
                session.insert_annotator(self.annotator)
            self._session, self._writer = session, threading.get_ident()
            try:
                yield session
            finally:
                self._session = None
                self._schema = None
        self._annotator_saved = True

    @property
    def schema(self) -> Schema:
        # Only the writing thread reads through its transaction; others (the GUI thread while
        # a worker writes) read what is committed, never sharing the worker's session.
        if self._session is not None and self._writer == threading.get_ident():
            return self._session.schema()
        if self._schema is None:
            with self.store.read() as session:
                self._schema = session.schema()
        return self._schema

    def tag(self, key: str):
        tag = self.schema.tag(key)
        if tag is None:
            raise ValidationError(f"no tag type {quoted(key)} in the schema of this project")
        return tag

    def link_type(self, key: str):
        link_type = self.schema.link_type(key)
        if link_type is None:
            raise ValidationError(f"no link type {quoted(key)} in the schema of this project")
        return link_type


def _find_annotator(store: ProjectStore, name: str) -> tuple[Annotator, bool]:
    """Who `name` is in this file, and whether the file already holds them.

    1. The annotator whose uuid is this user's identity uuid for `name` (services/identity)
       is me, even when a colleague of the same name was imported or merged in later.
    2. Else an annotator called `name` is me: files made before identities existed gave me a
       per-file uuid. When several share the name (none of them with my uuid), the first one
       (oldest row) is taken, as before identities.
    3. Else a new annotator with my identity uuid, written with the first change."""
    name = name.strip()
    if not name:
        raise ValidationError("an annotator needs a name")
    mine = identity_uuid(name)
    with store.read() as session:
        everyone = session.annotators()
    existing = next((a for a in everyone if a.uuid == mine), None) or next(
        (a for a in everyone if a.name == name), None
    )
    if existing is not None:
        return existing, True
    when = now()
    return Annotator(mine, name, "", when, when), False
