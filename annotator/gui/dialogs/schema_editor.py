"""The schema editor: tag types and link types, edited in place as undoable steps."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
from PySide6.QtCore import QSignalBlocker, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.changes import ChangeSet
from annotator.domain.model import LinkType, TagType
from annotator.domain.wording import quoted
from annotator.errors import AnnotatorError
from annotator.gui.dialogs.common import MessageBar, run_here, swatch_icon
from annotator.gui.dialogs.schema_forms import ItemForm, LinkForm, TagForm
from annotator.gui.dialogs.schema_new import NewLinkTypeDialog, NewTagTypeDialog
from annotator.gui.folders import remember, start_in
from annotator.gui.panels.common import muted_label
from annotator.gui.session import ProjectSession
from annotator.io.formats import check_export_destination
from annotator.io.formats.json.reader import load_json_file
from annotator.io.schema_file import read_schema_file, schema_file
from annotator.services.schema_commands import DeleteLinkType, DeleteTagType
from annotator.services.schema_import import ImportSchema

ITEM_ROLE = Qt.ItemDataRole.UserRole + 31  # ("tag" | "link", key)
SCHEMA_FILTER = "Annotator schema (*.json);;All files (*)"
GROUPS = {"tag": "Tag types", "link": "Link types"}


def _hint(item: TagType | LinkType) -> str:
    """The list's second column: a tag type's hotkey, a link type's direction."""
    if isinstance(item, TagType):
        return item.hotkey or ""
    return "→" if item.directed else "↔"


