"""The inspector's entity section: pick, create or clear the span's entity; edit its aliases."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.model import Entity, Span, TagType
from annotator.gui.panels.common import QuietComboBox, muted_label, one_line
from annotator.gui.session import ProjectSession
from annotator.services.command import Compound
from annotator.services.entity_commands import CreateEntity, EditEntity
from annotator.services.span_commands import EditSpan


def entity_text(entity: Entity) -> str:
    """How an entity reads in the picker: its name, then its aliases (the completer matches
    either)."""
    return f"{entity.name} ({', '.join(entity.aliases)})" if entity.aliases else entity.name


def parse_aliases(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class EntityEditor(QWidget):
    """Edits the entity of one span through the session; holds only what it shows."""

    def __init__(self, session: ProjectSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.span: Span | None = None
        self.tag: TagType | None = None
        self._entities: dict[str, Entity] = {}
        self._registry_stale = True

        self.combo = QuietComboBox(self, shrink=True)
        self.combo.setObjectName("entity_combo")
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.lineEdit().setPlaceholderText("No entity — type to find one")
        completer = self.combo.completer()
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.combo.activated.connect(self._on_pick)
        self.combo.lineEdit().editingFinished.connect(self._on_typed)

        self.new_button = QPushButton("New from span", self)
        self.new_button.setObjectName("entity_new")
        self.new_button.setToolTip("Add an entity named after this span and link the span to it")
        self.new_button.clicked.connect(self.create_from_span)
        self.clear_button = QPushButton("Clear", self)
        self.clear_button.setObjectName("entity_clear")
        self.clear_button.setToolTip("Unlink the span from its entity")
        self.clear_button.clicked.connect(self.clear)
        self.aliases = QLineEdit(self)
        self.aliases.setObjectName("entity_aliases")
        self.aliases.setPlaceholderText("Other names, comma-separated")
        self.aliases.setToolTip("Other names of this entity, separated by commas")
        self.aliases_label = QLabel("Aliases", self)
        self.aliases.editingFinished.connect(self.commit_aliases)
        self.facts = muted_label("", self)

        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.combo)
        layout.addLayout(buttons)
        aliases = QHBoxLayout()
        aliases.setSpacing(8)
        aliases.addWidget(self.aliases_label)
        aliases.addWidget(self.aliases, 1)
        layout.addLayout(aliases)
        layout.addWidget(self.facts)

    # -- showing -----------------------------------------------------------------------------
    def registry_changed(self) -> None:
        """The registry changed: re-read it the next time the editor shows a span."""
        self._registry_stale = True

    def set_span(self, span: Span, tag: TagType | None) -> None:
        self.span, self.tag = span, tag
        if self._registry_stale:
            self._fill_registry()
        entity = self._entities.get(span.entity or "")
        if not self.combo.lineEdit().hasFocus():
            self._show_entity(entity)
        if not self.aliases.hasFocus():
            self.aliases.setText(", ".join(entity.aliases) if entity else "")
        self.aliases.setVisible(entity is not None)
        self.aliases_label.setVisible(entity is not None)
        self.clear_button.setEnabled(entity is not None)
        self.facts.setVisible(entity is not None)
        if entity is not None:
            with self.session.read() as read:
                mentions = read.count_spans(entity=entity.uuid)
            kind = f"{entity.kind} · " if entity.kind else ""
            self.facts.setText(f"{kind}{mentions} span{'s' if mentions != 1 else ''}")

    def _fill_registry(self) -> None:
        with self.session.read() as read:
            entities = read.entities()
        self._entities = {e.uuid: e for e in entities}
        self._registry_stale = False
        self.combo.blockSignals(True)
        self.combo.clear()
        for entity in entities:
            self.combo.addItem(entity_text(entity), entity.uuid)
            self.combo.setItemData(
                self.combo.count() - 1, entity.note or None, Qt.ItemDataRole.ToolTipRole
            )
        self.combo.setCurrentIndex(-1)
        self.combo.blockSignals(False)

    def _show_entity(self, entity: Entity | None) -> None:
        """The entity's name alone in the box (its aliases are listed below and in the list)."""
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(self.combo.findData(entity.uuid) if entity else -1)
        self.combo.setEditText(entity.name if entity else "")
        self.combo.lineEdit().setCursorPosition(0)
        self.combo.blockSignals(False)

    # -- editing -----------------------------------------------------------------------------
    def _set_entity(self, uuid: str | None) -> None:
        span = self.span
        if span is None or uuid == span.entity:
            return
        label = "Set entity" if uuid else "Clear entity"
        if self.session.run(EditSpan(span.uuid, entity=uuid, label=label)):
            self.span = dataclasses.replace(span, entity=uuid)
        self._show_current()

    def _on_pick(self, index: int) -> None:
        self._set_entity(self.combo.itemData(index))
        # A completer writes its own text after this; show the name once it is done.
        QTimer.singleShot(0, self, self._show_current)

    def _show_current(self) -> None:
        if self.span is not None:
            self._show_entity(self._entities.get(self.span.entity or ""))

    def _on_typed(self) -> None:
        """Enter or leaving the box: a typed name or alias that names one entity picks it;
        anything else puts the current entity back."""
        if self.span is None:
            return
        text = self.combo.currentText().strip().casefold()
        current = self._entities.get(self.span.entity or "")
        shown = {current.name.casefold(), entity_text(current).casefold()} if current else set()
        if text in shown:
            self._show_entity(current)
            return
        matches = [
            e
            for e in self._entities.values()
            if text
            and text
            in {e.name.casefold(), entity_text(e).casefold()} | {a.casefold() for a in e.aliases}
        ]
        if len(matches) == 1:
            self._set_entity(matches[0].uuid)
        else:
            self._show_entity(current)

    def create_from_span(self) -> None:
        """A new entity named after the span, linked to it, as one undo step."""
        if self.span is None:
            return
        kind = self.tag.kind if self.tag else ""
        if self.tag and kind == "custom":
            kind = self.tag.key  # "place" says more than "custom"
        create = CreateEntity(one_line(self.span.quote, 200), kind=kind)
        link = EditSpan(self.span.uuid, entity=create.uuid)
        self.session.run(Compound("New entity from span", [create, link]))

    def clear(self) -> None:
        self._set_entity(None)

    def commit_aliases(self) -> None:
        entity = self._entities.get(self.span.entity or "") if self.span else None
        if entity is None:
            return
        aliases = parse_aliases(self.aliases.text())
        changed = tuple(aliases) != entity.aliases
        if changed and not self.session.run(EditEntity(entity.uuid, aliases=aliases)):
            self.aliases.setText(", ".join(entity.aliases))

    def is_editing(self) -> bool:
        return self.combo.lineEdit().hasFocus() or self.aliases.hasFocus()
