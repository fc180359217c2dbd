"""Faults that stay physical: protective shutdown inside a step, passive loss, shared room air.

* Protective shutdown (§3.4, §3.6): when a rack's junction reaches its shutdown limit the node
  powers off its accelerators and the host shuts down to a standby draw of
  ``STANDBY_FRACTION`` of rated power (BMC, PSU standby; estimate). The trip is located *inside*
  the step: the rack's RC trajectory (``thermal.rc_step``) is piecewise exponential/linear, so the
  time at which the rack reaches the temperature where T_j = T_shutdown has a closed form; the
  rest of the step runs at standby power. A junction therefore never passes its limit by more
  than the heat the step's first part can add, whatever the step length (1 s or 1 h).
* Passive loss: a rack whose cooling cannot meet its demand still loses heat to the building
  through its chassis, UA·(T − T_supply) with UA = ``LEAK_W_PER_K_PER_KW`` × rated kW (estimate:
  a 10 kW server ≈ 50 W/K, ~10 m² of skin at ~5 W/m²K), so even a rack with no cooling left
  settles at a bounded temperature instead of heating forever. The loss is not metered (no
  cooling power); it counts as heat removed in the balance.
* Shared room air: racks and air-side collectors with the same non-empty ``group`` share the
  room's air. A rack its own air collectors cannot cool hands ``ROOM_AIR_SHARE`` of its unmet
  air-side demand to the room, where the spare capacity of the other air collectors absorbs it
  (in proportion to their spare). Only what the spare cannot absorb stays in the racks: losing
  one CRAH of an N+1 room changes nothing, losing a row's CRAHs in a well-sized room heats only
  that row. ``ROOM_AIR_SHARE`` is an estimate (hot-aisle containment lowers it): the part of a
  row's exhaust that reaches other rows' returns rather than its own dead units.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from aifactory_twin.sim.models.thermal import RACK_TAU_S, rc_step

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

STANDBY_FRACTION = 0.01
"""Standby draw of a protectively shut-down node, share of its rated power (estimate)."""
LEAK_W_PER_K_PER_KW = 5.0
"""Passive chassis-to-room conductance per rated kW, W/K (estimate, module doc)."""
ROOM_AIR_SHARE = 0.5
"""Share of a starved rack's unmet air-side demand the shared room air carries (estimate)."""


def time_to_reach(
    temp_c: FloatArray,
    q_in_w: FloatArray,
    cap_w: FloatArray,
    supply_c: FloatArray,
    heat_cap_j_per_k: FloatArray,
    target_c: FloatArray,
) -> FloatArray:
    """Seconds until the rack reaches ``target_c`` on ``rc_step``'s trajectory (inf: never).

    0 where the rack is already at or above the target. Regimes as in ``thermal.rc_step``:
    linear heating at (Q_in − cap)/C while saturated, exponential toward the supply otherwise.
    """
    # Infinite capacities and targets (no collector, accelerators off) give inf − inf in
    # branches np.where then discards.
    with np.errstate(invalid="ignore", divide="ignore"):
        return _time_to_reach(temp_c, q_in_w, cap_w, supply_c, heat_cap_j_per_k, target_c)


def may_reach(
    temp_c: FloatArray,
    q_in_w: FloatArray,
    cap_w: FloatArray,
    supply_c: FloatArray,
    heat_cap_j_per_k: FloatArray,
    target_c: FloatArray,
    dt_s: float,
) -> npt.NDArray[np.bool_]:
    """Racks that may reach ``target_c`` within ``dt_s`` (a superset of ``time_to_reach < dt``).

    On ``rc_step``'s trajectory a rack never rises above max(T, T_supply) + max(Q_in − cap, 0)
    · dt / C: the proportional regime decays toward the supply, the saturated and cold regimes
    heat at most linearly at (Q_in − cap)/C. The 1 K slack covers rounding; racks with no heat
    capacity or a NaN bound are always included.
    """
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        rise = np.maximum(q_in_w - cap_w, 0.0) * dt_s / heat_cap_j_per_k
        top = np.maximum(temp_c, supply_c) + rise
        may: npt.NDArray[np.bool_] = (
            (target_c <= top + 1.0) | ~(heat_cap_j_per_k > 0) | np.isnan(top)
        )
    return may


