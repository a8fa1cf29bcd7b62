"""Identifiers and timestamps for rows that travel between project files."""

from __future__ import annotations

import os
import re
import time
import uuid
from datetime import UTC, datetime

_last_ms = 0
_seq = 0


def new_uuid() -> str:
    """A UUIDv7 (RFC 9562) string: time-ordered, so bulk inserts append to the uuid index.

    Within one millisecond a 12-bit counter keeps uuids from the same process ordered.
    """
    global _last_ms, _seq
    ms = time.time_ns() // 1_000_000
    if ms <= _last_ms:
        ms = _last_ms
        _seq += 1
        if _seq > 0xFFF:
            ms += 1
            _seq = 0
    else:
        _seq = int.from_bytes(os.urandom(2), "big") & 0x3FF
    _last_ms = ms
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | _seq << 64 | 0b10 << 62 | rand_b
    return str(uuid.UUID(int=value))


#: A canonical UUID: what `str(uuid.UUID(value)) == value` accepts, matched without building
#: a UUID (an import checks one per row: the UUID object was 10% of validating a file).
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII)


def is_uuid(value: object) -> bool:
    """True when value is a canonical lower-case UUID string."""
    return isinstance(value, str) and _UUID.fullmatch(value) is not None


def now() -> str:
    """The current UTC time as ISO 8601 text with milliseconds and a Z suffix."""
    return format_time(datetime.now(UTC))


def format_time(moment: datetime) -> str:
    """Format an aware datetime the way every timestamp in a project file is written."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", re.ASCII)


def is_timestamp(value: object) -> bool:
    """True when value is a timestamp in the project file's format (ASCII digits only, since
    timestamps are compared as text when merging)."""
    if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
        return False
    try:  # a real date and time (no 31 February, hour 24 or second 60); strptime, as it was,
        datetime.fromisoformat(value[:-1])  # took half of validating an import
    except ValueError:
        return False
    return True
