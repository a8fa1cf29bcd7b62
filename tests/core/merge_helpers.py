"""Helpers for the merge tests: a rich project and its copies, canonical content dumps."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from json_helpers import Rich, build_rich_project, export_data

from annotator.services.project import Project


def canonical(project: Project) -> dict[str, Any]:
    """The JSON export minus project-level info, in an order that does not depend on which
    file was merged into which: documents by text hash (their id too: a text is the same
    document under any id), everything else by uuid. Schema items lose ids and provenance
    (two projects made apart name the same tag type with different uuids)."""
    data = copy.deepcopy(export_data(project))
    data.pop("project")
    for items in (data["schema"]["tag_types"], data["schema"]["link_types"]):
        for item in items:
            for key in ("id", "created", "modified", "author"):
                item.pop(key, None)
            for attribute in item["attributes"]:
                for key in ("id", "created", "modified", "author"):
                    attribute.pop(key, None)
        items.sort(key=lambda item: item["key"])
    for document in data["documents"]:
        document["id"] = document["sha256"]
        document["status"].sort(key=lambda status: status["annotator"])
    data["documents"].sort(key=lambda document: document["sha256"])
    data["annotators"].sort(key=lambda annotator: annotator["id"])
    data["entities"].sort(key=lambda entity: entity["id"])
    data["history"].sort(key=lambda entry: entry["id"])  # written in merge order
    return data


def rich_pair(folder: Path) -> tuple[Path, Path, Rich]:
    """Two closed copies of one rich project (a.annotator, b.annotator), as when a project is
    mailed to a colleague and both go on working."""
    project, rich = build_rich_project(folder / "base.annotator")
    project.close()
    a, b = folder / "a.annotator", folder / "b.annotator"
    a.write_bytes((folder / "base.annotator").read_bytes())
    b.write_bytes((folder / "base.annotator").read_bytes())
    return a, b, rich


def open_as(path: Path, name: str) -> Project:
    return Project.open(path, annotator_name=name)
