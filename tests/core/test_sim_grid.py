"""Grid over time: carbon = Σ energy × the supplying feed's intensity, step by step.

Two feeds (the hall on one, the chiller on another), hourly price/carbon from a CSV beside the
scenario file, a French-grid run with nothing billed at the US default, bad series files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_sim_builders import edge, hall

from aifactory_twin.catalog import preset_node
from aifactory_twin.cli import main
from aifactory_twin.errors import ScenarioError
from aifactory_twin.io import load_scenario, save_scenario
from aifactory_twin.schema import Scenario
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.sim.models import grid

HOURS = 48


def _csv(folder: Path, name: str = "grid.csv") -> Path:
    rows = ["hour,price_usd_per_kwh,carbon_g_per_kwh"]
    rows += [f"{h},{0.04 + 0.002 * (h % 24):.3f},{120 + 15 * (h % 24)}" for h in range(HOURS)]
    path = folder / name
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _two_feeds(
    series: str | None, carbon_a: float = 367.0, carbon_b: float = 56.0, step_s: float = 3600.0
) -> Scenario:
    sc = hall("air", racks=4, settings={"horizon_s": HOURS * 3600.0, "step_s": step_s})
    nodes = [
        n.model_copy(update={"grid_series_path": series, "carbon_intensity_g_per_kwh": carbon_a})
        if n.id == "feed"
        else n
        for n in sc.nodes
    ]
    green = preset_node("grid_feed", "green", carbon_intensity_g_per_kwh=carbon_b)
    edges = [e for e in sc.edges if not (e.source == "feed" and e.target == "chiller")]
    edges.append(edge("power", "green", "chiller"))
    return sc.model_copy(update={"nodes": [*nodes, green], "edges": edges})


@pytest.mark.parametrize("step_s", [3600.0, 1800.0])
def test_carbon_is_energy_times_the_supplying_feeds_intensity_each_step(
    tmp_path: Path, step_s: float
) -> None:
    csv = _csv(tmp_path)
    sc = _two_feeds(csv.name, step_s=step_s).with_source_dir(str(tmp_path))
    eng = Engine(compile_scenario(sc), seed=0)
    led = eng.state.ledger
    series = grid.parse_grid_csv(csv.read_text(), str(csv))
    assert series.carbon_g_per_kwh is not None and series.price_usd_per_kwh is not None
    feeds = [eng.compiled.node_ids[i] for i in eng.compiled.power.feed_node]
    hall_feed, green = feeds.index("feed"), feeds.index("green")
    expected_kg = expected_usd = 0.0
    while not eng.done:
        before = led.feeds.energy_kwh.copy()
        t = eng.time_s
        eng.step()
        kwh = led.feeds.energy_kwh - before
        row = series.index_at(grid.seconds_of_year(eng.compiled.start_time, t))
        expected_kg += kwh[hall_feed] * series.carbon_g_per_kwh[row] / 1000.0
        expected_kg += kwh[green] * 56.0 / 1000.0
        expected_usd += kwh[hall_feed] * series.price_usd_per_kwh[row]
        expected_usd += kwh[green] * 0.0806
        # The step's price and intensity are public for per-workload accounting.
        assert led.grid is not None
        step_kwh = float(kwh.sum())
        step_kg = (kwh[hall_feed] * series.carbon_g_per_kwh[row] + kwh[green] * 56.0) / 1000.0
        assert led.grid.carbon_g_per_kwh * step_kwh / 1000.0 == pytest.approx(step_kg, rel=1e-12)
    k = eng.kpis()
    assert k["carbon_t_co2"] * 1000.0 == pytest.approx(expected_kg, rel=1e-12)
    assert k["energy_cost_usd"] == pytest.approx(expected_usd, rel=1e-12)
    # Every kWh is some feed's: nothing is billed at the settings' defaults.
    total_kwh = float(led.feeds.energy_kwh.sum())
    assert total_kwh == pytest.approx(k["facility_energy_mwh"] * 1000.0, rel=1e-12)
    assert float(led.feeds.carbon_kg.sum()) == pytest.approx(expected_kg, rel=1e-12)
    by_id = {f["id"]: f for f in k["feeds"]}
    assert by_id["green"]["carbon_t_co2"] == pytest.approx(
        by_id["green"]["energy_mwh"] * 56.0 / 1000.0, rel=1e-12
    )
    assert sum(f["energy_cost_usd"] for f in k["feeds"]) == pytest.approx(expected_usd)
    # The hourly series changed the answer (a constant 367 g on the hall feed gives more).
    const = Engine(compile_scenario(_two_feeds(None, step_s=step_s)), seed=0)
    const.run()
    assert const.kpis()["carbon_t_co2"] > k["carbon_t_co2"] * 1.1


def test_a_french_grid_run_is_billed_at_the_french_intensity_only() -> None:
    # Misc, no-load and switch/storage cooling load used to fall back to 367 g (US).
    eng = Engine(compile_scenario(_two_feeds(None, carbon_a=56.0, carbon_b=56.0)), seed=0)
    eng.run()
    k = eng.kpis()
    grams_per_kwh = k["carbon_t_co2"] * 1e6 / (k["facility_energy_mwh"] * 1000.0)
    assert grams_per_kwh == pytest.approx(56.0, rel=1e-12)
    assert eng.state.ledger.grid is not None
    assert eng.state.ledger.grid.carbon_g_per_kwh == pytest.approx(56.0, rel=1e-12)


def test_a_series_with_only_carbon_keeps_the_feeds_price(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("hour,carbon_g_per_kwh\n0,10\n1,30\n", encoding="utf-8")
    sc = _two_feeds("c.csv").with_source_dir(str(tmp_path))
    eng = Engine(compile_scenario(sc), seed=0)
    eng.run()
    plain = Engine(compile_scenario(_two_feeds(None)), seed=0)
    plain.run()
    assert eng.kpis()["energy_cost_usd"] == plain.kpis()["energy_cost_usd"]
    assert eng.kpis()["carbon_t_co2"] < plain.kpis()["carbon_t_co2"] / 3


def test_the_series_path_resolves_beside_the_saved_scenario(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    _csv(tmp_path / "data")
    save_scenario(_two_feeds("data/grid.csv"), tmp_path / "two.aift.json")
    loaded = load_scenario(tmp_path / "two.aift.json")
    c = compile_scenario(loaded)
    assert [s is not None for s in c.power.feed_series] == [True, False]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (None, "cannot read"),
        ("hour,carbon_g_per_kwh\n0,10\n1,x\n", "line 3"),
        ("hour,carbon_g_per_kwh\n0,10\n1,20\n3,30\n", "irregular step"),
        ("hour,watts\n0,1\n", "unknown column"),
    ],
)
def test_a_bad_series_names_the_file_the_line_and_the_feed(
    tmp_path: Path, text: str | None, said: str
) -> None:
    if text is not None:
        (tmp_path / "bad.csv").write_text(text, encoding="utf-8")
    sc = _two_feeds("bad.csv").with_source_dir(str(tmp_path))
    with pytest.raises(ScenarioError) as err:
        compile_scenario(sc)
    msg = str(err.value)
    assert said in msg and "bad.csv" in msg and 'grid_series_path (id "feed")' in msg


def test_the_cli_exits_2_without_a_traceback_on_a_bad_series(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.csv").write_text("hour,carbon_g_per_kwh\n0,-5\n", encoding="utf-8")
    path = tmp_path / "two.aift.json"
    save_scenario(_two_feeds("bad.csv"), path)
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "bad.csv" in err and "line 2" in err and '(id "feed")' in err
    json.dumps(err)  # plain text


def test_embodied_carbon_is_amortized_like_capex() -> None:
    from aifactory_twin.catalog import catalog_embodied_kg
    from aifactory_twin.sim.models import economics as eco

    sc = hall("air", racks=4, settings={"horizon_s": 86400.0, "step_s": 3600.0})
    eng = Engine(compile_scenario(sc), seed=0)
    eng.run()
    c = eng.compiled
    rack = c.index["rack"]
    # Catalog: 318 kgCO2e per accelerator slot (Chien et al. 2023), 8 per DGX H100.
    assert c.nodes.embodied_kg_per_unit[rack] == pytest.approx(8 * 318.0)
    assert c.nodes.embodied_kg_per_unit[c.index["crah"]] == 4500.0
    total_kg = sum(catalog_embodied_kg(n)[0] * n.count for n in sc.nodes)
    assert float(c.nodes.count @ c.nodes.embodied_kg_per_unit) == pytest.approx(total_kg)
    years = sc.settings.depreciation_years
    want_t = total_kg * 86400.0 / (years * eco.SECONDS_PER_YEAR) / 1000.0
    k = eng.kpis()
    assert k["embodied_carbon_t_co2"] == pytest.approx(want_t, rel=1e-9)
    # A unit's own figure wins over the catalog's.
    own = sc.model_copy(
        update={
            "nodes": [
                n.model_copy(update={"embodied_kg_co2e": 0.0}) if n.id == "rack" else n
                for n in sc.nodes
            ]
        }
    )
    low = Engine(compile_scenario(own), seed=0)
    low.run()
    assert low.kpis()["embodied_carbon_t_co2"] < k["embodied_carbon_t_co2"]


def test_capex_follows_the_cooling_type_unless_the_unit_sets_its_own() -> None:
    from aifactory_twin.schema import Override, Variant
    from aifactory_twin.study.assumptions import override_rows

    sc = hall("air", racks=4)
    change = [Override(target="crah", path="cooling_type", value="cdu")]
    sc = sc.model_copy(update={"variants": [Variant(name="cdu", overrides=change)]})
    crah = sc.nodes[[n.id for n in sc.nodes].index("crah")]
    base = compile_scenario(sc)
    cdu = compile_scenario(sc, "cdu")
    i = base.index["crah"]
    assert base.nodes.capex_per_unit_usd[i] == 50000.0
    assert cdu.nodes.capex_per_unit_usd[i] == 250000.0
    assert cdu.nodes.embodied_kg_per_unit[i] == 6000.0
    rows = {(r.target, r.path): r for r in override_rows(sc, change)}
    assert rows[("crah", "capex_usd")].value == "$250k (catalog)"
    assert rows[("crah", "capex_usd")].base_value == "$50.0k"
    # A price the user set stays, and no catalog row claims otherwise.
    mine = sc.model_copy(
        update={
            "nodes": [
                crah.model_copy(update={"capex_usd": 70000.0}) if n.id == "crah" else n
                for n in sc.nodes
            ]
        }
    )
    assert compile_scenario(mine, "cdu").nodes.capex_per_unit_usd[i] == 70000.0
    assert ("crah", "capex_usd") not in {(r.target, r.path) for r in override_rows(mine, change)}
