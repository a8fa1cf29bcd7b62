"""Linking by keyboard (a searchable picker of target spans) and after a mouse drag (a menu)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QCursor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.model import Link, LinkType, Schema, Span
from annotator.gui.dialogs.common import MessageBar, plain_buttons, run_here, swatch_icon
from annotator.gui.dialogs.link_rows import (
    TARGET_ROLE,
    Target,
    TargetDelegate,
    matches,
    nearest_targets,
)
from annotator.gui.panels.common import dot_icon, muted_label, one_line, tooltip_html
from annotator.gui.session import ProjectSession
from annotator.services.link_commands import CreateLink

KEY_ROLE = Qt.ItemDataRole.UserRole + 12
REVERSED_ROLE = Qt.ItemDataRole.UserRole + 13  # True: the link goes from the target to the source
NAVIGATION_KEYS = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)


def type_text(link_type: LinkType, reversed_: bool = False) -> str:
    if reversed_:
        return f"←  {link_type.label}  (from that span to this one)"
    return f"{'→' if link_type.directed else '↔'}  {link_type.label}"


def offered(schema: Schema, source_tag: str, target_tag: str) -> list[tuple[LinkType, bool]]:
    """The link types the schema allows from source to target, then the directed ones it allows
    only the other way (offered reversed: the user need not remember which span to start on)."""
    forward = list(schema.allowed_link_types(source_tag, target_tag))
    keys = {link_type.key for link_type in forward}
    backward = [
        link_type
        for link_type in schema.allowed_link_types(target_tag, source_tag)
        if link_type.directed and link_type.key not in keys
    ]
    return [(t, False) for t in forward] + [(t, True) for t in backward]


def linked_types(source: str, target: str, links: list[Link], schema: Schema) -> set[str]:
    """Keys of the link types that already join source to target (either way if symmetric)."""
    found = set()
    for link in links:
        link_type = schema.link_type(link.type)
        same = (link.source, link.target) == (source, target)
        mirrored = (link.source, link.target) == (target, source)
        if same or (mirrored and link_type is not None and not link_type.directed):
            found.add(link.type)
    return found


def tag_label(schema: Schema, key: str) -> str:
    tag = schema.tag(key)
    return tag.label if tag else key


def no_type_message(schema: Schema, source_tag: str, target_tag: str) -> str:
    return (
        f"No link type goes from {tag_label(schema, source_tag)} to "
        f"{tag_label(schema, target_tag)}."
    )


class LinkPicker(QDialog):
    """Pick a target span (nearest first; typing filters by quote, tag or attribute text) and
    one of the link types the schema allows from the source's tag to the target's; Enter
    links (one undoable step) and closes, Esc cancels. `link_uuid` is the new link's uuid."""

    def __init__(
        self, session: ProjectSession, source_span_uuid: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("link_picker")
        self.setWindowTitle("Link to…")
        self.session = session
        self.link_uuid = ""
        self._preferred: str | None = None
        self._rebuilding = False
        with session.read() as read:
            self.source: Span = read.span(source_span_uuid)
            spans = session.layer.filter(read.spans(self.source.document))  # the shown layer
            self._links = read.links_of_spans([self.source.uuid])
        schema = session.schema
        self._build(schema)
        for target in nearest_targets(self.source, spans, schema):
            item = QListWidgetItem(self.targets)
            item.setData(TARGET_ROLE, target)
            item.setToolTip(tooltip_html(one_line(target.span.quote, 600)))
        if self.targets.count():
            self.targets.setCurrentRow(0)
        self._show_empty()
        self._show_types()
        self.filter.setFocus()

    # -- layout ------------------------------------------------------------------------------
    def _build(self, schema: Schema) -> None:
        tag = schema.tag(self.source.tag)
        header = QHBoxLayout()
        header.setSpacing(8)
        chip = QLabel(self)
        chip.setPixmap(dot_icon(tag.color if tag else "#808080", 10, 12).pixmap(12, 12))
        title = QLabel(f"<b>Link from {tag.label if tag else self.source.tag}</b>", self)
        quote = muted_label(f"“{one_line(self.source.quote, 90)}”", self)
        header.addWidget(chip)
        header.addWidget(title)
        header.addWidget(quote, 1)
        self.filter = QLineEdit(self)
        self.filter.setObjectName("link_filter")
        self.filter.setPlaceholderText("Type to filter the spans by text, tag or attribute")
        self.filter.setClearButtonEnabled(True)
        self.filter.installEventFilter(self)
        self.targets = QListWidget(self)
        self.targets.setObjectName("link_targets")
        self.targets.setItemDelegate(TargetDelegate(self.targets))
        self.targets.setUniformItemSizes(True)
        self.targets.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.targets.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.empty = muted_label("", self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.types = QListWidget(self)
        self.types.setObjectName("link_types")
        self.types.setFixedWidth(230)
        self.none_allowed = QLabel(self)
        self.none_allowed.setWordWrap(True)
        self.none_allowed.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.none_allowed.setFixedWidth(230)
        self.guideline = muted_label("", self)
        self.guideline.setWordWrap(True)
        self.guideline.setFixedWidth(230)
        self.message = MessageBar(self)
        buttons = QDialogButtonBox(self)
        self.link_button: QPushButton = buttons.addButton(
            "Link", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.link_button.setDefault(True)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)
        plain_buttons(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        left = QVBoxLayout()
        left.addWidget(self.targets, 1)
        left.addWidget(self.empty)
        right = QVBoxLayout()
        right.addWidget(QLabel("Link type", self))
        right.addWidget(self.types, 1)
        right.addWidget(self.none_allowed, 1)
        right.addWidget(self.guideline)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right)
        hint = muted_label("↑ ↓ choose the span · Tab: the link type · Enter links · Esc cancels")
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.filter)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)
        footer = QHBoxLayout()
        footer.addWidget(hint, 1)
        footer.addWidget(buttons)
        layout.addLayout(footer)
        self.setTabOrder(self.filter, self.types)
        self.setTabOrder(self.types, self.targets)
        self.filter.textChanged.connect(self._apply_filter)
        self.targets.currentItemChanged.connect(self._show_types)
        self.targets.itemDoubleClicked.connect(self.accept)
        self.types.currentItemChanged.connect(self._type_picked)
        self.types.itemDoubleClicked.connect(self.accept)
        self.resize(820, 540)

    # -- state -------------------------------------------------------------------------------
    def current_target(self) -> Target | None:
        item = self.targets.currentItem()
        return item.data(TARGET_ROLE) if item is not None and not item.isHidden() else None

    def current_type(self) -> str | None:
        item = self.types.currentItem()
        if item is None or self.types.isHidden() or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            return None
        return item.data(KEY_ROLE)

    def current_reversed(self) -> bool:
        item = self.types.currentItem()
        return bool(item is not None and item.data(REVERSED_ROLE))

    def visible_targets(self) -> list[Target]:
        items = (self.targets.item(row) for row in range(self.targets.count()))
        return [item.data(TARGET_ROLE) for item in items if not item.isHidden()]

    def offered_types(self) -> list[str]:
        """Keys of the link types offered for the current target (those already linked too);
        a type offered the other way round is "←key"."""
        if self.types.isHidden():
            return []
        items = [self.types.item(row) for row in range(self.types.count())]
        return [("←" if i.data(REVERSED_ROLE) else "") + i.data(KEY_ROLE) for i in items]

    # -- reactions ---------------------------------------------------------------------------
    def _apply_filter(self, text: str) -> None:
        words = text.lower().split()
        first = None
        for row in range(self.targets.count()):
            item = self.targets.item(row)
            hidden = not matches(item.data(TARGET_ROLE), words)
            item.setHidden(hidden)
            if not hidden and first is None:
                first = item
        current = self.targets.currentItem()
        if current is None or current.isHidden():
            self.targets.setCurrentItem(first)
        if first is None:
            self._show_types()
        else:
            self.targets.scrollToItem(self.targets.currentItem())
        self._show_empty()

    def _show_empty(self) -> None:
        if not self.targets.count():
            text = "There is no other span in this document to link to."
        elif not self.visible_targets():
            text = f"No span matches “{self.filter.text().strip()}”."
        else:
            text = ""
        self.empty.setText(text)
        self.empty.setVisible(bool(text))

    def _show_types(self, *_: object) -> None:
        self.message.clear_message()
        self._rebuilding = True
        self.types.clear()
        target = self.current_target()
        if target is None:
            self._rebuilding = False
            self._offer([], "")
            return
        schema = self.session.schema
        allowed = offered(schema, self.source.tag, target.span.tag)
        existing = linked_types(self.source.uuid, target.uuid, self._links, schema)
        backward = linked_types(target.uuid, self.source.uuid, self._links, schema)
        for link_type, reversed_ in allowed:
            text = type_text(link_type, reversed_)
            item = QListWidgetItem(swatch_icon(link_type.color), text, self.types)
            item.setData(KEY_ROLE, link_type.key)
            item.setData(REVERSED_ROLE, reversed_)
            item.setSizeHint(QSize(0, self.fontMetrics().lineSpacing() + 10))
            item.setToolTip(tooltip_html(link_type.guideline))
            if link_type.key in (backward if reversed_ else existing):
                item.setText(f"{text}  (already linked)")
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
        enabled = [
            row
            for row in range(self.types.count())
            if self.types.item(row).flags() & Qt.ItemFlag.ItemIsEnabled
        ]
        keep = [row for row in enabled if self.types.item(row).data(KEY_ROLE) == self._preferred]
        if enabled:
            self.types.setCurrentRow((keep or enabled)[0])
        self._rebuilding = False
        message = "" if allowed else no_type_message(schema, self.source.tag, target.span.tag)
        if allowed and not enabled:
            message = "These spans are already linked by every type the schema allows."
        self._offer(allowed, message)

    def _offer(self, allowed: tuple[LinkType, ...] | list, message: str) -> None:
        self.types.setVisible(bool(allowed))
        self.none_allowed.setText(message)
        self.none_allowed.setVisible(bool(message))
        self.link_button.setEnabled(self.current_type() is not None)
        self._show_guideline()

    def _type_picked(self, *_: object) -> None:
        key = self.current_type()
        if not self._rebuilding and key is not None:
            self._preferred = key  # the user's pick is kept while they look at other targets
        self._show_guideline()

    def _show_guideline(self) -> None:
        key = self.current_type()
        link_type = self.session.schema.link_type(key) if key else None
        self.guideline.setText(link_type.guideline if link_type else "")
        self.link_button.setEnabled(key is not None)

    # -- keys and accepting ------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up/Down and Page keys in the filter box move through the spans."""
        if watched is self.filter and event.type() == QEvent.Type.KeyPress:
            key_event: QKeyEvent = event  # type: ignore[assignment]
            if key_event.key() in NAVIGATION_KEYS:
                self.targets.keyPressEvent(key_event)
                return True
        return super().eventFilter(watched, event)

    def accept(self) -> None:
        target, link_type = self.current_target(), self.current_type()
        if target is None or link_type is None:
            return
        ends = (self.source.uuid, target.uuid)
        if self.current_reversed():
            ends = ends[::-1]
        command = CreateLink(*ends, link_type)
        refusal = run_here(self.session, command)
        if refusal:
            self.message.refuse(refusal)
            return
        self.link_uuid = command.uuid
        label = self.session.schema.link_type(link_type)
        self.session.message.emit(
            f"Linked “{one_line(self.source.quote, 40)}” {label.label if label else link_type} "
            f"“{one_line(target.span.quote, 40)}”"
        )
        super().accept()


