"""Child process of test_read_only_open: holds a project open as the app does, until told.

Opens PROJECT with `Project.open` (the project lock, the WAL, a live connection), prints
"ready", then obeys one command per stdin line and answers "ok" once it is done:

- `add TITLE`: commit a new document called TITLE (it stays in the WAL: no checkpoint);
- `begin NAME`: start a write transaction that renames the project to NAME and keep it open,
  uncommitted (the write lock stays held);
- `rollback`: roll that transaction back;
- `quit` (or end of input): close the project and exit.

Usage: python project_holder.py PROJECT
"""

from __future__ import annotations

import sys
from pathlib import Path

from annotator.io.documents.registry import ImportedDocument
from annotator.io.documents.text import sha256_text
from annotator.services.document_commands import AddDocuments
from annotator.services.project import Project


def main(path: str) -> None:
    project = Project.open(Path(path), annotator_name="Holder")
    pending = None  # the raw connection of an open, uncommitted transaction
    answer("ready")
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "add":
            text = f"{argument} is the text of a document added while a reader reads."
            document = ImportedDocument(argument, text, sha256_text(text), {}, "x.txt", "utf-8")
            project.run(AddDocuments([document]))
        elif command == "begin":
            pending = project.store.engine.raw_connection()
            pending.driver_connection.execute("BEGIN IMMEDIATE")
            pending.driver_connection.execute(
                "UPDATE project_info SET value = ? WHERE key = 'name'", (argument,)
            )
        elif command == "rollback" and pending is not None:
            pending.driver_connection.execute("ROLLBACK")
            pending.close()
            pending = None
        elif command == "quit":
            break
        answer("ok")
    project.close()


def answer(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1])
