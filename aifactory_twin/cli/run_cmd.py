"""``run``: simulate a scenario file and write timeseries.csv, nodes.csv, monthly.csv, kpis.json.

Bad files and options raise ScenarioError/UsageError naming the field, which ``cli.main`` turns
into exit code 2 without a traceback.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from aifactory_twin.cli.common import EXIT_OK, Progress, kept_out_of_gc, leave_to_exit
from aifactory_twin.errors import Problem, ScenarioError, UsageError
from aifactory_twin.formatting import (
    format_duration,
    format_money,
    format_percent,
    format_quantity,
    format_span,
    parse_duration,
)
from aifactory_twin.kpi_registry import format_kpi, kpi_info

# Show progress when a run is expected to take more than a moment: node-steps above this.
_PROGRESS_NODE_STEPS = 2_000_000


def register(subparsers: Any) -> None:
    """Add the ``run`` subcommand."""
    run = subparsers.add_parser(
        "run",
        help="simulate a scenario and write timeseries.csv, nodes.csv and kpis.json",
        description=(
            "Run the coupled simulation (workload → power → heat → cooling → cost, with "
            "failures, staff, supply chain and data) and print the main KPIs."
        ),
    )
    run.add_argument("file", metavar="FILE", help="scenario file (*.aift.json)")
    run.add_argument("--horizon", help="simulated time, e.g. 12h, 30d, 1y (default: file)")
    run.add_argument("--step", help="time step, e.g. 15s, 5m, 1h (default: file)")
    run.add_argument("--seed", help="random seed (default: file)")
    run.add_argument("--variant", help="apply the named variant of the file")
    run.add_argument(
        "--climate",
        metavar="NAME|FILE.epw",
        help="outdoor weather: a climate preset (e.g. stockholm_se, phoenix_az) or an EPW file "
        "(default: file)",
    )
    run.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    run.add_argument("--quiet", "-q", action="store_true", help="no KPI table, no progress")
    run.add_argument(
        "--timings",
        action="store_true",
        help="print how long loading, compiling, running and writing took (stderr)",
    )
    run.set_defaults(handler=cmd_run)


class _PhaseClock:
    """Wall time of each phase of a run, for ``--timings``."""

    def __init__(self) -> None:
        self._last = time.perf_counter()
        self.phases: dict[str, float] = {}

    def mark(self, phase: str) -> None:
        now = time.perf_counter()
        self.phases[phase] = now - self._last
        self._last = now

    def __str__(self) -> str:
        return ", ".join(f"{name} {seconds:.2f} s" for name, seconds in self.phases.items())


def _seed(text: str | None, default: int) -> int:
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"--seed: expected an integer (got {text!r})") from None


def cmd_run(args: argparse.Namespace) -> int:
    """Load, compile, run, write the three files and print the KPI table."""
    from aifactory_twin.io import load_scenario
    from aifactory_twin.sim import Engine, compile_scenario

    horizon = parse_duration(args.horizon, "--horizon") if args.horizon else None
    step = parse_duration(args.step, "--step") if args.step else None
    clock = _PhaseClock()
    with kept_out_of_gc():
        scenario = load_scenario(args.file)
        if args.climate:
            scenario = with_climate(scenario, args.climate)
    clock.mark("load")
    seed = _seed(args.seed, scenario.settings.seed)
    h = horizon if horizon is not None else scenario.settings.horizon_s
    dt = step if step is not None else scenario.settings.step_s
    if dt > h:
        raise UsageError(
            f"--step: {format_duration(dt)} is longer than the horizon {format_duration(h)}"
        )
    if h / dt > 50_000_000:
        raise UsageError("--step: too many steps for the horizon (more than 50 million)")
    try:
        with kept_out_of_gc():
            compiled = compile_scenario(scenario, args.variant, horizon_s=horizon, step_s=step)
    except ScenarioError as exc:
        raise ScenarioError(
            [Problem(p.path, p.message, p.file or str(args.file), p.label) for p in exc.problems]
        ) from None
    clock.mark("compile")
    out_dir = Path(args.out)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out: cannot create {out_dir}: {exc.strerror or exc}") from None
    with kept_out_of_gc():
        eng = Engine(compiled, seed=seed)
    steps = h / dt
    show = not args.quiet and steps * max(compiled.n_nodes, 1) > _PROGRESS_NODE_STEPS
    bar = Progress(f"run {Path(args.file).name}", compiled.horizon_s, enabled=show)
    eng.run(progress=bar.update)
    clock.mark("run")
    kpis = eng.kpis()
    _write_timeseries(eng, out_dir / "timeseries.csv")
    _write_nodes(eng, out_dir / "nodes.csv")
    _write_monthly(kpis.get("monthly", []), out_dir / "monthly.csv")
    (out_dir / "kpis.json").write_text(
        json.dumps(_finite(kpis), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    clock.mark("write")
    if not args.quiet:
        _print_table(scenario.meta.name, kpis)
        print(f"wrote {out_dir / 'timeseries.csv'}, nodes.csv, monthly.csv, kpis.json")
    if args.timings:
        print(f"timings: {clock}", file=sys.stderr)
    leave_to_exit(scenario, compiled, eng)
    return EXIT_OK


def with_climate(scenario: Any, climate: str) -> Any:
    """``scenario`` under another climate: a preset name, or an EPW file (relative to here)."""
    from aifactory_twin.sim.models.weather import CLIMATES

    amb = scenario.settings.ambient
    if climate in CLIMATES:
        amb = amb.model_copy(update={"climate": climate, "weather_file": None})
    elif climate.lower().endswith(".epw"):
        amb = amb.model_copy(update={"weather_file": str(Path(climate).resolve())})
    else:
        known = ", ".join(CLIMATES)
        raise UsageError(f"--climate: {climate!r} is neither a preset ({known}) nor an .epw file")
    settings = scenario.settings.model_copy(update={"ambient": amb})
    return scenario.model_copy(update={"settings": settings}).with_source_dir(scenario.source_dir)


def _finite(value: Any) -> Any:
    """JSON cannot hold NaN/inf: write them as null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _write_timeseries(eng: Any, path: Path) -> None:
    rec = eng.recorder
    columns = [_formatted(rec.series(name), "{:.6g}") for name in rec.names]
    _write_columns(path, list(rec.names), columns)


