"""Slides for presentation mode, painted with the report's QPainter charts at projector size.

A deck is: a title slide, one slide per variant (KPI tiles with deltas against the baseline,
the four charts), a comparison slide (key KPIs side by side, overlaid charts), the executive
metrics with how each is computed and, when a Monte Carlo ran, a slide of its fans; then the
sweep and the decision studies the studio ran (tornado, uncertainty fans, optimizer, heat map;
drawn by ui.report_studies). Sizes scale with the slide height so a 720p beamer and a 4K
screen show the same layout; colours come from a light or dark Theme with high contrast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from aifactory_twin.formatting import MISSING
from aifactory_twin.kpi_registry import delta_is_better, format_kpi_delta, kpi_info
from aifactory_twin.schema import Scenario
from aifactory_twin.study import BASE_LABEL, CompareResult, MonteCarloResult, SweepResult
from aifactory_twin.study.assumptions import override_rows
from ui.report_charts import (
    ChartSpec,
    draw_chart,
    font,
    metrics,
    unit,
    variant_color,
)
from ui.report_content import (
    TILE_KPIS,
    compare_chart_specs,
    executive_table,
    fan_chart_specs,
    sweep_chart_spec,
    sweep_rows,
)
from ui.report_studies import DecisionStudies
from ui.report_table import TableStyle, draw_table, fit_table, natural_width
from ui.theme import Theme

# Delta colours: green when the KPI registry says the change is better, red when worse.
GOOD, BAD = QColor("#1E9E5A"), QColor("#D64545")


@dataclass(frozen=True)
class Slide:
    """A slide: ``kind`` and ``label`` (the variant of a variant slide).

    Kinds: title, variant, comparison, executive, montecarlo, sweep, and the decision studies'
    tornado, uncertainty_fans, optimize and heatmap.
    """

    kind: str
    label: str = ""


@dataclass
class Deck:
    scenario: Scenario
    compare: CompareResult
    baseline: str
    montecarlo: MonteCarloResult | None = None
    sweep: SweepResult | None = None
    sweep_kpi: str = "total_cost_usd"
    decisions: DecisionStudies | None = None

    def slides(self) -> list[Slide]:
        out = [Slide("title")]
        out += [Slide("variant", label) for label in self.compare.runs]
        out.append(Slide("comparison"))
        out.append(Slide("executive"))
        if self.montecarlo is not None:
            out.append(Slide("montecarlo"))
        if self.sweep is not None:
            out.append(Slide("sweep"))
        if self.decisions is not None:
            out += [Slide(kind) for kind in self.decisions.kinds()]
        return out


def delta_color(key: str, diff: float) -> QColor | None:
    better = delta_is_better(key, diff)
    return None if better is None else GOOD if better else BAD


def draw_slide(painter: QPainter, rect: QRectF, deck: Deck, slide: Slide, theme: Theme) -> None:
    """Paint one slide filling ``rect``."""
    scale = rect.height() / 640.0
    u = unit(painter, scale)
    painter.fillRect(rect, QColor(theme.background))
    pad = 28 * u
    inner = rect.adjusted(pad, pad, -pad, -pad)
    if slide.kind == "title":
        _title(painter, inner, deck, theme, scale)
        return
    decisions = deck.decisions
    studies = decisions.kinds() if decisions is not None else []
    titles = {kind: decisions.title(kind) for kind in studies if decisions is not None}
    titles |= {
        "variant": f"{slide.label}" + (" — baseline" if slide.label == deck.baseline else ""),
        "comparison": "Comparison against " + deck.baseline,
        "executive": "Executive metrics and how each is computed",
        "montecarlo": "How sure are we? "
        + (
            f"{len(deck.montecarlo.seeds)} seeds of {deck.montecarlo.variant or 'base'}"
            if deck.montecarlo
            else "Monte Carlo"
        ),
        "sweep": (
            f"What if {deck.sweep.param.text} changes in {deck.sweep.variant or BASE_LABEL}?"
            if deck.sweep
            else "Sweep"
        ),
    }
    title = titles[slide.kind]
    painter.setPen(QColor(theme.foreground))
    # Long titles (a decision study's) shrink to the slide's width rather than run off it.
    painter.setFont(_fitting_font(painter, title, 26 * scale, inner.width(), bold=True))
    head = metrics(painter, font(26 * scale, bold=True)).height()
    painter.drawText(
        QRectF(inner.left(), inner.top(), inner.width(), head),
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        title,
    )
    if slide.kind == "variant":
        index = list(deck.compare.runs).index(slide.label)
        painter.fillRect(
            QRectF(inner.left(), inner.top() + head + 2 * u, 90 * u, 5 * u), variant_color(index)
        )
    body = inner.adjusted(0, head + 16 * u, 0, 0)
    if slide.kind == "variant":
        _variant(painter, body, deck, slide.label, theme, scale)
    elif slide.kind == "comparison":
        _comparison(painter, body, deck, theme, scale)
    elif slide.kind == "executive":
        header, rows = executive_table(deck.compare, deck.baseline)
        n_runs = len(header) - 2
        style = TableStyle(
            weights=(1.8,) + (1.0,) * n_runs + (4.2,),
            left=frozenset({0, n_runs + 1}),
            wrap=frozenset({0, n_runs + 1}),
        )
        # Many variants and drift rows make a tall table: shrink the text until it fits.
        size = scale * 1.05
        while size > scale * 0.5 and (
            sum(fit_table(painter, body.width(), header, rows, style, size)[2]) > body.height()
        ):
            size *= 0.93
        draw_table(painter, body, header, rows, theme, scale=size, style=style)
    elif slide.kind == "sweep":
        _sweep(painter, body, deck, theme, scale)
    elif slide.kind in studies and decisions is not None:
        decisions.draw(painter, body, slide.kind, theme, scale)
    else:
        _montecarlo(painter, body, deck, theme, scale)


def _title(painter: QPainter, rect: QRectF, deck: Deck, theme: Theme, scale: float) -> None:
    u = unit(painter, scale)
    meta = deck.scenario.meta
    painter.setPen(QColor(theme.foreground))
    painter.setFont(font(40 * scale, bold=True))
    y = rect.top() + rect.height() * 0.28
    painter.drawText(
        QRectF(rect.left(), y, rect.width(), 70 * u), Qt.AlignmentFlag.AlignLeft, meta.name
    )
    painter.setFont(font(20 * scale))
    painter.setPen(QColor(theme.muted))
    names = " vs ".join(deck.compare.runs)
    lines = [f"What if: {names}"]
    run = next(iter(deck.compare.runs.values()))
    horizon = float(run.kpis.get("horizon_s") or 0.0)
    lines.append(f"{horizon / 86400:.4g} simulated days · same seed ({deck.compare.seed}) for all")
    fm = metrics(painter, painter.font())
    for i, line in enumerate(lines):
        painter.drawText(
            QRectF(rect.left(), y + 80 * u + i * fm.height() * 1.4, rect.width(), fm.height()),
            Qt.AlignmentFlag.AlignLeft,
            line,
        )
    _hint(painter, rect, theme, scale)


def _hint(painter: QPainter, rect: QRectF, theme: Theme, scale: float) -> None:
    painter.setFont(font(11 * scale))
    painter.setPen(QColor(theme.muted))
    painter.drawText(
        rect,
        Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
        "→ / ← move   ·   T light/dark   ·   Esc leaves",
    )


def _tiles(
    painter: QPainter, rect: QRectF, deck: Deck, label: str, theme: Theme, scale: float
) -> None:
    """A 2-column grid of KPI tiles: label, big value, delta against the baseline."""
    u = unit(painter, scale)
    row = deck.compare.rows()[label]
    deltas = deck.compare.deltas(deck.baseline)[label]
    keys = [k for k in TILE_KPIS if k in row]
    if label != deck.baseline:
        keys = ["operational_cost_reduction_pct", *keys]
    keys = keys[:8]
    cols, gap = 2, 12 * u
    rows_n = max(1, (len(keys) + 1) // 2)
    w = (rect.width() - gap) / cols
    h = min((rect.height() - gap * (rows_n - 1)) / rows_n, 120 * u)
    for i, key in enumerate(keys):
        x = rect.left() + (i % cols) * (w + gap)
        y = rect.top() + (i // cols) * (h + gap)
        tile = QRectF(x, y, w, h)
        painter.setPen(QPen(QColor(theme.grid), 1.0 * u))
        painter.setBrush(QColor(theme.panel))
        painter.drawRoundedRect(tile, 8 * u, 8 * u)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        info = kpi_info(key)
        name = info.caption
        painter.setFont(font(11 * scale))
        painter.setPen(QColor(theme.muted))
        painter.drawText(
            tile.adjusted(10 * u, 6 * u, -8 * u, 0),
            Qt.AlignmentFlag.AlignLeft,
            metrics(painter, painter.font()).elidedText(
                name, Qt.TextElideMode.ElideRight, tile.width() - 18 * u
            ),
        )
        color: QColor | None
        if key == "operational_cost_reduction_pct":
            value_text = info.format(deltas[key][0])
            sub, color = f"vs {deck.baseline}", delta_color(key, deltas[key][0])
        else:
            value_text = info.format(row.get(key))
            diff = deltas.get(key)
            change = format_kpi_delta(key, *(diff or (None, None)))
            sub = "" if label == deck.baseline else f"{change} vs baseline"
            color = delta_color(key, diff[0]) if diff and label != deck.baseline else None
        room = tile.width() - 20 * u
        painter.setFont(_fitting_font(painter, value_text, 22 * scale, room, bold=True))
        painter.setPen(QColor(theme.foreground))
        painter.drawText(
            tile.adjusted(10 * u, 0, -8 * u, 0),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            value_text,
        )
        painter.setFont(_fitting_font(painter, sub, 11 * scale, room, bold=color is not None))
        painter.setPen(color or QColor(theme.muted))
        painter.drawText(
            tile.adjusted(10 * u, 0, -8 * u, -6 * u),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
            sub,
        )


def _fitting_font(painter: QPainter, text: str, size: float, room: float, *, bold: bool) -> QFont:
    """The largest font up to ``size`` in which ``text`` fits ``room`` (shrink, never clip)."""
    f = font(size, bold=bold)
    while size > 6 and metrics(painter, f).horizontalAdvance(text) > room:
        size *= 0.92
        f = font(size, bold=bold)
    return f


def _charts(
    painter: QPainter, rect: QRectF, specs: Sequence[ChartSpec], theme: Theme, scale: float
) -> None:
    u = unit(painter, scale)
    gap = 14 * u
    w, h = (rect.width() - gap) / 2, (rect.height() - gap) / 2
    for i, spec in enumerate(specs[:4]):
        cell = QRectF(rect.left() + (i % 2) * (w + gap), rect.top() + (i // 2) * (h + gap), w, h)
        draw_chart(painter, cell, spec, theme, scale * 0.95)


def _variant(
    painter: QPainter, rect: QRectF, deck: Deck, label: str, theme: Theme, scale: float
) -> None:
    u = unit(painter, scale)
    left = QRectF(rect.left(), rect.top(), rect.width() * 0.36, rect.height())
    right = QRectF(
        left.right() + 24 * u, rect.top(), rect.width() - left.width() - 24 * u, rect.height()
    )
    changes = override_rows(deck.scenario, deck.compare.overrides.get(label, []))
    painter.setFont(font(11 * scale))
    painter.setPen(QColor(theme.muted))
    fm = metrics(painter, painter.font())
    lines = [f"{c.target}.{c.path}: {c.base_value} → {c.value}" for c in changes[:3]]
    if len(changes) > 3:
        lines.append(f"… and {len(changes) - 3} more changes")
    if not changes:
        lines = ["the base scenario, no overrides"]
    for i, line in enumerate(lines):
        painter.drawText(
            QRectF(left.left(), left.top() + i * fm.height(), left.width(), fm.height()),
            Qt.AlignmentFlag.AlignLeft,
            fm.elidedText(line, Qt.TextElideMode.ElideRight, left.width()),
        )
    top = left.top() + (len(lines) + 0.6) * fm.height()
    _tiles(
        painter,
        QRectF(left.left(), top, left.width(), left.bottom() - top),
        deck,
        label,
        theme,
        scale,
    )
    _charts(painter, right, compare_chart_specs(deck.compare, [label]), theme, scale)


def _comparison(painter: QPainter, rect: QRectF, deck: Deck, theme: Theme, scale: float) -> None:
    u = unit(painter, scale)
    labels = list(deck.compare.runs)
    rows = deck.compare.rows()
    deltas = deck.compare.deltas(deck.baseline)
    keys = ["operational_cost_reduction_pct", *[k for k in TILE_KPIS if k in rows[labels[0]]]]
    body: list[list[str]] = []
    for key in keys:
        info = kpi_info(key)
        cells = [info.caption]
        for label in labels:
            if key == "operational_cost_reduction_pct":
                cells.append(
                    MISSING if label == deck.baseline else info.format(deltas[label][key][0])
                )
            else:
                cells.append(info.format(rows[label].get(key)))
        body.append(cells)
    header = ["KPI", *labels]
    style = TableStyle(weights=(2.6,) + (1.0,) * len(labels))
    # Many variants: give the table more of the slide, then smaller text, until every label
    # and number shows whole (the charts keep at least 38 % of the width).
    size, share = scale * 1.35, 0.44
    while natural_width(painter, header, body, style, size) > rect.width() * share:
        if share < 0.62:
            share += 0.03
        elif size > scale * 0.8:
            size *= 0.95
        else:
            break
    left = QRectF(rect.left(), rect.top(), rect.width() * share, rect.height())
    draw_table(painter, left, header, body, theme, scale=size, style=style)
    right = QRectF(
        left.right() + 24 * u, rect.top(), rect.width() - left.width() - 24 * u, rect.height()
    )
    _charts(painter, right, compare_chart_specs(deck.compare), theme, scale)


def _montecarlo(painter: QPainter, rect: QRectF, deck: Deck, theme: Theme, scale: float) -> None:
    if deck.montecarlo is None:
        return
    _charts(painter, rect, fan_chart_specs(deck.montecarlo), theme, scale)


def _sweep(painter: QPainter, rect: QRectF, deck: Deck, theme: Theme, scale: float) -> None:
    """The chosen KPI against the swept value (P50, P10–P90 band), large, with the value table."""
    if deck.sweep is None:
        return
    u = unit(painter, scale)
    left = QRectF(rect.left(), rect.top(), rect.width() * 0.58, rect.height())
    draw_chart(painter, left, sweep_chart_spec(deck.sweep, deck.sweep_kpi), theme, scale * 1.3)
    header, rows = sweep_rows(deck.sweep, [deck.sweep_kpi])
    right = QRectF(
        left.right() + 24 * u, rect.top(), rect.width() - left.width() - 24 * u, rect.height()
    )
    draw_table(
        painter, right, header, rows, theme, scale=scale * 1.35,
        style=TableStyle(weights=(1.0, 2.0)),
    )  # fmt: skip
