"""Charts follow the dark theme: figure, axes, ticks, labels, legend and point labels take the
window's colours; heat-map numbers keep the colour chosen against their cell; the light theme
keeps matplotlib's own look."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette

pytest.importorskip("matplotlib")

from matplotlib.colors import to_hex

from annotator.gui.analytics.chart_canvas import ChartCanvas
from annotator.services.analytics.charts import bar_chart, heat_map
from annotator.services.analytics.statistics import Table


def _table() -> Table:
    return Table(columns=["actor", "event"], rows=["one", "two"], counts={("one", "actor"): 3})


def _canvas(qtbot, dark: bool) -> ChartCanvas:
    canvas = ChartCanvas()
    qtbot.addWidget(canvas)
    palette = canvas.palette()
    if dark:
        palette.setColor(QPalette.ColorRole.Window, QColor("#1e1f22"))
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#e6e6e6"))
        palette.setColor(QPalette.ColorRole.Base, QColor("#17181b"))
    else:
        palette.setColor(QPalette.ColorRole.Window, QColor("#efefef"))
    canvas.setPalette(palette)
    return canvas


def test_a_chart_in_the_dark_theme_takes_the_window_colours(qtbot):
    canvas = _canvas(qtbot, dark=True)
    canvas.show_chart(lambda: bar_chart(_table(), "Spans per tag"))
    figure = canvas.chart.figure
    axes = figure.axes[0]
    assert to_hex(figure.get_facecolor()) == "#1e1f22"
    assert to_hex(axes.get_facecolor()) == "#17181b"
    assert to_hex(axes.title.get_color()) == "#e6e6e6"
    assert all(to_hex(t.get_color()) == "#e6e6e6" for t in axes.get_xticklabels())
    legend = axes.get_legend()
    assert legend is not None and all(
        to_hex(t.get_color()) == "#e6e6e6" for t in legend.get_texts()
    )


def test_heat_map_numbers_keep_their_contrast_with_the_cell(qtbot):
    canvas = _canvas(qtbot, dark=True)
    canvas.show_chart(lambda: heat_map(_table(), "Co-occurrence"))
    numbers = canvas.chart.figure.axes[0].texts
    assert numbers and {to_hex(t.get_color()) for t in numbers} <= {"#ffffff", "#000000"}


def test_the_light_theme_keeps_the_chart_as_drawn(qtbot):
    canvas = _canvas(qtbot, dark=False)
    canvas.show_chart(lambda: bar_chart(_table(), "Spans per tag"))
    figure = canvas.chart.figure
    assert to_hex(figure.get_facecolor()) == "#ffffff"
    assert to_hex(figure.axes[0].title.get_color()) == "#000000"
