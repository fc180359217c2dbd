"""Tables for the report and slides: striped rows, aligned numbers, wrapped source URLs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter

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


def fit_table(
    painter: QPainter,
    width: float,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    style: TableStyle,
    scale: float = 1.0,
) -> tuple[list[float], float, list[float]]:
    """Column widths and point size at which every number is shown whole, and row heights.

    Numbers (right-aligned columns) are never elided: a figure cut to "$218…" is worse than
    none. Their columns grow to their widest cell, taking room from the text columns (whose
    labels may elide, down to a third of their share), then from the wrapped columns (which
    grow taller instead, down to a third of their share), so the table keeps its width. The font
    shrinks a little so the labels fit as well, and as far as needed so the numbers do.
    """
    u = unit(painter, scale)
    n = len(header)
    size = style.point_size
    numeric = [i for i in range(n) if i not in style.left and i not in style.wrap]
    text_cols = [i for i in range(n) if i in style.left and i not in style.wrap]
    wrap_cols = [i for i in range(n) if i in style.wrap]
    while True:
        widths = _widths(style, n, width)
        body = metrics(painter, font(size * scale))
        head = metrics(painter, font(size * scale, bold=True))
        pad = 2 * 5 * u + 1
        # A header wraps onto more lines (a variant's long name); only its longest word and
        # the column's numbers must fit on one line.
        need = {
            i: max(
                [_longest_word(head, header[i])]
                + [body.horizontalAdvance(r[i]) for r in rows if i < len(r)]
            )
            + pad
            for i in numeric
        }
        deficit = sum(max(0.0, need[i] - widths[i]) for i in numeric)
        spare = sum(widths[i] * 2 / 3 for i in (*text_cols, *wrap_cols))
        labels = sum(
            max(body.horizontalAdvance(r[i]) for r in [header, *rows] if i < len(r)) + pad
            for i in text_cols
        )
        everything_fits = sum(need.values()) + labels <= width
        # Shrink a little so labels fit too; past 80 % of the size only for the numbers.
        if everything_fits or (deficit <= spare and size <= style.point_size * 0.8) or size <= 5:
            break
        size *= 0.95
    if deficit > 0:
        for i in numeric:
            widths[i] = max(widths[i], need[i])
        # Elide labels first; what they cannot give comes from the wrapped columns.
        for cols in (text_cols, wrap_cols):
            give = min(deficit, sum(widths[i] * 2 / 3 for i in cols))
            total = sum(widths[i] for i in cols)
            for i in cols:
                widths[i] -= give * widths[i] / total
            deficit -= give
    # Numbers with room to spare give it to labels that would be elided ("Operational cost…").
    label_need = {
        i: max([0.0, *(body.horizontalAdvance(r[i]) for r in rows if i < len(r))]) + pad
        for i in text_cols
    }
    short = {i: label_need[i] - widths[i] for i in text_cols if label_need[i] > widths[i]}
    surplus = {i: widths[i] - need[i] for i in numeric if widths[i] > need[i]}
    give = min(sum(short.values()), sum(surplus.values()))
    if give > 0:
        for i, v in surplus.items():
            widths[i] -= give * v / sum(surplus.values())
        for i, v in short.items():
            widths[i] += give * v / sum(short.values())
    # Row heights (header first) in these columns: their sum is the table's height, so a slide
    # can shrink a table to fit.
    fitted = replace(style, point_size=size)
    heights = table_row_heights(painter, width, [header, *rows], fitted, scale, widths)
    wrapped = [
        head.boundingRect(QRectF(0, 0, max(w - pad, 1.0), 1e7), _WRAP, text).height()
        for text, w in zip(header, widths, strict=False)
    ]
    heights[0] = max(heights[0], max(wrapped, default=0.0) + head.height() * 0.55)
    return widths, size, heights


def natural_width(
    painter: QPainter,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    style: TableStyle,
    scale: float = 1.0,
) -> float:
    """Width at which no number or label is cut and headers wrap only at spaces."""
    u = unit(painter, scale)
    body = metrics(painter, font(style.point_size * scale))
    head = metrics(painter, font(style.point_size * scale, bold=True))
    pad = 2 * 5 * u + 1
    return sum(
        max(
            [_longest_word(head, text), *(body.horizontalAdvance(r[i]) for r in rows if i < len(r))]
        )
        + pad
        for i, text in enumerate(header)
    )


def _longest_word(fm: QFontMetricsF, text: str) -> float:
    """Width of the widest word of ``text``: a wrapped header's narrowest whole-word width."""
    return max((fm.horizontalAdvance(word) for word in text.split()), default=0.0)


def table_row_heights(
    painter: QPainter,
    width: float,
    rows: Sequence[Sequence[str]],
    style: TableStyle,
    scale: float = 1.0,
    widths: Sequence[float] | None = None,
) -> list[float]:
    """Height of each row when drawn ``width`` wide, or in columns ``widths`` (``fit_table``)."""
    u = unit(painter, scale)
    fm = metrics(painter, font(style.point_size * scale))
    base = fm.height() * 1.55
    out = []
    for cells in rows:
        cols = _widths(style, len(cells), width) if widths is None else widths
        h = base
        for i in style.wrap:
            if i < len(cells) and cells[i]:
                box = fm.boundingRect(
                    QRectF(0, 0, cols[i] - 10 * u, 1e7), _WRAP, _breakable(cells[i])
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

    Numbers are shown whole (see ``fit_table``); text that does not fit its column is elided,
    except in the style's wrapped columns.
    """
    u = unit(painter, scale)
    painter.save()
    widths, size, heights = fit_table(painter, rect.width(), header, rows, style, scale)
    style = replace(style, point_size=size)
    body_font = font(size * scale)
    head_font = font(size * scale, bold=True)
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
            elif bold and _longest_word(fm, cell) <= box.width():
                # Headers wrap at spaces (fit_table made the header row tall enough).
                painter.drawText(box, align | Qt.AlignmentFlag.AlignVCenter | _WRAP, cell)
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
