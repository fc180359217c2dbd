"""QPainter drawing shared by the PDF report and presentation mode: charts, diagram, tables.

Drawn with QPainter rather than exported pyqtgraph images so the PDF stays vector (sharp when
printed or projected) and one function serves a 300-dpi page and a 4K projector alike: every size
is a fraction of the target rectangle or a point size scaled by ``scale``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen

from aifactory_twin.formatting import format_plain
from ui.theme import Theme

# Okabe–Ito palette: distinguishable with the common colour-vision deficiencies and in print.
VARIANT_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
EDGE_COLORS = {
    "power": "#D55E00",
    "coolant": "#0072B2",
    "network": "#8E44AD",
    "data": "#009E73",
    "support": "#888888",
    "wan": "#56B4E9",
}


def variant_color(index: int) -> QColor:
    return QColor(VARIANT_COLORS[index % len(VARIANT_COLORS)])


def unit(painter: QPainter, scale: float = 1.0) -> float:
    """Device pixels per typographic point: distances follow the fonts on any device."""
    return painter.device().logicalDpiY() / 72.0 * scale


def metrics(painter: QPainter, f: QFont) -> QFontMetricsF:
    """Font metrics for the painter's device (a 300-dpi PDF is not the 96-dpi screen)."""
    return QFontMetricsF(f, painter.device())


def font(point_size: float, *, bold: bool = False) -> QFont:
    out = QFont("DejaVu Sans")
    out.setPointSizeF(point_size)
    out.setBold(bold)
    return out


