"""What the report and the presentation show: KPI labels, table rows and chart specs.

Every value shown comes from a run's KPIs or recorded series (aifactory_twin.study); this module
only picks, labels and formats them, so the PDF, the slides and the compare view agree.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from aifactory_twin.study import CompareResult, MonteCarloResult, SweepResult
from ui.report_charts import Band, ChartSpec, Curve, format_number, variant_color

# key → (label, unit); order is the report's order. Keys not listed follow, labelled by key.
KPI_LABELS: dict[str, tuple[str, str]] = {
    "total_cost_usd": ("Total cost", "USD"),
    "operational_cost_usd": ("Operational cost (energy+staff+maint.+cloud)", "USD"),
    "operational_cost_reduction_pct": ("Operational cost reduction vs baseline", "%"),
    "capex_usd": ("Capex", "USD"),
    "capex_amortized_usd": ("Capex amortized over horizon", "USD"),
    "energy_cost_usd": ("Energy cost", "USD"),
    "staff_cost_usd": ("Staff cost", "USD"),
    "maintenance_cost_usd": ("Maintenance cost", "USD"),
    "cloud_cost_usd": ("Cloud burst cost", "USD"),
    "idle_cost_usd": ("Idle capacity cost (arrived, not working)", "USD"),
    "cost_per_gpu_hour_usd": ("Cost per GPU-hour", "USD"),
    "cost_per_trained_model_usd": ("Cost per trained model", "USD"),
    "cost_per_million_tokens_usd": ("Cost per million tokens", "USD"),
    "pue": ("PUE", ""),
    "facility_energy_mwh": ("Facility energy", "MWh"),
    "it_energy_mwh": ("IT energy", "MWh"),
    "cooling_energy_mwh": ("Cooling energy", "MWh"),
    "peak_facility_power_kw": ("Peak facility power", "kW"),
    "mean_it_power_kw": ("Mean IT power", "kW"),
    "mean_facility_power_kw": ("Mean facility power", "kW"),
    "mean_utilization": ("Mean utilization", ""),
    "delivered_pflops_mean": ("Delivered PFLOP/s (mean)", "PFLOP/s"),
    "gpu_hours_delivered": ("GPU-hours delivered", "h"),
    "max_temperature_c": ("Max temperature", "°C"),
    "throttled_gpu_hours": ("Throttled GPU-hours", "h"),
    "interruptions": ("Job interruptions", ""),
    "incidents": ("Incidents (unit failures)", ""),
    "availability": ("Availability", ""),
    "automation_rate": ("Automation rate", ""),
    "talent_retention": ("Talent retention", ""),
    "headcount_end": ("Headcount at end", ""),
    "product_launches": ("Product launches", ""),
    "product_launches_per_year": ("Product launches per year", "/yr"),
    "jobs_completed": ("Training jobs completed", ""),
    "carbon_t_co2": ("Carbon", "t CO₂"),
    "water_m3": ("Water", "m³"),
    "inference_tokens": ("Inference tokens", ""),
    "joules_per_token": ("Energy per token", "J"),
}
# Shown in the run settings, not as results.
_NOT_RESULTS = frozenset({"horizon_s", "step_s", "seed", "simulated_s"})
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


def kpi_label(key: str) -> tuple[str, str]:
    if key in KPI_LABELS:
        return KPI_LABELS[key]
    if key.startswith("job.") and key.count(".") >= 2:
        name, sub = key[4:].rsplit(".", 1)
        unit = "h" if sub.endswith("_h") else ""
        return f"Job {name}: {sub.replace('_', ' ')}", unit
    return key.replace("_", " "), ""


def ordered_kpis(rows: dict[str, dict[str, Any]]) -> list[str]:
    """Numeric KPI keys present in any row, known ones first in KPI_LABELS order."""
    present: dict[str, None] = {}
    for row in rows.values():
        for key, value in row.items():
            if key in _NOT_RESULTS:
                continue
            if (isinstance(value, int | float) and not isinstance(value, bool)) or value is None:
                present[key] = None
    known = [k for k in KPI_LABELS if k in present]
    return known + [k for k in present if k not in KPI_LABELS]


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
        name, unit = kpi_label(key)
        cells = [name, "" if unit == "USD" else unit]
        for label in labels:
            if key == "operational_cost_reduction_pct":
                value = deltas[label][key][0]
                cells.append("—" if label == baseline else f"{value:+.1f} %")
                if label != baseline:
                    cells.append("")
                continue
            cells.append(format_number(rows[label].get(key), unit))
            if label != baseline:
                cells.append(format_delta(deltas[label].get(key), unit))
        body.append(cells)
    return header, body


def format_delta(delta: tuple[float, float | None] | None, unit: str) -> str:
    if delta is None:
        return "—"
    diff, pct = delta
    if diff == 0:
        return "±0"
    if pct is not None:
        return f"{pct:+.1f} %"
    sign = "+" if diff > 0 else "−"
    return sign + format_number(abs(diff), unit)


def time_axis(times_s: np.ndarray) -> tuple[np.ndarray, str]:
    """Days for runs of two days or more, hours below."""
    span = float(times_s[-1]) if len(times_s) else 0.0
    if span >= 2 * 86400:
        return times_s / 86400.0, "days"
    return times_s / 3600.0, "hours"


# (title, unit label, [(series, dashed, suffix)], display scale) — the four chart groups.
CHART_GROUPS: tuple[tuple[str, str, tuple[tuple[str, bool, str], ...], float], ...] = (
    (
        "Power",
        "kW; solid facility, dashed IT",
        (("facility_power_kw", False, ""), ("it_power_kw", True, " IT")),
        1.0,
    ),
    ("Heat", "hottest GPU junction, °C", (("max_temp_c", False, ""),), 1.0),
    ("Utilization", "mean accelerator utilization", (("mean_utilization", False, ""),), 1.0),
    ("Cost", "cumulative, million USD", (("total_cost_usd_cum", False, ""),), 1e6),
)
FAN_GROUPS: tuple[tuple[str, str, str, float], ...] = (
    ("Cost", "cumulative, million USD", "total_cost_usd_cum", 1e6),
    ("Energy", "cumulative facility energy, MWh", "facility_energy_mwh_cum", 1.0),
    ("Availability", "share of accelerators up", "availability", 1.0),
    ("Training compute", "delivered PFLOP/s", "delivered_pflops", 1.0),
)


def compare_chart_specs(
    result: CompareResult, labels: Sequence[str] | None = None
) -> list[ChartSpec]:
    """The four chart groups with one colour per variant (colour = position in the compare)."""
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
    keys = [k for k in KPI_LABELS if k in pct] + [k for k in pct if k not in KPI_LABELS]
    out = []
    for key in keys:
        if key in _NOT_RESULTS:
            continue
        name, unit = kpi_label(key)
        out.append(
            [name, "" if unit == "USD" else unit, *(format_number(v, unit) for v in pct[key])]
        )
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
    name, unit = kpi_label(kpi)
    x, numeric = sweep_x(result)
    p10, p50, p90 = sweep_percentiles(result, kpi)
    x_label = result.param.text if numeric else f"{result.param.text} (value number)"
    spec = ChartSpec(title=name, y_label=unit or "value", x_label=x_label)
    spec.bands.append(Band(f"{len(result.seeds)} seeds", variant_color(0), x, p10, p50, p90))
    return spec


def sweep_rows(result: SweepResult, kpis: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """Header and one row per swept value: each KPI's P50 (and P10–P90 with several seeds)."""
    header = [result.param.text]
    columns = []
    for key in kpis:
        name, unit = kpi_label(key)
        header.append(f"{name} ({unit})" if unit and unit != "USD" else name)
        columns.append((unit, sweep_percentiles(result, key)))
    rows = []
    for i, value in enumerate(result.values):
        cells = [str(value)]
        for unit, (p10, p50, p90) in columns:
            text = format_number(float(p50[i]), unit)
            if len(result.seeds) > 1 and np.isfinite(p10[i]) and np.isfinite(p90[i]):
                text += (
                    f" ({format_number(float(p10[i]), unit)}–{format_number(float(p90[i]), unit)})"
                )
            cells.append(text)
        rows.append(cells)
    return header, rows
