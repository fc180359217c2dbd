"""The decision studies a scenario declares, checked up front and run headless (``report``).

A scenario declares an uncertainty study with its ``uncertain`` inputs (its samples and A/B
pair in ``studies.uncertainty``), and an optimization or a 2-D sweep in its ``studies``
section. ``plan_studies`` reads and checks every declaration
against the scenario before any run starts (UsageError naming the file and the declaration's
path, e.g. ``studies.optimize.variables[1]``); ``run_studies`` runs them with the same study
functions the studio's Tornado, Optimize and Heat map tabs call, on the runner it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from aifactory_twin.errors import ScenarioError, UsageError
from aifactory_twin.schema import Scenario
from aifactory_twin.study.optimize import (
    Constraint,
    DesignVariable,
    OptimizeResult,
    check_kpi,
    check_variables,
    optimize,
    parse_constraint,
    parse_variable,
)
from aifactory_twin.study.params import SweepParam, check_param_values, parse_param
from aifactory_twin.study.runners import Runner
from aifactory_twin.study.runs import FAN_SERIES
from aifactory_twin.study.studies import BASE_LABEL, KPI_ONLY, StudyOptions, resolve_variants
from aifactory_twin.study.sweep2d import Sweep2DResult, sweep2d
from aifactory_twin.study.uncertainty import UncertaintyResult, check_inputs, uncertainty

_T = TypeVar("_T")
# Latin hypercube samples per variant when neither --samples nor studies.uncertainty says: P10
# and P90 of 100 LHS samples move by a few percent between seeds, and a week-long scene runs
# them in minutes.
DEFAULT_SAMPLES = 100
# Points of each variant's fan over time (as the studio's Tornado tab records them).
FAN_POINTS = 240
# Designs asked of the optimizer at once and run in parallel (the CLI's default --batch).
OPTIMIZE_BATCH = 8
StudyProgress = Callable[[str, int, int], None]
"""(study name, runs done, runs in all)."""


@dataclass(frozen=True)
class StudyPlan:
    """The declared studies, read and checked; None/empty where the scenario declares none."""

    samples: int
    uncertainty_variants: list[str]
    """The variants sampled with the same draws (A and B), or empty: no uncertainty study."""
    variables: list[DesignVariable]
    constraints: list[Constraint]
    sweep_axes: tuple[SweepParam, list[Any], SweepParam, list[Any]] | None

    def run_count(self, scenario: Scenario) -> dict[str, int]:
        """Runs per study (optimizer trials count their seeds) for the progress lines."""
        out: dict[str, int] = {}
        if self.uncertainty_variants:
            n_inputs = len(scenario.uncertain)
            out["uncertainty"] = self.samples * len(self.uncertainty_variants) + 2 * n_inputs + 1
        opt = scenario.studies.optimize
        if opt is not None:
            out["optimize"] = opt.trials * opt.runs
        grid = scenario.studies.sweep2d
        if grid is not None and self.sweep_axes is not None:
            out["sweep2d"] = len(self.sweep_axes[1]) * len(self.sweep_axes[3]) * grid.runs
        return out


def default_pair(labels: Sequence[str]) -> list[str]:
    """The variants an uncertainty study compares among the report's ``labels``.

    The studio's Tornado tab picks the first two variants after the base; with only the base
    and one variant, those two; with one label, that one alone.
    """
    chosen = list(labels[1:3]) if len(labels) >= 3 else list(labels)
    return list(dict.fromkeys(chosen))


def _at(file: str, path: str, check: Callable[[], _T]) -> _T:
    """``check()``, its UsageError/ScenarioError restated as ``FILE: PATH: problem``."""
    try:
        return check()
    except (UsageError, ScenarioError) as exc:
        where = f"{file}: {path}" if file else path
        raise UsageError(f"{where}: {exc}") from None


def uncertainty_settings(
    scenario: Scenario,
    samples: int | None,
    pair: Sequence[str] | None,
    *,
    file: str = "",
) -> tuple[int | None, list[str] | None]:
    """The uncertainty study's samples and A/B pair: the command line's, else the declared.

    None where neither gives one. A declared pair naming no variant of the scenario is a
    UsageError naming ``file`` and ``studies.uncertainty.compare``.
    """
    declared = scenario.studies.uncertainty
    if declared is not None and declared.compare is not None:
        known = [BASE_LABEL, *(v.name for v in scenario.variants)]
        for name in declared.compare:
            if name not in known:
                where = f"{file}: " if file else ""
                raise UsageError(
                    f"{where}studies.uncertainty.compare: no variant {name!r} in the scenario; "
                    f"known: {', '.join(known)}"
                )
    if samples is None and declared is not None:
        samples = declared.samples
    if pair is None and declared is not None and declared.compare is not None:
        pair = declared.compare
    return samples, None if pair is None else list(dict.fromkeys(pair))


def plan_studies(
    scenario: Scenario,
    labels: Sequence[str],
    *,
    samples: int | None = None,
    pair: Sequence[str] | None = None,
    file: str = "",
) -> StudyPlan:
    """Read and check the declared studies before any run (UsageError naming the problem).

    ``labels`` are the report's compared variants. ``samples`` and ``pair`` (the command
    line's) override ``studies.uncertainty``; without either, DEFAULT_SAMPLES and
    ``default_pair`` of the labels. ``samples`` 0 leaves the uncertainty study out.
    """
    samples, pair = uncertainty_settings(scenario, samples, pair, file=file)
    samples = DEFAULT_SAMPLES if samples is None else samples
    if samples < 0:
        raise UsageError("--samples must be 0 or more")
    variants: list[str] = []
    if samples and scenario.uncertain:
        variants = pair or default_pair(labels)
        chosen = resolve_variants(scenario, variants)
        _at(file, "uncertain", lambda: check_inputs(scenario, chosen))
    opt = scenario.studies.optimize
    variables: list[DesignVariable] = []
    constraints: list[Constraint] = []
    if opt is not None:
        where = "studies.optimize"
        for i, spec in enumerate(opt.variables):
            parse = partial(parse_variable, scenario, spec, "variable")
            variables.append(_at(file, f"{where}.variables[{i}]", parse))
        starts = [v for v in variables if v.param is None]  # the variant choice, if any
        for i, var in enumerate(variables):
            if var.param is not None:  # its extremes on every start variant
                check = partial(check_variables, scenario, [*starts, var], "variable")
                _at(file, f"{where}.variables[{i}]", check)
        _at(file, f"{where}.variables", lambda: check_variables(scenario, variables, "variable"))
        for i, text in enumerate(opt.constraints):
            constraints.append(
                _at(file, f"{where}.constraints[{i}]", partial(parse_constraint, text))
            )
        _at(file, f"{where}.objective", lambda: check_kpi(opt.objective, "objective"))
    axes = None
    grid = scenario.studies.sweep2d
    if grid is not None:
        where = "studies.sweep2d"
        variant = grid.variant
        if variant is not None:
            _at(file, f"{where}.variant", lambda: resolve_variants(scenario, [variant]))
        x = _at(file, f"{where}.x", lambda: parse_param(scenario, grid.x, "x"))
        y = _at(file, f"{where}.y", lambda: parse_param(scenario, grid.y, "y"))
        if x == y:
            raise UsageError(f"{file}: {where}: x and y are both {x.text}; sweep two fields")
        xv, yv = list(grid.x_values), list(grid.y_values)
        _at(file, f"{where}.x_values", lambda: check_param_values(scenario, variant, x, xv, "x"))
        _at(file, f"{where}.y_values", lambda: check_param_values(scenario, variant, y, yv, "y"))
        _at(file, f"{where}.kpi", lambda: check_kpi(grid.kpi, "kpi"))
        axes = (x, xv, y, yv)
    return StudyPlan(samples, variants, variables, constraints, axes)


@dataclass
class StudyResults:
    """What ``run_studies`` ran (None where the scenario declares no such study)."""

    uncertainty: UncertaintyResult | None = None
    optimize: OptimizeResult | None = None
    sweep2d: Sweep2DResult | None = None


def run_studies(
    scenario: Scenario,
    plan: StudyPlan,
    *,
    seed: int | None,
    horizon_s: float | None,
    step_s: float | None,
    runner: Runner,
    progress: StudyProgress | None = None,
) -> StudyResults:
    """Run every planned study on ``runner``: uncertainty, then optimization, then the grid."""

    def report(name: str) -> Any:
        return (lambda done, total: progress(name, done, total)) if progress else None

    kpi_only = StudyOptions(horizon_s, step_s, series=KPI_ONLY.series, max_points=None)
    out = StudyResults()
    if plan.uncertainty_variants:
        # Fan series too, so the report shows each variant's P10–P90 bands over time.
        fans = StudyOptions(horizon_s, step_s, series=FAN_SERIES, max_points=FAN_POINTS)
        out.uncertainty = uncertainty(
            scenario,
            plan.samples,
            variants=plan.uncertainty_variants,
            seed=seed,
            options=fans,
            runner=runner,
            progress=report("uncertainty"),
        )
    opt = scenario.studies.optimize
    if opt is not None:
        out.optimize = optimize(
            scenario,
            plan.variables,
            objective=opt.objective,
            constraints=plan.constraints,
            n_trials=opt.trials,
            seed=seed,
            runs=opt.runs,
            batch=OPTIMIZE_BATCH,
            sampler=opt.sampler,
            options=kpi_only,
            runner=runner,
            progress=report("optimize"),
        )
    grid = scenario.studies.sweep2d
    if grid is not None and plan.sweep_axes is not None:
        x, xv, y, yv = plan.sweep_axes
        out.sweep2d = sweep2d(
            scenario,
            x,
            xv,
            y,
            yv,
            runs=grid.runs,
            seed=seed,
            variant=grid.variant,
            options=kpi_only,
            runner=runner,
            progress=report("sweep2d"),
        )
    return out
