"""Hand-written hypothesis strategies: valid scenarios and undoable command sequences.

Written by hand because hypothesis-jsonschema 0.23.1 crashes with current hypothesis. Import them
from tests with ``from strategies import scenarios, command_sequences`` (pytest puts this folder
on ``sys.path``).

``scenarios()`` draws small valid Scenario objects: 1–12 nodes of random kinds with valid random
field values, allowed edges between them, optional workloads. ``command_sequences(doc)`` draws a
list of commands that are valid when pushed, in order, onto a document equal to ``doc``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from hypothesis import strategies as st

from aifactory_twin.commands import (
    AddNodes,
    Command,
    Connect,
    Disconnect,
    Macro,
    MoveNodes,
    RemoveItems,
    ReplaceNode,
    SetField,
    SetPart,
)
from aifactory_twin.document import FactoryDocument
from aifactory_twin.rules_cooling import unit_problem
from aifactory_twin.schema import (
    NODE_CLASSES,
    NODE_KINDS,
    ComputeRack,
    CoolingUnit,
    Edge,
    InferenceService,
    Meta,
    NodeBase,
    Position,
    Scenario,
    TrainingJob,
    WanLink,
    allowed_edge_kinds,
    make_edge,
)


def finite(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


ids = st.from_regex(r"[a-z][a-z0-9_\-]{0,10}", fullmatch=True).filter(
    lambda s: s not in ("any", "settings")
)
names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
positions = st.builds(Position, x=finite(-5000, 5000), y=finite(-5000, 5000))

# Per kind: field → strategy of valid values. Fields left out keep their schema defaults, and so
# does a kind with no entry (a new kind is drawn from its defaults until it gets one).
KIND_FIELDS: defaultdict[str, dict[str, st.SearchStrategy[Any]]] = defaultdict(dict)
KIND_FIELDS |= {
    "compute_rack": {
        "count": st.integers(1, 64),
        "accelerator": st.sampled_from(["h100_sxm", "h200", "b200", "mi300x"]),
        "accelerators_per_unit": st.sampled_from([4, 8, 72]),
        "power_rating_kw": finite(1, 150),
        "cooling": st.sampled_from(["air", "direct_liquid", "immersion"]),
        "liquid_heat_fraction": finite(0, 1),
        "host_overhead_w": finite(0, 5000),
        "failure_rate_per_gpu_hour": finite(0, 1e-3),
    },
    "network_switch": {
        "count": st.integers(1, 16),
        "technology": st.sampled_from(["nvlink", "infiniband", "roce", "ethernet"]),
        "port_speed_gbps": st.sampled_from([100.0, 200.0, 400.0, 800.0]),
        "ports": st.integers(8, 128),
        "power_w": finite(0, 5000),
    },
    "cooling_unit": {
        "count": st.integers(1, 8),
        "cooling_type": st.sampled_from(
            ["crah", "in_row", "rear_door_hx", "cdu", "immersion_tank", "chiller", "dry_cooler"]
        ),
        "nominal_cooling_capacity_kw": finite(10, 3000),
        "cop": st.none() | finite(1, 10),
        "fan_pump_power_fraction": finite(0, 0.2),
        "supply_temp_c": finite(10, 45),
    },
    "power_feed": {"power_rating_kw": finite(100, 100000), "battery_kwh": finite(0, 1e5)},
    "ups": {
        "count": st.integers(1, 4),
        "ups_rating_kw": finite(50, 5000),
        "efficiency": finite(0.8, 1),
    },
    "pdu": {
        "count": st.integers(1, 8),
        "power_rating_kw": finite(10, 2000),
        "efficiency": finite(0.9, 1),
    },
    "storage": {
        "storage_type": st.sampled_from(["data_lake", "warehouse", "parallel_fs"]),
        "capacity_pb": finite(0.01, 500),
        "throughput_gb_per_s": finite(1, 5000),
        "encryption_at_rest": st.booleans(),
        "access_policy": st.sampled_from(["open", "rbac", "abac"]),
    },
    "staff_team": {
        "role": st.sampled_from(["facilities_ops", "network_ops", "mlops", "ml_research"]),
        "headcount": st.integers(0, 50),
        "salary_usd_per_year": finite(0, 500000),
    },
    "cloud_burst": {
        "max_accelerators": st.integers(0, 4096),
        "price_usd_per_gpu_hour": finite(0, 20),
        "availability": finite(0, 1),
    },
    "site": {
        "egress_usd_per_gb": finite(0, 0.2),
        "technician_travel_hours": finite(0, 24),
    },
    "vendor": {
        "lead_time_median_days": finite(1, 400),
        "lead_time_spread": finite(0, 1.5),
        "capacity_units_per_quarter": st.integers(0, 500),
        "disruption_rate_per_year": finite(0, 4),
        "disruption_length_days": finite(0, 200),
    },
}


@st.composite
def nodes(draw: st.DrawFn, node_id: str, kind: str | None = None) -> NodeBase:
    """One valid node with id ``node_id`` (random kind unless given)."""
    kind = kind or draw(st.sampled_from(NODE_KINDS))
    fields = {
        key: draw(strategy) for key, strategy in KIND_FIELDS[kind].items() if draw(st.booleans())
    }
    if kind == "compute_rack" and draw(st.booleans()):
        # Thermal limits must be ordered: max_operating_c <= slowdown_c <= shutdown_c.
        temps = sorted(draw(st.lists(finite(60, 110), min_size=3, max_size=3)))
        fields.update(max_operating_c=temps[0], slowdown_c=temps[1], shutdown_c=temps[2])
    return NODE_CLASSES[kind](id=node_id, name=draw(names), position=draw(positions), **fields)


@st.composite
def workloads(draw: st.DrawFn, workload_id: str, node_ids: list[str]) -> Any:
    placement = draw(
        st.just([])
        | st.just(["any"])
        | st.lists(st.sampled_from(node_ids), max_size=3, unique=True)
    )
    if draw(st.booleans()):
        return TrainingJob(
            id=workload_id,
            parameters_b=draw(finite(0.1, 2000)),
            tokens_t=draw(finite(0.01, 40)),
            accelerators_requested=draw(st.integers(1, 100000)),
            target_mfu=draw(finite(0.05, 0.7)),
            placement=placement,
        )
    return InferenceService(
        id=workload_id,
        peak_demand_tokens_per_s=draw(finite(0, 1e7)),
        daily_profile=draw(st.lists(finite(0, 1), min_size=24, max_size=24)),
        placement=placement,
    )


def _mode_mismatch(unit: NodeBase, rack: NodeBase) -> bool:
    """The unit cannot cool the rack's servers (``rules_cooling``)."""
    if not (isinstance(unit, CoolingUnit) and isinstance(rack, ComputeRack)):
        return False
    return unit_problem(rack, unit) is not None


