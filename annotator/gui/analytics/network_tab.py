"""The Network tab: the view, its controls (search, hide a type, neighbourhood, size, colour,
re-layout, export) and the metrics table. Layout and metrics run on a worker thread: networkx's
spring layout of a few thousand nodes takes seconds, and the window must stay responsive."""

from __future__ import annotations

from collections import defaultdict, deque

from PySide6.QtCore import QRectF, QSize, Qt, QThread, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from annotator.domain.wording import quoted
from annotator.errors import AnnotatorError
from annotator.gui.analytics.filter_bar import ChoiceButton
from annotator.gui.analytics.network_view import SCALE, NetworkView
from annotator.services.analytics.charts import PALETTE
from annotator.services.analytics.dataset import Dataset
from annotator.services.analytics.network import (
    Network,
    Node,
    build_network,
    export_network,
    shown_network,
)
from annotator.services.analytics.passages import passages_of_links, passages_of_spans

NODE_ROLE = Qt.ItemDataRole.UserRole
#: Nodes laid out and drawn at most (the most mentioned); exports carry every node.
VIEW_NODES = 5000


class LayoutJob(QThread):
    """The shown network (when given a dataset: its busiest nodes, counted in SQL), its
    positions and its metrics, off the GUI thread."""

    done = Signal(int, object, object, object)  # generation, (total, shown), positions, metrics
    failed = Signal(int, str)

    def __init__(self, generation: int, source, start, pinned, parent=None) -> None:
        super().__init__(parent)
        self.generation, self.source = generation, source  # a Dataset or a Network
        self.start_positions, self.pinned = start, pinned

    def run(self) -> None:
        from annotator.services.analytics.layout import spring_positions
        from annotator.services.analytics.network import compute_metrics

        try:
            networks = None
            shown = self.source
            if isinstance(self.source, Dataset):
                shown, total = shown_network(self.source, VIEW_NODES)
                networks = (total, shown)
            positions = spring_positions(shown, self.start_positions, self.pinned)
            metrics = compute_metrics(shown)
        except AnnotatorError as error:
            self.failed.emit(self.generation, str(error))
            return
        except Exception as error:  # shown in the status line rather than lost on a thread
            self.failed.emit(self.generation, f"Could not compute this view: {error}")
            return
        self.done.emit(self.generation, networks, positions, metrics)


