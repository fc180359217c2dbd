"""The parts of a CompiledScenario agree with each other on every sample scene.

Each part's per-item arrays have its item count, each edge group's arrays one length, and every
index array points inside what it indexes, so a part compiled on its own (``sim/compile/*``)
cannot drift out of step with the others.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scene_templates
from aifactory_twin.sim import CompiledScenario, compile_scenario

# Edge groups: the arrays of one group are indexed by the same edges, so have one length.
EDGE_GROUPS: dict[str, tuple[str, ...]] = {
    "plant.collector": (
        "collector_index",
        "collector_rack_index",
        "collector_weight",
        "collector_is_air",
    ),
    "plant.rejector": ("rejector_index", "rejector_collector_index", "rejector_weight"),
    "plant.condenser": ("condenser_index", "condenser_served_index", "condenser_weight"),
    "power.edge": ("edge_parent", "edge_child", "edge_split"),
    "storage.edge": ("edge_storage_index", "edge_rack_index"),
    "staff.support": ("support_team_index", "support_node"),
}
# index array → what it indexes: "nodes", or a part's anchor (``racks.node`` etc.).
INDEXES: dict[str, str] = {
    "racks.node": "nodes",
    "plant.unit_node": "nodes",
    "power.edge_parent": "nodes",
    "power.edge_child": "nodes",
    "power.feed_node": "nodes",
    "network.switch_node": "nodes",
    "storage.node": "nodes",
    "staff.team_node": "nodes",
    "staff.support_node": "nodes",
    "cloud.node": "nodes",
    "plant.collector_index": "plant.unit_node",
    "plant.collector_rack_index": "racks.node",
    "plant.rejector_index": "plant.unit_node",
    "plant.rejector_collector_index": "plant.unit_node",
    "plant.condenser_index": "plant.unit_node",
    "plant.condenser_served_index": "plant.unit_node",
    "storage.edge_storage_index": "storage.node",
    "storage.edge_rack_index": "racks.node",
    "staff.support_team_index": "staff.team_node",
}
# Per-item arrays of a part have the length of its anchor (rack arrays: racks.node, …).
ANCHORS: dict[str, str] = {
    "nodes": "nodes",
    "racks": "racks.node",
    "plant": "plant.unit_node",
    "network": "network.switch_node",
    "storage": "storage.node",
    "staff": "staff.team_node",
    "cloud": "cloud.node",
}
PER_RACK_IN_PLANT = ("rack_has_collector", "rack_supply_c", "rack_room")


def _get(c: CompiledScenario, dotted: str) -> np.ndarray:
    part, name = dotted.split(".")
    arr: np.ndarray = getattr(getattr(c, part), name)
    return arr


def _size(c: CompiledScenario, what: str) -> int:
    return c.n_nodes if what == "nodes" else int(_get(c, what).shape[0])


@pytest.fixture(scope="module", params=sorted(scene_templates()))
def compiled(request: pytest.FixtureRequest) -> CompiledScenario:
    return compile_scenario(load_scenario(scene_templates()[request.param]), horizon_s=3600.0)


def test_per_item_arrays_have_their_parts_length(compiled: CompiledScenario) -> None:
    in_edges = {f"{g.split('.')[0]}.{f}" for g, names in EDGE_GROUPS.items() for f in names}
    for part, anchor in ANCHORS.items():
        n = _size(compiled, anchor)
        for f in fields(getattr(compiled, part)):
            dotted = f"{part}.{f.name}"
            value = getattr(getattr(compiled, part), f.name)
            if not isinstance(value, np.ndarray) or dotted in in_edges:
                continue
            if dotted == "power.feed_price_by_hour":
                assert value.shape == (_size(compiled, "power.feed_node"), 24)
            elif part == "power" and f.name.startswith("feed_"):
                assert value.shape[0] == _size(compiled, "power.feed_node"), dotted
            elif part == "plant" and f.name in PER_RACK_IN_PLANT:
                assert value.shape[0] == _size(compiled, "racks.node"), dotted
            elif part != "power" or f.name in ("efficiency", "rating_kw", "has_parent"):
                assert value.shape[0] == n, dotted
    assert len(compiled.staff.coverage) == _size(compiled, "staff.team_node")


def test_edge_groups_agree_and_indices_point_inside(compiled: CompiledScenario) -> None:
    for group, names in EDGE_GROUPS.items():
        part = group.split(".")[0]
        lengths = {_get(compiled, f"{part}.{name}").shape[0] for name in names}
        assert len(lengths) == 1, group
    for dotted, target in INDEXES.items():
        idx = _get(compiled, dotted)
        assert idx.dtype == np.int64, dotted
        if idx.size:
            assert idx.min() >= 0 and idx.max() < _size(compiled, target), dotted


def test_each_part_names_nodes_of_its_kind(compiled: CompiledScenario) -> None:
    kinds = compiled.node_kinds
    for dotted, kind in (
        ("racks.node", "compute_rack"),
        ("plant.unit_node", "cooling_unit"),
        ("network.switch_node", "network_switch"),
        ("storage.node", "storage"),
        ("staff.team_node", "staff_team"),
        ("cloud.node", "cloud_burst"),
        ("power.feed_node", "power_feed"),
    ):
        assert set(kinds[_get(compiled, dotted)].tolist()) <= {kind}, dotted
