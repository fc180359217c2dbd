"""Compile part: sites and the WAN (issue 14) — inference latency, WAN flows, egress, travel.

Sites are ``site`` nodes; a node is at the site its ``group`` names (``graph.site_of``), and
places meet over the ``wan`` edges (``graph.WanPaths``: lowest-latency paths). This part
narrows each inference service with a ``users_site`` to the hosts within its
``latency_target_ms`` over those paths (none at all is an error, ``graph.latency_problems``),
makes one flow per (service, other serving place) along its path (``models/wan.py`` shares the
links' bandwidth between them each step and prices egress by the serving site), and gives each
node the travel time of the nearest technician team that looks after it. Without site nodes
nothing changes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from aifactory_twin.graph import WanPaths, latency_problems, site_of, sites
from aifactory_twin.schema import InferenceService, NodeBase, Scenario, Site, StaffTeam
from aifactory_twin.sim.compile.common import problem
from aifactory_twin.sim.compile.staff import TECHNICIAN_ROLES
from aifactory_twin.sim.compiled import IntArray, NodeParams
from aifactory_twin.sim.models.compute import Workloads
from aifactory_twin.sim.models.wan import STREAM_BYTES_PER_TOKEN, WanFlows, link_tokens_per_s


def compile_sites(
    sc: Scenario,
    nodes: Sequence[NodeBase],
    wl: Workloads,
    rack_node: IntArray,
    cloud_node: IntArray,
    teams: list[tuple[int, StaffTeam]],
    support: tuple[IntArray, IntArray],
    node_params: NodeParams,
) -> None:
    """Narrow the inference hosts by latency and build the WAN flows; set travel times."""
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
    paths = WanPaths(sc, known)
    rack_site = np.asarray([where[i] for i in rack_node], dtype=object)
    cloud_site = np.asarray([where[i] for i in cloud_node], dtype=object)
    remote_rack = np.zeros_like(wl.inf_rack_mask)
    rack_latency_ms = np.zeros(wl.inf_rack_mask.shape)
    remote_cloud = np.zeros_like(wl.inf_cloud_mask)
    link_index: dict[str, int] = {}
    link_tps: list[float] = []
    link_node: list[str] = []
    flows: list[tuple[int, str, list[int]]] = []  # (service, serving place, link indices)
    for i, svc in enumerate(services):
        users = svc.users_site
        if not users:
            continue
        for at, mask, remote in (
            (rack_site, wl.inf_rack_mask, remote_rack),
            (cloud_site, wl.inf_cloud_mask, remote_cloud),
        ):
            trip = np.asarray([paths.latency_ms(users, s) for s in at], dtype=np.float64)
            mask[i] &= trip <= svc.latency_target_ms
            remote[i] = mask[i] & (at != users)
            if remote is remote_rack:
                rack_latency_ms[i] = np.where(mask[i], trip, 0.0)
        places = set(rack_site[remote_rack[i]]) | set(cloud_site[remote_cloud[i]])
        for place in sorted(places):
            on_path = []
            for link in paths.path(place, users):
                if link.id not in link_index:
                    link_index[link.id] = len(link_tps)
                    link_tps.append(link_tokens_per_s(link.bandwidth_gbps))
                    link_node.append(link.source)
                on_path.append(link_index[link.id])
            flows.append((i, place, on_path))
    links = np.zeros((len(flows), len(link_tps)), dtype=bool)
    for f, (_, _, on_path) in enumerate(flows):
        links[f, on_path] = True
    service = np.asarray([i for i, _, _ in flows], dtype=np.int64)
    place_of = np.asarray([p for _, p, _ in flows], dtype=object)
    gb_per_token = STREAM_BYTES_PER_TOKEN / 1e9
    wl.wan = WanFlows(
        service=service,
        rack=remote_rack[service] & (rack_site[np.newaxis, :] == place_of[:, np.newaxis]),
        cloud=remote_cloud[service] & (cloud_site[np.newaxis, :] == place_of[:, np.newaxis]),
        links=links,
        usd_per_token=np.asarray(
            [known[p].egress_usd_per_gb * gb_per_token if p else 0.0 for p in place_of],
            dtype=np.float64,
        ),
        link_tps=np.asarray(link_tps, dtype=np.float64),
        link_ids=tuple(link_index),
        link_node=tuple(link_node),
        remote_rack=remote_rack,
        remote_cloud=remote_cloud,
        rack_latency_ms=rack_latency_ms,
    )


def _travel(
    known: dict[str, Site],
    where: list[str],
    teams: list[tuple[int, StaffTeam]],
    support: tuple[IntArray, IntArray],
    node_params: NodeParams,
) -> None:
    """Per node: the travel time of the nearest technician team looking after it (0 if local)."""
    tech = {i: where[i] for i, x in teams if x.role in TECHNICIAN_ROLES}
    travel = np.full(len(where), math.inf)
    for team, node in zip(support[0].tolist(), support[1].tolist(), strict=True):
        if team not in tech:
            continue
        at = where[node]
        hours = 0.0 if not at or at == tech[team] else known[at].technician_travel_hours
        travel[node] = min(travel[node], hours)
    travel[np.isinf(travel)] = 0.0
    if travel.any():
        node_params.travel_h = travel
