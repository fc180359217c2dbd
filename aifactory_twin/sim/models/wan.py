"""WAN sharing (issue 14): inference responses that cross WAN links share their bandwidth.

A service whose users are at a site (``users_site``) is placed on the racks nearest its users
first (``compute.place``) and served first by its hosts at that site, then by hosts elsewhere
within its latency target (``compile/sites.py``). Each pair (service,
serving site) is a *flow* along the lowest-latency path of WAN edges (``graph.WanPaths``).
Each step:

1. the local hosts serve up to their capacity; the rest of the demand, up to the remote hosts'
   capacity, is offered to the service's flows in proportion to each flow's capacity;
2. a link carries the sum of the flows crossing it, at most its bandwidth in tokens/s
   (``bandwidth_gbps`` / ``STREAM_BYTES_PER_TOKEN``); a link asked for more scales every flow
   crossing it by capacity / load (a saturated shared uplink splits in proportion to what each
   service asks). A flow crossing several links takes the smallest factor. One pass, no
   re-routing to a less loaded flow (simplification); what a link cuts is unmet demand;
3. each remote token pays its serving site's egress price.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolMatrix = npt.NDArray[np.bool_]

STREAM_BYTES_PER_TOKEN = 200.0
"""Bytes on the wire per generated token when responses stream (estimate: one server-sent
event of ~150–250 bytes of JSON per token, as chat-completion APIs stream)."""


def link_tokens_per_s(bandwidth_gbps: float) -> float:
    """Streamed tokens/s a link of ``bandwidth_gbps`` carries."""
    return bandwidth_gbps * 1e9 / 8.0 / STREAM_BYTES_PER_TOKEN


@dataclass(eq=False)
class WanFlows:
    """The flows of the services with a users' site (index f) over the WAN links (index l)."""

    service: IntArray
    """Per flow: the inference service (index i) it serves."""
    rack: BoolMatrix
    """Flow × rack: the racks of the flow's serving site the service may use."""
    cloud: BoolMatrix
    """Flow × cloud-burst node, likewise."""
    links: BoolMatrix
    """Flow × link: the WAN edges on the flow's path."""
    usd_per_token: FloatArray
    """Per flow: egress price of one token leaving its serving site."""
    link_tps: FloatArray
    """Per link: tokens/s it carries at most."""
    link_ids: tuple[str, ...]
    """Per link: the WAN edge's id."""
    link_node: tuple[str, ...]
    """Per link: the node an event about it names (the edge's source)."""
    remote_rack: BoolMatrix
    """Service × rack: the rack serves it from another site (the union of its flows)."""
    remote_cloud: BoolMatrix
    rack_latency_ms: FloatArray
    """Service × rack: round trip from the service's users to the rack (0 at their site or
    without a users' site); placement takes the nearest racks first."""


@dataclass(frozen=True)
class WanShare:
    """Capacity of each service split into local and per-flow parts for one placement."""

    local_tps: FloatArray
    """Per service: tokens/s its hosts at the users' site (or with no site set) can serve."""
    flow_tps: FloatArray
    """Per flow: tokens/s its serving site's hosts can serve the service."""
    cap_tps: FloatArray
    """Per service: local + every flow (before any link limits it)."""


def wan_share(
    w: WanFlows,
    inf_rack: FloatArray,
    inf_cloud: FloatArray,
    rack_pace: FloatArray,
    tps_per_gpu: FloatArray,
) -> WanShare:
    """Local and per-flow capacity of a placement (accelerators per service and rack/cloud)."""
    far_r = np.where(w.remote_rack, inf_rack, 0.0)
    far_c = np.where(w.remote_cloud, inf_cloud, 0.0)
    local = ((inf_rack - far_r) @ rack_pace + (inf_cloud - far_c).sum(axis=1)) * tps_per_gpu
    s = w.service
    flow_gpus = np.where(w.rack, inf_rack[s], 0.0) @ rack_pace
    flow_gpus += np.where(w.cloud, inf_cloud[s], 0.0).sum(axis=1)
    flow = flow_gpus * tps_per_gpu[s]
    cap = local + np.bincount(s, weights=flow, minlength=local.shape[0])
    return WanShare(local, flow, cap)


@dataclass(frozen=True)
class WanServed:
    """What one step serves over the WAN."""

    served_tps: FloatArray
    """Per service: tokens/s served, local plus what the links carried."""
    egress_usd_per_s: float
    saturated: npt.NDArray[np.bool_]
    """Per link: asked for more tokens/s than it carries."""
    asked_tps: FloatArray
    """Per link: tokens/s the flows crossing it asked for."""


def wan_serve(w: WanFlows, share: WanShare, demand_tps: FloatArray) -> WanServed:
    """Serve ``demand_tps`` per service: local first, the rest over the shared links."""
    local = np.minimum(demand_tps, share.local_tps)
    far_cap = share.cap_tps - share.local_tps
    want = np.minimum(demand_tps, share.cap_tps) - local
    frac = np.divide(want, far_cap, out=np.zeros_like(want), where=far_cap > 0)
    offered = share.flow_tps * frac[w.service]
    load = offered @ w.links
    factor = np.divide(w.link_tps, load, out=np.ones_like(load), where=load > w.link_tps)
    if factor.size:
        flow_factor = np.where(w.links, factor[np.newaxis, :], 1.0).min(axis=1)
    else:
        flow_factor = np.ones_like(offered)
    carried = offered * flow_factor
    remote = np.bincount(w.service, weights=carried, minlength=local.shape[0])
    served = local + remote.astype(np.float64)
    return WanServed(served, float(carried @ w.usd_per_token), load > w.link_tps, load)
