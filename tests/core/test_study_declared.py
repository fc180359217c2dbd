"""Decision studies declared in a scenario: checked before any run, run headless (report)."""

from __future__ import annotations

import json

import pytest

from aifactory_twin.cli import main
from aifactory_twin.errors import UsageError
from aifactory_twin.io import load_scenario, save_scenario
from aifactory_twin.resources import scenes_dir
from aifactory_twin.schema import OptimizeStudy, Studies, Sweep2DStudy
from aifactory_twin.study import SerialRunner
from aifactory_twin.study.declared import default_pair, plan_studies, run_studies

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
