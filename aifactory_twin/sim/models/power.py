"""Power: accelerator and rack power from activity, distribution losses and caps, cooling power.

* Accelerator: P = P_idle + (κ·TDP − P_idle)·a·d (domain-reference §1.3, §10.1, γ = 1), with
  κ = κ_train for training and κ_decode for inference, a the activity and d the thermal or
  power-cap derate.
* Host: idle + (overhead − idle)·busy share per unit (host CPUs, NICs, fans, PSU losses; air-side
  fans are part of the rack's own ``host_overhead_w``, so PUE does not count them, §3.1).
* Distribution: each PDU/UPS/feed draws its children's input / efficiency (§10.3); a node whose
  children ask more than rating × units up caps them in proportion; a load fed by several
  parents takes the best surviving path (2N redundancy). A capped rack slows by
  ((P_cap − P_idle)/(P − P_idle))^(1/3) (§1.3, compute-bound DVFS).
* Cooling (``cooling_power_partload_kw``): fans and pumps by the affinity law on their design
  power (fraction × rated capacity, models/partload.py), chillers' compressors on their staged
  part-load curve at COP(T_ambient) (§10.3). COP rises ~2 %/K below the 30 °C rating point
  (estimate, clipped to ±50 %); below ``free_cooling_below_c`` the economizer cuts plant energy
  by 70 % (Energy Star, §3.2), blended over 3 K.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from aifactory_twin.sim.models import partload as pl

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

COP_RATING_AMBIENT_C = 30.0
COP_SLOPE_PER_K = 0.02
FREE_COOLING_SAVING = 0.70
FREE_COOLING_BLEND_K = 3.0
IMPLICIT_AIR_PLANT_COP = 3.2
"""Rack or air collector with no modelled plant: air-cooled chiller typical COP (§9.3)."""
IMPLICIT_AIR_FAN_FRACTION = 0.05
"""Room fans for a rack without a modelled collector (estimate, like a CRAH default)."""
IMPLICIT_DRY_COOLER_FRACTION = 0.03
"""Liquid collector with no modelled rejector: dry-cooler fans per kW rejected (estimate)."""


def gpu_power_w(
    idle_w: FloatArray, peak_w: FloatArray, activity: FloatArray, derate: FloatArray
) -> FloatArray:
    """P_idle + (P_eff − P_idle)·a·d per accelerator (§10.1)."""
    return idle_w + (peak_w - idle_w) * activity * derate


def rack_power_kw(
    units_on: FloatArray,
    units_shutdown: FloatArray,
    gpus_per_unit: FloatArray,
    gpus_train: FloatArray,
    gpus_inf: FloatArray,
    inf_load: FloatArray,
    idle_w: FloatArray,
    tdp_w: FloatArray,
    kappa_train: FloatArray,
    kappa_decode: FloatArray,
    host_idle_w: FloatArray,
    host_overhead_w: FloatArray,
    derate: FloatArray,
    standby_w: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(rack kW, GPU kW, busy share, hottest accelerator W) per rack node.

    Units thermally shut down draw ``standby_w`` each (protective shutdown, models/faults.py;
    host idle power when not given).
    """
    gpus_on = units_on * gpus_per_unit
    p_train = gpu_power_w(idle_w, kappa_train * tdp_w, np.ones_like(idle_w), derate)
    p_inf = gpu_power_w(idle_w, kappa_decode * tdp_w, inf_load, derate)
    idle_gpus = np.maximum(gpus_on - gpus_train - gpus_inf, 0.0)
    gpu_w = gpus_train * p_train + gpus_inf * p_inf + idle_gpus * idle_w
    busy = np.where(
        gpus_on > 0, (gpus_train + gpus_inf * inf_load) / np.maximum(gpus_on, 1e-12), 0.0
    )
    host_w = units_on * (host_idle_w + (host_overhead_w - host_idle_w) * busy)
    host_w = host_w + units_shutdown * (host_idle_w if standby_w is None else standby_w)
    hottest = np.where(gpus_train > 0, p_train, np.where(gpus_inf > 0, p_inf, idle_w))
    return (gpu_w + host_w) / 1000.0, gpu_w / 1000.0, np.minimum(busy, 1.0), hottest


Level = tuple[npt.NDArray[np.intp], IntArray, IntArray, FloatArray]


