"""Colours that read (issue 13): the default palette's fills keep body text readable in both
themes, the selection colour stands apart from every tag fill (CIEDE2000), and the schema
editor warns when a chosen colour is too close to another tag's or to the selection."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog

from annotator.domain.colours import TOO_CLOSE, blend, contrast, difference
from annotator.gui.dialogs.colour_check import selection_difference
from annotator.gui.dialogs.schema_editor import SchemaEditor
from annotator.gui.reading.theme import DARK, LIGHT

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}


def _tag_colours() -> dict[str, str]:
    schema = json.loads((RESOURCES / "default_schema.json").read_text(encoding="utf-8"))
    return {t["key"]: t["color"] for t in schema["tag_types"]}


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_text_reads_on_every_tag_fill_and_on_the_selection(theme) -> None:
    for key, color in _tag_colours().items():
        for alpha in (theme.tint_alpha, theme.selected_alpha):
            fill = blend(color, theme.base, alpha)
            assert contrast(theme.text, fill) >= 4.5, (key, alpha, fill)
    assert contrast(theme.text, theme.selection) >= 4.5


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_the_selection_is_no_tag_colour(theme) -> None:
    for key, color in _tag_colours().items():
        for alpha in (theme.tint_alpha, theme.selected_alpha):
            fill = blend(color, theme.base, alpha)
            assert difference(fill, theme.selection) >= TOO_CLOSE, (key, alpha)


def test_default_tags_are_okabe_ito_and_far_apart() -> None:
    colours = _tag_colours()
    # Okabe-Ito hues; the orange is darkened (#E69F00 -> #B87D00) for 3:1 against white.
    assert set(colours.values()) - OKABE_ITO == {"#B87D00"}
    for a, b in combinations(colours, 2):
        assert difference(colours[a], colours[b]) >= 3 * TOO_CLOSE, (a, b)


@pytest.fixture
def editor(qtbot, sample_session) -> SchemaEditor:
    widget = SchemaEditor(sample_session)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _choose(qtbot, editor, monkeypatch, color: str) -> str:
    monkeypatch.setattr(QColorDialog, "getColor", lambda *args: QColor(color))
    qtbot.mouseClick(editor.tag_form.color, Qt.MouseButton.LeftButton)
    editor.session.flush()
    warning = editor.tag_form.color_warning
    return warning.text() if warning.isVisibleTo(editor) else ""


def test_the_schema_editor_warns_of_a_colour_close_to_another_or_the_selection(
    qtbot, editor, monkeypatch
) -> None:
    assert editor.current() == ("tag", "actor")
    assert _choose(qtbot, editor, monkeypatch, "#B87D00") == ""  # its own: no warning
    near_event = _choose(qtbot, editor, monkeypatch, "#0a78b8")
    assert "close to \u201cEvent\u201d" in near_event
    assert editor.session.schema.tag("actor").color == "#0a78b8"  # a warning, not a refusal
    grey = "#8888aa"
    assert selection_difference(grey)[0] < TOO_CLOSE
    assert "selection colour" in _choose(qtbot, editor, monkeypatch, grey)
    assert _choose(qtbot, editor, monkeypatch, "#D55E00") == ""
