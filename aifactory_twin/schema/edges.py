"""Typed edges between nodes; which kinds may connect which comes from ``aifactory_twin.kinds``.

Direction follows the flow: power from feed to load, coolant (or air) from the unit that removes
heat to the rack it serves (and from a chiller to the CRAH/CDU it serves), data from storage to
compute, support from a team to what it looks after. Network and WAN edges are undirected in
meaning but stored with a source and target like the rest. A WAN edge (``WanLink``) is the one
kind with values of its own: its latency and bandwidth.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, NonNegativeFloat, PositiveFloat

from aifactory_twin.kinds import ALLOWED_CONNECTIONS, EDGE_KINDS
from aifactory_twin.schema.base import NodeId, StrictModel

EdgeKind = Literal["power", "coolant", "network", "data", "support"]
"""The kinds of plain edges (no values of their own); ``wan`` edges are ``WanLink``."""
# Which kinds may connect which is derived from the flow roles in the kind registry.
__all__ = [
    "ALLOWED_CONNECTIONS",
    "EDGE_KINDS",
    "AnyEdge",
    "Edge",
    "WanLink",
    "allowed_edge_kinds",
    "make_edge",
    "refusal_reason",
]


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


class WanLink(Edge):
    """A WAN link between two sites, or a site and a network switch.

    A switch stands for the place it is at (the main hall when it is at no site). Inference
    responses to users at another place follow the lowest-latency path of these links; every
    service whose responses cross a link shares its bandwidth. Defaults are estimates (a metro
    or regional fibre circuit).
    """

    kind: Literal["wan"] = "wan"  # type: ignore[assignment]
    latency_ms: NonNegativeFloat = 10.0
    """Round-trip time across the link, ms; a path's latency is the sum over its links and must
    be within a service's latency target for a host across it to serve the service."""
    bandwidth_gbps: PositiveFloat = 10.0
    """What the link carries, Gb/s, shared by every service whose responses cross it (200 bytes
    per streamed token): a saturated link serves fewer tokens."""


AnyEdge = Annotated[Edge | WanLink, Field(discriminator="kind")]
"""An edge as the scenario holds it: a plain ``Edge`` or, for kind ``wan``, a ``WanLink``."""


def make_edge(edge_id: str, kind: str, source: str, target: str) -> Edge:
    """A new edge of ``kind`` (a ``WanLink`` with default values for ``wan``)."""
    if kind == "wan":
        return WanLink(id=edge_id, source=source, target=target)
    return Edge(id=edge_id, kind=kind, source=source, target=target)
