"""Goal seek and optimization: the best design over chosen variables, under KPI constraints.

"The cheapest design that trains this model in ≤ 60 days at ≥ 99 % availability": design
variables are field paths (``racks.count``, ``leaf.port_speed_gbps``, ``facilities.headcount``,
the same TARGET.FIELD paths sweeps and uncertain inputs use) with an integer range, a float
range or a list of choices, plus optionally ``variant`` (which of the scenario's variants to
start from: a whole coherent design such as air vs liquid cooling). Constraints bound KPIs,
the objective is one KPI.

The search is optuna's (a maintained library rather than hand-written search): TPE for one
objective, NSGA-II when the Pareto front itself is asked for (objective and training time as two
objectives); both handle mixed integer, float and categorical variables and take the
constraints. Trials are asked in fixed-size batches and told in order, and every run's seed is
fixed, so the same seed gives the same trials on any runner (serial, process pool, Dask).
"""

from __future__ import annotations

import math
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from aifactory_twin.errors import ScenarioError, UsageError
from aifactory_twin.kpi_registry import KPI_INFO
from aifactory_twin.schema import Override, Scenario, Variant
from aifactory_twin.study.params import SweepParam, check_param_values, parse_param, parse_values
from aifactory_twin.study.runners import ProgressFn, Runner, SerialRunner
from aifactory_twin.study.runs import RunSpec, scalar_kpis
from aifactory_twin.study.studies import KPI_ONLY, StudyOptions

VARIANT_VARIABLE = "variant"
TIME_KPI = "training_time_days"
# A KPI a trial does not report (a job that never finished) violates its bound by this much.
MISSING_VIOLATION = 1e6
Kind = Literal["int", "float", "choice"]
Sampler = Literal["tpe", "nsga2"]


@dataclass(frozen=True)
class DesignVariable:
    """One design choice: ``param`` (None for the variant choice) over a range or choices."""

    name: str
    param: SweepParam | None
    kind: Kind
    low: float = 0.0
    high: float = 0.0
    step: float | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()

    def extremes(self) -> list[Any]:
        """The values checked before any run: both ends of a range, or every choice."""
        if self.kind == "choice":
            return list(self.choices)
        if self.kind == "int":
            return [int(self.low), int(self.high)]
        return [self.low, self.high]


