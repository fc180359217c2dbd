"""Scenario → arrays: index maps, parameter vectors and per-edge-kind index arrays.

The engine never walks the graph: every aggregation along edges is one ``np.bincount`` over the
index arrays built here (networkx was measured 50× slower for per-step aggregation, issue 3).
Compiling is done once per topology; a parameter edit recompiles and the engine swaps the
vectors (same node and edge ids ⇒ same indices, so the running state stays valid).

This module checks the frame (horizon, step, ids, events, edge ends), groups the nodes by kind
and the edges by kind in one pass each, and hands each group to its part: ``nodes`` (what every
node has), ``compute`` (racks, cloud), ``plant`` (cooling), ``power`` (distribution),
``network`` (switches, fabric, storage), ``staff`` and ``perf`` (the performance model's step
time for jobs that describe their model). Each part returns the matching part of
``CompiledScenario`` (``sim/compiled.py``). A new node kind adds its part (or extends one) here.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Callable, Sequence
from operator import attrgetter, itemgetter
from typing import Any, TypeVar

import numpy as np

from aifactory_twin.catalog import accelerator_spec
from aifactory_twin.columns import EDGE_KIND_CODE, columns
from aifactory_twin.schema import (
    AcceleratorSpec,
    CloudBurst,
    ComputeRack,
    CoolingUnit,
    NetworkSwitch,
    NodeBase,
    PowerFeed,
    Scenario,
    StaffTeam,
    Storage,
    TrainingJob,
)
from aifactory_twin.sim.compile.common import EdgesByKind, problem
from aifactory_twin.sim.compile.compute import compile_cloud, compile_racks, rack_specs
from aifactory_twin.sim.compile.job_mix import expand_job_mix
from aifactory_twin.sim.compile.job_traces import expand_job_traces
from aifactory_twin.sim.compile.network import compile_network, compile_storage
from aifactory_twin.sim.compile.nodes import compile_nodes, deliveries_for_seed
from aifactory_twin.sim.compile.perf import compile_job_perf
from aifactory_twin.sim.compile.plant import compile_plant
from aifactory_twin.sim.compile.power import compile_power
from aifactory_twin.sim.compile.retrain import expand_retrains, plan_retrains
from aifactory_twin.sim.compile.sites import compile_sites
from aifactory_twin.sim.compile.staff import compile_staff
from aifactory_twin.sim.compile.weather import compile_weather
from aifactory_twin.sim.compiled import (
    ROLES,
    CompiledScenario,
    NodeParams,
    RackParams,
    event_problem,
)
from aifactory_twin.sim.models.compute import Workloads, compile_workloads
from aifactory_twin.sim.models.data_pipeline import access_pattern, ready_times_s
from aifactory_twin.sim.models.distinct import Groups, first_of_each
from aifactory_twin.variants import apply_variant

__all__ = [
    "ROLES",
    "CompiledScenario",
    "compile_scenario",
    "deliveries_for_seed",
    "event_problem",
]


def compile_scenario(
    scenario: Scenario,
    variant: str | None = None,
    *,
    horizon_s: float | None = None,
    step_s: float | None = None,
) -> CompiledScenario:
    """Apply ``variant``, resolve catalog accelerators and flatten the scenario into arrays."""
    # Compiling walks ~10⁵ objects and allocates many small ones, none cyclic: pausing the
    # cyclic collector meanwhile halves the time on a 9,472-node scene (benchmarks/bench_engine).
    paused = gc.isenabled()
    gc.disable()
    try:
        return _compile(scenario, variant, horizon_s, step_s)
    finally:
        if paused:
            gc.enable()


def _edges_by_kind(sc: Scenario) -> EdgesByKind:
    """Edges as node-index arrays per kind (an unknown end is an error; ids are unique here)."""
    cols = columns(sc)  # shared with the load's error rules
    src, dst = cols.src, cols.dst
    dangling = np.flatnonzero((src < 0) | (dst < 0))
    if dangling.size:
        e_pos = int(dangling[0])
        edge = sc.edges[e_pos]
        missing = edge.source if src[e_pos] < 0 else edge.target
        raise problem(f"edges[{e_pos}]", f"edge {edge.id!r} names unknown node {missing!r}")
    # WAN edges are read with the sites (``compile/sites.py``), not here.
    kind = cols.edge_kind
    return EdgesByKind({k: (src[kind == c], dst[kind == c]) for k, c in EDGE_KIND_CODE.items()})


_RACK_IDENTITY = frozenset({"id", "name", "position", "group", "delivery"})
"""Rack fields ``compile_racks`` does not read: racks differing only in these share parameters."""


def _rack_configurations(racks: list[tuple[int, ComputeRack]]) -> Groups | None:
    """Racks grouped by configuration: every field but ``_RACK_IDENTITY``.

    The accelerator spec follows from the fields (``rack_specs``), so it is the same within a
    group. None when a rack is of a subclass or a field cannot be a dict key (the parts then go
    rack by rack).
    """
    rk = [x for _, x in racks]
    if set(map(type, rk)) - {ComputeRack}:
        return None
    reads = itemgetter(*_RACK_CONFIGURATION)
    try:
        return first_of_each(list(map(reads, map(_fields_of, rk))))
    except TypeError:
        return None


_RACK_CONFIGURATION = tuple(f for f in ComputeRack.model_fields if f not in _RACK_IDENTITY)
_fields_of = attrgetter("__dict__")  # a model's field values, read without attribute lookups


def _rack_specs_per_configuration(
    racks: list[tuple[int, ComputeRack]], groups: Groups | None
) -> list[AcceleratorSpec]:
    """``rack_specs(racks)``, resolved once per rack configuration."""
    if groups is None:
        return rack_specs(racks)
    firsts, inverse = groups
    once = rack_specs([racks[r] for r in firsts])
    return list(map(once.__getitem__, inverse.tolist()))


def _rated_rack_kw(racks: list[tuple[int, ComputeRack]], groups: Groups | None) -> float:
    """Sum of the racks' rated power × count, in rack order (the same float sum)."""
    if groups is None:
        return sum(x.power_rating_kw * x.count for _, x in racks)
    firsts, inverse = groups
    once = [racks[r][1].power_rating_kw * racks[r][1].count for r in firsts]
    return sum(map(once.__getitem__, inverse.tolist()))


