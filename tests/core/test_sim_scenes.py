"""Every shipped scene compiles and runs; the ``run`` CLI writes its three files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from aifactory_twin.cli import main
from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scene_templates
from aifactory_twin.sim import SERIES, Engine, compile_scenario

SCENES = scene_templates()
KPI_KEYS = [
    "horizon_s",
    "step_s",
    "seed",
    "capex_usd",
    "capex_amortized_usd",
    "energy_cost_usd",
    "staff_cost_usd",
    "maintenance_cost_usd",
    "cloud_cost_usd",
    "total_cost_usd",
    "it_energy_mwh",
    "cooling_energy_mwh",
    "facility_energy_mwh",
    "pue",
    "peak_facility_power_kw",
    "mean_it_power_kw",
    "mean_utilization",
    "delivered_pflops_mean",
    "gpu_hours_delivered",
    "cost_per_gpu_hour_usd",
    "max_temperature_c",
    "throttled_gpu_hours",
    "interruptions",
    "availability",
    "automation_rate",
    "talent_retention",
    "headcount_end",
    "product_launches_per_year",
    "carbon_t_co2",
    "water_m3",
    "inference_tokens",
    "cost_per_million_tokens_usd",
    "joules_per_token",
    "jobs",
]
JOB_KEYS = {"name", "completed", "progress", "training_time_h", "eta_h", "interruptions", "goodput"}


def test_the_eight_scenes_exist() -> None:
    assert len(SCENES) >= 8


@pytest.mark.parametrize("name", sorted(SCENES))
def test_scene_compiles_and_runs_a_short_horizon(name: str) -> None:
    scenario = load_scenario(SCENES[name])
    variants = [None, *(v.name for v in scenario.variants)]
    for variant in variants:
        compiled = compile_scenario(scenario, variant, horizon_s=2 * 3600.0, step_s=900.0)
        eng = Engine(compiled, seed=1)
        eng.run()
        kpis = eng.kpis()
        assert eng.recorder.n == 8
        assert kpis["it_energy_mwh"] > 0, (name, variant)
        assert 1.0 < kpis["pue"] < 2.0, (name, variant)
        assert all(np.all(np.isfinite(eng.recorder.series(s))) for s in SERIES)


def test_run_cli_writes_timeseries_nodes_and_kpis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scene = SCENES["starter-lab"]
    code = main(
        [
            "run",
            str(scene),
            "--horizon",
            "6h",
            "--step",
            "15m",
            "--seed",
            "3",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "PUE" in printed and "Total cost" in printed
    with (tmp_path / "timeseries.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 24
    assert set(SERIES) <= set(rows[0])
    assert float(rows[-1]["time_s"]) == 6 * 3600.0
    with (tmp_path / "nodes.csv").open() as handle:
        nodes = list(csv.DictReader(handle))
    assert {row["node_id"] for row in nodes} == {n.id for n in load_scenario(scene).nodes}
    kpis = json.loads((tmp_path / "kpis.json").read_text())
    assert set(KPI_KEYS) <= set(kpis)
    assert kpis["seed"] == 3 and kpis["horizon_s"] == 6 * 3600.0
    for job in kpis["jobs"]:
        assert set(job) >= JOB_KEYS


def test_node_summary_matches_each_node_history_and_timings_name_every_phase(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scene = SCENES["training-cluster-1k"]
    code = main(["run", str(scene), "--horizon", "2d", "--out", str(tmp_path), "-q", "--timings"])
    assert code == 0
    err = capsys.readouterr().err
    assert all(f"{phase} " in err for phase in ("load", "compile", "run", "write")), err
    eng = Engine(compile_scenario(load_scenario(scene), horizon_s=2 * 86400.0), seed=0)
    eng.run()
    summary = eng.recorder.node_summary()
    for i in range(len(eng.node_ids)):
        history = eng.recorder.node_history(i)
        assert summary["mean_power_kw"][i] == history["power_kw"].mean()
        assert summary["max_temp_c"][i] == history["temp_c"].max()
    with (tmp_path / "nodes.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["mean_power_kw"] for r in rows] == [f"{v:.6g}" for v in summary["mean_power_kw"]]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--horizon", "soon"], "--horizon"),
        (["--step", "-5m"], "--step"),
        (["--seed", "abc"], "--seed"),
        (["--variant", "no-such-variant"], "variant"),
    ],
)
def test_run_cli_exits_2_naming_the_bad_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    code = main(["run", str(SCENES["starter-lab"]), "--out", str(tmp_path), *args])
    assert code == 2
    err = capsys.readouterr().err
    assert needle in err
    assert "Traceback" not in err


def test_run_cli_exits_2_on_a_broken_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.aift.json"
    bad.write_text(
        '{"format": "aifactory-twin-scenario", "schema_version": 1, '
        '"nodes": [{"kind": "compute_rack", "id": "r", "count": -1}]}'
    )
    code = main(["run", str(bad), "--out", str(tmp_path / "out")])
    assert code == 2
    err = capsys.readouterr().err
    assert "nodes[0]" in err and "count" in err
