"""NetworkView: a QGraphicsView of the network. Nodes are C++ ellipse items (nothing painted in
Python per frame, so pan and zoom stay fast with thousands of nodes); the edges of each link type
are one path item, hit-tested here on a click; labels only for the busiest nodes."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

from annotator.services.analytics.network import Edge, Network, Node

LABELS = 150  # nodes labelled (the largest)
SCALE = 130  # scene units per layout unit, times the square root of the nodes shown
KEY_ROLE = 0  # QGraphicsItem.data key of a node item's node key


class NodeItem(QGraphicsEllipseItem):
    def __init__(self, node: Node, radius: float, colour: QColor) -> None:
        super().__init__(-radius, -radius, 2 * radius, 2 * radius)
        self.node, self.radius, self.pinned = node, radius, False
        self.setData(KEY_ROLE, node.key)
        self.setBrush(QBrush(colour))
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setToolTip(f"{node.label}\n{node.tag} · {node.mentions} mention(s)")
        self.setZValue(2)

    def set_pinned(self, pinned: bool) -> None:
        self.pinned = pinned
        # No outline unless pinned: an outline is a second shape to rasterise per node.
        self.setPen(QPen(QColor("#222222"), 3) if pinned else QPen(Qt.PenStyle.NoPen))


class NetworkView(QGraphicsView):
    """Signals carry node keys or edge keys; `moved` after a drag (the nodes are pinned)."""

    node_clicked = Signal(str)
    edge_clicked = Signal(object)  # (source, target, link type)
    moved = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("network_view")
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing)
        self.items_by_key: dict[str, NodeItem] = {}
        self.edges: list[Edge] = []
        self._paths: list[QGraphicsPathItem] = []
        self._edge_colours: dict[str, QColor] = {}
        self._pressed_at: QPointF | None = None

    # -- building ----------------------------------------------------------------------------
    def show_network(
        self,
        network: Network,
        positions: dict[str, tuple[float, float]],
        visible: set[str],
        size: Callable[[Node], float],
        colour: Callable[[Node], QColor],
        edge_colours: dict[str, QColor],
        pinned: set[str],
    ) -> None:
        scene = self.scene()
        scene.clear()
        self.items_by_key, self._paths = {}, []
        self._edge_colours = edge_colours
        scale = SCALE * math.sqrt(max(len(visible), 4))
        shown = [n for n in network.nodes.values() if n.key in visible and n.key in positions]
        many = len(shown) > 1500
        self.setRenderHint(QPainter.RenderHint.Antialiasing, not many)
        for node in shown:
            x, y = positions[node.key]
            item = NodeItem(node, size(node), colour(node))
            item.setPos(x * scale, y * scale)
            item.set_pinned(node.key in pinned)
            scene.addItem(item)
            self.items_by_key[node.key] = item
        for node in sorted(shown, key=lambda n: -n.mentions)[:LABELS]:
            item = self.items_by_key[node.key]
            label = QGraphicsSimpleTextItem(_short(node.label), item)
            label.setPos(item.radius + 1, -8)
            label.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.edges = [
            e
            for e in network.edges.values()
            if e.source in self.items_by_key and e.target in self.items_by_key
        ]
        self.rebuild_edges()
        bounds = scene.itemsBoundingRect().adjusted(-80, -80, 80, 80)
        scene.setSceneRect(bounds)
        self.fit()

    def rebuild_edges(self) -> None:
        """One path per link type through the current node positions."""
        for path_item in self._paths:
            self.scene().removeItem(path_item)
        self._paths = []
        paths: dict[str, QPainterPath] = {}
        for edge in self.edges:
            path = paths.setdefault(edge.link_type, QPainterPath())
            path.moveTo(self.items_by_key[edge.source].pos())
            path.lineTo(self.items_by_key[edge.target].pos())
        for link_type, path in paths.items():
            colour = QColor(self._edge_colours.get(link_type, QColor("#888888")))
            colour.setAlpha(150)
            item = QGraphicsPathItem(path)
            pen = QPen(colour, 1.5)
            pen.setCosmetic(True)  # the same width at every zoom
            item.setPen(pen)
            item.setZValue(1)
            item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            self.scene().addItem(item)
            self._paths.append(item)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.fit()  # laid out while hidden, or in a smaller window

    def fit(self) -> None:
        self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def zoom(self, factor: float) -> None:
        self.scale(factor, factor)

    def center_on(self, key: str) -> None:
        item = self.items_by_key.get(key)
        if item is not None:
            self.scene().clearSelection()
            item.setSelected(True)
            self.centerOn(item)

    # -- input -------------------------------------------------------------------------------
    def wheelEvent(self, event) -> None:
        self.zoom(1.2 if event.angleDelta().y() > 0 else 1 / 1.2)

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(1.25)
        elif key == Qt.Key.Key_Minus:
            self.zoom(0.8)
        elif key == Qt.Key.Key_0:
            self.fit()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            chosen = self.selected_key()
            if chosen:
                self.node_clicked.emit(chosen)
        else:
            super().keyPressEvent(event)

    def selected_key(self) -> str:
        chosen = [i for i in self.scene().selectedItems() if isinstance(i, NodeItem)]
        return chosen[0].node.key if chosen else ""

    def mousePressEvent(self, event) -> None:
        self._pressed_at = event.position()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        start, self._pressed_at = self._pressed_at, None
        if start is None or event.button() != Qt.MouseButton.LeftButton:
            return
        item = self.node_at(event.position().toPoint())
        dragged = (event.position() - start).manhattanLength() > 4
        if isinstance(item, NodeItem):
            if dragged:  # the user placed it: it stays there through re-layouts
                item.set_pinned(True)
                self.rebuild_edges()
                self.moved.emit()
            else:
                self.node_clicked.emit(item.node.key)
        elif not dragged:
            edge = self.edge_at(self.mapToScene(event.position().toPoint()))
            if edge is not None:
                self.edge_clicked.emit((edge.source, edge.target, edge.link_type))

    def node_at(self, point) -> NodeItem | None:
        """The topmost node under a viewport point (labels do not count: they overlap)."""
        return next((i for i in self.items(point) if isinstance(i, NodeItem)), None)

    def edge_at(self, point: QPointF) -> Edge | None:
        """The edge nearest `point` within a few pixels."""
        tolerance = 5 / max(self.transform().m11(), 1e-6)
        best, best_distance = None, tolerance
        px, py = point.x(), point.y()
        for edge in self.edges:
            a, b = self.items_by_key[edge.source].pos(), self.items_by_key[edge.target].pos()
            distance = _segment_distance(px, py, a.x(), a.y(), b.x(), b.y())
            if distance < best_distance:
                best, best_distance = edge, distance
        return best

    def scene_image_rect(self) -> QRectF:
        return self.scene().itemsBoundingRect().adjusted(-20, -20, 20, 20)


def _segment_distance(px, py, ax, ay, bx, by) -> float:
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _short(text: str, width: int = 32) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
