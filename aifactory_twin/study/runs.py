"""One simulation run as a picklable task: RunSpec in, RunResult out, executed in any process.

A spec carries the scenario as JSON text (not a live object), so it crosses ``spawn`` process
boundaries and Dask workers unchanged; a worker keeps the last few compiled scenarios, so a
Monte Carlo batch of many seeds compiles once per worker and process. Everything here is
deterministic: the same spec gives bit-identical results in any process (the engine draws from
one seeded generator in a fixed order).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from aifactory_twin.errors import Problem, ScenarioError, TwinError
from aifactory_twin.schema import Override, Scenario, Variant

FloatArray = npt.NDArray[np.float64]

# The aggregate series the studio charts: the four chart groups (power, heat, utilization,
# cost) plus what the Monte Carlo fan charts need. Names are the engine recorder's columns
# (timeseries.csv) or one of DERIVED_SERIES below.
DEFAULT_SERIES: tuple[str, ...] = (
    "it_power_kw",
    "cooling_power_kw",
    "facility_power_kw",
    "pue",
    "max_temp_c",
    "mean_utilization",
    "delivered_pflops",
    "gpus_up",
    "gpus_failed",
    "gpus_throttled",
    "energy_cost_usd_cum",
    "total_cost_usd_cum",
)
# Fan charts in the issue: cost, energy, availability and training (delivered compute).
FAN_SERIES: tuple[str, ...] = (
    "total_cost_usd_cum",
    "facility_energy_mwh_cum",
    "availability",
    "delivered_pflops",
)
DERIVED_SERIES: tuple[str, ...] = ("facility_energy_mwh_cum", "availability")

_T = TypeVar("_T")
_STUDY_VARIANT = "study-run"
_CACHE_SIZE = 4


@dataclass(frozen=True)
class RunSpec:
    """Everything one run needs, picklable: scenario text, variant, overrides, time and seed."""

    scenario_json: str
    variant: str | None = None
    horizon_s: float | None = None
    step_s: float | None = None
    seed: int = 0
    overrides: tuple[tuple[str, str, Any], ...] = ()
    """Extra (target, path, value) changes applied after the variant's own overrides."""
    series: tuple[str, ...] | None = DEFAULT_SERIES
    """Aggregate series to return; None returns every recorder column."""
    max_points: int | None = None
    """Return at most this many samples per series (evenly spaced ticks, last one included)."""
    lean: bool = True
    """Study mode: the engine keeps no per-node samples or event records (KPIs unchanged)."""
    label: str = ""
    tag: Any = None
    """Caller's key for the run (a sweep value, a variant name); returned untouched."""


@dataclass
class RunResult:
    """KPIs and selected aggregate series of one finished run."""

    label: str
    variant: str | None
    seed: int
    tag: Any
    kpis: dict[str, Any]
    times_s: FloatArray
    """Sample times of ``series`` (empty when the spec asked for no series)."""
    series: dict[str, FloatArray] = field(default_factory=dict)
    elapsed_s: float = 0.0
    """Wall time of the run in its worker (compile excluded); used to size batches."""


@dataclass(frozen=True)
class RunFailure:
    """A run that raised: sent back as text because custom exceptions do not all pickle."""

    index: int
    user_error: bool
    message: str


class StudyError(TwinError):
    """A run of a study failed; the message names the run and the reason."""


def scenario_with_overrides(
    scenario: Scenario, variant: str | None, overrides: Sequence[tuple[str, str, Any]]
) -> tuple[Scenario, str | None]:
    """The scenario and variant name to compile so ``overrides`` apply on top of ``variant``.

    Extra overrides become one more variant (the variant's overrides first, then these), so the
    variants module stays the one place that knows how an override changes a scenario.
    """
    if not overrides:
        return scenario, variant
    base_overrides: list[Override] = []
    if variant is not None:
        found = [v for v in scenario.variants if v.name == variant]
        if not found:
            known = ", ".join(v.name for v in scenario.variants) or "none"
            raise ScenarioError([Problem("variants", f"no variant {variant!r}; known: {known}")])
        base_overrides = list(found[0].overrides)
    extra = [Override(target=t, path=p, value=v) for t, p, v in overrides]
    study_variant = Variant(name=_STUDY_VARIANT, overrides=base_overrides + extra)
    others = [v for v in scenario.variants if v.name != _STUDY_VARIANT]
    return scenario.model_copy(update={"variants": [*others, study_variant]}), _STUDY_VARIANT


# Worker-side caches, typed Any to keep the engine import lazy. A study's specs share one
# scenario text and differ in seed and overrides: the text is parsed and validated once per
# worker (the validated scenario is immutable in use: overrides build a copy), and a compiled
# scenario is reused by every seed of the same overrides (``Engine`` never mutates it).
_scenarios: OrderedDict[str, Scenario] = OrderedDict()
_compiled_cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()


def _remember(cache: OrderedDict[Any, _T], key: Any, value: _T) -> _T:
    cache[key] = value
    while len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)
    return value


def _scenario_for(text: str) -> Scenario:
    cached = _scenarios.get(text)
    if cached is not None:
        _scenarios.move_to_end(text)
        return cached
    return _remember(_scenarios, text, Scenario.model_validate_json(text))