def _edge(draw: st.DrawFn, edge_id: str, kind: str, source: str, target: str) -> Edge:
    """An edge of ``kind``; a WAN link with drawn latency and bandwidth."""
    if kind != "wan":
        return make_edge(edge_id, kind, source, target)
    latency_ms, gbps = draw(finite(0, 200)), draw(finite(0.001, 400))
    return WanLink(
        id=edge_id, source=source, target=target, latency_ms=latency_ms, bandwidth_gbps=gbps
    )


def _cold_plates_need_a_cdu(node_list: list[NodeBase], edges: list[Edge]) -> list[NodeBase]:
    """Racks with cold plates but no CDU among their (suitable) units become air-cooled."""
    kinds = {n.id: getattr(n, "cooling_type", "") for n in node_list}
    units: dict[str, set[str]] = {}
    for e in edges:
        if e.kind == "coolant":
            units.setdefault(e.target, set()).add(kinds[e.source])
    return [
        n.model_copy(update={"cooling": "air"})
        if isinstance(n, ComputeRack)
        and n.cooling == "direct_liquid"
        and units.get(n.id)
        and "cdu" not in units[n.id]
        else n
        for n in node_list
    ]


@st.composite
def scenarios(draw: st.DrawFn, min_nodes: int = 1, max_nodes: int = 12) -> Scenario:
    """A small valid Scenario: unique ids, only allowed edges, optional workloads."""
    count = draw(st.integers(min_nodes, max_nodes))
    n_workloads = draw(st.integers(0, 2))
    all_ids = draw(
        st.lists(ids, min_size=count + n_workloads, max_size=count + n_workloads, unique=True)
    )
    node_ids, work_ids = all_ids[:count], all_ids[count:]
    node_list = [draw(nodes(nid)) for nid in node_ids]
    edges: list[Edge] = []
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, count - 1), st.integers(0, count - 1)), max_size=3 * count
        )
    )
    for a, b in pairs:
        src, dst = node_list[a], node_list[b]
        allowed = allowed_edge_kinds(src.kind, dst.kind)  # type: ignore[attr-defined]
        if a == b or not allowed:
            continue
        kind = draw(st.sampled_from(allowed))
        if kind == "coolant" and _mode_mismatch(src, dst):
            continue  # a valid factory cools each rack with units that suit its servers
        edges.append(_edge(draw, f"edge-{len(edges) + 1}", kind, src.id, dst.id))
    return Scenario(
        meta=Meta(name=draw(names)),
        nodes=_cold_plates_need_a_cdu(node_list, edges),
        edges=edges,
        workloads=[draw(workloads(wid, node_ids)) for wid in work_ids],
    )


