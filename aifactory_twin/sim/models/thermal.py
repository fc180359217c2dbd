"""Thermal: cooling capacity shared along coolant edges, lumped RC racks, throttle and shutdown.

* Each rack node is one lumped RC (its air path or coolant loop), C·dT/dt = Q_in − Q_removed
  (domain-reference §3.6, §10.6). Cooling holds the rack at its supply temperature with a
  proportional response Q_removed = Q_in + G·(T − T_supply), G = C/τ with τ = ``RACK_TAU_S``
  (§3.6: per-server time constants 3–10 min), limited by the capacity the rack is granted.
  The update is exact for this piecewise-linear law: exponential toward T_supply while capacity
  suffices, linear heating (or cooling) at (Q_in − cap)/C while it does not, so large steps stay
  stable. Heat removed over the step is Q_in·dt − C·ΔT (the energy balance holds exactly).
* Capacity: a collector (CRAH, CDU, …) splits its capacity among its racks in proportion to their
  demand (``np.bincount`` over coolant edges). A rack with several collectors of one kind (two
  CRAHs on its room air, two CDUs on its manifold) asks each for a share of that kind's heat in
  proportion to the capacity the unit has now (``capacity_weights``): a small or failed unit
  beside a big one does not leave the rack short while the big one has room (simplification:
  by the unit's whole capacity, not what its other racks leave). A collector is itself limited
  by the rejectors
  (chiller, dry cooler, tower) behind it, shared the same way. Dry coolers and towers lose
  capacity as the outdoor temperature approaches their supply temperature (approach
  ``APPROACH_K``, estimate): dry coolers the dry bulb, towers the wet bulb (from the weather
  model; with the plain daily sine ≈ dry bulb − ``WET_BULB_DEPRESSION_K``, estimate).
* Tower water: evaporation + blowdown ≈ ``TOWER_WATER_L_PER_KWH`` per kWh rejected when a tower
  gives no water use of its own: 3.6 MJ / 2.43 MJ/kg ≈ 1.48 L/kWh evaporated, plus blowdown at
  5 cycles of concentration (evaporation / 4) ≈ 1.85, rounded to the 1.8 L/kWh rule of thumb
  (domain-reference §3.5 quotes 1.8–1.9 L/kWh).
* Accelerator junction T_j = T_rack + P_gpu·R_th (§3.4, §10.5). Above max operating the clock
  drops 7.5 %/K, at slowdown it halves, at shutdown the units power off to standby (the trip is
  located inside the step, ``models/faults.py``); throttling clears below max operating,
  shutdown clears once the rack is back within ``RECOVER_MARGIN_K`` of its supply temperature
  and a collector of its own has capacity again (cooling returned). Estimates per §3.4.
* A collector asks its rejectors for at most its own capacity (``collector_limits_w``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

RACK_TAU_S = 300.0
APPROACH_K = 5.0
WET_BULB_DEPRESSION_K = 8.0
TOWER_WATER_L_PER_KWH = 1.8
RECOVER_MARGIN_K = 5.0
THROTTLE_PER_K = 0.075
SLOWDOWN_DERATE = 0.5
STATUS_OK, STATUS_THROTTLED, STATUS_SHUTDOWN = 0, 1, 2


def rejector_ambient_factor(
    supply_c: FloatArray,
    ambient_c: float,
    wet_bulb_c: float,
    dry: npt.NDArray[np.bool_],
    tower: npt.NDArray[np.bool_],
) -> FloatArray:
    """Capacity multiplier of dry coolers (dry bulb) and towers (wet bulb); 1 for other units."""
    sink = np.where(tower, wet_bulb_c, ambient_c)
    factor = np.minimum(np.maximum((supply_c - sink) / APPROACH_K, 0.0), 1.0)
    return np.where(dry | tower, factor, 1.0)


def multi_collector_edges(ce_rack: IntArray, ce_is_air: npt.NDArray[np.bool_]) -> IntArray:
    """Coolant edges of racks with more than one collector of the edge's kind (air / liquid)."""
    group = ce_rack * 2 + ce_is_air
    n_g = int(group.max()) + 1 if group.size else 0
    return np.flatnonzero(np.bincount(group, minlength=n_g)[group] > 1)


