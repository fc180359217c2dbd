"""Weather in the engine: climate presets and EPW files, towers on the wet bulb, economizers,
free-cooling hours, tower water and the monthly PUE curve (issue 10)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_sim_builders import edge

from aifactory_twin.catalog import preset_node
from aifactory_twin.cli import main
from aifactory_twin.errors import ScenarioError
from aifactory_twin.io import load_scenario, save_scenario
from aifactory_twin.schema import AmbientProfile, NodeBase, Scenario, Settings, TrainingJob
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.sim.models import economics as eco
from aifactory_twin.sim.models import economizer as ec
from aifactory_twin.sim.models import weather as wx

DAY = 86400.0
YEAR = 365 * DAY


def _plant(
    economizer: str = "none",
    climate: str | None = None,
    horizon_s: float = 2 * DAY,
    step_s: float = 3600.0,
    tower_wue: float | None = None,
    weather_file: str | None = None,
) -> Scenario:
    """An air hall (CRAHs) on a water-cooled chiller with a tower behind it, fully loaded."""
    rack = preset_node("dgx_h100", "racks", count=20)
    col = preset_node("crah", "col", count=2)
    chiller = preset_node(
        "chiller_water_vsd", "chiller", count=1, economizer=economizer, free_cooling_below_c=None
    )
    extra = {} if tower_wue is None else {"wue_l_per_kwh": tower_wue}
    tower = preset_node("cooling_tower", "tower", count=1, **extra)
    feed = preset_node("grid_feed", "feed", power_rating_kw=2000.0)
    nodes: list[NodeBase] = [rack, col, chiller, tower, feed]
    edges = [
        edge("coolant", "col", "racks"),
        edge("coolant", "chiller", "col"),
        edge("coolant", "tower", "chiller"),
        edge("power", "feed", "racks"),
        edge("power", "feed", "col"),
        edge("power", "feed", "chiller"),
        edge("power", "feed", "tower"),
    ]
    gpus = 20 * rack.accelerators_per_unit  # type: ignore[attr-defined]
    job = TrainingJob(id="job", accelerators_requested=gpus, total_flops=1e30)
    settings = Settings(
        horizon_s=horizon_s,
        step_s=step_s,
        ambient=AmbientProfile(climate=climate, weather_file=weather_file),
    )
    return Scenario(settings=settings, nodes=nodes, edges=edges, workloads=[job])


def _run(sc: Scenario) -> tuple[Engine, dict[str, Any]]:
    eng = Engine(compile_scenario(sc), seed=0)
    eng.run()
    return eng, eng.kpis()


# -- the weather the engine sees ---------------------------------------------------------------


def test_without_a_climate_the_daily_sine_runs_as_before() -> None:
    eng, _ = _run(_plant(horizon_s=DAY))
    amb = eng.compiled.scenario.settings.ambient
    assert eng.compiled.weather is None
    got = eng.recorder.series("ambient_c")
    want = [
        eco.ambient_c(amb.mean_c, amb.daily_amplitude_c, amb.peak_hour, h % 24) for h in range(24)
    ]
    assert np.allclose(got[:24], want)
    # The plain sine's towers see a wet bulb 8 K under the dry bulb (estimate, as before).
    assert eng.state.outdoor[1] == eng.state.outdoor[0] - 8.0


def test_climate_preset_drives_dry_and_wet_bulb() -> None:
    eng, _ = _run(_plant(climate="stockholm_se", horizon_s=DAY))
    year = wx.climate_year("stockholm_se")
    got = eng.recorder.series("ambient_c")
    assert got[5] == pytest.approx(year.dry_c[5])
    dry, wet = eng.state.outdoor
    assert (dry, wet) == pytest.approx(year.at(23 * 3600.0))
    assert wet < dry


def test_unknown_climate_is_an_error_naming_the_field() -> None:
    with pytest.raises(ScenarioError) as err:
        compile_scenario(_plant(climate="atlantis"))
    problem = err.value.problems[0]
    assert problem.path == "settings.ambient.climate"
    assert "stockholm_se" in problem.message


def _epw(rows: int = 8760, bad_at: int | None = None) -> str:
    head = ["LOCATION,Test,,,,,0,0,0,0"] + ["X"] * 7
    body = []
    for i in range(rows):
        t = 10.0 + 10.0 * math.sin(2 * math.pi * i / 8760)
        line = f"2001,1,1,{i % 24 + 1},60,X,{t:.1f},{t - 5:.1f},70,101325,0,0,0"
        body.append("2001,1,1,1,60,X,hot,5,70,101325" if i == bad_at else line)
    return "\n".join(head + body) + "\n"


def test_epw_file_resolves_next_to_the_scenario_file(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "weather.epw").write_text(_epw(), encoding="utf-8")
    save_scenario(_plant(weather_file="weather.epw", horizon_s=DAY), folder / "s.aift.json")
    sc = load_scenario(folder / "s.aift.json")
    eng, _ = _run(sc)
    assert eng.compiled.weather is not None
    assert eng.recorder.series("ambient_c")[0] == pytest.approx(10.0)
    # The file wins over a preset.
    amb = sc.settings.ambient.model_copy(update={"climate": "phoenix_az"})
    both = sc.model_copy(update={"settings": sc.settings.model_copy(update={"ambient": amb})})
    c = compile_scenario(both.with_source_dir(sc.source_dir))
    assert c.weather is not None and c.weather.dry_c[0] == pytest.approx(10.0)


def test_bad_epw_row_names_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.epw").write_text(_epw(bad_at=100), encoding="utf-8")
    save_scenario(_plant(weather_file="bad.epw", horizon_s=DAY), tmp_path / "s.aift.json")
    with pytest.raises(ScenarioError) as err:
        compile_scenario(load_scenario(tmp_path / "s.aift.json"))
    problem = err.value.problems[0]
    assert problem.path == "settings.ambient.weather_file"
    assert problem.file.endswith("bad.epw")
    assert "line 109" in problem.message  # 8 header lines + row 101
    code = main(["run", str(tmp_path / "s.aift.json"), "--out", str(tmp_path / "o"), "-q"])
    err_text = capsys.readouterr().err
    assert code == 2
    assert "bad.epw" in err_text and "line 109" in err_text and "Traceback" not in err_text


def test_missing_epw_file_is_an_error(tmp_path: Path) -> None:
    sc = _plant(weather_file="nowhere.epw").with_source_dir(str(tmp_path))
    with pytest.raises(ScenarioError) as err:
        compile_scenario(sc)
    assert err.value.problems[0].path == "settings.ambient.weather_file"
    assert "nowhere.epw" in err.value.problems[0].message


# -- towers, economizers, water ------------------------------------------------------------------


def test_towers_follow_the_wet_bulb() -> None:
    # A June afternoon: Singapore's wet bulb (≈ 26 °C) is far above Phoenix's (≈ 19 °C) though
    # Phoenix is much hotter: a 29 °C tower loses more capacity in Singapore.
    caps = {}
    for climate in ("singapore", "phoenix_az"):
        sc = _plant(climate=climate, horizon_s=DAY)
        start = sc.settings.start_time.replace(month=6, hour=14)
        settings = sc.settings.model_copy(update={"start_time": start})
        eng = Engine(compile_scenario(sc.model_copy(update={"settings": settings})), seed=0)
        eng.step()
        k = eng.compiled.plant.is_tower
        cap_w = eng.state.thermal.cache.capacity_w
        assert cap_w is not None
        dry, wet = eng.state.outdoor
        want = min(max((29.0 - wet) / 5.0, 0.0), 1.0) * 5000.0 * 1000.0
        assert float(cap_w[k][0]) == pytest.approx(want)
        caps[climate] = (float(cap_w[k][0]), dry)
    assert caps["phoenix_az"][1] > caps["singapore"][1]  # Phoenix is hotter (dry bulb) ...
    assert caps["phoenix_az"][0] > caps["singapore"][0]  # ... but its tower carries more


def test_water_cooled_chiller_plant_reports_tower_water() -> None:
    # A tower that names no water use evaporates by the 1.8 L/kWh rule of thumb.
    _, k = _run(_plant(tower_wue=0.0, climate="ashburn_va", horizon_s=DAY))
    assert k["tower_water_m3"] > 0
    assert k["water_m3"] == pytest.approx(k["tower_water_m3"])
    _, k2 = _run(_plant(tower_wue=0.8, climate="ashburn_va", horizon_s=DAY))
    assert k2["tower_water_m3"] == pytest.approx(k["tower_water_m3"] * 0.8 / 1.8, rel=1e-6)


def test_economizer_share_is_full_partial_and_off() -> None:
    kind = np.array([ec.WATER_SIDE, ec.AIR_SIDE, ec.EVAPORATIVE, ec.NONE], dtype=np.int8)
    chw = np.full(4, 18.0)
    air = np.full(4, 24.0)
    tower = np.array([True, False, False, False])
    cold, _ = ec.free_share(kind, 0.0, -2.0, chw, air, tower)
    assert list(cold) == [1.0, 1.0, 1.0, 0.0]
    hot, water = ec.free_share(kind, 45.0, 40.0, chw, air, tower)  # hot and humid
    assert list(hot) == [0.0, 0.0, 0.0, 0.0] and not water.any()
    mid, water = ec.free_share(kind, 30.0, 16.0, chw, air, tower)
    # Water side: 16 + 3.9 + 1.7 = 21.6 °C against 18 → 24 °C: partial.
    assert mid[0] == pytest.approx((24.0 - 21.6) / 6.0)
    # Air side: 31 °C outdoor air against 24 → 39 °C return: partial; evaporative does better
    # and spends water for it.
    assert 0.0 < mid[1] < mid[2] <= 1.0
    assert water[2] > 0 and water[1] == 0
    # Humid outdoor air (dew point ≈ 26 °C, above ASHRAE A1's 17 °C) is locked out, even where
    # its temperature alone would help; the water side does not care.
    humid, water = ec.free_share(kind, 28.0, 26.5, chw, air, tower)
    assert humid[1] == humid[2] == 0.0 and not water.any()
    assert list(ec.free_share(kind, 28.0, 16.0, chw, air, tower)[0][1:3] > 0) == [True, True]


def test_dew_point_from_dry_and_wet_bulb_round_trips() -> None:
    t = np.array([30.0, 10.0, 35.0])
    dew = wx.dew_point_c(t, np.array([40.0, 80.0, 20.0]))
    wet = wx.wet_bulb_c(t, dew, np.full(3, wx.STANDARD_PRESSURE_PA))
    assert np.allclose(wx.dew_point_from_wet_c(t, wet), dew, atol=0.05)


@pytest.mark.parametrize("economizer", ["water_side", "air_side", "evaporative"])
def test_economizer_cuts_chiller_power_in_the_cold(economizer: str) -> None:
    cold = _plant(economizer=economizer, climate="stockholm_se", horizon_s=DAY)
    _, with_econ = _run(cold)
    _, without = _run(_plant(climate="stockholm_se", horizon_s=DAY))
    assert with_econ["cooling_energy_mwh"] < without["cooling_energy_mwh"]
    assert with_econ["free_cooling_hours"] == pytest.approx(24.0)  # January: all free
    assert without["free_cooling_hours"] == 0.0
    assert with_econ["it_energy_mwh"] == pytest.approx(without["it_energy_mwh"])


def test_economizer_only_on_chillers() -> None:
    sc = _plant()
    nodes = [
        n.model_copy(update={"economizer": "air_side"}) if n.id == "col" else n for n in sc.nodes
    ]
    with pytest.raises(ScenarioError) as err:
        compile_scenario(sc.model_copy(update={"nodes": nodes}))
    assert err.value.problems[0].path.endswith(".economizer")


# -- a year: seasonal PUE, climates, conservation ------------------------------------------------


def _monthly_pue(k: dict[str, Any]) -> list[float]:
    return [row["pue"] for row in k["monthly"]]


def test_air_economizer_plant_in_a_cool_climate_beats_a_hot_one() -> None:
    _, cool = _run(_plant("air_side", "stockholm_se", horizon_s=YEAR, step_s=6 * 3600.0))
    _, hot = _run(_plant("air_side", "phoenix_az", horizon_s=YEAR, step_s=6 * 3600.0))
    assert cool["pue"] <= hot["pue"]
    assert cool["free_cooling_hours"] > hot["free_cooling_hours"]
    assert all(c["pue"] <= h["pue"] for c, h in zip(cool["monthly"], hot["monthly"], strict=True))


def test_a_year_at_hourly_steps_shows_the_seasonal_curve() -> None:
    eng, k = _run(_plant("water_side", "stockholm_se", horizon_s=YEAR))
    assert len(k["monthly"]) == 12 and k["monthly"][0]["month"] == "2027-01"
    pue = _monthly_pue(k)
    assert pue[6] > pue[0]  # July above January in Stockholm
    assert min(pue[5:8]) > max(pue[0], pue[1], pue[11])
    free = [row["free_cooling_hours"] for row in k["monthly"]]
    assert free[0] > free[6]
    total_it = sum(row["it_energy_mwh"] for row in k["monthly"])
    assert total_it == pytest.approx(k["it_energy_mwh"], rel=1e-9)
    assert sum(free) == pytest.approx(k["free_cooling_hours"], rel=1e-9)
    assert eng.state.seasons.tower_water_l > 0


def test_cli_writes_monthly_csv_and_climate_override(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    save_scenario(_plant("water_side", horizon_s=62 * DAY, step_s=6 * 3600.0), tmp_path / "s.json")
    out = tmp_path / "o"
    args = ["run", str(tmp_path / "s.json"), "--out", str(out), "-q", "--climate", "dublin_ie"]
    assert main(args) == 0
    lines = (out / "monthly.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("month,hours,it_energy_mwh,facility_energy_mwh")
    assert [line.split(",")[0] for line in lines[1:]] == ["2027-01", "2027-02", "2027-03"]
    kpis = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert kpis["monthly"][0]["mean_dry_bulb_c"] < 8.0  # Dublin in January, not the sine's 18
    assert main([*args[:-1], "narnia"]) == 2
    capsys.readouterr()
    assert main([*args[:-3], "--climate", "dublin_ie"]) == 0  # not quiet: the table
    table = capsys.readouterr().out
    assert "Monthly PUE" in table and "27-01 " in table and "27-03 " in table
    assert "Free-cooling hours" in table and "Tower water" in table


@pytest.mark.parametrize(("step_s", "horizon_s"), [(1.0, 1800.0), (3600.0, 20 * DAY)])
def test_heat_is_conserved_on_the_economizer_path(step_s: float, horizon_s: float) -> None:
    sc = _plant("evaporative", "frankfurt_de", horizon_s=horizon_s, step_s=step_s)
    eng = Engine(compile_scenario(sc), seed=0)
    th = eng.state.thermal
    while eng.time_s < horizon_s - 1e-9:
        eng.step()
        stored = float(np.sum(th.heat_cap_node * (th.temp_c - th.temp0_c)))
        assert abs(th.heat_in_j - th.heat_removed_j - stored) <= 1e-9 * max(th.heat_in_j, 1.0)
        out = eng.state.ledger.out
        # Facility power covers IT and cooling; cooling never negative.
        assert out["cooling_power_kw"] >= 0.0
        assert out["facility_power_kw"] >= out["it_power_kw"] + out["cooling_power_kw"] - 1e-9
    k = eng.kpis()
    assert k["free_cooling_hours"] is not None and k["free_cooling_hours"] > 0