def link_type_menu(
    session: ProjectSession, source: str, target: str, parent: QWidget | None = None
) -> QMenu | None:
    """The menu choose_link_type shows (None when the schema allows no type): a title line,
    then each allowed type; one already joining the two spans is shown greyed out."""
    with session.read() as read:
        spans = {span.uuid: span for span in read.spans_by_uuid([source, target])}
        links = read.links_of_spans([source])
    if source not in spans or target not in spans or source == target:
        return None
    schema = session.schema
    source_tag, target_tag = spans[source].tag, spans[target].tag
    allowed = offered(schema, source_tag, target_tag)
    if not allowed:
        session.message.emit(no_type_message(schema, source_tag, target_tag))
        return None
    existing = linked_types(source, target, links, schema)
    backward = linked_types(target, source, links, schema)
    menu = QMenu(parent)
    menu.setObjectName("link_type_menu")
    title = menu.addAction(
        f"Link {tag_label(schema, source_tag)} → {tag_label(schema, target_tag)}"
    )
    title.setEnabled(False)
    menu.addSeparator()
    for link_type, reversed_ in allowed:
        already = link_type.key in (backward if reversed_ else existing)
        text = type_text(link_type, reversed_) + ("  (already linked)" if already else "")
        action = menu.addAction(dot_icon(link_type.color), text)
        action.setData(("←" if reversed_ else "") + link_type.key)
        action.setToolTip(link_type.guideline)
        action.setEnabled(not already)
    menu.setToolTipsVisible(True)
    return menu


def choose_link_type(
    session: ProjectSession, source: str, target: str, parent: QWidget | None = None
) -> str | None:
    """After a drag from one span to another: the link type picked from a small menu at the
    pointer ("←key" for a type that links the other way round), or None (no type allowed — the
    status bar says so — or the menu was dismissed).
    The menu is shown even when only one type is allowed, so a stray drag never links."""
    menu = link_type_menu(session, source, target, parent)
    if menu is None:
        return None
    try:
        chosen = menu.exec(QCursor.pos())
        return chosen.data() if chosen is not None and chosen.data() else None
    finally:
        menu.deleteLater()
