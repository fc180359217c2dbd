"""The node-kind registry: one :class:`KindInfo` per node kind, the single place kind facts live.

The schema (``schema/nodes.py``) says which fields a kind has; this module says what the kind *is*
to the rest of the program: its label and id prefix, its layer, which flows it takes part in (and
so which edges may connect it), whether its units can fail, run workloads or carry a temperature,
where the auto-layout puts it, and a one-line summary of a node. The edge table
(``ALLOWED_CONNECTIONS``) is derived from the flow roles here, so a new kind states its roles once
and every analysis, rule, editor and view follows.

It imports only the formatter (for the summaries), so the schema can build on it.
Adding a kind: its class in ``schema/nodes.py`` (and the ``Node`` union), an entry here, its part
in ``sim/compile.py`` and the model that uses it, plus its icon and colour in ``ui/styles.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from aifactory_twin.formatting import format_count, format_percent, format_quantity

Layer = Literal["compute", "network", "cooling", "power", "storage", "people", "cloud", "supply"]

EDGE_KINDS: tuple[str, ...] = ("power", "coolant", "network", "data", "support", "wan")


@dataclass(frozen=True)
class KindInfo:
    """What one node kind is, beyond its fields."""

    kind: str
    label: str
    """Human name, sentence case ("Compute rack")."""
    id_prefix: str
    """Prefix of new ids ("rack-3" reads better than "compute_rack-3" in files)."""
    layer: Layer
    """The part of the factory it belongs to (palette search, grouping)."""
    layout_column: int
    """Auto-layout column, left to right along the flows: feed → UPS → PDU → racks → fabric."""
    summary: Callable[[Any], str]
    """One line that says what a node of this kind is (canvas subtitle, lists)."""
    # --- flow roles: ALLOWED_CONNECTIONS is derived from these -------------------------------
    power_stage: int | None = None
    """Power distribution stage (feed 0, UPS 1, PDU 2): feeds any later stage and every load."""
    powered: bool = False
    """A load that draws power from a feed, UPS or PDU."""
    cools: bool = False
    """Removes heat from what it is connected to by coolant edges."""
    cooled: bool = False
    """Can be cooled by a cooling unit (coolant edge into it)."""
    on_fabric: bool = False
    """Takes part in the network; network edges join it to a switch."""
    switch: bool = False
    """A network switch: every network edge has one at an end."""
    data_source: bool = False
    data_sink: bool = False
    supports: bool = False
    """Looks after other nodes (support edges from it to any kind)."""
    wan_end: bool = False
    """A place on the WAN: ``wan`` edges join it to another one or to a network switch."""
    # --- behaviour ------------------------------------------------------------------------------
    failable: bool = False
    """Its units fail and can be failed or restored by events (staff teams leave instead)."""
    has_temperature: bool = False
    """The engine reports a meaningful temperature for it (thermal overlay)."""
    hosts_workloads: bool = False
    """Workloads may be placed on it."""


def _kw(power_kw: float) -> str:
    return format_quantity(power_kw, "kW")


def _accelerator_name(node: Any) -> str:
    acc = node.accelerator
    return acc if isinstance(acc, str) else str(acc.name)


KINDS: tuple[KindInfo, ...] = (
    KindInfo(
        "compute_rack",
        "Compute rack",
        "rack",
        "compute",
        3,
        lambda n: f"{n.accelerators_per_unit}× {_accelerator_name(n)} · {_kw(n.power_rating_kw)}",
        powered=True,
        cooled=True,
        on_fabric=True,
        data_sink=True,
        failable=True,
        has_temperature=True,
        hosts_workloads=True,
    ),
    KindInfo(
        "network_switch",
        "Network switch",
        "switch",
        "network",
        4,
        lambda n: f"{n.technology} · {n.ports}×{n.port_speed_gbps:g} Gb/s",
        powered=True,
        cooled=True,
        on_fabric=True,
        switch=True,
        failable=True,
    ),
    KindInfo(
        "cooling_unit",
        "Cooling unit",
        "cooling",
        "cooling",
        2,
        lambda n: f"{n.cooling_type.replace('_', ' ')} · {_kw(n.nominal_cooling_capacity_kw)}",
        powered=True,
        cools=True,
        cooled=True,
        failable=True,
        has_temperature=True,
    ),
    KindInfo(
        "power_feed",
        "Power feed",
        "feed",
        "power",
        0,
        lambda n: f"Power feed · {_kw(n.power_rating_kw)}",
        power_stage=0,
        failable=True,
    ),
    KindInfo(
        "ups",
        "UPS",
        "ups",
        "power",
        1,
        lambda n: f"UPS · {_kw(n.ups_rating_kw)} · η {format_percent(n.efficiency)}",
        power_stage=1,
        failable=True,
    ),
    KindInfo(
        "pdu",
        "PDU",
        "pdu",
        "power",
        2,
        lambda n: f"PDU · {_kw(n.power_rating_kw)}",
        power_stage=2,
        failable=True,
    ),
    KindInfo(
        "storage",
        "Storage",
        "storage",
        "storage",
        2,
        lambda n: f"{n.storage_type.replace('_', ' ')} · {n.capacity_pb:g} PB",
        powered=True,
        cooled=True,
        on_fabric=True,
        data_source=True,
        data_sink=True,
        failable=True,
    ),
    KindInfo(
        "staff_team",
        "Staff team",
        "team",
        "people",
        0,
        lambda n: f"{n.role.replace('_', ' ')} · {n.headcount} people",
        supports=True,
    ),
    KindInfo(
        "cloud_burst",
        "Cloud burst",
        "cloud",
        "cloud",
        5,
        lambda n: f"≤ {n.max_accelerators} × {n.accelerator}",
        on_fabric=True,
        hosts_workloads=True,
    ),
    KindInfo(
        "vendor",
        "Vendor",
        "vendor",
        "supply",
        0,
        lambda n: f"Vendor · {n.lead_time_median_days:g} d median lead time",
    ),
    KindInfo(
        "site",
        "Site",
        "site",
        "network",
        5,
        lambda n: f"Site · {n.technician_travel_hours:g} h drive · {n.egress_usd_per_gb:g} USD/GB",
        wan_end=True,
    ),
    KindInfo(
        "dataset",
        "Dataset",
        "dataset",
        "storage",
        1,
        lambda n: (
            f"{n.modality} · {format_quantity(n.size_tb, 'TB')}"
            + (f" · {format_count(n.labels_needed)} labels" if n.labels_needed else "")
            + (f" · {n.sensitivity.upper()}" if n.sensitivity in ("gdpr", "hipaa") else "")
        ),
        data_source=True,
    ),
)

KIND_INFO: dict[str, KindInfo] = {info.kind: info for info in KINDS}


def kind_info(kind: str) -> KindInfo:
    """The registry entry of ``kind``; KeyError names the kind when it has none."""
    try:
        return KIND_INFO[kind]
    except KeyError:
        raise KeyError(f"node kind {kind!r} has no entry in aifactory_twin.kinds") from None


def kind_label(kind: str) -> str:
    """Human label of ``kind``; an unknown kind (a newer file) shows its tag."""
    info = KIND_INFO.get(kind)
    return info.label if info is not None else kind


def id_prefix(kind: str) -> str:
    """Prefix of a new node id of ``kind`` (``rack`` → ``rack-3``); unknown kinds use the tag."""
    info = KIND_INFO.get(kind)
    return info.id_prefix if info is not None else kind


def kinds_where(flag: Callable[[KindInfo], bool]) -> frozenset[str]:
    """Kinds whose entry satisfies ``flag`` (``kinds_where(lambda k: k.failable)``)."""
    return frozenset(info.kind for info in KINDS if flag(info))


# Power distribution kinds in stage order (feed, UPS, PDU).
POWER_STAGE_KINDS: tuple[str, ...] = tuple(
    info.kind
    for info in sorted(KINDS, key=lambda i: -1 if i.power_stage is None else i.power_stage)
    if info.power_stage is not None
)
POWERED_KINDS = kinds_where(lambda k: k.powered)
NEEDS_POWER_KINDS = POWERED_KINDS | kinds_where(lambda k: bool(k.power_stage))
TEMPERATURE_KINDS = kinds_where(lambda k: k.has_temperature)
WORKLOAD_HOST_KINDS = kinds_where(lambda k: k.hosts_workloads)


def _connects(edge_kind: str, src: KindInfo, dst: KindInfo) -> bool:
    if edge_kind == "power":
        if src.power_stage is None:
            return False
        later_stage = dst.power_stage is not None and dst.power_stage > src.power_stage
        return later_stage or dst.powered
    if edge_kind == "coolant":
        return src.cools and dst.cooled
    if edge_kind == "network":
        return src.on_fabric and dst.on_fabric and (src.switch or dst.switch)
    if edge_kind == "data":
        return src.data_source and dst.data_sink
    if edge_kind == "support":
        return src.supports
    if edge_kind == "wan":  # site to site, or a site to the switch of the place it reaches
        return (src.wan_end and (dst.wan_end or dst.switch)) or (src.switch and dst.wan_end)
    raise ValueError(f"unknown edge kind {edge_kind!r}")


# (edge kind) -> set of (source kind, target kind) that are allowed.
ALLOWED_CONNECTIONS: dict[str, frozenset[tuple[str, str]]] = {
    edge_kind: frozenset(
        (src.kind, dst.kind) for src in KINDS for dst in KINDS if _connects(edge_kind, src, dst)
    )
    for edge_kind in EDGE_KINDS
}