class SchemaEditor(QDialog):
    """Non-modal. Every change is saved at once as an undoable step (Ctrl+Z here or in the
    main window); the editor follows `session.changed`, so an undo elsewhere shows here."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("schema_editor")
        self.setWindowTitle("Schema")
        self.setModal(False)
        self.session = session
        self.new_dialog: NewTagTypeDialog | NewLinkTypeDialog | None = None
        self._build()
        self.refresh()
        self._select_first()
        session.changed.connect(self._on_changes)

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("schema_tree")
        self.tree.setColumnCount(2)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(8)
        self._row_height = self.fontMetrics().lineSpacing() + 10
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(False)
        self.groups = {}
        for owner, title in GROUPS.items():
            group = QTreeWidgetItem(self.tree, [title, ""])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            group.setExpanded(True)
            extra = 8 if owner == "link" else 0  # a little air above the second group
            group.setSizeHint(0, QSize(0, self._row_height + extra))
            group.setTextAlignment(0, Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft)
            self.groups[owner] = group
        self.tree.setItemsExpandable(False)
        self.add_tag_button = QPushButton("Add tag type…", self)
        self.add_link_button = QPushButton("Add link type…", self)
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.setObjectName("delete_item")
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.tree, 1)
        row = QHBoxLayout()
        row.addWidget(self.add_tag_button)
        row.addWidget(self.add_link_button)
        left_layout.addLayout(row)
        left_layout.addWidget(self.delete_button)
        self.tag_form = TagForm(self.session)
        self.link_form = LinkForm(self.session)
        self.placeholder = muted_label("Choose a tag type or link type on the left.")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget(self)
        for page in (self.placeholder, self.tag_form, self.link_form):
            scroll = QScrollArea(self)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(page)
            self.stack.addWidget(scroll)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([270, 730])
        splitter.setChildrenCollapsible(False)
        self.message = MessageBar(self)
        self.import_button = QPushButton("Import schema…", self)
        self.export_button = QPushButton("Export schema…", self)
        close = QPushButton("Close", self)
        footer = QHBoxLayout()
        footer.addWidget(self.import_button)
        footer.addWidget(self.export_button)
        footer.addStretch(1)
        footer.addWidget(close)
        for button in (*self.findChildren(QPushButton), close):
            button.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)
        layout.addLayout(footer)
        self.tree.currentItemChanged.connect(self._show_current)
        self.add_tag_button.clicked.connect(lambda: self.open_new("tag"))
        self.add_link_button.clicked.connect(lambda: self.open_new("link"))
        self.delete_button.clicked.connect(self.delete_current)
        self.import_button.clicked.connect(self._ask_import)
        self.export_button.clicked.connect(self._ask_export)
        close.clicked.connect(self.close)
        self._add_action("Delete", self.delete_current, self.tree)
        self._add_action(QKeySequence.StandardKey.Undo, self.session.undo_stack.undo, self)
        self._add_action(QKeySequence.StandardKey.Redo, self.session.undo_stack.redo, self)
        self.resize(1000, 680)

    def _add_action(self, keys: object, slot: object, owner: QWidget) -> None:
        action = QAction(owner)
        action.setShortcut(QKeySequence(keys))
        context = Qt.ShortcutContext
        action.setShortcutContext(
            context.WidgetShortcut if owner is self.tree else context.WindowShortcut
        )
        action.triggered.connect(slot)
        owner.addAction(action)

    # -- showing -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Rebuild the list from the saved schema, keeping the selection where it still is."""
        chosen = self.current()
        schema = self.session.schema
        with QSignalBlocker(self.tree):
            for owner, items in (("tag", schema.tag_types), ("link", schema.link_types)):
                group = self.groups[owner]
                group.takeChildren()
                for item in items:
                    row = QTreeWidgetItem(group, [item.label, _hint(item)])
                    row.setIcon(0, swatch_icon(item.color))
                    row.setSizeHint(0, QSize(0, self._row_height))
                    row.setData(0, ITEM_ROLE, (owner, item.key))
                    row.setToolTip(0, f"{item.label} (key {item.key})")
                    row.setTextAlignment(1, Qt.AlignmentFlag.AlignCenter)
                    row.setForeground(1, self.palette().placeholderText())
                    if (owner, item.key) == chosen:
                        self.tree.setCurrentItem(row)
            if chosen is not None and self.current() != chosen:
                self.tree.setCurrentItem(None)
        self._show_current()

    def current(self) -> tuple[str, str] | None:
        item = self.tree.currentItem()
        data = item.data(0, ITEM_ROLE) if item is not None else None
        return tuple(data) if data else None  # type: ignore[return-value]

    def select(self, owner: str, key: str) -> bool:
        group = self.groups[owner]
        for i in range(group.childCount()):
            if tuple(group.child(i).data(0, ITEM_ROLE)) == (owner, key):
                self.tree.setCurrentItem(group.child(i))
                return True
        return False

    def current_form(self) -> ItemForm | None:
        chosen = self.current()
        if chosen is None:
            return None
        return self.tag_form if chosen[0] == "tag" else self.link_form

    def _select_first(self) -> None:
        group = self.groups["tag"]
        if group.childCount():
            self.tree.setCurrentItem(group.child(0))

    def _show_current(self, *_: object) -> None:
        chosen = self.current()
        self.delete_button.setEnabled(chosen is not None)
        if chosen is None:
            self.stack.setCurrentIndex(0)
            return
        owner, key = chosen
        schema = self.session.schema
        item = schema.tag(key) if owner == "tag" else schema.link_type(key)
        if item is None:
            self.stack.setCurrentIndex(0)
            return
        form = self.tag_form if owner == "tag" else self.link_form
        form.show_item(item, schema, self._usage(owner, key))
        self.stack.setCurrentIndex(1 if owner == "tag" else 2)
        noun = "tag type" if owner == "tag" else "link type"
        self.delete_button.setText(f"Delete {noun} “{item.label}”")

    def _usage(self, owner: str, key: str) -> int:
        with self.session.read() as read:
            if owner == "tag":
                return read.count_spans(tag=key)
            return read.count_links_of_type(key)

    def _on_changes(self, changes: ChangeSet) -> None:
        if changes.schema:
            self.refresh()
        elif not changes.empty and self.current() is not None:
            form = self.current_form()
            if form is not None:
                form.set_usage(self._usage(*self.current()))

    # -- adding and deleting -----------------------------------------------------------------
    def open_new(self, owner: str) -> NewTagTypeDialog | NewLinkTypeDialog:
        """Open "Add tag type…" or "Add link type…" (window-modal, not blocking)."""
        dialog_type = NewTagTypeDialog if owner == "tag" else NewLinkTypeDialog
        self.new_dialog = dialog = dialog_type(self.session, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._created(owner, dialog.created))
        dialog.open()
        return dialog

    def _created(self, owner: str, key: str) -> None:
        self.refresh()
        self.select(owner, key)
        self.message.clear_message()
        form = self.current_form()
        if form is not None:
            form.label.setFocus()

    def delete_current(self) -> None:
        chosen = self.current()
        if chosen is None:
            return
        owner, key = chosen
        command = DeleteTagType(key) if owner == "tag" else DeleteLinkType(key)
        refusal = run_here(self.session, command)
        if refusal:
            self.message.refuse(f"Not deleted: {refusal}.")
            return
        noun = "tag type" if owner == "tag" else "link type"
        self.message.inform(f"Deleted the {noun} {quoted(key)}. Undo (Ctrl+Z) brings it back.")
        self.refresh()

    # -- files -------------------------------------------------------------------------------
    def _ask_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import schema", start_in(), SCHEMA_FILTER)
        if name:
            remember(name)
            self.import_schema_file(Path(name))

    def _ask_export(self) -> None:
        suggested = start_in(f"{self.session.project.path.stem} schema.json")
        name, _ = QFileDialog.getSaveFileName(self, "Export schema", suggested, SCHEMA_FILTER)
        if name:
            remember(name)
            path = Path(name)
            self.export_schema_file(path if path.suffix else path.with_suffix(".json"))

    def import_schema_file(self, path: Path) -> bool:
        """Add and update tag types, link types and attributes from a schema file (one undoable
        step; nothing is deleted). The summary or the reason for refusing is shown here."""
        try:
            schema = read_schema_file(load_json_file(path))
        except AnnotatorError as error:
            self.message.refuse(f"Nothing was imported from {path.name}: {error}")
            return False
        command = ImportSchema(schema)
        refusal = run_here(self.session, command)
        if refusal:
            self.message.refuse(f"Nothing was imported from {path.name}: {refusal}")
            return False
        self.message.inform(f"Imported {path.name}: {command.summary()}.")
        self.refresh()
        return True

    def export_schema_file(self, path: Path) -> bool:
        """Write the project's schema as a schema file (JSON, indented; replaced atomically)."""
        try:
            check_export_destination(self.session.project.path, path)
        except AnnotatorError as error:
            self.message.refuse(f"The schema was not exported: {error}")
            return False
        data = orjson.dumps(
            schema_file(self.session.schema),
            option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE,
        )
        temp = path.with_name(f".{path.name}.writing")
        try:
            with temp.open("wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, path)
        except OSError as error:
            temp.unlink(missing_ok=True)
            self.message.refuse(f"The schema was not exported: {error.strerror or error}")
            return False
        self.message.inform(f"Exported the schema to {path.name}.")
        return True

    def done(self, result: int) -> None:
        """Closing (Close, Esc or the window's button) first saves the field being edited."""
        focused = self.focusWidget()
        if focused is not None:
            focused.clearFocus()
        super().done(result)
