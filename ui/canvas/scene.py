"""FactoryScene: mirrors a FactoryDocument as graphics items and never owns or mutates it.

After orange-canvas-core's scene: id → item maps, one handler per document signal. The scene
keeps Qt's default BSP spatial index (without it hit-testing the frontier scene was measured
thousands of times slower). Group frames are recomputed once per document edit (the document's
batched ``changed``), so a 9,472-node reset or a 1,000-node paste recomputes them once.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QLineF, QObject, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from aifactory_twin.document import FactoryDocument
from aifactory_twin.schema import Edge, NodeBase
from aifactory_twin.variant_session import VariantSession
from ui.canvas.edge_item import HUB_FANOUT, EdgeItem
from ui.canvas.items import NODE_H, NODE_W, GroupFrameItem, NodeItem
from ui.resources import EDGE_STYLES, STATUS_COLORS, kind_color
from ui.theme import LIGHT, Theme

GRID = 20.0
_NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
# Factories at least this large get the overview when zoomed far out (see FactoryView).
OVERVIEW_MIN_NODES = 1500
# Idle building: ~30 ms of work per event-loop turn (a budget, not a count, so a busy machine
# builds fewer per turn instead of stalling the window), checked every 50 items.
BUILD_BUDGET_S = 0.03
BUILD_CHUNK = 50
# Items of removed nodes and edges kept for an undo to put back (a 1,000-node delete on
# frontier-scale retires ~5,000): re-adding an item costs a fraction of building it anew.
RETIRED_MAX = 20_000


class FactoryScene(QGraphicsScene):
    """The canvas contents: one NodeItem per node, one EdgeItem per edge, group frames."""

    findings_applied = Signal()

    def __init__(
        self,
        doc: FactoryDocument,
        parent: QObject | None = None,
        variants: VariantSession | None = None,
    ) -> None:
        super().__init__(parent)
        self.doc = doc
        # The cards of nodes the active variant overrides show the variant's values; the
        # session says which (the scene is the only writer of its items).
        self.variants = variants
        self._variant_shown: set[str] = set()  # ids whose card shows a variant's node now
        self._variant_edges: set[str] = set()  # ids of edges showing a variant's values now
        self.theme: Theme = LIGHT
        self.snap_grid = GRID
        self.show_groups = True
        self.node_items: dict[str, NodeItem] = {}
        self.edge_items: dict[str, EdgeItem] = {}
        self._wan_loads_shown = False  # a scene without WAN links never walks its edges live
        self._frames: dict[str, GroupFrameItem] = {}
        self.overview = False
        # Overview blocks by fill colour (ARGB): the kind colour, or the live overlay's.
        self._overview_cache: dict[int, list[QRectF]] | None = None
        self._marked_ids: list[str] = []  # nodes with failed units (live overlay)
        self._overview_item_rects: list[tuple[NodeItem, QRectF]] = []
        self._overview_recolor = False  # only overlay colours changed since the last build
        self._overview_lines: dict[str, list[QLineF]] | None = None
        self._overview_lines_count = 0
        self._flagged_ids: list[str] = []
        # Edges not yet turned into items (big factories open in overview, where edges are
        # not drawn): materialized in idle batches, or all at once when the overview ends.
        self._pending_edges: dict[str, Edge] = {}
        self._fanout: Counter[tuple[str, str]] = Counter()  # (node id, edge kind) → edges
        self._edge_timer = QTimer(self)
        self._edge_timer.setInterval(0)
        self._edge_timer.timeout.connect(self._materialize_some)
        self._pending_nodes: list[str] = []
        # Group frames follow the cards once per document edit (its one "changed"), so a
        # 1,000-node paste or undo recomputes them once, not once per node.
        self._frames_stale = False
        # id → item taken off the canvas with its node or edge; reused only for the very same
        # (immutable) node or edge object, i.e. when an undo brings that object back.
        self._retired_nodes: dict[str, NodeItem] = {}
        self._retired_edges: dict[str, EdgeItem] = {}
        self._connected = False
        self.attach()
        self.rebuild()

    # ---------------------------------------------------------- document link
    def attach(self) -> None:
        if self._connected:
            return
        for signal, slot in self._doc_links():
            signal.connect(slot)
        self._connected = True

    def detach(self) -> None:
        """Stop mirroring (the window is closing); psygnal must not call a deleted scene."""
        if not self._connected:
            return
        for signal, slot in self._doc_links():
            signal.disconnect(slot)
        self._connected = False

    def _doc_links(self) -> list[tuple[Any, Any]]:
        """The document signals the scene mirrors, each with its handler."""
        doc = self.doc
        return [
            (doc.node_added, self._on_doc_node_added),
            (doc.node_removed, self._on_doc_node_removed),
            (doc.node_changed, self._on_doc_node_changed),
            (doc.edge_added, self._on_doc_edge_added),
            (doc.edge_removed, self._on_doc_edge_removed),
            (doc.reset, self.rebuild),
            (doc.changed, self._on_doc_changed),
            *([(self.variants.shown_changed, self._sync_variant)] if self.variants else []),
        ]

    def rebuild(self) -> None:
        self.clear()
        self.node_items.clear()
        self._variant_shown = set()  # a reset document shows the base (the session agrees)
        self._variant_edges = set()
        self.edge_items.clear()
        self._retired_nodes.clear()
        self._retired_edges.clear()
        self._frames.clear()
        self._overview_cache = None
        nodes = self.doc.nodes
        self._pending_edges = dict(self.doc.edges)
        self._fanout = Counter()
        for edge in self._pending_edges.values():
            self._fanout[(edge.source, edge.kind)] += 1
            self._fanout[(edge.target, edge.kind)] += 1
        # Big factories are built over several event-loop turns (nodes first, then edges) so
        # the window keeps answering while 9,590 cards and 38,150 edges come in; small ones
        # are built at once.
        self._pending_nodes = list(reversed(nodes))
        if len(nodes) < OVERVIEW_MIN_NODES:
            self.materialize_all()
        else:
            self._edge_timer.start()
        self._rebuild_frames()

    def materialize_all(self) -> None:
        """Create every pending item now (small scenes, leaving the overview, tests)."""
        self._materialize_nodes(None)
        self.materialize_edges()

    def _materialize_nodes(self, limit: int | None) -> None:
        made = 0
        while self._pending_nodes and (limit is None or made < limit):
            node_id = self._pending_nodes.pop()
            if self.doc.has_node(node_id) and node_id not in self.node_items:
                self._add_node_item(self._shown_node(node_id))  # the current version
                made += 1
        if made and not self._pending_nodes:
            self._rebuild_frames()  # the idle build is done: frames around all the cards

    def _add_node_item(self, node: NodeBase) -> NodeItem:
        item = self._retired_nodes.pop(node.id, None)
        if item is None or item.node is not node:
            item = NodeItem(node)
            if self.overview:
                item.setFlag(_NO_CONTENTS, True)
        else:  # as a new card would be: no live colour or finding until they are applied
            item.setFlag(_NO_CONTENTS, self.overview)
            item.set_overlay(None, False)
            item.set_finding("", "")
        # Items stay top level: children of a parent item bypass the BSP index when drawing,
        # which was measured to make every frame visit all 47k items of the frontier scene.
        self.addItem(item)
        self.node_items[node.id] = item
        if self._overview_cache is not None:  # grow the overview instead of rebuilding it
            self._overview_cache.setdefault(kind_color(item.kind).rgba(), []).append(
                QRectF(node.position.x, node.position.y, NODE_W, NODE_H)
            )
        return item

    def _add_edge_item(self, edge: Edge) -> None:
        source = self.node_items.get(edge.source)
        target = self.node_items.get(edge.target)
        if source is None or target is None:
            if (
                self._pending_nodes
                and self.doc.has_node(edge.source)
                and self.doc.has_node(edge.target)
            ):
                self._pending_edges[edge.id] = edge  # its ends are still being built
                self._edge_timer.start()
            return  # otherwise a dangling edge: the rules report it; nothing to draw
        old = self._retired_edges.pop(edge.id, None)
        if old is not None and old.edge is edge and (old.source, old.target) == (source, target):
            item = old
            item.reattach(self._hub_end(edge))
            item.setVisible(not self.overview)
        else:
            if self.variants is not None and edge.id in self._variant_edges:
                edge = self.variants.shown_edge(edge.id)  # built late: the variant's values
            item = EdgeItem(edge, source, target, self._hub_end(edge))
            if self.overview:
                item.setVisible(False)
        self.addItem(item)
        self.edge_items[edge.id] = item

    def _on_doc_node_added(self, node: NodeBase) -> None:
        self._add_node_item(node)
        self._schedule_frames()

    def _on_doc_node_removed(self, node: NodeBase) -> None:
        if node.id in self._pending_nodes:
            self._pending_nodes.remove(node.id)
        item = self.node_items.pop(node.id, None)
        if item is None:
            return
        for edge_item in list(item.edges):
            self._remove_edge_item(edge_item.edge_id)
        self._retire(self._retired_nodes, node.id, item)
        self._overview_cache = None
        self._schedule_frames()

    def _on_doc_node_changed(self, old: NodeBase, new: NodeBase) -> None:
        item = self.node_items.get(new.id)
        if item is not None:
            # An overridden card gets the variant's node when the edit ends (_sync_variant).
            if new.id not in self._variant_shown:
                item.set_node(new)
            self._overview_cache = None
            self._overview_lines = None
            if old.group != new.group or old.position != new.position:
                self._schedule_frames()

    def _hub_end(self, edge: Edge) -> str:
        source_hub = self._fanout[(edge.source, edge.kind)] > HUB_FANOUT
        target_hub = self._fanout[(edge.target, edge.kind)] > HUB_FANOUT
        if source_hub and target_hub:
            return ""  # hub to hub (a fabric spine): always draw it in full
        return "source" if source_hub else "target" if target_hub else ""

    def _count_edge(self, edge: Edge, step: int) -> None:
        for node_id in (edge.source, edge.target):
            key = (node_id, edge.kind)
            before = self._fanout[key] > HUB_FANOUT
            self._fanout[key] += step
            if before != (self._fanout[key] > HUB_FANOUT):
                item = self.node_items.get(node_id)
                for edge_item in list(item.edges) if item is not None else []:
                    if edge_item.edge.kind == edge.kind:
                        edge_item.set_hub_end(self._hub_end(edge_item.edge))

    def _shown_node(self, node_id: str) -> NodeBase:
        if self.variants is not None and node_id in self._variant_shown:
            return self.variants.shown_node(node_id)
        return self.doc.node(node_id)

    def _sync_variant(self) -> None:
        """Cards of overridden nodes show the active variant's node; the others the base's.

        Once per edit or variant switch (the session's ``shown_changed``). A variant never
        changes structure, so only values (labels, subtitles) change; an overridden WAN link's
        label gives the variant's latency and bandwidth.
        """
        if self.variants is None:
            return
        doc = self.doc
        targets = self.variants.override_targets()
        edges_now = {t for t in targets if doc.has_edge(t)}
        for edge_id in self._variant_edges | edges_now:
            edge_item = self.edge_items.get(edge_id)
            if edge_item is not None and doc.has_edge(edge_id):
                shown = self.variants.shown_edge(edge_id) if edge_id in edges_now else None
                edge_item.set_edge(shown or doc.edge(edge_id))
        self._variant_edges = edges_now
        now = {t for t in targets if doc.has_node(t)}
        for node_id in self._variant_shown | now:
            item = self.node_items.get(node_id)
            if item is None or not doc.has_node(node_id):
                continue
            node = self.variants.shown_node(node_id) if node_id in now else doc.node(node_id)
            if item.node != node:
                item.set_node(node)
        self._variant_shown = now

    def _on_doc_edge_added(self, edge: Edge) -> None:
        self._count_edge(edge, +1)
        self._add_edge_item(edge)

    def _on_doc_edge_removed(self, edge: Edge) -> None:
        self._count_edge(edge, -1)
        self._pending_edges.pop(edge.id, None)
        self._remove_edge_item(edge.id)

    def materialize_edges(self, limit: int | None = None) -> None:
        """Create items for pending edges (all, or up to ``limit``); nodes come first."""
        if self._pending_nodes:
            self._materialize_nodes(None)
        while self._pending_edges and (limit is None or limit > 0):
            _edge_id, edge = self._pending_edges.popitem()
            self._add_edge_item(edge)
            if limit is not None:
                limit -= 1
        if not self._pending_edges:
            self._edge_timer.stop()

    def _materialize_some(self) -> None:
        """One idle step: build items in small chunks until the frame budget is spent."""
        deadline = time.perf_counter() + BUILD_BUDGET_S
        while self.pending_count and time.perf_counter() < deadline:
            if self._pending_nodes:
                self._materialize_nodes(BUILD_CHUNK)
            else:
                self.materialize_edges(BUILD_CHUNK)

    @property
    def node_count(self) -> int:
        """Nodes shown or about to be: built items plus those still queued."""
        return len(self.node_items) + len(self._pending_nodes)

    @property
    def pending_count(self) -> int:
        return len(self._pending_nodes) + len(self._pending_edges)

    def _remove_edge_item(self, edge_id: str) -> None:
        item = self.edge_items.pop(edge_id, None)
        if item is not None:
            item.detach()
            self._retire(self._retired_edges, edge_id, item)

    def _retire(self, retired: dict[str, Any], item_id: str, item: Any) -> None:
        """Take ``item`` off the canvas, keeping it (unselected, like a new one) for an undo."""
        if item.isSelected():
            item.setSelected(False)
        self.removeItem(item)
        retired.pop(item_id, None)
        retired[item_id] = item
        if len(retired) > RETIRED_MAX:
            del retired[next(iter(retired))]  # the longest retired goes

    # ------------------------------------------------------------ groups
    def _schedule_frames(self) -> None:
        self._frames_stale = True

    def _on_doc_changed(self) -> None:
        if self._frames_stale:
            self._rebuild_frames()

    def _rebuild_frames(self) -> None:
        self._frames_stale = False
        rects: dict[str, QRectF] = {}
        if self.show_groups:
            members: dict[str, list[NodeItem]] = defaultdict(list)
            for item in self.node_items.values():
                if item.node.group:
                    members[item.node.group].append(item)
            for name, items in members.items():
                # Card centres as plain floats (kept by the items, also mid-drag): a pos() per
                # card through the bindings made this 75 ms per edit on frontier-scale.
                xs = [i._cx for i in items]
                ys = [i._cy for i in items]
                rects[name] = QRectF(
                    QPointF(min(xs) - NODE_W / 2, min(ys) - NODE_H / 2),
                    QPointF(max(xs) + NODE_W / 2, max(ys) + NODE_H / 2),
                )
        for name in list(self._frames):
            if name not in rects:
                self.removeItem(self._frames.pop(name))
        for name, rect in rects.items():
            frame = self._frames.get(name)
            if frame is None:
                frame = GroupFrameItem(name)
                self.addItem(frame)
                self._frames[name] = frame
            frame.set_rect(rect)
        self._update_scene_rect()

    def set_show_groups(self, on: bool) -> None:
        self.show_groups = on
        self._rebuild_frames()

    def content_rect(self) -> QRectF:
        """The rectangle the node cards cover (empty when there are none)."""
        if not self.node_items and not self._pending_nodes:
            return QRectF()
        # Items where built (they may be mid-drag), the document for cards not built yet.
        points = [(i._cx - NODE_W / 2, i._cy - NODE_H / 2) for i in self.node_items.values()]
        if self._pending_nodes:
            points += [(n.position.x, n.position.y) for n in self.doc.nodes.values()]
        if not points:
            return QRectF()
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        return QRectF(QPointF(min(xs), min(ys)), QPointF(max(xs) + NODE_W, max(ys) + NODE_H))

    def _update_scene_rect(self) -> None:
        # Generous margins so the user can always pan well past the content; the rect only
        # grows while editing so the view does not jump when a node is deleted.
        content = self.content_rect()
        margin = max(content.width(), content.height(), 2000.0)
        rect = content.adjusted(-margin, -margin, margin, margin)
        if content.isEmpty():
            rect = QRectF(-2000, -2000, 4000, 4000)
        self.setSceneRect(rect.united(self.sceneRect()) if self.node_items else rect)

    # ------------------------------------------------------------ queries
    def selected_node_ids(self) -> list[str]:
        ids = [i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)]
        order = {nid: n for n, nid in enumerate(self.node_items)}
        return sorted(ids, key=lambda nid: order.get(nid, 0))

    def selected_node_count(self) -> int:
        return sum(isinstance(i, NodeItem) for i in self.selectedItems())

    def selected_edge_ids(self) -> list[str]:
        return [i.edge_id for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def select_nodes(self, node_ids: list[str]) -> None:
        self.clearSelection()
        with self.one_selection_change():
            for nid in node_ids:
                item = self.node_items.get(nid)
                if item is not None:
                    item.setSelected(True)

    def select_all_nodes(self) -> None:
        self._materialize_nodes(None)  # cards still queued for idle building
        with self.one_selection_change():
            for item in self.node_items.values():
                item.setSelected(True)

    @contextmanager
    def one_selection_change(self) -> Iterator[None]:
        """Select many items with one ``selectionChanged`` at the end.

        Listeners that look at the whole selection made selecting the 9,590 frontier nodes one
        by one quadratic (minutes).
        """
        blocked = self.blockSignals(True)
        try:
            yield
        finally:
            self.blockSignals(blocked)
        if not blocked:
            self.selectionChanged.emit()

    def node_item_at(self, scene_pos: QPointF) -> NodeItem | None:
        for item in self.items(scene_pos):
            if isinstance(item, NodeItem):
                return item
        return None

    def apply_findings(self, by_node: dict[str, tuple[str, str]]) -> None:
        """Show error/warning badges: node id → (severity, text); others are cleared."""
        for nid, item in self.node_items.items():
            severity, text = by_node.get(nid, ("", ""))
            item.set_finding(severity, text)
        self._flagged_ids = [nid for nid in by_node if nid in self.node_items]
        self.findings_applied.emit()

    # ------------------------------------------------------------ overview
    def set_overview(self, on: bool) -> None:
        """Far out on a big factory: hide the items, draw one block per node in two calls.

        Thousands of visible items cost one Python ``paint`` call each per frame; the overview
        draws precomputed rectangles per kind instead (see benchmarks/bench_ui.py).
        """
        if on == self.overview:
            return
        self.overview = on
        if not on:
            self.materialize_all()
        # Cards stay visible without contents, so they can still be selected (Select All,
        # rubber band, find) while the overview draws them; edges are hidden outright.
        for node_item in self.node_items.values():
            node_item.setFlag(_NO_CONTENTS, on)
        for edge_item in self.edge_items.values():
            edge_item.setVisible(not on)
            if not on and edge_item.hub_end:
                edge_item.sync_stub()
        self.update()

    def set_wan_loads(self, loads: dict[str, tuple[float, float]]) -> None:
        """A live run's load per WAN edge id (``Engine.wan_load``).

        Links not named go back to their own look (``{}`` clears every one when the run is gone).
        """
        if not loads and not self._wan_loads_shown:
            return
        self._wan_loads_shown = bool(loads)
        for edge_id, item in self.edge_items.items():
            item.set_load(loads.get(edge_id))  # a no-op on other edges

    def overlay_changed(self, marked_ids: list[str]) -> None:
        """The live overlay recoloured items (ui/live): regroup the overview blocks by colour.

        Only colours changed, so the blocks' rectangles are reused (measured: rebuilding them
        for the frontier scene took ~35 ms per recolour, regrouping ~3 ms).
        """
        self._overview_recolor = self._overview_cache is not None or self._overview_recolor
        self._overview_cache = None
        self._marked_ids = marked_ids
        if self.overview:
            self.update()

    def overview_blocks(self) -> dict[int, list[QRectF]]:
        """One rectangle per built card, grouped by fill colour (ARGB): the overview's data."""
        return self._overview_rects()

    def _overview_rects(self) -> dict[int, list[QRectF]]:
        if self._overview_cache is None:
            pairs = self._overview_item_rects
            moved = not self._overview_recolor or len(pairs) != len(self.node_items)
            if moved:
                pairs = [
                    (item, QRectF(item.pos().x(), item.pos().y(), NODE_W, NODE_H))
                    for item in self.node_items.values()
                ]
                self._overview_item_rects = pairs
                self._overview_lines = None  # edges follow moved nodes; a recolour keeps them
            self._overview_recolor = False
            rects: dict[int, list[QRectF]] = defaultdict(list)
            for item, rect in pairs:
                color = item.overlay_color
                rects[kind_color(item.kind).rgba() if color is None else color.rgba()].append(rect)
            self._overview_cache = dict(rects)
        return self._overview_cache

    def _overview_edge_lines(self) -> dict[str, list[QLineF]]:
        if self._pending_edges:
            return {}  # still being built: drawing a growing set would rebuild it every frame
        if self._overview_lines is None or self._overview_lines_count != len(self.edge_items):
            lines: dict[str, list[QLineF]] = defaultdict(list)
            for item in self.edge_items.values():
                lines[item.edge.kind].append(item.line)
            self._overview_lines = dict(lines)
            self._overview_lines_count = len(self.edge_items)
        return self._overview_lines

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        if not self.overview:
            return
        for kind, lines in self._overview_edge_lines().items():
            painter.setPen(QPen(QColor(EDGE_STYLES[kind][0]), 0))
            painter.drawLines(lines)
        painter.setPen(Qt.PenStyle.NoPen)
        for rgba, rects in self._overview_rects().items():
            painter.setBrush(QColor.fromRgba(rgba))
            painter.drawRects(rects)
        flagged = [
            ("", i.sceneBoundingRect()) for i in self.selectedItems() if isinstance(i, NodeItem)
        ]
        flagged += [
            (item.severity, item.sceneBoundingRect())
            for item in (self.node_items.get(nid) for nid in self._flagged_ids)
            if item is not None
        ]
        flagged += [  # failed units (live overlay) in the validation "error" red
            ("error", item.sceneBoundingRect())
            for item in (self.node_items.get(nid) for nid in self._marked_ids)
            if item is not None
        ]
        for severity, bounds in flagged:
            color = self.theme.selection if not severity else QColor(STATUS_COLORS[severity])
            painter.setBrush(color)
            painter.drawRect(bounds)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.setBackgroundBrush(theme.canvas_bg)
        self.update()

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        painter.fillRect(rect, self.theme.canvas_bg)
        scale = painter.worldTransform().m11()
        if scale < 0.45:  # grid lines closer than ~9 px are noise; skip them
            return
        step = GRID * (1 if scale >= 0.9 else 2)
        left = int(rect.left() // step) * step
        top = int(rect.top() // step) * step
        pen_minor = self.theme.grid_minor
        lines_x = []
        x = left
        while x < rect.right():
            lines_x.append(x)
            x += step
        painter.setPen(pen_minor)
        for x in lines_x:
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
        y = top
        while y < rect.bottom():
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            y += step
