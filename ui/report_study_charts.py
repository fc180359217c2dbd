"""QPainter drawing of the decision studies for the PDF report and the slides: tornado, heat map.

Like ``ui.report_charts``: vector drawing sized from the target rectangle and the point size
(``scale``), so a 300-dpi page and a projector show the same picture. Values are formatted by
the KPI registry, as everywhere else.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QLinearGradient, QPainter, QPen

from aifactory_twin.formatting import MISSING
from aifactory_twin.kpi_registry import format_kpi, kpi_info
from aifactory_twin.study.uncertainty import NO_VALUE_TEXT, TornadoBar
from ui.report_charts import VARIANT_COLORS, draw_x_ticks, font, metrics, nice_ticks, unit
from ui.theme import Theme

LOW_COLOR, HIGH_COLOR = QColor(VARIANT_COLORS[0]), QColor(VARIANT_COLORS[1])
_ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_ALIGN_CENTER = Qt.AlignmentFlag.AlignCenter


def _value_text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _heading(
    painter: QPainter, rect: QRectF, title: str, note: str, theme: Theme, scale: float
) -> float:
    """Bold title with a muted note after it; returns the height used."""
    title_font, note_font = font(11 * scale, bold=True), font(8 * scale)
    fm = metrics(painter, title_font)
    painter.setFont(title_font)
    painter.setPen(QColor(theme.foreground))
    box = QRectF(rect.left(), rect.top(), rect.width(), fm.height())
    painter.drawText(box, _ALIGN_LEFT, title)
    if note:
        width = fm.horizontalAdvance(title + "  ")
        painter.setFont(note_font)
        painter.setPen(QColor(theme.muted))
        room = max(0.0, rect.width() - width)
        text = metrics(painter, note_font).elidedText(note, Qt.TextElideMode.ElideRight, room)
        painter.drawText(box.adjusted(width, 0, 0, 0), _ALIGN_LEFT, text)
    return fm.height() * 1.4


def draw_tornado(
    painter: QPainter,
    rect: QRectF,
    key: str,
    bars: Sequence[TornadoBar],
    center: float,
    theme: Theme,
    scale: float = 1.0,
) -> None:
    """Each input's bar from the all-medians value to the KPI at its P10 (blue) and P90 (orange).

    Largest swing on top; each row names the input and its P10 → P90 values, each bar end
    carries the KPI value there.
    """
    u = unit(painter, scale)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    info = kpi_info(key)
    note = f"centre: all inputs at medians = {format_kpi(key, center)}"
    top = _heading(painter, rect, info.label, "; ".join(p for p in (info.unit_text, note) if p),
                   theme, scale)  # fmt: skip
    shown = [b for b in bars if math.isfinite(b.swing) or b.one_end_missing]
    tick_font, small = font(8 * scale), font(7 * scale)
    fm, fm_small = metrics(painter, tick_font), metrics(painter, small)
    if not shown:
        painter.setFont(tick_font)
        painter.setPen(QColor(theme.muted))
        painter.drawText(rect.adjusted(0, top, 0, 0), _ALIGN_CENTER, f"no {info.label.lower()}")
        painter.restore()
        return
    label_w = min(rect.width() * 0.38, max(fm.horizontalAdvance(b.label) for b in shown) + 8 * u)
    legend_h = fm.height() * 1.8
    # Inputs left out because a run at one of their ends reports no value (a job that did not
    # finish within the horizon) are named under the chart, so their absence is not read as
    # "no effect".
    missing = [b.label for b in bars if b not in shown]  # no value at either end
    note_h = fm_small.height() * 1.5 if missing else 0.0
    plot = QRectF(
        rect.left() + label_w,
        rect.top() + top,
        rect.width() - label_w - 4 * u,
        rect.height() - top - fm.height() * 1.6 - legend_h - note_h,
    )
    values = [v for b in shown for v in (b.kpi_at_low, b.kpi_at_high) if math.isfinite(v)]
    mid = center if math.isfinite(center) else float(np.median(values))
    lo, hi = min([*values, mid]), max([*values, mid])
    pad = (hi - lo) * 0.18 or abs(hi) * 0.05 or 1.0
    x0, x1 = lo - pad, hi + pad
    if any(b.one_end_missing for b in shown):
        # Room beyond the values for a hatched end's words and a value label beside them.
        need = fm_small.horizontalAdvance(f"{NO_VALUE_TEXT}  $000.0k") + 12 * u
        share = min(0.6, need / max(plot.width(), 1.0))
        room = (x1 - x0) * share / (1.0 - share)
        x0, x1 = (x0 - room, x1) if info.better == "higher" else (x0, x1 + room)
        # The value labels on the other side keep their share of the wider axis.
        extra = room * 0.18
        x0, x1 = (x0, x1 + extra) if info.better == "higher" else (x0 - extra, x1)

    def px(x: float) -> float:
        return plot.left() + (x - x0) / (x1 - x0) * plot.width()

    painter.setFont(tick_font)
    ticks = [t for t in nice_ticks(x0, x1, 5) if x0 <= t <= x1]
    draw_x_ticks(painter, plot, ticks, px, lambda t: format_kpi(key, t), theme, u)
    row_h = plot.height() / len(shown)
    bar_h = min(row_h * 0.62, 26 * u)
    for row, bar in enumerate(shown):
        y = plot.top() + (row + 0.5) * row_h
        painter.setFont(tick_font)
        painter.setPen(QColor(theme.foreground))
        name_box = QRectF(rect.left(), y - fm.height(), label_w - 6 * u, fm.height())
        painter.drawText(
            name_box, _ALIGN_RIGHT, fm.elidedText(bar.label, Qt.TextElideMode.ElideLeft,
                                                  name_box.width()),
        )  # fmt: skip
        painter.setFont(small)
        painter.setPen(QColor(theme.muted))
        ends = f"P10 {_value_text(bar.low_value)} → P90 {_value_text(bar.high_value)}"
        painter.drawText(
            QRectF(rect.left(), y, label_w - 6 * u, fm_small.height()),
            _ALIGN_RIGHT,
            fm_small.elidedText(ends, Qt.TextElideMode.ElideRight, label_w - 6 * u),
        )
        painter.setFont(small)
        if bar.swing == 0:  # the input does not move this KPI: one label, no bar
            painter.setPen(QColor(theme.muted))
            painter.drawText(QRectF(px(mid) + 4 * u, y - bar_h / 2, plot.width(), bar_h),
                             _ALIGN_LEFT, "no change")  # fmt: skip
            continue
        bar_ends = ((bar.kpi_at_low, LOW_COLOR), (bar.kpi_at_high, HIGH_COLOR))
        # A missing end first: a value on the same side is drawn over its hatching.
        for value, color in sorted(bar_ends, key=lambda end: math.isfinite(end[0])):
            if not math.isfinite(value):
                _draw_no_value(painter, plot, px(mid), y, bar_h, color, info.better, small, u)
                continue
            left, right = sorted((px(mid), px(value)))
            painter.fillRect(QRectF(left, y - bar_h / 2, max(right - left, 1.0), bar_h), color)
            text = format_kpi(key, value)
            width = fm_small.horizontalAdvance(text) + 4 * u
            outward = value >= mid
            box = QRectF(right + 2 * u if outward else left - width - 2 * u, y - bar_h / 2,
                         width, bar_h)  # fmt: skip
            painter.setPen(QColor(theme.foreground))
            painter.drawText(box, _ALIGN_LEFT if outward else _ALIGN_RIGHT, text)
    painter.setPen(QPen(QColor(theme.muted), max(1.0, 1.2 * u)))
    painter.drawLine(QPointF(px(mid), plot.top()), QPointF(px(mid), plot.bottom()))
    painter.setPen(QPen(QColor(theme.muted), max(1.0, 0.8 * u)))
    painter.drawRect(plot)
    painter.setFont(tick_font)
    x = plot.left()
    y = rect.bottom() - legend_h / 2
    for label, color in (("input at its P10", LOW_COLOR), ("input at its P90", HIGH_COLOR)):
        painter.fillRect(QRectF(x, y - 4 * u, 14 * u, 8 * u), color)
        painter.setPen(QColor(theme.foreground))
        painter.drawText(QPointF(x + 18 * u, y + fm.ascent() / 2 - 1), label)
        x += 30 * u + fm.horizontalAdvance(label)
    if missing:
        painter.setFont(small)
        painter.setPen(QColor(theme.muted))
        text = f"Not shown: no {info.label.lower()} at either end of {', '.join(missing)}"
        painter.drawText(
            QRectF(rect.left(), rect.bottom() - legend_h - note_h, rect.width(), note_h),
            _ALIGN_LEFT,
            fm_small.elidedText(text, Qt.TextElideMode.ElideRight, rect.width()),
        )
    painter.restore()


def _draw_no_value(
    painter: QPainter,
    plot: QRectF,
    mid_x: float,
    y: float,
    bar_h: float,
    color: QColor,
    better: str | None,
    small: QFont,
    u: float,
) -> None:
    """The end of a bar whose run has no KPI value: hatched out to the worse edge, labelled.

    No value means nothing was trained (or served) within the horizon: worse than any value
    on the axis, so the bar runs off the plot on the worse side.
    """
    worse_left = better == "higher"
    left, right = (plot.left(), mid_x) if worse_left else (mid_x, plot.right())
    box = QRectF(left, y - bar_h / 2, max(right - left, 1.0), bar_h)
    painter.fillRect(box, QBrush(color, Qt.BrushStyle.BDiagPattern))
    painter.setPen(QPen(color, max(1.0, 0.8 * u)))
    painter.drawRect(box)
    painter.setFont(small)
    painter.setPen(QColor("#000000"))
    # At the far end, clear of the value label of a bar drawn over the hatching.
    align = _ALIGN_LEFT if worse_left else _ALIGN_RIGHT
    painter.drawText(box.adjusted(4 * u, 0, -4 * u, 0), align, NO_VALUE_TEXT)


def viridis(fractions: np.ndarray) -> list[QColor]:
    """The heat-map colours (pyqtgraph's viridis, as the studio) at ``fractions`` in [0, 1]."""
    import pyqtgraph as pg

    return list(pg.colormap.get("viridis").map(fractions, mode="qcolor"))


def text_on(color: QColor) -> QColor:
    """Black or white, whichever reads on ``color`` (relative luminance, sRGB weights)."""
    luminance = 0.2126 * color.redF() + 0.7152 * color.greenF() + 0.0722 * color.blueF()
    return QColor("#000000" if luminance > 0.45 else "#FFFFFF")


def draw_heatmap(
    painter: QPainter,
    rect: QRectF,
    key: str,
    grid: np.ndarray,
    x_name: str,
    x_values: Sequence[object],
    y_name: str,
    y_values: Sequence[object],
    theme: Theme,
    scale: float = 1.0,
    note: str = "",
) -> None:
    """``grid[i, j]`` (x index i, y index j) as coloured cells with their values and a colour bar.

    Cells without a value stay blank with a dash; the colour bar carries value labels.
    """
    u = unit(painter, scale)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    info = kpi_info(key)
    top = _heading(painter, rect, info.label, note, theme, scale)
    tick_font = font(8 * scale)
    cell_font = font(8 * scale, bold=True)
    fm = metrics(painter, tick_font)
    finite = grid[np.isfinite(grid)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    span = high - low if high > low else 1.0
    y_label_w = max(fm.horizontalAdvance(str(v)) for v in y_values) + 8 * u
    ticks = [t for t in nice_ticks(low, high, 5) if low <= t <= high] or [low]
    bar_label_w = max(fm.horizontalAdvance(format_kpi(key, t)) for t in ticks) + 8 * u
    bar_w = 14 * u
    axis_h = fm.height() * 1.2
    plot = QRectF(
        rect.left() + fm.height() * 1.4 + y_label_w,
        rect.top() + top,
        rect.width() - fm.height() * 1.4 - y_label_w - bar_w - bar_label_w - 18 * u,
        rect.height() - top - 2.4 * axis_h,
    )
    nx, ny = grid.shape
    cw, ch = plot.width() / nx, plot.height() / ny
    fractions = np.clip((np.nan_to_num(grid, nan=low) - low) / span, 0.0, 1.0)
    colors = viridis(fractions.ravel())
    painter.setFont(cell_font)
    for i in range(nx):
        for j in range(ny):
            cell = QRectF(plot.left() + i * cw, plot.bottom() - (j + 1) * ch, cw, ch)
            value = float(grid[i, j])
            if math.isfinite(value):
                color = colors[i * ny + j]
                painter.fillRect(cell, color)
                painter.setPen(text_on(color))
                painter.drawText(cell, _ALIGN_CENTER, format_kpi(key, value))
            else:
                painter.fillRect(cell, QColor(theme.panel))
                painter.setPen(QColor(theme.muted))
                painter.drawText(cell, _ALIGN_CENTER, MISSING)
    painter.setPen(QPen(QColor(theme.muted), max(1.0, 0.8 * u)))
    painter.drawRect(plot)
    painter.setFont(tick_font)
    for i, x_value in enumerate(x_values):
        painter.drawText(
            QRectF(plot.left() + i * cw, plot.bottom() + 2 * u, cw, axis_h),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            str(x_value),
        )
    for j, y_value in enumerate(y_values):
        painter.drawText(
            QRectF(plot.left() - y_label_w, plot.bottom() - (j + 1) * ch, y_label_w - 6 * u, ch),
            _ALIGN_RIGHT,
            str(y_value),
        )
    painter.drawText(
        QRectF(plot.left(), plot.bottom() + axis_h, plot.width(), axis_h),
        Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
        x_name,
    )
    painter.save()
    painter.translate(rect.left(), plot.center().y())
    painter.rotate(-90)
    painter.drawText(QRectF(-plot.height() / 2, 0, plot.height(), fm.height()), _ALIGN_CENTER,
                     y_name)  # fmt: skip
    painter.restore()
    # The colour bar: the same colours from low (bottom) to high (top), ticks with KPI values.
    bar = QRectF(plot.right() + 12 * u, plot.top(), bar_w, plot.height())
    gradient = QLinearGradient(bar.bottomLeft(), bar.topLeft())
    stops = np.linspace(0.0, 1.0, 11)
    for stop, color in zip(stops, viridis(stops), strict=True):
        gradient.setColorAt(float(stop), color)
    painter.fillRect(bar, gradient)
    painter.setPen(QPen(QColor(theme.muted), max(1.0, 0.6 * u)))
    painter.drawRect(bar)
    for t in ticks:
        y = bar.bottom() - (t - low) / span * bar.height()
        painter.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 3 * u, y))
        painter.drawText(
            QRectF(bar.right() + 5 * u, y - fm.height() / 2, bar_label_w, fm.height()),
            _ALIGN_LEFT,
            format_kpi(key, t),
        )
    painter.restore()
