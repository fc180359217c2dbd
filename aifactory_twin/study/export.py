"""Files of studies: compare, sweep, sweep2d, montecarlo, percentiles, bands (CSV), optimize.*.

Columns are the KPI columns of ``run`` (``scalar_kpis``) so a spreadsheet that reads one reads
them all; the first columns say which run a row is (variant, parameter value, seed).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from aifactory_twin.study.optimize import OptimizeResult, Trial
from aifactory_twin.study.runs import RunResult, scalar_kpis
from aifactory_twin.study.studies import CompareResult, MonteCarloResult, SweepResult
from aifactory_twin.study.sweep2d import Sweep2DResult


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    return value


def _union_keys(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    keys: dict[str, None] = {}
    for row in rows:
        keys.update(dict.fromkeys(row))
    return list(keys)


def write_rows(path: Path, lead: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> None:
    """Write dict rows: ``lead`` columns first, then every other key in first-seen order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = list(lead) + [k for k in _union_keys(rows) if k not in lead]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])


def write_timeseries(run: RunResult, path: Path) -> None:
    """``time_s`` and every series the run returned, one row per sampled tick."""
    path.parent.mkdir(parents=True, exist_ok=True)
    names = list(run.series)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["time_s", *names])
        columns = [run.times_s, *(run.series[n] for n in names)]
        for i in range(len(run.times_s)):
            writer.writerow([repr(float(col[i])) for col in columns])


def write_compare(result: CompareResult, out_dir: Path, baseline: str | None = None) -> list[Path]:
    """``compare.csv`` (one row per variant) and ``<variant>/timeseries.csv``; returns paths."""
    labels = list(result.runs)
    baseline = baseline or labels[0]
    rows_by_label = result.rows()
    deltas = result.deltas(baseline)
    rows = []
    for label in labels:
        row: dict[str, Any] = {"variant": label, "seed": result.seed, "baseline": baseline}
        row.update(rows_by_label[label])
        row["operational_cost_reduction_pct"] = deltas[label]["operational_cost_reduction_pct"][0]
        rows.append(row)
    written = [out_dir / "compare.csv"]
    write_rows(written[0], ["variant", "seed", "baseline"], rows)
    for label in labels:
        path = out_dir / label / "timeseries.csv"
        write_timeseries(result.runs[label], path)
        written.append(path)
    return written


def write_sweep(result: SweepResult, path: Path) -> None:
    """``sweep.csv``: one row per value and seed with the KPI columns."""
    rows = []
    for value, seed, run in result.rows:
        row: dict[str, Any] = {"param": result.param.text, "value": value, "seed": seed}
        row.update(scalar_kpis(run.kpis))
        rows.append(row)
    write_rows(path, ["param", "value", "seed"], rows)


def write_monte_carlo(result: MonteCarloResult, out_dir: Path) -> list[Path]:
    """``montecarlo.csv`` (one row per seed), ``percentiles.csv``, ``bands.csv``."""
    per_seed = []
    for i, seed in enumerate(result.seeds):
        row: dict[str, Any] = {"seed": seed}
        row.update({k: float(v[i]) for k, v in result.kpis.items()})
        per_seed.append(row)
    paths = [out_dir / "montecarlo.csv", out_dir / "percentiles.csv", out_dir / "bands.csv"]
    write_rows(paths[0], ["seed"], per_seed)
    pct_rows = [
        {"kpi": k, "p10": p10, "p50": p50, "p90": p90}
        for k, (p10, p50, p90) in result.percentiles().items()
    ]
    write_rows(paths[1], ["kpi", "p10", "p50", "p90"], pct_rows)
    band_rows = []
    for i, t in enumerate(result.times_s):
        band_row: dict[str, Any] = {"time_s": float(t)}
        for name, band in result.bands.items():
            for j, tag in enumerate(("p10", "p50", "p90")):
                band_row[f"{name}_{tag}"] = float(band[j, i])
        band_rows.append(band_row)
    write_rows(paths[2], ["time_s"], band_rows)
    return paths


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def trial_summary(result: OptimizeResult, trial: Trial) -> dict[str, Any]:
    """A trial as JSON: number, variable values, objective, feasibility and its design."""
    variant, overrides = result.design(trial)
    return {
        "trial": trial.number,
        "params": trial.params,
        "objective": _finite_or_none(trial.objective),
        "training_time_days": _finite_or_none(trial.kpis.get("training_time_days", math.nan)),
        "feasible": trial.feasible,
        "start_variant": variant,
        "overrides": [{"target": t, "path": p, "value": v} for t, p, v in overrides],
    }


def write_optimize(result: OptimizeResult, out_dir: Path) -> list[Path]:
    """``optimize.csv`` (one row per trial: values, verdict, KPIs) and ``optimize.json``."""
    front = {t.number for t in result.pareto()}
    rows = []
    for trial in result.trials:
        row: dict[str, Any] = {"trial": trial.number, **trial.params}
        row.update(feasible=trial.feasible, pareto=trial.number in front, objective=trial.objective)
        row.update(
            {
                f"violation:{c.text}": v
                for c, v in zip(result.constraints, trial.violations, strict=True)
            }
        )
        row.update(trial.kpis)
        rows.append(row)
    paths = [out_dir / "optimize.csv", out_dir / "optimize.json"]
    lead = ["trial", *(v.name for v in result.variables), "feasible", "pareto", "objective"]
    write_rows(paths[0], lead, rows)
    best = result.best
    summary = {
        "objective": result.objective,
        "direction": result.direction,
        "sampler": result.sampler,
        "constraints": [c.text for c in result.constraints],
        "variables": [v.name for v in result.variables],
        "trials": len(result.trials),
        "feasible": sum(t.feasible for t in result.trials),
        "best": trial_summary(result, best) if best is not None else None,
        "pareto": [trial_summary(result, t) for t in result.pareto()],
    }
    paths[1].write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    return paths


def write_sweep2d(result: Sweep2DResult, path: Path) -> None:
    """``sweep2d.csv``: one row per (x, y, seed) with the KPI columns."""
    rows = []
    for (i, j, k), run in sorted(result.runs.items()):
        row: dict[str, Any] = {
            result.x.text: result.x_values[i],
            result.y.text: result.y_values[j],
            "seed": result.seeds[k],
        }
        row.update(scalar_kpis(run.kpis))
        rows.append(row)
    write_rows(path, [result.x.text, result.y.text, "seed"], rows)
