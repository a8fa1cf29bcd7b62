"""JSON v1 import: the file read as an Exchange, and the report of applying one.

Validating and applying (one transaction, idempotent, undoable) is the services command
ImportExchange (services/import_exchange.py, services/import_apply.py)."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from annotator.domain.wording import counted
from annotator.errors import ValidationError
from annotator.io.byte_sniff import not_json_text
from annotator.io.exchange import Exchange, LossReport
from annotator.io.formats.json.validate import ExchangeError
from annotator.io.json_bounds import JsonBoundsError, check_json_bounds

MAX_FILE_BYTES = 2 * 1024**3


@dataclass
class ImportReport:
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)
    history: int = 0  # history rows of the file new here
    loss: LossReport = field(default_factory=LossReport)  # what the reader could not carry
    notices: list[str] = field(default_factory=list)  # what the reader says it did instead

    def count(self, bucket: str, kind: str, n: int = 1) -> None:
        target = getattr(self, bucket)
        target[kind] = target.get(kind, 0) + n

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted or self.history)

    def summary(self) -> str:
        def fmt(d: dict[str, int]) -> str:
            return ", ".join(f"{n} {counted(k, n)}" for k, n in sorted(d.items())) or "nothing"

        lines = [
            f"added: {fmt(self.added)}",
            f"updated: {fmt(self.updated)}",
            f"deleted: {fmt(self.deleted)}",
            f"unchanged: {fmt(self.skipped)}",
        ]
        lines += [f"history: {self.history} entries added"] if self.history else []
        lost = self.loss.lines()
        said = {*lost, *self.notices}
        lines += [f"conflict: {c}" for c in self.conflicts if c not in said]
        lines += [f"note: {line}" for line in self.notices]
        lines += [f"lost: {line}" for line in lost]
        return "\n".join(lines)


def load_json_file(path: Path, before_parse: Callable[[Path], None] | None = None) -> Any:
    """The parsed file, once its strings are in bounds (json_bounds) and `before_parse` (a
    streaming check that raises ValidationError) passed it."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ValidationError(f"{path.name} is larger than 2 GB")
        check_json_bounds(path)  # a 200 MiB string is refused streaming, not parsed whole
        if before_parse is not None:
            before_parse(path)
        data = path.read_bytes()
    except JsonBoundsError as error:
        raise ValidationError(f"{path.name}: {error}") from None
    except OSError as error:
        raise ValidationError(f"{path.name}: cannot be read ({error.strerror})") from error
    try:
        return orjson.loads(data.removeprefix(codecs.BOM_UTF8))  # a BOM (Windows editors)
    except orjson.JSONDecodeError as error:
        reason = not_json_text(data)  # a picture or a UTF-16 file: say so, not where it broke
        if reason is not None:
            raise ValidationError(f"{path.name} is not a JSON file ({reason})") from None
        raise ValidationError(f"{path.name}: $: not valid JSON ({error})") from error


def read_json(path: Path, context: Any = None, progress: Any = None) -> Exchange:
    """Read a JSON v1 file as an exchange (validated when applied, against the project as it
    is then); unreadable or not JSON: an ExchangeError naming the file."""
    if progress is not None:
        progress(0, 3)

    def check_large(path: Path) -> None:
        """A large file is refused, if it is to be, a document at a time (stream_check)."""
        from annotator.io.formats.json import stream_check

        if path.stat().st_size > stream_check.STREAM_CHECK_BYTES:
            try:
                stream_check.check_streaming(path, context)
            except ExchangeError as error:
                raise ExchangeError([f"{path.name}: {line}" for line in error.errors]) from None

    try:
        data = load_json_file(path, check_large)
    except ExchangeError:
        raise
    except ValidationError as error:  # unreadable or not JSON: one error line, like the rest
        raise ExchangeError([str(error)]) from None
    return Exchange(Path(path).name, data)
