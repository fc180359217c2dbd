"""What the report and the presentation show: KPI table rows and chart specs.

Every value shown comes from a run's KPIs or recorded series (aifactory_twin.study); this module
only picks them. Labels, units and number formats come from the KPI registry
(aifactory_twin.kpi_registry), so the PDF, the slides, the studio and the live tiles agree.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from aifactory_twin.formatting import MISSING
from aifactory_twin.kpi_registry import format_kpi_delta, kpi_info, ordered_keys
from aifactory_twin.study import CompareResult, MonteCarloResult, SweepResult
from ui.report_charts import Band, ChartSpec, Curve, variant_color

# Tiles on presentation slides: the questions executives ask first.
TILE_KPIS = (
    "total_cost_usd",
    "operational_cost_usd",
    "pue",
    "facility_energy_mwh",
    "availability",
    "cost_per_gpu_hour_usd",
    "delivered_pflops_mean",
    "carbon_t_co2",
)


# Executive metrics (issue 14): outcomes of the simulated processes, shown with how each is
# computed (the KPI registry's formula) in the report and on a slide; investment per calendar
# year follows them, one row per year, then each training job's launch day.
EXECUTIVE_KPIS = (
    "operational_cost_reduction_pct",
    "delivered_pflops_mean",
    "cost_per_trained_model_usd",
    "automation_rate",
    "talent_retention_annual",
    "product_launches_per_year",
    "launch_lead_time_mean_days",
)
DRIFT_KPIS = ("retrains_submitted", "retrains_completed", "drift_to_relaunch_mean_days")
"""Executive rows only when a compared run monitors drift (other runs do not report them)."""


def executive_table(result: CompareResult, baseline: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows: metric, its value per variant (baseline first), how it is computed."""
    rows = result.rows()
    deltas = result.deltas(baseline)
    labels = [baseline, *[label for label in rows if label != baseline]]
    keys = {k for row in rows.values() for k in row}
    years = sorted(k for k in keys if k.startswith("investment_"))
    launches = sorted(k for k in keys if k.startswith("job.") and k.endswith(".launch_day"))
    drift = [k for k in DRIFT_KPIS if k in keys]
    body: list[list[str]] = []
    for key in (*EXECUTIVE_KPIS, *drift, *years, *launches):
        info = kpi_info(key)
        cells = [info.caption]
        for label in labels:
            if key == "operational_cost_reduction_pct":
                value = None if label == baseline else deltas[label][key][0]
            else:
                value = rows[label].get(key)
            cells.append(MISSING if value is None else info.format(value))
        body.append([*cells, info.formula])
    return ["metric", *labels, "how it is computed"], body


def ordered_kpis(rows: dict[str, dict[str, Any]]) -> list[str]:
    """Numeric KPI keys present in any row, in the KPI registry's order (unknown keys last)."""
    present: dict[str, None] = {}
    for row in rows.values():
        for key, value in row.items():
            if (isinstance(value, int | float) and not isinstance(value, bool)) or value is None:
                present[key] = None
    return ordered_keys(present)


