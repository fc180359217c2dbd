"""Uncertainty studies: LHS draws, distributions, spread, tornado ranking, paired comparison."""

from __future__ import annotations

import csv
import json
import math
import re

import numpy as np
import pytest
from pydantic import ValidationError

from aifactory_twin.cli import main
from aifactory_twin.errors import UsageError
from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scenes_dir
from aifactory_twin.schema import UncertainInput
from aifactory_twin.study import StudyOptions
from aifactory_twin.study.uncertainty import (
    UncertaintyResult,
    correlation_matrix,
    iman_conover,
    input_text,
    latin_hypercube,
    parse_uncertain,
    quantile,
    uncertainty,
)

SHORT = StudyOptions(horizon_s=2 * 86400.0, step_s=3600.0, series=(), max_points=None)
PRICE = "price.flat_usd_per_kwh"
SCENE = scenes_dir() / "air-vs-liquid.aift.json"


@pytest.fixture(scope="module")
def hall():
    return load_scenario(scenes_dir() / "air-vs-liquid.aift.json")


def _price(low: float, mode: float, high: float) -> UncertainInput:
    return UncertainInput(
        target="grid", path=PRICE, distribution="triangular", low=low, mode=mode, high=high
    )


def _with(scenario, *inputs):
    return scenario.model_copy(update={"uncertain": list(inputs)})


def test_latin_hypercube_puts_one_point_in_every_stratum_and_repeats_by_seed():
    u = latin_hypercube(50, 3, seed=7)
    assert u.shape == (50, 3) and np.all((u > 0) & (u < 1))
    for dim in range(3):
        assert sorted(np.floor(u[:, dim] * 50).astype(int)) == list(range(50))
    np.testing.assert_array_equal(u, latin_hypercube(50, 3, seed=7))
    assert not np.array_equal(u, latin_hypercube(50, 3, seed=8))


def test_lhs_marginals_match_each_distribution():
    u = latin_hypercube(2000, 1, seed=1)[:, 0]
    normal = UncertainInput(target="t", path="x", distribution="normal", mean=5.0, sd=2.0)
    draws = np.array([quantile(normal, x) for x in u])
    assert draws.mean() == pytest.approx(5.0, abs=0.02)
    assert draws.std() == pytest.approx(2.0, rel=0.02)
    logn = UncertainInput(target="t", path="x", distribution="lognormal", median=3.0, sigma=0.5)
    draws = np.array([quantile(logn, x) for x in u])
    assert np.median(draws) == pytest.approx(3.0, rel=0.01)
    assert np.log(draws).std() == pytest.approx(0.5, rel=0.02)
    tri = UncertainInput(
        target="t", path="x", distribution="triangular", low=0.0, mode=1.0, high=4.0
    )
    draws = np.array([quantile(tri, x) for x in u])
    assert draws.mean() == pytest.approx(5.0 / 3.0, rel=0.01)
    assert draws.min() >= 0.0 and draws.max() <= 4.0
    uni = UncertainInput(target="t", path="x", distribution="uniform", low=2.0, high=6.0)
    assert np.percentile([quantile(uni, x) for x in u], 25) == pytest.approx(3.0, abs=0.02)
    choice = UncertainInput(
        target="t", path="x", distribution="choice", values=["a", "b"], weights=[3.0, 1.0]
    )
    picks = [quantile(choice, x) for x in u]
    assert picks.count("a") / len(picks) == pytest.approx(0.75, abs=0.001)
    clipped = UncertainInput(
        target="t", path="x", distribution="normal", mean=0.4, sd=1.0, low=0.1, high=0.9
    )
    assert quantile(clipped, 0.001) == 0.1 and quantile(clipped, 0.999) == 0.9


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"distribution": "normal", "mean": 1.0}, "needs mean and sd"),
        ({"distribution": "lognormal", "median": -1.0, "sigma": 0.2}, "median > 0"),
        ({"distribution": "triangular", "low": 2.0, "mode": 1.0, "high": 3.0}, "low ≤ mode"),
        ({"distribution": "uniform", "low": 2.0, "high": 2.0}, "low < high"),
        ({"distribution": "choice", "values": [1, 2], "weights": [1.0]}, "weights"),
    ],
)
def test_bad_parameters_name_the_input_by_its_path(fields, problem):
    with pytest.raises(ValidationError) as info:
        UncertainInput(target="grid", path=PRICE, **fields)
    assert f"grid.{PRICE} ({fields['distribution']})" in str(info.value)
    assert problem in str(info.value)