class NetworkTab(QWidget):
    passages_requested = Signal(str, object)  # title, list[Passage]
    layout_ready = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: Dataset | None = None
        self.network = Network({}, {})  # what the view shows (at most VIEW_NODES nodes)
        self.total_nodes = 0  # every node of the filter (exports build them all)
        self.positions: dict[str, tuple[float, float]] = {}
        self.metrics: dict[str, dict] = {}
        self.pinned: set[str] = set()
        self._generation = 0
        self._jobs: list[LayoutJob] = []
        self.view = NetworkView()
        self.view.node_clicked.connect(self.node_chosen)
        self.view.edge_clicked.connect(self.edge_chosen)
        self.view.moved.connect(self._remember_moves)
        self.search = QLineEdit(placeholderText="Find a node…", objectName="network_search")
        self.search.returnPressed.connect(self.find)
        self.hide_tags = ChoiceButton("Hide")
        self.hide_tags.changed.connect(self.redraw)
        self.depth = QSpinBox(objectName="network_depth")
        self.depth.setRange(0, 9)
        self.depth.setSpecialValueText("whole network")
        self.depth.setPrefix("neighbourhood ")
        self.depth.setToolTip("Show only the nodes within N links of the selected node")
        self.depth.valueChanged.connect(self.redraw)
        self.focus_key = ""
        self.size_by = QComboBox(objectName="network_size")
        self.size_by.addItem("Size by mentions", "mentions")
        self.size_by.addItem("Size by degree", "degree")
        self.size_by.currentIndexChanged.connect(self.redraw)
        self.colour_by = QComboBox(objectName="network_colour")
        self.colour_by.currentIndexChanged.connect(self.redraw)
        relayout = QPushButton("Re-&layout")
        relayout.setToolTip("Lay out again; pinned nodes (dragged ones) stay where they are")
        relayout.clicked.connect(lambda: self.start_layout(keep=False))
        unpin = QPushButton("&Unpin all")
        unpin.clicked.connect(self._unpin)
        fit = QPushButton("&Fit")
        fit.clicked.connect(self.view.fit)
        export = QToolButton(text="E&xport")
        export.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(export)
        for text, suffix in (
            ("GraphML (Gephi, yEd)…", ".graphml"),
            ("GEXF (Gephi)…", ".gexf"),
            ("CSV node and edge lists…", ".csv"),
            ("PNG image of the view…", ".png"),
            ("SVG image of the view…", ".svg"),
        ):
            menu.addAction(text, lambda s=suffix: self.export(s))
        export.setMenu(menu)
        self.status = QLabel()
        self.metrics_table = QTableWidget(0, 6, objectName="network_metrics")
        self.metrics_table.setHorizontalHeaderLabels(
            ["Node", "Tag", "Mentions", "Degree", "Betweenness", "Component"]
        )
        self.metrics_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.metrics_table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.metrics_table.verticalHeader().hide()
        self.metrics_table.itemActivated.connect(self._metric_row)
        self.metrics_table.itemClicked.connect(self._metric_row)
        row = QHBoxLayout()
        for widget in (self.search, self.hide_tags, self.depth, self.size_by, self.colour_by):
            row.addWidget(widget)
        for widget in (relayout, unpin, fit, export):
            row.addWidget(widget)
        splitter = QSplitter()
        splitter.addWidget(self.view)
        splitter.addWidget(self.metrics_table)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([900, 380])
        self.metrics_table.setMinimumWidth(200)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)

    # -- data --------------------------------------------------------------------------------
    def set_data(self, data: Dataset) -> None:
        first = self.data is None
        self.data = data
        self.hide_tags.set_keys([(t.key, t.label) for t in data.schema.tag_types])
        if first:
            self.colour_by.blockSignals(True)
            self.colour_by.addItem("Colour by tag", "")
            for tag in data.schema.tag_types:
                for a in tag.attributes:
                    if a.value_type in ("choice", "boolean"):
                        label = f"Colour by {tag.label.lower()} {a.label.lower()}"
                        self.colour_by.addItem(label, a.key)
            self.colour_by.blockSignals(False)
        self.start_layout(keep=True, data=data)

    def start_layout(self, *, keep: bool, data: Dataset | None = None) -> None:
        """Lay out again (a new dataset: build the network first, on the worker too)."""
        self._generation += 1
        self.status.setText(
            "Building the network…" if data else f"Laying out {len(self.network.nodes):,} nodes…"
        )
        start = dict(self.positions) if keep else {k: self.positions[k] for k in self.pinned}
        source = data if data is not None else self.network
        job = LayoutJob(self._generation, source, start, frozenset(self.pinned), self)
        job.done.connect(self._laid_out)
        job.failed.connect(self._failed)
        job.finished.connect(lambda j=job: self._jobs.remove(j) if j in self._jobs else None)
        self._jobs.append(job)
        job.start()

    def _failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.status.setText(f"Cannot lay out the network: {message}")

    def _laid_out(self, generation: int, networks, positions, metrics) -> None:
        if generation != self._generation:
            return  # an older layout finished after a newer one started
        if networks is not None:
            self.total_nodes, self.network = networks
        self.positions, self.metrics = positions, metrics
        self.redraw()
        self._fill_metrics()
        components = max(metrics["component"].values(), default=0)
        cut = self.total_nodes - len(self.network.nodes)
        more = f" (the most mentioned; {cut:,} more in exports)" if cut else ""
        self.status.setText(
            f"{len(self.network.nodes):,} nodes{more}, {len(self.network.edges):,} edges, "
            f"{components:,} component(s). Click a node or an edge for its passages; drag a "
            "node to pin it; wheel or +/− zooms, drag the background to pan."
        )
        self.layout_ready.emit()

    def wait(self) -> None:
        """Wait for running layouts (closing the window)."""
        for job in list(self._jobs):
            job.wait()

    # -- drawing -----------------------------------------------------------------------------
    def visible_keys(self) -> set[str]:
        hidden = self.hide_tags.checked()
        keys = {k for k, n in self.network.nodes.items() if n.tag not in hidden}
        depth = self.depth.value()
        if depth and self.focus_key in keys:
            keys &= self._neighbourhood(self.focus_key, depth)
        return keys

    def _neighbourhood(self, start: str, depth: int) -> set[str]:
        around = defaultdict(set)
        for s, t, _ in self.network.edges:
            around[s].add(t)
            around[t].add(s)
        seen, queue = {start}, deque([(start, 0)])
        while queue:
            key, hops = queue.popleft()
            if hops < depth:
                for other in around[key] - seen:
                    seen.add(other)
                    queue.append((other, hops + 1))
        return seen

    def redraw(self) -> None:
        if self.data is None or not self.positions:
            return
        degree = self.metrics.get("degree", {})
        by_degree = self.size_by.currentData() == "degree"

        def size(node: Node) -> float:
            value = degree.get(node.key, 0) if by_degree else node.mentions
            return 7 + 4 * value**0.5

        key = self.colour_by.currentData() or ""
        tag_colours = {t.key: QColor(t.color) for t in self.data.schema.tag_types}
        value_colours: dict[str, QColor] = {}

        def colour(node: Node) -> QColor:
            if not key:
                return tag_colours.get(node.tag, QColor("#777777"))
            values = [(n, v) for (k, v), n in node.values.items() if k == key]
            if not values:
                return QColor("#bbbbbb")
            top = max(values)[1]
            if top not in value_colours:
                value_colours[top] = QColor(PALETTE[len(value_colours) % len(PALETTE)])
            return value_colours[top]

        edge_colours = {t.key: QColor(t.color) for t in self.data.schema.link_types}
        self.view.show_network(
            self.network,
            self.positions,
            self.visible_keys(),
            size,
            colour,
            edge_colours,
            self.pinned,
        )
        if key and value_colours:
            legend = ", ".join(f"{v}: {c.name()}" for v, c in sorted(value_colours.items()))
            self.view.setToolTip(f"Colours: {legend}; grey: no value")

    def _fill_metrics(self) -> None:
        table = self.metrics_table
        table.setSortingEnabled(False)
        nodes = sorted(self.network.nodes.values(), key=lambda n: -n.mentions)[:2000]
        table.setRowCount(len(nodes))
        degree, between = self.metrics["degree"], self.metrics["betweenness"]
        component = self.metrics["component"]
        for row, node in enumerate(nodes):
            cells = (
                node.label,
                node.tag,
                node.mentions,
                degree[node.key],
                round(between[node.key], 4),
                component[node.key],
            )
            for column, value in enumerate(cells):
                item = QTableWidgetItem()
                item.setData(Qt.ItemDataRole.DisplayRole, value)
                item.setData(NODE_ROLE, node.key)
                table.setItem(row, column, item)
        table.setSortingEnabled(True)
        table.resizeColumnsToContents()
        table.setColumnWidth(0, min(table.columnWidth(0), 200))

    # -- choosing ----------------------------------------------------------------------------
    def node_chosen(self, key: str) -> None:
        node = self.network.nodes.get(key)
        if node is None or self.data is None:
            return
        self.focus_key = key
        if self.depth.value():
            self.redraw()
        self.view.center_on(key)
        passages = passages_of_spans(self.data, node.spans, node.tag)
        self.passages_requested.emit(f"{node.label} ({node.tag})", passages)

    def edge_chosen(self, key: tuple[str, str, str]) -> None:
        edge = self.network.edges.get(key)
        if edge is None or self.data is None:
            return
        source, target = self.network.nodes[edge.source], self.network.nodes[edge.target]
        title = f"{source.label} —{edge.link_type}→ {target.label} ({edge.weight} document(s))"
        self.passages_requested.emit(title, passages_of_links(self.data, edge.links))

    def _metric_row(self, item: QTableWidgetItem) -> None:
        self.node_chosen(item.data(NODE_ROLE))

    def find(self) -> None:
        text = self.search.text().strip().casefold()
        if not text:
            return
        hits = [n for n in self.network.nodes.values() if text in n.label.casefold()]
        if not hits:
            self.status.setText(f"No node matches {quoted(self.search.text())}")
            return
        best = max(hits, key=lambda n: n.mentions)
        self.status.setText(f"{len(hits)} node(s) match; showing {quoted(best.label)}")
        self.node_chosen(best.key)

    def _remember_moves(self) -> None:
        scale = SCALE * (max(len(self.view.items_by_key), 4) ** 0.5)
        for key, item in self.view.items_by_key.items():
            if item.pinned:
                self.pinned.add(key)
                self.positions[key] = (item.pos().x() / scale, item.pos().y() / scale)

    def _unpin(self) -> None:
        self.pinned.clear()
        self.redraw()

    # -- export ------------------------------------------------------------------------------
    def export(self, suffix: str) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the network", f"network{suffix}", f"*{suffix}"
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> None:
        try:
            if path.lower().endswith(".png"):
                self._render_png(path)
            elif path.lower().endswith(".svg"):
                self._render_svg(path)
            else:
                written = self._export_full(path)
                self.status.setText("Wrote " + ", ".join(str(p) for p in written))
                return
        except (AnnotatorError, OSError) as error:
            self.status.setText(f"Cannot export: {error}")
            return
        self.status.setText(f"Wrote {path}")

    def _export_full(self, path: str) -> list:
        """Every node of the filter, folded and written on a worker thread with a progress
        dialog (the view holds only the busiest; a million spans take seconds)."""
        from annotator.gui.dialogs.progress import run_with_progress

        data = self.data
        if data is None:
            return export_network(self.network, path)

        def job(progress):
            progress(0, 0, "Building the whole network…")
            return export_network(build_network(data), path)

        return run_with_progress(self, "Export the network", job)

    def _render_png(self, path: str) -> None:
        source = self.view.scene_image_rect()
        width = 2000
        height = max(1, int(width * source.height() / max(source.width(), 1)))
        image = QImage(width, height, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.scene().render(painter, QRectF(0, 0, width, height), source)
        painter.end()
        if not image.save(path):
            raise OSError(f"could not write {path}")

    def _render_svg(self, path: str) -> None:
        from PySide6.QtSvg import QSvgGenerator

        source = self.view.scene_image_rect()
        generator = QSvgGenerator()
        generator.setFileName(path)
        generator.setSize(QSize(int(source.width()), int(source.height())))
        generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
        generator.setTitle("Annotator network")
        painter = QPainter(generator)
        self.view.scene().render(painter, QRectF(0, 0, source.width(), source.height()), source)
        painter.end()
