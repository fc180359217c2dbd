"""EdgeItem: a typed connection drawn as a curve, or as a stub when one end is a hub.

Split from items.py; the geometry is plain float arithmetic because it runs for every edge of
a 38k-edge factory on load and for every edge of a dragged node.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QGraphicsItem, QStyle, QStyleOptionGraphicsItem, QWidget

from aifactory_twin.schema import Edge, WanLink
from ui.canvas.items import LOD_SIMPLE, NODE_W, NodeItem, theme_of
from ui.resources import EDGE_STYLES

STUB_LEN = 46.0
# A node with more edges of one kind than this is a hub (a fabric, a CDU, an ops team): its
# edges are drawn as short stubs at the other end unless an end is selected. 38k full-length
# curves across the frontier scene were a hairball that cost seconds per frame.
HUB_FANOUT = 24


def _edge_pens(kind: str) -> tuple[QPen, QPen]:
    pens = _PEN_CACHE.get(kind)
    if pens is None:
        color, style, width = EDGE_STYLES[kind]
        qcolor = QColor(color)
        if kind == "support":
            qcolor.setAlpha(110)  # a team supports many nodes; keep those lines in the background
        pens = (QPen(qcolor, width, style, Qt.PenCapStyle.RoundCap), QPen(qcolor, 0))
        _PEN_CACHE[kind] = pens
    return pens


_PEN_CACHE: dict[str, tuple[QPen, QPen]] = {}

WAN_LOAD_COLORS = ((1.0, "#E0483E"), (0.7, "#E09400"))
"""A live WAN link's colour by load (asked / carried at most): saturated red, ≥ 70 % amber;
below that it keeps its own blue."""


def wan_label(edge: Edge) -> str:
    """``20 ms · 1 Gb/s`` for a WAN link, "" for other edges."""
    if not isinstance(edge, WanLink):
        return ""
    return f"{edge.latency_ms:.3g} ms · {rate_text(edge.bandwidth_gbps)}"


def rate_text(gbps: float) -> str:
    """``1 Gb/s``, ``100 Mb/s``."""
    return f"{gbps:.3g} Gb/s" if gbps >= 1 else f"{gbps * 1000:.3g} Mb/s"


class EdgeItem(QGraphicsItem):
    """A typed connection: a curve between two cards, or a stub when one end is a hub."""

    def __init__(self, edge: Edge, source: NodeItem, target: NodeItem, hub_end: str = "") -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(-1)
        self.edge = edge
        self.source = source
        self.target = target
        self.hub_end = hub_end  # "", "source", "target" or "both"
        self._pen, self._thin_pen = _edge_pens(edge.kind)
        self._direction = QPointF(1, 0)
        self._start = QPointF()
        self._end = QPointF()
        self.line = QLineF()
        self._path = QPainterPath()
        self._shape: QPainterPath | None = None
        self._rect = QRectF()
        self._stubbed = False
        source.edges.add(self)
        target.edges.add(self)
        self.label = wan_label(edge)
        """A WAN link's latency and bandwidth, written at the middle of the curve."""
        self.load: tuple[float, float] | None = None
        """A live run's (load, bandwidth_gbps) on a WAN link (``Engine.wan_load``), or None."""
        self._set_tip()
        self.update_path()

    def _set_tip(self) -> None:
        edge = self.edge
        tip = f"{edge.kind} edge {edge.id}: {edge.source} → {edge.target}"
        if self.load is not None:
            tip += (
                f"<br>live run: asked for {self.load[0] * 100:,.0f} % of the "
                f"{rate_text(self.load[1])} it carries"
            )
        self.setToolTip(f"{tip}<br>{wan_label(edge)}" if self.label else tip)

    def set_edge(self, edge: Edge) -> None:
        """Show ``edge``'s values (the active variant's WAN latency and bandwidth); same ends."""
        if edge == self.edge:
            return
        self.edge = edge
        if self.load is None:  # a live run's label keeps the run's own numbers
            self.label = wan_label(edge)
        self._set_tip()
        self.update()

    def set_load(self, load: tuple[float, float] | None) -> None:
        """Colour and label a WAN link by a live run's (load, bandwidth_gbps); None: its own.

        The live label gives the run's bandwidth (a variant's may differ from the canvas's).
        """
        if load == self.load or not isinstance(self.edge, WanLink):
            return
        self.load = load
        self._pen = _edge_pens(self.edge.kind)[0]
        self.label = wan_label(self.edge)
        if load is not None:
            self.label = f"{load[0] * 100:,.0f} % of {rate_text(load[1])}"
            color = next((c for limit, c in WAN_LOAD_COLORS if load[0] >= limit), None)
            if color is not None:
                self._pen = QPen(self._pen)
                self._pen.setColor(QColor(color))
        self._set_tip()
        self.update()

    @property
    def edge_id(self) -> str:
        return self.edge.id

    @property
    def line_start(self) -> QPointF:
        return self._start

    @property
    def line_end(self) -> QPointF:
        return self._end

    @property
    def is_stub(self) -> bool:
        return self._stubbed

    def detach(self) -> None:
        self.source.edges.discard(self)
        self.target.edges.discard(self)

    def reattach(self, hub_end: str) -> None:
        """Back between the same two cards (an undo): link again, redraw only if need be."""
        self.source.edges.add(self)
        self.target.edges.add(self)
        expanded = self.source.isSelected() or self.target.isSelected()
        stubbed = hub_end in ("source", "target") and not expanded
        if hub_end != self.hub_end or stubbed != self._stubbed:
            self.hub_end = hub_end
            self.update_path()

    def set_hub_end(self, hub_end: str) -> None:
        if hub_end != self.hub_end:
            self.hub_end = hub_end
            self.update_path()

    def sync_stub(self) -> None:
        """Redraw if being a stub no longer matches the ends' selection."""
        expanded = self.source.isSelected() or self.target.isSelected()
        if self._stubbed != (self.hub_end in ("source", "target") and not expanded):
            self.update_path()

    def update_path(self) -> None:
        # Plain float arithmetic: QPointF maths through the bindings costs ~10x more, and this
        # runs for every edge of a 38k-edge factory on load and for every edge of a dragged node.
        self.prepareGeometryChange()
        # Out of the source's output port (right side), into the target's input port (left
        # side), wherever the two cards are: the direction of flow reads from the ends alone.
        sx, sy = self.source._cx + NODE_W / 2, self.source._cy
        ex, ey = self.target._cx - NODE_W / 2, self.target._cy
        dx, dy = 1.0, 0.0
        expanded = self.source.isSelected() or self.target.isSelected()
        self._stubbed = self.hub_end in ("source", "target") and not expanded
        path = QPainterPath()
        if self._stubbed:
            length = math.hypot(ex - sx, ey - sy) or 1.0
            ux, uy = (ex - sx) / length, (ey - sy) / length
            stub = min(STUB_LEN, length)
            if self.hub_end == "source":  # keep the target's end, pointing back at the hub
                sx, sy = ex - ux * stub, ey - uy * stub
            else:
                ex, ey = sx + ux * stub, sy + uy * stub
            dx, dy = ux, uy
            path.moveTo(sx, sy)
            path.lineTo(ex, ey)
        else:
            gap = ex - sx
            # Forwards: a gentle S; backwards (target left of the source): a wider loop that
            # leaves to the right and comes back in from the left.
            reach = max(gap * 0.4, 30.0) if gap >= 0 else max(-gap * 0.5, abs(ey - sy) * 0.3, 80.0)
            path.moveTo(sx, sy)
            path.cubicTo(sx + reach, sy, ex - reach, ey, ex, ey)
        self._start, self._end = QPointF(sx, sy), QPointF(ex, ey)
        self.line = QLineF(sx, sy, ex, ey)  # the overview draws these in one call per kind
        self._direction = QPointF(dx, dy)
        self._path = path
        self._shape = None  # built on first hit test: 38k strokes at load time cost seconds
        self._rect = path.controlPointRect().adjusted(-8, -8, 8, 8)
        if self.label:  # room for the label at the middle of the curve
            mid = path.pointAtPercent(0.5)
            self._rect = self._rect.united(QRectF(mid.x() - 70, mid.y() - 22, 140, 20))

    def boundingRect(self) -> QRectF:
        return self._rect

    def shape(self) -> QPainterPath:
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(10)
            self._shape = stroker.createStroke(self._path)
        return self._shape

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        # The view does not save painter state between items (DontSavePainterState): a brush
        # left by the previous item would fill the curve into a wedge. Always clear it.
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if lod < LOD_SIMPLE:
            painter.setPen(QPen(theme_of(self).selection, 0) if selected else self._thin_pen)
            painter.drawLine(self._start, self._end)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if selected:
            # A thin line in the selection colour, a little wider than the edge's own.
            pen = QPen(self._pen)
            pen.setColor(theme_of(self).selection)
            pen.setWidthF(self._pen.widthF() + 1.5)
            pen.setStyle(Qt.PenStyle.SolidLine)
            painter.setPen(pen)
        else:
            painter.setPen(self._pen)
        color = painter.pen().color()
        painter.drawPath(self._path)
        if self._stubbed:
            # A small dot at the open end says "continues to a hub" (hover shows which).
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            open_end = self._start if self.hub_end == "source" else self._end
            painter.drawEllipse(open_end, 2.5, 2.5)
            if self.hub_end == "source":
                self._paint_arrow(painter, color)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            return
        if self.label:
            mid = self._path.pointAtPercent(0.5)
            painter.setPen(color)
            painter.drawText(
                QRectF(mid.x() - 70, mid.y() - 22, 140, 18),
                Qt.AlignmentFlag.AlignCenter,
                self.label,
            )
        if self.edge.kind not in ("network", "wan"):  # these links carry traffic both ways
            self._paint_arrow(painter, color)

    def _paint_arrow(self, painter: QPainter, color: QColor) -> None:
        tip = self._end
        d = self._direction
        back = tip - d * 9
        side = QPointF(-d.y(), d.x()) * 4.5
        head = QPolygonF([tip, back + side, back - side])
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(color))
        painter.drawPolygon(head)
        painter.setBrush(Qt.BrushStyle.NoBrush)
