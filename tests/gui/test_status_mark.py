"""The document status mark (issue 13): its column has a header in the compact list too, and
the "done" mark reads on a selected row (a white halo and check against the highlight)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter

from annotator.domain.colours import contrast
from annotator.gui.panels.common import STATUS_COLORS, status_icon


def _on(background: str, status: str) -> QImage:
    image = QImage(32, 32, QImage.Format.Format_RGB32)
    image.fill(QColor(background))
    painter = QPainter(image)
    status_icon(status).paint(painter, 0, 0, 32, 32)
    painter.end()
    return image


def test_the_done_mark_stands_out_on_the_selection_highlight(qapp) -> None:
    for highlight in ("#2f6fb3", "#4c8ed9"):  # the light and dark themes' row highlight
        image = _on(highlight, "done")
        colours = {image.pixelColor(x, y).name() for x in range(32) for y in range(32)}
        # the halo and the check are white: contrast >= 3 with the highlight wherever it is
        best = max(contrast(c, highlight) for c in colours)
        assert best >= 3.0, (highlight, best)
        assert contrast(STATUS_COLORS["done"], highlight) < 3.0  # the plain dot did not


def test_the_three_marks_differ_by_shape_not_only_colour(qapp) -> None:
    grey = [
        _on("#ffffff", s).convertToFormat(QImage.Format.Format_Grayscale8) for s in STATUS_COLORS
    ]
    assert len({bytes(g.constBits()) for g in grey}) == 3


def test_the_status_column_has_a_header_in_the_compact_list(qtbot, ada_window) -> None:
    model = ada_window.documents.model
    model.set_compact(True)
    header = model.headerData(model.STATUS, Qt.Orientation.Horizontal)
    assert header and header.strip()
    tip = model.headerData(model.STATUS, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "status" in tip.lower()
