"""Colours, tints and the reading font of the reading pane, for the light and the dark theme."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette, QTextCharFormat

__all__ = ["DARK", "LIGHT", "Theme", "reading_font"]

#: Preferred reading faces, first installed one wins (screen serifs with open counters first).
SERIF_FAMILIES = (
    "Source Serif 4",
    "Source Serif Pro",
    "Literata",
    "Charter",
    "Bitstream Charter",
    "Georgia",
    "Noto Serif",
    "PT Serif",
    "Cambria",
    "Liberation Serif",
    "DejaVu Serif",
)
DEFAULT_POINT_SIZE = 12.0


@dataclass(frozen=True, slots=True)
class Theme:
    """Palette of the reading pane; tints are tag colours blended into ``base``."""

    dark: bool
    base: str  # page background
    text: str
    selection: str  # background of the user's text selection
    tint_alpha: float  # span background = tag colour at this opacity over base
    selected_alpha: float  # selected span background
    search_hit: str
    current_hit: str
    suggestion: str
    label_bg: str  # behind arc labels
    underline_lighten: float  # mix tag colours with white by this much (dark theme: brighter)

    def palette(self, base: QPalette) -> QPalette:
        """A copy of ``base`` with the reading colours for the editor and its margins."""
        pal = QPalette(base)
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            pal.setColor(group, QPalette.ColorRole.Base, QColor(self.base))
            pal.setColor(group, QPalette.ColorRole.Window, QColor(self.base))
            pal.setColor(group, QPalette.ColorRole.Text, QColor(self.text))
            pal.setColor(group, QPalette.ColorRole.Highlight, QColor(self.selection))
            pal.setColor(group, QPalette.ColorRole.HighlightedText, QColor(self.text))
        return pal

    def tint(self, color: str, alpha: float | None = None) -> QColor:
        """The opaque colour of ``color`` laid at ``alpha`` over the page background."""
        return _blend(color, self.base, self.tint_alpha if alpha is None else alpha)

    def ink(self, color: str) -> QColor:
        """A tag colour adjusted for lines drawn on this background."""
        return QColor(_ink(color, self.underline_lighten))

    def tint_format(self, color: str, alpha: float | None = None) -> QTextCharFormat:
        """Cached char format with the span background (never changes metrics)."""
        return _format(self.tint(color, alpha).name())


LIGHT = Theme(
    dark=False,
    base="#fbfaf7",
    text="#1d1d1f",
    selection="#b0b0bc",  # a cool grey: CIEDE2000 >= 14 from every default tag fill
    tint_alpha=0.15,
    selected_alpha=0.36,
    search_hit="#fbe7a1",
    current_hit="#f0a500",
    suggestion="#5f6b7a",
    label_bg="#fbfaf7",
    underline_lighten=0.0,
)
DARK = Theme(
    dark=True,
    base="#1e1f22",
    text="#dcdcdc",
    selection="#444a68",  # slate: CIEDE2000 >= 12 from every default tag fill
    tint_alpha=0.22,
    selected_alpha=0.45,
    search_hit="#5a4d1c",
    current_hit="#e0a526",
    suggestion="#9aa7b5",
    label_bg="#1e1f22",
    underline_lighten=0.25,
)


def _blend(top: str, bottom: str, alpha: float) -> QColor:
    t, b = QColor(top), QColor(bottom)
    return QColor(
        round(t.red() * alpha + b.red() * (1 - alpha)),
        round(t.green() * alpha + b.green() * (1 - alpha)),
        round(t.blue() * alpha + b.blue() * (1 - alpha)),
    )


@lru_cache(maxsize=256)
def _ink(color: str, lighten: float) -> str:
    return color if lighten <= 0 else _blend("#ffffff", color, lighten).name()


@lru_cache(maxsize=256)
def _format(background: str) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setBackground(QColor(background))
    return fmt


def reading_font(point_size: float = DEFAULT_POINT_SIZE) -> QFont:
    """The first installed face of SERIF_FAMILIES, else the system's serif, at ``point_size``."""
    installed = set(QFontDatabase.families())
    family = next((f for f in SERIF_FAMILIES if f in installed), None)
    font = QFont(family) if family else QFont()
    if family is None:
        font.setStyleHint(QFont.StyleHint.Serif)
    font.setPointSizeF(point_size)
    font.setHintingPreference(QFont.HintingPreference.PreferVerticalHinting)
    return font