def nice_ticks(low: float, high: float, target: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5, 5 × 10^k) covering [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0]
    if high <= low:
        high = low + (abs(low) * 0.1 or 1.0)
    raw = (high - low) / max(target, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 0.5:
        ticks.append(round(value, 12))
        value += step
    return ticks


@dataclass
class Curve:
    """One line: label for the legend, colour, x (days or hours) and y values."""

    label: str
    color: QColor
    x: np.ndarray
    y: np.ndarray
    dashed: bool = False


@dataclass
class Band:
    """A P10–P90 fan with its P50 line."""

    label: str
    color: QColor
    x: np.ndarray
    p10: np.ndarray
    p50: np.ndarray
    p90: np.ndarray


@dataclass
class Markers:
    """Points without a line (a scatter): ``shape`` is "dot" or "star"; ``size`` in points."""

    label: str
    color: QColor
    x: np.ndarray
    y: np.ndarray
    shape: str = "dot"
    size: float = 4.0


@dataclass
class ChartSpec:
    title: str
    y_label: str
    x_label: str = "days"
    curves: list[Curve] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    markers: list[Markers] = field(default_factory=list)
    y_scale: float = 1.0
    """Values are divided by this for display (e.g. 1e6 for millions)."""


def _y_range(spec: ChartSpec) -> tuple[float, float, float, float]:
    xs: list[np.ndarray] = [c.x for c in spec.curves] + [b.x for b in spec.bands]
    xs += [m.x for m in spec.markers]
    ys: list[np.ndarray] = [c.y for c in spec.curves] + [m.y for m in spec.markers]
    ys += [b.p10 for b in spec.bands] + [b.p90 for b in spec.bands]
    finite_x = [x[np.isfinite(x)] for x in xs if len(x)]
    finite_y = [y[np.isfinite(y)] / spec.y_scale for y in ys if len(y)]
    finite_x = [x for x in finite_x if x.size]
    finite_y = [y for y in finite_y if y.size]
    if not finite_x or not finite_y:
        return 0.0, 1.0, 0.0, 1.0
    x0 = min(float(x.min()) for x in finite_x)
    x1 = max(float(x.max()) for x in finite_x)
    y0 = min(float(y.min()) for y in finite_y)
    y1 = max(float(y.max()) for y in finite_y)
    if y0 > 0 and y0 < 0.6 * y1:
        y0 = 0.0  # start at zero unless the data sits in a narrow band far from it
    pad = (y1 - y0) * 0.06 or abs(y1) * 0.05 or 1.0
    if spec.markers and x1 > x0:  # a dot on the frame would be cut in half
        x_pad = (x1 - x0) * 0.03
        x0, x1 = x0 - x_pad, x1 + x_pad
    return x0, x1 if x1 > x0 else x0 + 1.0, y0 - (pad if y0 != 0 else 0.0), y1 + pad


def draw_chart(
    painter: QPainter, rect: QRectF, spec: ChartSpec, theme: Theme, scale: float = 1.0
) -> None:
    """Axes, grid, bands, curves and a legend inside ``rect``."""
    u = unit(painter, scale)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    title_font, tick_font = font(11 * scale, bold=True), font(8 * scale)
    fm_title, fm_tick = metrics(painter, title_font), metrics(painter, tick_font)
    # The title in bold, its unit after it in the small font: the title is never cut and the
    # unit text ("kW; solid facility, dashed IT") only when even the small font cannot hold it.
    painter.setFont(title_font)
    painter.setPen(QColor(theme.foreground))
    title_box = QRectF(rect.left(), rect.top(), rect.width(), fm_title.height())
    title_w = fm_title.horizontalAdvance(spec.title + "  ")
    painter.drawText(
        title_box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, spec.title
    )
    if spec.y_label:
        painter.setFont(tick_font)
        painter.setPen(QColor(theme.muted))
        room = max(0.0, rect.width() - title_w)
        painter.drawText(
            title_box.adjusted(title_w, 0, 0, 0),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            fm_tick.elidedText(spec.y_label, Qt.TextElideMode.ElideRight, room),
        )
    x0, x1, y0, y1 = _y_range(spec)
    y_ticks = [t for t in nice_ticks(y0, y1) if y0 <= t <= y1] or [y0]
    label_w = max(fm_tick.horizontalAdvance(format_plain(t)) for t in y_ticks) + 6 * u
    legend_h = fm_tick.height() * 1.6
    plot = QRectF(
        rect.left() + label_w,
        rect.top() + fm_title.height() * 1.4,
        rect.width() - label_w - 8 * u,
        rect.height() - fm_title.height() * 1.4 - fm_tick.height() * 2.4 - legend_h,
    )

    def px(x: float) -> float:
        return plot.left() + (x - x0) / (x1 - x0) * plot.width()

    def py(y: float) -> float:
        return plot.bottom() - (y - y0) / (y1 - y0) * plot.height()

    painter.setFont(tick_font)
    grid_pen = QPen(QColor(theme.grid), max(1.0, 0.6 * u))
    for t in y_ticks:
        painter.setPen(grid_pen)
        painter.drawLine(QPointF(plot.left(), py(t)), QPointF(plot.right(), py(t)))
        painter.setPen(QColor(theme.muted))
        painter.drawText(
            QRectF(rect.left(), py(t) - fm_tick.height() / 2, label_w - 4 * u, fm_tick.height()),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            format_plain(t),
        )
    x_ticks = [t for t in nice_ticks(x0, x1, 6) if x0 <= t <= x1]
    draw_x_ticks(painter, plot, x_ticks, px, format_plain, theme, u)
    painter.drawText(
        QRectF(plot.left(), plot.bottom() + fm_tick.height(), plot.width(), fm_tick.height()),
        Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
        spec.x_label,
    )
    painter.setClipRect(plot.adjusted(-1, -1, 1, 1))
    for band in spec.bands:
        fill = QColor(band.color)
        fill.setAlphaF(0.22)
        path = QPainterPath()
        pts_hi = [
            QPointF(px(x), py(y / spec.y_scale)) for x, y in zip(band.x, band.p90, strict=True)
        ]
        pts_lo = [
            QPointF(px(x), py(y / spec.y_scale)) for x, y in zip(band.x, band.p10, strict=True)
        ]
        if pts_hi:
            path.moveTo(pts_hi[0])
            for p in pts_hi[1:] + pts_lo[::-1]:
                path.lineTo(p)
            path.closeSubpath()
            painter.fillPath(path, fill)
        _polyline(painter, band.x, band.p50 / spec.y_scale, px, py, band.color, 1.6 * u)
    for curve in spec.curves:
        _polyline(
            painter,
            curve.x,
            curve.y / spec.y_scale,
            px,
            py,
            curve.color,
            1.6 * u,
            dashed=curve.dashed,
        )
    for mark in spec.markers:
        for x, y in zip(mark.x, mark.y / spec.y_scale, strict=True):
            if math.isfinite(x) and math.isfinite(y):
                _marker(painter, QPointF(px(float(x)), py(float(y))), mark, u)
    painter.setClipping(False)
    painter.setPen(QPen(QColor(theme.muted), max(1.0, 0.8 * u)))
    painter.drawRect(plot)
    # Legend along the bottom.
    # Dashed companions (e.g. IT power under facility power) are explained by the chart title;
    # the legend names each colour once.
    entries: list[tuple[str, QColor, bool | Markers]] = [
        (c.label, c.color, c.dashed) for c in spec.curves if not c.dashed
    ]
    entries += [(f"{b.label} P10–P90, P50", b.color, False) for b in spec.bands]
    entries += [(m.label, m.color, m) for m in spec.markers if m.label]
    x = plot.left()
    y = rect.bottom() - legend_h / 2
    for label, color, style in entries:
        if x + 20 * u + fm_tick.horizontalAdvance(label) > rect.right():
            painter.setPen(QColor(theme.muted))
            painter.drawText(QPointF(x, y + fm_tick.ascent() / 2 - 1), "…")
            break
        if isinstance(style, Markers):
            _marker(painter, QPointF(x + 8 * u, y), style, u)
        else:
            pen = QPen(color, 2.4 * u)
            if style:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawLine(QPointF(x, y), QPointF(x + 16 * u, y))
        painter.setPen(QColor(theme.foreground))
        painter.drawText(QPointF(x + 20 * u, y + fm_tick.ascent() / 2 - 1), label)
        x += 28 * u + fm_tick.horizontalAdvance(label)
    painter.restore()


def _marker(painter: QPainter, at: QPointF, mark: Markers, u: float) -> None:
    """One point of ``mark``: a filled dot, or a five-pointed star (the chosen design)."""
    r = mark.size * u / 2
    painter.setPen(QPen(mark.color.darker(140), max(1.0, 0.5 * u)))
    painter.setBrush(mark.color)
    if mark.shape == "star":
        path = QPainterPath()
        for k in range(10):
            radius = r if k % 2 == 0 else r * 0.45
            angle = -math.pi / 2 + k * math.pi / 5
            point = QPointF(at.x() + radius * math.cos(angle), at.y() + radius * math.sin(angle))
            if k:
                path.lineTo(point)
            else:
                path.moveTo(point)
        path.closeSubpath()
        painter.drawPath(path)
    else:
        painter.drawEllipse(at, r, r)
    painter.setBrush(Qt.BrushStyle.NoBrush)


def draw_x_ticks(
    painter: QPainter,
    plot: QRectF,
    ticks: list[float],
    px: Callable[[float], float],
    text: Callable[[float], str],
    theme: Theme,
    u: float,
) -> None:
    """A vertical grid line at each tick and its value (``text``) under the plot area.

    Drawn in the painter's current font.
    """
    height = metrics(painter, painter.font()).height()
    for t in ticks:
        painter.setPen(QPen(QColor(theme.grid), max(1.0, 0.6 * u)))
        painter.drawLine(QPointF(px(t), plot.top()), QPointF(px(t), plot.bottom()))
        painter.setPen(QColor(theme.muted))
        painter.drawText(
            QRectF(px(t) - 40 * u, plot.bottom() + 2 * u, 80 * u, height),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            text(t),
        )


def _polyline(
    painter: QPainter,
    xs: np.ndarray,
    ys: np.ndarray,
    px: object,
    py: object,
    color: QColor,
    width: float,
    dashed: bool = False,
) -> None:
    pen = QPen(color, width)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    painter.setPen(pen)
    path = QPainterPath()
    started = False
    for x, y in zip(xs, ys, strict=True):
        if not (math.isfinite(x) and math.isfinite(y)):
            started = False
            continue
        point = QPointF(px(float(x)), py(float(y)))  # type: ignore[operator]
        if started:
            path.lineTo(point)
        else:
            path.moveTo(point)
            started = True
    painter.drawPath(path)
