"""The sample project: the bundled article, the default schema and a few demo annotations.

The app's first start and `annotator new --sample` both call `create_sample_project` with
`demo_author=SAMPLE_AUTHOR`, so they make the same project: the demo spans and links belong to
an annotator named "Sample" (one fixed uuid in every sample), never to the user, whose own layer
starts empty."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.domain.ids import now
from annotator.domain.model import Annotator
from annotator.domain.offsets import find_occurrences
from annotator.domain.wording import quoted
from annotator.errors import ValidationError
from annotator.io.documents.registry import ImportedDocument
from annotator.io.documents.text import normalize_text, sha256_text
from annotator.resources import resource_path
from annotator.services.command import Compound
from annotator.services.document_commands import AddDocuments
from annotator.services.link_commands import CreateLink
from annotator.services.project import Project
from annotator.services.span_commands import CreateSpan


def sample_document() -> ImportedDocument:
    """The sample article with its metadata (resources/sample_article.*)."""
    meta = json.loads(resource_path("sample_article.json").read_text(encoding="utf-8"))
    text = normalize_text(resource_path(meta["file"]).read_text(encoding="utf-8"))
    metadata = {k: meta[k] for k in ("author", "outlet", "published", "url", "language") if meta[k]}
    return ImportedDocument(meta["title"], text, sha256_text(text), metadata, meta["file"], "utf-8")


#: Who made the sample's demo annotations: the same uuid in every sample project, so samples
#: merged together agree on it, and never an identity of the user's (services/identity).
SAMPLE_AUTHOR = "Sample"
SAMPLE_AUTHOR_UUID = "a2f915f2-f063-4c64-b773-d8904cb69966"


def create_sample_project(
    path: Path,
    annotator_name: str | None,
    *,
    annotate: bool = True,
    by_sample: bool = False,
    name: str = "Sample project",
) -> Project:
    """A new project holding the sample article, optionally with the demo annotations, opened
    as `annotator_name`. `by_sample`: the demo annotations are made by the "Sample" annotator
    (what the app and the CLI give users); otherwise by `annotator_name` (test fixtures)."""
    project = Project.create(path, name=name, annotator_name=annotator_name)
    try:
        add = AddDocuments([sample_document()])
        project.run(add)
        if annotate and by_sample:
            me, me_saved = project.annotator, project._annotator_saved
            when = now()
            project.annotator = Annotator(SAMPLE_AUTHOR_UUID, SAMPLE_AUTHOR, "", when, when)
            project._annotator_saved = False  # written in the demo's transaction
            try:
                add_demo_annotations(project, add.report.added[0])
            finally:
                project.annotator, project._annotator_saved = me, me_saved
        elif annotate:
            add_demo_annotations(project, add.report.added[0])
        project.history.clear()  # the sample's setup is not the user's to undo
    except BaseException:
        project.close()
        raise
    return project


def add_demo_annotations(project: Project, document: str) -> None:
    demo = json.loads(resource_path("sample_annotations.json").read_text(encoding="utf-8"))
    with project.store.read() as session:
        text = session.document_text(document)
    spans: dict[str, CreateSpan] = {}
    for item in demo["spans"]:
        hits = [
            (start, end)
            for start, end in find_occurrences(text, item["quote"])
            if not (start > 0 and text[start - 1].isalnum())
            and not (end < len(text) and text[end].isalnum())
        ]  # whole words only: "Russia" must not match inside "Russian"
        if len(hits) <= item["occurrence"]:
            raise ValidationError(
                f"demo quote {quoted(item['quote'])} is not in the sample article"
            )
        spans[item["name"]] = CreateSpan(
            document, item["tag"], [hits[item["occurrence"]]], attributes=item["attributes"]
        )
    links = [
        CreateLink(spans[x["source"]].uuid, spans[x["target"]].uuid, x["type"])
        for x in demo["links"]
    ]
    project.run(Compound("Demo annotations", [*spans.values(), *links]))
