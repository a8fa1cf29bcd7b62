"""Agreement's second process: it counts the last documents of a report while this process
counts the first, so a second core shortens Compute (issue 11).

`SecondProcess.start()` runs `python -m annotator.services.agreement_worker` (a fresh
interpreter: forking a process that runs Qt's threads is unsafe). The job goes in on its
standard input, pickled; it opens the project file read-only, reads and counts its documents
(`domain.agreement.add_documents`) and sends back, pickled on its standard output, how far it
got from time to time and then its `Part`, which the caller merges after its own
(`merge_parts`: the report is identical to one counted in a single process). Cancelling kills
it. If it cannot start or fails, the caller counts those documents itself.

This module and what it imports stay light (no SQLAlchemy, no Qt): the process starts in about
a tenth of a second.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from annotator.domain.agreement import DocumentLayers, Layer
from annotator.domain.agreement.compute import (
    Part,
    add_documents,
    found_labels,
    restore_passages,
    start_part,
)
from annotator.store.agreement_reads import (
    LayerRows,
    connect_read_only,
    document_texts_of,
    read_layer_rows,
)

#: How often the worker reports how many documents it has counted, in seconds.
REPORT_EVERY_S = 0.05


class WorkerFailed(Exception):
    """The second process could not count its documents (the caller counts them itself)."""


@dataclass
class Job:
    """What the second process counts: `included` are (document uuid, covering annotators)."""

    path: Path
    annotators: list[str]
    names: dict[str, str]
    included: list[tuple[str, list[str]]]
    tags: list[str]
    directed: dict[str, bool] = field(default_factory=dict)
    attribute_keys: dict[str, list[str]] = field(default_factory=dict)


def document_layers(
    included: Sequence[tuple[str, Sequence[str]]], rows: LayerRows, texts: Mapping[str, str]
) -> list[DocumentLayers]:
    """Each included document's text and the layers of the annotators covering it."""
    return [
        DocumentLayers(
            document,
            texts[document],
            {
                a: Layer(
                    tuple(rows.spans.get((document, a), ())),
                    tuple(rows.links.get((document, a), ())),
                )
                for a in covering
            },
        )
        for document, covering in included
    ]


def count_job(job: Job, progress: Callable[[int, int], Any] | None = None):
    """Read and count the job's documents: (its Part, the tags and link types they use)."""
    documents = [document for document, _ in job.included]
    raw = connect_read_only(job.path)
    try:
        raw.execute("BEGIN")  # both reads from one snapshot
        rows = read_layer_rows(raw, job.annotators, set(documents))
        texts = document_texts_of(raw, documents)
        raw.execute("COMMIT")
    finally:
        raw.close()
    layers = document_layers(job.included, rows, texts)
    del rows, texts
    part = start_part(job.annotators, job.names, plain=True)  # pickled: see start_part
    add_documents(
        part,
        layers,
        job.tags,
        directed=job.directed,
        attribute_keys=job.attribute_keys,
        progress=progress,
    )
    return part, found_labels(layers)


class SecondProcess:
    """The caller's handle on the second process (one job each)."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.done = 0  # documents it has counted so far
        self._outcome: tuple[str, Any] | None = None
        self._ended = threading.Event()
        self._reader = threading.Thread(target=self._read, name="agreement-worker", daemon=True)
        self._reader.start()

    @classmethod
    def start(cls) -> SecondProcess | None:
        """Start the process; None where it cannot run (a frozen bundle, no interpreter)."""
        if getattr(sys, "frozen", False) or not sys.executable:
            return None
        # -P: the current folder is not put first on the import path (3.11+)
        flags = ["-P"] if sys.version_info >= (3, 11) else []
        try:
            process = subprocess.Popen(
                [sys.executable, *flags, "-m", __name__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            return None
        return cls(process)

    def submit(self, job: Job) -> None:
        try:
            pickle.dump(job, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.process.stdin.close()
        except OSError:  # it died already: the outcome says so
            pass

    def _read(self) -> None:
        stream = self.process.stdout
        try:
            while True:
                kind, payload = pickle.load(stream)
                if kind == "progress":
                    self.done = payload
                    continue
                if kind == "part":  # here, while the caller may still be counting
                    restore_passages(payload[0])
                self._outcome = (kind, payload)
                return
        except Exception as error:  # EOF or a broken stream: it failed
            self._outcome = ("error", f"no answer ({type(error).__name__})")
        finally:
            self._ended.set()

    def result(self, waiting: Callable[[], bool] | None = None) -> tuple[Part, tuple]:
        """Wait for its Part (and the labels it found); `waiting()` is called every 50 ms
        meanwhile and returning False stops waiting (the caller cancels). Raises WorkerFailed."""
        while not self._ended.wait(REPORT_EVERY_S):
            if waiting is not None and waiting() is False:
                raise WorkerFailed("stopped")
        kind, payload = self._outcome or ("error", "no answer")
        if kind != "part":
            raise WorkerFailed(str(payload))
        return payload

    def stop(self) -> None:
        """End the process (killed if it still runs) and reap it."""
        if self._ended.is_set():  # it answered: let it exit by itself
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=1)
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None and not stream.closed:
                stream.close()
        self._reader.join(timeout=5)


def _serve(channel: BinaryIO) -> None:
    job: Job = pickle.load(sys.stdin.buffer)
    last = [0.0]

    def progress(done: int, total: int) -> None:
        moment = time.monotonic()
        if moment - last[0] >= REPORT_EVERY_S:
            last[0] = moment
            pickle.dump(("progress", done), channel)
            channel.flush()

    try:
        outcome = ("part", count_job(job, progress))
    except Exception as error:  # reported to the caller, who counts instead
        outcome = ("error", f"{type(error).__name__}: {error}")
    pickle.dump(outcome, channel, protocol=pickle.HIGHEST_PROTOCOL)
    channel.flush()


def main() -> None:
    # the answers go on a copy of standard output; anything printed goes to standard error
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    gc.disable()  # a million small acyclic objects: see services/agreement.py
    _serve(channel)
    channel.close()
    os._exit(0)  # skip freeing every object one by one: the caller has them


if __name__ == "__main__":
    main()