# ------------------------------------------------------------------------ commands
def _add(draw: st.DrawFn, doc: FactoryDocument) -> Command:
    node = draw(nodes(doc.fresh_id("node")))
    edges = []
    others = list(doc.nodes.values())
    if others and draw(st.booleans()):
        other = draw(st.sampled_from(others))
        pair = draw(st.sampled_from([(node, other), (other, node)]))
        allowed = allowed_edge_kinds(pair[0].kind, pair[1].kind)  # type: ignore[attr-defined]
        if allowed:
            edge_id = doc.fresh_id("edge")
            edges.append(
                _edge(draw, edge_id, draw(st.sampled_from(allowed)), pair[0].id, pair[1].id)
            )
    return AddNodes([node], edges)


def _add_many(draw: st.DrawFn, doc: FactoryDocument) -> Command:
    """A paste: several new nodes at once, with edges among them and to existing nodes."""
    fresh: list[NodeBase] = []
    for _ in range(draw(st.integers(2, 5))):
        taken = {n.id for n in fresh}
        n = 1
        while doc.has_node(f"node-{n}") or doc.has_edge(f"node-{n}") or f"node-{n}" in taken:
            n += 1
        fresh.append(draw(nodes(f"node-{n}")))
    ends = [*fresh, *doc.nodes.values()]
    edges: list[Edge] = []
    for _ in range(draw(st.integers(0, 4))):
        a, b = draw(st.sampled_from(fresh)), draw(st.sampled_from(ends))
        pair = (a, b) if draw(st.booleans()) else (b, a)
        allowed = allowed_edge_kinds(pair[0].kind, pair[1].kind)  # type: ignore[attr-defined]
        if a.id == b.id or not allowed:
            continue
        n = 1
        while (
            doc.has_edge(f"edge-{n}")
            or doc.has_node(f"edge-{n}")
            or any(e.id == f"edge-{n}" for e in edges)
        ):
            n += 1
        edges.append(
            _edge(draw, f"edge-{n}", draw(st.sampled_from(allowed)), pair[0].id, pair[1].id)
        )
    return AddNodes(fresh, edges)