def _write_monthly(rows: list[dict[str, Any]], path: Path) -> None:
    """One row per calendar month: energy, PUE, free cooling, water, outdoor means."""
    if not rows:
        return
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        names = list(rows[0])
        writer.writerow(names)
        for row in rows:
            writer.writerow(
                ["" if (v := row[k]) is None else v if isinstance(v, str) else f"{v:.6g}"
                 for k in names]
            )  # fmt: skip


def _write_nodes(eng: Any, path: Path) -> None:
    from aifactory_twin.sim import STATUS_NAMES

    state = eng.node_state()
    summary = eng.recorder.node_summary()
    header = ["node_id", "kind", "status", "units_up", "units_failed", "power_kw", "temp_c"]
    header += ["utilization", "mean_power_kw", "max_temp_c"]
    columns = [
        list(eng.node_ids),
        eng.node_kinds.tolist(),
        list(map(list(STATUS_NAMES).__getitem__, state["status"].tolist())),
        _formatted(state["units_up"], "{:g}"),
        _formatted(state["units_failed"], "{:g}"),
        _formatted(state["power_kw"], "{:.6g}"),
        _formatted(state["temp_c"], "{:.4g}"),
        _formatted(state["utilization"], "{:.4g}"),
        _formatted(summary["mean_power_kw"], "{:.6g}"),
        _formatted(summary["max_temp_c"], "{:.4g}"),
    ]
    _write_columns(path, header, columns)


def _formatted(values: Any, spec: str) -> list[str]:
    """One column of numbers as text (``tolist`` first: formatting Python floats is faster).

    A float column of a big factory holds few distinct values (383,600 nodes, a few dozen
    temperatures): each distinct value is formatted once. Not when a -0.0 is there: it equals
    0.0 as a dict key but prints as "-0".
    """
    array = np.asarray(values)
    items = array.tolist()
    if array.dtype != np.float64 or array.size < 4096 or np.signbit(array[array == 0.0]).any():
        return list(map(spec.format, items))
    distinct = dict.fromkeys(items)
    if len(distinct) > len(items) // 4:
        return list(map(spec.format, items))
    texts = {value: spec.format(value) for value in distinct}
    return list(map(texts.__getitem__, items))


def _needs_quotes(text: str) -> bool:
    """Whether ``text`` holds a character the csv module quotes a field for (default dialect)."""
    return any(special in text for special in ',"\r\n')


def _write_columns(path: Path, header: list[str], columns: list[list[str]]) -> None:
    """Write a CSV built column by column, rows joined in C.

    Ids follow the schema's id pattern and numbers never hold a comma, a quote or a line
    break, so the rows are joined directly: what ``csv.writer`` writes for them, byte for
    byte (CR LF line ends). A column that holds one of those goes through ``csv.writer``.
    """
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        if len(columns) < 2 or any(_needs_quotes("".join(column)) for column in columns):
            writer.writerows(zip(*columns, strict=True))
            return
        rows = map(",".join, zip(*columns, strict=True))
        for chunk in _chunks(rows, 65536):
            handle.write("\r\n".join(chunk))
            handle.write("\r\n")


def _chunks(items: Iterator[str], size: int) -> Iterator[list[str]]:
    """``items`` in lists of ``size`` (the last one shorter; none when ``items`` is empty)."""
    while chunk := list(itertools.islice(items, size)):
        yield chunk


