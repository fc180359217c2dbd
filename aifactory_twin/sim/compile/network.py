"""Compile part: switches and the fabric the racks reach, and storage with its data edges.

Network edges may be drawn either way; a switch–rack edge attaches the rack to that switch, a
switch–switch edge links two tiers (``models/network.build_fabric``). Data edges run storage →
rack.
"""

from __future__ import annotations

import numpy as np

from aifactory_twin.schema import ComputeRack, NetworkSwitch, Storage
from aifactory_twin.sim.compile.common import floats, ints, positions
from aifactory_twin.sim.compiled import IntArray, NetworkParams, StorageParams
from aifactory_twin.sim.models import network as net
from aifactory_twin.sim.models.data import governance_factors


def compile_network(
    switches: list[tuple[int, NetworkSwitch]],
    racks: list[tuple[int, ComputeRack]],
    edges: tuple[IntArray, IntArray],
    n_nodes: int,
) -> NetworkParams:
    """Switches (index s in the order of ``switches``) and the racks' fabric.

    ``edges``: the network edges as node-index arrays; an edge is read from its switch end
    (its source when that is a switch), so it may be drawn either way.
    """
    sw = [x for _, x in switches]
    s_of = positions([i for i, _ in switches], n_nodes)
    r_of = positions([i for i, _ in racks], n_nodes)
    src, dst = edges
    from_src = s_of[src] >= 0
    a = np.where(from_src, src, dst)
    b = np.where(from_src, dst, src)
    at_switch = s_of[a] >= 0
    to_rack = at_switch & (r_of[b] >= 0)
    to_switch = at_switch & ~to_rack & (s_of[b] >= 0)
    rack_edges = list(zip(s_of[a[to_rack]].tolist(), r_of[b[to_rack]].tolist(), strict=True))
    switch_edges = list(zip(s_of[a[to_switch]].tolist(), s_of[b[to_switch]].tolist(), strict=True))
    fabric = net.build_fabric(
        rack_edges,
        switch_edges,
        np.asarray([x.technology != "nvlink" for x in sw], dtype=bool),
        floats([x.latency_us for x in sw]),
        floats([float(x.count) for x in sw]),
        len(racks),
    )
    return NetworkParams(
        switch_node=ints([i for i, _ in switches]),
        switch_capacity_gbps=floats([x.ports * x.port_speed_gbps for x in sw]),
        switch_oversubscription=floats([x.oversubscription for x in sw]),
        fabric=fabric,
    )


def compile_storage(
    stores: list[tuple[int, Storage]],
    racks: list[tuple[int, ComputeRack]],
    edges: list[tuple[int, int]],
) -> StorageParams:
    """Storage nodes (index s in the order of ``stores``) and their data edges to racks."""
    st_index = {i: s for s, (i, _) in enumerate(stores)}
    r_index = {i: r for r, (i, _) in enumerate(racks)}
    kept = [
        (st_index[src], r_index[dst]) for src, dst in edges if src in st_index and dst in r_index
    ]
    return StorageParams(
        node=ints([i for i, _ in stores]),
        throughput_gbs=floats(
            [x.throughput_gb_per_s * governance_factors(x)[0] for _, x in stores]
        ),
        edge_storage_index=ints([s for s, _ in kept]),
        edge_rack_index=ints([r for _, r in kept]),
    )
