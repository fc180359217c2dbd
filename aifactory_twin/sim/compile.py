"""Scenario → arrays: index maps, parameter vectors and per-edge-kind index arrays.

The engine never walks the graph: every aggregation along edges is one ``np.bincount`` over the
index arrays built here (networkx was measured 50× slower for per-step aggregation, issue 3).
Compiling is done once per topology; a parameter edit recompiles and the engine swaps the
vectors (same node and edge ids ⇒ same indices, so the running state stays valid).
"""

from __future__ import annotations

import gc

import numpy as np
import numpy.typing as npt

from aifactory_twin.catalog import accelerator_spec
from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.schema import (
    HEAT_COLLECTORS,
    CloudBurst,
    ComputeRack,
    CoolingUnit,
    NetworkSwitch,
    Pdu,
    PowerFeed,
    Scenario,
    StaffTeam,
    Storage,
    Ups,
)
from aifactory_twin.sim.compiled import (
    COOLING_TYPES,
    COVERED_HOURS_PER_WEEK,
    DEFAULT_CHILLER_COP,
    LIQUID_COLLECTORS,
    ROLES,
    SERVER_OVERHEAD_ON_GPU_PRICE,
    TECHNICIAN_ROLES,
    CompiledScenario,
    FloatArray,
    IntArray,
    event_problem,
)
from aifactory_twin.sim.models import network as net
from aifactory_twin.sim.models.compute import compile_workloads
from aifactory_twin.sim.models.data import governance_factors
from aifactory_twin.sim.models.supply import arrival_seconds
from aifactory_twin.variants import apply_variant

__all__ = [
    "COOLING_TYPES",
    "ROLES",
    "TECHNICIAN_ROLES",
    "CompiledScenario",
    "compile_scenario",
    "event_problem",
]


def _f(values: list[float]) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def _i(values: list[int]) -> IntArray:
    return np.asarray(values, dtype=np.int64)


def _problem(path: str, message: str) -> ScenarioError:
    return ScenarioError([Problem(path=path, message=message)])


def _plant_pair(
    a: int, b: int, is_collector: npt.NDArray[np.bool_], units: list[CoolingUnit]
) -> tuple[int, int]:
    """(upstream, served) for a coolant edge between two cooling units (see compile loop)."""
    if is_collector[a] and not is_collector[b]:
        return b, a
    chiller_a = units[a].cooling_type == "chiller"
    chiller_b = units[b].cooling_type == "chiller"
    if chiller_a and not chiller_b and not is_collector[b]:
        return b, a
    return a, b


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


