"""Give large freed blocks back to the system at once (glibc's malloc), so that reading whole
document texts does not leave the process tens of MB larger than what it holds.

A 5 MB text read from the file is a 20 MB `str` when it holds an emoji (4 bytes a character).
glibc serves a block that large with its own mapping and unmaps it when freed, but then raises
its mapping threshold to that size (up to 32 MB): the next texts come from the heap, and when
they are freed the heap keeps the pages. Measured on the window with the 5 MB / 50,000-span
document: a file from elsewhere (whose open checklist reads every text once more) peaked at
200 MB against 182 MB for a trusted one; with the threshold fixed, both at 182 MB. Fixing it
(any explicit value turns the adjustment off) keeps large blocks mapped, so freeing one returns
its memory; blocks under 1 MiB (Python's own objects and pools) are unaffected. The cost is
importing `ctypes` once per process, at its first open (2-10 ms on the shared VM, by load).
"""

from __future__ import annotations

import sys

#: mallopt's parameter number for the mapping threshold (glibc's malloc.h).
_M_MMAP_THRESHOLD = -3
#: Blocks from this size up get their own mapping, returned to the system when freed.
THRESHOLD = 1024 * 1024

_done = False


def release_large_blocks() -> bool:
    """Fix glibc's mapping threshold at THRESHOLD (once per process; elsewhere nothing).
    True when it is set."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # here: only a process that opens a project needs it

    try:
        # The process's own symbols (libc's among them): no `find_library`, which runs ldconfig.
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt): nothing to tune
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    _done = mallopt(_M_MMAP_THRESHOLD, THRESHOLD) == 1
    return _done