def _racks_per_configuration(
    racks: list[tuple[int, ComputeRack]], specs: list[AcceleratorSpec], groups: Groups | None
) -> RackParams:
    """``compile_racks(racks, specs)``, computed once per rack configuration (``groups``).

    A 40-hall factory has 378,880 racks and a few configurations: the parameters of the first
    rack of each configuration are spread to the others with one index array (same values).
    """
    if groups is None or len(groups[0]) == len(racks):
        return compile_racks(racks, specs)
    firsts, inverse = groups
    once = compile_racks([racks[r] for r in firsts], [specs[r] for r in firsts])
    spread: dict[str, Any] = {"node": np.asarray([i for i, _ in racks], dtype=np.int64)}
    for field in dataclasses.fields(once):
        value = getattr(once, field.name)
        if field.name == "node":
            continue
        if not (isinstance(value, np.ndarray) and value.shape[:1] == (len(firsts),)):
            return compile_racks(racks, specs)  # not a per-rack array: nothing to spread
        spread[field.name] = value[inverse]
    return RackParams(**spread)


_NodeT = TypeVar("_NodeT", bound=NodeBase)


def _by_class(nodes: Sequence[NodeBase]) -> Callable[[type[_NodeT]], list[tuple[int, _NodeT]]]:
    """``of(cls)`` = [(position, node)] of the nodes that are ``cls``, in file order.

    The nodes are grouped by their exact class in one pass (a 40-hall factory has 383,600 of
    them, and compiling asks for seven kinds); a class with subclasses among the nodes is
    filtered with ``isinstance`` as before.
    """
    groups: dict[type, list[tuple[int, Any]]] = {}
    for i, node in enumerate(nodes):
        cls = type(node)
        if cls in groups:
            groups[cls].append((i, node))
        else:
            groups[cls] = [(i, node)]

    def of(cls: type[_NodeT]) -> list[tuple[int, _NodeT]]:
        if any(issubclass(c, cls) and c is not cls for c in groups):
            return [(i, x) for i, x in enumerate(nodes) if isinstance(x, cls)]
        return list(groups.get(cls, ()))

    return of


def _gate_on_datasets(
    sc: Scenario,
    wl: Workloads,
    teams: list[tuple[int, StaffTeam]],
    stores: list[tuple[int, Storage]],
) -> None:
    """When each job's dataset is ready; the work stage gates the job's start on it.

    A dataset node several jobs name goes through the pipeline once (for its first job); the
    others wait for the same ready time.
    """
    jobs = [w for w in sc.workloads if isinstance(w, TrainingJob)]
    first: dict[str, int] = {}
    for j, w in enumerate(jobs):
        if w.dataset_id:
            first.setdefault(w.dataset_id, j)
    datasets = [
        None if w.dataset_id and first[w.dataset_id] != j else sc.job_dataset(w)
        for j, w in enumerate(jobs)
    ]
    if all(d is None for d in datasets):
        return
    # Where each dataset node is held: the stores its data edges reach (either direction).
    store_type = {x.id: x.storage_type for _, x in stores}
    held: dict[str, list[str]] = {}
    for edge in sc.edges:
        if edge.kind == "data":
            for a, b in ((edge.source, edge.target), (edge.target, edge.source)):
                if b in store_type:
                    held.setdefault(a, []).append(store_type[b])
    patterns = [access_pattern(held.get(w.dataset_id, [])) for w in jobs]
    ready = ready_times_s(
        datasets,
        data_engineers=float(sum(x.headcount for _, x in teams if x.role == "data_engineering")),
        annotators=float(sum(x.headcount for _, x in teams if x.role == "labeling")),
        storage_tb=float(sum(x.capacity_pb * 1000.0 * x.count for _, x in stores)),
        patterns=patterns,
    )
    for j, w in enumerate(jobs):
        if w.dataset_id:
            ready[j] = ready[first[w.dataset_id]]
    wl.dataset_ready_s = ready


