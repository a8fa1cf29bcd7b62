"""LayerState: which annotator layer(s) the reading pane, tables and inspector show, blind mode,
and the refusal of span and link edits while a read-only layer is shown."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, Signal

from annotator.domain.layer_diff import (
    MY_LAYER,
    LayerChoice,
    LayerDiff,
    LayerMode,
    diff_layers,
    in_layers,
    shown_annotators,
    shown_links,
)
from annotator.domain.layers import is_gold
from annotator.domain.model import Link, Span
from annotator.services.command import Command, Compound
from annotator.services.link_commands import CreateLink, DeleteLinks, EditLink
from annotator.services.span_commands import CreateSpan, DeleteSpans, EditSpan

#: Commands that change a layer's spans or links (attributes, notes and entities included).
LAYER_EDITS = (CreateSpan, EditSpan, DeleteSpans, CreateLink, DeleteLinks, EditLink)

MY_LAYER_KEY = "Ctrl+Shift+M"


def is_layer_edit(command: Command) -> bool:
    if isinstance(command, Compound):
        return any(is_layer_edit(c) for c in command.commands)
    return isinstance(command, LAYER_EDITS)


class LayerState(QObject):
    """The session's layer choice. `me()` is the current annotator's uuid and `names()` the
    annotators' names by uuid (both read when needed: the annotator can change)."""

    changed = Signal()

    def __init__(
        self,
        me: Callable[[], str],
        names: Callable[[], dict[str, str]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._me, self._names = me, names
        self.choice = MY_LAYER
        self.blind = False

    # -- changing ----------------------------------------------------------------------------
    def set_choice(self, choice: LayerChoice) -> bool:
        """Show `choice`; refused (False) in blind mode unless it is my layer."""
        if choice.mode is LayerMode.LAYER and choice.first == self._me():
            choice = MY_LAYER  # my own layer is the editable one
        if self.blind and choice.mode is not LayerMode.MINE:
            return False
        if choice != self.choice:
            self.choice = choice
            self.changed.emit()
        return True

    def show_layer_of(self, annotator: str) -> None:
        """Show `annotator`'s layer (mine: editable; another's: read-only), e.g. to jump to
        one of its spans; a no-op in blind mode for another's."""
        if annotator == self._me():
            self.set_choice(MY_LAYER)
        else:
            self.set_choice(LayerChoice(LayerMode.LAYER, annotator))

    def set_blind(self, on: bool) -> None:
        """Blind mode: only my layer, and no other can be chosen while it is on."""
        on = bool(on)
        if on == self.blind:
            return
        self.blind = on
        if on:
            self.choice = MY_LAYER
        self.changed.emit()

    # -- what is shown -----------------------------------------------------------------------
    @property
    def editable(self) -> bool:
        return self.blind or self.choice.editable

    @property
    def comparing(self) -> bool:
        return not self.blind and self.choice.mode is LayerMode.COMPARE

    @property
    def side_by_side(self) -> bool:
        return self.comparing and self.choice.side_by_side

    def annotators(self) -> frozenset[str] | None:
        """Whose work the tables and the inspector show (None: everyone's)."""
        return shown_annotators(self.choice, self._me(), blind=self.blind)

    def shows(self, annotator: str) -> bool:
        shown = self.annotators()
        return shown is None or annotator in shown

    def filter(self, items: Iterable) -> list:
        """The spans or links of the shown layers."""
        return in_layers(items, self.annotators())

    def diff(self, spans: Iterable[Span]) -> LayerDiff:
        """Layer A against layer B among a document's spans (compare mode)."""
        spans = list(spans)
        first, second = self.choice.first, self.choice.second
        a = [s for s in spans if s.annotator == first]
        b = [s for s in spans if s.annotator == second]
        return diff_layers(a, b)

    def pane_content(
        self, spans: list[Span], links: list[Link]
    ) -> tuple[list[Span], list[Link], LayerDiff | None]:
        """What the main reading pane draws: the shown layer, or layer A (side by side), or
        A and B overlaid (with the diff whose differences it marks)."""
        if not self.comparing:
            annotators = self.annotators()
            shown = in_layers(spans, annotators)
            return shown, shown_links(links, annotators, {s.uuid for s in shown}), None
        diff = self.diff(spans)
        first, second = self.choice.first, self.choice.second
        if self.side_by_side:  # layer B goes to the second pane
            annotators = frozenset({first})
            shown = in_layers(spans, annotators)
        else:
            annotators = frozenset({first, second})
            shown = diff.overlay_spans()
        return shown, shown_links(links, annotators, {s.uuid for s in shown}), diff

    # -- telling the user --------------------------------------------------------------------
    def name(self, annotator: str) -> str:
        if is_gold(annotator):
            return "Gold"
        return self._names().get(annotator, "?")

    def describe(self) -> str:
        """The layer as the status bar and the window title say it."""
        choice = self.choice
        if self.blind:
            return f"My layer ({self.name(self._me())}), blind"
        if choice.mode is LayerMode.MINE:
            return f"My layer ({self.name(self._me())})"
        if choice.mode is LayerMode.LAYER:
            return f"{self.name(choice.first)}'s layer, read-only"
        if choice.mode is LayerMode.ALL:
            return "All layers, read-only"
        how = "side by side" if choice.side_by_side else "overlaid"
        return f"Compare {self.name(choice.first)} / {self.name(choice.second)} ({how}), read-only"

    def refusal(self, command: Command) -> str:
        """Why `command` may not run now ("" when it may)."""
        if self.editable or not is_layer_edit(command):
            return ""
        return self.read_only_message()

    def read_only_message(self) -> str:
        return (
            f"Not changed: {self.describe()}. Choose View ▸ Layer ▸ My layer "
            f"({MY_LAYER_KEY}) to annotate."
        )
