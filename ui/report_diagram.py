"""The factory diagram for the report and slides: nodes at their canvas positions, typed edges.

Drawn from the scenario itself (positions, kinds, edge kinds) so it works without the editor
and matches what the user laid out. Large factories (hundreds of nodes) drop labels and draw
nodes as small marks, so a 9,472-node scene is still a readable picture of its structure.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from aifactory_twin.schema import Scenario
from ui.report_charts import EDGE_COLORS, font, metrics, unit
from ui.resources import kind_color as kind_qcolor
from ui.theme import Theme

_LABEL_LIMIT = 120  # above this many nodes, labels would overlap into noise


def draw_factory_diagram(
    painter: QPainter, rect: QRectF, scenario: Scenario, theme: Theme, scale: float = 1.0
) -> None:
    """Fit every node's position into ``rect`` (keeping aspect) and draw edges then nodes."""
    u = unit(painter, scale)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    legend_h = metrics(painter, font(8 * scale)).height() * 1.8
    area = rect.adjusted(0, 0, 0, -legend_h)
    nodes = scenario.nodes
    if not nodes:
        painter.setPen(QColor(theme.muted))
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "no nodes")
        painter.restore()
        return
    xs = [n.position.x for n in nodes]
    ys = [n.position.y for n in nodes]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    labelled = len(nodes) <= _LABEL_LIMIT
    box_w = (118 if labelled else 6) * u
    box_h = (40 if labelled else 6) * u
    inner = area.adjusted(box_w / 2, box_h / 2, -box_w / 2, -box_h / 2)
    span_x = max(x1 - x0, 1.0)
    span_y = max(y1 - y0, 1.0)
    k = min(inner.width() / span_x, inner.height() / span_y)
    # A layout denser than the boxes: shrink the boxes rather than overlap them.
    if labelled and len(nodes) > 1:
        min_gap = _min_gap(xs, ys) * k
        if min_gap < box_w * 1.05:
            shrink = max(min_gap / (box_w * 1.05), 0.45)
            box_w, box_h = box_w * shrink, box_h * shrink
    off_x = inner.left() + (inner.width() - span_x * k) / 2
    off_y = inner.top() + (inner.height() - span_y * k) / 2
    centre = {
        n.id: QPointF(off_x + (n.position.x - x0) * k, off_y + (n.position.y - y0) * k)
        for n in nodes
    }
    edge_width = (1.3 if labelled else 0.5) * u
    for edge in scenario.edges:
        a, b = centre.get(edge.source), centre.get(edge.target)
        if a is None or b is None or (not labelled and edge.kind == "support"):
            continue  # thousands of team→unit lines would hide the structure
        color = QColor(EDGE_COLORS.get(edge.kind, theme.muted))
        if not labelled:
            color.setAlphaF(0.35)
        pen = QPen(color, edge_width)
        if edge.kind == "support":
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawLine(a, b)
    label_font = font(max(5.0, 7.0 * scale * box_w / (118 * u)))
    painter.setFont(label_font)
    fm = metrics(painter, label_font)
    for node in nodes:
        c = centre[node.id]
        box = QRectF(c.x() - box_w / 2, c.y() - box_h / 2, box_w, box_h)
        kind_color = kind_qcolor(node.kind)
        if not labelled:
            painter.fillRect(box, kind_color)
            continue
        fill = QColor(theme.panel)
        painter.setPen(QPen(kind_color, 1.6 * u))
        painter.setBrush(fill)
        painter.drawRoundedRect(box, 5 * u, 5 * u)
        painter.fillRect(QRectF(box.left(), box.top(), 4 * u, box.height()), kind_color)
        painter.setPen(QColor(theme.foreground))
        # The id first: overrides and sweep parameters name nodes by id.
        count = f" ×{node.count}" if node.count > 1 else ""
        text = fm.elidedText(node.id + count, Qt.TextElideMode.ElideRight, box.width() - 10 * u)
        painter.drawText(
            box.adjusted(7 * u, 0, -3 * u, -box.height() / 2),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
            text,
        )
        painter.setPen(QColor(theme.muted))
        painter.drawText(
            box.adjusted(7 * u, box.height() / 2, -3 * u, 0),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
            fm.elidedText(
                node.name or node.kind.replace("_", " "),
                Qt.TextElideMode.ElideRight,
                box.width() - 10 * u,
            ),
        )
    painter.setBrush(Qt.BrushStyle.NoBrush)
    _legend(
        painter, QRectF(rect.left(), rect.bottom() - legend_h, rect.width(), legend_h), theme, scale
    )
    painter.restore()


def _min_gap(xs: list[float], ys: list[float]) -> float:
    """Smallest horizontal distance between nodes on (nearly) the same row, in scene units."""
    rows: dict[int, list[float]] = {}
    for x, y in zip(xs, ys, strict=True):
        rows.setdefault(round(y / 20), []).append(x)
    gaps = [
        b - a
        for row in rows.values()
        for a, b in zip(sorted(row), sorted(row)[1:], strict=False)
        if b > a
    ]
    return min(gaps) if gaps else float("inf")


def _legend(painter: QPainter, rect: QRectF, theme: Theme, scale: float) -> None:
    u = unit(painter, scale)
    painter.setFont(font(8 * scale))
    fm = metrics(painter, painter.font())
    x = rect.left()
    y = rect.center().y()
    for kind, color in EDGE_COLORS.items():
        pen = QPen(QColor(color), 2.2 * u)
        if kind == "support":
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawLine(QPointF(x, y), QPointF(x + 18 * u, y))
        painter.setPen(QColor(theme.foreground))
        label = f"{kind} edge"
        painter.drawText(QPointF(x + 22 * u, y + fm.ascent() / 2 - 1), label)
        x += 34 * u + fm.horizontalAdvance(label)
