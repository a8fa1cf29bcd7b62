"""Mouse, hover, tooltip and wheel handling of the reading pane (a mixin of ReadingView)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QHelpEvent, QMouseEvent, QTextLine, QWheelEvent
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QToolTip

from annotator.gui.html_text import escape_html
from annotator.gui.reading.arc_paint import ArcShape
from annotator.gui.reading.blocks import VisibleBlock
from annotator.gui.reading.span_index import DisplayLink

if TYPE_CHECKING:
    from annotator.gui.reading.view import ReadingView

    _Base = ReadingView
else:
    _Base = QPlainTextEdit

__all__ = ["InteractionMixin"]

_ALT = Qt.KeyboardModifier.AltModifier
_LEFT = Qt.MouseButton.LeftButton


class InteractionMixin(_Base):
    """Clicks select spans (cycling on repeated clicks), Alt+drag links, hover shows tooltips.

    Mouse positions that fall into the spacing band between lines are moved onto the nearest
    text line before Qt sees them, so selecting text feels the same as without the band.
    """

    def cycle_span_at_cursor(self) -> str | None:
        """Select the next span overlapping the caret (innermost first); returns its id."""
        cp = self._map.to_cp(self.textCursor().position())
        ids = self.spans_at(cp) or (self.spans_at(cp - 1) if cp > 0 else [])
        return self._select_among(tuple(ids))

    def _select_among(self, ids: tuple[str, ...]) -> str | None:
        if not ids:
            self._last_click = ()
            return None
        if ids == self._last_click and self._selected in ids:
            chosen = ids[(ids.index(self._selected) + 1) % len(ids)]
        else:
            chosen = ids[0]
        self._last_click = ids
        self.set_selected_span(chosen)
        self.span_clicked.emit(chosen)
        return chosen

    def _locate(self, pos: QPointF) -> tuple[int | None, QPointF]:
        """The code point under ``pos`` (None off the text) and ``pos`` moved onto a line."""
        gap = self._metrics.gap
        best: tuple[float, VisibleBlock, QTextLine, float] | None = None
        for vb in self._walk(extra_below=0):
            layout = vb.block.layout()
            for i in range(layout.lineCount()):
                line = layout.lineAt(i)
                top = vb.rect.top() + line.y()
                bottom = top + line.height()
                dist = (
                    0.0
                    if top <= pos.y() < bottom
                    else min(abs(pos.y() - top), abs(pos.y() - bottom))
                )
                if best is None or dist < best[0]:
                    best = (dist, vb, line, top)
        if best is None:
            return None, pos
        dist, vb, line, top = best
        snapped = QPointF(pos.x(), min(max(pos.y(), top + 1), top + line.height() - 1))
        x = pos.x() - vb.rect.left()
        if dist > gap or x < line.x() or x > line.x() + line.naturalTextWidth():
            return None, snapped
        qt = vb.position + line.xToCursor(x, QTextLine.CursorPosition.CursorOnCharacter)
        return self._map.to_cp(min(qt, vb.position + vb.block.length() - 2)), snapped

    def _snapped(self, e: QMouseEvent) -> QMouseEvent:
        _, pos = self._locate(e.position())
        if pos == e.position():
            return e
        moved = e.globalPosition() + (pos - e.position())
        return QMouseEvent(e.type(), pos, moved, e.button(), e.buttons(), e.modifiers())

    def _stub_at(self, pos: QPointF) -> ArcShape | None:
        """The half arc whose edge stub is under ``pos`` (the last paint's shapes)."""
        for shape in reversed(self._drawn.arcs):
            if shape.stub is not None and shape.stub.contains(pos):
                return shape
        return None

    def _label_at(self, pos: QPointF) -> ArcShape | None:
        for shape in reversed(self._drawn.arcs):
            if shape.label is not None and shape.label.contains(pos):
                return shape
        return None

    def _arc_tooltip(self, pos: QPointF) -> str:
        """Tooltip of the stub, label or "+N" chip under ``pos`` ("" if none)."""
        shape = self._stub_at(pos)
        if shape is not None:
            link = self._link_by_id(shape.link_id)
            where = "Click to go to the other end"
            return f"{self._link_text(link)}\n{where}" if link is not None else where
        for shape in reversed(self._drawn.arcs):
            if shape.label is not None and shape.label.contains(pos):
                link = self._link_by_id(shape.link_id)
                return self._link_text(link) if link is not None else ""
        for rect, bundle in self._drawn.chips:
            if rect.contains(pos):
                lines = [self._link_text(item.link) for item in bundle.items]
                return f"{len(lines)} more links here:\n" + "\n".join(lines)
        return ""

    def _link_by_id(self, link_id: str) -> DisplayLink | None:
        return next((x for x in self._links if x.id == link_id), None)

    def _link_text(self, link: DisplayLink) -> str:
        """'same as: “Russia” → “the Russian Federation”' for tooltips."""

        def quote(span_id: str) -> str:
            span = self._index.get(span_id)
            if span is None:
                return "?"
            text = " ".join(self._text[span.start : span.end].split())
            return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"

        label = f"{link.label}: " if link.label else ""
        return f"{label}{quote(link.source)} → {quote(link.target)}"

    def go_to_span(self, span_id: str) -> None:
        """Select a span and scroll the least that shows it (a stub's click does this)."""
        span = self._index.get(span_id)
        if span is None:
            return
        self.set_selected_span(span_id)
        self.reveal(span.start, span.end)
        self.span_clicked.emit(span_id)

    def mousePressEvent(self, e: QMouseEvent) -> None:
        self._press = e.position()
        if e.button() == _LEFT and not e.modifiers():
            stub = self._stub_at(e.position())
            if stub is not None:
                self._press = None
                self.go_to_span(stub.other)
                e.accept()
                return
            label = self._label_at(e.position())
            if label is not None:  # a click on an arc's label selects its link
                self._press = None
                self.link_clicked.emit(label.link_id)
                e.accept()
                return
        if (
            e.button() == Qt.MouseButton.LeftButton
            and e.modifiers() & Qt.KeyboardModifier.AltModifier
        ):
            cp, _ = self._locate(e.position())
            ids = self.spans_at(cp) if cp is not None else []
            if ids:
                self._drag = [ids[0], e.position(), e.position()]
                self.viewport().setCursor(Qt.CursorShape.CrossCursor)
                self.viewport().update()
                e.accept()
                return
        super().mousePressEvent(self._snapped(e))

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        if self._drag is not None:
            self._drag[2] = e.position()
            self.viewport().update()
            return
        super().mouseMoveEvent(self._snapped(e))
        if not e.buttons():
            pos = e.position()
            over = self._stub_at(pos) is not None or self._label_at(pos) is not None
            hand = self.viewport().cursor().shape() == Qt.CursorShape.PointingHandCursor
            if over != hand:  # a hand over what can be clicked, the text cursor elsewhere
                shape = Qt.CursorShape.PointingHandCursor if over else Qt.CursorShape.IBeamCursor
                self.viewport().setCursor(shape)
            cp, _ = self._locate(e.position())
            ids = self.spans_at(cp) if cp is not None else []
            self._set_hover(ids[0] if ids else "")

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        if self._drag is not None:
            source = self._drag[0]
            self._drag = None
            self.viewport().unsetCursor()
            self.viewport().update()
            cp, _ = self._locate(e.position())
            targets = [i for i in (self.spans_at(cp) if cp is not None else []) if i != source]
            if targets:
                self.link_drag_requested.emit(source, targets[0])
            return
        super().mouseReleaseEvent(self._snapped(e))
        press, self._press = self._press, None
        if (
            e.button() == _LEFT
            and press is not None
            and (e.position() - press).manhattanLength() < QApplication.startDragDistance()
            and not self.textCursor().hasSelection()
        ):
            cp, _ = self._locate(e.position())
            ids = tuple(self.spans_at(cp)) if cp is not None else ()
            if not ids and self._selected is not None:
                self.set_selected_span(None)
                self.span_clicked.emit("")
            self._select_among(ids)

    def mouseDoubleClickEvent(self, e: QMouseEvent) -> None:
        super().mouseDoubleClickEvent(self._snapped(e))

    def _set_hover(self, span_id: str) -> None:
        if span_id != self._hover:
            self._hover = span_id
            self.hovered_span.emit(span_id)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            arc_tip = self._arc_tooltip(QPointF(event.pos()))
            cp, _ = self._locate(QPointF(event.pos())) if not arc_tip else (None, None)
            spans = self._index.at(cp) if cp is not None else []
            texts = [arc_tip] if arc_tip else [self._tooltip_of(s) for s in spans]
            tips = [escape_html(t).replace("\n", "<br>") for t in texts if t]
            if tips:
                QToolTip.showText(event.globalPos(), "<hr>".join(tips), self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        if event.type() == QEvent.Type.Leave:
            self._set_hover("")
        return super().viewportEvent(event)

    def wheelEvent(self, e: QWheelEvent) -> None:
        if e.modifiers() & Qt.KeyboardModifier.ControlModifier:
            delta = e.angleDelta().y()
            if delta:
                self.set_zoom(self._zoom + (1 if delta > 0 else -1))
            e.accept()
            return
        super().wheelEvent(e)
