"""Graph export and analyses: networkx attributes, reachability, N+1 redundancy."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from strategies import scenarios

from aifactory_twin.graph import (
    heat_rejection_reachable,
    power_reachable,
    rated_load_kw,
    to_networkx,
)
from aifactory_twin.kinds import NEEDS_POWER_KINDS
from aifactory_twin.schema import (
    AcceleratorSpec,
    ComputeRack,
    CoolingUnit,
    Edge,
    NetworkSwitch,
    Pdu,
    PowerFeed,
    PriceSchedule,
    Scenario,
    StaffTeam,
    Storage,
    Ups,
)


def _edge(edge_id: str, kind: str, source: str, target: str) -> Edge:
    return Edge(id=edge_id, kind=kind, source=source, target=target)  # type: ignore[arg-type]


def _scene(nodes: list[Any], edges: list[tuple[str, str, str, str]]) -> Scenario:
    return Scenario.model_construct(nodes=nodes, edges=[_edge(*e) for e in edges])


# ------------------------------------------------------------------------- networkx
def test_to_networkx_nodes_carry_kind_and_flattened_scalar_fields() -> None:
    spec = AcceleratorSpec(name="X1", tdp_w=700, idle_w=90, peak_bf16_tflops=990)
    scenario = _scene(
        [
            PowerFeed(
                id="feed",
                price=PriceSchedule(time_of_use=[{"start_hour": 0, "price_usd_per_kwh": 0.1}]),
            ),
            ComputeRack(
                id="r1", name="Rack 1", count=3, accelerator=spec, position={"x": 5, "y": 6}
            ),
        ],
        [("p1", "power", "feed", "r1"), ("bad", "power", "feed", "ghost")],
    )
    graph = to_networkx(scenario)
    assert isinstance(graph, nx.MultiDiGraph)
    rack = graph.nodes["r1"]
    assert rack["kind"] == "compute_rack" and rack["name"] == "Rack 1" and rack["count"] == 3
    assert rack["position.x"] == 5.0 and rack["position.y"] == 6.0
    assert rack["accelerator.tdp_w"] == 700.0 and rack["accelerator.name"] == "X1"
    assert rack["delivery.lead_time_days"] == 0.0
    assert "capex_usd" not in rack  # None has no GraphML form
    assert all(
        isinstance(v, bool | int | float | str)
        for _, data in graph.nodes(data=True)
        for v in data.values()
    )
    feed = graph.nodes["feed"]
    assert feed["price.flat_usd_per_kwh"] == pytest.approx(0.0806)
    assert "price.time_of_use" not in feed
    assert list(graph.edges(keys=True, data=True)) == [("feed", "r1", "p1", {"kind": "power"})]
    assert "ghost" not in graph


def test_to_networkx_keeps_parallel_edges_by_id() -> None:
    scenario = _scene(
        [CoolingUnit(id="crah"), ComputeRack(id="r1")],
        [("a", "coolant", "crah", "r1"), ("b", "coolant", "crah", "r1")],
    )
    graph = to_networkx(scenario)
    assert sorted(graph["crah"]["r1"]) == ["a", "b"]
    assert graph.number_of_edges() == 2


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_to_networkx_mirrors_every_node_and_edge(scenario: Scenario) -> None:
    graph = to_networkx(scenario)
    assert list(graph.nodes) == [n.id for n in scenario.nodes]
    assert sorted(k for _, _, k in graph.edges(keys=True)) == sorted(e.id for e in scenario.edges)
    for node in scenario.nodes:
        assert graph.nodes[node.id]["kind"] == node.kind  # type: ignore[attr-defined]
        assert graph.nodes[node.id]["count"] == node.count


# --------------------------------------------------------------------- reachability
def test_power_reachability_follows_feed_ups_pdu_chain() -> None:
    scenario = _scene(
        [
            PowerFeed(id="feed"),
            Ups(id="ups"),
            Pdu(id="pdu"),
            Pdu(id="orphan-pdu"),
            ComputeRack(id="r1"),
            ComputeRack(id="r2"),
            ComputeRack(id="r3"),
            NetworkSwitch(id="sw"),
            StaffTeam(id="ops"),
        ],
        [
            ("a", "power", "feed", "ups"),
            ("b", "power", "ups", "pdu"),
            ("c", "power", "pdu", "r1"),
            ("d", "power", "orphan-pdu", "r2"),
            ("e", "power", "r3", "pdu"),  # wrong direction: refused, so it powers nothing
            ("f", "power", "pdu", "sw"),
        ],
    )
    assert power_reachable(scenario) == {
        "ups": True,
        "pdu": True,
        "orphan-pdu": False,
        "r1": True,
        "r2": False,
        "r3": False,
        "sw": True,
    }


def test_heat_rejection_reachability() -> None:
    scenario = _scene(
        [
            CoolingUnit(id="chiller", cooling_type="chiller", cop=6.1),
            CoolingUnit(id="cdu", cooling_type="cdu"),
            CoolingUnit(id="cdu2", cooling_type="cdu"),
            CoolingUnit(id="crah", cooling_type="crah"),
            CoolingUnit(id="hx", cooling_type="rear_door_hx"),
            ComputeRack(id="r1"),
            ComputeRack(id="r2"),
            ComputeRack(id="r3"),
        ],
        [
            ("a", "coolant", "chiller", "cdu"),
            ("b", "coolant", "cdu", "hx"),  # chiller → cdu → hx: hx is backed too
            ("c", "coolant", "cdu", "r1"),
            ("d", "coolant", "cdu2", "r2"),
            ("e", "coolant", "crah", "r2"),
        ],
    )
    assert heat_rejection_reachable(scenario) == {
        "cdu": True,
        "cdu2": False,
        "crah": False,
        "hx": True,
    }


# ---------------------------------------------------------------------------- ratings
def test_rated_load_of_each_kind() -> None:
    assert rated_load_kw(ComputeRack(id="r", count=2, power_rating_kw=10)) == 20.0
    assert rated_load_kw(NetworkSwitch(id="s", count=4, power_w=1500)) == 6.0
    assert rated_load_kw(Storage(id="st", power_kw=20)) == 20.0
    chiller = CoolingUnit(id="c", cooling_type="chiller", nominal_cooling_capacity_kw=610, cop=6.1)
    assert rated_load_kw(chiller) == pytest.approx(100.0)
    crah = CoolingUnit(
        id="h", nominal_cooling_capacity_kw=150, fan_pump_power_fraction=0.05, count=2
    )
    assert rated_load_kw(crah) == pytest.approx(15.0)
    assert rated_load_kw(StaffTeam(id="t")) == 0.0


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_analyses_cover_exactly_the_nodes_they_promise(scenario: Scenario) -> None:
    kinds = {n.id: n.kind for n in scenario.nodes}  # type: ignore[attr-defined]
    cooling = {i for i, k in kinds.items() if k == "cooling_unit"}
    assert set(heat_rejection_reachable(scenario)) <= cooling
    assert set(power_reachable(scenario)) == {i for i, k in kinds.items() if k in NEEDS_POWER_KINDS}
