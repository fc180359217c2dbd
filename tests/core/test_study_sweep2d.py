"""Two-parameter sweeps (the studio's heat map) and lean study runs."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from aifactory_twin.cli import main
from aifactory_twin.errors import UsageError
from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scenes_dir
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.study import StudyOptions, compare, parse_param
from aifactory_twin.study.runs import RunSpec, execute, scalar_kpis
from aifactory_twin.study.sweep2d import sweep2d

SCENE = scenes_dir() / "air-vs-liquid.aift.json"
SHORT = StudyOptions(horizon_s=2 * 86400.0, step_s=3600.0, series=(), max_points=None)


@pytest.fixture(scope="module")
def hall():
    return load_scenario(SCENE)


def test_each_cell_is_the_base_with_both_overrides(hall):
    x = parse_param(hall, "racks.count")
    y = parse_param(hall, "grid.price.flat_usd_per_kwh")
    result = sweep2d(hall, x, [16, 32], y, [0.05, 0.2], runs=2, options=SHORT)
    assert len(result.runs) == 2 * 2 * 2
    grid = result.grid("energy_cost_usd")
    assert grid.shape == (2, 2)
    # More racks and a dearer price both cost more energy.
    assert grid[1, 0] > grid[0, 0] and grid[0, 1] > grid[0, 0] and grid[1, 1] == grid.max()
    # One cell, run on its own with the same two changes, gives the same number.
    racks = next(n for n in hall.nodes if n.id == "racks")
    feed = next(n for n in hall.nodes if n.id == "grid")
    alone = hall.model_copy(
        update={
            "nodes": [
                racks.model_copy(update={"count": 32})
                if n is racks
                else feed.model_copy(
                    update={"price": feed.price.model_copy(update={"flat_usd_per_kwh": 0.05})}
                )
                if n is feed
                else n
                for n in hall.nodes
            ]
        }
    )
    cube = result.cube("energy_cost_usd")
    run = compare(alone, ["base"], seed=0, options=SHORT).runs["base"]
    assert cube[1, 0, 0] == pytest.approx(scalar_kpis(run.kpis)["energy_cost_usd"], rel=1e-12)


def test_bad_second_parameter_and_same_parameter_twice_are_refused(hall):
    x = parse_param(hall, "racks.count")
    with pytest.raises(UsageError, match="--y"):
        sweep2d(hall, x, [16], parse_param(hall, "racks.bogus"), [1], options=SHORT)
    with pytest.raises(UsageError, match="both"):
        sweep2d(hall, x, [16], x, [32], options=SHORT)


def test_cli_sweep2d_writes_one_row_per_point_and_seed(tmp_path, capsys):
    code = main([
        "sweep2d", str(SCENE), "--x", "racks.count", "--x-values", "16,32",
        "--y", "grid.price.flat_usd_per_kwh", "--y-range", "0.05:0.15:3",
        "--horizon", "1d", "--step", "1h", "--workers", "0", "--kpi", "energy_cost_usd",
        "--out", str(tmp_path),
    ])  # fmt: skip
    assert code == 0
    rows = list(csv.DictReader((tmp_path / "sweep2d.csv").open()))
    assert len(rows) == 6
    assert rows[0]["racks.count"] == "16" and rows[0]["grid.price.flat_usd_per_kwh"] == "0.05"
    assert "energy_cost_usd" in capsys.readouterr().out
    bad = main(["sweep2d", str(SCENE), "--x", "racks.count", "--x-values", "16",
                "--y", "nosuch.field", "--y-values", "1", "--out", str(tmp_path)])  # fmt: skip
    assert bad == 2
    assert "nosuch.field" in capsys.readouterr().err


def test_cli_sweep_prints_the_spread_over_seeds(tmp_path, capsys):
    code = main([
        "sweep", str(SCENE), "--param", "racks.count", "--values", "16,32", "--runs", "2",
        "--horizon", "1d", "--step", "1h", "--workers", "0", "--kpi", "availability",
        "--out", str(tmp_path),
    ])  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    assert "P10 – P90" in out and out.count("%") >= 4


def test_lean_runs_give_the_same_kpis_and_series_without_node_samples(hall):
    compiled = compile_scenario(hall, "liquid", horizon_s=7 * 86400.0, step_s=1800.0)
    full, lean = Engine(compiled, seed=5), Engine(compiled, seed=5, lean=True)
    full.run()
    lean.run()
    assert repr(lean.kpis()) == repr(full.kpis())
    for name in full.recorder.names:
        assert np.array_equal(lean.recorder.series(name), full.recorder.series(name))
    assert lean.event_counts == full.event_counts and full.events and not lean.events
    assert lean.recorder.n_node_samples == 0 and full.recorder.n_node_samples > 0
    assert lean.recorder.nbytes < full.recorder.nbytes
    assert lean.node_history("racks")["temp_c"].size == 0
    text = hall.model_dump_json()
    one = execute(RunSpec(text, variant="liquid", horizon_s=86400.0, step_s=3600.0, seed=2))
    two = execute(RunSpec(text, variant="liquid", horizon_s=86400.0, step_s=3600.0, seed=2,
                          lean=False))  # fmt: skip
    assert repr(one.kpis) == repr(two.kpis)
