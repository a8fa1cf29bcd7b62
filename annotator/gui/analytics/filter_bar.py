"""FilterBar: the documents, tags, link types, attribute values and layer a view counts."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
)

from annotator.domain.model import Schema
from annotator.errors import AnnotatorError
from annotator.services.analytics.filters import (
    ALL,
    GOLD,
    MINE,
    AnalyticsFilter,
    parse_attribute_filters,
)


class ChoiceButton(QToolButton):
    """A drop-down of checkable keys; none checked means "all"."""

    changed = Signal()

    def __init__(self, noun: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.noun = noun
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setMenu(QMenu(self))
        self._actions: dict[str, QAction] = {}
        self._label()

    def set_keys(self, items: list[tuple[str, str]]) -> None:
        checked = self.checked()
        self.menu().clear()
        self._actions = {}
        for key, label in items:
            action = self.menu().addAction(label)
            action.setCheckable(True)
            action.setChecked(key in checked)
            action.toggled.connect(self._toggled)
            self._actions[key] = action
        self._label()

    def checked(self) -> frozenset[str]:
        return frozenset(k for k, a in self._actions.items() if a.isChecked())

    def set_checked(self, keys: frozenset[str]) -> None:
        for key, action in self._actions.items():
            action.blockSignals(True)
            action.setChecked(key in keys)
            action.blockSignals(False)
        self._label()

    def _toggled(self) -> None:
        self._label()
        self.changed.emit()

    def _label(self) -> None:
        chosen = self.checked()
        self.setText(f"{self.noun}: " + (", ".join(sorted(chosen)) if chosen else "all"))


class FilterBar(QWidget):
    """Emits `changed` (debounced) when any filter changes; `current()` is the filter."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("analytics_filters")
        self.title = QLineEdit(placeholderText="title contains…", objectName="filter_title")
        self.outlet = QLineEdit(placeholderText="outlet contains…", objectName="filter_outlet")
        self.author = QLineEdit(placeholderText="author contains…", objectName="filter_author")
        self.published_from = QLineEdit(placeholderText="from YYYY-MM-DD")
        self.published_to = QLineEdit(placeholderText="to YYYY-MM-DD")
        self.attributes = QLineEdit(
            placeholderText="stance=critical verdict=false", objectName="filter_attributes"
        )
        self.attributes.setToolTip(
            "Keep spans whose tag has the attribute only with these values; repeat a key for "
            "several values"
        )
        self.tags = ChoiceButton("Tags")
        self.link_types = ChoiceButton("Links")
        self.layer = QComboBox(objectName="filter_layer")
        self.merge_by_text = QCheckBox("Merge by te&xt")
        self.merge_by_text.setToolTip(
            "An entity's node also takes in the spans with its name that link to no entity"
        )
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #c0392b")
        self._timer = QTimer(self, singleShot=True, interval=350)
        self._timer.timeout.connect(self.changed)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for column, widget in enumerate(
            (self.title, self.outlet, self.author, self.published_from, self.published_to)
        ):
            grid.addWidget(widget, 0, column)
        for column, widget in enumerate(
            (self.tags, self.link_types, self.attributes, self.layer, self.merge_by_text)
        ):
            grid.addWidget(widget, 1, column)
        grid.addWidget(self.problem, 2, 0, 1, 5)
        for edit in (
            self.title,
            self.outlet,
            self.author,
            self.published_from,
            self.published_to,
            self.attributes,
        ):
            edit.textChanged.connect(self._soon)
        self.tags.changed.connect(self._soon)
        self.link_types.changed.connect(self._soon)
        self.layer.currentIndexChanged.connect(self._soon)
        self.merge_by_text.toggled.connect(self._soon)

    def set_choices(self, schema: Schema, annotators: dict[str, str], me: str) -> None:
        """Tags, link types and layers of the project (keeps what is chosen where it can)."""
        self.tags.set_keys([(t.key, t.label) for t in schema.tag_types])
        self.link_types.set_keys([(t.key, t.label) for t in schema.link_types])
        current = self.layer.currentData() or MINE
        self.layer.blockSignals(True)
        self.layer.clear()
        self.layer.addItem("My layer", MINE)
        self.layer.addItem("Gold layer", GOLD)
        self.layer.addItem("All layers", ALL)
        for uuid, name in sorted(annotators.items(), key=lambda x: x[1].casefold()):
            if uuid != me and name != "Gold":
                self.layer.addItem(f"Layer of {name}", uuid)
        index = self.layer.findData(current)
        self.layer.setCurrentIndex(max(index, 0))
        self.layer.blockSignals(False)

    def _soon(self, *_args) -> None:
        self._timer.start()

    def current(self) -> AnalyticsFilter | None:
        """The filter shown, or None (with the reason shown) when an entry is malformed."""
        try:
            attributes = parse_attribute_filters(self.attributes.text().split())
        except AnnotatorError as error:
            self.problem.setText(str(error))
            return None
        self.problem.setText("")
        return AnalyticsFilter(
            title=self.title.text().strip(),
            outlet=self.outlet.text().strip(),
            author=self.author.text().strip(),
            published_from=self.published_from.text().strip(),
            published_to=self.published_to.text().strip(),
            tags=self.tags.checked(),
            link_types=self.link_types.checked(),
            attributes=attributes,
            layer=self.layer.currentData() or MINE,
        )

    # -- remembered between sessions ---------------------------------------------------------
    def save(self, settings: QSettings) -> None:
        settings.setValue("analytics/layer", self.layer.currentData() or MINE)
        settings.setValue("analytics/merge_by_text", self.merge_by_text.isChecked())

    def restore(self, settings: QSettings) -> None:
        index = self.layer.findData(settings.value("analytics/layer", MINE))
        if index >= 0:
            self.layer.setCurrentIndex(index)
        on = settings.value("analytics/merge_by_text", False)
        self.merge_by_text.setChecked(on in (True, "true"))
        self._timer.stop()

    def flush(self) -> None:
        """Apply a pending change now (tests, and Enter in a field)."""
        if self._timer.isActive():
            self._timer.stop()
            self.changed.emit()

    def keyPressEvent(self, event) -> None:  # Enter applies at once
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.flush()
            return
        super().keyPressEvent(event)
