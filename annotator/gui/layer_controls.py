"""The layer choice in the GUI: View ▸ Layer submenu, the Layer toolbar (a compact chooser and
compare mode's legend), the compare dialog, the status-bar note and blind mode (remembered)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QRadioButton,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.changes import ChangeSet
from annotator.domain.layer_diff import MY_LAYER, DiffKind, LayerChoice, LayerDiff, LayerMode
from annotator.domain.layers import GOLD_ANNOTATOR_UUID, is_gold
from annotator.gui.dialogs.common import plain_buttons
from annotator.gui.layer_panes import DIFF_STYLES, legend_pixmap
from annotator.gui.layers import MY_LAYER_KEY
from annotator.gui.session import ProjectSession
from annotator.gui.settings import Settings

BLIND_KEY = "Ctrl+Shift+B"
BLIND_TIP = "Blind mode is on: only your own layer is shown (View ▸ Layer ▸ Blind mode)"
COMPARE = "compare…"  # the chooser's "Compare…" entry opens the dialog
READ_ONLY_STYLE = (
    "QLabel { background: #e8710a; color: white; border-radius: 3px; padding: 1px 8px; "
    "font-weight: 600; }"
)
EDITABLE_STYLE = "QLabel { padding: 1px 8px; }"


class CompareDialog(QDialog):
    """Pick layers A and B (different) and how to show them."""

    def __init__(
        self, layers: list[tuple[str, str]], current: LayerChoice, me: str, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare two layers")
        self.first, self.second = QComboBox(self), QComboBox(self)
        self.first.setObjectName("compare_first")
        self.second.setObjectName("compare_second")
        for combo in (self.first, self.second):
            for uuid, name in layers:
                combo.addItem(name, uuid)
        first = current.first if current.mode is LayerMode.COMPARE else me
        second = current.second if current.mode is LayerMode.COMPARE else ""
        self.first.setCurrentIndex(max(0, self.first.findData(first)))
        others = [i for i in range(len(layers)) if layers[i][0] != first]
        wanted = self.second.findData(second)
        self.second.setCurrentIndex(wanted if wanted >= 0 else (others[0] if others else 0))
        self.overlaid = QRadioButton("&Overlaid in one pane, differences outlined", self)
        self.side_by_side = QRadioButton("&Side by side, scrolling together", self)
        (self.side_by_side if current.side_by_side else self.overlaid).setChecked(True)
        self.problem = QLabel(self)
        self.buttons = plain_buttons(
            QDialogButtonBox(
                QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
            )
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Layer &A:", self.first)
        form.addRow("Layer &B:", self.second)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.overlaid)
        layout.addWidget(self.side_by_side)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        for combo in (self.first, self.second):
            combo.currentIndexChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        same = self.first.currentData() == self.second.currentData()
        self.problem.setText("Pick two different layers." if same else "")
        self.problem.setVisible(same)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not same)

    def choice(self) -> LayerChoice:
        return LayerChoice(
            LayerMode.COMPARE,
            self.first.currentData(),
            self.second.currentData(),
            self.side_by_side.isChecked(),
        )


class LayerControls(QObject):
    """Wires the session's LayerState to menus, toolbar, status bar, title and settings."""

    def __init__(
        self,
        window: QMainWindow,
        session: ProjectSession,
        settings: Settings,
        view_menu: QMenu,
        actions: dict[str, QAction],
    ) -> None:
        super().__init__(window)
        self.window, self.session, self.settings = window, session, settings
        self._layers: list[tuple[str, str]] | None = None  # this turn's layers()
        self.state = session.layer
        self._actions = actions
        self.my_layer = self._action("layer_mine", "&My layer", MY_LAYER_KEY, checkable=True)
        self.my_layer.triggered.connect(lambda: self.choose(MY_LAYER))
        self.all_layers = self._action("layer_all", "&All layers (read-only)", checkable=True)
        self.all_layers.triggered.connect(lambda: self.choose(LayerChoice(LayerMode.ALL)))
        self.compare = self._action(
            "layer_compare", "&Compare two layers…", tip="Two layers, differences marked"
        )
        self.compare.triggered.connect(self.ask_compare)
        self.side_by_side = self._action("layer_side_by_side", "Compare &side by side")
        self.side_by_side.setCheckable(True)
        self.side_by_side.toggled.connect(self._set_side_by_side)
        self.blind = self._action(
            "blind_mode",
            "&Blind mode",
            BLIND_KEY,
            checkable=True,
            tip="Hide other annotators' work while you annotate (remembered)",
        )
        self.blind.toggled.connect(self.set_blind)
        self.next_difference = self._action(
            "layer_next_difference",
            "&Next difference",
            "F8",
            tip="Compare mode: go to the next span the two layers disagree on",
        )
        self.next_difference.triggered.connect(lambda: self.step_difference(1))
        self.previous_difference = self._action(
            "layer_previous_difference", "&Previous difference", "Shift+F8"
        )
        self.previous_difference.triggered.connect(lambda: self.step_difference(-1))
        self.diff: LayerDiff | None = None
        self._difference = -1  # index into the differences of the last one gone to
        self.group = QActionGroup(self)
        self.menu = view_menu.addMenu("&Layer")
        self.menu.setObjectName("layer_menu")
        self.menu.setToolTipsVisible(True)
        self.menu.aboutToShow.connect(self._fill_menu)
        self._fill_menu()
        self._build_toolbar()
        self.status = QLabel(window)
        self.status.setObjectName("layer_status")
        window.statusBar().addPermanentWidget(self.status)
        self.state.changed.connect(self.refresh)
        session.changed.connect(self._on_changes)  # a bound method: disconnected with us

    def _on_changes(self, changes: ChangeSet) -> None:
        if not changes.annotators:
            return
        self._layers = None  # an annotator came or went within this turn
        choice = self.state.choice  # e.g. Help ▸ Change annotator to the one shown
        if choice.mode is LayerMode.LAYER and choice.first == self.session.annotator:
            self.state.set_choice(MY_LAYER)
        self.refresh()

    def _action(
        self, key: str, text: str, shortcut: str = "", *, checkable: bool = False, tip: str = ""
    ) -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.setCheckable(checkable)
        self.window.addAction(action)  # shortcuts work whether or not the menu was opened
        self._actions[key] = action
        return action

    # -- the layers there are ----------------------------------------------------------------
    def layers(self) -> list[tuple[str, str]]:
        """(uuid, name) of every layer: mine first, then the others, the gold layer last.
        Read once per event-loop turn: the window's construction (menu, chooser, status)
        asked four times in the turn before its first frame."""
        if self._layers is None:
            with self.session.read() as read:
                annotators = [(a.uuid, a.name) for a in read.annotators() if not is_gold(a.uuid)]
            me = self.session.annotator
            mine = [(uuid, name) for uuid, name in annotators if uuid == me]
            others = [(uuid, name) for uuid, name in annotators if uuid != me]
            self._layers = [*mine, *others, (GOLD_ANNOTATOR_UUID, "Gold")]
            QTimer.singleShot(0, self._forget_layers)
        return list(self._layers)

    def _forget_layers(self) -> None:
        self._layers = None

    # -- choosing ----------------------------------------------------------------------------
    def choose(self, choice: LayerChoice) -> None:
        if not self.state.set_choice(choice):
            self.session.message.emit(BLIND_TIP)
        self.refresh()  # a refused choice puts the menu and chooser back

    def ask_compare(self) -> None:
        if self.state.blind:
            self.session.message.emit(BLIND_TIP)
            self.refresh()
            return
        layers = self.layers()
        dialog = CompareDialog(layers, self.state.choice, self.session.annotator, self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.choose(dialog.choice())
        else:
            self.refresh()

    def _set_side_by_side(self, on: bool) -> None:
        choice = self.state.choice
        if choice.mode is LayerMode.COMPARE and choice.side_by_side != on:
            self.choose(LayerChoice(choice.mode, choice.first, choice.second, on))

    def set_blind(self, on: bool) -> None:
        self.settings.blind = on
        self.state.set_blind(on)
        if on:  # an open Agreement or Curation window shows others' work: close it too
            for name in ("agreement_window", "curation_window"):
                window = getattr(self.window, name, None)
                if window is not None:
                    window.close()
        self.refresh()

    def restore(self) -> None:
        self.blind.setChecked(self.settings.blind)
        self.refresh()

    # -- showing the choice ------------------------------------------------------------------
    def _fill_menu(self) -> None:
        menu, state, me = self.menu, self.state, self.session.annotator
        menu.clear()
        for action in self.group.actions():
            self.group.removeAction(action)
            if action not in (self.my_layer, self.all_layers):
                action.deleteLater()
        menu.addAction(self.my_layer)
        self.group.addAction(self.my_layer)
        menu.addSeparator()
        for uuid, name in self.layers():
            if uuid == me:
                continue
            action = QAction(f"{name}'s layer (read-only)" if not is_gold(uuid) else name, menu)
            action.setCheckable(True)
            action.setChecked(state.choice == LayerChoice(LayerMode.LAYER, uuid))
            action.triggered.connect(
                lambda _=False, u=uuid: self.choose(LayerChoice(LayerMode.LAYER, u))
            )
            self._blind_guard(action)
            self.group.addAction(action)
            menu.addAction(action)
        menu.addAction(self.all_layers)
        self.group.addAction(self.all_layers)
        menu.addSeparator()
        menu.addAction(self.compare)
        menu.addAction(self.side_by_side)
        menu.addAction(self.next_difference)
        menu.addAction(self.previous_difference)
        menu.addSeparator()
        menu.addAction(self.blind)
        self._sync_actions()

    def _blind_guard(self, action: QAction) -> None:
        action.setEnabled(not self.state.blind)
        if self.state.blind:
            action.setToolTip(BLIND_TIP)

    def _sync_actions(self) -> None:
        state, mode = self.state, self.state.choice.mode
        blind = state.blind
        self.my_layer.setChecked(blind or mode is LayerMode.MINE)
        self.all_layers.setChecked(not blind and mode is LayerMode.ALL)
        for action in (self.all_layers, self.compare):
            action.setEnabled(not blind)
            action.setToolTip(BLIND_TIP if blind else action.statusTip())
        self.side_by_side.setEnabled(state.comparing)
        self.next_difference.setEnabled(state.comparing)
        self.previous_difference.setEnabled(state.comparing)
        self.side_by_side.blockSignals(True)
        self.side_by_side.setChecked(state.side_by_side)
        self.side_by_side.blockSignals(False)
        self.blind.blockSignals(True)
        self.blind.setChecked(blind)
        self.blind.blockSignals(False)
        for key in ("agreement", "curate"):  # their figures and passages are others' work
            action = self._actions.get(key)
            if action is not None:
                action.setEnabled(not blind)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Layer", self.window)
        bar.setObjectName("layer_bar")
        self.toolbar = bar
        label = QLabel(" Layer ", bar)
        bar.addWidget(label)
        self.chooser = QComboBox(bar)
        self.chooser.setObjectName("layer_chooser")
        self.chooser.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.chooser.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.chooser.setToolTip(f"Whose annotations the reading pane shows ({MY_LAYER_KEY}: mine)")
        self.chooser.activated.connect(self._on_chooser)
        bar.addWidget(self.chooser)
        self.legend = QWidget(bar)
        self.legend.setObjectName("compare_legend")
        row = QHBoxLayout(self.legend)
        row.setContentsMargins(10, 0, 4, 0)
        row.setSpacing(4)
        self.legend_labels: dict[DiffKind, QLabel] = {}
        for kind in DIFF_STYLES:
            swatch = QLabel(self.legend)
            swatch.setPixmap(legend_pixmap(kind))
            text = QLabel(self.legend)
            text.setObjectName(f"legend_{kind.value}")
            row.addWidget(swatch)
            row.addWidget(text)
            row.addSpacing(8)
            self.legend_labels[kind] = text
        self.same_label = QLabel(self.legend)
        row.addWidget(self.same_label)
        self.legend_action = bar.addWidget(self.legend)
        self.window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self._fill_chooser()

    def _fill_chooser(self) -> None:
        chooser, state, me = self.chooser, self.state, self.session.annotator
        chooser.blockSignals(True)
        chooser.clear()
        names = dict(self.layers())
        chooser.addItem(f"My layer ({state.name(me)})", MY_LAYER)
        for uuid, name in names.items():
            if uuid != me:
                chooser.addItem(name, LayerChoice(LayerMode.LAYER, uuid))
        chooser.addItem("All layers", LayerChoice(LayerMode.ALL))
        if state.comparing:
            choice = state.choice
            a, b = names.get(choice.first, "?"), names.get(choice.second, "?")
            chooser.addItem(f"Compare {a} / {b}", choice)
        chooser.addItem("Compare…", COMPARE)
        model = chooser.model()
        assert isinstance(model, QStandardItemModel)
        for row in range(1, chooser.count()):  # all but "My layer"
            item = model.item(row)
            item.setEnabled(not state.blind)
            item.setToolTip(BLIND_TIP if state.blind else "Read-only")
        current = MY_LAYER if state.blind else state.choice
        for row in range(chooser.count()):
            if chooser.itemData(row) == current:
                chooser.setCurrentIndex(row)
        chooser.blockSignals(False)

    def _on_chooser(self, row: int) -> None:
        data = self.chooser.itemData(row)
        if data == COMPARE:
            self.ask_compare()
        elif isinstance(data, LayerChoice):
            self.choose(data)

    def show_legend(self, diff: LayerDiff | None) -> None:
        """Compare mode's legend with the counts of each kind of difference."""
        self.legend_action.setVisible(diff is not None)
        self.diff, self._difference = diff, -1
        if diff is None:
            return
        choice = self.state.choice
        names = {"a": self.state.name(choice.first), "b": self.state.name(choice.second)}
        for kind, label in self.legend_labels.items():
            words = DIFF_STYLES[kind][2].format(**names)
            label.setText(f"{words} ({diff.count(kind)})")
        self.same_label.setText(f"· {diff.count(DiffKind.SAME)} the same")

    def refresh(self) -> None:
        self._sync_actions()
        self._fill_chooser()
        read_only = not self.state.editable
        self.status.setText(f"Layer: {self.state.describe()}")
        self.status.setStyleSheet(READ_ONLY_STYLE if read_only else EDITABLE_STYLE)
        if not self.state.comparing:
            self.legend_action.setVisible(False)

    def step_difference(self, step: int) -> None:
        """Select the next (step 1) or previous (-1) span the compared layers disagree on."""
        entries = [e for e in self.diff.entries if e.kind is not DiffKind.SAME] if self.diff else []
        if not self.state.comparing or not entries:
            self.session.message.emit(
                "No differences here" if self.state.comparing else "Compare two layers first"
            )
            return
        if self._difference < 0 and step < 0:
            self._difference = 0
        self._difference = (self._difference + step) % len(entries)
        entry = entries[self._difference]
        span = entry.a if entry.a is not None else entry.b
        assert span is not None
        choice = self.state.choice
        names = {"a": self.state.name(choice.first), "b": self.state.name(choice.second)}
        what = DIFF_STYLES[entry.kind][2].format(**names)
        self.session.select_span(span.uuid)
        self.window.view.scroll_to(span.start)
        self.session.message.emit(
            f"Difference {self._difference + 1} of {len(entries)}: {what} · “{span.quote[:60]}”"
        )