def test_bad_path_is_a_usage_error_naming_the_input(hall):
    bad = UncertainInput(target="grid", path="no_such_field", distribution="uniform", low=0, high=1)
    with pytest.raises(UsageError, match=r"grid\.no_such_field \(uniform\)"):
        uncertainty(_with(hall, bad), 2, options=SHORT)
    with pytest.raises(UsageError, match="no uncertain inputs"):
        uncertainty(_with(hall), 2, options=SHORT)


def test_a_wider_price_distribution_widens_the_cost_spread(hall):
    narrow = uncertainty(_with(hall, _price(0.075, 0.08, 0.085)), 12, options=SHORT, tornado=False)
    wide = uncertainty(_with(hall, _price(0.04, 0.08, 0.20)), 12, options=SHORT, tornado=False)

    def spread(result):
        p10, _, p90 = result.percentiles("base")["total_cost_usd"]
        assert p10 <= p90
        return p90 - p10

    assert spread(wide) > 5 * spread(narrow) > 0


def test_fans_over_time_spread_with_the_inputs_when_series_are_recorded(hall):
    fans = StudyOptions(horizon_s=2 * 86400.0, step_s=3600.0, series=("total_cost_usd_cum",),
                        max_points=48)  # fmt: skip
    scenario = _with(hall, _price(0.04, 0.08, 0.20))
    result = uncertainty(scenario, 8, variants=["air", "liquid"], options=fans, tornado=False)
    assert list(result.fans) == ["air", "liquid"]
    assert result.fans["liquid"].variant == "liquid" and result.fans["air"].seeds == result.seeds
    p10, p50, p90 = result.fans["air"].bands["total_cost_usd_cum"]
    assert np.all(p10 <= p50) and np.all(p50 <= p90)
    # The end of the cost fan is the spread of the samples' total cost (the price moves it).
    final = result.kpis["air"]["total_cost_usd"]
    assert p90[-1] - p10[-1] == pytest.approx(np.subtract(*np.percentile(final, [90, 10])))
    assert p90[-1] > p10[-1]
    assert uncertainty(scenario, 2, options=SHORT, tornado=False).fans == {}


def test_the_input_that_drives_cost_ranks_first_in_the_tornado(hall):
    # A percent of spread on the staff headcount costs little over two days; the price drives it.
    staff = UncertainInput(
        target="mlops", path="headcount", distribution="choice", values=[4, 5], weights=[1, 1]
    )
    result = uncertainty(_with(hall, staff, _price(0.04, 0.08, 0.20)), 4, options=SHORT)
    bars = result.tornado("energy_cost_usd")
    assert [b.label for b in bars] == [f"grid.{PRICE}", "mlops.headcount"]
    assert bars[0].kpi_at_high > bars[0].kpi_at_low
    assert bars[0].swing > 0 and bars[1].swing == pytest.approx(0.0, abs=1e-6)
    low, high = result.tornado_values[f"grid.{PRICE}"]
    assert 0.04 < low < 0.08 < high < 0.20


def test_same_seed_same_result_and_variants_are_paired(hall):
    scenario = _with(hall, *hall.uncertain[:2])
    first = uncertainty(scenario, 6, variants=["air", "liquid"], seed=3, options=SHORT)
    again = uncertainty(scenario, 6, variants=["air", "liquid"], seed=3, options=SHORT)
    assert first.draws == again.draws and first.seeds == again.seeds == list(range(3, 9))
    for label in first.labels:
        for key, values in first.kpis[label].items():
            np.testing.assert_array_equal(values, again.kpis[label][key])
    other = uncertainty(scenario, 6, variants=["air", "liquid"], seed=4, options=SHORT)
    assert other.draws != first.draws
    # Liquid cooling uses less energy under every draw; a variant never beats itself.
    assert first.probability_better("air", "liquid", "facility_energy_mwh") == 1.0
    assert first.probability_better("liquid", "air", "facility_energy_mwh") == 0.0


