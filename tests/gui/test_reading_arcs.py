"""Link arcs in their reserved band: never over glyphs, routed afresh after every relayout."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QTextCursor

from annotator.gui.reading import DisplayLink, DisplaySpan, ReadingView
from annotator.gui.reading.arc_layout import LEVEL_CAP
from annotator.gui.reading.blocks import BlockDecorator, VisibleBlock
from annotator.gui.reading.span_index import MAX_LEVELS


def glyph_rects(visible: list[VisibleBlock], text_of_block) -> list[QRectF]:
    """A rectangle per visible non-space character, from the document layout alone."""
    out = []
    for vb in visible:
        layout = vb.block.layout()
        text = text_of_block(vb)
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            top = vb.rect.top() + line.y()
            for k in range(line.textStart(), line.textStart() + line.textLength()):
                if k >= len(text) or text[k].isspace():
                    continue
                x1, x2 = line.cursorToX(k)[0], line.cursorToX(k + 1)[0]
                left = vb.rect.left() + min(x1, x2)
                out.append(QRectF(left, top, max(abs(x2 - x1), 1.0), line.height()))
    return out


def drawn_rects(view: ReadingView) -> list[tuple[str, QRectF]]:
    out: list[tuple[str, QRectF]] = []
    for shape in view._drawn.arcs:
        out += [("segment", r) for r in shape.segments]
        if shape.label is not None:
            out.append(("label " + shape.text, shape.label))
        if shape.stub is not None:
            out.append(("stub", shape.stub))
    out += [("chip", rect) for rect, _ in view._drawn.chips]
    return out


def paint(view: ReadingView) -> None:
    view.viewport().repaint()
    view.viewport().grab()  # paints even where the platform skipped the repaint


def assert_nothing_over_glyphs(view: ReadingView) -> tuple[int, int]:
    """Checks one screen; returns (arcs drawn, labels drawn)."""
    paint(view)
    visible = view._visible
    glyphs = glyph_rects(visible, lambda vb: vb.block.text())
    for what, rect in drawn_rects(view):
        hit = next((g for g in glyphs if g.intersects(rect)), None)
        assert hit is None, f"{what} {rect} covers the glyph at {hit}"
    return len(view._drawn.arcs), sum(1 for s in view._drawn.arcs if s.label is not None)


def test_sample_article_with_all_links_has_no_arc_or_label_over_text(ada_window, qtbot):
    window, view = ada_window, ada_window.view
    window.actions_by_id["show_all_links"].setChecked(True)
    assert view.shows_all_links()
    for size in ((1600, 1000), (1000, 800)):
        window.resize(*size)
        qtbot.waitUntil(lambda s=size: window.width() == s[0])
        arcs = labels = 0
        bar = view.verticalScrollBar()
        value = 0
        bar.setValue(0)
        while True:
            paint(view)
            a, b = assert_nothing_over_glyphs(view)
            arcs, labels = arcs + a, labels + b
            if value >= bar.maximum():
                break
            value = min(bar.maximum(), value + max(1, bar.pageStep() // 2))
            bar.setValue(value)
        assert arcs >= 6 and labels >= 6  # every demo link was drawn, labels too


def test_selected_span_shows_only_its_arcs_and_the_text_does_not_move(ada_window, qtbot):
    view = ada_window.view
    view.set_show_all_links(False)
    link = view._links[0]
    view.reveal(view._index.get(link.source).start)
    paint(view)
    assert view._drawn.arcs == []
    before = [vb.rect for vb in view._visible]
    view.set_selected_span(link.source)
    paint(view)
    assert view._drawn.arcs and all(
        link.source in (x.source, x.target)
        for s in view._drawn.arcs
        for x in view._links
        if x.id == s.link_id
    )
    assert [vb.rect for vb in view._visible] == before  # room was reserved: no reflow


def fresh_underlines(vb: VisibleBlock, view: ReadingView) -> list[tuple]:
    m = view._metrics
    return [
        (round(x1, 2), round(x2, 2), y, span.id)
        for x1, x2, y, span, _lv, _top in BlockDecorator().underlines(
            vb, m.first, m.step, MAX_LEVELS
        )
    ]


def shape_key(view: ReadingView) -> list[tuple]:
    out = []
    for shape in view._drawn.arcs:
        rects = [*shape.segments, shape.label or QRectF(), shape.stub or QRectF()]
        out.append((shape.link_id, [r.getRect() for r in rects]))
    out += [(len(b.items), r.getRect()) for r, b in view._drawn.chips]
    return sorted(out, key=repr)


def test_decorations_follow_the_text_after_resize_zoom_and_theme(ada_window, qtbot):
    window, view = ada_window, ada_window.view
    window.actions_by_id["show_all_links"].setChecked(True)
    view.reveal(view._index.get(view._links[0].source).start)
    paint(view)

    def check() -> None:
        paint(view)
        view.reveal(view._index.get(view._links[0].source).start)
        paint(view)
        assert view._drawn.arcs
        for vb in view._visible:
            cached = view._decorator.underlines(
                vb, view._metrics.first, view._metrics.step, MAX_LEVELS
            )
            got = [(round(a, 2), round(b, 2), y, s.id) for a, b, y, s, _l, _t in cached]
            assert got == fresh_underlines(vb, view)
        painted = shape_key(view)
        view._arc_bands.reset()  # route again from the document layout as it is now
        view._decorator.forget_geometry()
        paint(view)
        assert shape_key(view) == painted

    check()
    for width in (1400, 1280, 1500, 1100):
        window.resize(width, 900)
        qtbot.waitUntil(lambda w=width: window.width() == w)
        check()
    view.set_zoom(3)
    check()
    view.set_dark(True)
    check()
    view.set_zoom(0)
    check()


TEXT = "Alpha beta gamma delta. " * 3 + "\n" + "Epsilon zeta eta theta iota kappa. " * 40


def spans_of(words: list[str]) -> list[DisplaySpan]:
    out = []
    for i, w in enumerate(words):
        start = TEXT.index(w)
        out.append(DisplaySpan(f"s{i}", ((start, start + len(w)),), "#c04040", "tag"))
    return out


def test_a_dense_line_caps_its_rows_and_bundles_the_rest_with_a_count(qtbot):
    view = ReadingView()
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    spans = spans_of(["Alpha", "beta", "gamma", "delta"])
    links = [
        DisplayLink(f"l{a}{b}", f"s{a}", f"s{b}", f"rel {a}{b}", "#3060c0")
        for a in range(4)
        for b in range(4)
        if a != b
    ]
    view.set_document(TEXT, spans, links)
    view.set_show_all_links(True)
    paint(view)
    routed = view._arc_bands.cache[0].lines[0]
    assert routed.rows == LEVEL_CAP + 1 and routed.bundles
    bundled = sum(len(b.items) for b in routed.bundles)
    assert bundled + len(view._drawn.arcs) == len(links)
    assert_nothing_over_glyphs(view)
    # Only the selected span's arcs: all of them, its bundled ones in the chips' row.
    view.set_show_all_links(False)
    view.set_selected_span("s0")
    paint(view)
    mine = {x.id for x in links if "s0" in (x.source, x.target)}
    assert {s.link_id for s in view._drawn.arcs} == mine and not view._drawn.chips
    assert_nothing_over_glyphs(view)
    # Nested arcs do not cross: a shorter arc inside a longer one sits in a lower row.
    items = [i for i in routed.items if i.level >= 0]
    for inner in items:
        for outer in items:
            if outer.lo < inner.lo and inner.hi < outer.hi:
                assert inner.level < outer.level


def test_a_stub_leads_to_the_other_end_off_screen(qtbot):
    view = ReadingView()
    qtbot.addWidget(view)
    view.resize(700, 300)
    view.show()
    qtbot.waitExposed(view)
    far = TEXT.rindex("kappa")
    spans = [*spans_of(["beta"]), DisplaySpan("far", ((far, far + 5),), "#40a040", "tag")]
    view.set_document(TEXT, spans, [DisplayLink("l", "s0", "far", "same as", "#3060c0")])
    view.set_show_all_links(True)
    paint(view)
    off = view.viewport_rect_of(far, far + 5)
    assert off.isEmpty() or off.top() >= view.viewport().height()  # the target is off-screen
    (shape,) = [s for s in view._drawn.arcs if s.other == "far"]
    assert shape.stub is not None and shape.other == "far"
    assert "same as" in view._arc_tooltip(shape.stub.center())
    with qtbot.waitSignal(view.span_clicked) as blocker:
        qtbot.mouseClick(
            view.viewport(), Qt.MouseButton.LeftButton, pos=shape.stub.center().toPoint()
        )
    assert blocker.args == ["far"]
    paint(view)
    rect = view.viewport_rect_of(far, far + 5)
    assert not rect.isEmpty() and rect.top() >= 0 and rect.bottom() <= view.viewport().height()


def test_a_click_on_the_text_under_an_arc_band_still_selects(qtbot):
    view = ReadingView()
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.show()
    qtbot.waitExposed(view)
    spans = spans_of(["beta", "delta"])
    view.set_document(TEXT, spans, [DisplayLink("l", "s0", "s1", "x", "#3060c0")])
    paint(view)
    cursor = QTextCursor(view.document())
    cursor.setPosition(TEXT.index("delta") + 1)
    rect = view.cursorRect(cursor)
    with qtbot.waitSignal(view.span_clicked) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == ["s1"]
    assert view._arc_tooltip(QPointF(QPoint(-50, -50))) == ""


def test_a_click_on_an_arc_label_selects_its_link(ada_window, qtbot):
    view, session = ada_window.view, ada_window.session
    view.set_show_all_links(True)
    view.reveal(view._index.get(view._links[0].source).start)
    paint(view)
    shape = next(s for s in view._drawn.arcs if s.label is not None)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=shape.label.center().toPoint())
    qtbot.waitUntil(lambda: session.selected_link == shape.link_id)