def _remove(draw: st.DrawFn, doc: FactoryDocument) -> Command | None:
    if not doc.nodes and not doc.edges:
        return None
    node_ids = draw(st.lists(st.sampled_from(sorted(doc.nodes)), max_size=6)) if doc.nodes else []
    edge_ids = draw(st.lists(st.sampled_from(sorted(doc.edges)), max_size=6)) if doc.edges else []
    return RemoveItems(node_ids, edge_ids)


def _move(draw: st.DrawFn, doc: FactoryDocument) -> Command | None:
    if not doc.nodes:
        return None
    moved = draw(st.lists(st.sampled_from(sorted(doc.nodes)), min_size=1, max_size=3, unique=True))
    return MoveNodes({nid: (doc.node(nid).position, draw(positions)) for nid in moved})


def _set_field(draw: st.DrawFn, doc: FactoryDocument) -> Command | None:
    if not doc.nodes:
        return None
    node = doc.node(draw(st.sampled_from(sorted(doc.nodes))))
    kind = node.kind  # type: ignore[attr-defined]
    choices = {"name": names, "position.x": finite(-5000, 5000), **KIND_FIELDS[kind]}
    path = draw(st.sampled_from(sorted(choices)))
    return SetField(doc, [node.id], path, draw(choices[path]))


def _replace(draw: st.DrawFn, doc: FactoryDocument) -> Command | None:
    if not doc.nodes:
        return None
    old = doc.node(draw(st.sampled_from(sorted(doc.nodes))))
    return ReplaceNode(doc, draw(nodes(old.id, old.kind)))  # type: ignore[attr-defined]


def _connect(draw: st.DrawFn, doc: FactoryDocument) -> Command | None:
    if len(doc.nodes) < 2:
        return None
    a, b = draw(st.lists(st.sampled_from(sorted(doc.nodes)), min_size=2, max_size=2, unique=True))
    allowed = allowed_edge_kinds(doc.node(a).kind, doc.node(b).kind)  # type: ignore[attr-defined]
    if not allowed:
        return None
    edge = make_edge(doc.fresh_id("edge"), draw(st.sampled_from(allowed)), a, b)
    return Connect(doc, edge)


def _disconnect(draw: st.DrawFn, doc: FactoryDocument) -> Command | None:
    if not doc.edges:
        return None
    return Disconnect(draw(st.lists(st.sampled_from(sorted(doc.edges)), min_size=1, max_size=2)))


def _set_meta(draw: st.DrawFn, doc: FactoryDocument) -> Command:
    return SetPart(doc, "meta", Meta(name=draw(names)), text="Rename factory")


_MAKERS = [_add, _add_many, _remove, _move, _set_field, _replace, _connect, _disconnect, _set_meta]


def _one(draw: st.DrawFn, doc: FactoryDocument, allow_macro: bool) -> Command | None:
    """Draw one command valid on ``doc`` and apply it to ``doc`` (a scratch copy)."""
    if allow_macro and draw(st.integers(0, 8)) == 0:
        inner = [c for _ in range(draw(st.integers(1, 3))) if (c := _one(draw, doc, False))]
        return Macro("Macro", inner) if inner else None
    maker = draw(st.sampled_from(_MAKERS))
    cmd = maker(draw, doc)
    if cmd is not None:
        cmd.redo(doc)
    return cmd


@st.composite
def command_sequences(draw: st.DrawFn, doc: FactoryDocument, max_size: int = 12) -> list[Command]:
    """Commands valid when pushed in order onto a document equal to ``doc`` (not ``doc`` itself).

    They are built against a scratch copy, each applied before the next is drawn, so later
    commands see earlier ones (remove what was just added, edit a moved node, …). Draw a fresh
    list per example: commands remember state from their last redo.
    """
    scratch = FactoryDocument(doc.scenario)
    out: list[Command] = []
    for _ in range(draw(st.integers(0, max_size))):
        cmd = _one(draw, scratch, allow_macro=True)
        if cmd is not None:
            out.append(cmd)
    return out
