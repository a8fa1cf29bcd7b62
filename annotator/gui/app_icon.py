"""The application icon: resources/icons/annotator.svg, and its PNG sizes rendered with Qt.

The PNGs under resources/icons/hicolor/ are made from the SVG by `python -m
annotator.gui.app_icon` (tests/gui/test_desktop_files.py checks they still match it), so the
desktop installer (annotator/desktop) copies files and needs no Qt."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QIcon

from annotator.desktop import PNG_SIZES
from annotator.resources import resource_path

if TYPE_CHECKING:
    from PySide6.QtGui import QImage


def svg_path() -> Path:
    return resource_path("icons/annotator.svg")


def render(size: int) -> QImage:
    """The icon drawn at size × size pixels on a transparent background."""
    # Only to (re)make the PNGs (a maintainer's tool): the window's icon is the PNG files, so
    # the app does not load the SVG renderer or these classes at start.
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(svg_path())).render(painter)
    painter.end()
    return image


def png_bytes(size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    render(size).save(buffer, "PNG")
    return bytes(data.data())


def app_icon() -> QIcon:
    """The window and task-bar icon: the PNG sizes (crisp at 16-24 px, where an SVG scaled
    down blurs), else the SVG."""
    icon = QIcon()
    for size in PNG_SIZES:
        try:
            icon.addFile(str(resource_path(f"icons/hicolor/{size}x{size}/apps/annotator.png")))
        except FileNotFoundError:
            continue
    if icon.isNull():  # the PNGs are missing: the SVG alone (Qt's svg icon engine)
        icon = QIcon(str(svg_path()))
    return icon


def write_pngs(root: Path) -> list[Path]:
    """(Re)write root/hicolor/NxN/apps/annotator.png for every size."""
    written = []
    for size in PNG_SIZES:
        target = root / "hicolor" / f"{size}x{size}" / "apps" / "annotator.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(png_bytes(size))
        written.append(target)
    return written


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    for path in write_pngs(Path(sys.argv[1]) if len(sys.argv) > 1 else svg_path().parent):
        print(path)
