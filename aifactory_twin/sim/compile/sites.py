"""Compile part: sites and the WAN (issue 14) — inference latency, WAN caps, egress, travel.

Sites are ``site`` nodes; a node is at the site its ``group`` names (``graph.site_of``), and
sites meet through a hub-and-spoke WAN (``graph.rtt_ms``). This part narrows each inference
service with a ``users_site`` to the hosts within its ``latency_target_ms`` (none at all is an
error, ``graph.latency_problems``), marks the hosts at another site as remote (their responses
cross the WAN: capped by the users' uplink and charged the serving site's egress price per GB),
and gives each node the travel time of the nearest technician team that looks after it.
Without site nodes nothing changes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from aifactory_twin.graph import latency_problems, rtt_ms, site_of, sites
from aifactory_twin.schema import InferenceService, NodeBase, Scenario, Site, StaffTeam
from aifactory_twin.sim.compile.common import problem
from aifactory_twin.sim.compile.staff import TECHNICIAN_ROLES
from aifactory_twin.sim.compiled import IntArray, NodeParams
from aifactory_twin.sim.models.compute import Workloads

STREAM_BYTES_PER_TOKEN = 200.0
"""Bytes on the wire per generated token when responses stream (estimate: one server-sent
event of ~150–250 bytes of JSON per token, as chat-completion APIs stream)."""


def compile_sites(
    sc: Scenario,
    nodes: Sequence[NodeBase],
    wl: Workloads,
    rack_node: IntArray,
    cloud_node: IntArray,
    teams: list[tuple[int, StaffTeam]],
    support: list[tuple[int, int]],
    node_params: NodeParams,
) -> None:
    """Narrow, mark and price the inference hosts by site; set the nodes' travel times."""
    known = sites(nodes)
    if not known:
        return
    found = latency_problems(sc)
    if found:
        raise problem(found[0][0], found[0][2])
    where = [site_of(n, known) for n in nodes]
    _travel(known, where, teams, support, node_params)
    services = [w for w in sc.workloads if isinstance(w, InferenceService)]
    if not any(s.users_site for s in services):
        return
    rack_site = np.asarray([where[i] for i in rack_node], dtype=object)
    cloud_site = np.asarray([where[i] for i in cloud_node], dtype=object)
    wl.inf_remote_rack = np.zeros_like(wl.inf_rack_mask)
    wl.inf_remote_cloud = np.zeros_like(wl.inf_cloud_mask)
    wl.inf_wan_tps = np.full(len(services), math.inf)
    for i, svc in enumerate(services):
        users = svc.users_site
        if not users:
            continue
        for at, mask, remote in (
            (rack_site, wl.inf_rack_mask, wl.inf_remote_rack),
            (cloud_site, wl.inf_cloud_mask, wl.inf_remote_cloud),
        ):
            trip = np.asarray([rtt_ms(known, users, s) for s in at], dtype=np.float64)
            mask[i] &= trip <= svc.latency_target_ms
            remote[i] = mask[i] & (at != users)
        uplink_bytes_s = known[users].wan_bandwidth_gbps * 1e9 / 8.0
        wl.inf_wan_tps[i] = uplink_bytes_s / STREAM_BYTES_PER_TOKEN

    def usd_per_token(at: npt.NDArray[np.object_]) -> npt.NDArray[np.float64]:
        gb = STREAM_BYTES_PER_TOKEN / 1e9
        return np.asarray([known[s].egress_usd_per_gb * gb if s else 0.0 for s in at])

    wl.rack_egress_usd_per_token = usd_per_token(rack_site)
    wl.cloud_egress_usd_per_token = usd_per_token(cloud_site)


def _travel(
    known: dict[str, Site],
    where: list[str],
    teams: list[tuple[int, StaffTeam]],
    support: list[tuple[int, int]],
    node_params: NodeParams,
) -> None:
    """Per node: the travel time of the nearest technician team looking after it (0 if local)."""
    tech = {i: where[i] for i, x in teams if x.role in TECHNICIAN_ROLES}
    travel = np.full(len(where), math.inf)
    for team, node in support:
        if team not in tech:
            continue
        at = where[node]
        hours = 0.0 if not at or at == tech[team] else known[at].technician_travel_hours
        travel[node] = min(travel[node], hours)
    travel[np.isinf(travel)] = 0.0
    if travel.any():
        node_params.travel_h = travel
