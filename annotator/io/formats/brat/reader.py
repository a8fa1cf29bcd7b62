"""brat standoff import: a collection (zip or folder, with its annotation.conf) becomes documents,
spans and links, and the conf's types become the project's tags, link types and attributes.

Pick the zip, the folder, or any file in the folder. Files at the top are the current
annotator's layer; a sub-folder is the layer of the annotator it is named after ("Gold" is the
gold layer) — the layout brat_export writes. Texts are read with universal newlines, as brat
does. `[spans]` in annotation.conf is brat's alias of `[entities]`. Mapping: T → span (tag =
its type); R → link (Arg1 → Arg2); E → a span of its own over its trigger's text (events that
share a trigger get one span each, so their arguments and attributes stay apart), and one link
per argument from that span to the argument, typed by the role ("Theme2" → "Theme");
`*` Equiv T1 T2 T3 → links T1–T2, T2–T3; A/M → attributes (binary = true); #AnnotatorNotes → the
note of a span or link; N → a line added to the span's note. Everything is checked first
(IDs, references, offsets, covered text — brat's own rules) and a problem is reported as
`file:line: reason` with nothing written."""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections import defaultdict
from itertools import pairwise
from pathlib import Path, PurePosixPath
from typing import Any

from annotator.domain.content_rules import text_problem
from annotator.domain.layers import GOLD_ANNOTATOR_NAME, GOLD_ANNOTATOR_UUID
from annotator.domain.wording import quoted
from annotator.io.bounded_zip import MAX_MEMBER_BYTES, BoundedZip
from annotator.io.exchange import BUILT_IDS, Exchange, ImportContext, Loss
from annotator.io.formats import ImportFormat, Progress, register_import
from annotator.io.formats.brat.conf import BratConf, ConfError, read_conf
from annotator.io.formats.builder import ExchangeBuilder
from annotator.io.formats.foreign_common import ForeignFormatError, is_key

MAX_ERRORS = 20
MAX_FOLDER_BYTES = 2 * 1024**3  # a collection folder (a zip has bounded_zip's limits)
TEXT_BOUND = re.compile(r"^(\S+) (\d+ \d+(?:;\d+ \d+)*)$")


def collection_root(path: Path) -> Path:
    """The collection folder of a folder or of a file picked in it: the nearest folder (up to
    two levels up, e.g. from an annotator's sub-folder) holding annotation.conf, else its own."""
    folder = path if path.is_dir() else path.parent
    for candidate in (folder, *list(folder.parents)[:2]):
        if (candidate / "annotation.conf").is_file():
            return candidate
    return folder


def read_collection(path: Path) -> dict[str, bytes]:
    """Relative POSIX path → bytes of every .txt, .ann and annotation.conf in the collection."""
    path = Path(path)
    wanted = (".txt", ".ann")
    try:
        if path.is_file() and zipfile.is_zipfile(path):
            with BoundedZip(path) as archive:  # sizes counted as unpacked, not as declared
                return {
                    name: archive.read(name)
                    for name in archive.names()
                    if (name.endswith(wanted) or name.endswith("annotation.conf"))
                    and not PurePosixPath(name).is_absolute()
                    and ".." not in PurePosixPath(name).parts
                }
        root = collection_root(path)
        files = [
            f
            for f in sorted(root.rglob("*"))
            if f.is_file() and (f.suffix in wanted or f.name == "annotation.conf")
        ]
        if sum(f.stat().st_size for f in files) > MAX_FOLDER_BYTES:  # files on disk: sizes hold
            limit = MAX_FOLDER_BYTES // 1024**3
            raise ForeignFormatError([f"{path.name}: holds more than {limit} GiB of brat files"])
        for f in files:  # each as bounded as inside a zip, refused unread
            if f.stat().st_size > MAX_MEMBER_BYTES:
                raise ForeignFormatError(
                    [
                        f"{path.name}: {f.relative_to(root).as_posix()} is over "
                        f"{MAX_MEMBER_BYTES // 1024**2} MiB (the limit for one file of a "
                        "collection, as in an archive)"
                    ]
                )
        return {f.relative_to(root).as_posix(): f.read_bytes() for f in files}
    except (OSError, zipfile.BadZipFile) as error:
        raise ForeignFormatError([f"{path.name}: cannot be read ({error})"]) from None