def _number(text: str, spec: str, option: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{option} {spec!r}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise UsageError(f"{option} {spec!r}: bounds must be finite")
    return value


def parse_variable(scenario: Scenario, spec: str, option: str = "--var") -> DesignVariable:
    """``PATH=int:LOW:HIGH[:STEP]``, ``PATH=float:LOW:HIGH[:log]`` or ``PATH=choice:A,B,…``.

    PATH is ``NODE_ID.FIELD``, ``WORKLOAD_ID.FIELD``, ``settings.FIELD`` or ``variant`` (then
    the choices are variant names, ``base`` for none). UsageError names the spec and the problem.
    """
    if "=" not in spec:
        raise UsageError(
            f"{option} {spec!r}: use PATH=int:LOW:HIGH[:STEP], PATH=float:LOW:HIGH[:log] or "
            "PATH=choice:A,B,… (PATH as NODE_ID.FIELD, settings.FIELD or variant)"
        )
    path, _, domain = spec.partition("=")
    path, domain = path.strip(), domain.strip()
    kind, _, rest = domain.partition(":")
    if path == VARIANT_VARIABLE:
        if kind != "choice":
            raise UsageError(f"{option} {spec!r}: the variant is a choice, e.g. variant=choice:a,b")
        names = parse_values(rest, f"{option} {path}")
        known = {v.name for v in scenario.variants} | {"base"}
        unknown = [str(n) for n in names if str(n) not in known]
        if unknown:
            raise UsageError(
                f"{option} {path}: no variant {', '.join(map(repr, unknown))}; known: "
                f"{', '.join(sorted(known))}"
            )
        return DesignVariable(path, None, "choice", choices=tuple(str(n) for n in names))
    param = parse_param(scenario, path, option)
    if kind == "choice":
        choices = parse_values(rest, f"{option} {path}")
        if any(not isinstance(c, str | int | float | bool) for c in choices):
            raise UsageError(f"{option} {path}: choices must be numbers, true/false or words")
        return DesignVariable(param.text, param, "choice", choices=tuple(choices))
    parts = rest.split(":")
    if kind not in ("int", "float") or len(parts) not in (2, 3):
        raise UsageError(
            f"{option} {spec!r}: expected int:LOW:HIGH[:STEP], float:LOW:HIGH[:log] or choice:A,B"
        )
    numeric: Kind = "int" if kind == "int" else "float"
    low, high = _number(parts[0], spec, option), _number(parts[1], spec, option)
    if not low < high:
        raise UsageError(f"{option} {spec!r}: LOW must be below HIGH")
    step: float | None = None
    log = False
    if len(parts) == 3:
        if kind == "float" and parts[2] == "log":
            log = True
            if low <= 0:
                raise UsageError(f"{option} {spec!r}: a log range needs LOW > 0")
        else:
            step = _number(parts[2], spec, option)
            if step <= 0:
                raise UsageError(f"{option} {spec!r}: STEP must be positive")
    if kind == "int" and (low != round(low) or high != round(high) or (step and step % 1)):
        raise UsageError(f"{option} {spec!r}: an int range needs whole LOW, HIGH and STEP")
    return DesignVariable(param.text, param, numeric, low, high, step, log)


@dataclass(frozen=True)
class Constraint:
    """``kpi`` ``op`` ``bound``, e.g. training_time_days <= 60 or availability >= 0.99."""

    kpi: str
    op: Literal["<=", ">="]
    bound: float

    @property
    def text(self) -> str:
        """The constraint as written on the command line."""
        return f"{self.kpi}{self.op}{self.bound:g}"

    def violation(self, value: float | None) -> float:
        """How far ``value`` is outside the bound, relative to it; ≤ 0 means satisfied."""
        if value is None or not math.isfinite(value):
            return MISSING_VIOLATION
        scale = max(abs(self.bound), 1e-12)
        over = value - self.bound if self.op == "<=" else self.bound - value
        return over / scale


def check_kpi(kpi: str, option: str) -> str:
    """``kpi`` when the registry knows it (or it is a per-job column), else UsageError."""
    if kpi in KPI_INFO or kpi.startswith("job."):
        return kpi
    known = ", ".join(sorted(k for k, i in KPI_INFO.items() if i.group != "run"))
    raise UsageError(f"{option} {kpi!r}: no such KPI; known: {known}")


def parse_constraint(text: str) -> Constraint:
    """``KPI<=NUMBER`` or ``KPI>=NUMBER`` (UsageError naming the text otherwise)."""
    ops: tuple[Literal["<=", ">="], ...] = ("<=", ">=")
    for op in ops:
        if op in text:
            kpi, _, number = text.partition(op)
            try:
                bound = float(number)
            except ValueError:
                break
            if not math.isfinite(bound):
                break
            return Constraint(check_kpi(kpi.strip(), "--constraint"), op, bound)
    raise UsageError(
        f"--constraint {text!r}: use KPI<=NUMBER or KPI>=NUMBER, e.g. training_time_days<=60"
    )


@dataclass
class Trial:
    """One design the optimizer tried: its variable values, KPIs (mean over seeds), verdict."""

    number: int
    params: dict[str, Any]
    kpis: dict[str, float]
    objective: float
    """The objective KPI (NaN when the runs report none)."""
    violations: list[float]

    @property
    def feasible(self) -> bool:
        """Every constraint holds (and the objective has a value)."""
        return math.isfinite(self.objective) and all(v <= 0 for v in self.violations)


@dataclass
class OptimizeResult:
    """Every trial, the best feasible one and the Pareto front of objective vs training time."""

    variables: list[DesignVariable]
    constraints: list[Constraint]
    objective: str
    direction: Literal["minimize", "maximize"]
    trials: list[Trial] = field(default_factory=list)
    sampler: Sampler = "tpe"

    @property
    def best(self) -> Trial | None:
        """The feasible trial with the best objective (the earliest on a tie); None if none."""
        feasible = [t for t in self.trials if t.feasible]
        if not feasible:
            return None
        sign = 1.0 if self.direction == "minimize" else -1.0
        return min(feasible, key=lambda t: (sign * t.objective, t.number))

    def pareto(self, y_kpi: str = TIME_KPI, *, feasible_only: bool = False) -> list[Trial]:
        """Trials no other trial beats on both the objective and ``y_kpi`` (lower time better).

        Sorted by the objective; a design tried twice counts once (its first trial). Trials
        without both values are left out.
        """
        sign = 1.0 if self.direction == "minimize" else -1.0
        better_y = KPI_INFO[y_kpi].better if y_kpi in KPI_INFO else "lower"
        y_sign = -1.0 if better_y == "higher" else 1.0
        unique = {tuple(t.params.values()): t for t in reversed(self.trials)}
        pool = [
            t
            for t in sorted(unique.values(), key=lambda t: t.number)
            if math.isfinite(t.objective)
            and math.isfinite(t.kpis.get(y_kpi, math.nan))
            and (t.feasible or not feasible_only)
        ]
        points = np.array([[sign * t.objective, y_sign * t.kpis[y_kpi]] for t in pool])
        front = [
            t
            for i, t in enumerate(pool)
            if not np.any(np.all(points <= points[i], axis=1) & np.any(points < points[i], axis=1))
        ]
        return sorted(front, key=lambda t: (sign * t.objective, t.number))

    def design(self, trial: Trial) -> tuple[str | None, list[tuple[str, str, Any]]]:
        """The trial as (variant to start from, extra (target, path, value) overrides)."""
        variant: str | None = None
        overrides: list[tuple[str, str, Any]] = []
        for var in self.variables:
            value = trial.params[var.name]
            if var.param is None:
                variant = None if value == "base" else str(value)
            else:
                overrides.append((var.param.target, var.param.path, value))
        return variant, overrides


def variant_from_trial(
    scenario: Scenario, result: OptimizeResult, trial: Trial, name: str
) -> Variant:
    """A variant holding the trial's design: its start variant's overrides, then its values.

    Checked against the scenario (ScenarioError naming the problem when it does not apply).
    """
    from aifactory_twin.variants import apply_variant

    start, extra = result.design(trial)
    base: list[Override] = []
    if start is not None:
        base = list(next(v for v in scenario.variants if v.name == start).overrides)
    replaced = {(t, p) for t, p, _ in extra}
    overrides = [o for o in base if (o.target, o.path) not in replaced]
    overrides += [Override(target=t, path=p, value=v) for t, p, v in extra]
    text = ", ".join(f"{k}={v}" for k, v in trial.params.items())
    variant = Variant(
        name=name, description=f"Optimizer trial {trial.number}: {text}", overrides=overrides
    )
    others = [v for v in scenario.variants if v.name != name]
    apply_variant(scenario.model_copy(update={"variants": [*others, variant]}), name)
    return variant


def check_variables(
    scenario: Scenario, variables: Sequence[DesignVariable], option: str = "--var"
) -> None:
    """Each variable's extremes apply to every start variant (UsageError naming it if not)."""
    if not variables:
        raise UsageError("give at least one design variable (--var PATH=…)")
    names = [v.name for v in variables]
    if len(set(names)) != len(names):
        raise UsageError(f"{option}: each path once ({', '.join(names)})")
    starts: list[str | None] = [None]
    for var in variables:
        if var.param is None:
            starts = [None if c == "base" else str(c) for c in var.choices]
    for var in variables:
        if var.param is None:
            continue
        for start in starts:
            try:
                check_param_values(scenario, start, var.param, var.extremes(), option)
            except ScenarioError as exc:  # a variant that does not apply by itself
                raise UsageError(f"{option} {var.name}: {exc}") from None


def _suggest(trial: Any, var: DesignVariable) -> Any:
    if var.kind == "choice":
        return trial.suggest_categorical(var.name, list(var.choices))
    if var.kind == "int":
        return trial.suggest_int(var.name, int(var.low), int(var.high), step=int(var.step or 1))
    return trial.suggest_float(var.name, var.low, var.high, step=var.step, log=var.log)


def _mean_kpis(rows: Sequence[dict[str, Any]]) -> dict[str, float]:
    """KPI → mean over the seeds' runs (NaN when any seed has no number for it)."""
    out: dict[str, float] = {}
    for key in rows[0]:
        values = [row.get(key) for row in rows]
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            out[key] = float(np.mean([float(v) for v in values]))  # type: ignore[arg-type]
        elif any(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            out[key] = math.nan
    return out


def optimize(
    scenario: Scenario,
    variables: Sequence[DesignVariable],
    *,
    objective: str = "cost_per_trained_model_usd",
    constraints: Sequence[Constraint] = (),
    n_trials: int = 40,
    seed: int | None = None,
    runs: int = 1,
    batch: int = 8,
    sampler: Sampler = "tpe",
    options: StudyOptions = KPI_ONLY,
    runner: Runner | None = None,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> OptimizeResult:
    """Search ``variables`` for the best ``objective`` under ``constraints`` in ``n_trials``.

    Each trial runs ``runs`` seeds (the same seeds for every trial: common random numbers) and
    is judged on the mean KPIs. Trials are asked ``batch`` at a time so the runner can work on
    several at once; ``sampler="nsga2"`` searches objective and training time together.
    """
    import optuna

    if n_trials < 1 or runs < 1 or batch < 1:
        raise UsageError("--trials, --runs and --batch must be at least 1")
    objective = check_kpi(objective, "--objective")
    better = KPI_INFO[objective].better if objective in KPI_INFO else "lower"
    direction: Literal["minimize", "maximize"] = "maximize" if better == "higher" else "minimize"
    check_variables(scenario, variables)
    first = scenario.settings.seed if seed is None else seed
    seeds = [first + r for r in range(runs)]
    text = scenario.model_dump_json()
    result = OptimizeResult(list(variables), list(constraints), objective, direction, [], sampler)

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        # Trial.set_constraint is new in optuna 5 and marked experimental; its effect (trials
        # that break a bound are ranked below feasible ones) is what the tests check.
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        if sampler == "nsga2":
            chosen: Any = optuna.samplers.NSGAIISampler(seed=first, population_size=max(batch, 4))
            study = optuna.create_study(directions=[direction, "minimize"], sampler=chosen)
        else:
            chosen = optuna.samplers.TPESampler(seed=first, n_startup_trials=min(10, n_trials))
            study = optuna.create_study(direction=direction, sampler=chosen)
        done = 0
        total = n_trials * runs
        the_runner = runner or SerialRunner()
        # Runs are deterministic, so a design the sampler proposes again is not run again.
        seen: dict[tuple[Any, ...], dict[str, float]] = {}
        while len(result.trials) < n_trials:
            asked = [study.ask() for _ in range(min(batch, n_trials - len(result.trials)))]
            params = [{v.name: _suggest(t, v) for v in variables} for t in asked]
            keys = [tuple(p.values()) for p in params]
            fresh = list(dict.fromkeys(k for k in keys if k not in seen))
            specs: list[RunSpec] = []
            for key in fresh:
                values = dict(zip((v.name for v in variables), key, strict=True))
                variant, overrides = result.design(Trial(-1, values, {}, math.nan, []))
                specs += [
                    options.spec(
                        text,
                        variant,
                        s,
                        label=f"design {values} seed {s}",
                        tag=key,
                        overrides=tuple(overrides),
                    )
                    for s in seeds
                ]

            def step(d: int, _total: int, base: int = done) -> None:
                if progress is not None:
                    progress(base + d, total)

            runs_out = the_runner.run_all(specs, progress=step, cancel=cancel)
            for k, key in enumerate(fresh):
                rows = [scalar_kpis(r.kpis) for r in runs_out[k * runs : (k + 1) * runs]]
                seen[key] = _mean_kpis(rows)
            done += len(asked) * runs
            if progress is not None:
                progress(done, total)
            for t, values, key in zip(asked, params, keys, strict=True):
                kpis = seen[key]
                value = kpis.get(objective, math.nan)
                violations = [c.violation(kpis.get(c.kpi)) for c in constraints]
                for c, v in zip(constraints, violations, strict=True):
                    t.set_constraint(c.text, v)
                result.trials.append(Trial(t.number, values, kpis, value, violations))
                told: list[float] = [value]
                if sampler == "nsga2":
                    told.append(kpis.get(TIME_KPI, math.nan))
                if all(math.isfinite(v) for v in told):
                    study.tell(t, told if sampler == "nsga2" else value)
                else:
                    study.tell(t, state=optuna.trial.TrialState.FAIL)
    return result
