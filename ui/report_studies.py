"""The decision studies in the report and the slides: optimizer, 2-D sweep, uncertainty.

Each study the studio ran (Optimize, Heat map, Tornado tabs) gets a page in the PDF and a
slide: the Pareto front of the objective against training time with the chosen design starred,
its variables and constraints; the heat map with its colour bar; the tornado rankings for cost
per trained model and training time with the probability that B beats A, and the P10/P50/P90
fans of both variants over the uncertain inputs. Every value is read from the study results;
one drawing per study serves the 300-dpi page and the projector (``scale``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter

from aifactory_twin.formatting import MISSING
from aifactory_twin.kpi_registry import format_kpi, kpi_info
from aifactory_twin.study import BASE_LABEL
from aifactory_twin.study.optimize import TIME_KPI, DesignVariable, OptimizeResult, Trial
from aifactory_twin.study.sweep2d import Sweep2DResult
from aifactory_twin.study.uncertainty import TORNADO_KPIS, UncertaintyResult, input_text
from ui.report_charts import (
    VARIANT_COLORS,
    Band,
    ChartSpec,
    Curve,
    Markers,
    draw_chart,
    font,
    metrics,
    unit,
    variant_color,
)
from ui.report_content import FAN_GROUPS, kpi_axis, time_axis
from ui.report_study_charts import draw_heatmap, draw_tornado
from ui.report_table import TableStyle, draw_table
from ui.theme import Theme

GRAY = QColor("#9A9A9A")
FRONT_COLOR = QColor(VARIANT_COLORS[5])
STAR_COLOR = QColor("#F0C000")
# Rows of the uncertainty percentile table: the tornado's KPIs first, then the usual ones.
UNCERTAINTY_KPIS = (
    "cost_per_trained_model_usd",
    TIME_KPI,
    "total_cost_usd",
    "cost_per_gpu_hour_usd",
    "energy_cost_usd",
    "facility_energy_mwh",
    "availability",
    "pue",
)


@dataclass
class DecisionStudies:
    """The decision studies run in the studio, with the choices that say how to show them."""

    optimize: OptimizeResult | None = None
    optimize_trial: int | None = None
    """The chosen design's trial number (the one selected in the studio); None: the best."""
    sweep2d: Sweep2DResult | None = None
    sweep2d_kpi: str = "total_cost_usd"
    uncertainty: UncertaintyResult | None = None
    uncertainty_kpi: str = TORNADO_KPIS[0]

    def kinds(self) -> list[str]:
        """The pages/slides these results fill, in the order they are shown."""
        out = []
        if self.uncertainty is not None:
            out.append("tornado")
            if self.uncertainty.fans:
                out.append("uncertainty_fans")
        if self.optimize is not None:
            out.append("optimize")
        if self.sweep2d is not None:
            out.append("heatmap")
        return out

    def chosen_trial(self) -> Trial | None:
        result = self.optimize
        if result is None:
            return None
        picked = [t for t in result.trials if t.number == self.optimize_trial]
        return picked[0] if picked else result.best

    def title(self, kind: str) -> str:
        """The page title (the report's heading; slides shorten nothing)."""
        if kind == "tornado" and self.uncertainty is not None:
            unc = self.uncertainty
            return (
                f"What moves the outcome most? {len(unc.inputs)} uncertain inputs, "
                f"{len(unc.seeds)} samples"
            )
        if kind == "uncertainty_fans" and self.uncertainty is not None:
            unc = self.uncertainty
            return f"How sure are we? {' vs '.join(unc.labels)}, {len(unc.seeds)} samples"
        if kind == "optimize" and self.optimize is not None:
            return (
                f"Optimizer: {kpi_info(self.optimize.objective).label.lower()} against time to "
                f"train, {len(self.optimize.trials)} designs"
            )
        if kind == "heatmap" and self.sweep2d is not None:
            sw = self.sweep2d
            return f"2-D sweep of {sw.variant or BASE_LABEL}: {sw.x.text} × {sw.y.text}"
        return kind

    def draw(self, painter: QPainter, rect: QRectF, kind: str, theme: Theme, scale: float) -> None:
        """Paint the page/slide body of ``kind`` filling ``rect``."""
        if kind == "tornado" and self.uncertainty is not None:
            _tornado_page(painter, rect, self.uncertainty, self.uncertainty_kpi, theme, scale)
        elif kind == "uncertainty_fans" and self.uncertainty is not None:
            _fans_page(painter, rect, self.uncertainty, theme, scale)
        elif kind == "optimize" and self.optimize is not None:
            _optimize_page(painter, rect, self.optimize, self.chosen_trial(), theme, scale)
        elif kind == "heatmap" and self.sweep2d is not None:
            sw = self.sweep2d
            draw_heatmap(
                painter, rect, self.sweep2d_kpi, sw.grid(self.sweep2d_kpi), sw.x.text,
                sw.x_values, sw.y.text, sw.y_values, theme, scale * 1.2,
                note=_note(kpi_info(self.sweep2d_kpi).unit_text,
                           f"median over {len(sw.seeds)} seed(s) in each cell"),
            )  # fmt: skip


