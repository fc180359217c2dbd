"""Validation beyond the schema: structural errors and engineering warnings, as findings.

The schema checks each object on its own; these rules check how objects fit together. Errors
make a scenario unusable (a dangling edge, a duplicate id); warnings describe a factory that
will misbehave when simulated (a rack with no cooling, a PDU below its load). Every finding
carries a stable ``code`` (tests and the UI key on it), the ids involved and a field path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from itertools import repeat
from typing import Literal

import numpy as np

from aifactory_twin.catalog import accelerator_spec
from aifactory_twin.columns import EDGE_KIND_CODE, columns
from aifactory_twin.errors import ScenarioError
from aifactory_twin.graph import (
    COLLECTORS_NEEDING_REJECTOR,
    FactoryIndex,
    WanPaths,
    cooling_capacity_kw,
    cooling_groups,
    heat_rejection_reachable,
    latency_problems,
    power_capacity_kw,
    power_reachable,
    rated_heat_kw,
    rated_load_kw,
)
from aifactory_twin.kinds import POWER_STAGE_KINDS, POWERED_KINDS
from aifactory_twin.perf import FabricFigures, describe_layout
from aifactory_twin.perf.from_scenario import predict
from aifactory_twin.rules_cooling import cooling_mode_mismatches
from aifactory_twin.rules_residency import residency_errors
from aifactory_twin.schema import (
    CloudBurst,
    ComputeRack,
    CoolingUnit,
    Edge,
    Scenario,
    StaffTeam,
    TrainingJob,
    WanLink,
    order_problems,
    refusal_reason,
)

Severity = Literal["error", "warning"]
# Relative slack before a capacity shortfall is reported, so float sums that are equal on paper
# (e.g. 2 × 75 kW against 150 kW) never warn.
_TOLERANCE = 1e-9
ANY_PLACEMENT = "any"


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a scenario: how bad, a stable code, where, and which ids."""

    severity: Severity
    code: str
    message: str
    path: str
    ids: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.severity}: {self.path}: {self.message} [{self.code}]"


