"""A large W3C Web Annotation file of ours checked a document, then an annotation, at a time
before it is parsed whole, by the reader's own rules and with its messages.

Parsing a file of six 64 MiB texts whole holds every text and every annotation before the last
one can be refused. Over STREAM_CHECK_BYTES, the `documents` are read first, one at a time
(ijson, long strings through json/long_strings), each checked by `_Reader.read_document` and
its text put aside in an unnamed temporary file; then the annotations, one at a time, each
anchored in its document's text, read back when an annotation names another document (an
export writes each document's annotations together). Links are read after the spans, as the
reader does. A file without documents (annotations made elsewhere, on the project's texts) is
left to the whole parse: its size is its annotations, which the reader needs all of.
"""

from __future__ import annotations

import codecs
import tempfile
from pathlib import Path
from typing import IO, Any

from annotator.io.exchange import ImportContext
from annotator.io.formats.foreign_common import ForeignFormatError
from annotator.io.formats.foreign_files import check_bounds, is_large
from annotator.io.formats.json.long_strings import LongStrings, NotValidJson, Undecided
from annotator.io.formats.w3c.reader import _Reader
from annotator.io.json_bounds import parse_error_line


class _PutAside:
    """Document texts in an unnamed temporary file; one at a time back in its entry."""

    def __init__(self, spill: IO[bytes]) -> None:
        self.spill = spill
        self.where: dict[int, tuple[int, int]] = {}  # id(entry) → (offset, bytes)
        self.entries: list[dict[str, Any]] = []  # kept alive, so their ids stay theirs
        self.loaded: dict[str, Any] | None = None

    def put(self, entry: dict[str, Any]) -> None:
        text, step, size = entry["text"], 1 << 20, 0
        offset = self.spill.seek(0, 2)
        for at in range(0, len(text), step):  # a slice at a time: never a second whole copy
            size += self.spill.write(text[at : at + step].encode("utf-8", "surrogatepass"))
        self.where[id(entry)] = (offset, size)
        self.entries.append(entry)
        entry["text"] = ""

    def load(self, entry: dict[str, Any]) -> None:
        if entry is self.loaded or id(entry) not in self.where:
            return
        if self.loaded is not None:
            self.loaded["text"] = ""
        offset, size = self.where[id(entry)]
        self.spill.seek(offset)
        entry["text"] = self.spill.read(size).decode("utf-8", "surrogatepass")
        self.loaded = entry


class _FirstPassReader(_Reader):
    """The reader, with each document's text read back when an annotation anchors in it."""

    aside: _PutAside

    def document_for(self, source: str, path: str) -> dict[str, Any] | None:
        entry = super().document_for(source, path)
        if entry is not None:
            self.aside.load(entry)
        return entry


def check_w3c_first(path: Path, context: ImportContext) -> None:
    """Refuse (ForeignFormatError, the reader's lines) a large W3C file of ours that the whole
    reading would refuse, at the memory of one document and its annotations."""
    path = Path(path)
    if not is_large(path):
        return
    import ijson

    check_bounds(path)
    try:
        kind = _top_type(path)
        if kind not in (None, "AnnotationCollection", "AnnotationPage"):
            return  # one annotation, or not a Web Annotation: the whole reading says so
        with tempfile.TemporaryFile(prefix="annotator-w3c-") as spill:
            reader = _FirstPassReader(context, path.name)
            reader.aside = _PutAside(spill)
            reader.default_document = context.target_document
            with _opened(path) as handle:
                strings = LongStrings(handle)
                items = ijson.items(strings, "documents.item", use_float=True)
                for i, doc in enumerate(items):
                    entry = reader.read_document(strings.restore(doc), f"$.documents[{i}]")
                    del doc
                    if entry is not None:
                        reader.aside.put(entry)
                    reader.builder.forget_texts()
            if not reader.aside.entries and not reader.errors:
                return  # no documents of its own: read whole (see the module's words)
            prefixes = ["items"] if kind == "AnnotationPage" else ["first.items", "items"]
            for prefix in prefixes:
                if _read_annotations(path, prefix, reader):
                    break
            if reader.errors:
                raise ForeignFormatError(reader.errors)
    except ijson.JSONError as error:
        raise ForeignFormatError(
            [f"{path.name}: $: not valid JSON ({parse_error_line(error)})"]
        ) from None
    except NotValidJson as error:
        raise ForeignFormatError([f"{path.name}: $: not valid JSON ({error})"]) from None
    except Undecided:  # more long strings in one annotation than kept: the whole reading judges
        return


def _read_annotations(path: Path, prefix: str, reader: _FirstPassReader) -> bool:
    """Read the annotations at `prefix` one at a time, then the links; whether any were."""
    import ijson

    links: list[tuple[str, dict[str, Any]]] = []
    found = False
    with _opened(path) as handle:
        strings = LongStrings(handle, keep=False)  # the texts after them are not decoded
        for i, annotation in enumerate(ijson.items(strings, f"{prefix}.item", use_float=True)):
            found = True
            reader.read_annotation(strings.restore(annotation), f"$.{prefix}[{i}]", links)
    for where, annotation in links:
        reader.read_link(annotation, where)
    return found


def _top_type(path: Path) -> Any:
    """The top-level `type` (None when absent; "list" for a list of annotations), read from
    the events before the first value that is not a string."""
    import ijson

    with _opened(path) as handle:
        for prefix, event, value in ijson.parse(LongStrings(handle, keep=False)):
            if prefix == "" and event == "start_array":
                return "list"
            if prefix == "type":
                return value
            if prefix == "" and event == "map_key" and value in ("first", "items", "documents"):
                return None  # the parts that may be large come before any type
    return None


def _opened(path: Path) -> IO[bytes]:
    """The file from after its UTF-8 byte order mark, if any."""
    handle = Path(path).open("rb")  # noqa: SIM115  # returned open, closed by the caller
    if handle.read(len(codecs.BOM_UTF8)) != codecs.BOM_UTF8:
        handle.seek(0)
    return handle