def _datasets_arrive_when_ready(
    sc: Scenario, wl: Workloads, index: dict[str, int], node_params: NodeParams
) -> None:
    """A dataset node shows as waiting on the canvas until its data is ready, then as up.

    Its ``arrival_s`` becomes the ready time of the first job that names it (inf: never ready);
    a dataset node no job names is there from the start.
    """
    if wl.dataset_ready_s is None:
        return
    jobs = [w for w in sc.workloads if isinstance(w, TrainingJob)]
    for j in reversed(range(len(jobs))):  # reversed: the first job that names it wins
        node = index.get(jobs[j].dataset_id) if jobs[j].dataset_id else None
        if node is not None:
            node_params.arrival_s[node] = float(wl.dataset_ready_s[j])


def _compile(
    scenario: Scenario, variant: str | None, horizon_s: float | None, step_s: float | None
) -> CompiledScenario:
    sc = apply_variant(scenario, variant).with_source_dir(scenario.source_dir)
    settings = sc.settings
    horizon = float(horizon_s if horizon_s is not None else settings.horizon_s)
    step = float(step_s if step_s is not None else settings.step_s)
    if not (horizon > 0 and np.isfinite(horizon)):
        raise problem("settings.horizon_s", f"must be a positive duration (got {horizon})")
    if not (step > 0 and np.isfinite(step)):
        raise problem("settings.step_s", f"must be a positive duration (got {step})")
    nodes = list(sc.nodes)
    ids = columns(sc).ids
    if sc.events:
        kinds_by_id = {n.id: str(getattr(n, "kind", "")) for n in nodes}
        for e_pos, event in enumerate(sc.events):
            found = event_problem(event, kinds_by_id)
            if found:
                raise problem(f"events[{e_pos}].target", found)
    index = dict(columns(sc).position)
    if len(index) != len(ids):
        seen: set[str] = set()
        for i, node_id in enumerate(ids):
            if node_id in seen:
                raise problem(f"nodes[{i}].id", f"duplicate node id {node_id!r}")
            seen.add(node_id)
    kinds = np.asarray([str(getattr(x, "kind", "")) for x in nodes], dtype=np.str_)
    of_class = _by_class(nodes)
    racks = of_class(ComputeRack)
    rack_groups = _rack_configurations(racks)
    specs = _rack_specs_per_configuration(racks, rack_groups)
    # The job mix and the replayed traces size their jobs' work on the fastest accelerator.
    clouds = of_class(CloudBurst)
    peaks = [x.peak_bf16_tflops for x in specs] + [
        accelerator_spec(x.accelerator).peak_bf16_tflops for _, x in clouds
    ]
    sc = expand_job_mix(sc, max(peaks, default=0.0))
    sc = expand_job_traces(sc, max(peaks, default=0.0))
    sc, retrain_chains = expand_retrains(sc, horizon)
    node_params = compile_nodes(
        nodes, settings.start_time, racks, specs, settings.seed, rack_groups
    )
    cools = of_class(CoolingUnit)
    switches = of_class(NetworkSwitch)
    stores = of_class(Storage)
    teams = of_class(StaffTeam)
    feeds = of_class(PowerFeed)
    edges = _edges_by_kind(sc)
    rack_params = _racks_per_configuration(racks, specs, rack_groups)
    rated_it_kw = float(
        _rated_rack_kw(racks, rack_groups)
        + sum(x.power_w / 1000.0 * x.count for _, x in switches)
        + sum(x.power_kw * x.count for _, x in stores)
    )
    cloud = compile_cloud(clouds)
    network = compile_network(switches, racks, edges["network"], len(nodes))
    storage = compile_storage(stores, racks, edges.pairs("data"))
    workloads = compile_workloads(sc, index, rack_params.node, cloud.node)
    plan_retrains(sc, workloads, retrain_chains)
    _gate_on_datasets(sc, workloads, teams, stores)
    compile_sites(
        sc,
        nodes,
        workloads,
        rack_params.node,
        cloud.node,
        teams,
        edges["support"],
        node_params,
    )
    _datasets_arrive_when_ready(sc, workloads, index, node_params)
    perf = compile_job_perf(sc, workloads, node_params, rack_params, specs, network, storage)
    return CompiledScenario(
        scenario=sc,
        horizon_s=horizon,
        step_s=step,
        start_time=settings.start_time,
        node_ids=tuple(ids),
        node_kinds=kinds,
        index=index,
        nodes=node_params,
        racks=rack_params,
        plant=compile_plant(cools, racks, edges["coolant"], len(nodes)),
        power=compile_power(nodes, edges.pairs("power"), feeds, sc.source_dir),
        network=network,
        storage=storage,
        staff=compile_staff(teams, edges["support"], len(nodes)),
        cloud=cloud,
        workloads=workloads,
        perf=perf,
        events=tuple(sorted(sc.events, key=lambda e: e.time_s)),
        facility_rated_it_kw=rated_it_kw,
        weather=compile_weather(sc),
    )