def _compiled_for(spec: RunSpec) -> Any:
    from aifactory_twin.sim import compile_scenario

    key = (spec.scenario_json, spec.variant, repr(spec.overrides), spec.horizon_s, spec.step_s)
    cached = _compiled_cache.get(key)
    if cached is not None:
        _compiled_cache.move_to_end(key)
        return cached
    scenario, variant = scenario_with_overrides(
        _scenario_for(spec.scenario_json), spec.variant, spec.overrides
    )
    compiled = compile_scenario(scenario, variant, horizon_s=spec.horizon_s, step_s=spec.step_s)
    return _remember(_compiled_cache, key, compiled)


def derived_series(name: str, recorder: Any, times_s: FloatArray) -> FloatArray:
    """Series computed from recorder columns (documented formulas, no new physics)."""
    if name == "facility_energy_mwh_cum":
        # Left-rectangle integral of facility power: kW × s / 3.6e6 = MWh.
        power_kw = np.asarray(recorder.series("facility_power_kw"), dtype=np.float64)
        dt_s = np.diff(times_s, prepend=0.0)
        return np.cumsum(power_kw * dt_s) / 3.6e6
    if name == "availability":
        up = np.asarray(recorder.series("gpus_up"), dtype=np.float64)
        failed = np.asarray(recorder.series("gpus_failed"), dtype=np.float64)
        total = up + failed
        out: FloatArray = np.divide(up, total, out=np.ones_like(up), where=total > 0)
        return out
    raise KeyError(name)


def sample_indices(n: int, max_points: int | None) -> npt.NDArray[np.intp]:
    """Evenly spaced tick indices (first and last kept) — exact values, not averages."""
    if max_points is None or n <= max_points:
        return np.arange(n, dtype=np.intp)
    return np.unique(np.linspace(0, n - 1, max(max_points, 2)).round().astype(np.intp))


def execute(spec: RunSpec) -> RunResult:
    """Run one spec to its horizon in this process."""
    from aifactory_twin.sim import Engine

    compiled = _compiled_for(spec)
    started = time.perf_counter()
    engine = Engine(compiled, seed=spec.seed, lean=spec.lean)
    engine.run()
    elapsed_s = time.perf_counter() - started
    recorder = engine.recorder
    times_s = np.array(recorder.times_s, dtype=np.float64)
    names = tuple(recorder.names) if spec.series is None else spec.series
    # A KPI-only run (series=()) sends no time axis either: it was ~90 % of the payload.
    picks = sample_indices(len(times_s) if names else 0, spec.max_points)
    series: dict[str, FloatArray] = {}
    for name in names:
        if name == "time_s":
            continue
        if name in DERIVED_SERIES:
            values = derived_series(name, recorder, times_s)
        else:
            values = np.asarray(recorder.series(name), dtype=np.float64)
        series[name] = np.array(values[picks], dtype=np.float64)
    return RunResult(
        label=spec.label,
        variant=spec.variant,
        seed=spec.seed,
        tag=spec.tag,
        kpis=dict(engine.kpis()),
        times_s=times_s[picks],
        series=series,
        elapsed_s=elapsed_s,
    )


def execute_batch(batch: Sequence[tuple[int, RunSpec]]) -> list[tuple[int, RunResult | RunFailure]]:
    """Worker entry point: run each (index, spec); failures come back as RunFailure records."""
    out: list[tuple[int, RunResult | RunFailure]] = []
    for index, spec in batch:
        try:
            out.append((index, execute(spec)))
        except TwinError as exc:
            out.append((index, RunFailure(index, True, str(exc))))
        except Exception as exc:  # reported in the main process with the run's label
            out.append((index, RunFailure(index, False, f"{type(exc).__name__}: {exc}")))
    return out


def scalar_kpis(kpis: Mapping[str, Any]) -> dict[str, Any]:
    """The KPI columns of ``run``: every scalar KPI, then per-job columns and jobs completed.

    ``cost_per_trained_model_usd`` = total cost over the horizon / training jobs completed in it
    (empty when none completed) — the figure the economies-of-scale sweep plots; it charges the
    whole factory's cost to its finished training runs, a simplification stated in the README.
    """
    row: dict[str, Any] = {}
    for key, value in kpis.items():
        if key != "jobs" and (value is None or isinstance(value, int | float | str | bool)):
            row[key] = value
    for year, usd in (kpis.get("investment_by_year_usd") or {}).items():
        row[f"investment_{year}_usd"] = usd
    jobs = kpis.get("jobs") or []
    completed = 0
    for job in jobs:
        name = str(job.get("id") or job.get("name", ""))
        if job.get("completed"):
            completed += 1
        for sub in ("completed", "progress", "training_time_h", "eta_h", "interruptions",
                    "goodput", "wait_h", "launch_day"):  # fmt: skip
            if sub in job:
                row[f"job.{name}.{sub}"] = job[sub]
    row["jobs_completed"] = completed
    row["training_time_days"] = training_time_days(jobs)
    total = kpis.get("total_cost_usd")
    row["cost_per_trained_model_usd"] = (
        float(total) / completed if completed and isinstance(total, int | float) else None
    )
    return row


def training_time_days(jobs: Sequence[Mapping[str, Any]]) -> float | None:
    """Days from submission to completion of the slowest training job (None if any is unfinished).

    "Time to train the model": a job that has not finished by the horizon has no training time,
    so the whole figure is empty rather than optimistic (a run must be long enough to finish).
    """
    times = [job.get("training_time_h") for job in jobs]
    if not times or any(not isinstance(t, int | float) for t in times):
        return None
    return max(float(t) for t in times if isinstance(t, int | float)) / 24.0
