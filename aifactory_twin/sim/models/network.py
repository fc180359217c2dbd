"""Network: the fabric a rack reaches, its bandwidth per accelerator, multi-rack scaling.

Topology (``build_fabric``, once per compile): switches joined to a rack by a network edge are
its leaves (tier 1); switches reachable from the leaves through switch–switch network edges form
the upper tiers (tier = hop distance from the nearest leaf, breadth-first), as in a leaf/spine or
3-tier Clos (§4.2). Edges between switches of the same tier are ignored; NVLink switch nodes are
scale-up and not part of it.

Bandwidth (``fabric_bandwidth``, when placement or units change — never per tick). Simplification,
the bisection view of a fat tree: every accelerator placed on a training job drives its NIC rate
into the fabric and that traffic crosses the top tier its rack reaches, so a non-blocking fabric
(§4.2) carries any placement and collective at full NIC rate and a tapered one shares its capacity.
Per switch node, capacity = units up × ports × port speed; a switch with an upper tier splits its
ports o : 1 between downlinks and uplinks (o = ``oversubscription``), a top-tier switch faces down
with all ports. Each tier passes up what its downlinks admit, limited by its uplinks, shared
equally among its upper neighbours (and a rack's NIC traffic equally among its leaves). A rack's
cross-leaf bandwidth per accelerator = NIC × the product of the admitted shares along its path;
inside one single-unit leaf only its downlinks count. A leaf node with several units and no
modelled upper tier is taken as a collapsed 2-tier fat tree of those units (k/3 host ports per
switch, §4.2), divided by its oversubscription as before.
α: the largest ``latency_us`` on the rack's path (§4.1: α IB 3–5 µs across racks, RoCE 2–15).
* Host Ethernet (``FALLBACK_GBPS_PER_GPU``) is the floor: a rack without a scale-out fabric, or
  with one that is down or starved, still has it.
* Data-parallel gradient all-reduce across scale-up domains uses the α–β ring model
  T = 2(g−1)α + 2(g−1)/g · S/B (§4.3, §10.8) with S = 2 bytes × N / m per accelerator
  (m = accelerators holding one replica, ≥ 16 bytes/param of training state over 80 % of HBM,
  §5.4) and B = link bandwidth × NCCL efficiency (§9.4). The all-reduce overlaps the backward
  pass (⅔ of compute, §7); only the exposed part slows the step. Target MFU already includes a
  well-provisioned fabric, so a properly sized fabric gives efficiency 1.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

FALLBACK_GBPS_PER_GPU = 25.0
"""Host Ethernet share per accelerator without a modelled fabric, Gb/s (estimate)."""
FALLBACK_ALPHA_US = 30.0
"""Per-message latency over plain Ethernet, µs (§4.1: 10–50 µs)."""
NCCL_EFFICIENCY = 0.8
"""Achieved over peak link bandwidth (§9.4 typical)."""
GLOBAL_BATCH_TOKENS = 4.0 * 2**20
"""Tokens per optimizer step (estimate: 4M, common for 70B-class runs; Llama 3 405B used 16M)."""
TRAINING_BYTES_PER_PARAM = 16.0
BACKWARD_SHARE = 2.0 / 3.0
COLLAPSED_HOST_SHARE = 1.0 / 3.0
"""Host ports of a collapsed 2-tier node: k²/2 hosts over 3k/2 switches ⇒ k/3 each (§4.2)."""


@dataclass(frozen=True)
class Fabric:
    """Scale-out topology in index form (switch positions index the compiled switch arrays)."""

    leaf_switch: IntArray
    leaf_rack: IntArray
    leaf_weight: FloatArray
    tier: IntArray
    has_up: BoolArray
    collapsed: BoolArray
    up_edges: tuple[tuple[IntArray, IntArray, FloatArray], ...]
    """Per tier t = 1, 2, …: (lower switch, upper switch, share of the lower one's uplinks)."""
    rack_leaf: IntArray
    """The rack's only leaf switch if that is a single unit (or collapsed fabric), else −1."""
    rack_alpha_us: FloatArray
    rack_alpha_local_us: FloatArray


def build_fabric(
    rack_edges: list[tuple[int, int]],
    switch_edges: list[tuple[int, int]],
    scale_out: BoolArray,
    latency_us: FloatArray,
    count: FloatArray,
    n_racks: int,
) -> Fabric:
    """Tiers, upward edges and per-rack latency from (switch, rack) and (switch, switch) pairs."""
    n_s = scale_out.shape[0]
    pairs = sorted({(s, r) for s, r in rack_edges if scale_out[s]})
    leaf_switch = np.asarray([s for s, _ in pairs], dtype=np.int64)
    leaf_rack = np.asarray([r for _, r in pairs], dtype=np.int64)
    degree = np.bincount(leaf_rack, minlength=n_racks).astype(float)
    leaf_weight = 1.0 / np.maximum(degree[leaf_rack], 1.0)
    adj: list[set[int]] = [set() for _ in range(n_s)]
    for a, b in switch_edges:
        if a != b and scale_out[a] and scale_out[b]:
            adj[a].add(b)
            adj[b].add(a)
    tier = np.zeros(n_s, dtype=np.int64)
    queue = deque(sorted(set(leaf_switch.tolist())))
    for s in queue:
        tier[s] = 1
    while queue:
        s = queue.popleft()
        for nb in sorted(adj[s]):
            if tier[nb] == 0:
                tier[nb] = tier[s] + 1
                queue.append(nb)
    ups = sorted(
        (a, b) for a in range(n_s) for b in adj[a] if tier[a] > 0 and tier[b] == tier[a] + 1
    )
    lower = np.asarray([a for a, _ in ups], dtype=np.int64)
    upper = np.asarray([b for _, b in ups], dtype=np.int64)
    n_up = np.bincount(lower, minlength=n_s).astype(float)
    has_up = n_up > 0
    weight = 1.0 / np.maximum(n_up[lower], 1.0)
    up_edges = tuple(
        (lower[tier[lower] == t], upper[tier[lower] == t], weight[tier[lower] == t])
        for t in range(1, int(tier.max(initial=0)))
    )
    # Latency: the largest on the path up (the top of the fabric a rack reaches).
    path_lat = np.where(tier > 0, latency_us, 0.0)
    for lo, hi, _w in reversed(up_edges):
        np.maximum.at(path_lat, lo, path_lat[hi])
    alpha = np.full(n_racks, -np.inf)
    alpha_local = np.full(n_racks, -np.inf)
    if leaf_switch.size:
        np.maximum.at(alpha, leaf_rack, path_lat[leaf_switch])
        np.maximum.at(alpha_local, leaf_rack, latency_us[leaf_switch])
    collapsed = (tier == 1) & ~has_up & (count > 1)
    lo_leaf = np.full(n_racks, np.iinfo(np.int64).max)
    hi_leaf = np.full(n_racks, -1)
    np.minimum.at(lo_leaf, leaf_rack, leaf_switch)
    np.maximum.at(hi_leaf, leaf_rack, leaf_switch)
    # Inside one leaf only when that leaf is one switch (or a collapsed fabric of its own):
    # racks under different units of a multi-unit leaf node talk through the tier above.
    rack_leaf = np.full(n_racks, -1, dtype=np.int64)
    has = hi_leaf >= 0
    one = has.copy()
    one[has] = (lo_leaf[has] == hi_leaf[has]) & ((count <= 1) | collapsed)[hi_leaf[has]]
    rack_leaf[one] = hi_leaf[one]
    return Fabric(
        leaf_switch=leaf_switch,
        leaf_rack=leaf_rack,
        leaf_weight=leaf_weight,
        tier=tier,
        has_up=has_up,
        collapsed=collapsed,
        up_edges=up_edges,
        rack_leaf=rack_leaf,
        rack_alpha_us=np.where(np.isfinite(alpha), alpha, FALLBACK_ALPHA_US),
        rack_alpha_local_us=np.where(np.isfinite(alpha_local), alpha_local, FALLBACK_ALPHA_US),
    )


def fabric_bandwidth(
    f: Fabric,
    port_gbps: FloatArray,
    oversub: FloatArray,
    rack_gpus: FloatArray,
    nic_gbps: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """(cross-leaf, within-leaf) bandwidth per accelerator in Gb/s, per rack (module doc).

    ``port_gbps`` = units up × ports × port speed per switch.
    """
    n_r = rack_gpus.shape[0]
    if not f.leaf_switch.size:
        fallback = np.minimum(FALLBACK_GBPS_PER_GPU, nic_gbps)
        return fallback, fallback.copy()
    n_s = port_gbps.shape[0]
    down_share = np.where(f.has_up, oversub / (1.0 + oversub), 1.0)
    down_share = np.where(f.collapsed, COLLAPSED_HOST_SHARE, down_share)
    down_cap = port_gbps * down_share
    up_cap = port_gbps - down_cap
    demand = rack_gpus[f.leaf_rack] * nic_gbps[f.leaf_rack] * f.leaf_weight
    load = np.bincount(f.leaf_switch, weights=demand, minlength=n_s)
    admit_down = np.ones(n_s)
    admit_up = np.ones(n_s)
    n_tiers = len(f.up_edges) + 1
    # Up the tiers: what each tier's downlinks admit, then what its uplinks pass on.
    for t in range(1, n_tiers + 1):
        at = f.tier == t
        admit_down[at] = np.minimum(1.0, down_cap[at] / np.maximum(load[at], 1e-12))
        if t < n_tiers:
            lo, hi, w = f.up_edges[t - 1]
            out = load * admit_down
            admit_up[at] = np.minimum(1.0, up_cap[at] / np.maximum(out[at], 1e-12))
            load += np.bincount(hi, weights=(out * admit_up)[lo] * w, minlength=n_s)
    # Down again: the share of a switch's traffic that gets through to the top it reaches.
    reach = admit_down.copy()
    for t in range(n_tiers - 1, 0, -1):
        lo, hi, w = f.up_edges[t - 1]
        above = np.bincount(lo, weights=reach[hi] * w, minlength=n_s)
        sel = (f.tier == t) & f.has_up
        reach[sel] = (admit_down * admit_up * above)[sel]
    reach = np.where(f.collapsed, admit_down / oversub, reach)
    local = np.where(f.collapsed, admit_down / oversub, admit_down)
    lw = f.leaf_weight
    cross = np.bincount(f.leaf_rack, weights=reach[f.leaf_switch] * lw, minlength=n_r)
    inside = np.bincount(f.leaf_rack, weights=local[f.leaf_switch] * lw, minlength=n_r)
    fallback = np.minimum(FALLBACK_GBPS_PER_GPU, nic_gbps)
    # Host Ethernet stays as a floor when the fabric is down or starved.
    return np.maximum(nic_gbps * cross, fallback), np.maximum(nic_gbps * inside, fallback)


def scaling_efficiency(
    gpus: FloatArray,
    domain: FloatArray,
    params_b: FloatArray,
    hbm_gb: FloatArray,
    bw_gbps: FloatArray,
    alpha_us: FloatArray,
    rate_flops: FloatArray,
) -> FloatArray:
    """Share of compute time left after exposed all-reduce time, per job (1 inside one domain)."""
    n_params = params_b * 1e9
    replica = np.ceil(n_params * TRAINING_BYTES_PER_PARAM / np.maximum(0.8 * hbm_gb * 1e9, 1.0))
    m = np.minimum(np.maximum(replica, np.minimum(domain, gpus)), np.maximum(gpus, 1.0))
    groups = np.maximum(gpus / np.maximum(m, 1.0), 1.0)
    spans = (gpus > domain) & (groups > 1.0) & (rate_flops > 0)
    out = np.ones_like(gpus)
    if not np.any(spans):
        return out
    g = groups[spans]
    msg_bytes = 2.0 * n_params[spans] / m[spans]
    link_bytes_s = bw_gbps[spans] / 8.0 * 1e9 * NCCL_EFFICIENCY
    t_comm = 2.0 * (g - 1.0) * alpha_us[spans] * 1e-6 + 2.0 * (
        g - 1.0
    ) / g * msg_bytes / np.maximum(link_bytes_s, 1.0)
    t_compute = 6.0 * n_params[spans] * GLOBAL_BATCH_TOKENS / rate_flops[spans]
    exposed = np.maximum(0.0, t_comm - BACKWARD_SHARE * t_compute)
    out[spans] = t_compute / (t_compute + exposed)
    return out
