"""Reading the files of the foreign formats: whole (with a size limit), without a BOM, or as
JSON lines measured before they are read."""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from annotator.domain import content_rules
from annotator.errors import ValidationError
from annotator.io.byte_sniff import not_json_text
from annotator.io.formats.builder import ExchangeBuilder
from annotator.io.formats.foreign_common import ForeignFormatError
from annotator.io.json_bounds import CHUNK, JsonBoundsError, check_json_bounds, parse_error_line

#: Room a JSON line may take beyond its text's limit: labels, relations, metadata, escapes.
LABELS_ROOM = 16 * 1024 * 1024


def read_bytes(path: Path, limit: int = 2 * 1024**3) -> bytes:
    """A file's bytes, or a one-line error naming it."""
    path = Path(path)
    try:
        if path.stat().st_size > limit:
            raise ValidationError(f"{path.name} is larger than 2 GB")
        return path.read_bytes()
    except OSError as error:
        raise ForeignFormatError([f"{path.name}: cannot be read ({error.strerror})"]) from None


def read_json_bytes(path: Path) -> bytes:
    """A JSON file's bytes without a UTF-8 byte order mark (Windows editors write one; JSON
    parsers refuse it), once its strings are known to be in bounds (json_bounds)."""
    path = Path(path)
    check_bounds(path)
    return read_bytes(path).removeprefix(codecs.BOM_UTF8)


def check_bounds(path: Path) -> None:
    """Refuse (ForeignFormatError) a JSON file whose strings are out of bounds (json_bounds)."""
    try:
        check_json_bounds(path)
    except JsonBoundsError as error:
        raise ForeignFormatError([f"{path.name}: {error}"]) from None
    except OSError as error:
        raise ForeignFormatError([f"{path.name}: cannot be read ({error.strerror})"]) from None


def check_items_first(
    context: Any,
    path: Path,
    prefix: str,
    read_item: Callable[[ExchangeBuilder, Any, str], None],
) -> None:
    """For a large JSON file (a list of tasks), read each item at `prefix` one at a time (ijson)
    with the reader's own `read_item` and forget its text and rows, so that a bad item near the
    end is refused at the memory of one item, not after parsing the whole file (a bad 6th
    Label Studio task after five of 64 MiB peaked at 1.2 GB). The reader then parses it."""
    path = Path(path)
    if not is_large(path):
        return
    import ijson

    from annotator.io.formats.json.long_strings import LongStrings, NotValidJson, Undecided

    check_bounds(path)
    builder = ExchangeBuilder(context, path)
    with path.open("rb") as handle:
        if handle.read(len(codecs.BOM_UTF8)) != codecs.BOM_UTF8:
            handle.seek(0)
        strings = LongStrings(handle)  # a long text decoded here: ijson would hold it 3 times
        try:
            for i, item in enumerate(ijson.items(strings, prefix, use_float=True)):
                read_item(builder, strings.restore(item), f"$[{i}]")
                del item
                builder.forget_texts()
        except ijson.JSONError as error:
            problem = parse_error_line(error)
            raise ForeignFormatError([f"{path.name}: $: not valid JSON ({problem})"]) from None
        except NotValidJson as error:  # a lone surrogate: orjson's words, as the whole parse
            raise ForeignFormatError([f"{path.name}: $: not valid JSON ({error})"]) from None
        except Undecided:  # more long strings in a task than kept: the whole reading judges
            return


def numbered_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """The file's lines (LF, CRLF or CR ends) with their numbers, one at a time; a UTF-8 byte
    order mark is dropped. A line is measured before it is read (in 1 MiB steps, keeping
    nothing), and one longer than a document's text limit plus room for its labels is
    refused unread: a 200 MB line costs no memory to refuse."""
    path = Path(path)
    limit = content_rules.MAX_TEXT_BYTES + LABELS_ROOM
    try:
        with path.open("rb") as handle:
            number = 0
            while True:
                start, length = handle.tell(), 0
                while chunk := handle.readline(1 << 20):
                    length += len(chunk)
                    if length > limit:
                        raise ForeignFormatError(
                            [
                                f"{path.name}: line {number + 1}: over {limit // 1024**2} MiB "
                                f"(the text limit for one document, "
                                f"{content_rules.MAX_TEXT_BYTES // 1024**2} MiB, and its labels)"
                            ]
                        )
                    if chunk.endswith(b"\n"):
                        break
                if length == 0:
                    return
                handle.seek(start)
                physical = handle.read(length)
                if number == 0:
                    physical = physical.removeprefix(codecs.BOM_UTF8)
                pieces = (physical.splitlines() if b"\r" in physical else [physical]) or [b""]
                del physical
                while pieces:  # popped, so only the caller holds the line it is given
                    number += 1
                    yield number, pieces.pop(0)
    except OSError as error:
        raise ForeignFormatError([f"{path.name}: cannot be read ({error.strerror})"]) from None


def jsonl_texts(builder: ExchangeBuilder, path: Path) -> Iterator[tuple[dict[str, Any], str]]:
    """The objects of a JSON-lines file that each carry a "text" string, with where they are
    ("line N"); a line that is not such an object fails the import naming its line, and a file
    without any fails it too (doccano and spaCy JSONL share this shape)."""
    found = False
    for number, line in numbered_lines(path):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            item = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            del line
            # a zip, a picture, UTF-16: say so, not where it broke
            reason = not_json_text(_start_of(path))
            if reason is not None:
                raise ForeignFormatError(
                    [f"{builder.name}: not a JSON-lines file ({reason})"]
                ) from None
            raise builder.fail(where, f"not valid JSON ({error})") from None
        del line  # one line's bytes at a time: a 200 MB line is not held twice
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise builder.fail(where, 'expected an object with a "text" string')
        found = True
        yield item, where
        # resumed: the caller is done with it, so it is not held while the next line parses
        # (a first pass over six 64 MiB lines peaked at 310 MB with it, holding two texts)
        del item
    if not found:
        raise ForeignFormatError([f"{builder.name}: no documents (expected one JSON per line)"])


def check_lines_first(
    context: Any, path: Path, read_item: Callable[[ExchangeBuilder, dict[str, Any], str], None]
) -> None:
    """For a large JSON-lines file, read every line with the reader's own `read_item` and
    forget each line's text and rows after it, so that a bad line near the end is refused at
    the memory of one line, not of every text before it (a bad 7th line after six of 64 MiB
    peaked at 573 MB). The reader then reads the file again, keeping what it reads."""
    path = Path(path)
    if is_large(path):
        builder = ExchangeBuilder(context, path)
        for item, where in jsonl_texts(builder, path):
            read_item(builder, item, where)
            del item
            builder.forget_texts()


def is_large(path: Path) -> bool:
    """Whether a file is over stream_check.STREAM_CHECK_BYTES, the size from which every JSON
    format is checked item by item first (False when it cannot be read: the reading itself
    says so)."""
    from annotator.io.formats.json import stream_check

    try:
        return path.stat().st_size > stream_check.STREAM_CHECK_BYTES
    except OSError:
        return False


def _start_of(path: Path) -> bytes:
    """The first MiB of a file: enough to tell a picture or UTF-16 text from broken JSON lines
    without reading a 2 GB file whole."""
    with Path(path).open("rb") as handle:
        start = handle.read(CHUNK)
    # cut at a line end, never inside a character, unless it is all there is
    return start if len(start) < CHUNK else start[: start.rfind(b"\n") + 1] or start