def kpi_table(result: CompareResult, baseline: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows: KPI, unit, then per variant its value and (not baseline) Δ vs baseline."""
    rows = result.rows()
    deltas = result.deltas(baseline)
    labels = [baseline, *[label for label in rows if label != baseline]]
    header = ["KPI", "unit"]
    for label in labels:
        header.append(label + (" (baseline)" if label == baseline else ""))
        if label != baseline:
            header.append(f"Δ {label}")
    body: list[list[str]] = []
    keys = ordered_kpis(rows)
    keys.insert(
        keys.index("operational_cost_usd") + 1 if "operational_cost_usd" in keys else 0,
        "operational_cost_reduction_pct",
    )
    for key in keys:
        info = kpi_info(key)
        cells = [info.label, info.unit_text]
        for label in labels:
            if key == "operational_cost_reduction_pct":
                cells.append(MISSING if label == baseline else info.format(deltas[label][key][0]))
                if label != baseline:
                    cells.append("")
                continue
            cells.append(info.format(rows[label].get(key)))
            if label != baseline:
                cells.append(format_kpi_delta(key, *(deltas[label].get(key) or (None, None))))
        body.append(cells)
    return header, body


def kpi_axis(key: str) -> tuple[str, float]:
    """Axis title and display scale for plotting KPI ``key``: shares in %, others in their unit."""
    info = kpi_info(key)
    if info.fmt == "percent":
        return "%", 0.01
    return (info.unit or "value"), 1.0


def time_axis(times_s: np.ndarray) -> tuple[np.ndarray, str]:
    """Days for runs of two days or more, hours below."""
    span = float(times_s[-1]) if len(times_s) else 0.0
    if span >= 2 * 86400:
        return times_s / 86400.0, "days"
    return times_s / 3600.0, "hours"


# (title, unit label, [(series, dashed, suffix)], display scale) — the chart groups.
CHART_GROUPS: tuple[tuple[str, str, tuple[tuple[str, bool, str], ...], float], ...] = (
    (
        "Power",
        "kW; solid facility, dashed IT",
        (("facility_power_kw", False, ""), ("it_power_kw", True, " IT")),
        1.0,
    ),
    ("Heat", "hottest GPU junction, °C", (("max_temp_c", False, ""),), 1.0),
    # Shares plot in percent (display scale 0.01), as every table shows them.
    ("Utilization", "% of accelerators busy", (("mean_utilization", False, ""),), 0.01),
    ("Cost", "cumulative, million USD", (("total_cost_usd_cum", False, ""),), 1e6),
    # Facility / IT power each step: over a year it draws the seasonal curve (issue 10). The
    # report and the slides lay out the first four; the compare window shows them all.
    ("PUE", "facility / IT power", (("pue", False, ""),), 1.0),
)
FAN_GROUPS: tuple[tuple[str, str, str, float], ...] = (
    ("Cost", "cumulative, million USD", "total_cost_usd_cum", 1e6),
    ("Energy", "cumulative facility energy, MWh", "facility_energy_mwh_cum", 1.0),
    ("Availability", "% of accelerators up", "availability", 0.01),
    ("Training compute", "delivered PFLOP/s", "delivered_pflops", 1.0),
)


def compare_chart_specs(
    result: CompareResult, labels: Sequence[str] | None = None
) -> list[ChartSpec]:
    """The chart groups with one colour per variant (colour = position in the compare)."""
    all_labels = list(result.runs)
    specs = []
    for title, unit, series, scale in CHART_GROUPS:
        spec = ChartSpec(title=title, y_label=unit, y_scale=scale)
        for label in labels or all_labels:
            run = result.runs[label]
            x, x_label = time_axis(run.times_s)
            spec.x_label = x_label
            color = variant_color(all_labels.index(label))
            for name, dashed, suffix in series:
                if name in run.series:
                    spec.curves.append(Curve(label + suffix, color, x, run.series[name], dashed))
        specs.append(spec)
    return specs


def fan_chart_specs(mc: MonteCarloResult, label: str = "") -> list[ChartSpec]:
    """P10–P90 fans with P50 for cost, energy, availability and delivered training compute."""
    x, x_label = time_axis(mc.times_s)
    specs = []
    for title, unit, name, scale in FAN_GROUPS:
        spec = ChartSpec(title=title, y_label=unit, x_label=x_label, y_scale=scale)
        if name in mc.bands:
            p = mc.bands[name]
            spec.bands.append(
                Band(label or f"{len(mc.seeds)} seeds", variant_color(0), x, p[0], p[1], p[2])
            )
        specs.append(spec)
    return specs


def percentile_rows(mc: MonteCarloResult) -> list[list[str]]:
    """KPI, unit, P10, P50, P90 rows in the report's KPI order."""
    pct = mc.percentiles()
    out = []
    for key in ordered_keys(pct):
        info = kpi_info(key)
        out.append([info.label, info.unit_text, *(info.format(v) for v in pct[key])])
    return out


# KPIs a sweep is usually read by (the studio's KPI box offers these first; the report's sweep
# table shows them for every value).
SWEEP_KPIS = (
    "total_cost_usd",
    "cost_per_gpu_hour_usd",
    "cost_per_trained_model_usd",
    "pue",
    "availability",
    "facility_energy_mwh",
    "delivered_pflops_mean",
)


def sweep_x(result: SweepResult) -> tuple[np.ndarray, bool]:
    """The swept values as x positions, and whether they are numbers (else 0, 1, 2…)."""
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in result.values)
    count = len(result.values)
    x = np.array(result.values, dtype=float) if numeric else np.arange(count, dtype=float)
    return x, numeric


def sweep_percentiles(result: SweepResult, kpi: str) -> tuple[np.ndarray, ...]:
    """P10, P50 and P90 of ``kpi`` across seeds, one entry per swept value."""
    matrix = result.kpi_matrix(kpi)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows stay NaN
        return tuple(np.nanpercentile(matrix, q, axis=1) for q in (10, 50, 90))


def sweep_chart_spec(result: SweepResult, kpi: str) -> ChartSpec:
    """``kpi`` against the swept value: P50 line with the P10–P90 band across seeds."""
    info = kpi_info(kpi)
    x, numeric = sweep_x(result)
    p10, p50, p90 = sweep_percentiles(result, kpi)
    x_label = result.param.text if numeric else f"{result.param.text} (value number)"
    y_label, y_scale = kpi_axis(kpi)
    spec = ChartSpec(title=info.label, y_label=y_label, x_label=x_label, y_scale=y_scale)
    spec.bands.append(Band(f"{len(result.seeds)} seeds", variant_color(0), x, p10, p50, p90))
    return spec


def sweep_rows(result: SweepResult, kpis: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """Header and one row per swept value: each KPI's P50 (and P10–P90 with several seeds)."""
    header = [result.param.text]
    columns = []
    for key in kpis:
        info = kpi_info(key)
        header.append(f"{info.label} ({info.unit_text})" if info.unit_text else info.label)
        columns.append((info, sweep_percentiles(result, key)))
    rows = []
    for i, value in enumerate(result.values):
        cells = [str(value)]
        for info, (p10, p50, p90) in columns:
            text = info.format(float(p50[i]))
            if len(result.seeds) > 1 and np.isfinite(p10[i]) and np.isfinite(p90[i]):
                text += f" ({info.format(float(p10[i]))}–{info.format(float(p90[i]))})"
            cells.append(text)
        rows.append(cells)
    return header, rows
