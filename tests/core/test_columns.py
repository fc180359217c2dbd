"""Node and edge columns shared by the load's rules and the compiler (issue 13, big factories)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from aifactory_twin.columns import EDGE_KIND_CODE, columns
from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scene_templates
from aifactory_twin.schema import Pdu, Scenario, make_edge


def _scene() -> Scenario:
    return load_scenario(Path(scene_templates()["training-cluster-1k"]))


def test_columns_hold_each_edges_end_positions_and_kind() -> None:
    scenario = _scene()
    cols = columns(scenario)
    ids = [n.id for n in scenario.nodes]
    assert cols.ids == ids and cols.ids_unique
    for e_pos, edge in enumerate(scenario.edges):
        assert cols.src[e_pos] == ids.index(edge.source)
        assert cols.dst[e_pos] == ids.index(edge.target)
        assert cols.edge_kind[e_pos] == EDGE_KIND_CODE[edge.kind]


def test_a_copy_with_the_same_lists_shares_them_and_new_lists_rebuild() -> None:
    scenario = _scene()
    first = columns(scenario)
    same_lists = scenario.model_copy(update={"workloads": []})
    assert columns(same_lists) is first
    ghost = make_edge("to-ghost", "power", scenario.nodes[0].id, "ghost")
    grown = scenario.model_copy(update={"edges": [*scenario.edges, ghost]})
    cols = columns(grown)
    assert cols is not first
    assert cols.dst[-1] == -1 and len(cols.sources) == len(scenario.edges) + 1


def test_a_repeated_id_keeps_its_first_position() -> None:
    nodes = [Pdu(id="a"), Pdu(id="b"), Pdu(id="a")]
    scenario = Scenario(nodes=nodes, edges=[make_edge("e", "power", "b", "a")])
    cols = columns(scenario)
    assert not cols.ids_unique
    assert cols.position == {"a": 0, "b": 1}
    assert np.array_equal(cols.dst, [0])
