"""Decision studies declared in a scenario: checked before any run, run headless (report)."""

from __future__ import annotations

import json

import pytest

from aifactory_twin.cli import main
from aifactory_twin.errors import UsageError
from aifactory_twin.io import load_scenario, save_scenario
from aifactory_twin.resources import scenes_dir
from aifactory_twin.schema import OptimizeStudy, Studies, Sweep2DStudy, UncertaintyStudy
from aifactory_twin.study import SerialRunner
from aifactory_twin.study.declared import (
    DEFAULT_SAMPLES,
    default_pair,
    plan_studies,
    run_studies,
    uncertainty_settings,
)

SCENE = scenes_dir() / "air-vs-liquid.aift.json"
LABELS = ["base", "air", "liquid"]
PRICE = "grid.price.flat_usd_per_kwh"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(SCENE)


def _grid(**fields):
    spec = {"x": "racks.count", "x_values": [8], "y": PRICE, "y_values": [0.1], **fields}
    return Sweep2DStudy(**spec)


def _with(scenario, **studies):
    return scenario.model_copy(update={"studies": Studies(**studies)})


def test_default_pair_follows_the_tornado_tab():
    assert default_pair(["base", "air", "liquid"]) == ["air", "liquid"]
    assert default_pair(["base", "cloud"]) == ["base", "cloud"]
    assert default_pair(["base"]) == ["base"]


def test_plan_reads_every_declared_study(scenario):
    plan = plan_studies(scenario, LABELS, samples=5)
    assert plan.uncertainty_variants == ["air", "liquid"]
    assert [v.name for v in plan.variables] == ["racks.count", "variant"]
    assert [c.text for c in plan.constraints] == ["training_time_days<=6", "availability>=0.98"]
    assert plan.sweep_axes is not None
    assert plan.sweep_axes[0].text == "train-70b.target_mfu"
    counts = plan.run_count(scenario)
    # 5 samples × 2 variants + P10/P90 of 3 inputs + the all-medians run; 16 trials; 5 × 4 grid.
    assert counts == {"uncertainty": 17, "optimize": 16, "sweep2d": 20}
    nothing = plan_studies(_with(scenario), LABELS, samples=0)
    assert nothing.run_count(scenario.model_copy(update={"studies": Studies()})) == {}


@pytest.mark.parametrize(
    ("studies", "where"),
    [
        ({"optimize": OptimizeStudy(variables=["racks.count=int:48:24"])}, "variables[0]"),
        ({"optimize": OptimizeStudy(variables=["nowhere.count=int:1:4"])}, "variables[0]"),
        (
            {"optimize": OptimizeStudy(variables=["variant=choice:air"], constraints=["pue<1"])},
            "constraints[0]",
        ),
        ({"optimize": OptimizeStudy(variables=["variant=choice:air"], objective="x")}, "objective"),
        ({"sweep2d": _grid(y="racks.count")}, "studies.sweep2d"),
        ({"sweep2d": _grid(x_values=[-3])}, "x_values"),
        ({"sweep2d": _grid(variant="nope")}, "variant"),
        ({"sweep2d": _grid(kpi="nope")}, "kpi"),
    ],
)
def test_a_bad_declaration_is_named_with_the_file_before_any_run(scenario, studies, where):
    with pytest.raises(UsageError) as caught:
        plan_studies(_with(scenario, **studies), LABELS, samples=0, file="scene.aift.json")
    text = str(caught.value)
    assert text.startswith("scene.aift.json: studies.")
    assert where in text


def test_an_unknown_compare_variant_and_negative_samples_are_refused(scenario):
    with pytest.raises(UsageError, match="nope"):
        plan_studies(scenario, LABELS, samples=3, pair=["air", "nope"])
    with pytest.raises(UsageError, match="--samples"):
        plan_studies(scenario, LABELS, samples=-1)


def test_run_studies_gives_the_results_the_studio_tabs_give(scenario):
    small = _with(
        scenario,
        optimize=OptimizeStudy(variables=["variant=choice:air,liquid"], trials=2),
        sweep2d=Sweep2DStudy(
            x="racks.count", x_values=[16, 32], y="grid.price.flat_usd_per_kwh",
            y_values=[0.05, 0.2], kpi="total_cost_usd", variant="liquid",
        ),
    )  # fmt: skip
    plan = plan_studies(small, LABELS, samples=3)
    seen: dict[str, int] = {}

    def progress(name: str, done: int, total: int) -> None:
        seen[name] = total

    out = run_studies(
        small, plan, seed=3, horizon_s=6 * 3600.0, step_s=3600.0, runner=SerialRunner(),
        progress=progress,
    )  # fmt: skip
    assert out.uncertainty is not None and out.optimize is not None and out.sweep2d is not None
    assert out.uncertainty.labels == ["air", "liquid"]
    assert len(out.uncertainty.seeds) == 3
    assert set(out.uncertainty.fans) == {"air", "liquid"}  # the report's fan page needs them
    assert len(out.optimize.trials) == 2
    assert out.sweep2d.variant == "liquid"
    grid = out.sweep2d.grid("total_cost_usd")
    assert grid[0, 1] > grid[0, 0]  # a dearer price costs more
    assert seen == {"uncertainty": 3 * 2 + 2 * 3 + 1, "optimize": 2, "sweep2d": 4}


