"""ChartCanvas: a matplotlib Chart on a QtAgg canvas; a click on a bar, point or heat-map cell
emits its key; the chart exports as PNG, SVG or the CSV of its table."""

from __future__ import annotations

import csv

from PySide6.QtCore import Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFileDialog, QLabel, QVBoxLayout, QWidget

from annotator.errors import AnnotatorError
from annotator.services.analytics.charts import Chart
from annotator.services.analytics.extras import require


class ChartCanvas(QWidget):
    picked = Signal(str, str)  # row, column (a heat-map cell, a bar segment, a timeline point)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart: Chart | None = None
        self.canvas = None
        self.note = QLabel()
        self.note.setWordWrap(True)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.note)
        self.note.hide()

    def show_chart(self, build) -> None:
        """Draw `build()` (a Chart); a missing plotting library is said, not raised."""
        try:
            chart = build()
            backend = require("matplotlib.backends.backend_qtagg")
        except AnnotatorError as error:
            self.note.setText(f"No chart: {error}")
            self.note.show()
            return
        self.note.hide()
        if self.canvas is not None:
            self._layout.removeWidget(self.canvas)
            self.canvas.deleteLater()
        self.chart = chart
        follow_palette(chart.figure, self.palette())
        self.canvas = backend.FigureCanvasQTAgg(chart.figure)
        self.canvas.mpl_connect("pick_event", self._pick)
        self.canvas.mpl_connect("button_press_event", self._press)
        self._layout.addWidget(self.canvas, 1)
        self.canvas.draw_idle()

    def _pick(self, event) -> None:
        if self.chart is None or event.artist not in self.chart.picks:
            return
        found = self.chart.picks[event.artist]
        if isinstance(found, list):  # a line of points: the first point under the mouse
            indices = getattr(event, "ind", None)
            if indices is None or not len(indices):
                return
            found = found[int(indices[0])]
        self.picked.emit(*found)

    def _press(self, event) -> None:
        chart = self.chart
        if chart is None or chart.grid is None or event.xdata is None or event.ydata is None:
            return
        rows, columns = chart.grid
        row, column = round(event.ydata), round(event.xdata)
        if 0 <= row < len(rows) and 0 <= column < len(columns):
            self.picked.emit(rows[row], columns[column])

    def export(self, header: list[str], rows: list[list[object]], name: str) -> str:
        """Ask for a file; write the chart (PNG/SVG) or its table (CSV). Returns a message."""
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the chart", f"{name}.png", "PNG (*.png);;SVG (*.svg);;CSV (*.csv)"
        )
        return self.export_to(path, header, rows) if path else ""

    def export_to(self, path: str, header: list[str], rows: list[list[object]]) -> str:
        try:
            if path.lower().endswith(".csv"):
                with open(path, "w", newline="", encoding="utf-8") as out:
                    writer = csv.writer(out)
                    writer.writerow(header)
                    writer.writerows(rows)
            elif self.chart is not None:
                self.chart.figure.savefig(path, dpi=150)
            else:
                return "Nothing to export"
        except (OSError, ValueError) as error:
            return f"Cannot export: {error}"
        return f"Wrote {path}"


def follow_palette(figure, palette: QPalette) -> None:
    """Draw a chart in the window's colours when they are dark (the dark theme): the figure
    and its axes take the window's background, and ticks, labels, titles and legends its
    text colour. A light palette leaves matplotlib's own look, which the report also uses."""
    window = palette.color(QPalette.ColorRole.Window)
    if window.lightness() >= 128:
        return
    text = palette.color(QPalette.ColorRole.WindowText).name()
    base = palette.color(QPalette.ColorRole.Base).name()
    figure.set_facecolor(window.name())
    for axes in figure.axes:
        axes.set_facecolor(base)
        axes.tick_params(colors=text, which="both")
        for spine in axes.spines.values():
            spine.set_edgecolor(text)
        for label in (axes.xaxis.label, axes.yaxis.label, axes.title):
            label.set_color(text)
        for label in axes.texts:  # labels beside points; a heat map's cell numbers keep
            if type(label).__name__ == "Annotation":  # the colour chosen against their cell
                label.set_color(text)
        legend = axes.get_legend()
        if legend is not None:
            legend.get_frame().set_facecolor(base)
            for entry in legend.get_texts():
                entry.set_color(text)
    for label in figure.texts:
        label.set_color(text)
