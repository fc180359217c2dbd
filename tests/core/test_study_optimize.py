"""Goal seek and optimization: design variables, constraints, optuna search, Pareto front."""

from __future__ import annotations

import itertools
import json
import math

import pytest

from aifactory_twin.cli import main
from aifactory_twin.errors import UsageError
from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scenes_dir
from aifactory_twin.study import SerialRunner, StudyOptions, compare
from aifactory_twin.study.optimize import (
    optimize,
    parse_constraint,
    parse_variable,
    variant_from_trial,
)
from aifactory_twin.study.runs import scalar_kpis, training_time_days

SCENE = scenes_dir() / "air-vs-liquid.aift.json"
WEEK = StudyOptions(horizon_s=7 * 86400.0, step_s=3600.0, series=(), max_points=None)


@pytest.fixture(scope="module")
def hall():
    return load_scenario(SCENE)


class CountingRunner(SerialRunner):
    def __init__(self) -> None:
        self.runs = 0

    def run_all(self, specs, **kw):
        self.runs += len(specs)
        return super().run_all(specs, **kw)


def test_variables_parse_ranges_choices_and_the_variant(hall):
    count = parse_variable(hall, "racks.count=int:16:48:8")
    assert (count.kind, count.low, count.high, count.step) == ("int", 16, 48, 8)
    assert count.param.target == "racks" and count.param.path == "count"
    price = parse_variable(hall, "grid.price.flat_usd_per_kwh=float:0.04:0.2:log")
    assert price.kind == "float" and price.log
    cooling = parse_variable(hall, "main-cooling.cooling_type=choice:crah,cdu")
    assert cooling.choices == ("crah", "cdu")
    variant = parse_variable(hall, "variant=choice:air,liquid,base")
    assert variant.param is None and variant.choices == ("air", "liquid", "base")


@pytest.mark.parametrize(
    ("spec", "names"),
    [
        ("racks.count", "PATH=int"),
        ("nosuch.count=int:1:4", "nosuch.count"),
        ("racks.count=int:8:4", "LOW must be below HIGH"),
        ("racks.count=int:1.5:4", "whole"),
        ("racks.count=range:1:4", "expected int"),
        ("variant=choice:air,water", "'water'"),
        ("variant=int:1:2", "variant is a choice"),
        ("grid.price.flat_usd_per_kwh=float:0:1:log", "LOW > 0"),
    ],
)
def test_bad_variables_are_usage_errors_naming_the_spec(hall, spec, names):
    with pytest.raises(UsageError, match=names):
        parse_variable(hall, spec)


def test_constraints_parse_and_measure_violation():
    deadline = parse_constraint("training_time_days<=60")
    assert deadline.violation(30.0) < 0 < deadline.violation(66.0)
    assert deadline.violation(66.0) == pytest.approx(0.1)
    uptime = parse_constraint("availability >= 0.99")
    assert uptime.violation(0.995) < 0 < uptime.violation(0.98)
    assert uptime.violation(None) > 1e3  # a KPI the run does not report is infeasible
    for bad in ("availability=0.99", "no_such_kpi<=1", "availability>=lots"):
        with pytest.raises(UsageError, match="--constraint"):
            parse_constraint(bad)


def test_training_time_is_the_slowest_job_and_empty_while_one_is_unfinished():
    done = {"training_time_h": 48.0}
    assert training_time_days([done, {"training_time_h": 96.0}]) == pytest.approx(4.0)
    assert training_time_days([done, {"training_time_h": None}]) is None
    assert training_time_days([]) is None


def test_a_field_that_does_not_exist_fails_before_any_run(hall):
    runner = CountingRunner()
    variables = [parse_variable(hall, "racks.no_such_field=int:1:4")]
    with pytest.raises(UsageError, match=r"racks\.no_such_field"):
        optimize(hall, variables, n_trials=2, options=WEEK, runner=runner)
    assert runner.runs == 0


def _brute_force(hall, counts, variants, constraints, objective):
    best = None
    for count, variant in itertools.product(counts, variants):
        scenario = hall.model_copy(deep=True)
        rack = next(n for n in scenario.nodes if n.id == "racks")
        nodes = [rack.model_copy(update={"count": count}) if n is rack else n
                 for n in scenario.nodes]  # fmt: skip
        scenario = scenario.model_copy(update={"nodes": nodes})
        run = compare(scenario, [variant], seed=0, options=WEEK).runs[variant]
        row = scalar_kpis(run.kpis)
        if all(c.violation(row.get(c.kpi)) <= 0 for c in constraints):
            value = row[objective]
            if best is None or value < best[0]:
                best = (value, count, variant)
    return best


