"""Child process of test_crash: open PROJECT and create spans until killed.

Prints "ready" once the project is open, then one span uuid per line, each printed and flushed
only after `project.run` returned (the edit is acknowledged, as the GUI would show it done).

With --wait it first reads one line from stdin before opening the project, so the test can start
the next writer (Python and SQLAlchemy take most of a second to import) while the current one
still holds the project.

Usage: python crash_writer.py PROJECT [--wait]
"""

from __future__ import annotations

import sys
from pathlib import Path

from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan

TAGS = ("actor", "event", "claim", "topic")


def main(path: str, wait: bool) -> None:
    if wait and not sys.stdin.readline():
        return  # the test ended without needing this writer
    project = Project.open(Path(path), annotator_name="Writer")
    with project.store.read() as session:
        document = session.documents()[0]
    length = document.length
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    index = 0
    while True:
        start = (index * 7) % (length - 12)
        if index % 3 == 2:  # every third span is discontinuous
            fragments = [(start, start + 4), (start + 6, start + 11)]
        else:
            fragments = [(start, start + 1 + index % 10)]
        command = CreateSpan(document.uuid, TAGS[index % len(TAGS)], fragments, note=str(index))
        project.run(command)
        out.write(command.uuid + "\n")
        out.flush()
        index += 1


if __name__ == "__main__":
    main(sys.argv[1], "--wait" in sys.argv[2:])