def _time_to_reach(
    temp_c: FloatArray,
    q_in_w: FloatArray,
    cap_w: FloatArray,
    supply_c: FloatArray,
    heat_cap_j_per_k: FloatArray,
    target_c: FloatArray,
) -> FloatArray:
    c = heat_cap_j_per_k
    g = c / RACK_TAU_S
    finite = np.isfinite(cap_w)
    cap = np.where(finite, cap_w, 0.0)
    net = q_in_w - cap
    t_star = np.where(finite, supply_c + (cap - q_in_w) / g, np.inf)
    heat_rate = np.maximum(net, 1e-12) / c
    # Saturated (above T*): linear from the current temperature.
    t_hot = np.where(net > 0, (target_c - temp_c) / heat_rate, np.inf)
    # Below T* < supply: exponential toward the supply until T*, then linear heating.
    d0 = temp_c - supply_c
    ds = np.minimum(t_star - supply_c, -1e-12)
    dt_ = np.minimum(target_c - supply_c, -1e-12)
    t_cross = RACK_TAU_S * np.log(np.maximum(d0 / ds, 1.0))
    t_to_target_exp = RACK_TAU_S * np.log(np.maximum(d0 / dt_, 1.0))
    t_cold = np.where(
        target_c <= t_star, t_to_target_exp, t_cross + (target_c - t_star) / heat_rate
    )
    t_cold = np.where(net > 0, t_cold, np.inf)
    # Proportional regime with T* ≥ supply: exponential toward the supply, which reaches the
    # target only when it lies between the start and the supply.
    t_prop = np.where((temp_c < target_c) & (target_c < supply_c), t_to_target_exp, np.inf)
    hot = temp_c > t_star
    below_sup = t_star < supply_c
    out = np.where(hot, t_hot, np.where(below_sup, t_cold, t_prop))
    out = np.where(finite, out, np.inf)
    done: FloatArray = np.where(temp_c >= target_c, 0.0, out)
    return done