def test_goal_seek_finds_the_cheapest_design_that_meets_the_deadline(hall):
    constraints = [
        parse_constraint("training_time_days<=5"),
        parse_constraint("availability>=0.98"),
    ]
    variables = [
        parse_variable(hall, "racks.count=int:16:40:8"),
        parse_variable(hall, "variant=choice:air,liquid"),
    ]
    runner = CountingRunner()
    result = optimize(
        hall, variables, constraints=constraints, n_trials=24, seed=0, options=WEEK,
        runner=runner,
    )  # fmt: skip
    assert len(result.trials) == 24
    # 4 counts × 2 variants = 8 designs: a design proposed twice is not run twice.
    assert runner.runs <= 8
    best = result.best
    assert best is not None and best.feasible
    assert best.kpis["training_time_days"] <= 5 and best.kpis["availability"] >= 0.98
    expected = _brute_force(hall, (16, 24, 32, 40), ("air", "liquid"), constraints,
                            "cost_per_trained_model_usd")  # fmt: skip
    assert expected is not None
    assert best.objective == pytest.approx(expected[0])
    assert (best.params["racks.count"], best.params["variant"]) == expected[1:]
    # Too few racks do not finish in the horizon: no training time, so never feasible.
    small = [t for t in result.trials if t.params["racks.count"] == 16]
    assert small and all(not t.feasible for t in small)


def test_same_seed_same_trials_and_the_front_is_non_dominated(hall):
    variables = [
        parse_variable(hall, "racks.count=int:20:48:4"),
        parse_variable(hall, "facilities.headcount=int:1:6"),
    ]
    kwargs = dict(n_trials=12, seed=3, batch=4, options=WEEK)
    one = optimize(hall, variables, **kwargs)
    two = optimize(hall, variables, **kwargs)
    assert [t.params for t in one.trials] == [t.params for t in two.trials]
    assert [t.objective for t in one.trials] == [t.objective for t in two.trials]
    other = optimize(hall, variables, **{**kwargs, "seed": 4})
    assert [t.params for t in other.trials] != [t.params for t in one.trials]
    front = one.pareto()
    assert front
    points = [(t.objective, t.kpis["training_time_days"]) for t in one.trials
              if math.isfinite(t.objective)]  # fmt: skip
    for t in front:
        mine = (t.objective, t.kpis["training_time_days"])
        assert not any(p[0] <= mine[0] and p[1] <= mine[1] and p != mine for p in points)
    costs = [t.objective for t in front]
    times = [t.kpis["training_time_days"] for t in front]
    assert costs == sorted(costs) and times == sorted(times, reverse=True)


def test_nsga2_searches_cost_and_time_together(hall):
    variables = [parse_variable(hall, "racks.count=int:20:48:4")]
    result = optimize(hall, variables, n_trials=8, batch=4, sampler="nsga2", options=WEEK)
    assert result.sampler == "nsga2" and len(result.trials) == 8
    assert result.pareto()


def test_a_trial_becomes_a_variant_that_runs_the_same(hall):
    variables = [
        parse_variable(hall, "racks.count=int:24:40:8"),
        parse_variable(hall, "variant=choice:air,liquid"),
    ]
    result = optimize(hall, variables, n_trials=6, options=WEEK)
    trial = next(t for t in result.trials if t.params["variant"] == "liquid")
    variant = variant_from_trial(hall, result, trial, "optimized")
    paths = [(o.target, o.path) for o in variant.overrides]
    assert ("racks", "cooling") in paths  # the liquid variant's own overrides come along
    assert ("racks", "count") in paths
    scenario = hall.model_copy(update={"variants": [*hall.variants, variant]})
    run = compare(scenario, ["optimized"], seed=0, options=WEEK).runs["optimized"]
    assert scalar_kpis(run.kpis)["total_cost_usd"] == pytest.approx(trial.kpis["total_cost_usd"])


def test_cli_optimize_writes_results_and_the_variant(tmp_path, capsys):
    out = tmp_path / "opt"
    saved = tmp_path / "with-variant.aift.json"
    code = main([
        "optimize", str(SCENE), "--var", "racks.count=int:24:40:8",
        "--var", "variant=choice:air,liquid", "--constraint", "training_time_days<=5",
        "--trials", "6", "--horizon", "7d", "--step", "1h", "--workers", "0",
        "--out", str(out), "--save-variant", "cheapest", str(saved),
    ])  # fmt: skip
    assert code == 0
    text = capsys.readouterr().out
    assert "best: trial" in text and "Pareto front" in text
    summary = json.loads((out / "optimize.json").read_text())
    assert summary["trials"] == 6 and summary["best"]["feasible"]
    rows = (out / "optimize.csv").read_text().splitlines()
    assert rows[0].startswith("trial,racks.count,variant,feasible,pareto,objective")
    assert len(rows) == 7
    scenario = load_scenario(saved)
    assert "cheapest" in [v.name for v in scenario.variants]


def test_cli_optimize_bad_path_exits_2_naming_it(tmp_path, capsys):
    code = main(["optimize", str(SCENE), "--var", "racks.bogus=int:1:4", "--out", str(tmp_path)])
    assert code == 2
    assert "racks.bogus" in capsys.readouterr().err
