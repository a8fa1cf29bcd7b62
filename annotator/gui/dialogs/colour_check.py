"""The schema editor's colour warning: a tag (or link) colour too close to another one's, or
a fill too close to the reading pane's selection colour, judged by CIEDE2000 (not RGB
distance) in both the light and the dark theme."""

from __future__ import annotations

from collections.abc import Mapping

from annotator.domain.colours import TOO_CLOSE, blend, difference
from annotator.domain.wording import quoted
from annotator.gui.reading.theme import DARK, LIGHT


def selection_difference(color: str) -> tuple[float, str]:
    """The smallest CIEDE2000 difference between a span fill of `color` (plain or selected,
    as the reading pane lays it over the page) and the selection colour, and in which theme."""
    found = []
    for theme, name in ((LIGHT, "light"), (DARK, "dark")):
        for alpha in (theme.tint_alpha, theme.selected_alpha):
            found.append((difference(blend(color, theme.base, alpha), theme.selection), name))
    return min(found)


def colour_warning(color: str, others: Mapping[str, str], *, fills: bool = True) -> str:
    """A sentence when `color` is too close to a colour of `others` (label: colour) or, for
    `fills` (a tag's, drawn behind text), to the selection colour; "" when it reads apart."""
    close = sorted((difference(color, other), label) for label, other in others.items())
    if close and close[0][0] < TOO_CLOSE:
        value, label = close[0]
        return (
            f"This colour is close to {quoted(label)} (difference {value:.0f}, at least "
            f"{TOO_CLOSE:.0f} reads apart): the two may be hard to tell apart"
        )
    value, theme = selection_difference(color)
    if fills and value < TOO_CLOSE:
        return (
            f"This colour is close to the selection colour of the {theme} theme (difference "
            f"{value:.0f}): a selected passage may look tagged"
        )
    return ""