def rc_step_with_trip(
    temp_c: FloatArray,
    q_in_w: FloatArray,
    q_trip_w: FloatArray,
    cap_w: FloatArray,
    supply_c: FloatArray,
    heat_cap_j_per_k: FloatArray,
    dt_s: float,
    trip_c: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """(new °C, heat removed J, heat in J, tripped) per rack over one step.

    A rack whose trajectory reaches ``trip_c`` (the rack temperature at which its junction hits
    the shutdown limit) within the step runs at ``q_in_w`` until then and at ``q_trip_w`` for the
    rest of the step. Energy balance holds per rack: heat in = removed + C·ΔT.
    """
    # Only racks that may reach their trip temperature within the step need the closed form
    # (elementwise, so computing it on those racks alone gives the same values); the others
    # keep inf, which reads as "not tripped" exactly as their finite time ≥ dt did.
    idx = np.flatnonzero(may_reach(temp_c, q_in_w, cap_w, supply_c, heat_cap_j_per_k, trip_c, dt_s))
    t_hit = np.full(temp_c.shape, np.inf)
    if idx.size:
        t_hit[idx] = time_to_reach(
            temp_c[idx], q_in_w[idx], cap_w[idx], supply_c[idx], heat_cap_j_per_k[idx], trip_c[idx]
        )
    tripped = t_hit < dt_s
    if not tripped.any():
        new, removed = rc_step(temp_c, q_in_w, cap_w, supply_c, heat_cap_j_per_k, dt_s)
        return new, removed, q_in_w * dt_s, tripped
    dt1 = np.where(tripped, t_hit, dt_s)
    mid, removed1 = _rc_step_each(temp_c, q_in_w, cap_w, supply_c, heat_cap_j_per_k, dt1)
    dt2 = dt_s - dt1
    new, removed2 = _rc_step_each(mid, q_trip_w, cap_w, supply_c, heat_cap_j_per_k, dt2)
    heat_in = q_in_w * dt1 + q_trip_w * dt2
    return new, removed1 + removed2, heat_in, tripped


def _rc_step_each(
    temp_c: FloatArray,
    q_in_w: FloatArray,
    cap_w: FloatArray,
    supply_c: FloatArray,
    c: FloatArray,
    dt_s: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """``rc_step`` with a step length per rack (a zero length leaves the rack unchanged)."""
    new = temp_c.copy()
    removed = np.zeros_like(temp_c)
    for dt in np.unique(dt_s[dt_s > 0]):
        sel = dt_s == dt
        new[sel], removed[sel] = rc_step(
            temp_c[sel], q_in_w[sel], cap_w[sel], supply_c[sel], c[sel], float(dt)
        )
    return new, removed


def leak_w(
    temp_c: FloatArray,
    supply_c: FloatArray,
    rated_kw_up: FloatArray,
    starved: npt.NDArray[np.bool_],
) -> FloatArray:
    """Passive chassis loss of starved racks at the step's start temperature, W (module doc)."""
    ua = LEAK_W_PER_K_PER_KW * rated_kw_up
    return np.where(starved, ua * np.maximum(temp_c - supply_c, 0.0), 0.0)


def room_share(
    unmet_w: FloatArray,
    rack_room: IntArray,
    spare_w: FloatArray,
    col_room: IntArray,
    n_rooms: int,
) -> tuple[FloatArray, FloatArray]:
    """(extra capacity per rack, extra load per collector) from the shared room air, W.

    ``unmet_w``: air-side demand per rack its own collectors cannot carry; ``spare_w``: capacity
    left per air collector. Room −1 means "not in a shared room". A room's spare covers
    ``ROOM_AIR_SHARE`` of its racks' unmet demand, pro rata; each collector takes its share of
    what is carried in proportion to its spare.
    """
    in_rack = rack_room >= 0
    in_col = col_room >= 0
    r_room = np.where(in_rack, rack_room, 0)
    k_room = np.where(in_col, col_room, 0)
    ask = np.where(in_rack, ROOM_AIR_SHARE * np.maximum(unmet_w, 0.0), 0.0)
    spare = np.where(in_col, np.maximum(spare_w, 0.0), 0.0)
    ask_m = np.bincount(r_room, weights=ask, minlength=n_rooms)
    spare_m = np.bincount(k_room, weights=spare, minlength=n_rooms)
    carried_m = np.minimum(ask_m, spare_m)
    rack_extra = ask * np.where(ask_m > 0, carried_m / np.maximum(ask_m, 1e-12), 0.0)[r_room]
    col_extra = spare * np.where(spare_m > 0, carried_m / np.maximum(spare_m, 1e-12), 0.0)[k_room]
    return rack_extra, col_extra


def room_index(
    rack_groups: list[str],
    rack_air: npt.NDArray[np.bool_],
    cool_groups: list[str],
    cool_air: npt.NDArray[np.bool_],
) -> tuple[IntArray, IntArray, int]:
    """(room per rack, room per cooling unit, number of rooms); −1 = no shared room.

    A room is a non-empty group holding at least one rack with an air side and one air
    collector (module doc).
    """
    rack_set = {g for g, a in zip(rack_groups, rack_air, strict=True) if g and a}
    cool_set = {g for g, a in zip(cool_groups, cool_air, strict=True) if g and a}
    rooms = sorted(rack_set & cool_set)
    number = {g: i for i, g in enumerate(rooms)}
    rack_room = np.asarray(
        [number.get(g, -1) if a else -1 for g, a in zip(rack_groups, rack_air, strict=True)],
        dtype=np.int64,
    )
    cool_room = np.asarray(
        [number.get(g, -1) if a else -1 for g, a in zip(cool_groups, cool_air, strict=True)],
        dtype=np.int64,
    )
    return rack_room, cool_room, len(rooms)