def test_report_refuses_bad_options_with_exit_2(tmp_path, capsys):
    out = str(tmp_path / "r.pdf")
    assert main(["report", str(SCENE), "--samples", "-2", "--out", out]) == 2
    assert "--samples" in capsys.readouterr().err
    assert main(["report", str(SCENE), "--workers", "-1", "--out", out]) == 2
    assert main(["report", str(SCENE), "--compare", "air", "--out", out]) == 2
    assert main(["report", str(SCENE), "--samples", "many", "--out", out]) == 2


def test_old_file_without_studies_loads_and_a_declared_one_round_trips(scenario, tmp_path):
    bare = tmp_path / "bare.aift.json"
    save_scenario(scenario, bare)
    data = json.loads(bare.read_text())
    del data["studies"]  # as written before the section existed
    bare.write_text(json.dumps(data))
    assert load_scenario(bare).studies == Studies()
    path = tmp_path / "declared.aift.json"
    save_scenario(scenario, path)
    assert load_scenario(path).studies == scenario.studies


def test_the_declared_uncertainty_settings_apply_and_the_command_line_wins(scenario):
    declared = scenario.studies.uncertainty
    assert declared == UncertaintyStudy(samples=100, compare=("air", "liquid"))
    plan = plan_studies(scenario, ["base", "liquid", "air"], file="scene.aift.json")
    assert plan.samples == 100
    assert plan.uncertainty_variants == ["air", "liquid"]  # not the labels' default pair
    mine = plan_studies(scenario, LABELS, samples=7, pair=["base", "air"])
    assert (mine.samples, mine.uncertainty_variants) == (7, ["base", "air"])
    assert plan_studies(scenario, LABELS, samples=0).uncertainty_variants == []
    plain = _with(scenario)  # nothing declared: 100 samples of the default pair
    plan = plan_studies(plain, ["base", "liquid", "air"])
    assert (plan.samples, plan.uncertainty_variants) == (DEFAULT_SAMPLES, ["liquid", "air"])
    assert uncertainty_settings(plain, None, None) == (None, None)
    assert uncertainty_settings(scenario, None, ["air", "air"]) == (100, ["air"])


def test_a_bad_uncertainty_declaration_exits_2_naming_the_file_and_entry(
    scenario, tmp_path, capsys
):
    bad = _with(scenario, uncertainty=UncertaintyStudy(compare=("air", "water")))
    path = tmp_path / "bad.aift.json"
    save_scenario(bad, path)
    with pytest.raises(UsageError, match=r"^scene\.aift\.json: studies\.uncertainty\.compare"):
        plan_studies(bad, LABELS, file="scene.aift.json")
    # Refused before any run, even when --samples 0 leaves the study out.
    out = str(tmp_path / "r.pdf")
    assert main(["report", str(path), "--samples", "0", "--out", out]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "studies.uncertainty.compare" in err and "'water'" in err
    assert main(["uncertainty", str(path), "--out", str(tmp_path)]) == 2
    assert "studies.uncertainty.compare" in capsys.readouterr().err
    data = json.loads(path.read_text())
    data["studies"]["uncertainty"] = {"samples": 0, "compare": None}
    path.write_text(json.dumps(data))
    assert main(["uncertainty", str(path), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "bad.aift.json" in err and "studies.uncertainty.samples" in err


def test_uncertainty_command_takes_the_declared_samples_unless_given(tmp_path, capsys):
    starter = load_scenario(scenes_dir() / "starter-lab.aift.json")
    path = tmp_path / "lab.aift.json"
    args = ["--horizon", "6h", "--step", "1h", "--workers", "0"]
    args += ["--input", "settings.default_price_usd_per_kwh ~ uniform(0.05, 0.2)"]
    save_scenario(starter, path)
    assert main(["uncertainty", str(path), *args, "--out", str(tmp_path / "a")]) == 2
    assert "give --samples N" in capsys.readouterr().err
    declared = _with(starter, uncertainty=UncertaintyStudy(samples=3))
    save_scenario(declared, path)
    assert main(["uncertainty", str(path), *args, "--out", str(tmp_path / "b")]) == 0
    summary = json.loads((tmp_path / "b" / "uncertainty.json").read_text())
    assert summary["samples"] == 3
    assert main(["uncertainty", str(path), *args, "--samples", "2",
                 "--out", str(tmp_path / "c")]) == 0  # fmt: skip
    summary = json.loads((tmp_path / "c" / "uncertainty.json").read_text())
    assert summary["samples"] == 2
