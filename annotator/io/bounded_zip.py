"""Zip archives read within limits: every importer that opens a zip (.qdpx, XMI zip, .docx,
.epub, a brat zip) reads it through here.

A zip's header says how big each member unpacks, but a hostile file can lie, and a 1 MB file
can unpack to gigabytes. So nothing here trusts the header: members are decompressed in chunks
and the bytes actually produced are counted, against a cap per member and a cap for the whole
archive, and reading stops with a one-line refusal naming the limit as soon as one is passed.
Memory then stays bounded by the limits, not by what the file claims. Every error that a
damaged archive makes the zip and zlib modules raise becomes the same kind of refusal.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from annotator.domain.wording import as_reason, quoted
from annotator.errors import InputRefused

#: The most one member may unpack to. Over the document text limit's share of an archive a
#: member is no article; and a parser (XML, python-docx) needs several times a member's size.
MAX_MEMBER_BYTES = 64 * 1024 * 1024
#: The most a whole archive may unpack to (libraries such as python-docx hold every member).
MAX_TOTAL_BYTES = 256 * 1024 * 1024
#: The most members an archive may list (each costs memory before any byte is read).
MAX_MEMBERS = 100_000
CHUNK = 1024 * 1024


class ArchiveRefused(InputRefused):
    """An archive is damaged or unpacks beyond a limit; the message names the file and why
    (`reason` alone is why, for callers that name the file themselves)."""

    def __init__(self, name: str, reason: str) -> None:
        self.name, self.reason = name, reason
        super().__init__(f"{name}: {reason}")

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # picklable across processes
        return (type(self), (self.name, self.reason))


def _mib(size: int) -> str:
    return f"{size / 1024**2:.0f} MiB"


class BoundedZip:
    """A zip archive whose members are read with counted, capped decompression.

    `source` is a path, bytes or a binary file; `name` is what messages call the archive. The
    caps are the module's limits unless given. Use as a context manager."""

    def __init__(
        self,
        source: Path | bytes | IO[bytes],
        name: str | None = None,
        *,
        max_member: int | None = None,
        max_total: int | None = None,
    ) -> None:
        self.name = name or (Path(source).name if isinstance(source, str | Path) else "archive")
        self.max_member = MAX_MEMBER_BYTES if max_member is None else max_member
        self.max_total = MAX_TOTAL_BYTES if max_total is None else max_total
        self.unpacked = 0  # bytes produced so far, over every member read
        stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
        try:
            self._zip = zipfile.ZipFile(stream)
            self._infos = [i for i in self._zip.infolist() if not i.is_dir()]
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
            raise self.refuse(f"not a readable zip archive ({_short(error)})") from None
        except OSError as error:
            raise self.refuse(f"cannot be read ({error.strerror or error})") from None
        if len(self._infos) > MAX_MEMBERS:
            raise self.refuse(f"lists more than {MAX_MEMBERS:,} files (the limit for an archive)")

    def refuse(self, reason: str) -> ArchiveRefused:
        return ArchiveRefused(self.name, reason)

    def __enter__(self) -> BoundedZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def names(self) -> list[str]:
        """The members' names (folders left out), in the archive's order."""
        return [i.filename for i in self._infos]

    def read(self, name: str) -> bytes:
        """The member's bytes, decompressed in chunks and counted against both caps."""
        return b"".join(self._chunks(name))

    def check_all(self) -> None:
        """Decompress every member (keeping nothing) so the archive is known to stay within
        the limits before a library that reads it whole (python-docx, ebooklib) opens it."""
        for name in self.names():
            for _chunk in self._chunks(name):
                pass

    def _chunks(self, name: str) -> Iterator[bytes]:
        produced = 0
        try:
            with self._zip.open(name) as member:
                while chunk := member.read(CHUNK):
                    produced += len(chunk)
                    self.unpacked += len(chunk)
                    if produced > self.max_member:
                        raise self.refuse(
                            f"{name} unpacks to more than {_mib(self.max_member)} "
                            f"(the limit for one file in an archive)"
                        )
                    if self.unpacked > self.max_total:
                        raise self.refuse(
                            f"unpacks to more than {_mib(self.max_total)} "
                            f"(the limit for a whole archive)"
                        )
                    yield chunk
        except ArchiveRefused:
            raise
        except KeyError:
            raise self.refuse(f"has no member {quoted(name)}") from None
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            NotImplementedError,  # a compression method zipfile lacks
            RuntimeError,  # an encrypted member
            ValueError,
            OSError,
        ) as error:
            raise self.refuse(f"{name} cannot be unpacked ({_short(error)})") from None


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def checked_zip_bytes(data: bytes, name: str) -> bytes:
    """The archive's bytes, after checking that every member stays within the limits (for
    libraries that open the zip themselves)."""
    with BoundedZip(data, name) as archive:
        archive.check_all()
    return data


def _short(error: BaseException) -> str:
    return as_reason(error)
