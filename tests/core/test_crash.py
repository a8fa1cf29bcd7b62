"""Kill -9 a process that is writing through the services, over and over, on one project file.

After every kill the file must open (the OS released the lock with the process), hold every
span whose creation had been acknowledged (printed after `project.run` returned), and pass
SQLite's integrity check and the open checklist (quotes, offsets, references).

Starting Python and importing SQLAlchemy takes most of a second, so the next writers are
started ahead and wait (`--wait`) for a line on stdin before they open the project.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path

import pytest
import service_helpers as h

from annotator.domain.ids import is_uuid
from annotator.services.project import Project

WRITER = Path(__file__).with_name("crash_writer.py")
KILLS = 50
AHEAD = 2  # writers started (importing) while the current one writes


class Writer:
    """One crash_writer.py process, with a thread draining its stdout (so it never blocks on a
    full pipe) into the acknowledged lines."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(WRITER), str(path), "--wait"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if not line.endswith("\n"):
                break  # cut off by the kill: never acknowledged
            if line == "ready\n":
                self.ready.set()
            else:
                self.lines.append(line.strip())
        self.ready.set()

    def go(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("go\n")
        self.process.stdin.flush()

    def kill_after(self, delay: float) -> list[str]:
        """SIGKILL the writer `delay` seconds after it said ready; return acknowledged uuids."""
        if not self.ready.wait(timeout=60) or self.process.poll() is not None:
            self.stop()
            stderr = self.process.stderr.read() if self.process.stderr else ""
            pytest.fail(f"the writer did not start writing:\n{stderr}")
        time.sleep(delay)
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=60)
        self.thread.join(timeout=60)
        assert self.process.returncode == -signal.SIGKILL
        self.close_pipes()
        return list(self.lines)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=60)

    def close_pipes(self) -> None:
        for pipe in (self.process.stdin, self.process.stderr):
            if pipe is not None:
                with contextlib.suppress(BrokenPipeError):
                    pipe.close()


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and flock semantics are POSIX")
def test_killed_writer_loses_no_acknowledged_span(tmp_path: Path) -> None:
    path = tmp_path / "crash.annotator"
    workspace = h.Workspace(path)
    workspace.close()
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    acknowledged: list[str] = []
    waiting = deque(Writer(path) for _ in range(AHEAD))
    try:
        for round_ in range(KILLS):
            writer = waiting.popleft()
            waiting.append(Writer(path))
            writer.go()
            lines = writer.kill_after(rng.uniform(0.05, 0.6))
            assert all(is_uuid(line) for line in lines), lines[-3:]
            acknowledged += lines
            where = f"round {round_} (seed {seed})"
            project = Project.open(path, annotator_name="Checker")  # the lock died with the writer
            try:
                with project.store.read() as session:
                    found = {s.uuid for s in session.spans(workspace.doc)}
                missing = [uuid for uuid in acknowledged if uuid not in found]
                assert not missing, f"{where}: {len(missing)} acknowledged spans lost"
                assert project.store.integrity_check() == [], where
            finally:
                project.close()
    finally:
        for writer in waiting:
            writer.close_pipes()  # end of stdin: the writer exits without opening the project
            writer.stop()
    assert len(acknowledged) > KILLS  # the writers really wrote, most rounds several spans
