"""The factory as a graph: networkx export and the analyses rules and views build on.

Every analysis works on a :class:`FactoryIndex` built once per scenario (id → node, per-kind
adjacency), so the 9,472-node frontier scene is analysed in linear time. Only *usable* edges
enter the index: both ends exist, the kind is allowed between the two node kinds, no self-loop.
Broken edges are the rules' business (``rules.py`` reports them as errors); the analyses simply
ignore them, so a half-wired scene still gets sensible reachability answers.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Iterable
from functools import cached_property
from itertools import repeat
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from aifactory_twin.columns import EDGE_KIND_CODE, columns
from aifactory_twin.kinds import NEEDS_POWER_KINDS
from aifactory_twin.schema import (
    ALLOWED_CONNECTIONS,
    HEAT_REJECTORS,
    NODE_KINDS,
    CloudBurst,
    ComputeRack,
    CoolingUnit,
    InferenceService,
    NetworkSwitch,
    NodeBase,
    Pdu,
    PowerFeed,
    Scenario,
    Site,
    Storage,
    Ups,
    WanLink,
)

if TYPE_CHECKING:
    import networkx as nx

IntArray = npt.NDArray[np.int64]

# A CDU only moves rack-loop heat into facility water; without a chiller, dry cooler or tower
# behind it nothing takes that heat out of the building. A CRAH may be a DX unit with its own
# condenser, so a CRAH without a chiller is allowed (domain-reference §3.2).
COLLECTORS_NEEDING_REJECTOR = frozenset({"cdu"})


class FactoryIndex:
    """Id → node map and per-edge-kind adjacency over the usable edges of a scenario.

    Built in a few passes over flat lists (a 40-hall factory has 1.5 M edges): the usability
    check is one membership test per edge, and each edge kind's adjacency is built the first
    time something asks for it, so the load-time error rules, which walk coolant edges only,
    never build the other four.
    """

    def __init__(self, scenario: Scenario) -> None:
        self._scenario = scenario
        cols = self._cols = columns(scenario)
        node_kinds = self._node_kinds = [n.kind for n in scenario.nodes]
        self._by_kind: dict[str, list[str]] | None = None
        # Usability as one table lookup per edge on small integer codes (edge kind, source
        # kind, target kind). An edge end's position is its id's first node, whose kind is the
        # one ``kind`` holds; a missing end, position -1, reads the appended code that no
        # connection allows.
        code = np.fromiter(map(_NODE_CODE.get, node_kinds, repeat(_NO_NODE)), np.intp)
        code = np.append(code, _NO_NODE)
        kind_code = cols.edge_kind
        usable = _USABLE[kind_code, code[cols.src], code[cols.dst]]
        usable &= cols.src != cols.dst  # no self-loops (a missing end is refused already)
        self.rejected: list[int] = np.flatnonzero(~usable).tolist()
        """Positions in ``scenario.edges`` of dangling, self-looping or refused edges."""
        self._edges = (kind_code, cols.sources, cols.targets, usable)
        self._ends = (cols.src, cols.dst)
        self._adjacency: dict[str, tuple[dict[str, list[str]], dict[str, list[str]]]] = {}

    @cached_property
    def nodes(self) -> dict[str, NodeBase]:
        """Id → node, as Scenario.node_by_id (the first node of a repeated id), built on use."""
        if self._cols.ids_unique:  # without a per-node Python call
            return dict(zip(self._cols.ids, self._scenario.nodes, strict=True))
        return self._scenario.node_by_id()

    @cached_property
    def kind(self) -> dict[str, str]:
        """Id → node kind (of the node ``nodes`` holds), built on use."""
        if self._cols.ids_unique:
            return dict(zip(self._cols.ids, self._node_kinds, strict=True))
        return {node_id: node.kind for node_id, node in self.nodes.items()}

    def node(self, node_id: str) -> NodeBase:
        """``nodes[node_id]`` without building ``nodes`` (KeyError for an unknown id)."""
        return self._scenario.nodes[self._cols.position[node_id]]

    def _built(self, edge_kind: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """(out, in) adjacency of ``edge_kind``, built on first use."""
        found = self._adjacency.get(edge_kind)
        if found is not None:
            return found
        kind_code, sources, targets, usable = self._edges
        outs: dict[str, list[str]] = {}
        ins: dict[str, list[str]] = {}
        for i in np.flatnonzero(usable & (kind_code == _EDGE_CODE[edge_kind])).tolist():
            src, dst = sources[i], targets[i]
            if src in outs:
                outs[src].append(dst)
            else:
                outs[src] = [dst]
            if dst in ins:
                ins[dst].append(src)
            else:
                ins[dst] = [src]
        self._adjacency[edge_kind] = (outs, ins)
        return outs, ins

    def usable_ends(self, edge_kind: str) -> tuple[IntArray, IntArray]:
        """(source, target) node positions of the usable edges of ``edge_kind``, in file order.

        A position is that of the first node with the id (``columns``); for loops over many
        nodes that need no id-keyed adjacency.
        """
        kind_code, _, _, usable = self._edges
        chosen = usable & (kind_code == _EDGE_CODE[edge_kind])
        return self._ends[0][chosen], self._ends[1][chosen]

    def of_kind(self, kind: str) -> list[str]:
        """Ids of every node of ``kind``, in file order."""
        if self._by_kind is None:
            by_kind: dict[str, list[str]] = {}
            for nid, node_kind in self.kind.items():
                if node_kind in by_kind:
                    by_kind[node_kind].append(nid)
                else:
                    by_kind[node_kind] = [nid]
            self._by_kind = by_kind
        return self._by_kind.get(kind, [])

    def successors(self, edge_kind: str, node_id: str) -> list[str]:
        """Nodes ``node_id`` reaches by one usable edge of ``edge_kind``."""
        return self._built(edge_kind)[0].get(node_id, [])

    def predecessors(self, edge_kind: str, node_id: str) -> list[str]:
        """Nodes that reach ``node_id`` by one usable edge of ``edge_kind``."""
        return self._built(edge_kind)[1].get(node_id, [])

    def neighbours(self, edge_kind: str, node_id: str) -> list[str]:
        """Successors then predecessors of ``node_id`` along ``edge_kind``."""
        return self.successors(edge_kind, node_id) + self.predecessors(edge_kind, node_id)


_EDGE_CODE: dict[str, int] = EDGE_KIND_CODE  # ALLOWED_CONNECTIONS has one entry per kind
_NODE_CODE: dict[str, int] = {kind: code for code, kind in enumerate(NODE_KINDS)}
_NO_NODE = len(NODE_KINDS)
"""Code of a missing node (a dangling edge end) or an unknown kind."""
_USABLE = np.zeros((len(_EDGE_CODE), _NO_NODE + 1, _NO_NODE + 1), dtype=np.bool_)
for _kind, _pairs in ALLOWED_CONNECTIONS.items():
    for _src, _dst in _pairs:
        if _src in _NODE_CODE and _dst in _NODE_CODE:
            _USABLE[_EDGE_CODE[_kind], _NODE_CODE[_src], _NODE_CODE[_dst]] = True
"""[edge kind, source kind, target kind] → whether the connection is allowed (by code)."""


# ------------------------------------------------------------------------ ratings
def rated_heat_kw(node: NodeBase) -> float:
    """Rated heat of a rack node (all ``count`` units): nameplate power, all of it becomes heat."""
    if isinstance(node, ComputeRack):
        return node.power_rating_kw * node.count
    return 0.0


def cooling_capacity_kw(node: NodeBase) -> float:
    """Nominal heat a cooling node (all units) can remove, kW."""
    if isinstance(node, CoolingUnit):
        return node.nominal_cooling_capacity_kw * node.count
    return 0.0


def power_capacity_kw(node: NodeBase) -> float:
    """Rating of a power feed, UPS or PDU node (all units), kW."""
    if isinstance(node, PowerFeed | Pdu):
        return node.power_rating_kw * node.count
    if isinstance(node, Ups):
        return node.ups_rating_kw * node.count
    return 0.0


def rated_load_kw(node: NodeBase) -> float:
    """Rated electrical draw of a load node (all units), kW.

    Cooling units draw heat/COP when they have a compressor, else the fan/pump fraction of the
    heat they move, both at nominal capacity (domain-reference §3.2 and §10 eq. 3). UPS and PDU
    conversion losses are left out of this sizing check (a few percent, §3.2).
    """
    if isinstance(node, ComputeRack):
        return node.power_rating_kw * node.count
    if isinstance(node, NetworkSwitch):
        return node.power_w / 1000.0 * node.count
    if isinstance(node, Storage):
        return node.power_kw * node.count
    if isinstance(node, CoolingUnit):
        heat_kw = node.nominal_cooling_capacity_kw * node.count
        return heat_kw / node.cop if node.cop else heat_kw * node.fan_pump_power_fraction
    return 0.0


# ------------------------------------------------------------------- networkx export
def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), inner, out)
    elif isinstance(value, bool | int | float | str):
        out[prefix] = value
    # None and lists (price periods, efficiency curves) have no scalar form: GraphML cannot
    # hold them, so they stay out of the graph and live in the scenario file only.


def to_networkx(scenario: Scenario) -> nx.MultiDiGraph:
    """The scenario as a networkx MultiDiGraph with typed attributes.

    Nodes carry ``kind`` and their scalar fields flattened with dots (``position.x``,
    ``delivery.lead_time_days``); edges are keyed by edge id with attribute ``kind`` (and a WAN
    link's ``latency_ms`` and ``bandwidth_gbps``). Edges whose
    ends are missing are left out (``rules.check`` reports them).
    """
    import networkx as nx  # here, not at the top: loading and validating never need networkx

    graph = nx.MultiDiGraph(name=scenario.meta.name)
    for node in scenario.nodes:
        if node.id in graph:
            continue  # duplicate id: first one wins, like Scenario.node_by_id
        attrs: dict[str, Any] = {}
        _flatten("", node.model_dump(mode="json", exclude={"id"}), attrs)
        graph.add_node(node.id, **attrs)
    for edge in scenario.edges:
        if edge.source in graph and edge.target in graph:
            values = edge.model_dump(exclude={"id", "kind", "source", "target"})
            graph.add_edge(edge.source, edge.target, key=edge.id, kind=edge.kind, **values)
    return graph


# ---------------------------------------------------------------------- reachability
def _reach(starts: Iterable[str], step: Any) -> set[str]:
    seen = set(starts)
    queue = deque(seen)
    while queue:
        for nxt in step(queue.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def power_reachable(scenario: Scenario, index: FactoryIndex | None = None) -> dict[str, bool]:
    """Per node that needs power (loads, UPS, PDU): is there a power path from a power feed."""
    idx = index or FactoryIndex(scenario)
    powered = _reach(idx.of_kind("power_feed"), lambda n: idx.successors("power", n))
    return {nid: nid in powered for nid, kind in idx.kind.items() if kind in NEEDS_POWER_KINDS}


def heat_rejection_reachable(
    scenario: Scenario, index: FactoryIndex | None = None
) -> dict[str, bool]:
    """Per collector cooling unit (CRAH, CDU, …): is a rejector behind it.

    A rejector (chiller, dry cooler, tower) counts when it reaches the collector by coolant
    edges, directly or through other cooling units.
    """
    idx = index or FactoryIndex(scenario)
    out: dict[str, bool] = {}
    for cid in idx.of_kind("cooling_unit"):
        node = idx.nodes[cid]
        if not isinstance(node, CoolingUnit) or node.cooling_type in HEAT_REJECTORS:
            continue
        upstream = _reach([cid], lambda n: idx.predecessors("coolant", n))
        out[cid] = any(
            getattr(idx.nodes[u], "cooling_type", "") in HEAT_REJECTORS for u in upstream
        )
    return out


# ------------------------------------------------------------------------ cooling groups
def _groups(members: Iterable[str], links: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Union-find: node id → representative of its connected component."""
    parent = {m: m for m in members}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra
    return {m: find(m) for m in parent}


def cooling_groups(idx: FactoryIndex) -> dict[str, tuple[list[str], list[str]]]:
    """Racks and the cooling units feeding them directly, grouped by shared units.

    Returns representative → (rack ids, cooling unit ids). Racks with no cooling form a group
    of their own with no units.
    """
    racks = idx.of_kind("compute_rack")
    links = [(unit, rid) for rid in racks for unit in idx.predecessors("coolant", rid)]
    rep = _groups(racks, links)
    groups: dict[str, tuple[list[str], list[str]]] = {}
    for nid, root in rep.items():
        racks_in, units_in = groups.setdefault(root, ([], []))
        (racks_in if idx.kind[nid] == "compute_rack" else units_in).append(nid)
    return groups


# ----------------------------------------------------------------------------- sites and WAN
def sites(nodes: Iterable[NodeBase]) -> dict[str, Site]:
    """Site nodes by id (first one wins if ids repeat)."""
    out: dict[str, Site] = {}
    for node in nodes:
        if isinstance(node, Site):
            out.setdefault(node.id, node)
    return out


def site_of(node: NodeBase, known: dict[str, Site]) -> str:
    """The site a node is at (its group names a site node), or "" (on the backbone)."""
    return node.group if node.group in known else ""


def wan_end(node: NodeBase, known: dict[str, Site]) -> str:
    """The place a WAN edge's end stands for: the site, or where a switch is ("" = main hall)."""
    return node.id if isinstance(node, Site) else site_of(node, known)


class WanPaths:
    """Lowest-latency paths between places over the ``wan`` edges (networkx Dijkstra).

    Places are the site ids and "" (the main hall: the nodes at no site). A ``wan`` edge joins
    two sites, or a site and a network switch, which stands for the place it is at (usually the
    main hall, where the WAN lands on its border switch). Between the same two places only the
    lowest-latency link is used; an edge whose two ends are at the same place carries nothing.
    """

    def __init__(self, scenario: Scenario, known: dict[str, Site] | None = None) -> None:
        import networkx as nx  # here: only scenarios with sites need it

        self.known = sites(scenario.nodes) if known is None else known
        by_id = scenario.node_by_id()
        allowed = ALLOWED_CONNECTIONS["wan"]
        self.graph: nx.Graph = nx.Graph()
        self.graph.add_nodes_from(["", *self.known])
        self.idle: list[WanLink] = []
        """Usable ``wan`` edges whose two ends are at the same place."""
        for edge in scenario.edges:
            if not isinstance(edge, WanLink):
                continue
            src, dst = by_id.get(edge.source), by_id.get(edge.target)
            if src is None or dst is None or (src.kind, dst.kind) not in allowed:
                continue  # the rules report a dangling or refused edge
            a, b = wan_end(src, self.known), wan_end(dst, self.known)
            if a == b:
                self.idle.append(edge)
                continue
            known_link = self.graph.get_edge_data(a, b)
            if known_link is None or edge.latency_ms < known_link["link"].latency_ms:
                self.graph.add_edge(a, b, latency_ms=edge.latency_ms, link=edge)
        self._from: dict[str, tuple[dict[str, float], dict[str, list[str]]]] = {}

    def _search(self, a: str) -> tuple[dict[str, float], dict[str, list[str]]]:
        found = self._from.get(a)
        if found is None:
            import networkx as nx

            if a in self.graph:
                found = nx.single_source_dijkstra(self.graph, a, weight="latency_ms")
            else:
                found = ({a: 0.0}, {a: [a]})
            self._from[a] = found
        return found

    def latency_ms(self, a: str, b: str) -> float:
        """Round trip from place ``a`` to place ``b`` (inf when no WAN path joins them)."""
        if a == b:
            return 0.0
        return float(self._search(a)[0].get(b, math.inf))

    def path(self, a: str, b: str) -> list[WanLink]:
        """The WAN edges from ``a`` to ``b`` along the lowest-latency path ([] if none)."""
        places = self._search(a)[1].get(b) if a != b else None
        if not places:
            return []
        return [self.graph.edges[u, v]["link"] for u, v in itertools.pairwise(places)]


def serving_hosts(scenario: Scenario, service: InferenceService) -> list[NodeBase]:
    """Racks and cloud nodes the service's placement allows (all of them when empty/"any")."""
    hosts: list[NodeBase] = [n for n in scenario.nodes if isinstance(n, ComputeRack | CloudBurst)]
    if service.placement and "any" not in service.placement:
        allowed = set(service.placement)
        hosts = [n for n in hosts if n.id in allowed]
    return hosts


def latency_problems(scenario: Scenario) -> list[tuple[str, str, str]]:
    """(field path, service id, message) for each service its users' latency cannot be met.

    A service with a ``users_site`` is served only by hosts within ``latency_target_ms`` round
    trip of that site over the WAN edges; one with no such host is an error (it could serve
    nobody in time). The message names the nearest host and the WAN edges on its path.
    """
    known = sites(scenario.nodes)
    paths: WanPaths | None = None
    out: list[tuple[str, str, str]] = []
    for i, svc in enumerate(scenario.workloads):
        if not isinstance(svc, InferenceService) or not svc.users_site:
            continue
        path = f"workloads[{i}].users_site"
        if svc.users_site not in known:
            out.append((path, svc.id, f"service {svc.id!r}: {svc.users_site!r} is no site node"))
            continue
        paths = paths or WanPaths(scenario, known)
        hosts = serving_hosts(scenario, svc)
        trips = sorted(
            (paths.latency_ms(svc.users_site, site_of(h, known)), h.id, site_of(h, known))
            for h in hosts
        )
        if hosts and trips[0][0] <= svc.latency_target_ms:
            continue
        nearest = ""
        if trips and math.isfinite(trips[0][0]):
            links = ", ".join(repr(e.id) for e in paths.path(svc.users_site, trips[0][2]))
            nearest = f"; nearest: {trips[0][1]!r} at {trips[0][0]:g} ms over WAN edges {links}"
        elif trips:
            nearest = "; no path of wan edges reaches any of its hosts"
        out.append(
            (
                f"workloads[{i}].latency_target_ms",
                svc.id,
                f"service {svc.id!r}: no rack or cloud it may use is within "
                f"{svc.latency_target_ms:g} ms of its users at {svc.users_site!r}{nearest}",
            )
        )
    return out