def capacity_weights(
    weight: FloatArray,
    ce_cool: IntArray,
    ce_rack: IntArray,
    ce_is_air: npt.NDArray[np.bool_],
    cap_w: FloatArray,
    multi: IntArray,
) -> FloatArray:
    """Per coolant edge: the rack's heat share asked of that collector (module doc).

    ``weight`` is the compiled even split, ``multi`` the edges of racks with several collectors
    of one kind (``multi_collector_edges``). Among those, each kind's share of the rack's heat
    goes to its collectors by their capacity now. Where a rack's collectors of a kind have equal
    capacity, or none has any (all failed: the rack is short), ``weight`` stays as it is.
    """
    if not multi.size:
        return weight
    _, group = np.unique(ce_rack[multi] * 2 + ce_is_air[multi], return_inverse=True)
    n_g = int(group.max()) + 1
    w = weight[multi]
    cap_e = cap_w[ce_cool[multi]]
    kind_share = np.bincount(group, weights=w, minlength=n_g)
    cap_sum = np.bincount(group, weights=cap_e, minlength=n_g)
    cap_max = np.zeros(n_g)
    np.maximum.at(cap_max, group, cap_e)
    cap_min = np.full(n_g, np.inf)
    np.minimum.at(cap_min, group, cap_e)
    uneven = (cap_max > cap_min) & (cap_sum > 0)
    if not uneven.any():
        return weight
    by_cap = kind_share[group] * cap_e / np.maximum(cap_sum[group], 1e-300)
    out = weight.copy()
    out[multi] = np.where(uneven[group], by_cap, w)
    return out


