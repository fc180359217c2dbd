"""Work → power → heat for one step, on an EngineState, with fixed-point caching.

Each stage is a pure function of a few inputs; the state keeps version counters (availability,
thermal status, power supply, placement) and a stage is recomputed only when one of its inputs
changed. A steady factory (most ticks of most runs) therefore touches only the cooling plant and
the scalars; the result is exactly what recomputing would give, because identical inputs give
identical outputs and the thermal stage is skipped only at a fixed point (its output state equals
its input state). Formulas: ``sim/models``; order: ``engine.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from aifactory_twin.sim.models import data as dat
from aifactory_twin.sim.models import network as net
from aifactory_twin.sim.models import power as pw
from aifactory_twin.sim.models import thermal as th
from aifactory_twin.sim.models.compute import place
from aifactory_twin.sim.step_money import step_money

if TYPE_CHECKING:
    from aifactory_twin.sim.engine_state import EngineState, FloatArray


GRANT_MEMO_MAX = 4096
MEMO_FLOATS_MAX = 1_000_000
"""Bound on the floats one memo keeps (8 MB): large scenes with 15 s steps see a new ambient
every tick, and their per-rack arrays are large."""


@dataclass
class RackBlock:
    """Rack-level results that only change when placement, status or supply change."""

    key: tuple[Any, ...]
    rack_kw: FloatArray
    busy: FloatArray
    slow: FloatArray
    q_in: FloatArray
    gpu_w_now: FloatArray
    gpus_inf: FloatArray
    inf_it_kw: float
    rack_heat_kw: float
    busy_gpus: float
    gpus_up: float
    throttled: float
    allocated: float
    inf_alloc: float


@dataclass
class HeatBlock:
    """Thermal results; reusable while inputs are unchanged and the racks sit at a fixed point."""

    key: tuple[Any, ...]
    fixed: bool
    granted_key: tuple[Any, ...]
    col_heat_j: FloatArray
    rej_heat_j: FloatArray
    implicit_rack_j: float
    removed_j: float
    heat_in_j: float
    max_t: float


def _availability_view(s: EngineState, up: FloatArray) -> None:
    """Rack-level availability arrays, rebuilt when units, status or supply changed."""
    c = s.c
    rn = c.rack_node
    key = (s.avail_v, s.status_v, s.supply_v)
    if s.cache.get("avail_key") == key:
        return
    team_people = (s.headcount > 0).astype(float)
    people = np.bincount(c.se_node, weights=team_people[c.se_team], minlength=c.n_nodes)
    unstaffed = s.has_support & (people == 0)
    rack_up = up[rn]
    shut = s.status == th.STATUS_SHUTDOWN
    units_on = np.where(shut, 0.0, rack_up)
    powered = s.supply_factor[rn] > 0
    gpus_up_rack = rack_up * c.gpus_per_unit
    s.cache.update(
        avail_key=key,
        up=up,
        unstaffed=unstaffed,
        rack_up=rack_up,
        units_on=units_on,
        units_sd=np.where(shut, rack_up, 0.0),
        free=units_on * c.gpus_per_unit * (powered & ~unstaffed[rn]),
    )
    if s.cache.get("fabric_key") != s.avail_v:
        store_up = up[c.storage_node] * c.storage_throughput_gbs
        rack_store = dat.rack_storage_gbs(store_up, c.de_storage, c.de_rack, gpus_up_rack)
        s.rack_store_per_gpu = rack_store / np.maximum(gpus_up_rack, 1.0)
        s.cache["fabric_key"] = s.avail_v


def _rack_block(s: EngineState, dt: float, inf_demand: FloatArray) -> RackBlock:
    c = s.c
    wl = c.workloads
    pl = s.placement
    assert pl is not None
    restarting = s.work.restart_left_s
    # Share of the step each job computes (0 while it restarts); all ones most of the time.
    if restarting.any():
        active = np.minimum(np.maximum(dt - restarting, 0.0), dt) / dt
        active_key = active.tobytes()
    else:
        active, active_key = s.work.all_active, b""
    key = (
        s.place_v, s.status_v, s.supply_v,
        active_key, s.work.completed.tobytes(), inf_demand.tobytes(),
    )  # fmt: skip
    cached: RackBlock | None = s.cache.get("rack")
    if cached is not None and cached.key == key:
        return cached
    units_on, units_sd = s.cache["units_on"], s.cache["units_sd"]
    n_r = units_on.shape[0]
    gpus_train = (active * (~s.work.completed)) @ pl.train if wl.n_train else np.zeros(n_r)
    gpus_inf = pl.inf.sum(axis=0) if wl.n_inf else np.zeros(n_r)
    cap_tps = (pl.inf.sum(axis=1) + pl.inf_cloud.sum(axis=1)) * wl.inf_tps_per_gpu
    svc_load = np.where(cap_tps > 0, np.minimum(1.0, inf_demand / np.maximum(cap_tps, 1e-12)), 0.0)
    inf_load = np.where(gpus_inf > 0, (svc_load @ pl.inf) / np.maximum(gpus_inf, 1e-12), 0.0)
    rack_kw, _gpu_kw, busy, hottest_w = pw.rack_power_kw(
        units_on, units_sd, c.gpus_per_unit, gpus_train, gpus_inf, inf_load, c.idle_w, c.tdp_w,
        c.kappa_train, c.kappa_decode, c.host_idle_w, c.host_overhead_w, s.derate,
    )  # fmt: skip
    idle_kw = units_on * (c.gpus_per_unit * c.idle_w + c.host_idle_w) + units_sd * c.host_idle_w
    factor = s.supply_factor[c.rack_node]
    cap_slow = pw.cap_slowdown(factor, rack_kw, idle_kw / 1e3)
    rack_kw = rack_kw * factor
    gpus_on = units_on * c.gpus_per_unit
    inf_share = np.where(gpus_on > 0, gpus_inf / np.maximum(gpus_on, 1e-12), 0.0)
    block = RackBlock(
        key=key,
        rack_kw=rack_kw,
        busy=busy,
        slow=cap_slow * s.derate,
        q_in=rack_kw * 1000.0,
        # A capped accelerator runs slower and cooler: scale its power by the cap slowdown.
        gpu_w_now=np.where(units_on > 0, hottest_w * cap_slow, 0.0),
        gpus_inf=gpus_inf,
        inf_it_kw=float(rack_kw @ inf_share),
        rack_heat_kw=float(rack_kw.sum()),
        busy_gpus=float(busy @ gpus_on),
        gpus_up=float(gpus_on.sum()),
        throttled=float(gpus_on @ (s.status == th.STATUS_THROTTLED)),
        allocated=float(pl.train.sum() + gpus_inf.sum()),
        inf_alloc=float(gpus_inf.sum() + pl.inf_cloud.sum()),
    )
    s.cache["rack"] = block
    return block


def _heat_block(s: EngineState, t: float, dt: float, rb: RackBlock, cap_w: FloatArray) -> HeatBlock:
    c = s.c
    rn = c.rack_node
    key = (rb.key, cap_w.tobytes(), s.cop_now.tobytes() if s.c.cd_src.size else b"")
    cached: HeatBlock | None = s.cache.get("heat")
    if cached is not None and cached.fixed and cached.key == key:
        return cached
    # The grant is a pure function of the racks' temperatures, the rack block, the capacity and
    # the COP. While the racks sit still (same temperature array, same rack block) the daily
    # weather cycle brings the same capacity and COP back every day: remember each answer.
    memo: tuple[Any, Any, dict[Any, Any]] | None = s.cache.get("grant_memo")
    if memo is None or memo[0] is not rb or memo[1] is not s.temp_c:
        memo = s.cache["grant_memo"] = (rb, s.temp_c, {})
    hit = memo[2].get(key)
    if hit is None:
        g = s.heat_cap_node / th.RACK_TAU_S
        demand = rb.q_in + g * np.maximum(s.temp_c - c.rack_supply_c, 0.0)
        hit = th.rack_cooling_capacity_w(
            demand, cap_w, c.ce_cool, c.ce_rack, c.ce_weight, c.pe_rej, c.pe_col, c.pe_weight,
            c.col_has_rejector, c.rack_has_collector,
            (c.cd_src, c.cd_dst, c.cd_weight, s.condenser_mult()),
        )  # fmt: skip
        per_entry = hit[0].size + hit[1].size + 1
        if len(memo[2]) < min(GRANT_MEMO_MAX, MEMO_FLOATS_MAX // per_entry):
            memo[2][key] = hit
    granted, granted_e = hit
    # The chiller COP follows the weather every tick, but the capacity it grants the racks often
    # does not change (the plant has headroom). Everything below is a function of the racks'
    # state, the rack block and the grant only, so at a fixed point with the same grant the
    # previous block is exactly what recomputing would give.
    granted_key = (rb.key, granted.tobytes(), granted_e.tobytes())
    if cached is not None and cached.fixed and cached.granted_key == granted_key:
        cached.key = key
        return cached
    new_t, removed_j = th.rc_step(s.temp_c, rb.q_in, granted, c.rack_supply_c, s.heat_cap_node, dt)
    n_k = c.cool_node.shape[0]
    frac_e = granted_e / np.maximum(granted[c.ce_rack], 1e-12)
    col_heat_j = np.bincount(c.ce_cool, weights=removed_j[c.ce_rack] * frac_e, minlength=n_k)
    rej_heat_j = np.bincount(c.pe_rej, weights=col_heat_j[c.pe_col] * c.pe_weight, minlength=n_k)
    prev, prev_hard, prev_derate = s.status, s.hard, s.derate
    tj, status, derate, hard = th.junction_status(
        new_t, rb.gpu_w_now, c.r_th_k_per_w, c.rack_supply_c, c.max_operating_c, c.slowdown_c,
        c.shutdown_c, prev, prev_hard,
    )  # fmt: skip
    status = np.where(s.cache["rack_up"] > 0, status, th.STATUS_OK).astype(np.int8)
    same_status = (
        np.array_equal(status, prev)
        and np.array_equal(hard, prev_hard)
        and np.array_equal(derate, prev_derate)
    )
    fixed = same_status and np.array_equal(new_t, s.temp_c)
    s.temp_c, s.tj_c = new_t, tj
    if not same_status:
        s.status, s.hard, s.derate = status, hard, derate
        s.status_v += 1
        s.new_shutdown = (status == th.STATUS_SHUTDOWN) & (prev != th.STATUS_SHUTDOWN)
        for r in np.flatnonzero((status == th.STATUS_THROTTLED) & (prev == th.STATUS_OK)):
            s.log(t + dt, "thermal_throttle", c.node_ids[rn[r]], f"junction {tj[r]:.1f} °C")
        for r in np.flatnonzero(s.new_shutdown):
            s.log(t + dt, "shutdown", c.node_ids[rn[r]], f"junction {tj[r]:.1f} °C")
    live = s.cache["rack_up"] > 0
    max_t = float(np.max(tj, where=live, initial=-np.inf)) if rn.size else 0.0
    block = HeatBlock(
        key=key,
        fixed=fixed,
        granted_key=granted_key,
        col_heat_j=col_heat_j.astype(np.float64, copy=False),
        rej_heat_j=rej_heat_j.astype(np.float64, copy=False),
        implicit_rack_j=float(np.sum(removed_j[~c.rack_has_collector])),
        removed_j=float(col_heat_j.sum()) + float(np.sum(removed_j[~c.rack_has_collector])),
        heat_in_j=float(rb.q_in.sum() * dt),
        max_t=max_t if np.isfinite(max_t) else 0.0,
    )
    s.cache["heat"] = block
    return block


WEATHER_MEMO_MAX = 4096


def _weather(s: EngineState, ambient: float) -> tuple[FloatArray, FloatArray, bytes]:
    """(chiller COP, rejector ambient factor, its bytes) at ``ambient``, memoized per value.

    Both are pure functions of the outdoor temperature and the compiled parameters, and a daily
    cosine repeats the same few ambient values every day, so a run computes each one once. The
    memo lives in ``s.cache``, which a parameter swap clears.
    """
    memo: dict[float, tuple[FloatArray, FloatArray, bytes]] | None = s.cache.get("weather")
    per_entry = 2 * s.c.cool_node.shape[0] + 1
    if memo is None or len(memo) >= min(WEATHER_MEMO_MAX, MEMO_FLOATS_MAX // per_entry):
        memo = s.cache["weather"] = {}
    hit = memo.get(ambient)
    if hit is None:
        c = s.c
        rej = s.rej_idx
        cop = pw.chiller_cop(c.cop, c.free_cooling_below_c, ambient) if s.has_chiller else c.cop
        amb_f = th.rejector_ambient_factor(
            c.cool_supply_c[rej], ambient, s.is_dry[rej], s.is_tower[rej]
        )
        hit = memo[ambient] = (cop, amb_f, amb_f.tobytes())
    return hit


def step_physics(
    s: EngineState,
    t: float,
    dt: float,
    hour: int,
    ambient: float,
    price_mult: float,
    up: FloatArray,
    any_failure: bool,
    failures: FloatArray,
) -> None:
    """One step of work, power and heat, then money and outputs (mutates ``s``)."""
    c = s.c
    rn = c.rack_node
    if s.dirty:
        s.avail_v += 1
        s.dirty = False
    _availability_view(s, up)
    # Jobs on racks that lost units (failure or thermal shutdown) roll back, judged on the
    # placement they were running on.
    if s.placement is not None and (any_failure or s.new_shutdown.any()):
        s.work.interrupt(t, (failures[rn] > 0) | s.new_shutdown, s.placement, s.log)
        s.new_shutdown = np.zeros(rn.shape[0], dtype=bool)
    train_want, inf_want, inf_demand = s.work.wants(t, hour)
    key = (s.cache["avail_key"], train_want.tobytes(), inf_want.tobytes())
    if s.placement is None or s.cache.get("place_key") != key:
        s.placement = place(
            c.workloads, s.cache["free"], c.cloud_max_gpus.copy(), train_want, inf_want
        )
        s.cache["place_key"] = key
        s.place_v += 1
    if s.cache.get("fabric_bw_key") != (s.place_v, s.avail_v):
        # The fabric carries the NIC traffic of the accelerators placed on training jobs (idle
        # and inference accelerators leave it free); recomputed when placement or units change.
        port_gbps = up[c.switch_node] * c.switch_capacity_gbps
        train_gpus = s.placement.train.sum(axis=0) if c.workloads.n_train else np.zeros(rn.size)
        s.rack_bw, s.rack_bw_local = net.fabric_bandwidth(
            c.fabric, port_gbps, c.switch_oversub, train_gpus, c.nic_gbps
        )
        s.cache["fabric_bw_key"] = (s.place_v, s.avail_v)
    rb = _rack_block(s, dt, inf_demand)
    cop_now, amb_f, amb_f_key = _weather(s, ambient)
    if s.has_chiller:  # COP only matters for chillers (and what sits behind them)
        s.cop_now = cop_now
    # Only dry coolers and towers follow the weather; capacity is rebuilt when their factor
    # or the units up change (the same array comes back otherwise, which the caches see).
    rej = s.rej_idx
    cap_key = (s.avail_v, amb_f_key)
    if s.cache.get("cap_key") != cap_key:
        cap_w = c.cool_capacity_kw * 1000.0 * up[c.cool_node]
        cap_w[rej] *= amb_f
        s.cache["cap_w"], s.cache["cap_key"] = cap_w, cap_key
    cap_w = s.cache["cap_w"]
    hb = _heat_block(s, t, dt, rb, cap_w)
    s.acc["heat_in_j"] += hb.heat_in_j
    s.acc["heat_removed_j"] += hb.removed_j
    step_money(s, t, dt, hour, ambient, price_mult, up, rb, hb, cap_w, inf_demand)
