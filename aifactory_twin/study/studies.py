"""What-if studies on top of the runners: compare variants, sweep a parameter, Monte Carlo.

Every study builds plain RunSpecs (scenario JSON text + variant + overrides + seed) and hands
them to a runner, so the same study runs in this process, in a local process pool or on a Dask
cluster with identical results. Seeds are explicit: a compare runs every variant with the same
seed, a sweep uses the same seeds at every value (common random numbers, so differences come
from the parameter, not the dice), and a Monte Carlo uses seeds ``seed, seed+1, …``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeGuard

import numpy as np

from aifactory_twin.errors import UsageError
from aifactory_twin.schema import Override, Scenario
from aifactory_twin.study.params import SweepParam, check_param_values
from aifactory_twin.study.runners import ProgressFn, Runner, SerialRunner
from aifactory_twin.study.runs import (
    DEFAULT_SERIES,
    FAN_SERIES,
    FloatArray,
    RunResult,
    RunSpec,
    scalar_kpis,
)

BASE_LABEL = "base"
PERCENTILES = (10.0, 50.0, 90.0)
# KPI keys that echo the run's settings rather than measure anything.
RUN_SETTINGS_KEYS = frozenset({"horizon_s", "step_s", "seed", "simulated_s"})
OPEX_KEYS = (
    "energy_cost_usd",
    "staff_cost_usd",
    "maintenance_cost_usd",
    "cloud_cost_usd",
    "compliance_cost_usd",
)


@dataclass(frozen=True)
class StudyOptions:
    """Run length and sampling shared by every run of a study (None: the scenario's settings)."""

    horizon_s: float | None = None
    step_s: float | None = None
    series: tuple[str, ...] | None = DEFAULT_SERIES
    max_points: int | None = None

    def spec(
        self,
        text: str,
        variant: str | None,
        seed: int,
        label: str,
        tag: Any,
        overrides: tuple[tuple[str, str, Any], ...] = (),
    ) -> RunSpec:
        """One run of the study: the shared length and sampling plus what differs per run."""
        return RunSpec(
            text,
            variant=variant,
            horizon_s=self.horizon_s,
            step_s=self.step_s,
            seed=seed,
            overrides=overrides,
            series=self.series,
            max_points=self.max_points,
            label=label,
            tag=tag,
        )


# Studies that read only KPIs (uncertainty, optimization, 2-D sweeps) return no series.
KPI_ONLY = StudyOptions(series=(), max_points=None)


def resolve_variants(scenario: Scenario, names: Sequence[str] | None) -> list[str | None]:
    """``None`` → base plus every variant; otherwise the named ones (``base`` = no variant)."""
    known = [v.name for v in scenario.variants]
    if names is None:
        return [None, *known]
    out: list[str | None] = []
    for name in names:
        if name == BASE_LABEL and BASE_LABEL not in known:
            out.append(None)
        elif name in known:
            out.append(name)
        else:
            raise UsageError(
                f"--variants: no variant {name!r} in the scenario; known: "
                f"{', '.join([BASE_LABEL, *known])}"
            )
    return out


def operational_cost_usd(kpis: Mapping[str, Any]) -> float:
    """Energy + staff + maintenance + cloud + compliance over the horizon: cost without capex."""
    return float(sum(float(kpis.get(k) or 0.0) for k in OPEX_KEYS))


@dataclass
class CompareResult:
    """One run per variant with the same seed; labels are variant names or ``base``."""

    seed: int
    runs: dict[str, RunResult]
    overrides: dict[str, list[Override]]

    def rows(self) -> dict[str, dict[str, Any]]:
        """Label → KPI columns (as the ``run`` command writes them) + operational cost."""
        out: dict[str, dict[str, Any]] = {}
        for label, run in self.runs.items():
            row = scalar_kpis(run.kpis)
            row["operational_cost_usd"] = operational_cost_usd(run.kpis)
            out[label] = row
        return out

    def deltas(self, baseline: str) -> dict[str, dict[str, tuple[float, float | None]]]:
        """Label → KPI → (value − baseline, % change or None when the baseline is 0).

        Includes ``operational_cost_reduction_pct`` = (opex_base − opex) / opex_base × 100.
        """
        rows = self.rows()
        if baseline not in rows:
            raise UsageError(f"baseline {baseline!r} is not one of {', '.join(rows)}")
        base = rows[baseline]
        out: dict[str, dict[str, tuple[float, float | None]]] = {}
        for label, row in rows.items():
            kpi_deltas: dict[str, tuple[float, float | None]] = {}
            for key, value in row.items():
                ref = base.get(key)
                if _is_number(value) and _is_number(ref):
                    diff = float(value) - float(ref)
                    pct = diff / abs(float(ref)) * 100.0 if float(ref) != 0 else None
                    kpi_deltas[key] = (diff, pct)
            opex_base = float(base["operational_cost_usd"])
            reduction = (
                (opex_base - float(row["operational_cost_usd"])) / opex_base * 100.0
                if opex_base
                else 0.0
            )
            kpi_deltas["operational_cost_reduction_pct"] = (reduction, None)
            out[label] = kpi_deltas
        return out


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def compare(
    scenario: Scenario,
    variants: Sequence[str] | None = None,
    *,
    seed: int | None = None,
    options: StudyOptions = StudyOptions(),
    runner: Runner | None = None,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> CompareResult:
    """Run the base and/or variants with one seed; results keyed by variant label."""
    chosen = resolve_variants(scenario, variants)
    seed = scenario.settings.seed if seed is None else seed
    text = scenario.model_dump_json()
    specs = [options.spec(text, name, seed, label=name or BASE_LABEL, tag=name) for name in chosen]
    results = (runner or SerialRunner()).run_all(specs, progress=progress, cancel=cancel)
    by_name = {v.name: list(v.overrides) for v in scenario.variants}
    return CompareResult(
        seed=seed,
        runs={spec.label: result for spec, result in zip(specs, results, strict=True)},
        overrides={spec.label: by_name.get(spec.variant or "", []) for spec in specs},
    )


@dataclass
class SweepResult:
    """One row per (value, seed): the value, the seed and the run."""

    param: SweepParam
    values: list[Any]
    seeds: list[int]
    rows: list[tuple[Any, int, RunResult]] = field(default_factory=list)
    variant: str | None = None
    """The variant every value ran on (None: the base scenario)."""

    def kpi_matrix(self, kpi: str) -> FloatArray:
        """Values × seeds array of one KPI (NaN where the run has no number for it)."""
        out = np.full((len(self.values), len(self.seeds)), np.nan)
        for value_index, seed_index, run in self._indexed():
            number = scalar_kpis(run.kpis).get(kpi)
            if _is_number(number):
                out[value_index, seed_index] = float(number)
        return out

    def _indexed(self) -> list[tuple[int, int, RunResult]]:
        seed_pos = {s: i for i, s in enumerate(self.seeds)}
        out = []
        for row_index, (_, seed, run) in enumerate(self.rows):
            out.append((row_index // len(self.seeds), seed_pos[seed], run))
        return out


def sweep(
    scenario: Scenario,
    param: SweepParam,
    values: Sequence[Any],
    *,
    runs: int = 1,
    seed: int | None = None,
    variant: str | None = None,
    options: StudyOptions = StudyOptions(series=(), max_points=None),
    runner: Runner | None = None,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> SweepResult:
    """Run every value × ``runs`` seeds; rows ordered by value, then seed."""
    if runs < 1:
        raise UsageError("--runs must be at least 1")
    if not values:
        raise UsageError("a sweep needs at least one value")
    check_param_values(scenario, variant, param, list(values))
    first = scenario.settings.seed if seed is None else seed
    seeds = [first + r for r in range(runs)]
    text = scenario.model_dump_json()
    specs = [
        options.spec(
            text,
            variant,
            s,
            label=f"{param.text}={value!r} seed {s}",
            tag=value,
            overrides=((param.target, param.path, value),),
        )
        for value in values
        for s in seeds
    ]
    results = (runner or SerialRunner()).run_all(specs, progress=progress, cancel=cancel)
    rows = [(spec.tag, spec.seed, run) for spec, run in zip(specs, results, strict=True)]
    return SweepResult(param=param, values=list(values), seeds=seeds, rows=rows, variant=variant)


@dataclass
class MonteCarloResult:
    """N seeds of one scenario: KPI distributions, P10/P50/P90, and fan-chart bands over time."""

    seeds: list[int]
    kpis: dict[str, FloatArray]
    """Numeric KPI → value per run, in seed order (NaN where a run has none)."""
    times_s: FloatArray
    bands: dict[str, FloatArray]
    """Series → array of shape (3, len(times_s)): P10, P50, P90 at each sampled time."""
    runs: list[RunResult] = field(default_factory=list, repr=False)
    variant: str | None = None
    """The variant every seed ran (None: the base scenario)."""

    def percentiles(self) -> dict[str, tuple[float, float, float]]:
        """KPI → (P10, P50, P90), ignoring runs without a value (NaN if none has one)."""
        out: dict[str, tuple[float, float, float]] = {}
        for key, values in self.kpis.items():
            finite = values[np.isfinite(values)]
            if finite.size == 0:
                nan = float("nan")
                out[key] = (nan, nan, nan)
            else:
                p10, p50, p90 = np.percentile(finite, PERCENTILES)
                out[key] = (float(p10), float(p50), float(p90))
        return out


def monte_carlo(
    scenario: Scenario,
    n_runs: int,
    *,
    seed: int | None = None,
    variant: str | None = None,
    options: StudyOptions = StudyOptions(series=FAN_SERIES, max_points=240),
    runner: Runner | None = None,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    keep_runs: bool = False,
) -> MonteCarloResult:
    """``n_runs`` seeds from ``seed`` (default: the scenario's) of the base or one variant."""
    if n_runs < 1:
        raise UsageError("--runs must be at least 1")
    if variant is not None and variant not in {v.name for v in scenario.variants}:
        known = ", ".join(v.name for v in scenario.variants) or "none"
        raise UsageError(f"--variant: no variant {variant!r} in the scenario; known: {known}")
    first = scenario.settings.seed if seed is None else seed
    seeds = [first + i for i in range(n_runs)]
    text = scenario.model_dump_json()
    specs = [options.spec(text, variant, s, label=f"seed {s}", tag=s) for s in seeds]
    results = (runner or SerialRunner()).run_all(specs, progress=progress, cancel=cancel)
    summary = summarize_monte_carlo(seeds, results, keep_runs=keep_runs)
    summary.variant = variant
    return summary


def summarize_monte_carlo(
    seeds: list[int], results: Sequence[RunResult], *, keep_runs: bool = False
) -> MonteCarloResult:
    """KPI arrays and P10/P50/P90 bands from finished runs (all sampled at the same ticks)."""
    rows = [scalar_kpis(r.kpis) for r in results]
    keys = [
        k
        for k in (rows[0] if rows else {})
        if k not in RUN_SETTINGS_KEYS and any(_is_number(row.get(k)) for row in rows)
    ]
    kpis = {
        k: np.array([float(row[k]) if _is_number(row.get(k)) else np.nan for row in rows])
        for k in keys
    }
    times_s = results[0].times_s if results else np.zeros(0)
    bands: dict[str, FloatArray] = {}
    for name in results[0].series if results else ():
        stack = np.vstack([r.series[name] for r in results])
        bands[name] = np.percentile(stack, PERCENTILES, axis=0)
    return MonteCarloResult(
        seeds=list(seeds),
        kpis=kpis,
        times_s=times_s,
        bands=bands,
        runs=list(results) if keep_runs else [],
    )