class _Collection:
    def __init__(
        self, context: ImportContext, files: dict[str, bytes], name: str, source: Path
    ) -> None:
        self.context, self.files, self.name = context, files, name
        self.schema = context.schema
        self.annotators = {a.name: a.uuid for a in context.annotators}
        self.builder = ExchangeBuilder(context, source, ids=BUILT_IDS, keep_existing="stamped")
        self.errors: list[str] = []
        self.documents: dict[str, dict[str, Any]] = {}  # sha256 → builder entry
        self.confs: dict[str, BratConf] = {}
        self.link_ends: list[tuple[str, str, str, str]] = []  # type, source tag, target tag, where
        self.skipped: list[str] = []  # reported with the summary

    def fail(self, where: str, reason: str) -> None:
        self.errors.append(f"{self.name}: {where}: {reason}")
        if len(self.errors) >= MAX_ERRORS:
            raise ForeignFormatError(self.errors)

    def text_of(self, relative: str) -> str | None:
        try:
            text = self.files[relative].decode("utf-8")
        except UnicodeDecodeError as error:
            self.fail(relative, f"not UTF-8 (byte {error.start})")
            return None
        return text.replace("\r\n", "\n").replace("\r", "\n")  # brat's universal newlines

    # -- schema ------------------------------------------------------------------------------
    def conf_for(self, folder: PurePosixPath) -> BratConf | None:
        for candidate in (folder, *folder.parents):
            key = (candidate / "annotation.conf").as_posix().removeprefix("./")
            if key in self.confs:
                return self.confs[key]
        return None

    def read_confs(self) -> None:
        for relative in sorted(self.files, key=lambda p: p.count("/")):
            if not relative.endswith("annotation.conf"):
                continue
            text = self.text_of(relative)
            if text is None:
                continue
            try:
                conf = read_conf(text, relative)
            except ConfError as error:
                self.fail(relative, str(error).split(": ", 1)[1])
                continue
            self.confs[relative] = conf
            for kind, types in (("custom", conf.entities), ("event", conf.events)):
                for key in types:
                    if self._key(key, f"{relative}:{conf.lines.get(key)}"):
                        self.builder.tag(key, kind)
            for key, relation in conf.relations.items():
                if self._key(key, f"{relative}:{conf.lines.get(key)}"):
                    entry = self.builder.link_type(key, relation.directed)
                    if self.schema.link_type(key) is None:
                        entry["sources"], entry["targets"] = (
                            list(relation.sources),
                            list(relation.targets),
                        )
            for role in conf.roles:
                if self._key(role, relative):
                    self.builder.link_type(role)
            for key, spec in conf.attributes.items():
                where = f"{relative}:{conf.lines.get(key)}"
                targets = spec.targets or tuple(conf.entities + conf.events)
                for tag in targets:
                    if self._key(key, where) and self._key(tag, where):
                        kind = "choice" if spec.values else "boolean"
                        self.builder.attribute(self.builder.tag(tag), key, kind, spec.values)

    def _key(self, key: str, where: str) -> bool:
        if is_key(key):
            return True
        self.fail(
            where, f"{quoted(key)} cannot be a key here (a letter, then letters, digits, _ or -)"
        )
        return False

    # -- documents ---------------------------------------------------------------------------
    def annotator(self, folder: PurePosixPath) -> str:
        name = folder.as_posix() if folder.parts else ""
        if not name:
            current = self.context.annotator
            return self.builder.add_annotator(current.uuid, current.name)
        if name == GOLD_ANNOTATOR_NAME:
            return self.builder.add_annotator(GOLD_ANNOTATOR_UUID, GOLD_ANNOTATOR_NAME)
        return self.builder.add_annotator(
            self.annotators.get(name) or self.builder.uuid("annotator", name), name
        )

    def read_documents(self) -> None:
        anns = sorted(p for p in self.files if p.endswith(".ann"))
        if not anns:
            self.fail("$", "no .ann files (a brat collection pairs DOC.txt with DOC.ann)")
        for ann in anns:
            txt = ann[: -len(".ann")] + ".txt"
            if txt not in self.files:
                self.fail(ann, f"no {PurePosixPath(txt).name} beside it")
                continue
            text, lines = self.text_of(txt), self.text_of(ann)
            if text is None or lines is None:
                continue
            if (problem := text_problem(text)) is not None:
                self.fail(txt, f"the {problem}")
                continue
            sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
            if sha not in self.documents:
                title = PurePosixPath(txt).stem
                self.documents[sha] = self.builder.add_document(
                    self.builder.uuid("brat document", sha),
                    title,
                    text,
                    {"imported": self.builder.when, "source_filename": txt},
                )
            folder = PurePosixPath(ann).parent
            _Ann(self, ann, self.documents[sha], self.annotator(folder), sha).read(lines)

    def check_link_types(self) -> None:
        """A relation type the conf restricts but the data breaks loses its restriction (a
        project's own type is kept and the link reported)."""
        broken: set[str] = set()
        for kind, source, target, where in self.link_ends:
            mine = self.schema.link_type(kind)
            if mine is not None and not mine.allows(source, target):
                self.fail(
                    where, f"{quoted(kind)} does not link {quoted(source)} to {quoted(target)} here"
                )
            entry = self.builder.link_types[kind]
            allowed = (not entry["sources"] or source in entry["sources"]) and (
                not entry["targets"] or target in entry["targets"]
            )
            if mine is None and not allowed:
                broken.add(kind)
        for kind in broken:
            self.builder.link_types[kind]["sources"] = []
            self.builder.link_types[kind]["targets"] = []


