"""Cooling-mode mismatches are errors naming the rack and the cooling unit (issue 10)."""

from __future__ import annotations

import random

import pytest
from test_sim_builders import hall

from aifactory_twin.graph import FactoryIndex
from aifactory_twin.rules import check
from aifactory_twin.rules_cooling import _rack_mismatches, cooling_mode_mismatches
from aifactory_twin.schema import ComputeRack, CoolingUnit, Scenario, make_edge


def _errors(sc: Scenario) -> list[str]:
    return [f"{f.code}: {f.message}" for f in check(sc) if f.severity == "error"]


def _with(sc: Scenario, node_id: str, **update: object) -> Scenario:
    nodes = [n.model_copy(update=update) if n.id == node_id else n for n in sc.nodes]
    return sc.model_copy(update={"nodes": nodes})


def test_matching_modes_validate_clean() -> None:
    for cooling in ("air", "dlc", "immersion"):
        assert _errors(hall(cooling)) == [], cooling


def test_air_cooled_servers_on_a_cdu_are_an_error_naming_both() -> None:
    sc = _with(hall("air"), "crah", cooling_type="cdu")
    (err,) = _errors(sc)
    assert err.startswith("cooling-mode-mismatch")
    assert "'rack'" in err and "CDU 'crah'" in err and "air-cooled" in err


def test_immersion_servers_on_a_crah_are_an_error() -> None:
    sc = _with(hall("air"), "rack", cooling="immersion")
    (err,) = _errors(sc)
    assert "immersion servers" in err and "crah 'crah'" in err


def test_air_servers_in_an_immersion_tank_are_an_error() -> None:
    sc = _with(hall("immersion"), "rack", cooling="air")
    (err,) = _errors(sc)
    assert "immersion tank 'tank'" in err and "'rack'" in err


def test_cold_plate_servers_without_a_cdu_are_an_error() -> None:
    sc = _with(hall("air"), "rack", cooling="direct_liquid")
    (err,) = _errors(sc)
    assert err.startswith("liquid-rack-no-cdu") and "'crah'" in err


def test_server_fan_energy_follows_the_cooling_mode() -> None:
    from aifactory_twin.sim import Engine, compile_scenario

    shares = {}
    for cooling in ("air", "dlc", "immersion"):
        sc = hall(cooling, storage_gbs=None, fabric=False)
        eng = Engine(compile_scenario(sc), seed=0)
        eng.run()
        k = eng.kpis()
        shares[cooling] = k["server_fan_energy_mwh"] / k["it_energy_mwh"]
        if cooling != "immersion":
            assert k["pue_fans_as_facility"] > k["pue"]
        else:
            assert k["pue_fans_as_facility"] == k["pue"]
    # Racks are all the IT load here: 8 % of their power with air, 2 % on cold plates.
    assert shares["air"] == pytest.approx(0.08)
    assert shares["dlc"] == pytest.approx(0.02)
    assert shares["immersion"] == 0.0


def test_grouped_verdicts_equal_judging_every_rack_on_its_own() -> None:
    """Many racks, random modes and feeders (one id repeated): the per-(mode, units) verdicts
    the check shares give exactly the findings of judging each rack in full."""
    rng = random.Random(11)
    units = [
        CoolingUnit(id=f"u{k}", cooling_type=rng.choice(["crah", "cdu", "immersion_tank"]))
        for k in range(6)
    ]
    racks = [
        ComputeRack(id=f"r{j % 190}", cooling=rng.choice(["air", "direct_liquid", "immersion"]))
        for j in range(200)
    ]
    edges = [
        make_edge(f"e{j}-{k}", "coolant", f"u{k}", rack.id)
        for j, rack in enumerate(racks)
        for k in rng.sample(range(6), rng.choice([0, 1, 1, 1, 2]))
    ]
    sc = Scenario(nodes=[*units, *racks], edges=edges)
    idx = FactoryIndex(sc)
    expected = []
    for i, node in enumerate(sc.nodes):
        if isinstance(node, ComputeRack):
            feeders = idx.predecessors("coolant", node.id)
            expected += _rack_mismatches(node, idx, feeders, f"nodes[{i}].cooling")
    assert any(expected)
    assert cooling_mode_mismatches(sc, idx) == expected


def test_racks_without_any_coolant_edge_have_no_mismatch() -> None:
    sc = Scenario(nodes=[ComputeRack(id="a"), ComputeRack(id="b", cooling="immersion")])
    assert cooling_mode_mismatches(sc, FactoryIndex(sc)) == []