def test_cli_prints_the_study_and_writes_csv_and_json(tmp_path, capsys):
    scene = str(scenes_dir() / "air-vs-liquid.aift.json")
    args = ["uncertainty", scene, "--samples", "4", "--horizon", "2d", "--step", "1h"]
    code = main([*args, "--compare", "air", "liquid", "--workers", "0", "--kpi",
                 "facility_energy_mwh", "--out", str(tmp_path)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "tornado (facility_energy_mwh" in out and "P(liquid beats air" in out
    summary = json.loads((tmp_path / "uncertainty.json").read_text())
    # The probability is the share of paired rows (same draws, same seed) where liquid is lower.
    table = list(csv.DictReader((tmp_path / "uncertainty.csv").open()))
    energy = {(r["variant"], r["sample"]): float(r["facility_energy_mwh"]) for r in table}
    wins = [energy[("liquid", str(i))] < energy[("air", str(i))] for i in range(4)]
    assert summary["probability_b_beats_a"]["probability"] == pytest.approx(np.mean(wins))
    swings = [bar["swing"] for bar in summary["tornado"]["bars"]]
    assert swings == sorted(swings, reverse=True) and len(swings) == 3
    # The price moves no energy; the racks' arrival does.
    by_input = {bar["input"]: bar["swing"] for bar in summary["tornado"]["bars"]}
    assert by_input[f"grid.{PRICE}"] == 0.0
    assert summary["tornado"]["bars"][0]["input"] == "racks.delivery.lead_time_days"
    assert swings[0] > 0
    rows = (tmp_path / "uncertainty.csv").read_text().splitlines()
    assert len(rows) == 1 + 2 * 4 and rows[0].startswith("variant,sample,seed,grid.")
    assert main([*args, "--samples", "0", "--out", str(tmp_path)]) == 2
    assert main([*args, "--compare", "air", "nope", "--out", str(tmp_path)]) == 2
    assert "nope" in capsys.readouterr().err


def _rank_corr(a, b):
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


def test_correlated_inputs_keep_their_marginals_and_take_the_rank_correlation(hall):
    price = _price(0.05, 0.08, 0.2).model_copy(
        update={"correlation": {"train-70b.target_mfu": 0.8}}
    )
    mfu = UncertainInput(
        target="train-70b", path="target_mfu", distribution="uniform", low=0.3, high=0.5
    )
    unit = latin_hypercube(400, 2, seed=3)
    target = correlation_matrix([price, mfu])
    assert target is not None and target[0, 1] == target[1, 0] == 0.8
    joined = iman_conover(unit, target, seed=3)
    assert abs(_rank_corr(joined[:, 0], joined[:, 1]) - 0.8) < 0.05
    assert abs(_rank_corr(unit[:, 0], unit[:, 1])) < 0.15
    for j in range(2):  # only the order changed: still one point per stratum
        assert np.array_equal(np.sort(joined[:, j]), np.sort(unit[:, j]))
    negative = iman_conover(unit, np.array([[1.0, -0.6], [-0.6, 1.0]]), seed=3)
    assert abs(_rank_corr(negative[:, 0], negative[:, 1]) + 0.6) < 0.05
    # Through the study: the drawn prices and MFUs move together.
    result = uncertainty(_with(hall, price, mfu), 40, options=SHORT, tornado=False)
    draws = np.array(result.draws, dtype=float)
    assert _rank_corr(draws[:, 0], draws[:, 1]) > 0.6


def test_bad_correlations_name_the_inputs(hall):
    mfu = UncertainInput(
        target="train-70b", path="target_mfu", distribution="uniform", low=0.3, high=0.5
    )
    with pytest.raises(ValidationError, match="−1"):
        UncertainInput.model_validate(
            {**_price(0.05, 0.08, 0.2).model_dump(), "correlation": {"x.y": 1.5}}
        )
    with pytest.raises(ValidationError, match="itself"):
        UncertainInput.model_validate(
            {**_price(0.05, 0.08, 0.2).model_dump(), "correlation": {"grid." + PRICE: 0.5}}
        )
    stray = _price(0.05, 0.08, 0.2).model_copy(update={"correlation": {"racks.count": 0.5}})
    with pytest.raises(UsageError, match=r"racks\.count"):
        uncertainty(_with(hall, stray, mfu), 4, options=SHORT)
    a = UncertainInput(target="racks", path="count", distribution="uniform", low=8, high=16,
                       correlation={"grid." + PRICE: 0.9, "train-70b.target_mfu": 0.9})  # fmt: skip
    b = _price(0.05, 0.08, 0.2).model_copy(update={"correlation": {"train-70b.target_mfu": -0.9}})
    with pytest.raises(UsageError, match="positive definite"):
        correlation_matrix([a, b, mfu])


@pytest.mark.parametrize(
    "text",
    [
        "grid.price.flat_usd_per_kwh ~ triangular(0.05, 0.0806, 0.2)",
        "train-70b.target_mfu ~ normal(0.4, 0.04, 0.25, 0.55)",
        "racks.delivery.lead_time_days ~ lognormal(1, 0.8)",
        "facilities.headcount ~ uniform(2, 6)",
        "main-cooling.cooling_type ~ choice(crah, cdu)",
    ],
)
def test_inputs_read_from_text_and_print_back_the_same(hall, text):
    spec = parse_uncertain(hall, text)
    assert input_text(spec) == text
    assert parse_uncertain(hall, input_text(spec)) == spec


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("grid.price.flat_usd_per_kwh triangular(1, 2, 3)", "PATH ~ DIST"),
        ("nosuch.field ~ uniform(1, 2)", "nosuch.field"),
        ("grid.price.flat_usd_per_kwh ~ poisson(3)", "PATH ~ DIST"),
        ("grid.price.flat_usd_per_kwh ~ uniform(3)", "uniform takes low, high"),
        ("grid.price.flat_usd_per_kwh ~ uniform(0.2, 0.1)", "needs low < high"),
        ("grid.price.flat_usd_per_kwh ~ normal(a, b)", "as numbers"),
    ],
)
def test_bad_input_text_is_a_usage_error_naming_it(hall, text, names):
    with pytest.raises(UsageError, match=re.escape(names)):
        parse_uncertain(hall, text)


