"""The app's icon: the committed PNG sizes are the SVG rendered by Qt (annotator.gui.app_icon)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

from annotator.desktop.freedesktop import PNG_SIZES
from annotator.gui.app_icon import app_icon, render
from annotator.resources import resource_path


@pytest.mark.parametrize("size", PNG_SIZES)
def test_each_png_is_the_svg_rendered_at_its_size(size: int) -> None:
    stored = QImage(str(resource_path(f"icons/hicolor/{size}x{size}/apps/annotator.png")))
    fresh = render(size).convertToFormat(stored.format())
    assert (stored.width(), stored.height()) == (size, size)
    differences = [
        abs(stored.pixelColor(x, y).alpha() - fresh.pixelColor(x, y).alpha())
        + abs(stored.pixelColor(x, y).red() - fresh.pixelColor(x, y).red())
        for x in range(size)
        for y in range(size)
    ]
    assert max(differences) <= 8, "re-render with `python -m annotator.gui.app_icon`"
    assert fresh.pixelColor(size // 2, size // 2).alpha() == 255  # drawn, not empty


def test_the_window_icon_has_every_size(qtbot) -> None:
    icon = app_icon()
    assert not icon.isNull()
    assert {s.width() for s in icon.availableSizes()} >= set(PNG_SIZES)
