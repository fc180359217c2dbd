"""The node-kind registry is complete: every schema kind has an entry the core and compiler use."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any, get_args

import numpy as np
import pytest
from test_sim_builders import hall

from aifactory_twin.commands import new_node
from aifactory_twin.errors import ScenarioError
from aifactory_twin.kinds import ALLOWED_CONNECTIONS, EDGE_KINDS, KIND_INFO, KINDS, kind_info
from aifactory_twin.schema import NODE_CLASSES, NODE_KINDS, NodeBase
from aifactory_twin.schema.edges import EdgeKind
from aifactory_twin.sim import compile_scenario


def test_registry_lists_every_schema_kind_once_in_schema_order() -> None:
    assert tuple(info.kind for info in KINDS) == NODE_KINDS
    assert set(KIND_INFO) == set(NODE_CLASSES)
    assert (*get_args(EdgeKind), "wan") == EDGE_KINDS  # wan edges are WanLink


def test_entries_are_complete_and_distinct() -> None:
    prefixes = [info.id_prefix for info in KINDS]
    labels = [info.label for info in KINDS]
    assert len(set(prefixes)) == len(prefixes), "two kinds would mint the same ids"
    assert len(set(labels)) == len(labels)
    for info in KINDS:
        assert info.label and info.label[0].isupper(), info.kind
        assert info.id_prefix.isidentifier(), info.kind
        # The default node of every kind can be summarised in one line.
        text = info.summary(new_node(info.kind, "x-1"))
        assert text and "\n" not in text, info.kind


def test_unknown_kind_names_the_registry() -> None:
    with pytest.raises(KeyError, match=r"no entry in aifactory_twin\.kinds"):
        kind_info("fusion_reactor")


def test_every_kind_connects_somewhere_and_the_edge_table_is_pinned() -> None:
    """Among the first nine kinds, the derived table equals the hand-written one it replaced."""
    first_nine = frozenset(
        {"compute_rack", "network_switch", "cooling_unit", "power_feed", "ups", "pdu"}
        | {"storage", "staff_team", "cloud_burst"}
    )
    powered = ("compute_rack", "network_switch", "cooling_unit", "storage")
    fabric = ("compute_rack", "network_switch", "storage", "cloud_burst")
    expected = {
        "power": {("power_feed", "ups"), ("power_feed", "pdu"), ("ups", "pdu")}
        | {(s, d) for s in ("power_feed", "ups", "pdu") for d in powered},
        "coolant": {("cooling_unit", d) for d in powered},
        "network": {(a, b) for a in fabric for b in fabric if "network_switch" in (a, b)},
        "data": {("storage", "compute_rack"), ("storage", "storage")},
        "support": {("staff_team", d) for d in first_nine},
        "wan": set(),  # sites only (below)
    }
    among_first_nine = {
        edge_kind: {(s, d) for s, d in pairs if s in first_nine and d in first_nine}
        for edge_kind, pairs in ALLOWED_CONNECTIONS.items()
    }
    assert among_first_nine == expected
    assert ALLOWED_CONNECTIONS["wan"] == {
        ("site", "site"),
        ("site", "network_switch"),
        ("network_switch", "site"),
    }
    for kind in NODE_KINDS:
        assert any(kind in pair for pairs in ALLOWED_CONNECTIONS.values() for pair in pairs), kind


def _fingerprint(value: Any) -> str:
    """A digest of everything the compiler produced (arrays, tuples, nested dataclasses)."""
    digest = hashlib.sha256()

    def walk(x: Any) -> None:
        if isinstance(x, np.ndarray):
            digest.update(str(x.dtype).encode() + str(x.shape).encode())
            digest.update(np.ascontiguousarray(x).tobytes())
        elif dataclasses.is_dataclass(x) and not isinstance(x, type):
            for f in dataclasses.fields(x):
                digest.update(f.name.encode())
                walk(getattr(x, f.name))
        elif isinstance(x, dict):
            for k in sorted(x, key=repr):
                digest.update(repr(k).encode())
                walk(x[k])
        elif isinstance(x, list | tuple):
            for item in x:
                walk(item)
        elif hasattr(x, "__dict__") and not callable(x):
            walk(vars(x))
        else:
            digest.update(repr(x).encode())

    walk(value)
    return digest.hexdigest()


def _own_numeric_fields(cls: type[NodeBase]) -> list[str]:
    base = set(NodeBase.model_fields)
    return [
        name
        for name, field in cls.model_fields.items()
        if name not in base
        and isinstance(field.default, int | float)
        and not isinstance(field.default, bool)
    ]


@pytest.mark.parametrize("kind", NODE_KINDS)
def test_compiler_reads_every_kind(kind: str) -> None:
    """A kind the compiler ignored would compile the same whatever its own numbers say."""
    base = compile_scenario(hall(extra_nodes=[new_node(kind, "probe")]), None)
    assert kind in set(base.node_kinds.tolist())
    before = _fingerprint(base)
    for name in _own_numeric_fields(NODE_CLASSES[kind]):
        default = NODE_CLASSES[kind].model_fields[name].default
        for changed in (default * 0.5, default + 1) if default else (1,):
            try:
                probe = new_node(kind, "probe", **{name: type(default)(changed)})
            except ScenarioError:  # out of the field's range
                continue
            after = compile_scenario(hall(extra_nodes=[probe]), None)
            if _fingerprint(after) != before:
                return
    pytest.fail(f"no numeric field of {kind} changes the compiled scenario")