# The KPI table the run prints: keys in order; labels and number formats from the KPI registry.
# The cost breakdown is indented under the total.
_TABLE: tuple[str, ...] = (
    "simulated_s",
    "facility_energy_mwh",
    "mean_it_power_kw",
    "peak_facility_power_kw",
    "pue",
    "server_fan_energy_mwh",
    "mean_utilization",
    "availability",
    "delivered_pflops_mean",
    "max_temperature_c",
    "interruptions",
    "total_cost_usd",
    "energy_cost_usd",
    "capex_amortized_usd",
    "staff_cost_usd",
    "cloud_cost_usd",
    "compliance_cost_usd",
    "cost_per_gpu_hour_usd",
    "carbon_t_co2",
    "embodied_carbon_t_co2",
    "water_m3",
    "tower_water_m3",
    "free_cooling_hours",
    "inference_tokens",
    "cost_per_million_tokens_usd",
    "headcount_end",
    "product_launches_per_year",
    "launch_lead_time_mean_days",
)
_PARTS_OF_TOTAL = frozenset(
    {
        "energy_cost_usd",
        "capex_amortized_usd",
        "staff_cost_usd",
        "cloud_cost_usd",
        "compliance_cost_usd",
    }
)


_QUEUE_TABLE: tuple[str, ...] = (
    "mean_allocation",
    "queue_wait_mean_h",
    "queue_wait_p50_h",
    "queue_wait_p95_h",
    "queue_slowdown_mean",
    "queue_length_mean",
    "queue_length_max",
    "jobs_waiting",
    "requeues",
)


_DRIFT_TABLE: tuple[str, ...] = (
    "retrains_submitted",
    "retrains_completed",
    "drift_to_relaunch_mean_days",
)


def kpi_table_lines(kpis: dict[str, Any]) -> list[str]:
    """``label  value`` lines of the run's KPI table, then one line per training job."""
    labels = {key: ("  " if key in _PARTS_OF_TOTAL else "") + kpi_info(key).label for key in _TABLE}
    width = max(len(label) for label in labels.values())
    lines = [f"  {labels[key]:<{width}}  {format_kpi(key, kpis.get(key))}" for key in _TABLE]
    if kpis.get("queue_length_max"):
        # The queue section only when jobs waited: runs without a queue read as before.
        for key in _QUEUE_TABLE:
            lines.append(f"  {kpi_info(key).label:<{width}}  {format_kpi(key, kpis.get(key))}")
        shares = kpis.get("team_gpu_share") or {}
        if len(shares) > 1:
            parts = ", ".join(f"{team} {format_percent(v)}" for team, v in shares.items())
            lines.append(f"  {'Team share of GPU-hours':<{width}}  {parts}")
    if "retrains_submitted" in kpis:
        # Drift monitoring's section only in runs that watch a model.
        for key in _DRIFT_TABLE:
            lines.append(f"  {kpi_info(key).label:<{width}}  {format_kpi(key, kpis.get(key))}")
    months = kpis.get("monthly") or []
    if len(months) > 1:
        # The seasonal curve, when the run spans months (the full rows are in monthly.csv).
        parts = " ".join(f"{m['month'][2:]} {format_kpi('pue', m['pue'])}" for m in months)
        lines.append(f"  {'Monthly PUE':<{width}}  {parts}")
    for job in kpis.get("jobs", []):
        done = "done" if job["completed"] else format_percent(job["progress"])
        eta = job["eta_h"]
        eta_text = "" if eta is None or job["completed"] else f", ETA {format_span(eta * 3600)}"
        hours = job["training_time_h"]
        took = f" in {format_span(hours * 3600)}" if hours is not None else ""
        lines.append(
            f"  job {job['name']}: {done}{took}{eta_text}, {job['interruptions']} interruptions, "
            f"goodput {format_percent(job['goodput'])}{_launch_text(job)}"
        )
    lines += workload_account_lines(kpis.get("job_accounting"))
    return lines


def workload_account_lines(accounting: dict[str, Any] | None) -> list[str]:
    """One compact line per workload (and one for what no workload held): energy, carbon, cost."""
    if not accounting or not accounting["workloads"]:
        return []
    lines = []
    for row in accounting["workloads"]:
        lines.append(
            f"  energy {row['name']}: {format_quantity(row['energy_kwh'], 'kWh')} "
            f"(GPU {format_quantity(row['gpu_energy_kwh'], 'kWh')}, "
            f"host {format_quantity(row['host_energy_kwh'], 'kWh')}, "
            f"facility {format_quantity(row['facility_share_kwh'], 'kWh')}), "
            f"{format_quantity(row['carbon_kg_co2'], 'kg CO₂')}, "
            f"{format_money(row['cost_usd'])}, {format_quantity(row['gpu_hours'], 'GPU·h')}"
        )
    idle = accounting["unassigned"]
    lines.append(
        f"  energy no workload (idle, network, storage): "
        f"{format_quantity(idle['energy_kwh'], 'kWh')}, "
        f"{format_quantity(idle['carbon_kg_co2'], 'kg CO₂')}, {format_money(idle['cost_usd'])}"
    )
    return lines


def _launch_text(job: dict[str, Any]) -> str:
    """The job line's launch part (launched or launches, and the date) once it is known."""
    date = job.get("launch_date")
    if date is None:
        return ""
    return f", {'launched' if job.get('launched') else 'launches'} {date}"


def _print_table(title: str, kpis: dict[str, Any]) -> None:
    print(title)
    for line in kpi_table_lines(kpis):
        print(line)
    sys.stdout.flush()
