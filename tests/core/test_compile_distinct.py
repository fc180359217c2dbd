"""Per-distinct-key compile columns (issue 13, big factories) equal the per-item formulas."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from aifactory_twin.catalog import catalog_embodied_kg, preset_node
from aifactory_twin.errors import ScenarioError
from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scene_templates
from aifactory_twin.schema import (
    ComputeRack,
    NodeBase,
    Pdu,
    Scenario,
    Vendor,
    make_edge,
    order_problems,
)
from aifactory_twin.sim import compile_scenario
from aifactory_twin.sim.compile import _rack_configurations, _racks_per_configuration
from aifactory_twin.sim.compile.compute import compile_racks, rack_capex_usd, rack_specs
from aifactory_twin.sim.compile.nodes import compile_nodes
from aifactory_twin.sim.models import supply as sup
from aifactory_twin.sim.models.distinct import first_of_each

START = datetime(2027, 1, 1)


def test_first_of_each_points_every_item_at_its_keys_first_item() -> None:
    rng = random.Random(7)
    keys = [(rng.randrange(5), rng.choice("ab")) for _ in range(500)]
    firsts, inverse = first_of_each(keys)
    assert firsts == sorted({keys.index(k) for k in keys})
    assert [keys[firsts[c]] for c in inverse.tolist()] == keys
    empty_firsts, empty_inverse = first_of_each([])
    assert empty_firsts == [] and empty_inverse.size == 0


def _mixed_racks() -> list[NodeBase]:
    rng = random.Random(3)
    nodes: list[NodeBase] = []
    for i in range(300):
        fields: dict[str, Any] = {
            "capex_usd": rng.choice([None, 0.0, 250_000.0]),
            "embodied_kg_co2e": rng.choice([None, 1200.0]),
            "failure_rate_per_gpu_hour": rng.choice([1e-5, 2e-5]),
            "repair_hours": rng.choice([2.0, 3.0]),
            "accelerators_per_unit": rng.choice([4, 8]),
            "delivery": {"lead_time_days": rng.choice([0.0, 7.5])},
        }
        if i % 50 == 7:
            fields["delivery"] = {"delivery_date": date(2027, 2, 1)}
        preset = rng.choice(["dgx_h100", "dgx_b200"])
        rack = preset_node(preset, f"r{i}", **fields)
        nodes.append(rack)
        if i % 60 == 0:
            nodes.append(Pdu(id=f"p{i}", delivery={"lead_time_days": 2.0}))
    return nodes


def _plain(node: NodeBase) -> float:
    return sup.plain_arrival_s(getattr(node, "delivery", None), START)


def test_node_columns_equal_the_per_node_formulas() -> None:
    nodes = _mixed_racks()
    racks = [(i, x) for i, x in enumerate(nodes) if isinstance(x, ComputeRack)]
    specs = rack_specs(racks)
    params = compile_nodes(nodes, START, racks, specs, seed=0)
    grouped = compile_nodes(nodes, START, racks, specs, 0, _rack_configurations(racks))
    for field in dataclasses.fields(params):
        np.testing.assert_equal(getattr(grouped, field.name), getattr(params, field.name))
    for (i, rack), spec in zip(racks, specs, strict=True):
        assert params.capex_per_unit_usd[i] == rack_capex_usd(rack, spec)
        assert params.fail_rate_per_unit_h[i] == (
            rack.failure_rate_per_gpu_hour * rack.accelerators_per_unit
        )
        assert params.repair_h[i] == rack.repair_hours
        own = rack.embodied_kg_co2e
        assert params.embodied_kg_per_unit[i] == (
            own if own is not None else catalog_embodied_kg(rack)[0]
        )
    expected = [_plain(x) for x in nodes]
    assert params.arrival_s.tolist() == expected
    assert params.count.tolist() == [float(x.count) for x in nodes]
    assert params.supply_seed is None


def test_vendor_orders_are_found_among_many_plain_deliveries() -> None:
    nodes = _mixed_racks()
    ordered = preset_node("dgx_h100", "ordered", delivery={"vendor": "oem"})
    stray = preset_node("dgx_h100", "stray", delivery={"vendor": "nobody"})
    nodes += [ordered, stray, Vendor(id="oem", lead_time_median_days=10.0)]
    problems = order_problems(nodes)
    assert [(path, node_id) for path, node_id, _ in problems] == [
        (f"nodes[{len(nodes) - 2}].delivery.vendor", "stray")
    ]
    nodes.pop(-2)
    arrival, _, positions = sup.supply_plan_and_orders(nodes, START, seed=0)
    assert positions == [len(nodes) - 2]
    assert arrival[len(nodes) - 2] > 0
    assert np.array_equal(arrival[:-2], [_plain(x) for x in nodes[:-2]])


def _scene() -> Scenario:
    return load_scenario(Path(scene_templates()["training-cluster-1k"]))


def test_network_edges_read_from_the_switch_end_whichever_way_drawn() -> None:
    scenario = _scene()
    flipped = [
        e.model_copy(update={"source": e.target, "target": e.source}) if e.kind == "network" else e
        for e in scenario.edges
    ]
    assert any(e.kind == "network" for e in flipped)
    base = compile_scenario(scenario).network.fabric
    other = compile_scenario(scenario.model_copy(update={"edges": flipped})).network.fabric
    for field in dataclasses.fields(base):
        np.testing.assert_equal(getattr(base, field.name), getattr(other, field.name))


def test_an_edge_to_no_node_names_the_edge_and_the_missing_end() -> None:
    scenario = _scene()
    ghost = make_edge("to-ghost", "support", scenario.nodes[0].id, "ghost")
    edges = [*scenario.edges, ghost]
    with pytest.raises(ScenarioError) as err:
        compile_scenario(scenario.model_copy(update={"edges": edges}))
    problem = err.value.problems[0]
    assert problem.path == f"edges[{len(edges) - 1}]"
    assert "'to-ghost' names unknown node 'ghost'" in problem.message


def test_rack_parameters_per_configuration_equal_rack_by_rack() -> None:
    """Racks that differ in names, places, groups and deliveries share their parameters; the
    spread arrays equal compiling every rack (so compile_racks must not read those fields)."""
    rng = random.Random(9)
    racks: list[tuple[int, ComputeRack]] = []
    for i in range(400):
        rack = preset_node(
            rng.choice(["dgx_h100", "dgx_b200"]),
            f"r{i}",
            name=f"rack {i}",
            group=rng.choice(["a", "hall-2"]),
            position={"x": float(i), "y": 0.0},
            delivery={"lead_time_days": rng.choice([0.0, 3.0])},
            cooling=rng.choice(["air", "direct_liquid"]),
            power_limit_w=rng.choice([None, 500.0]),
            host_idle_w=rng.choice([900.0, 1200.0]),
        )
        assert isinstance(rack, ComputeRack)
        racks.append((3 * i + 1, rack))
    specs = rack_specs(racks)
    groups = _rack_configurations(racks)
    assert groups is not None and len(groups[0]) < len(racks)
    shared = _racks_per_configuration(racks, specs, groups)
    direct = compile_racks(racks, specs)
    for field in dataclasses.fields(direct):
        got, want = getattr(shared, field.name), getattr(direct, field.name)
        assert got.dtype == want.dtype and np.array_equal(got, want), field.name


def test_an_unknown_accelerator_names_the_first_rack_that_has_it() -> None:
    scenario = _scene()
    rack_at = [i for i, x in enumerate(scenario.nodes) if isinstance(x, ComputeRack)]
    bad = {rack_at[-1]: "nope-b", rack_at[1]: "nope-a", rack_at[2]: "nope-a"}
    nodes = [
        x.model_copy(update={"accelerator": bad[i]}) if i in bad else x
        for i, x in enumerate(scenario.nodes)
    ]
    with pytest.raises(ScenarioError) as err:
        compile_scenario(scenario.model_copy(update={"nodes": nodes}))
    problem = err.value.problems[0]
    assert problem.path == f"nodes[{rack_at[1]}].accelerator"
    assert "'nope-a'" in problem.message
