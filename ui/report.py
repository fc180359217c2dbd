"""The PDF report (File › Export report, ``aifactory-twin-cli report``): QPdfWriter, A4 landscape.

Pages: title; factory diagram; KPI comparison with deltas against the baseline (incl. the
operational cost reduction); the four charts with one colour per variant; Monte Carlo fans and
percentiles when run; the sweep, and the decision studies run in the studio (tornado and
P(B beats A), uncertainty fans, optimizer's Pareto front, 2-D heat map; ui.report_studies);
assumptions (catalog values with their sources, run settings); each
variant's overrides. Long tables continue on further pages. Every number is read from the
study results or the scenario, none is typed in here.

``python -m ui.report FILE --out X.pdf [--variants a,b] [--horizon 30d] [--step 15m] [--seed N]
[--montecarlo N] [--samples N] [--compare A B] [--workers N] [--scheduler S]`` runs the compare
and the decision studies the scenario declares (ui.report_cli), then writes the PDF (exit 0;
bad input 2; unexpected 1).
``main`` is also the ``pdf`` entry point of the group ``aifactory_twin.report_renderers``
(pyproject.toml), through which ``aifactory-twin-cli report`` reaches it without naming ``ui``.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QPageLayout, QPageSize, QPainter, QPdfWriter

from aifactory_twin.schema import Scenario
from aifactory_twin.study import BASE_LABEL, CompareResult, MonteCarloResult, SweepResult
from aifactory_twin.study.assumptions import assumption_rows, override_rows
from ui.report_charts import (
    ChartSpec,
    draw_chart,
    font,
    metrics,
    unit,
)
from ui.report_content import (
    SWEEP_KPIS,
    compare_chart_specs,
    executive_table,
    fan_chart_specs,
    kpi_table,
    percentile_rows,
    sweep_chart_spec,
    sweep_rows,
)
from ui.report_diagram import draw_factory_diagram
from ui.report_studies import DecisionStudies
from ui.report_table import TableStyle, draw_table, fit_table
from ui.theme import LIGHT, Theme

PageFn = Callable[[QPainter, QRectF], None]
_DPI = 300


@dataclass
class ReportInput:
    """What a report shows; ``source`` names the scenario file on the title page."""

    scenario: Scenario
    compare: CompareResult
    baseline: str
    montecarlo: MonteCarloResult | None = None
    source: str = ""
    horizon_s: float | None = None
    step_s: float | None = None
    sweep: SweepResult | None = None
    sweep_kpi: str = "total_cost_usd"
    """The KPI the sweep chart plots (the studio's choice); the table shows SWEEP_KPIS too."""
    decisions: DecisionStudies | None = None
    """Optimizer, 2-D sweep and uncertainty results (each page only when that study ran)."""


def _table_pages(
    painter: QPainter,
    body: QRectF,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    style: TableStyle,
) -> list[tuple[str, PageFn]]:
    """Split rows over pages by their measured heights; continuation pages say so."""
    # Heights in the fitted columns (numbers widen, wrapped text narrows and grows taller).
    heights = fit_table(painter, body.width(), header, rows, style)[2]
    room = body.height() - heights[0]
    chunks: list[list[Sequence[str]]] = [[]]
    used = 0.0
    for cells, h in zip(rows, heights[1:], strict=True):
        if chunks[-1] and used + h > room:
            chunks.append([])
            used = 0.0
        chunks[-1].append(cells)
        used += h
    pages: list[tuple[str, PageFn]] = []
    for n, chunk in enumerate(chunks):

        def draw(p: QPainter, r: QRectF, chunk: Sequence[Sequence[str]] = chunk) -> None:
            draw_table(p, r, header, chunk, LIGHT, style=style)

        pages.append((title if n == 0 else f"{title} (continued)", draw))
    return pages


def _charts_page(specs: list[ChartSpec]) -> PageFn:
    def draw(p: QPainter, body: QRectF) -> None:
        gap = 14 * unit(p)
        w = (body.width() - gap) / 2
        h = (body.height() - gap) / 2
        for i, spec in enumerate(specs[:4]):
            x = body.left() + (i % 2) * (w + gap)
            y = body.top() + (i // 2) * (h + gap)
            draw_chart(p, QRectF(x, y, w, h), spec, LIGHT)

    return draw


def _title_page(data: ReportInput) -> PageFn:
    def draw(p: QPainter, body: QRectF) -> None:
        u = unit(p)
        meta = data.scenario.meta
        p.setPen(QColor(LIGHT.foreground))
        p.setFont(font(30, bold=True))
        y = body.top() + body.height() * 0.18
        p.drawText(
            QRectF(body.left(), y, body.width(), 44 * u), Qt.AlignmentFlag.AlignLeft, meta.name
        )
        p.setFont(font(14))
        p.setPen(QColor(LIGHT.muted))
        p.drawText(
            QRectF(body.left(), y + 48 * u, body.width(), 22 * u),
            Qt.AlignmentFlag.AlignLeft,
            "What-if report — aifactory-twin",
        )
        lines = [meta.description] if meta.description else []
        run = next(iter(data.compare.runs.values()))
        horizon = float(run.kpis.get("horizon_s") or (run.times_s[-1] if len(run.times_s) else 0))
        step = run.kpis.get("step_s")
        lines += [
            "",
            f"Scenario file: {data.source or '(not saved to a file)'}",
            f"Variants compared: {', '.join(data.compare.runs)} (baseline: {data.baseline})",
            f"Simulated horizon: {horizon / 86400:.4g} days"
            + (f" at {float(step) / 60:.4g}-minute steps" if step else "")
            + f", seed {data.compare.seed} for every variant",
        ]
        if data.montecarlo is not None:
            seeds = data.montecarlo.seeds
            lines.append(f"Monte Carlo: {len(seeds)} seeds ({seeds[0]}…{seeds[-1]})")
        if data.sweep is not None:
            sw = data.sweep
            lines.append(
                f"Sweep: {sw.param.text} over {len(sw.values)} values × {len(sw.seeds)} seeds"
                f" of {sw.variant or BASE_LABEL}"
            )
        lines += _decision_lines(data.decisions)
        lines.append(f"Generated {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}")
        deltas = data.compare.deltas(data.baseline)
        lines.append("")
        for label in data.compare.runs:
            if label != data.baseline:
                pct = deltas[label]["operational_cost_reduction_pct"][0]
                lines.append(
                    f"{label}: operational cost {'reduced' if pct >= 0 else 'increased'} by "
                    f"{abs(pct):.1f} % against {data.baseline}"
                )
        p.setFont(font(12))
        p.setPen(QColor(LIGHT.foreground))
        fm = metrics(p, p.font())
        ty = y + 100 * u
        flags = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
        for line in lines:
            box = fm.boundingRect(QRectF(0, 0, body.width() * 0.8, 1e6), flags, line or " ")
            p.drawText(QRectF(body.left(), ty, body.width() * 0.8, box.height()), flags, line)
            ty += box.height() + fm.height() * 0.3

    return draw


def _decision_lines(decisions: DecisionStudies | None) -> list[str]:
    """Title-page lines naming the decision studies in the report."""
    if decisions is None:
        return []
    lines = []
    if decisions.uncertainty is not None:
        unc = decisions.uncertainty
        lines.append(
            f"Uncertainty: {len(unc.seeds)} Latin-hypercube samples of {len(unc.inputs)} inputs "
            f"({', '.join(s.label for s in unc.inputs)}) for {', '.join(unc.labels)}"
        )
    if decisions.optimize is not None:
        opt = decisions.optimize
        lines.append(
            f"Optimizer: {len(opt.trials)} designs over {', '.join(v.name for v in opt.variables)}"
            + (f" under {', '.join(c.text for c in opt.constraints)}" if opt.constraints else "")
        )
    if decisions.sweep2d is not None:
        sw = decisions.sweep2d
        lines.append(
            f"2-D sweep: {sw.x.text} ({len(sw.x_values)} values) × {sw.y.text} "
            f"({len(sw.y_values)} values) × {len(sw.seeds)} seed(s) of {sw.variant or BASE_LABEL}"
        )
    return lines


def build_pages(data: ReportInput, painter: QPainter, body: QRectF) -> list[tuple[str, PageFn]]:
    """Every page as (title, draw function); tables already split to fit ``body``."""
    scenario = data.scenario
    p, b = painter, body
    pages: list[tuple[str, PageFn]] = [("", _title_page(data))]

    def diagram(p: QPainter, r: QRectF) -> None:
        draw_factory_diagram(p, r, scenario, LIGHT)

    pages.append(("Factory diagram", diagram))
    header, rows = kpi_table(data.compare, data.baseline)
    kpi_style = TableStyle(weights=(3.2, 0.7) + (1.0,) * (len(header) - 2))
    pages += _table_pages(p, b, "KPI comparison", header, rows, kpi_style)
    exec_header, exec_rows = executive_table(data.compare, data.baseline)
    n_runs = len(exec_header) - 2
    pages += _table_pages(
        p,
        b,
        "Executive metrics and how each is computed",
        exec_header,
        exec_rows,
        TableStyle(
            weights=(1.8,) + (1.0,) * n_runs + (4.5,),
            left=frozenset({0, n_runs + 1}),
            wrap=frozenset({0, n_runs + 1}),
            point_size=7.5,
        ),
    )
    pages.append(
        ("Charts: one colour per variant", _charts_page(compare_chart_specs(data.compare)))
    )
    if data.montecarlo is not None:
        mc = data.montecarlo
        pages.append(
            (
                f"Monte Carlo of {mc.variant or BASE_LABEL}: {len(mc.seeds)} seeds, "
                "P10–P90 bands and P50",
                _charts_page(fan_chart_specs(mc)),
            )
        )
        pages += _table_pages(
            p,
            b,
            "Monte Carlo: KPI percentiles",
            ["KPI", "unit", "P10", "P50", "P90"],
            percentile_rows(mc),
            TableStyle(weights=(3.2, 0.7, 1, 1, 1)),
        )
    if data.sweep is not None:
        sw = data.sweep
        spec = sweep_chart_spec(sw, data.sweep_kpi)

        def sweep_chart(p: QPainter, r: QRectF) -> None:
            draw_chart(p, QRectF(r.left(), r.top(), r.width(), r.height() * 0.9), spec, LIGHT)

        pages.append(
            (
                f"Sweep of {sw.param.text} in {sw.variant or BASE_LABEL}: {spec.title}, P50 with "
                "P10–P90 across seeds",
                sweep_chart,
            )
        )
        kpis = [data.sweep_kpi, *(k for k in SWEEP_KPIS if k != data.sweep_kpi)]
        sweep_header, sweep_body = sweep_rows(sw, kpis)
        pages += _table_pages(
            p,
            b,
            f"Sweep of {sw.param.text} in {sw.variant or BASE_LABEL}: KPIs per value (P50, "
            "P10–P90)",
            sweep_header,
            sweep_body,
            TableStyle(weights=(1.4,) + (1.0,) * len(kpis), wrap=frozenset(range(len(kpis) + 1))),
        )
    decisions = data.decisions
    for kind in decisions.kinds() if decisions is not None else ():

        def study_page(p: QPainter, r: QRectF, kind: str = kind) -> None:
            assert decisions is not None
            decisions.draw(p, r, kind, LIGHT, 1.0)

        assert decisions is not None
        pages.append((decisions.title(kind), study_page))
    assumptions = [[r.item, r.field, r.value, r.source] for r in assumption_rows(scenario)]
    pages += _table_pages(
        p,
        b,
        "Assumptions: catalog values, their sources, and run settings",
        ["item", "field", "value", "source"],
        assumptions,
        TableStyle(
            weights=(1.7, 1.7, 1.2, 5.4),
            left=frozenset({0, 1, 3}),
            wrap=frozenset({0, 2, 3}),
            point_size=7.5,
        ),
    )
    changes: list[list[str]] = []
    for label, overrides in data.compare.overrides.items():
        rows_for = override_rows(scenario, overrides)
        if not rows_for:
            changes.append([label, "(no overrides: the base scenario)", "", ""])
        changes += [[label, f"{r.target}.{r.path}", r.base_value, r.value] for r in rows_for]
    pages += _table_pages(
        p,
        b,
        "What changed: each variant's overrides",
        ["variant", "field", "base value", "variant value"],
        changes,
        TableStyle(
            weights=(1.2, 2.6, 2.0, 2.0), left=frozenset({0, 1, 2, 3}), wrap=frozenset({0, 2, 3})
        ),
    )
    return pages


def export_report(data: ReportInput, path: str | Path, theme: Theme = LIGHT) -> int:
    """Write the PDF; returns the number of pages."""
    writer = QPdfWriter(str(path))
    writer.setResolution(_DPI)
    writer.setTitle(f"{data.scenario.meta.name} — what-if report")
    writer.setCreator("aifactory-twin")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape,
            QMarginsF(14, 12, 14, 12),
            QPageLayout.Unit.Millimeter,
        )
    )
    painter = QPainter(writer)
    try:
        u = unit(painter)
        page = QRectF(0, 0, writer.width(), writer.height())
        head_h = 26 * u
        body = page.adjusted(0, head_h, 0, -18 * u)
        pages = build_pages(data, painter, body)
        for i, (title, draw) in enumerate(pages):
            if i:
                writer.newPage()
            painter.fillRect(page, QColor(theme.background))
            if title:
                painter.setPen(QColor(theme.foreground))
                painter.setFont(font(15, bold=True))
                painter.drawText(
                    QRectF(0, 0, page.width(), head_h * 0.8),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                    title,
                )
            painter.setFont(font(8))
            painter.setPen(QColor(theme.muted))
            footer = f"{data.scenario.meta.name} · page {i + 1} of {len(pages)}"
            painter.drawText(
                QRectF(0, page.bottom() - 12 * u, page.width(), 12 * u),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
                footer,
            )
            draw(painter, body)
        return len(pages)
    finally:
        painter.end()


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry: run the compare and the scenario's declared studies, then write the PDF.

    The ``pdf`` renderer of ``aifactory-twin-cli report``; the work is in ``ui.report_cli``.
    """
    from ui.report_cli import main as render

    return render(argv)


if __name__ == "__main__":
    sys.exit(main())