def rack_cooling_capacity_w(
    demand_w: FloatArray,
    cap_w: FloatArray,
    ce_cool: IntArray,
    ce_rack: IntArray,
    ce_weight: FloatArray,
    pe_rej: IntArray,
    pe_col: IntArray,
    pe_weight: FloatArray,
    col_has_rejector: npt.NDArray[np.bool_],
    rack_has_collector: npt.NDArray[np.bool_],
    condenser: tuple[IntArray, IntArray, FloatArray, FloatArray] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """(capacity granted per rack in W, granted share per coolant edge) for this tick.

    ``condenser`` = (tower, chiller, split, heat multiplier per unit): towers behind chillers
    must reject the chiller's heat × (1 + 1/COP); a short tower limits the chiller the same way.
    """
    want_e, want_c, limit_c = collector_limits_w(
        demand_w, cap_w, ce_cool, ce_rack, ce_weight, pe_rej, pe_col, pe_weight,
        col_has_rejector, condenser,
    )  # fmt: skip
    granted, granted_e = grant_from_limits(
        want_e, want_c, limit_c, ce_cool, ce_rack, demand_w.shape[0]
    )
    # A rack with no modelled collector sits in a room assumed to keep up (implicit plant).
    granted = np.where(rack_has_collector, granted, np.inf)
    return granted, granted_e


def grant_from_limits(
    want_e: FloatArray,
    want_c: FloatArray,
    limit_c: FloatArray,
    ce_cool: IntArray,
    ce_rack: IntArray,
    n_racks: int | None = None,
) -> tuple[FloatArray, FloatArray]:
    """(granted per rack, granted per coolant edge): each unit shares its limit pro rata."""
    share_c = np.minimum(1.0, limit_c / np.maximum(want_c, 1e-12))
    granted_e = want_e * share_c[ce_cool]
    n_r = int(ce_rack.max()) + 1 if n_racks is None and ce_rack.size else (n_racks or 0)
    granted = np.asarray(np.bincount(ce_rack, weights=granted_e, minlength=n_r), dtype=np.float64)
    return granted, granted_e


def collector_limits_w(
    demand_w: FloatArray,
    cap_w: FloatArray,
    ce_cool: IntArray,
    ce_rack: IntArray,
    ce_weight: FloatArray,
    pe_rej: IntArray,
    pe_col: IntArray,
    pe_weight: FloatArray,
    col_has_rejector: npt.NDArray[np.bool_],
    condenser: tuple[IntArray, IntArray, FloatArray, FloatArray] | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(demand per coolant edge, demand per unit, capacity limit per unit) in W.

    A collector asks its rejectors for at most what it can carry itself: a collector that lost
    its units (or is overloaded by hot racks) must not take plant capacity from the others.
    """
    n_k = cap_w.shape[0]
    want_e = demand_w[ce_rack] * ce_weight
    want_c: FloatArray = np.bincount(ce_cool, weights=want_e, minlength=n_k).astype(np.float64)
    limit_c = cap_w.copy()
    if pe_rej.size:
        want_p = np.minimum(want_c, cap_w)[pe_col] * pe_weight
        want_r = np.bincount(pe_rej, weights=want_p, minlength=n_k)
        cap_r = cap_w
        if condenser is not None and condenser[0].size:
            tower, chiller, split, mult = condenser
            want_t = np.bincount(
                tower, weights=want_r[chiller] * mult[chiller] * split, minlength=n_k
            )
            ratio_t = np.minimum(1.0, cap_w[tower] / np.maximum(want_t[tower], 1e-12))
            plant_r = np.bincount(chiller, weights=want_r[chiller] * split * ratio_t, minlength=n_k)
            has = np.bincount(chiller, minlength=n_k) > 0
            cap_r = np.where(has, np.minimum(cap_w, plant_r), cap_w)
        ratio_r = np.minimum(1.0, cap_r[pe_rej] / np.maximum(want_r[pe_rej], 1e-12))
        plant = np.bincount(pe_col, weights=want_p * ratio_r, minlength=n_k)
        limit_c = np.where(col_has_rejector, np.minimum(limit_c, plant), limit_c)
    return want_e, want_c, limit_c


def rc_step(
    temp_c: FloatArray,
    q_in_w: FloatArray,
    cap_w: FloatArray,
    supply_c: FloatArray,
    heat_cap_j_per_k: FloatArray,
    dt_s: float,
) -> tuple[FloatArray, FloatArray]:
    """(new temperature, heat removed in J) per rack: exact piecewise update (see module doc)."""
    c = heat_cap_j_per_k
    g = c / RACK_TAU_S
    decay = np.exp(-dt_s / RACK_TAU_S)
    finite = np.isfinite(cap_w)
    cap = np.where(finite, cap_w, 0.0)
    t_star = np.where(finite, supply_c + (cap - q_in_w) / g, np.inf)
    if not (temp_c > t_star).any() and not (t_star < supply_c).any():
        # Every rack is in the proportional regime (the usual case): the other branches would
        # be computed and then discarded elementwise, so skipping them changes no value.
        expo = supply_c + (temp_c - supply_c) * decay
        return expo, q_in_w * dt_s - c * (expo - temp_c)
    return rc_step_general(temp_c, q_in_w, cap, t_star, supply_c, c, dt_s)


def rc_step_general(
    temp_c: FloatArray,
    q_in_w: FloatArray,
    cap: FloatArray,
    t_star: FloatArray,
    supply_c: FloatArray,
    c: FloatArray,
    dt_s: float,
) -> tuple[FloatArray, FloatArray]:
    """``rc_step`` with every regime evaluated (``cap`` is 0 where capacity is infinite)."""
    decay = np.exp(-dt_s / RACK_TAU_S)
    hot = temp_c > t_star
    below_sup = t_star < supply_c
    net = q_in_w - cap
    # Regime "saturated": removal = cap, linear in time.
    lin = temp_c + net * dt_s / c
    # Saturated but cooling down (cap > Q_in): reach T* after t*, then exponential.
    t_hit = np.where(net < 0, c * (temp_c - t_star) / np.maximum(-net, 1e-12), np.inf)
    after = supply_c + (t_star - supply_c) * np.exp(-np.maximum(dt_s - t_hit, 0.0) / RACK_TAU_S)
    sat = np.where(t_hit < dt_s, after, lin)
    # Regime "proportional": exponential toward the supply temperature.
    expo = supply_c + (temp_c - supply_c) * decay
    # Starting below T* < T_supply (cold rack, too little capacity): exponential until T*, then
    # linear heating; the crossing time follows from the exponential.
    ratio = np.where(below_sup, (temp_c - supply_c) / np.minimum(t_star - supply_c, -1e-12), 1.0)
    t_cross = RACK_TAU_S * np.log(np.maximum(ratio, 1.0))
    cold = np.where(t_cross < dt_s, t_star + net * np.maximum(dt_s - t_cross, 0.0) / c, expo)
    prop = np.where(below_sup, cold, expo)
    new = np.where(hot, sat, prop)
    removed_j = q_in_w * dt_s - c * (new - temp_c)
    return new, removed_j


def junction_status(
    rack_temp_c: FloatArray,
    gpu_w: FloatArray,
    r_th: FloatArray,
    supply_c: FloatArray,
    max_op_c: FloatArray,
    slowdown_c: FloatArray,
    shutdown_c: FloatArray,
    prev_status: npt.NDArray[np.int8],
    prev_hard: npt.NDArray[np.bool_],
    tripped: npt.NDArray[np.bool_] | None = None,
    cooling_live: npt.NDArray[np.bool_] | None = None,
) -> tuple[FloatArray, npt.NDArray[np.int8], FloatArray, npt.NDArray[np.bool_]]:
    """(junction °C, status, derate, hard-throttled) per rack with hysteresis (module doc).

    ``tripped``: racks that reached their shutdown limit inside the step (accelerators off at
    its end); ``cooling_live``: racks with a working collector of their own (a shut-down rack
    restarts only when its cooling is back). None means none tripped / all live.
    """
    if tripped is not None and tripped.any():
        gpu_w = np.where(tripped, 0.0, gpu_w)
    tj = rack_temp_c + gpu_w * r_th
    if tripped is not None and tripped.any():
        return junction_status_general(
            tj, rack_temp_c, supply_c, max_op_c, slowdown_c, shutdown_c, prev_status, prev_hard,
            tripped, cooling_live,
        )  # fmt: skip
    if not (
        (prev_status == STATUS_SHUTDOWN).any() or (tj >= max_op_c).any()
        or (tj >= slowdown_c).any() or (tj >= shutdown_c).any()
    ):  # fmt: skip
        # Nothing near a limit and nothing shut down (the usual case): every rack is OK at full
        # clock, exactly what the general expressions give for such inputs.
        n = tj.shape[0]
        return tj, np.zeros(n, dtype=np.int8), np.ones(n), np.zeros(n, dtype=bool)
    return junction_status_general(
        tj, rack_temp_c, supply_c, max_op_c, slowdown_c, shutdown_c, prev_status, prev_hard,
        None, cooling_live,
    )  # fmt: skip


def junction_status_general(
    tj: FloatArray,
    rack_temp_c: FloatArray,
    supply_c: FloatArray,
    max_op_c: FloatArray,
    slowdown_c: FloatArray,
    shutdown_c: FloatArray,
    prev_status: npt.NDArray[np.int8],
    prev_hard: npt.NDArray[np.bool_],
    tripped: npt.NDArray[np.bool_] | None = None,
    cooling_live: npt.NDArray[np.bool_] | None = None,
) -> tuple[FloatArray, npt.NDArray[np.int8], FloatArray, npt.NDArray[np.bool_]]:
    """``junction_status`` with every rule evaluated, from the junction temperature ``tj``."""
    was_down = prev_status == STATUS_SHUTDOWN
    hot = rack_temp_c > supply_c + RECOVER_MARGIN_K
    still_down = was_down & (hot if cooling_live is None else hot | ~cooling_live)
    down = (tj >= shutdown_c) | still_down
    if tripped is not None:
        down = down | tripped
    hard = ((tj >= slowdown_c) | (prev_hard & (tj >= max_op_c))) & ~down
    soft = tj > max_op_c
    status = np.where(down, STATUS_SHUTDOWN, np.where(hard | soft, STATUS_THROTTLED, STATUS_OK))
    derate = np.where(
        down,
        0.0,
        np.where(
            hard, SLOWDOWN_DERATE, np.where(soft, 1.0 - THROTTLE_PER_K * (tj - max_op_c), 1.0)
        ),
    )
    return tj, status.astype(np.int8), np.minimum(np.maximum(derate, 0.0), 1.0), hard
