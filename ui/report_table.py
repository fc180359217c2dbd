"""Tables for the report and slides: striped rows, aligned numbers, wrapped source URLs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter

from ui.report_charts import font, metrics, unit
from ui.theme import Theme


@dataclass(frozen=True)
class TableStyle:
    """Column layout of a table: relative widths, left-aligned and wrapped columns.

    Columns not in ``left`` are right-aligned (numbers). Wrapped columns grow the row instead
    of eliding, so a source URL is printed whole.
    """

    weights: tuple[float, ...] = ()
    left: frozenset[int] = frozenset({0})
    wrap: frozenset[int] = frozenset()
    point_size: float = 8.5


_WRAP = Qt.TextFlag.TextWordWrap


def _breakable(text: str) -> str:
    """Let long URLs break after '/' (a zero-width space) while words wrap at spaces."""
    return text.replace("/", "/\u200b").replace("\u200b\u200b", "\u200b")


def _widths(style: TableStyle, n: int, width: float) -> list[float]:
    weights = list(style.weights or (2.2,) + (1.0,) * (n - 1))[:n]
    weights += [1.0] * (n - len(weights))
    total = sum(weights)
    return [width * w / total for w in weights]


def table_row_heights(
    painter: QPainter,
    width: float,
    rows: Sequence[Sequence[str]],
    style: TableStyle,
    scale: float = 1.0,
) -> list[float]:
    """Height of each row when drawn ``width`` wide (header not included)."""
    u = unit(painter, scale)
    fm = metrics(painter, font(style.point_size * scale))
    base = fm.height() * 1.55
    out = []
    for cells in rows:
        widths = _widths(style, len(cells), width)
        h = base
        for i in style.wrap:
            if i < len(cells) and cells[i]:
                box = fm.boundingRect(
                    QRectF(0, 0, widths[i] - 10 * u, 1e7), _WRAP, _breakable(cells[i])
                )
                h = max(h, box.height() + fm.height() * 0.55)
        out.append(h)
    return out


def draw_table(
    painter: QPainter,
    rect: QRectF,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    theme: Theme,
    *,
    scale: float = 1.0,
    style: TableStyle = TableStyle(),
    highlight: Sequence[QColor | None] | None = None,
) -> float:
    """A striped table from the top of ``rect``; returns the y below the last row.

    Text that does not fit its column is elided, except in the style's wrapped columns.
    """
    u = unit(painter, scale)
    painter.save()
    body_font = font(style.point_size * scale)
    head_font = font(style.point_size * scale, bold=True)
    widths = _widths(style, len(header), rect.width())
    heights = table_row_heights(painter, rect.width(), [header, *rows], style, scale)
    y = rect.top()
    pad = 5 * u

    def row(cells: Sequence[str], height: float, bold: bool, fill: QColor | None) -> None:
        nonlocal y
        if fill is not None:
            painter.fillRect(QRectF(rect.left(), y, rect.width(), height), fill)
        painter.setFont(head_font if bold else body_font)
        fm = metrics(painter, painter.font())
        x = rect.left()
        for i, (cell, w) in enumerate(zip(cells, widths, strict=False)):
            align = Qt.AlignmentFlag.AlignLeft if i in style.left else Qt.AlignmentFlag.AlignRight
            box = QRectF(x + pad, y, w - 2 * pad, height)
            if i in style.wrap and not bold:
                flags = align | Qt.AlignmentFlag.AlignVCenter | _WRAP
                painter.drawText(box, flags, _breakable(cell))
            else:
                text = fm.elidedText(cell, Qt.TextElideMode.ElideRight, w - 2 * pad)
                painter.drawText(box, align | Qt.AlignmentFlag.AlignVCenter, text)
            x += w
        y += height

    painter.setPen(QColor(theme.foreground))
    row(header, heights[0], True, QColor(theme.grid))
    stripe = QColor(theme.panel)
    for i, cells in enumerate(rows):
        painter.setPen(QColor(theme.foreground))
        mark = highlight[i] if highlight is not None and i < len(highlight) else None
        row(cells, heights[i + 1], False, mark if mark is not None else (stripe if i % 2 else None))
    painter.restore()
    return y