def _note(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


# ------------------------------------------------------------------------------ uncertainty
def tornado_kpis(result: UncertaintyResult, kpi: str) -> list[str]:
    """The two rankings shown: ``kpi`` and training time.

    ``kpi`` falls back along TORNADO_KPIS when no tornado run reports it.
    """
    first = kpi if kpi != TIME_KPI else TORNADO_KPIS[0]
    for key in (first, *TORNADO_KPIS):
        if any(math.isfinite(b.swing) or b.one_end_missing for b in result.tornado(key)):
            first = key
            break
    return [first, TIME_KPI]


def probability_text(result: UncertaintyResult, keys: Sequence[str]) -> str:
    """``P(liquid beats air) on cost per trained model = 100 % · on time to train = 40 %``."""
    if len(result.labels) != 2:
        return f"{len(result.seeds)} samples of {result.labels[0]}"
    a, b = result.labels
    parts = []
    for key in keys:
        p = result.probability_better(a, b, key)
        chance = MISSING if not math.isfinite(p) else f"{p * 100:.0f} %"
        ties = tie_share(result, key)
        if ties > 0:
            chance += f" ({ties * 100:.0f} % ties)"
        parts.append(f"on {kpi_info(key).label.lower()} {chance}")
    return f"P({b} beats {a}) {' · '.join(parts)}, over {len(result.seeds)} paired samples"


def tie_share(result: UncertaintyResult, key: str) -> float:
    """Share of paired samples where both variants give the same ``key`` (neither beats)."""
    a, b = (result.kpis[label].get(key) for label in result.labels[:2])
    if a is None or b is None:
        return 0.0
    ok = np.isfinite(a) & np.isfinite(b)
    return float(np.mean(np.isclose(a[ok], b[ok], rtol=1e-9, atol=0.0))) if ok.any() else 0.0


def _text_lines(
    painter: QPainter, rect: QRectF, lines: Sequence[tuple[str, bool]], theme: Theme, scale: float
) -> float:
    """Wrapped lines (bold or muted) from the top of ``rect``; returns the height used."""
    y = rect.top()
    for text, bold in lines:
        f = font((11 if bold else 8.5) * scale, bold=bold)
        painter.setFont(f)
        painter.setPen(QColor(theme.foreground if bold else theme.muted))
        flags = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
        box = metrics(painter, f).boundingRect(QRectF(0, 0, rect.width(), 1e6), flags, text)
        painter.drawText(QRectF(rect.left(), y, rect.width(), box.height()), flags, text)
        y += box.height() + metrics(painter, f).height() * 0.35
    return y - rect.top()


def _tornado_page(
    painter: QPainter, rect: QRectF, result: UncertaintyResult, kpi: str, theme: Theme,
    scale: float,
) -> None:  # fmt: skip
    u = unit(painter, scale)
    keys = tornado_kpis(result, kpi)
    inputs = "; ".join(input_text(s) for s in result.inputs)
    used = _text_lines(painter, rect, [
        (probability_text(result, keys), True),
        (f"Tornado on {result.labels[0]}: each input at its P10 and P90 with the others at "
         f"their medians, one run each (seed {result.seeds[0]}). Inputs: {inputs}", False),
    ], theme, scale)  # fmt: skip
    body = rect.adjusted(0, used + 8 * u, 0, 0)
    gap = 24 * u
    w = (body.width() - gap) / 2
    for i, key in enumerate(keys):
        cell = QRectF(body.left() + i * (w + gap), body.top(), w, body.height())
        center = result.tornado_center.get(key, math.nan)
        draw_tornado(painter, cell, key, result.tornado(key), center, theme, scale)


def uncertainty_fan_specs(result: UncertaintyResult) -> list[ChartSpec]:
    """The Monte Carlo fan groups with one band per variant (colour = its place in the study)."""
    specs = []
    for title, unit_text, name, scale in FAN_GROUPS:
        spec = ChartSpec(title=title, y_label=unit_text, y_scale=scale)
        for i, label in enumerate(result.labels):
            fan = result.fans.get(label)
            if fan is None or name not in fan.bands:
                continue
            x, spec.x_label = time_axis(fan.times_s)
            p10, p50, p90 = fan.bands[name]
            spec.bands.append(Band(label, variant_color(i), x, p10, p50, p90))
        specs.append(spec)
    return specs


def uncertainty_rows(result: UncertaintyResult) -> tuple[list[str], list[list[str]]]:
    """Header and rows: KPI, variant, P10, P50, P90 for the KPIs an executive reads first."""
    rows = []
    for key in UNCERTAINTY_KPIS:
        for label in result.labels:
            pct = result.percentiles(label).get(key)
            if pct is not None:
                rows.append([kpi_info(key).label, label, *(format_kpi(key, v) for v in pct)])
    return ["KPI", "variant", "P10", "P50", "P90"], rows


def _fans_page(
    painter: QPainter, rect: QRectF, result: UncertaintyResult, theme: Theme, scale: float
) -> None:
    u = unit(painter, scale)
    left = QRectF(rect.left(), rect.top(), rect.width() * 0.64, rect.height())
    specs = uncertainty_fan_specs(result)
    gap = 12 * u
    w, h = (left.width() - gap) / 2, (left.height() - gap) / 2
    for i, spec in enumerate(specs[:4]):
        cell = QRectF(left.left() + (i % 2) * (w + gap), left.top() + (i // 2) * (h + gap), w, h)
        draw_chart(painter, cell, spec, theme, scale * 0.9)
    right = QRectF(left.right() + 18 * u, rect.top(), rect.right() - left.right() - 18 * u,
                   rect.height())  # fmt: skip
    header, rows = uncertainty_rows(result)
    style = TableStyle(weights=(2.8, 1.0, 1.0, 1.0, 1.0), left=frozenset({0, 1}))
    draw_table(painter, right, header, rows, theme, scale=scale, style=style)


# -------------------------------------------------------------------------------- optimize
def pareto_chart_spec(result: OptimizeResult, chosen: Trial | None) -> ChartSpec:
    """The objective against time to train: every design, the Pareto front, the choice.

    Designs are dots (meets the constraints or not), the front a line, the choice a star.
    """
    key = result.objective
    y_label, scale = kpi_axis(key)
    spec = ChartSpec(
        title=kpi_info(key).label, y_label=f"{y_label} against time to train",
        x_label=f"{kpi_info(TIME_KPI).label} (days)", y_scale=scale,
    )  # fmt: skip
    usable = [
        t
        for t in result.trials
        if math.isfinite(t.objective) and math.isfinite(t.kpis.get(TIME_KPI, math.nan))
    ]
    for feasible, color, name in ((False, GRAY, "breaks a constraint"),
                                  (True, variant_color(0), "meets constraints")):  # fmt: skip
        pts = [t for t in usable if t.feasible is feasible]
        if pts:
            spec.markers.append(Markers(
                name, color, np.array([t.kpis[TIME_KPI] for t in pts]),
                np.array([t.objective for t in pts]),
            ))  # fmt: skip
    front = result.pareto()
    if front:
        x = np.array([t.kpis[TIME_KPI] for t in front])
        y = np.array([t.objective for t in front])
        spec.curves.append(Curve("Pareto front", FRONT_COLOR, x, y))
        spec.markers.append(Markers("", FRONT_COLOR, x, y, size=5.5))
    if chosen is not None and math.isfinite(chosen.kpis.get(TIME_KPI, math.nan)):
        spec.markers.append(Markers(
            "chosen design", STAR_COLOR, np.array([chosen.kpis[TIME_KPI]]),
            np.array([chosen.objective]), shape="star", size=13,
        ))  # fmt: skip
    return spec


def domain_text(var: DesignVariable) -> str:
    """The variable's range or choices as the user gave them."""
    if var.kind == "choice":
        return ", ".join(str(c) for c in var.choices)
    low, high = (int(var.low), int(var.high)) if var.kind == "int" else (var.low, var.high)
    text = f"{low:g} … {high:g}"
    if var.step:
        text += f", step {var.step:g}"
    return text + (" (log)" if var.log else "")


def optimize_tables(
    result: OptimizeResult, chosen: Trial | None
) -> list[tuple[list[str], list[list[str]]]]:
    """The chosen design's variables, the constraints at it, and the Pareto front."""
    variables = [[v.name, domain_text(v), MISSING if chosen is None else str(chosen.params[v.name])]
                 for v in result.variables]  # fmt: skip
    constraints = []
    for c in result.constraints:
        value = None if chosen is None else chosen.kpis.get(c.kpi)
        met = MISSING if chosen is None else "yes" if c.violation(value) <= 0 else "no"
        constraints.append([c.text, format_kpi(c.kpi, value), met])
    key = result.objective
    front = [
        [str(t.number), ", ".join(str(v) for v in t.params.values()), format_kpi(key, t.objective),
         format_kpi(TIME_KPI, t.kpis.get(TIME_KPI)), "yes" if t.feasible else "no"]
        for t in result.pareto()[:8]
    ]  # fmt: skip
    return [
        (["design variable", "range", "chosen"], variables),
        (["constraint", "chosen design", "met"], constraints),
        (["#", "Pareto front design", kpi_info(key).label, "time to train", "meets"], front),
    ]


def _optimize_page(
    painter: QPainter, rect: QRectF, result: OptimizeResult, chosen: Trial | None, theme: Theme,
    scale: float,
) -> None:  # fmt: skip
    u = unit(painter, scale)
    key = result.objective
    feasible = sum(t.feasible for t in result.trials)
    if chosen is None:
        headline = f"{len(result.trials)} designs tried; none meets every constraint."
    else:
        which = "best" if chosen is result.best else f"trial {chosen.number}"
        headline = (
            f"Chosen ({which}): {format_kpi(key, chosen.objective)}, "
            f"{format_kpi(TIME_KPI, chosen.kpis.get(TIME_KPI))} to train; "
            f"{feasible} of {len(result.trials)} designs meet every constraint "
            f"({result.sampler.upper()})"
        )
    used = _text_lines(painter, rect, [(headline, True)], theme, scale)
    body = rect.adjusted(0, used + 6 * u, 0, 0)
    left = QRectF(body.left(), body.top(), body.width() * 0.56, body.height())
    draw_chart(painter, left, pareto_chart_spec(result, chosen), theme, scale)
    right = QRectF(left.right() + 20 * u, body.top(), body.right() - left.right() - 20 * u,
                   body.height())  # fmt: skip
    y = right.top()
    weights = ((2.4, 1.8, 1.0), (2.4, 1.4, 0.7), (0.7, 2.8, 1.5, 1.2, 0.8))
    for (header, rows), widths in zip(optimize_tables(result, chosen), weights, strict=True):
        if not rows:
            continue
        style = TableStyle(weights=widths, left=frozenset({0, 1}))
        y = draw_table(painter, QRectF(right.left(), y, right.width(), right.bottom() - y),
                       header, rows, theme, scale=scale, style=style)  # fmt: skip
        y += 10 * u
