"""Typed edges between nodes, and the one table that says which kinds may connect which.

Direction follows the flow: power from feed to load, coolant (or air) from the unit that removes
heat to the rack it serves (and from a chiller to the CRAH/CDU it serves), data from storage to
compute, support from a team to what it looks after. Network edges are undirected in meaning but
stored with a source and target like the rest.
"""

from __future__ import annotations

from typing import Literal

from aifactory_twin.schema.base import NodeId, StrictModel

EdgeKind = Literal["power", "coolant", "network", "data", "support"]
EDGE_KINDS: tuple[str, ...] = ("power", "coolant", "network", "data", "support")

_POWERED = ("compute_rack", "network_switch", "cooling_unit", "storage")
_ALL_EQUIPMENT = (
    "compute_rack",
    "network_switch",
    "cooling_unit",
    "power_feed",
    "ups",
    "pdu",
    "storage",
    "cloud_burst",
)

# (edge kind) -> set of (source kind, target kind) that are allowed.
ALLOWED_CONNECTIONS: dict[str, frozenset[tuple[str, str]]] = {
    "power": frozenset(
        [("power_feed", "ups"), ("power_feed", "pdu"), ("ups", "pdu")]
        + [(src, dst) for src in ("power_feed", "ups", "pdu") for dst in _POWERED]
    ),
    "coolant": frozenset(
        [
            ("cooling_unit", "compute_rack"),
            ("cooling_unit", "cooling_unit"),
            ("cooling_unit", "network_switch"),
            ("cooling_unit", "storage"),
        ]
    ),
    "network": frozenset(
        (a, b)
        for a in ("compute_rack", "network_switch", "storage", "cloud_burst")
        for b in ("compute_rack", "network_switch", "storage", "cloud_burst")
        if "network_switch" in (a, b)
    ),
    "data": frozenset([("storage", "compute_rack"), ("storage", "storage")]),
    "support": frozenset(("staff_team", dst) for dst in (*_ALL_EQUIPMENT, "staff_team")),
}


def allowed_edge_kinds(source_kind: str, target_kind: str) -> list[str]:
    """Edge kinds allowed from a node of ``source_kind`` to one of ``target_kind``, in order."""
    return [kind for kind in EDGE_KINDS if (source_kind, target_kind) in ALLOWED_CONNECTIONS[kind]]


def refusal_reason(kind: str, source_kind: str, target_kind: str) -> str | None:
    """Why an edge of ``kind`` from ``source_kind`` to ``target_kind`` is refused, or None."""
    if kind not in ALLOWED_CONNECTIONS:
        return f"unknown edge kind {kind!r}"
    if (source_kind, target_kind) in ALLOWED_CONNECTIONS[kind]:
        return None
    others = allowed_edge_kinds(source_kind, target_kind)
    hint = f"; allowed between them: {', '.join(others)}" if others else ""
    return f"a {kind} edge cannot go from {source_kind} to {target_kind}{hint}"


class Edge(StrictModel):
    """A typed connection between two nodes."""

    id: NodeId
    kind: EdgeKind
    source: NodeId
    target: NodeId
