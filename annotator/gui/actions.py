"""Every menu and toolbar action, declared once as data (text, shortcut, menu, handler)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget

Key = QKeySequence.StandardKey


@dataclass(frozen=True)
class ActionSpec:
    id: str
    text: str
    menu: str
    shortcut: str | Key | None = None
    tip: str = ""
    checkable: bool = False
    separator_before: bool = False


MENUS = ("&File", "&Edit", "&Annotate", "&Document", "&View", "&Schema", "&Tools", "&Help")

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("new_project", "&New project…", "&File", Key.New),
    ActionSpec("open_project", "&Open project…", "&File", Key.Open),
    ActionSpec("open_sample", "Open the &sample project", "&File"),
    ActionSpec(
        "add_documents",
        "&Add documents…",
        "&File",
        "Ctrl+Shift+A",
        separator_before=True,
        tip="Add text, web pages, Word, PDF, Markdown, RTF, EPUB or e-mail files "
        "(you can also drop files or folders on the window)",
    ),
    ActionSpec("add_folder", "Add a &folder…", "&File"),
    ActionSpec(
        "import_data",
        "&Import…",
        "&File",
        separator_before=True,
        tip="Import annotations: Annotator JSON, W3C Web Annotation, brat, …",
    ),
    ActionSpec(
        "export_data",
        "&Export…",
        "&File",
        "Ctrl+E",
        tip="Export all layers or one (e.g. gold): JSON, W3C, brat, CoNLL, CSV, …",
    ),
    ActionSpec(
        "save_copy",
        "Save a &copy…",
        "&File",
        "Ctrl+Shift+S",
        tip="Write one self-contained copy of the project, e.g. to send it",
    ),
    ActionSpec(
        "show_in_folder",
        "Show in f&older",
        "&File",
        tip="Open the folder that holds this project file in the file manager",
    ),
    ActionSpec(
        "merge_files",
        "&Merge…",
        "&File",
        separator_before=True,
        tip="Merge colleagues' project files into this project (not undoable; a copy is "
        "saved first)",
    ),
    ActionSpec("merge_history", "Merge &history…", "&File", tip="The reports of past merges"),
    ActionSpec(
        "export_report",
        "Export &report…",
        "&File",
        separator_before=True,
        tip="One self-contained HTML (or PDF) report with the Analytics filters: network, "
        "timeline, claims, statistics and every claim with its passages",
    ),
    ActionSpec("quit", "&Quit", "&File", Key.Quit, separator_before=True),
    ActionSpec("undo", "&Undo", "&Edit", Key.Undo),
    ActionSpec("redo", "&Redo", "&Edit", Key.Redo),
    ActionSpec("delete", "&Delete span or link", "&Edit", Key.Delete, separator_before=True),
    ActionSpec(
        "paste_document",
        "&Paste as new document…",
        "&Edit",
        "Ctrl+Shift+V",
        separator_before=True,
        tip="Add the clipboard's text or web page as a new document",
    ),
    ActionSpec("find", "&Find in document…", "&Edit", Key.Find, separator_before=True),
    ActionSpec(
        "project_search",
        "&Search the project…",
        "&Edit",
        "Ctrl+Shift+F",
        tip="Search every document (or the annotations) of the project",
    ),
    ActionSpec(
        "link",
        "&Link selected span to…",
        "&Annotate",
        "Ctrl+L",
        tip="Pick the target span and the link type",
    ),
    ActionSpec(
        "annotate_occurrences",
        "Annotate all &occurrences…",
        "&Annotate",
        "Ctrl+Shift+O",
        tip="Suggest the other occurrences of the selected span's text to tag the same way",
    ),
    ActionSpec("cycle_span", "&Cycle overlapping spans", "&Annotate", "Tab"),
    ActionSpec("clear_selection", "Clear &selection", "&Annotate", "Esc"),
    ActionSpec("grow_start", "Move start &left", "&Annotate", "Alt+Left", separator_before=True),
    ActionSpec("shrink_start", "Move start &right", "&Annotate", "Alt+Right"),
    ActionSpec("shrink_end", "Move end l&eft", "&Annotate", "Alt+Shift+Left"),
    ActionSpec("grow_end", "Move end ri&ght", "&Annotate", "Alt+Shift+Right"),
    ActionSpec("grow_start_word", "Move start left by word", "&Annotate", "Ctrl+Alt+Left"),
    ActionSpec("shrink_start_word", "Move start right by word", "&Annotate", "Ctrl+Alt+Right"),
    ActionSpec("shrink_end_word", "Move end left by word", "&Annotate", "Ctrl+Alt+Shift+Left"),
    ActionSpec("grow_end_word", "Move end right by word", "&Annotate", "Ctrl+Alt+Shift+Right"),
    ActionSpec(
        "document_properties",
        "P&roperties…",
        "&Document",
        "Alt+Return",
        tip="Edit title, author, outlet, URL, publication date and language",
    ),
    ActionSpec("mark_new", "Mark &new", "&Document", "Ctrl+Shift+U", separator_before=True),
    ActionSpec("mark_in_progress", "Mark &in progress", "&Document", "Ctrl+Shift+I"),
    ActionSpec("mark_done", "Mark &done", "&Document", "Ctrl+Shift+D"),
    ActionSpec(
        "next_document", "N&ext document", "&Document", "Ctrl+PgDown", separator_before=True
    ),
    ActionSpec("previous_document", "&Previous document", "&Document", "Ctrl+PgUp"),
    ActionSpec("next_unfinished", "Next &unfinished document", "&Document", "Ctrl+Shift+PgDown"),
    ActionSpec("zoom_in", "Zoom &in", "&View", Key.ZoomIn),
    ActionSpec("zoom_out", "Zoom &out", "&View", Key.ZoomOut),
    ActionSpec("zoom_reset", "&Actual size", "&View", "Ctrl+0"),
    ActionSpec(
        "dark_theme", "&Dark theme", "&View", "Ctrl+Shift+T", checkable=True, separator_before=True
    ),
    ActionSpec("snap_to_words", "&Snap selection to words", "&View", checkable=True),
    ActionSpec("show_all_links", "Show &all links", "&View", "Ctrl+Shift+K", checkable=True),
    ActionSpec(
        "focus_mode",
        "&Focus",
        "&View",
        "F11",
        checkable=True,
        separator_before=True,
        tip="Only the text and the tag palette (F11 again: the panels come back as they were)",
    ),
    ActionSpec("edit_schema", "&Edit schema…", "&Schema", "Ctrl+Shift+E"),
    ActionSpec(
        "agreement",
        "&Agreement…",
        "&Tools",
        tip="Inter-annotator agreement: span F1, κ, α, attributes, links, confusion table",
    ),
    ActionSpec(
        "curate",
        "&Curate into gold…",
        "&Tools",
        tip="Adjudicate disagreements into the gold layer by keyboard: accept, edit, reject",
    ),
    ActionSpec(
        "analytics_network",
        "&Network…",
        "&Tools",
        "Ctrl+Shift+G",
        separator_before=True,
        tip="Analytics: the network of actors, events and claims built from the links",
    ),
    ActionSpec("analytics_timeline", "&Timeline…", "&Tools", tip="Analytics: events over time"),
    ActionSpec(
        "analytics_claims",
        "C&laims table…",
        "&Tools",
        tip="Analytics: who asserts which claims, where, with what stance and verdict",
    ),
    ActionSpec(
        "analytics_statistics",
        "&Statistics…",
        "&Tools",
        tip="Analytics: spans per tag, attribute values, co-occurrence, progress",
    ),
    ActionSpec("shortcuts", "&Keyboard shortcuts", "&Help", "F1"),
    ActionSpec("change_annotator", "&Change annotator…", "&Help"),
    ActionSpec("about", "&About Annotator", "&Help"),
)


def build_actions(
    parent: QWidget, handlers: dict[str, Callable[..., object]]
) -> dict[str, QAction]:
    """One QAction per spec, connected to handlers[id] (triggered or toggled(bool))."""
    actions: dict[str, QAction] = {}
    for spec in ACTIONS:
        action = QAction(spec.text, parent)
        if spec.shortcut is not None:
            action.setShortcut(QKeySequence(spec.shortcut))
        if spec.tip:
            action.setStatusTip(spec.tip)
            action.setToolTip(spec.tip)
        action.setCheckable(spec.checkable)
        handler = handlers.get(spec.id)
        if handler is not None:
            (action.toggled if spec.checkable else action.triggered).connect(handler)
        actions[spec.id] = action
    return actions


def build_menus(menu_bar: QMenuBar, actions: dict[str, QAction]) -> dict[str, QMenu]:
    menus = {title: menu_bar.addMenu(title) for title in MENUS}
    for spec in ACTIONS:
        menu = menus[spec.menu]
        if spec.separator_before:
            menu.addSeparator()
        menu.addAction(actions[spec.id])
    return menus