def test_cli_declares_inputs_on_the_command_line(tmp_path, capsys):
    code = main([
        "uncertainty", str(scenes_dir() / "starter-lab.aift.json"), "--samples", "4",
        "--input", "settings.default_price_usd_per_kwh ~ uniform(0.05, 0.2)",
        "--horizon", "1d", "--step", "1h", "--workers", "0", "--kpi", "energy_cost_usd",
        "--out", str(tmp_path),
    ])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    summary = json.loads((tmp_path / "uncertainty.json").read_text())
    assert [i["path"] for i in summary["inputs"]] == ["default_price_usd_per_kwh"]
    bad = main(["uncertainty", str(SCENE), "--samples", "2",
                "--input", "racks.bogus ~ uniform(1, 2)", "--out", str(tmp_path)])  # fmt: skip
    assert bad == 2
    assert "racks.bogus" in capsys.readouterr().err


def test_an_input_that_leaves_the_kpi_without_a_value_ranks_first():
    # "late" at its P90 leaves no trained model within the horizon: the biggest effect of all.
    effects = {
        "a": (1.0, 3.0),
        "late": (2.0, math.nan),
        "neither": (math.nan, math.nan),
        "b": (1.0, 1.5),
    }
    result = UncertaintyResult(
        labels=["base"], inputs=[], seeds=[], draws=[], kpis={},
        tornado_kpis={label: {"k": ends} for label, ends in effects.items()},
        tornado_values=dict.fromkeys(effects, (0.0, 1.0)),
    )  # fmt: skip
    bars = result.tornado("k")
    assert [b.label for b in bars] == ["late", "a", "b", "neither"]
    assert [b.one_end_missing for b in bars] == [True, False, False, False]
