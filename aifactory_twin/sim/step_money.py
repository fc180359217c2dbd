"""Cooling power, power distribution, facility totals, money and the recorded outputs of a step.

Formulas: ``models/power.py`` (cooling, distribution) and ``models/economics.py`` (money);
the per-node view for the live canvas is built lazily (``node_view``) because most ticks are
never looked at node by node.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from aifactory_twin.sim.models import economics as eco
from aifactory_twin.sim.models import power as pw
from aifactory_twin.sim.models import thermal as th

if TYPE_CHECKING:
    from aifactory_twin.sim.engine_state import EngineState, FloatArray
    from aifactory_twin.sim.step_physics import HeatBlock, RackBlock

ST_UP, ST_THROTTLED, ST_FAILED, ST_WAITING, ST_UNSTAFFED, ST_IDLE, ST_SHUTDOWN = range(7)
_IMPLICIT_ROOM = pw.IMPLICIT_AIR_FAN_FRACTION + 1.0 / pw.IMPLICIT_AIR_PLANT_COP
PLANT_MEMO_MAX = 4096
NODE_VALUES_MEMO_FLOATS = 1_000_000
"""Bound on the floats the plant and per-node-values memos each keep (8 MB)."""


@dataclass
class PlantBlock:
    """Cooling plant, distribution and facility power of a step (reused while inputs repeat)."""

    key: tuple[Any, ...]
    unit_heat_kw: FloatArray
    cool_kw: FloatArray
    cool_in: FloatArray
    it_kw: float
    facility_kw: float
    cooling_kw: float
    feed_in: FloatArray
    other_kw: float
    carbon_g_per_h: float
    water_l_per_h: float


def _plant(
    s: EngineState, t: float, dt: float, up: FloatArray, rb: RackBlock, hb: HeatBlock
) -> PlantBlock:
    """Cooling power, the distribution chain and facility power for this step's heat.

    A function of (heat block, rack block, COP, units up, dt) only: when the factory sits at a
    thermal fixed point and no chiller follows the weather, the same objects come back and the
    previous block is returned as is (the values would be identical).
    """
    c = s.c
    settings = c.scenario.settings
    cached: PlantBlock | None = s.cache.get("plant")
    if cached is not None:
        k = cached.key
        if k[0] is hb and k[1] is rb and k[2] is s.cop_now and k[3] == s.avail_v and k[4] == dt:
            return cached
    # While heat, racks, units up and supply stand still only the COP moves, and it cycles
    # through the same daily values: remember the block of each COP array (kept alive by the
    # entry, so its id cannot be reused). Only blocks whose computation left the supply state
    # untouched are remembered, so a hit skips no side effect.
    memo: tuple[Any, ...] | None = s.cache.get("plant_memo")
    if (
        memo is None or memo[0] is not hb or memo[1] is not rb or memo[2] != s.avail_v
        or memo[3] != dt or memo[4] != s.supply_v
    ):  # fmt: skip
        memo = s.cache["plant_memo"] = (hb, rb, s.avail_v, dt, s.supply_v, {})
    hit: PlantBlock | None = memo[5].get(id(s.cop_now))
    if hit is not None and hit.key[2] is s.cop_now:
        s.cache["plant"] = hit
        return hit
    quiet = True
    # -- cooling power -------------------------------------------------------------------
    cop_now = s.cop_now
    # The heat-only terms repeat while the heat block does (the COP alone moves each tick).
    heat_terms = s.cache.get("plant_heat")
    if heat_terms is None or heat_terms[0] is not hb or heat_terms[1] != dt:
        heat_terms = (
            hb,
            dt,
            np.where(c.is_collector, hb.col_heat_j, hb.rej_heat_j) / dt / 1000.0,
            s.orphan_factor * hb.col_heat_j / dt / 1000.0,
            hb.implicit_rack_j / dt / 1000.0 * _IMPLICIT_ROOM,
        )
        s.cache["plant_heat"] = heat_terms
    unit_heat_kw, orphan_kw, implicit_kw = heat_terms[2], heat_terms[3], heat_terms[4]
    if c.cd_src.size:
        # Towers behind chillers reject the chillers' heat plus their compressor power (a dry
        # cooler or tower behind another rejector passes its heat on unchanged).
        cond_kw = unit_heat_kw[c.cd_dst] * s.condenser_mult()[c.cd_dst] * c.cd_weight
        unit_heat_kw = unit_heat_kw + np.bincount(
            c.cd_src, weights=cond_kw, minlength=unit_heat_kw.shape[0]
        )
    cool_kw = pw.cooling_power_kw(unit_heat_kw, s.is_chiller, c.fan_pump_fraction, cop_now)
    # Collectors with no modelled rejector pay an implicit plant (module doc of models/power).
    cool_kw = cool_kw + orphan_kw
    static_kw = s.static_kw(up)
    static_sum = s.cache["static_sum"]
    rack_cool_kw = float(cool_kw.sum()) + implicit_kw
    ratio = rack_cool_kw / rb.rack_heat_kw if rb.rack_heat_kw > 0 else _IMPLICIT_ROOM
    # Switch and storage heat is removed at the racks' average cooling cost (simplification).
    unattributed_cool_kw = implicit_kw + static_sum * ratio
    # -- distribution and facility ------------------------------------------------------
    # The chain is linear in the loads: the rack/IT part is redistributed only when it changes,
    # the cooling part (which follows the weather every tick) over its own few edges.
    base_key = (rb.key, s.avail_v)
    if s.cache.get("base_key") != base_key:
        base = static_kw.copy()
        base[c.rack_node] += rb.rack_kw
        s.cache["base_load"] = base
        s.cache["base_dist"] = pw.distribution_inputs(base, s.levels, c.dist_eff)
        s.cache["base_key"] = base_key
        s.cache["base_dist_out"] = s.cache["base_dist"][1][s.dist_nodes]
        s.cache["base_facility_kw"] = float(s.cache["base_dist"][0] @ s.root_w)
        s.cache["base_feed_in"] = s.cache["base_dist"][0][c.feed_node]
        s.cache["rating_dist"] = s.rating_up(up)[s.dist_nodes]
        s.cache["ratio_ones"] = False
    if s.cool_maps is not None:
        # The chain is linear: the plant's share is a small precomputed matrix (engine_state).
        cool_in = s.cool_maps[0] @ cool_kw
        cool_out = s.cool_maps[1] @ cool_kw
    else:
        cool_load = np.zeros(s.cool_closure.shape[0])
        cool_load[s.cool_local] = cool_kw
        cool_in, cool_out = pw.distribution_inputs(cool_load, s.cool_levels, s.cool_eff)
    out_dist = s.cache["base_dist_out"].copy()
    out_dist[s.dist_cool_pos] += cool_out[s.dist_cool_loc]
    rating = s.cache["rating_dist"]
    # Nothing over its rating and nothing was before: the supply factors stay all ones.
    if not (s.cache["ratio_ones"] and bool((out_dist <= rating).all())):
        quiet = False
        carry = pw.level_ratio(out_dist, rating)
        if s.cache.get("ratio") is None or not np.array_equal(carry, s.cache["ratio"]):
            full_ratio = np.ones(c.n_nodes)
            full_ratio[s.dist_nodes] = carry
            s.cache["supply"] = pw.supply_factors(full_ratio, s.levels, c.n_nodes)
            s.cache["ratio"] = carry
        s.cache["ratio_ones"] = bool(np.all(carry == 1.0))
    supply = s.cache["supply"]
    if supply is not s.supply_factor:
        quiet = False
        if not np.array_equal(supply, s.supply_factor):
            newly = (supply < 1.0) & (s.supply_factor >= 1.0) & s.is_rack
            for i in np.flatnonzero(newly):
                s.log(t + dt, "overload", c.node_ids[i], f"power capped to {supply[i]:.0%}")
            s.supply_v += 1
        s.supply_factor = supply
    it_kw = rb.rack_heat_kw + static_sum
    misc_kw = settings.misc_facility_fraction * it_kw
    sited_kw = s.cache["base_facility_kw"] + float(cool_in @ s.cool_root_w)
    facility_kw = sited_kw + unattributed_cool_kw + misc_kw
    cooling_kw = float(cool_kw.sum()) + unattributed_cool_kw
    feed_in = s.cache["base_feed_in"].copy()
    feed_in[s.feed_cool_pos] += cool_in[s.feed_cool_loc]
    other_kw = max(facility_kw - float(feed_in.sum()), 0.0)
    carbon_g = (
        float(feed_in @ c.feed_carbon_g_per_kwh) + other_kw * settings.default_carbon_g_per_kwh
    )
    block = PlantBlock(
        key=(hb, rb, cop_now, s.avail_v, dt),
        unit_heat_kw=unit_heat_kw,
        cool_kw=cool_kw,
        cool_in=cool_in,
        it_kw=it_kw,
        facility_kw=facility_kw,
        cooling_kw=cooling_kw,
        feed_in=feed_in,
        other_kw=other_kw,
        carbon_g_per_h=carbon_g,
        water_l_per_h=float(unit_heat_kw @ c.wue_l_per_kwh),
    )
    s.cache["plant"] = block
    per_entry = 2 * cool_kw.size + cool_in.size + feed_in.size + 1
    if quiet and len(memo[5]) < min(PLANT_MEMO_MAX, NODE_VALUES_MEMO_FLOATS // per_entry):
        memo[5][id(cop_now)] = block
    return block


def step_money(
    s: EngineState,
    t: float,
    dt: float,
    hour: int,
    ambient: float,
    price_mult: float,
    up: FloatArray,
    rb: RackBlock,
    hb: HeatBlock,
    cap_w: FloatArray,
    inf_demand: FloatArray,
) -> None:
    """Cooling power, distribution, facility power, costs, work progress and outputs."""
    c = s.c
    settings = c.scenario.settings
    pb = _plant(s, t, dt, up, rb, hb)
    it_kw, facility_kw, cooling_kw = pb.it_kw, pb.facility_kw, pb.cooling_kw
    dt_h = dt / 3600.0
    price_key = (hour, price_mult)
    if s.cache.get("price_key") != price_key:
        prices = eco.feed_prices(c.feed_price_by_hour, hour, price_mult)
        default = settings.default_price_usd_per_kwh * price_mult
        s.cache["prices"] = (prices, float(prices.mean()) if prices.size else default)
        s.cache["price_key"] = price_key
    prices, mean_price = s.cache["prices"]
    default_price = settings.default_price_usd_per_kwh * price_mult
    energy_usd = (float(pb.feed_in @ prices) + pb.other_kw * default_price) * dt_h
    carbon_g = pb.carbon_g_per_h
    # -- work progress -------------------------------------------------------------------
    pl = s.placement
    assert pl is not None
    flops_s, tokens_s, _ = s.work.advance(
        t, dt, pl, rb.slow, s.rack_bw, s.rack_bw_local, s.rack_store_per_gpu, inf_demand, s.log,
        (s.place_v, s.status_v, s.supply_v, s.avail_v),
    )  # fmt: skip
    # -- money ---------------------------------------------------------------------------
    arrived_capex, rack_capex, gpus_arrived, gpus_failed = s.capex_view()
    years = settings.depreciation_years
    amort = eco.amortization_usd(arrived_capex, years, dt) + eco.amortization_usd(
        s.facility_capex_usd, eco.FACILITY_LIFE_YEARS, dt
    )
    if s.cache.get("idle_key") != (rb.key, s.avail_v):
        s.cache["idle_capex"] = float(rack_capex @ (1.0 - rb.busy))
        s.cache["idle_key"] = (rb.key, s.avail_v)
    idle_usd = eco.amortization_usd(s.cache["idle_capex"], years, dt)
    maint = eco.pro_rata_usd(settings.maintenance_fraction_per_year * arrived_capex, dt)
    people_key = s.headcount.tobytes()
    if s.cache.get("people_key") != people_key:
        s.cache["people"] = (
            float(s.headcount @ c.team_salary_usd_per_year),
            float(s.headcount.sum()),
        )
        s.cache["people_key"] = people_key
    payroll_usd_per_year, headcount = s.cache["people"]
    salaries = eco.pro_rata_usd(payroll_usd_per_year, dt)
    if s.cache.get("cloud_key") != s.place_v:
        cloud_per_node = pl.train_cloud.sum(axis=0) + pl.inf_cloud.sum(axis=0)
        s.cache["cloud"] = (
            float(cloud_per_node.sum()),
            float(cloud_per_node @ c.cloud_price_usd_per_gpu_h),
        )
        s.cache["cloud_key"] = s.place_v
    cloud_gpus, cloud_usd_per_h = s.cache["cloud"]
    cloud_usd = cloud_usd_per_h * dt_h
    water_l = pb.water_l_per_h * dt_h
    a = s.acc
    a["capex_amortized_usd"] += amort
    a["energy_cost_usd"] += energy_usd
    a["staff_cost_usd"] += salaries
    a["maintenance_cost_usd"] += maint
    a["cloud_cost_usd"] += cloud_usd
    a["idle_cost_usd"] += idle_usd
    a["it_energy_kwh"] += it_kw * dt_h
    a["cooling_energy_kwh"] += cooling_kw * dt_h
    a["facility_energy_kwh"] += facility_kw * dt_h
    a["carbon_kg"] += carbon_g * dt_h / 1000.0
    a["water_l"] += water_l
    a["gpu_s_up"] += rb.gpus_up * dt
    a["gpu_s_arrived"] += gpus_arrived * dt
    a["gpu_s_busy"] += rb.busy_gpus * dt
    a["gpu_s_throttled"] += rb.throttled * dt
    a["gpu_s_allocated"] += rb.allocated * dt
    a["gpu_s_inference"] += rb.inf_alloc * dt
    a["cloud_gpu_s"] += cloud_gpus * dt
    a["inference_tokens"] += tokens_s * dt
    pue = facility_kw / it_kw if it_kw > 0 else 0.0
    a["inference_energy_j"] += rb.inf_it_kw * max(pue, 1.0) * 1000.0 * dt
    a["peak_facility_kw"] = max(a["peak_facility_kw"], facility_kw)
    a["max_temperature_c"] = max(a["max_temperature_c"], hb.max_t)
    total_usd = (
        a["capex_amortized_usd"]
        + a["energy_cost_usd"]
        + a["staff_cost_usd"]
        + a["maintenance_cost_usd"]
        + a["cloud_cost_usd"]
    )
    s.out = {
        "it_power_kw": it_kw,
        "cooling_power_kw": cooling_kw,
        "facility_power_kw": facility_kw,
        "pue": pue,
        "mean_utilization": rb.busy_gpus / gpus_arrived if gpus_arrived > 0 else 0.0,
        "delivered_pflops": flops_s / 1e15,
        "max_temp_c": hb.max_t,
        "gpus_up": rb.gpus_up,
        "gpus_failed": gpus_failed,
        "gpus_throttled": rb.throttled,
        "energy_cost_usd_cum": a["energy_cost_usd"],
        "total_cost_usd_cum": total_usd,
        "carbon_t_cum": a["carbon_kg"] / 1000.0,
        "headcount": headcount,
        "ambient_c": ambient,
        "heat_in_kw": rb.rack_heat_kw,
        "heat_removed_kw": hb.removed_j / dt / 1000.0,
        "inference_tokens_per_s": tokens_s,
        "cloud_gpus": cloud_gpus,
        "energy_price_usd_per_kwh": mean_price,
        # For the live charts (issue 5): mean junction temperature of racks with units up,
        # room-side cooling capacity available now, and the cost categories as running sums.
        "mean_temp_c": _mean_live_temp_c(s),
        "cooling_capacity_kw": _collector_capacity_kw(s, cap_w),
        "capex_amortized_usd_cum": a["capex_amortized_usd"],
        "staff_cost_usd_cum": a["staff_cost_usd"],
        "maintenance_cost_usd_cum": a["maintenance_cost_usd"],
        "cloud_cost_usd_cum": a["cloud_cost_usd"],
    }
    s.view_inputs = (up, rb.busy, pb.cool_kw, pb.cool_in, cap_w, pb.unit_heat_kw)


def _collector_capacity_kw(s: EngineState, cap_w: FloatArray) -> float:
    """Room-side cooling capacity now, kW (cap_w is replaced when it changes, never edited)."""
    known = s.cache.get("collector_kw")
    if known is None or known[0] is not cap_w:
        known = (cap_w, float(np.sum(cap_w[s.c.is_collector])) / 1000.0)
        s.cache["collector_kw"] = known
    out: float = known[1]
    return out


def _mean_live_temp_c(s: EngineState) -> float:
    """Unit-weighted mean junction temperature of racks with units up (0 when none are)."""
    units_up = s.cache["rack_up"]
    # Both arrays are replaced, never edited in place, so the same pair means the same answer.
    known = s.cache.get("mean_temp")
    if known is None or known[0] is not s.tj_c or known[1] is not units_up:
        weight = float(np.sum(units_up))
        mean_c = float(np.dot(s.tj_c, units_up)) / weight if weight > 0 else 0.0
        known = s.cache["mean_temp"] = (s.tj_c, units_up, mean_c)
    out: float = known[2]
    return out


def node_values(s: EngineState) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(temp °C, power kW, utilization) per node for the last step (what the recorder keeps)."""
    c = s.c
    n = c.n_nodes
    if s.view_inputs is None:
        return np.zeros(n), np.zeros(n), np.zeros(n)
    # Same input objects (all replaced when they change, never edited in place), same values:
    # with the plant memo most ticks of a steady factory repeat an earlier tick's inputs.
    # Callers copy or only read the arrays handed out.
    # Entries keep their key objects alive, so an id in a live entry cannot be reused.
    key = (*s.view_inputs, s.tj_c, s.cache["base_load"], s.cache["base_dist"])
    ids = tuple(id(x) for x in key)
    memo: dict[tuple[int, ...], Any] = s.cache.setdefault("node_values", {})
    known = memo.get(ids)
    if known is not None and all(a is b for a, b in zip(known[0], key, strict=True)):
        same: tuple[FloatArray, FloatArray, FloatArray] = known[1]
        return same
    values = _node_values(s)
    if len(memo) >= max(1, NODE_VALUES_MEMO_FLOATS // (3 * max(n, 1))):
        memo.clear()
    memo[ids] = (key, values)
    return values


def _node_values(s: EngineState) -> tuple[FloatArray, FloatArray, FloatArray]:
    c = s.c
    n = c.n_nodes
    assert s.view_inputs is not None
    up, busy, cool_kw, cool_in, cap_w, unit_heat_kw = s.view_inputs
    rn = c.rack_node
    power = s.cache["base_load"].copy()
    power[c.cool_node] += cool_kw
    node_in = s.cache["base_dist"][0].copy()
    node_in[s.cool_closure] += cool_in
    power[s.dist_nodes] = node_in[s.dist_nodes]
    temp = np.zeros(n)
    temp[rn] = s.tj_c
    temp[c.cool_node] = c.cool_supply_c
    known = s.cache.get("util_up")
    if known is None or known[0] is not up:
        # ``up`` is replaced whenever availability changes, never edited in place.
        known = (up, np.where(c.count > 0, up / np.maximum(c.count, 1e-12), 0.0))
        s.cache["util_up"] = known
    util = known[1].copy()
    util[rn] = busy
    util[c.cool_node] = np.where(cap_w > 0, unit_heat_kw * 1000.0 / np.maximum(cap_w, 1e-12), 0.0)
    return temp, power, np.minimum(np.maximum(util, 0.0), 1.0)


def node_view(
    s: EngineState,
) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.int8]]:
    """(temp °C, power kW, utilization, status code) per node for the last step."""
    c = s.c
    n = c.n_nodes
    if s.view_inputs is None:
        return np.zeros(n), np.zeros(n), np.zeros(n), np.full(n, ST_WAITING, dtype=np.int8)
    temp, power, util = node_values(s)
    up, busy = s.view_inputs[0], s.view_inputs[1]
    rn = c.rack_node
    status = np.full(n, ST_UP, dtype=np.int8)
    status[(up == 0) & s.arrived] = ST_FAILED
    status[s.cache["unstaffed"] & s.arrived] = ST_UNSTAFFED
    rack_up = up[rn]
    rstat = status[rn]
    rstat = np.where(rstat == ST_UP, np.where(busy > 0, ST_UP, ST_IDLE), rstat)
    rstat = np.where(s.status == th.STATUS_THROTTLED, ST_THROTTLED, rstat)
    rstat = np.where((s.status == th.STATUS_SHUTDOWN) & (rack_up > 0), ST_SHUTDOWN, rstat)
    status[rn] = rstat
    status[~s.arrived] = ST_WAITING
    status[c.team_node] = np.where(s.headcount > 0, ST_UP, ST_UNSTAFFED)
    return temp, power, util, status