def _natural_key(path: str) -> tuple[object, ...]:
    """``nodes[10]`` sorts after ``nodes[2]``: numbers compare as numbers."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", path))


def check(scenario: Scenario) -> list[Finding]:
    """Every finding for ``scenario``: errors first, then by field path."""
    node_path: dict[str, str] = {}
    for i, node in enumerate(scenario.nodes):
        node_path.setdefault(node.id, f"nodes[{i}]")
    idx = FactoryIndex(scenario)
    out = _error_findings(scenario, idx)
    out += _nothing_to_run(scenario)
    out += _power(scenario, idx, node_path)
    out += _cooling(scenario, idx, node_path)
    out += _job_warnings(scenario, idx)
    out += _people_and_data(scenario, idx, node_path)
    out += _nobody_reviews(scenario)
    out += _idle_wan_links(scenario)
    return _sorted(out)


def errors(scenario: Scenario) -> list[Finding]:
    """The error findings of :func:`check`, in its order, without computing the warnings.

    What loading a file needs: the warnings (power paths, cooling groups, fabrics) walk every
    edge kind and are most of the work on a big factory, and a load only refuses on errors.
    """
    return _sorted(_error_findings(scenario, FactoryIndex(scenario)))


def _sorted(findings: list[Finding]) -> list[Finding]:
    """Errors first, then by field path (numbers as numbers), then code; ties keep their order."""
    findings.sort(key=lambda f: (f.severity != "error", _natural_key(f.path), f.code))
    return findings


def _error_findings(scenario: Scenario, idx: FactoryIndex) -> list[Finding]:
    out = _structure(scenario, idx)
    out += [
        Finding("error", "bad-vendor-order", message, path, (node_id,))
        for path, node_id, message in order_problems(scenario.nodes)
    ]
    out += [
        Finding("error", "latency-unreachable", message, path, (svc_id,))
        for path, svc_id, message in latency_problems(scenario)
    ]
    out += _workload_and_variant_refs(scenario, idx)
    out += [Finding("error", *m) for m in cooling_mode_mismatches(scenario, idx)]
    out += _job_errors(scenario, idx)
    out += _power_limits(scenario)
    out += [
        Finding("error", code, message, path, ids)
        for code, message, path, ids in residency_errors(scenario, idx)
    ]
    return out


# ----------------------------------------------------------------------------- errors
def _structure(scenario: Scenario, idx: FactoryIndex) -> list[Finding]:
    out: list[Finding] = []
    if not columns(scenario).ids_unique:
        out += [
            Finding("error", "duplicate-node-id", f"node id {node_id!r} is used twice",
                    f"nodes[{i}]", (node_id,))
            for i, node_id in _repeats([node.id for node in scenario.nodes])
        ]  # fmt: skip
    out += [
        Finding("error", "duplicate-edge-id", f"edge id {edge_id!r} is used twice",
                f"edges[{i}]", (edge_id,))
        for i, edge_id in _repeats([edge.id for edge in scenario.edges])
    ]  # fmt: skip
    # The index already sorted out the unusable edges; only those need a closer look.
    out += [_edge_problem(i, scenario.edges[i], idx.kind) for i in idx.rejected]
    return out


def _repeats(ids: list[str]) -> list[tuple[int, str]]:
    """(position, id) of every id that already appeared earlier in ``ids``."""
    if len(set(ids)) == len(ids):
        return []
    seen: set[str] = set()
    out = []
    for i, item in enumerate(ids):
        if item in seen:
            out.append((i, item))
        seen.add(item)
    return out


def _edge_problem(i: int, edge: Edge, kinds: dict[str, str]) -> Finding:
    """The error for an edge that failed the fast check: dangling, self-loop or not allowed."""
    path, ids = f"edges[{i}]", (edge.id, edge.source, edge.target)
    missing = [end for end in (edge.source, edge.target) if end not in kinds]
    if missing:
        names = " and ".join(repr(m) for m in dict.fromkeys(missing))
        return Finding(
            "error", "dangling-edge", f"edge {edge.id!r} points to no node {names}", path, ids
        )
    if edge.source == edge.target:
        return Finding(
            "error", "self-loop", f"edge {edge.id!r} connects {edge.source!r} to itself", path, ids
        )
    reason = refusal_reason(edge.kind, kinds[edge.source], kinds[edge.target])
    return Finding("error", "edge-not-allowed", f"edge {edge.id!r}: {reason}", path, ids)


def _workload_and_variant_refs(scenario: Scenario, idx: FactoryIndex) -> list[Finding]:
    out: list[Finding] = []
    workload_ids: set[str] = set()
    for i, work in enumerate(scenario.workloads):
        if work.id in workload_ids:
            out.append(
                Finding(
                    "error",
                    "duplicate-workload-id",
                    f"workload id {work.id!r} is used twice",
                    f"workloads[{i}]",
                    (work.id,),
                )
            )
        workload_ids.add(work.id)
        for j, target in enumerate(work.placement):
            if target != ANY_PLACEMENT and target not in idx.nodes:
                out.append(
                    Finding(
                        "error",
                        "placement-missing-node",
                        f"workload {work.id!r} is placed on {target!r}, which is not a node",
                        f"workloads[{i}].placement[{j}]",
                        (work.id, target),
                    )
                )
    # A WAN edge's values may be overridden too (its latency, its bandwidth).
    known = workload_ids | {e.id for e in _wan_links(scenario)}
    for i, variant in enumerate(scenario.variants):
        for j, override in enumerate(variant.overrides):
            target = override.target
            if target != "settings" and target not in idx.nodes and target not in known:
                out.append(
                    Finding(
                        "error",
                        "override-missing-target",
                        f"variant {variant.name!r} "
                        f"overrides {target!r}, which is neither a node, a workload, a WAN "
                        "edge nor 'settings'",
                        f"variants[{i}].overrides[{j}]",
                        (target,),
                    )
                )
    return out


def _wan_links(scenario: Scenario) -> list[WanLink]:
    """The WAN edges, found by their kind code (a 40-hall factory has 1.5 M edges, no WAN)."""
    wan = np.flatnonzero(columns(scenario).edge_kind == EDGE_KIND_CODE["wan"]).tolist()
    return [e for e in map(scenario.edges.__getitem__, wan) if isinstance(e, WanLink)]


# --------------------------------------------------------------------------- warnings
def _nothing_to_run(scenario: Scenario) -> list[Finding]:
    """An empty factory, or one with no workload: a run would show 0 % utilization."""
    if not scenario.nodes:
        return [
            Finding(
                "warning",
                "empty-factory",
                "the factory has no nodes: place racks, power and cooling from the palette "
                "or start from a template",
                "nodes",
                (),
            )
        ]
    # Job mixes and traces expand into training jobs when the scenario is compiled.
    if not (scenario.workloads or scenario.job_mix or scenario.job_traces):
        return [
            Finding(
                "warning",
                "no-workload",
                "no workload: a run keeps every accelerator idle (0 % utilization); add a "
                "training job, an inference service, a job mix or a job trace in the Scenario tab",
                "workloads",
                (),
            )
        ]
    return []


def _power(scenario: Scenario, idx: FactoryIndex, node_path: dict[str, str]) -> list[Finding]:
    out: list[Finding] = []
    reachable = power_reachable(scenario, idx)
    for rid in idx.of_kind("compute_rack"):
        if not reachable[rid]:
            out.append(
                Finding(
                    "warning",
                    "rack-no-power",
                    f"rack {rid!r} has no power path from a power feed",
                    node_path[rid],
                    (rid,),
                )
            )
            continue
        sources = idx.predecessors("power", rid)
        feeds = [src for src in sources if idx.kind[src] == "power_feed"]
        if feeds and not any(idx.kind[src] in ("ups", "pdu") for src in sources):
            # Racks take power through PDUs (and usually a UPS); straight off the grid means
            # no distribution, no metering and no ride-through through a grid dip.
            out.append(
                Finding(
                    "warning",
                    "rack-fed-from-feed",
                    f"rack {rid!r} is fed straight from power feed {feeds[0]!r} with no UPS "
                    "or PDU between them",
                    node_path[rid],
                    (rid, *feeds),
                )
            )
    # Load carried by each source: every node shares its load among its direct sources in
    # proportion to their rating. Loads hand theirs on first, then PDUs, then UPSs: the edge table
    # allows no other order (no PDU feeds a UPS), so each node hands on its load exactly once.
    carried_kw: dict[str, float] = {}

    def hand_on(child: str, child_load_kw: float) -> None:
        sources = idx.predecessors("power", child)
        if not sources or child_load_kw <= 0:
            return
        caps_kw = [power_capacity_kw(idx.nodes[src]) for src in sources]
        total_kw = sum(caps_kw)
        for src, cap_kw in zip(sources, caps_kw, strict=True):
            carried_kw[src] = carried_kw.get(src, 0.0) + child_load_kw * cap_kw / total_kw

    for kind in sorted(POWERED_KINDS):  # fixed order: float sums repeat exactly
        for nid in idx.of_kind(kind):
            hand_on(nid, rated_load_kw(idx.nodes[nid]))
    downstream_first = POWER_STAGE_KINDS[::-1]  # PDU, UPS, feed
    for layer in downstream_first[:-1]:
        for nid in idx.of_kind(layer):
            hand_on(nid, carried_kw.get(nid, 0.0))
    for layer in downstream_first:
        for nid in idx.of_kind(layer):
            rating_kw = power_capacity_kw(idx.nodes[nid])
            load_kw = carried_kw.get(nid, 0.0)
            if load_kw > rating_kw * (1 + _TOLERANCE):
                out.append(
                    Finding(
                        "warning",
                        "power-rating-below-load",
                        f"{layer} {nid!r} is rated {rating_kw:g} kW but carries {load_kw:g} kW "
                        "of rated load downstream",
                        node_path[nid],
                        (nid,),
                    )
                )
    return out


def _cooling(scenario: Scenario, idx: FactoryIndex, node_path: dict[str, str]) -> list[Finding]:
    out: list[Finding] = []
    for racks, units in cooling_groups(idx).values():
        if not units:
            for rid in racks:
                out.append(
                    Finding(
                        "warning",
                        "rack-no-cooling",
                        f"rack {rid!r} has no coolant edge from a cooling unit",
                        node_path[rid],
                        (rid,),
                    )
                )
            continue
        heat_kw = sum(rated_heat_kw(idx.nodes[r]) for r in racks)
        capacity_kw = sum(cooling_capacity_kw(idx.nodes[u]) for u in units)
        if capacity_kw < heat_kw * (1 - _TOLERANCE):
            # Simplification: air and liquid paths are pooled per group (domain-reference §2).
            out.append(
                Finding(
                    "warning",
                    "cooling-below-heat",
                    f"cooling units {', '.join(units)} "
                    f"offer {capacity_kw:g} kW but the {len(racks)} rack node(s) they serve "
                    f"are rated {heat_kw:g} kW",
                    node_path[units[0]],
                    (*units, *racks),
                )
            )
    backed = heat_rejection_reachable(scenario, idx)
    for cid, has_rejector in backed.items():
        unit = idx.nodes[cid]
        serves_racks = any(idx.kind[t] == "compute_rack" for t in idx.successors("coolant", cid))
        if (
            isinstance(unit, CoolingUnit)
            and unit.cooling_type in COLLECTORS_NEEDING_REJECTOR
            and serves_racks
            and not has_rejector
        ):
            out.append(
                Finding(
                    "warning",
                    "collector-no-rejector",
                    f"{unit.cooling_type} {cid!r} "
                    "serves racks but no chiller, dry cooler or cooling tower is behind it",
                    node_path[cid],
                    (cid,),
                )
            )
    return out


class _JobSpan:
    """What a placement offers a job: its racks, accelerators and whether a fabric joins them."""

    def __init__(self, candidates: list[str], idx: FactoryIndex) -> None:
        self.candidates = candidates
        self.racks = [n for c in candidates if isinstance(n := idx.nodes[c], ComputeRack)]
        self.on_site = sum(r.accelerators_per_unit * r.count for r in self.racks)
        self.cloud = sum(
            n.max_accelerators for c in candidates if isinstance(n := idx.nodes[c], CloudBurst)
        )
        self.per_unit_max = max((r.accelerators_per_unit for r in self.racks), default=0)
        self._idx = idx

    @cached_property
    def fabric(self) -> bool:
        """Whether a network edge joins any of the racks to a switch (asked only when needed)."""
        idx = self._idx
        return any(
            idx.kind[n] == "network_switch"
            for r in self.racks
            for n in idx.neighbours("network", r.id)
        )


def _job_spans(
    scenario: Scenario, idx: FactoryIndex, *, with_model_only: bool
) -> Iterator[tuple[str, TrainingJob, _JobSpan]]:
    """(field path, job, span) per training job (only those with a model, if asked)."""
    # Jobs that may run anywhere (the common case: hundreds of jobs on a big factory) share one
    # scan of the nodes, so checking is linear in nodes + jobs rather than their product.
    spans: dict[tuple[str, ...], _JobSpan] = {}
    for i, job in enumerate(scenario.workloads):
        if not isinstance(job, TrainingJob) or (with_model_only and job.model is None):
            continue
        anywhere = not job.placement or ANY_PLACEMENT in job.placement
        key = () if anywhere else tuple(job.placement)
        span = spans.get(key)
        if span is None:
            candidates = list(idx.nodes) if anywhere else [p for p in key if p in idx.nodes]
            span = spans[key] = _JobSpan(candidates, idx)
        yield f"workloads[{i}]", job, span


def _job_errors(scenario: Scenario, idx: FactoryIndex) -> list[Finding]:
    out: list[Finding] = []
    for path, job, span in _job_spans(scenario, idx, with_model_only=True):
        out += _job_layout(job, path, span.racks, span.candidates, idx)
    return out


def _job_warnings(scenario: Scenario, idx: FactoryIndex) -> list[Finding]:
    out: list[Finding] = []
    for path, job, span in _job_spans(scenario, idx, with_model_only=False):
        if job.accelerators_requested > span.on_site + span.cloud:
            out.append(
                Finding(
                    "warning",
                    "job-exceeds-accelerators",
                    f"training job {job.id!r} requests "
                    f"{job.accelerators_requested} accelerators but only {span.on_site} on site "
                    f"and {span.cloud} in cloud burst are available to it",
                    path,
                    (job.id,),
                )
            )
        if span.racks and job.accelerators_requested > span.per_unit_max and not span.fabric:
            out.append(
                Finding(
                    "warning",
                    "job-no-fabric",
                    f"training job {job.id!r} needs more than one "
                    f"rack ({job.accelerators_requested} > {span.per_unit_max} accelerators) but "
                    "its racks have no network edge to a fabric",
                    path,
                    (job.id, *(r.id for r in span.racks)),
                )
            )
    return out


def _job_layout(
    job: TrainingJob, path: str, racks: list[ComputeRack], candidates: list[str], idx: FactoryIndex
) -> list[Finding]:
    """A job with a model description must have a layout that divides it and fits in HBM."""
    if job.model is None:
        return []
    ref = racks[0].accelerator if racks else None
    if ref is None:
        clouds = [n for c in candidates if isinstance(n := idx.nodes[c], CloudBurst)]
        ref = clouds[0].accelerator if clouds else None
    if ref is None:
        return []
    try:
        spec = accelerator_spec(ref)
    except ScenarioError:
        return []  # an unknown accelerator is reported where it is named
    # Memory and divisibility do not depend on the fabric; a plain NIC-rate one will do.
    res = predict(job, spec, FabricFigures.uniform(spec.nic_gbps))
    if res is None or (res.layout is not None and res.feasible > 0):
        return []
    if res.layout is None:
        code, message = "layout-indivisible", res.problem
    else:
        parts = ", ".join(f"{name} {gb:.1f} GB" for name, gb in res.memory_gb.items())
        code = "layout-exceeds-hbm"
        message = (
            f"{describe_layout(res.layout)} {res.problem} ({parts}) on {spec.name}; "
            "use more pipeline or tensor parallel, recompute, a higher ZeRO stage, or more HBM"
        )
    return [
        Finding("error", code, f"training job {job.id!r}: {message}", f"{path}.layout", (job.id,))
    ]


def _people_and_data(
    scenario: Scenario, idx: FactoryIndex, node_path: dict[str, str]
) -> list[Finding]:
    out: list[Finding] = []
    for tid in idx.of_kind("staff_team"):
        if not idx.successors("support", tid):
            out.append(
                Finding(
                    "warning",
                    "team-supports-nothing",
                    f"team {tid!r} has no support edge to anything it looks after",
                    node_path[tid],
                    (tid,),
                )
            )
    if any(isinstance(w, TrainingJob) for w in scenario.workloads):
        for sid in idx.of_kind("storage"):
            if not idx.neighbours("data", sid):
                out.append(
                    Finding(
                        "warning",
                        "storage-no-data",
                        f"storage {sid!r} has no data edge, so it feeds no training job",
                        node_path[sid],
                        (sid,),
                    )
                )
    return out


def _nobody_reviews(scenario: Scenario) -> list[Finding]:
    """Training runs whose models would wait at the governance review gate forever.

    The launch pipeline (``sim/models/launch.py``) has finished runs evaluated (by MLOps, else
    by the ML researchers) and then reviewed by the security/governance team; when someone
    evaluates but nobody reviews, every model stops at the review gate and none launches. A
    scenario with no evaluators never reaches the gate (it does not model the launch pipeline),
    so it is not warned.
    """
    people: dict[str, int] = {}
    for node in scenario.nodes:
        if isinstance(node, StaffTeam):
            people[node.role] = people.get(node.role, 0) + node.headcount
    evaluated = people.get("mlops", 0) + people.get("ml_research", 0) > 0
    if not evaluated or people.get("security_governance", 0) > 0:
        return []
    jobs = [(i, w.id) for i, w in enumerate(scenario.workloads) if isinstance(w, TrainingJob)]
    runs = [job_id for _, job_id in jobs]
    runs += [f"the job mix of team {m.team!r}" for m in scenario.job_mix]
    runs += [f"job trace {t.id!r}" for t in scenario.job_traces]
    if not runs:
        return []
    shown = ", ".join(runs[:5]) + (f" and {len(runs) - 5} more" if len(runs) > 5 else "")
    return [
        Finding(
            "warning",
            "no-governance-team",
            f"training runs ({shown}) go to a governance review before launch, but no "
            "security_governance team with people reviews them, so no model will launch; add a "
            "staff team with role security_governance",
            f"workloads[{jobs[0][0]}]" if jobs else "job_mix" if scenario.job_mix else "job_traces",
            tuple(runs[: len(jobs)]),
        )
    ]


def _idle_wan_links(scenario: Scenario) -> list[Finding]:
    """A WAN edge whose two ends are at the same place (a site and a switch inside it)."""
    if not any(isinstance(e, WanLink) for e in scenario.edges):
        return []
    position = {e.id: i for i, e in enumerate(scenario.edges)}
    return [
        Finding(
            "warning",
            "wan-edge-same-place",
            f"WAN edge {e.id!r} joins {e.source!r} and {e.target!r}, which are at the same "
            "place, so no traffic crosses it; link the site to another site or to a switch "
            "of the main hall",
            f"edges[{position[e.id]}]",
            (e.id, e.source, e.target),
        )
        for e in WanPaths(scenario).idle
    ]


def _power_limits(scenario: Scenario) -> list[Finding]:
    """A power cap at or below the accelerator's idle power leaves it nothing to compute with."""
    out: list[Finding] = []
    # Only nodes with a cap get a closer look (one C-level pass finds them among 383,600).
    limits = list(map(getattr, scenario.nodes, repeat("power_limit_w"), repeat(None)))
    some = limits.count(None) < len(limits)
    capped = [i for i, limit in enumerate(limits) if limit is not None] if some else []
    for i in capped:
        node = scenario.nodes[i]
        if not isinstance(node, ComputeRack) or node.power_limit_w is None:
            continue
        try:
            idle_w = accelerator_spec(node.accelerator).idle_w
        except ScenarioError:
            continue  # an unknown accelerator is reported on its own field
        if node.power_limit_w <= idle_w:
            out.append(
                Finding(
                    "error",
                    "power-limit-below-idle",
                    f"rack {node.id!r}: power_limit_w {node.power_limit_w:g} W is at or below "
                    f"its accelerator's idle power {idle_w:g} W; the accelerators could not "
                    "compute (Hopper's lowest settable limit is 200 W, domain-reference §1.3)",
                    f"nodes[{i}].power_limit_w",
                    (node.id,),
                )
            )
    return out