def _compile(
    scenario: Scenario, variant: str | None, horizon_s: float | None, step_s: float | None
) -> CompiledScenario:
    sc = apply_variant(scenario, variant)
    settings = sc.settings
    horizon = float(horizon_s if horizon_s is not None else settings.horizon_s)
    step = float(step_s if step_s is not None else settings.step_s)
    if not (horizon > 0 and np.isfinite(horizon)):
        raise _problem("settings.horizon_s", f"must be a positive duration (got {horizon})")
    if not (step > 0 and np.isfinite(step)):
        raise _problem("settings.step_s", f"must be a positive duration (got {step})")
    nodes = list(sc.nodes)
    ids = [n.id for n in nodes]
    kinds_by_id = {n.id: str(getattr(n, "kind", "")) for n in nodes}
    for e_pos, event in enumerate(sc.events):
        problem = event_problem(event, kinds_by_id)
        if problem:
            raise _problem(f"events[{e_pos}].target", problem)
    index: dict[str, int] = {}
    for i, node_id in enumerate(ids):
        if node_id in index:
            raise _problem(f"nodes[{i}].id", f"duplicate node id {node_id!r}")
        index[node_id] = i
    n = len(nodes)
    kinds = np.asarray([str(getattr(x, "kind", "")) for x in nodes], dtype=np.str_)
    count = _f([float(x.count) for x in nodes])
    arrival = _f([arrival_seconds(x, settings.start_time) for x in nodes])
    capex = np.zeros(n)
    fail = np.zeros(n)
    repair = np.ones(n)
    static_kw = np.zeros(n)
    dist_eff = np.ones(n)
    dist_rating = np.full(n, np.inf)

    racks = [(i, x) for i, x in enumerate(nodes) if isinstance(x, ComputeRack)]
    specs = []
    for i, rack in racks:
        try:
            specs.append(accelerator_spec(rack.accelerator))
        except ScenarioError as exc:
            raise ScenarioError(
                [Problem(f"nodes[{i}].accelerator", p.message) for p in exc.problems]
            ) from exc
    for (i, rack), spec in zip(racks, specs, strict=True):
        gpu_capex = spec.price_usd * rack.accelerators_per_unit * SERVER_OVERHEAD_ON_GPU_PRICE
        capex[i] = rack.capex_usd if rack.capex_usd is not None else gpu_capex
        fail[i] = rack.failure_rate_per_gpu_hour * rack.accelerators_per_unit
        repair[i] = rack.repair_hours
    for i, x in enumerate(nodes):
        if isinstance(x, NetworkSwitch | CoolingUnit | Ups | Pdu | Storage):
            capex[i] = x.capex_usd
            fail[i] = x.failure_rate_per_hour
            repair[i] = x.repair_hours
        if isinstance(x, PowerFeed):
            capex[i] = x.capex_usd
            dist_rating[i] = x.power_rating_kw + x.onsite_generation_kw
        elif isinstance(x, Ups):
            dist_eff[i], dist_rating[i] = x.efficiency, x.ups_rating_kw
        elif isinstance(x, Pdu):
            dist_eff[i], dist_rating[i] = x.efficiency, x.power_rating_kw
        elif isinstance(x, NetworkSwitch):
            static_kw[i] = x.power_w / 1000.0
        elif isinstance(x, Storage):
            static_kw[i] = x.power_kw * governance_factors(x)[1]

    rack_node = _i([i for i, _ in racks])
    r_index = {int(i): r for r, i in enumerate(rack_node)}
    rk = [x for _, x in racks]

    cools = [(i, x) for i, x in enumerate(nodes) if isinstance(x, CoolingUnit)]
    cool_node = _i([i for i, _ in cools])
    k_index = {int(i): k for k, i in enumerate(cool_node)}
    ck = [x for _, x in cools]
    cool_type = _i([COOLING_TYPES.index(x.cooling_type) for x in ck])
    is_collector = np.asarray([x.cooling_type in HEAT_COLLECTORS for x in ck], dtype=bool)
    cop = _f([x.cop if x.cop is not None else DEFAULT_CHILLER_COP for x in ck])

    # Coolant edges.
    ce_cool, ce_rack, ce_liquid = [], [], []
    pe_rej, pe_col = [], []
    cd_src, cd_dst = [], []
    pw_src, pw_dst = [], []
    ne_switch, ne_rack = [], []
    ss_edges: list[tuple[int, int]] = []
    de_storage, de_rack = [], []
    se_team, se_node = [], []
    switches = [(i, x) for i, x in enumerate(nodes) if isinstance(x, NetworkSwitch)]
    s_index = {i: s for s, (i, _) in enumerate(switches)}
    stores = [(i, x) for i, x in enumerate(nodes) if isinstance(x, Storage)]
    st_index = {i: s for s, (i, _) in enumerate(stores)}
    teams = [(i, x) for i, x in enumerate(nodes) if isinstance(x, StaffTeam)]
    t_index = {i: t for t, (i, _) in enumerate(teams)}
    edge_ids = []
    for e_pos, edge in enumerate(sc.edges):
        src, dst = index.get(edge.source), index.get(edge.target)
        if src is None or dst is None:
            missing = edge.source if src is None else edge.target
            raise _problem(f"edges[{e_pos}]", f"edge {edge.id!r} names unknown node {missing!r}")
        edge_ids.append((edge.id, edge.kind, edge.source, edge.target))
        if edge.kind == "coolant" and src in k_index and dst in r_index:
            if is_collector[k_index[src]]:
                ce_cool.append(k_index[src])
                ce_rack.append(r_index[dst])
                ce_liquid.append(ck[k_index[src]].cooling_type in LIQUID_COLLECTORS)
        elif edge.kind == "coolant" and src in k_index and dst in k_index:
            # Plant edges are read by unit type, whichever way they were drawn: heat flows
            # collector → rejector (chiller, dry cooler, tower) → the condenser behind a chiller.
            a, b = _plant_pair(k_index[src], k_index[dst], is_collector, ck)
            if is_collector[b] and not is_collector[a]:
                pe_rej.append(a)
                pe_col.append(b)
            elif not is_collector[a] and not is_collector[b]:
                cd_src.append(a)
                cd_dst.append(b)
        elif edge.kind == "power":
            pw_src.append(src)
            pw_dst.append(dst)
        elif edge.kind == "network":
            pair = (src, dst) if src in s_index else (dst, src)
            if pair[0] in s_index and pair[1] in r_index:
                ne_switch.append(s_index[pair[0]])
                ne_rack.append(r_index[pair[1]])
            elif pair[0] in s_index and pair[1] in s_index:
                ss_edges.append((s_index[pair[0]], s_index[pair[1]]))
        elif edge.kind == "data" and src in st_index and dst in r_index:
            de_storage.append(st_index[src])
            de_rack.append(r_index[dst])
        elif edge.kind == "support" and src in t_index:
            se_team.append(t_index[src])
            se_node.append(dst)

    n_r, n_k = len(racks), len(cools)
    ce_cool_a, ce_rack_a = _i(ce_cool), _i(ce_rack)
    liquid_a = np.asarray(ce_liquid, dtype=bool)
    liq_frac = _f([x.liquid_heat_fraction for x in rk])
    has_liq = np.bincount(ce_rack_a[liquid_a], minlength=n_r) > 0
    has_air = np.bincount(ce_rack_a[~liquid_a], minlength=n_r) > 0
    # A rack's heat splits liquid/air by its liquid fraction; if it only has one kind of
    # collector, that kind takes all of it (the residual path is assumed to be inside the loop).
    share_liq = np.where(has_liq & has_air, liq_frac, np.where(has_liq, 1.0, 0.0))
    raw = np.where(liquid_a, share_liq[ce_rack_a], 1.0 - share_liq[ce_rack_a])
    n_kind = np.bincount(ce_rack_a, weights=liquid_a.astype(float), minlength=n_r)
    n_air = np.bincount(ce_rack_a, weights=(~liquid_a).astype(float), minlength=n_r)
    per = np.where(liquid_a, n_kind[ce_rack_a], n_air[ce_rack_a])
    ce_weight = raw / np.maximum(per, 1.0)
    rack_has_collector = np.bincount(ce_rack_a, minlength=n_r) > 0
    supply_sum = np.bincount(
        ce_rack_a, weights=ce_weight * _f([ck[k].supply_temp_c for k in ce_cool]), minlength=n_r
    )
    w_sum = np.bincount(ce_rack_a, weights=ce_weight, minlength=n_r)
    # Racks without a modelled collector sit in an assumed room at the ASHRAE recommended 24 °C.
    rack_supply = np.where(w_sum > 0, supply_sum / np.maximum(w_sum, 1e-12), 24.0)

    pe_col_a = _i(pe_col)
    per_col = np.bincount(pe_col_a, minlength=n_k).astype(float)
    pe_weight = 1.0 / np.maximum(per_col[pe_col_a], 1.0) if len(pe_col) else np.zeros(0)

    cd_dst_a = _i(cd_dst)
    per_rej = np.bincount(cd_dst_a, minlength=n_k).astype(float)
    cd_weight = 1.0 / np.maximum(per_rej[cd_dst_a], 1.0) if len(cd_dst) else np.zeros(0)

    pw_dst_a = _i(pw_dst)
    parents = np.bincount(pw_dst_a, minlength=n).astype(float)
    pw_split = 1.0 / np.maximum(parents[pw_dst_a], 1.0) if len(pw_dst) else np.zeros(0)

    feeds = [(i, x) for i, x in enumerate(nodes) if isinstance(x, PowerFeed)]
    price = np.zeros((len(feeds), 24))
    for f_pos, (_, feed) in enumerate(feeds):
        price[f_pos, :] = feed.price.flat_usd_per_kwh
        for p_pos, period in enumerate(feed.price.time_of_use):
            nxt = feed.price.time_of_use[(p_pos + 1) % len(feed.price.time_of_use)].start_hour
            hours = np.arange(period.start_hour, period.start_hour + 24)
            stop = nxt if nxt > period.start_hour else nxt + 24
            price[f_pos, hours[hours < stop] % 24] = period.price_usd_per_kwh

    sw = [x for _, x in switches]
    # The fabric each rack reaches through network edges (models/network.py).
    fabric = net.build_fabric(
        list(zip(ne_switch, ne_rack, strict=True)),
        ss_edges,
        np.asarray([x.technology != "nvlink" for x in sw], dtype=bool),
        _f([x.latency_us for x in sw]),
        _f([float(x.count) for x in sw]),
        n_r,
    )
    rated_it_kw = float(
        sum(x.power_rating_kw * x.count for x in rk)
        + sum(x.power_w / 1000.0 * x.count for x in sw)
        + sum(x.power_kw * x.count for _, x in stores)
    )
    tm = [x for _, x in teams]
    clouds = [(i, x) for i, x in enumerate(nodes) if isinstance(x, CloudBurst)]
    cloud_specs = [accelerator_spec(x.accelerator) for _, x in clouds]
    return CompiledScenario(
        scenario=sc,
        horizon_s=horizon,
        step_s=step,
        start_time=settings.start_time,
        node_ids=tuple(ids),
        node_kinds=kinds,
        index=index,
        count=count,
        arrival_s=arrival,
        capex_per_unit_usd=capex,
        fail_rate_per_unit_h=fail,
        repair_h=repair,
        rack_node=rack_node,
        gpus_per_unit=_f([x.accelerators_per_unit for x in rk]),
        tdp_w=_f([s.tdp_w for s in specs]),
        idle_w=_f([s.idle_w for s in specs]),
        kappa_train=_f([s.kappa_train for s in specs]),
        kappa_decode=_f([s.kappa_decode for s in specs]),
        peak_bf16_tflops=_f([s.peak_bf16_tflops for s in specs]),
        peak_fp8_tflops=_f([s.peak_fp8_tflops or s.peak_bf16_tflops for s in specs]),
        hbm_gb=_f([s.hbm_gb for s in specs]),
        scale_up_domain=_f([s.scale_up_domain for s in specs]),
        nic_gbps=_f([s.nic_gbps for s in specs]),
        host_overhead_w=_f([x.host_overhead_w for x in rk]),
        host_idle_w=_f([x.host_idle_w for x in rk]),
        liquid_fraction=liq_frac,
        max_operating_c=_f([x.max_operating_c for x in rk]),
        slowdown_c=_f([x.slowdown_c for x in rk]),
        shutdown_c=_f([x.shutdown_c for x in rk]),
        r_th_k_per_w=_f([x.thermal_resistance_k_per_w for x in rk]),
        heat_cap_j_per_k=_f([x.heat_capacity_kj_per_k * 1000.0 for x in rk]),
        rack_supply_c=rack_supply,
        rack_rating_kw=_f([x.power_rating_kw for x in rk]),
        cool_node=cool_node,
        cool_type=cool_type,
        is_collector=is_collector,
        cool_capacity_kw=_f([x.nominal_cooling_capacity_kw for x in ck]),
        cop=cop,
        fan_pump_fraction=_f([x.fan_pump_power_fraction for x in ck]),
        cool_supply_c=_f([x.supply_temp_c for x in ck]),
        wue_l_per_kwh=_f([x.wue_l_per_kwh for x in ck]),
        free_cooling_below_c=_f(
            [np.nan if x.free_cooling_below_c is None else x.free_cooling_below_c for x in ck]
        ),
        ce_cool=ce_cool_a,
        ce_rack=ce_rack_a,
        ce_weight=ce_weight,
        rack_has_collector=rack_has_collector,
        pe_rej=_i(pe_rej),
        pe_col=pe_col_a,
        pe_weight=pe_weight,
        col_has_rejector=per_col > 0,
        cd_src=_i(cd_src),
        cd_dst=cd_dst_a,
        cd_weight=cd_weight,
        rej_has_condenser=per_rej > 0,
        static_power_kw=static_kw,
        dist_eff=dist_eff,
        dist_rating_kw=dist_rating,
        pw_src=_i(pw_src),
        pw_dst=pw_dst_a,
        pw_split=pw_split,
        has_power_parent=parents > 0,
        feed_node=_i([i for i, _ in feeds]),
        feed_price_by_hour=price,
        feed_carbon_g_per_kwh=_f([x.carbon_intensity_g_per_kwh for _, x in feeds]),
        switch_node=_i([i for i, _ in switches]),
        switch_capacity_gbps=_f([x.ports * x.port_speed_gbps for x in sw]),
        switch_oversub=_f([x.oversubscription for x in sw]),
        switch_latency_us=_f([x.latency_us for x in sw]),
        switch_scale_out=np.asarray([x.technology != "nvlink" for x in sw], dtype=bool),
        ne_switch=_i(ne_switch),
        ne_rack=_i(ne_rack),
        fabric=fabric,
        storage_node=_i([i for i, _ in stores]),
        storage_throughput_gbs=_f(
            [x.throughput_gb_per_s * governance_factors(x)[0] for _, x in stores]
        ),
        de_storage=_i(de_storage),
        de_rack=_i(de_rack),
        team_node=_i([i for i, _ in teams]),
        team_role=_i([ROLES.index(x.role) for x in tm]),
        team_headcount=_f([float(x.headcount) for x in tm]),
        team_salary_usd_per_year=_f([x.salary_usd_per_year for x in tm]),
        # Annual attrition a ⇒ constant hazard −ln(1 − a) per year (§10.13).
        team_attrition_per_s=_f(
            [-np.log(max(1.0 - x.annual_attrition, 1e-9)) / (365 * 86400.0) for x in tm]
        ),
        team_hiring_lead_s=_f([x.hiring_lead_time_days * 86400.0 for x in tm]),
        team_on_shift_fraction=_f([40.0 / COVERED_HOURS_PER_WEEK[x.shift_coverage] for x in tm]),
        team_coverage=tuple(x.shift_coverage for x in tm),
        se_team=_i(se_team),
        se_node=_i(se_node),
        cloud_node=_i([i for i, _ in clouds]),
        cloud_max_gpus=_f([x.max_accelerators * x.availability for _, x in clouds]),
        cloud_price_usd_per_gpu_h=_f([x.price_usd_per_gpu_hour for _, x in clouds]),
        cloud_peak_bf16_tflops=_f([s.peak_bf16_tflops for s in cloud_specs]),
        cloud_peak_fp8_tflops=_f([s.peak_fp8_tflops or s.peak_bf16_tflops for s in cloud_specs]),
        workloads=compile_workloads(sc, index, rack_node, _i([i for i, _ in clouds])),
        events=tuple(sorted(sc.events, key=lambda e: e.time_s)),
        facility_rated_it_kw=rated_it_kw,
        edge_ids=tuple(edge_ids),
    )
