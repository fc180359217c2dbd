"""Sweeps: parameter parsing, validation, and Dask giving exactly what the process pool gives."""

from __future__ import annotations

import pytest

from aifactory_twin.errors import UsageError
from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scenes_dir
from aifactory_twin.study import (
    DaskRunner,
    ProcessRunner,
    StudyOptions,
    parse_param,
    parse_range,
    parse_values,
    sweep,
)

OPTIONS = StudyOptions(horizon_s=86400.0, step_s=3600.0, series=("facility_power_kw",))


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(scenes_dir() / "air-vs-liquid.aift.json")


def test_parse_param_takes_the_longest_matching_id(scenario):
    assert parse_param(scenario, "racks.count").text == "racks.count"
    param = parse_param(scenario, "grid.price.flat_usd_per_kwh")
    assert (param.target, param.path) == ("grid", "price.flat_usd_per_kwh")
    assert parse_param(scenario, "settings.automation_level").target == "settings"
    workload = scenario.workloads[0].id
    assert parse_param(scenario, f"{workload}.tokens_t").target == workload


@pytest.mark.parametrize("text", ["nosuchnode.count", "racks", "racks.", ".count"])
def test_parse_param_names_the_bad_path(scenario, text):
    with pytest.raises(UsageError, match="--param"):
        parse_param(scenario, text)


def test_values_and_ranges():
    assert parse_values("1,2,4") == [1, 2, 4]
    assert parse_values("air, direct_liquid") == ["air", "direct_liquid"]
    assert parse_values("0.1,true") == [0.1, True]
    assert parse_range("8:64:8") == [8, 16, 24, 32, 40, 48, 56, 64]
    assert parse_range("0.05:0.15:3") == pytest.approx([0.05, 0.1, 0.15])
    assert parse_range("1:2:3") == [1.0, 1.5, 2.0]
    for bad in ("1,,2", ""):
        with pytest.raises(UsageError, match="--values"):
            parse_values(bad)
    for bad in ("1:2", "a:b:3", "1:2:0"):
        with pytest.raises(UsageError, match="--range"):
            parse_range(bad)


def test_bad_field_or_value_fails_before_running(scenario):
    with pytest.raises(UsageError, match=r"racks\.bogus"):
        sweep(scenario, parse_param(scenario, "racks.bogus"), [1], options=OPTIONS)
    with pytest.raises(UsageError, match=r"racks\.count = -1"):
        sweep(scenario, parse_param(scenario, "racks.count"), [-1], options=OPTIONS)


def test_sweep_rows_follow_values_and_seeds(scenario):
    param = parse_param(scenario, "racks.count")
    result = sweep(scenario, param, [8, 32], runs=2, seed=5, options=OPTIONS)
    assert [(v, s) for v, s, _ in result.rows] == [(8, 5), (8, 6), (32, 5), (32, 6)]
    it_power = result.kpi_matrix("mean_it_power_kw")
    assert it_power.shape == (2, 2)
    # Four times the racks draw clearly more IT power: the override really reached the engine.
    assert it_power[1].min() > 2 * it_power[0].max()


def test_dask_local_cluster_returns_exactly_what_the_process_pool_returns(scenario):
    pytest.importorskip("distributed")
    param = parse_param(scenario, "racks.count")
    values = [16, 32]
    with ProcessRunner(2) as pool:
        expected = sweep(scenario, param, values, runs=2, options=OPTIONS, runner=pool)
    with DaskRunner("local", 2) as dask:
        assert dask.n_workers == 2
        got = sweep(scenario, param, values, runs=2, options=OPTIONS, runner=dask)
    assert [(v, s) for v, s, _ in got.rows] == [(v, s) for v, s, _ in expected.rows]
    for (_, _, a), (_, _, b) in zip(got.rows, expected.rows, strict=True):
        assert a.kpis == b.kpis
        assert a.series["facility_power_kw"].tolist() == b.series["facility_power_kw"].tolist()
