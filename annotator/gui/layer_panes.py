"""Compare mode in the reading area: the differences outlined in the main pane, and layer B in a
second, read-only pane beside it whose scrolling follows the first (side by side)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from annotator.domain.layer_diff import DiffKind, LayerDiff, shown_links
from annotator.gui.annotate import AnnotationController
from annotator.gui.reading import ReadingView
from annotator.gui.session import ProjectSession

#: How each kind of difference is outlined: colour and line style (the style alone tells them
#: apart for readers who do not see the colours), and the legend's words ({a}, {b}: names).
DIFF_STYLES: dict[DiffKind, tuple[str, Qt.PenStyle, str]] = {
    DiffKind.ONLY_A: ("#1a73e8", Qt.PenStyle.SolidLine, "only {a}"),
    DiffKind.ONLY_B: ("#e8710a", Qt.PenStyle.DashLine, "only {b}"),
    DiffKind.TAG: ("#d01884", Qt.PenStyle.DotLine, "different tag"),
}


def diff_pen(kind: DiffKind) -> QPen:
    color, style, _ = DIFF_STYLES[kind]
    pen = QPen(QColor(color), 2.0 if style is not Qt.PenStyle.DotLine else 2.6, style)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    return pen


def legend_pixmap(kind: DiffKind, width: int = 26, height: int = 14) -> QPixmap:
    """A small outlined box drawn with the kind's pen, for the legend."""
    pixmap = QPixmap(width, height)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(diff_pen(kind))
    painter.drawRoundedRect(2, 2, width - 4, height - 4, 2.5, 2.5)
    painter.end()
    return pixmap


def marks_by_pen(marks: list[tuple[int, int, DiffKind]]) -> list[tuple[QPen, list]]:
    return [
        (diff_pen(kind), [(start, end) for start, end, k in marks if k is kind])
        for kind in DIFF_STYLES
    ]


class ComparePanes(QObject):
    """Owns the second reading pane; follows the controller's loads (which carry the diff)."""

    def __init__(
        self,
        session: ProjectSession,
        controller: AnnotationController,
        splitter: QSplitter,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.controller = session, controller
        self.main: ReadingView = controller.view
        # The second pane is built when compare mode first shows it (or it is asked for):
        # the window's first frame does not wait for a reading view it does not show.
        self._second: ReadingView | None = None
        self._second_frame: QWidget | None = None
        self.main_title = splitter.findChild(QLabel, "reading_pane_title")
        self.splitter = splitter
        self.diff: LayerDiff | None = None
        self._syncing = False
        controller.loaded.connect(self._on_loaded)
        session.span_selected.connect(self._on_span_selected)

    @property
    def second(self) -> ReadingView:
        if self._second is None:
            self._second = second = ReadingView()
            second.setObjectName("compare_pane")
            second.set_tooltip_provider(self.controller.tooltip_of)
            self._second_frame = titled(second, "compare_pane_title")
            self._second_frame.hide()
            self.splitter.addWidget(self._second_frame)
            second.span_clicked.connect(self._on_second_clicked)
            for view, other in ((self.main, second), (second, self.main)):
                view.verticalScrollBar().valueChanged.connect(
                    lambda _value, source=view, target=other: self._follow(source, target)
                )
        return self._second

    @property
    def second_frame(self) -> QWidget:
        self.second  # noqa: B018 - builds the pane and its frame
        return self._second_frame  # type: ignore[return-value]

    def _second_shown(self) -> bool:
        return self._second_frame is not None and self._second_frame.isVisible()

    # -- loading -----------------------------------------------------------------------------
    def _on_loaded(self, diff: LayerDiff | None) -> None:
        self.diff = diff
        layer = self.session.layer
        side = diff is not None and layer.side_by_side
        if self.main_title is not None:
            self.main_title.setVisible(side)
            self.main_title.setText(f"A · {layer.name(layer.choice.first)}")
        if diff is None:
            if self._second_frame is not None:
                self._second_frame.hide()
            return
        self.main.set_marks(marks_by_pen(diff.marks("a" if side else "both")))
        if not side:
            if self._second_frame is not None:
                self._second_frame.hide()
            return
        self._load_second(diff)

    def _load_second(self, diff: LayerDiff) -> None:
        schema = self.session.schema
        spans = [e.b for e in diff.entries if e.b is not None]
        spans.sort(key=lambda s: (s.start, s.end, s.uuid))
        content = self.session.content()
        links = content.link_list() if content is not None else []
        b = frozenset({self.session.layer.choice.second})
        links = shown_links(links, b, {s.uuid for s in spans})
        self.second  # noqa: B018 - built on the first compare side by side
        self.sync_look()
        self.second.set_document(
            self.main.text(),
            [self.controller.display_span(s, schema) for s in spans],
            self.controller.display_links(links, schema),
        )
        self.second.set_marks(marks_by_pen(diff.marks("b")))
        title = self.second_frame.findChild(QLabel, "compare_pane_title")
        title.setText(f"B · {self.session.layer.name(self.session.layer.choice.second)}")
        self.second_frame.show()
        half = max(1, self.splitter.width() // 2)
        self.splitter.setSizes([half, half])
        self._follow(self.main, self.second)

    def sync_look(self) -> None:
        """The second pane has the main pane's zoom, theme and links setting."""
        if self._second is None:
            return  # built later, it takes them then (`_load_second`)
        self.second.set_zoom(self.main.zoom())
        self.second.set_dark(self.main.is_dark())
        self.second.set_show_all_links(self.main.shows_all_links())

    # -- following the main pane -------------------------------------------------------------
    def _follow(self, source: ReadingView, target: ReadingView) -> None:
        """Scroll the other pane to the same top line (same text, same width: same lines)."""
        if self._syncing or not self._second_shown():
            return
        self._syncing = True
        try:
            target.scroll_to_line(*source.top_line())
        finally:
            self._syncing = False

    def _on_second_clicked(self, uuid: str) -> None:
        self.second.set_selected_span(uuid or None)
        self.session.select_span(uuid)  # the inspector shows B's span (read-only)

    def _on_span_selected(self, uuid: str) -> None:
        if self._second_shown():
            self.second.set_selected_span(uuid or None)


def titled(view: QWidget, name: str) -> QWidget:
    """The view under a one-line title naming its layer (shown side by side only)."""
    frame = QWidget()
    title = QLabel(frame)
    title.setObjectName(name)
    title.setAlignment(Qt.AlignmentFlag.AlignCenter)
    title.setStyleSheet("QLabel { font-weight: 600; padding: 3px; }")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(title)
    layout.addWidget(view, 1)
    return frame


def host_splitter(view: QWidget) -> QSplitter:
    """A horizontal splitter holding the main reading pane (the second pane joins it)."""
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.setObjectName("reading_splitter")
    splitter.setChildrenCollapsible(False)
    frame = titled(view, "reading_pane_title")
    frame.findChild(QLabel, "reading_pane_title").hide()
    splitter.addWidget(frame)
    return splitter
