"""The reading pane compares the two layers being adjudicated, and gets its layer back after."""

from __future__ import annotations

from annotator.domain.layer_diff import LayerChoice, LayerMode
from annotator.gui.layers import LayerState


class TextCompare:
    """Puts the first two chosen annotators' layers side by side in the reading pane, once per
    choice, and remembers what the pane showed before so `restore` can give it back."""

    def __init__(self, layer: LayerState) -> None:
        self.layer = layer
        self._pair: tuple[str, ...] = ()  # the pair last compared
        self._before: LayerChoice | None = None  # the layer shown before the first compare

    def compare(self, pair: tuple[str, ...]) -> bool:
        """Compare `pair` (two uuids) unless it already is; True if the pane changed (blind
        mode refuses; the user may have picked another layer meanwhile)."""
        if len(pair) != 2 or pair == self._pair:
            return False
        self._pair = pair
        before = self.layer.choice
        if not self.layer.set_choice(LayerChoice(LayerMode.COMPARE, *pair)):
            return False
        if self._before is None:
            self._before = before
        return True

    def restore(self) -> None:
        """The layer shown before, unless the user has chosen another since the compare."""
        if self._before is not None and self.layer.choice == LayerChoice(
            LayerMode.COMPARE, *self._pair
        ):
            self.layer.set_choice(self._before)
        self._before, self._pair = None, ()
