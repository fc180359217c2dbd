"""Two-parameter sweeps: every (x, y) pair × seeds, and a KPI over the grid (the heat map).

The same shape as the one-parameter sweep (``studies.sweep``): each grid point is the base (or
a variant) plus two overrides, and every point runs the same seeds (common random numbers), so
the differences across the map come from the two parameters, not the dice.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from aifactory_twin.errors import UsageError
from aifactory_twin.schema import Scenario
from aifactory_twin.study.params import SweepParam, check_param_values
from aifactory_twin.study.runners import ProgressFn, Runner, SerialRunner
from aifactory_twin.study.runs import FloatArray, RunResult, scalar_kpis
from aifactory_twin.study.studies import KPI_ONLY, StudyOptions


@dataclass
class Sweep2DResult:
    """One run per (x value, y value, seed); KPI grids of shape (len(x), len(y))."""

    x: SweepParam
    y: SweepParam
    x_values: list[Any]
    y_values: list[Any]
    seeds: list[int]
    runs: dict[tuple[int, int, int], RunResult] = field(default_factory=dict)
    """(x index, y index, seed index) → the run."""
    variant: str | None = None
    """The variant every cell ran on (None: the base scenario)."""

    def cube(self, kpi: str) -> FloatArray:
        """``kpi`` per (x, y, seed); NaN where a run has no number for it."""
        out = np.full((len(self.x_values), len(self.y_values), len(self.seeds)), np.nan)
        for (i, j, k), run in self.runs.items():
            value = scalar_kpis(run.kpis).get(kpi)
            if isinstance(value, int | float) and not isinstance(value, bool):
                out[i, j, k] = float(value)
        return out

    def grid(self, kpi: str, percentile: float = 50.0) -> FloatArray:
        """``kpi``'s percentile across seeds at each (x, y) — P50 by default; NaN if none."""
        cube = self.cube(kpi)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN cells stay NaN
            return np.asarray(np.nanpercentile(cube, percentile, axis=2), dtype=np.float64)


def sweep2d(
    scenario: Scenario,
    x: SweepParam,
    x_values: Sequence[Any],
    y: SweepParam,
    y_values: Sequence[Any],
    *,
    runs: int = 1,
    seed: int | None = None,
    variant: str | None = None,
    options: StudyOptions = KPI_ONLY,
    runner: Runner | None = None,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> Sweep2DResult:
    """Run every (x, y) pair × ``runs`` seeds (each parameter's values checked first)."""
    if runs < 1:
        raise UsageError("--runs must be at least 1")
    if not x_values or not y_values:
        raise UsageError("a 2-D sweep needs at least one value per parameter")
    if x == y:
        raise UsageError(f"--x and --y are both {x.text}: sweep two different fields")
    check_param_values(scenario, variant, x, list(x_values), "--x")
    check_param_values(scenario, variant, y, list(y_values), "--y")
    first = scenario.settings.seed if seed is None else seed
    seeds = [first + r for r in range(runs)]
    text = scenario.model_dump_json()
    specs = [
        options.spec(
            text,
            variant,
            s,
            label=f"{x.text}={xv!r}, {y.text}={yv!r} seed {s}",
            tag=(i, j, k),
            overrides=((x.target, x.path, xv), (y.target, y.path, yv)),
        )
        for i, xv in enumerate(x_values)
        for j, yv in enumerate(y_values)
        for k, s in enumerate(seeds)
    ]
    results = (runner or SerialRunner()).run_all(specs, progress=progress, cancel=cancel)
    out = Sweep2DResult(x, y, list(x_values), list(y_values), seeds, variant=variant)
    out.runs = {spec.tag: run for spec, run in zip(specs, results, strict=True)}
    return out
