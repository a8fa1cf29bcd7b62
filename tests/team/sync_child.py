"""A sync in a process of its own that stops mid-pull (for the SIGKILL test): it prints
PULLING when the pull reaches the spans, then waits for its parent (which kills it)."""

from __future__ import annotations

import sys

from annotator.services.project import Project
from annotator.services.team_sync import sync


def main() -> None:
    path, name = sys.argv[1], sys.argv[2]

    def progress(done: int, total: int, text: str = "") -> bool:
        if text == "Pulling spans":
            print("PULLING", flush=True)
            sys.stdin.readline()
        return True

    with Project.open(path, annotator_name=name) as project:
        sync(project, progress)
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