def distribution_inputs(
    load_kw: FloatArray, levels: list[Level], eff: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(input kW per node, output kW per node) through the PDU → UPS → feed levels (§10.3).

    ``levels`` lists, bottom-up, (nodes of the level, edge sources, edge targets, edge split)
    for the edges leaving that level's nodes. Linear in ``load_kw``, so the engine adds the
    parts that change at different rates (racks vs cooling plant).
    """
    node_in = load_kw.copy()
    out = np.zeros_like(load_kw)
    for nodes, src, dst, split in levels:
        level_out = np.bincount(src, weights=node_in[dst] * split, minlength=load_kw.shape[0])
        out[nodes] = level_out[nodes]
        node_in[nodes] = level_out[nodes] / eff[nodes]
    return node_in, out


def level_ratio(out_kw: FloatArray, rating_kw_up: FloatArray) -> FloatArray:
    """Share of its children's demand each distribution node can carry (0 when it is down)."""
    ratio = np.where(out_kw > 0, np.minimum(1.0, rating_kw_up / np.maximum(out_kw, 1e-12)), 1.0)
    return np.where(rating_kw_up > 0, ratio, 0.0)


def supply_factors(ratio: FloatArray, levels: list[Level], n_nodes: int) -> FloatArray:
    """Supply factor per node: best path of min(ratios) from a root down (2N redundancy)."""
    best = np.zeros(n_nodes)
    has_parent = np.zeros(n_nodes, dtype=bool)
    for nodes, src, dst, _ in reversed(levels):
        inherited = np.where(has_parent[nodes], best[nodes], 1.0)
        factor_src = np.ones(n_nodes)
        factor_src[nodes] = np.minimum(ratio[nodes], inherited)
        np.maximum.at(best, dst, factor_src[src])
        has_parent[dst] = True
    out: FloatArray = np.where(has_parent, best, 1.0)
    return out


def distribute(
    load_kw: FloatArray, levels: list[Level], eff: FloatArray, rating_kw_up: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(input kW per node, supply factor per node): inputs, ratios and factors in one call."""
    node_in, out = distribution_inputs(load_kw, levels, eff)
    ratio = level_ratio(out, rating_kw_up)
    return node_in, supply_factors(ratio, levels, load_kw.shape[0])


def cap_slowdown(factor: FloatArray, power_kw: FloatArray, idle_kw: FloatArray) -> FloatArray:
    """Throughput ratio under a power cap: ((cap − idle)/(P − idle))^(1/3) (§1.3)."""
    dyn = power_kw - idle_kw
    capped = factor * power_kw - idle_kw
    ratio = np.where(
        dyn > 1e-12, np.minimum(np.maximum(capped / np.maximum(dyn, 1e-12), 0.0), 1.0), 1.0
    )
    return np.where(factor >= 1.0, 1.0, np.cbrt(ratio))


def chiller_cop(
    cop: FloatArray,
    free_below_c: FloatArray,
    ambient_c: float,
    condenser_c: float | FloatArray | None = None,
) -> FloatArray:
    """COP: ~2 %/K around the 30 °C rating point, economizer below threshold.

    The slope follows ``condenser_c`` (the condenser's outdoor sink; the dry bulb
    ``ambient_c`` when not given), the free-cooling threshold the dry bulb.
    """
    sink_c = ambient_c if condenser_c is None else condenser_c
    base = cop * np.minimum(
        np.maximum(1.0 + COP_SLOPE_PER_K * (COP_RATING_AMBIENT_C - sink_c), 0.5), 1.5
    )
    blend = free_cooling_blend(free_below_c, ambient_c)
    out: FloatArray = base / (1.0 - FREE_COOLING_SAVING * blend)
    return out


def free_cooling_blend(free_below_c: FloatArray, ambient_c: float) -> FloatArray:
    """Share of time in economizer mode under ``free_cooling_below_c`` (0 where NaN)."""
    blend = np.minimum(np.maximum((free_below_c - ambient_c) / FREE_COOLING_BLEND_K, 0.0), 1.0)
    out: FloatArray = np.where(np.isnan(free_below_c), 0.0, blend)
    return out


def cooling_power_partload_kw(
    heat_kw: FloatArray,
    is_chiller: npt.NDArray[np.bool_],
    fan_fraction: FloatArray,
    cap_kw_now: FloatArray,
    rated_kw_up: FloatArray,
    min_speed: FloatArray,
    cop_now: FloatArray,
    unit_cap_kw: FloatArray,
    units_up: FloatArray,
    vsd: npt.NDArray[np.int8],
    mechanical: FloatArray | None = None,
) -> FloatArray:
    """Electrical power per cooling unit node at part load (models/partload.py).

    Fans and pumps (every unit, chillers' chilled-water pumps included): design power
    ``fan_fraction`` × rated capacity up, scaled by the affinity law at flow = heat / capacity
    now. Chillers add compressor power from their staged part-load curve at this tick's COP,
    on the ``mechanical`` share of their heat an economizer leaves them (all when None).
    """
    fans = pl.affinity_power_kw(heat_kw, fan_fraction * rated_kw_up, cap_kw_now, min_speed)
    comp_kw = heat_kw if mechanical is None else heat_kw * mechanical
    compressor = pl.chiller_power_kw(comp_kw, unit_cap_kw, units_up, cop_now, vsd)
    out: FloatArray = fans + np.where(is_chiller, compressor, 0.0)
    return out


def attribute_to_feeds(feed_in_kw: FloatArray, facility_kw: float) -> tuple[FloatArray, float]:
    """(kW per feed, kW with no feed) once the load no edge sites is attributed.

    Facility load that is not on a modelled power path (misc and no-load load, the cooling of
    switches, storage and racks without a modelled plant, loads with no path to a feed) is
    supplied by the site's feeds in proportion to what they already supply, or evenly when no
    load reaches any feed. Only a site with no feed at all leaves load unattributed (billed at
    the settings' default price and carbon; ``rules`` warns).
    """
    other = max(facility_kw - float(feed_in_kw.sum()), 0.0)
    n = feed_in_kw.shape[0]
    if n == 0 or other == 0.0:
        return feed_in_kw, other
    total = float(feed_in_kw.sum())
    share = feed_in_kw / total if total > 0 else np.full(n, 1.0 / n)
    out: FloatArray = feed_in_kw + other * share
    return out, 0.0


def per_accelerator_kw(
    gpus_per_unit: FloatArray,
    idle_w: FloatArray,
    tdp_w: FloatArray,
    kappa_train: FloatArray,
    kappa_decode: FloatArray,
    inf_load: FloatArray,
    host_idle_w: FloatArray,
    host_overhead_w: FloatArray,
    derate: FloatArray,
    factor: FloatArray,
) -> tuple[FloatArray, ...]:
    """Per rack, kW of one accelerator and its host share, by what it does (per-job accounting).

    Returns (train GPU, train host, inference GPU, inference host, idle GPU, idle host) kW per
    accelerator, after the supply factor ``factor``. A unit's host power is split evenly over its
    accelerators at idle, and its activity-driven part (``rack_power_kw``: overhead − idle times
    the busy share) over the busy accelerators by their activity (1 training, the rack's
    inference load serving). Summed over a rack's accelerators these give ``rack_power_kw``
    for the units on.
    """
    per_gpu = np.maximum(gpus_per_unit, 1e-12)
    host_idle = host_idle_w / per_gpu
    host_dyn = (host_overhead_w - host_idle_w) / per_gpu
    kw = factor / 1000.0
    p_train = gpu_power_w(idle_w, kappa_train * tdp_w, np.ones_like(idle_w), derate)
    p_inf = gpu_power_w(idle_w, kappa_decode * tdp_w, inf_load, derate)
    return (
        p_train * kw,
        (host_idle + host_dyn) * kw,
        p_inf * kw,
        (host_idle + host_dyn * inf_load) * kw,
        idle_w * kw,
        host_idle * kw,
    )


def power_limit(
    kappa: FloatArray, tdp_w: FloatArray, idle_w: FloatArray, limit_w: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(κ under the cap, throughput ratio) for a per-accelerator power cap ``limit_w``.

    The effective peak is min(κ·TDP, cap) (domain-reference §1.3: P_eff = min(κ_w·TDP,
    P_cap)). Dynamic power goes as f³ (P_dyn ∝ f^2.5–3, §1.3) and compute-bound throughput as
    f, so the throughput ratio is ((cap − P_idle)/(κ·TDP − P_idle))^(1/3) [E]. Where the cap
    does not bind both come back unchanged (κ itself, ratio exactly 1).
    """
    peak_w = kappa * tdp_w
    binds = limit_w < peak_w
    dyn = np.maximum(peak_w - idle_w, 1e-12)
    ratio = np.minimum(np.maximum((limit_w - idle_w) / dyn, 0.0), 1.0)
    kappa_cap: FloatArray = np.where(binds, limit_w / tdp_w, kappa)
    pace: FloatArray = np.where(binds, np.cbrt(ratio), 1.0)
    return kappa_cap, pace
