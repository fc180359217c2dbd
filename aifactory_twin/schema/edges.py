"""Typed edges between nodes; which kinds may connect which comes from ``aifactory_twin.kinds``.

Direction follows the flow: power from feed to load, coolant (or air) from the unit that removes
heat to the rack it serves (and from a chiller to the CRAH/CDU it serves), data from storage to
compute, support from a team to what it looks after. Network edges are undirected in meaning but
stored with a source and target like the rest.
"""

from __future__ import annotations

from typing import Literal

from aifactory_twin.kinds import ALLOWED_CONNECTIONS, EDGE_KINDS
from aifactory_twin.schema.base import NodeId, StrictModel

EdgeKind = Literal["power", "coolant", "network", "data", "support"]
# Which kinds may connect which is derived from the flow roles in the kind registry.
__all__ = ["ALLOWED_CONNECTIONS", "EDGE_KINDS", "Edge", "allowed_edge_kinds", "refusal_reason"]


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
