"""Shared by the window speed tests: a project with many spans, and the real window over it."""

from __future__ import annotations

import random
from pathlib import Path

from annotator.domain.ids import new_uuid
from annotator.domain.model import Link, Span
from annotator.domain.offsets import context_of, quote_of
from annotator.gui.main_window import MainWindow
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings
from annotator.io.documents.registry import ImportedDocument
from annotator.io.documents.text import sha256_text
from annotator.services.document_commands import AddDocuments
from annotator.services.project import Project

STAMP = "2025-01-01T00:00:00.000Z"
SENTENCE = "The council said on Monday that the harbour contract would be reviewed again. "


def build_project(path: Path, spans: int, documents: int = 1) -> Path:
    """A project of `documents` documents; the first holds `spans` spans (a tenth linked)."""
    rng = random.Random(spans)
    text = (SENTENCE * (spans // 2 + 40)).strip()
    project = Project.create(path, annotator_name="Ada")
    try:
        project.run(
            AddDocuments(
                [
                    ImportedDocument(f"Report {k}", t, sha256_text(t), {}, f"r{k}.txt", "utf-8")
                    for k, t in enumerate([text] + [f"{text} ({k})" for k in range(1, documents)])
                ]
            )
        )
        with project.store.read() as read:
            document = read.documents()[0].uuid
        me = project.annotator.uuid
        made = []
        for _ in range(spans):
            start = rng.randrange(0, len(text) - 40)
            fragments = ((start, start + rng.randint(3, 30)),)
            prefix, suffix = context_of(text, fragments)
            made.append(
                Span(
                    uuid=new_uuid(),
                    document=document,
                    annotator=me,
                    tag=rng.choice(("actor", "event", "claim")),
                    fragments=fragments,
                    quote=quote_of(text, fragments),
                    prefix=prefix,
                    suffix=suffix,
                    created=STAMP,
                    modified=STAMP,
                )
            )
        links = [
            Link(new_uuid(), document, "same_as", a.uuid, b.uuid, me, {}, "", STAMP, STAMP)
            for a, b in zip(made[::10], made[1::10], strict=False)
        ]
        with project.store.write() as write:
            write.bulk_insert_spans(made)
            write.bulk_insert_links(links)
    finally:
        project.close()
    return path


def open_window(qtbot, path: Path) -> MainWindow:
    session = ProjectSession(Project.open(path, annotator_name="Ada"))
    window = MainWindow(session, Settings())
    qtbot.addWidget(window)
    window.resize(1200, 900)
    # The Annotations table is shown (small screens start with it collapsed): the guards
    # count the work of its models for the rows on screen.
    window.window_layout.dock("dock_tables").show()
    window.show()
    qtbot.waitExposed(window)
    with session.read() as read:
        session.open_document(read.document_order()[0])
    # Generous timeouts: the machine running the suite may be busy.
    qtbot.waitUntil(lambda: window.documents.model.counts_known, timeout=30_000)
    qtbot.waitUntil(lambda: session.content().complete, timeout=30_000)
    tables = window.tables  # they take what arrived in slices, the last after the last read
    qtbot.waitUntil(
        lambda: tables.span_model.pending == tables.link_model.pending == 0, timeout=30_000
    )
    return window