class _Ann:
    """One .ann file: parsed line by line, then its references resolved."""

    def __init__(self, owner: _Collection, name: str, document: dict, who: str, sha: str) -> None:
        self.owner, self.name, self.document, self.who, self.sha = owner, name, document, who, sha
        self.text = document["text"]
        self.spans: dict[str, tuple[str, str]] = {}  # T id → (span uuid, tag)
        self.events: dict[str, tuple[str, list[tuple[str, str]], int]] = {}
        self.rows: list[tuple[int, str, str, str]] = []  # (line, kind, id, rest) after T lines
        self.attributes: dict[str, dict[str, Any]] = defaultdict(dict)
        self.notes: dict[str, list[str]] = defaultdict(list)
        self.relations: dict[str, str] = {}  # R id → link uuid
        self.event_span: dict[str, tuple[str, str]] = {}  # E id → (its own span uuid, tag)

    def fail(self, line: int, reason: str) -> None:
        self.owner.fail(f"{self.name}:{line}", reason)

    def read(self, content: str) -> None:
        seen: set[str] = set()
        for number, line in enumerate(content.split("\n"), 1):
            if not line.strip():
                continue
            ident, _, rest = line.partition("\t")
            if ident != "*" and ident in seen:
                self.fail(number, f"duplicate id {ident}")
                continue
            seen.add(ident)
            prefix = ident[:1]
            if prefix == "T":
                self.text_bound(number, ident, rest)
            elif prefix in "ERAM#N*" and prefix:
                self.rows.append((number, prefix, ident, rest))
            else:
                self.fail(number, f"unknown annotation id {quoted(ident)}")
        for number, _, ident, rest in self.rows:  # events first: others may refer to them
            if ident.startswith("E"):
                self.event(number, ident, rest)
        self.event_spans()
        handlers = {"R": self.relation, "*": self.equiv}  # links before what refers to them
        later = {"A": self.attribute, "M": self.attribute, "#": self.note, "N": self.normalization}
        for table in (handlers, later):
            for number, prefix, ident, rest in self.rows:
                if prefix in table:
                    table[prefix](number, ident, rest)
        self.finish()

    def text_bound(self, number: int, ident: str, rest: str) -> None:
        head, _, covered = rest.partition("\t")
        match = TEXT_BOUND.match(head)
        if match is None:
            self.fail(number, "expected 'T<n><TAB>Type START END[;START END]<TAB>text'")
            return
        tag = match.group(1)
        fragments = sorted(tuple(map(int, pair.split())) for pair in match.group(2).split(";"))
        for start, end in fragments:
            if not start < end <= len(self.text):
                self.fail(number, f"offsets {start} {end} are empty or outside the text")
                return
        if any(a[1] > b[0] for a, b in pairwise(fragments)):
            self.fail(number, "fragments overlap")
            return
        expected = " ".join(self.text[a:b] for a, b in fragments)
        if covered != expected:
            self.fail(
                number,
                f"text {quoted(covered[:40])} differs from the document's {quoted(expected[:40])}",
            )
            return
        if not self.owner._key(tag, f"{self.name}:{number}"):
            return
        self.owner.builder.tag(tag)
        uuid = self.owner.builder.uuid("brat", self.sha, self.who, ident)
        self.owner.builder.add_span(self.document, uuid, self.who, tag, list(fragments))
        self.spans[ident] = (uuid, tag)

    def _target(self, number: int, ident: str) -> tuple[str, str] | None:
        """(span uuid, tag) of a T id or of an E id's trigger."""
        if ident in self.spans:
            return self.spans[ident]
        if ident in self.events:
            return self.event_span.get(ident)
        self.fail(number, f"{ident} is not an annotation of this file")
        return None

    def event(self, number: int, ident: str, rest: str) -> None:
        parts = rest.split()
        if not parts or ":" not in parts[0]:
            self.fail(number, "expected 'E<n><TAB>Type:T<n> Role:ID ...'")
            return
        _, trigger = parts[0].split(":", 1)
        if trigger not in self.spans:
            self.fail(number, f"trigger {trigger} is not a text-bound annotation of this file")
            return
        arguments = []
        for part in parts[1:]:
            role, _, arg = part.partition(":")
            if not arg:
                self.fail(number, f"argument {quoted(part)} is not Role:ID")
                return
            arguments.append((re.sub(r"\d+$", "", role) or role, arg))
        self.events[ident] = (trigger, arguments, number)

    def event_spans(self) -> None:
        """Each event its own span over its trigger's text: the first event of a trigger takes
        the trigger's span, the others a copy, so events sharing a trigger keep their own
        arguments and attributes (brat's GE data negates one event of a shared trigger)."""
        rows = {row["id"]: row for row in self.document["spans"]}
        taken: set[str] = set()
        for ident, (trigger, _, _) in self.events.items():
            uuid, tag = self.spans[trigger]
            if uuid in taken:
                row = rows[uuid]
                copy = self.owner.builder.uuid("brat", self.sha, self.who, ident)
                self.owner.builder.add_span(self.document, copy, self.who, tag, row["fragments"])
                uuid = copy
            taken.add(uuid)
            self.event_span[ident] = (uuid, tag)

    def link(self, number: int, kind: str, ends: tuple, uuid: str, directed: bool = True) -> None:
        (source, source_tag), (target, target_tag) = ends
        if source == target:  # brat allows it (Equiv T63 T63, an event's own trigger); we don't
            self.owner.skipped.append(f"{self.name}:{number}: a link of a span to itself left out")
            return
        if not self.owner._key(kind, f"{self.name}:{number}"):
            return
        self.owner.builder.link_type(kind, directed)
        self.owner.builder.add_link(self.document, uuid, self.who, kind, source, target)
        self.owner.link_ends.append((kind, source_tag, target_tag, f"{self.name}:{number}"))

    def relation(self, number: int, ident: str, rest: str) -> None:
        parts = rest.split("\t")[0].split()
        args = [p.partition(":")[2] for p in parts[1:]]
        if len(parts) != 3 or not all(args):
            self.fail(number, "expected 'R<n><TAB>Type Arg1:ID Arg2:ID'")
            return
        ends = tuple(self._target(number, a) for a in args)
        if None not in ends:
            self.relations[ident] = self.owner.builder.uuid("brat", self.sha, self.who, ident)
            self.link(number, parts[0], ends, self.relations[ident])

    def attribute(self, number: int, ident: str, rest: str) -> None:
        parts = rest.split()
        if len(parts) not in (2, 3):
            self.fail(number, "expected 'A<n><TAB>Name ID [Value]'")
            return
        target = self._target(number, parts[1])
        if target is not None and self.owner._key(parts[0], f"{self.name}:{number}"):
            self.attributes[target[0]][parts[0]] = (parts[2] if len(parts) == 3 else True, number)

    def note(self, number: int, ident: str, rest: str) -> None:
        head, _, text = rest.partition("\t")
        parts = head.split()
        if len(parts) != 2:
            self.fail(number, "expected '#<n><TAB>AnnotatorNotes ID<TAB>text'")
            return
        owner = self._relation_uuid(parts[1]) or self._target(number, parts[1])
        if owner is not None:
            self.notes[owner if isinstance(owner, str) else owner[0]].append(text)

    def _relation_uuid(self, ident: str) -> str | None:
        return self.relations.get(ident)

    def normalization(self, number: int, ident: str, rest: str) -> None:
        head, _, name = rest.partition("\t")
        parts = head.split()
        target = self._target(number, parts[1]) if len(parts) == 3 else None
        if len(parts) != 3:
            self.fail(number, "expected 'N<n><TAB>Reference ID DB:KEY<TAB>text'")
        elif target is not None:
            self.notes[target[0]].append(f"{parts[0]}: {parts[2]} {name}".rstrip())

    def equiv(self, number: int, ident: str, rest: str) -> None:
        parts = rest.split()
        ends = [self._target(number, p) for p in parts[1:]]
        if len(ends) < 2:
            self.fail(number, "expected '*<TAB>Equiv ID ID ...'")
        if len(ends) < 2 or None in ends:
            return
        for k, pair in enumerate(pairwise(ends)):
            uuid = self.owner.builder.uuid("brat", self.sha, self.who, "*", str(number), str(k))
            self.link(number, parts[0], pair, uuid, directed=False)

    def finish(self) -> None:
        """Event arguments become links; attributes and notes land on their spans and links."""
        for ident, (_, arguments, number) in self.events.items():
            source = self.event_span[ident]
            for k, (role, arg) in enumerate(arguments):
                target = self._target(number, arg)
                if target is not None:
                    uuid = self.owner.builder.uuid("brat", self.sha, self.who, ident, str(k))
                    self.link(number, role, (source, target), uuid)
        rows = {row["id"]: row for row in (*self.document["spans"], *self.document["links"])}
        tags = {uuid: tag for uuid, tag in (*self.spans.values(), *self.event_span.values())}
        for uuid, values in self.attributes.items():
            owner = self.owner.builder.tag(tags[uuid])
            for key, (value, number) in values.items():
                value = self._value(owner, key, value, number)
                if value is not None:
                    rows[uuid]["attributes"][key] = value
        for uuid, notes in self.notes.items():
            if uuid in rows:
                rows[uuid]["note"] = "\n".join(notes)

    def _value(self, owner: dict, key: str, value: Any, number: int) -> Any:
        definition = next((a for a in owner["attributes"] if a["key"] == key), None)
        if definition is None:  # not in the conf: typed by what the file holds
            kind = "boolean" if value is True else "choice"
            definition = self.owner.builder.attribute(
                owner, key, kind, () if value is True else (value,)
            )
        if definition["type"] == "boolean":
            if value is not True:
                self.fail(number, f"{key} is a binary attribute here; it takes no value")
            return True
        if value is True:
            self.fail(number, f"{key} needs a value here")
            return None
        if definition["type"] == "choice" and value not in definition["choices"]:
            spaced = value.replace("_", " ")  # brat_export wrote spaces as "_"
            if spaced in definition["choices"]:
                return spaced
            if definition.get("new"):
                definition["choices"].append(value)
                return value
            self.fail(number, f"{quoted(value)} is not one of {definition['choices']} for {key}")
            return None
        return value


def import_brat(path: Path, context: ImportContext, progress: Progress | None = None) -> Exchange:
    path = Path(path)
    # Errors name files relative to the collection: the zip, or its folder.
    root = path if path.is_file() and zipfile.is_zipfile(path) else collection_root(path)
    # resolve(): a file picked in the working directory has the root "." whose name is "".
    collection = _Collection(context, read_collection(path), root.resolve().name, path)
    collection.read_confs()
    collection.read_documents()
    collection.check_link_types()
    if collection.errors:
        raise ForeignFormatError(collection.errors)
    skipped = collection.skipped
    where = skipped[0].split(": ")[0] if skipped else ""
    lost = [Loss("link(s) of a span to itself left out", len(skipped), where)]
    return collection.builder.exchange(progress, lost)


register_import(
    ImportFormat(
        key="brat",
        label="brat standoff",
        suffixes=(".zip", ".ann", ".conf"),
        read=import_brat,
        description="a brat collection (a zip, or any file of its folder) with its "
        "annotation.conf; sub-folders are annotators' layers",
    )
)
