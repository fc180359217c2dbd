"""Cooling plant chain: rack → CRAH → chiller → cooling tower; the tower's fans and water count."""

from __future__ import annotations

import numpy as np
import pytest
from test_sim_builders import edge, hall

from aifactory_twin.catalog import preset_node
from aifactory_twin.schema import Scenario
from aifactory_twin.sim import Engine, compile_scenario


def _with_tower(reverse: bool = False, tower_fan: float | None = None) -> Scenario:
    """The air hall with a water-cooled chiller whose condenser heat goes to a tower."""
    sc = hall("air", racks=16)
    chiller = preset_node("chiller_water", "chiller", count=1)
    over = {} if tower_fan is None else {"fan_pump_power_fraction": tower_fan}
    tower = preset_node("cooling_tower", "tower", count=1, **over)
    nodes = [chiller if n.id == "chiller" else n for n in sc.nodes] + [tower]
    link = edge("coolant", "chiller", "tower") if reverse else edge("coolant", "tower", "chiller")
    edges = [*sc.edges, link, edge("power", "feed", "tower")]
    return sc.model_copy(update={"nodes": nodes, "edges": edges})


def _run(sc: Scenario, hours: float = 6.0) -> Engine:
    eng = Engine(compile_scenario(sc, horizon_s=hours * 3600.0, step_s=600.0), seed=0)
    eng.run()
    return eng


def test_tower_behind_a_chiller_rejects_its_heat_and_compressor_work() -> None:
    eng = _run(_with_tower(), hours=1.0 / 6.0)  # one step
    c = eng.compiled
    s = eng.state
    heat_kw = s.view_inputs.unit_heat_kw if s.view_inputs is not None else np.zeros(0)
    k_chiller = int(np.flatnonzero(c.plant.unit_node == c.index["chiller"])[0])
    k_tower = int(np.flatnonzero(c.plant.unit_node == c.index["tower"])[0])
    assert heat_kw[k_chiller] > 100.0
    expected = heat_kw[k_chiller] * (1.0 + 1.0 / s.thermal.cop_now[k_chiller])
    assert heat_kw[k_tower] == pytest.approx(expected, rel=1e-12)
    # Water: the tower's WUE (§3.5) over the heat it rejected in the step.
    water_l = heat_kw[k_tower] * c.step_s / 3600.0 * c.plant.wue_l_per_kwh[k_tower]
    assert eng.kpis()["water_m3"] == pytest.approx(water_l / 1000.0, rel=1e-9)


def test_tower_fans_count_in_cooling_power_and_water_is_reported() -> None:
    with_fans = _run(_with_tower()).kpis()
    no_fans = _run(_with_tower(tower_fan=0.0)).kpis()
    assert with_fans["water_m3"] > 0.3  # ~190 kW to the tower for 6 h at 0.8 L/kWh
    assert with_fans["cooling_energy_mwh"] > no_fans["cooling_energy_mwh"] * 1.02
    # Without a tower (air-cooled chiller, WUE 0) the hall uses no water.
    assert _run(hall("air", racks=16)).kpis()["water_m3"] == 0.0


def test_plant_edges_may_be_drawn_either_way() -> None:
    forward = _run(_with_tower()).kpis()
    backward = _run(_with_tower(reverse=True)).kpis()
    for key in ("water_m3", "cooling_energy_mwh", "facility_energy_mwh", "pue"):
        assert backward[key] == forward[key]
    # A CRAH → chiller edge (drawn against the flow) still puts the chiller behind the CRAH.
    sc = hall("air", racks=16)
    flipped = [
        edge("coolant", "crah", "chiller") if (e.source, e.target) == ("chiller", "crah") else e
        for e in sc.edges
    ]
    a = _run(sc).kpis()
    b = _run(sc.model_copy(update={"edges": flipped})).kpis()
    assert b["cooling_energy_mwh"] == a["cooling_energy_mwh"]
