"""Thermal stage: weather, cooling capacity, rack temperatures, throttle and shutdown.

Owns per rack ``temp_c`` (coolant/air node), ``tj_c`` (accelerator junction), ``status``,
``hard``, ``derate`` and ``version`` (bumped when status, hard or derate change); the chillers'
COP now (``cop_now``); and the heat-balance totals. All arrays are replaced, never edited, and
handed out read-only. The stage is skipped at a fixed point: when its inputs are unchanged and
its output equals its input, the previous ``HeatBlock`` is exactly what recomputing would give.
Formulas: ``models/thermal.py`` (RC racks, capacity sharing, junction), ``models/power.py``
(chiller COP).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from aifactory_twin.sim.compiled import CompiledScenario
from aifactory_twin.sim.models import economizer as ec
from aifactory_twin.sim.models import faults as ft
from aifactory_twin.sim.models import power as pw
from aifactory_twin.sim.models import thermal as th
from aifactory_twin.sim.models.sequential import Stretch
from aifactory_twin.sim.stages import rack_heat as rh
from aifactory_twin.sim.stages.handoff import (
    BoolArray,
    FloatArray,
    HeatBlock,
    LogFn,
    RackBlock,
    RackCapacity,
    frozen,
)

GRANT_MEMO_MAX = 4096
WEATHER_MEMO_MAX = 4096
MEMO_FLOATS_MAX = 1_000_000
"""Bound on the floats one memo keeps (8 MB): large scenes with 15 s steps see a new ambient
every tick, and their per-rack arrays are large."""


class Weather(NamedTuple):
    """What one outdoor condition (dry bulb, wet bulb) does to the plant (read-only arrays)."""

    cop: FloatArray
    """Chiller COP at full load (rating-point slope, older free-cooling threshold)."""
    ambient_factor: FloatArray
    """Capacity multiplier of the dry coolers and towers."""
    factor_bytes: bytes
    economizer: Economizer | None
    """Economizer effect (None when no unit has an economizer)."""
    free_share: FloatArray
    """Per unit: share of its load free-cooled (economizer or free-cooling threshold)."""


class Economizer(NamedTuple):
    """Economizers at one outdoor condition (models/economizer.py), per unit."""

    mechanical: FloatArray
    """Share of the load left to the compressors (1 − free share)."""
    condenser_mult: FloatArray
    """Heat sent to the condenser per unit of load: (1 − bypassed share) + mechanical / COP."""
    water_l_per_kwh: FloatArray
    """Water an evaporative economizer spends per kWh of the unit's load."""


class Grant(NamedTuple):
    """Cooling granted this step (read-only arrays)."""

    granted: FloatArray
    """Per rack: capacity W (own collectors + shared room air; inf with no collector)."""
    granted_e: FloatArray
    """Per coolant edge: capacity W from that collector."""
    room_rack: FloatArray
    """Per rack: capacity W the shared room air carries (empty without rooms)."""
    room_col: FloatArray
    """Per cooling unit: load W it takes for the room (empty without rooms)."""
    starved: BoolArray
    """Per rack: granted less than its demand."""


@dataclass
class GrantMemo:
    """Capacity granted to the racks per (key), valid for one rack block and temperature array."""

    rack_block: RackBlock
    temp_c: FloatArray
    entries: dict[Any, Grant] = field(default_factory=dict)


@dataclass
class ThermalCache:
    """Memos of the thermal stage (reset by a parameter swap)."""

    weather: dict[tuple[float, float], Weather] = field(default_factory=dict)
    capacity_key: tuple[int, bytes, int] | None = None
    capacity_w: FloatArray | None = None
    heat: HeatBlock | None = None
    grant: GrantMemo | None = None
    condenser: tuple[FloatArray, FloatArray] | None = None
    """(COP array, condenser multiplier for it)."""
    live: tuple[FloatArray, BoolArray] | None = None
    """(capacity array, racks whose own collectors have capacity under it)."""
    weights: tuple[FloatArray, FloatArray] | None = None
    """(capacity array, coolant edge weights by capacity under it)."""


def _bits_equal(a: FloatArray, b: FloatArray) -> bool:
    """Whether two float arrays are equal bit for bit (the same read-only array is)."""
    return a is b or (a.shape == b.shape and a.tobytes() == b.tobytes())


def _same_grant(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """Whether two (rack block key, granted per rack, granted per edge) are the same grant."""
    return bool(a[0] == b[0] and _bits_equal(a[1], b[1]) and _bits_equal(a[2], b[2]))


class Thermal:
    """Rack temperatures and the cooling they are granted."""

    def __init__(self, c: CompiledScenario, log: LogFn) -> None:
        n_r = c.racks.node.shape[0]
        self.log = log
        self.temp_c = frozen(c.plant.rack_supply_c.copy())
        self.temp0_c = frozen(self.temp_c.copy())
        self.tj_c = frozen(self.temp_c.copy())
        self.status = frozen(np.zeros(n_r, dtype=np.int8))
        self.hard = frozen(np.zeros(n_r, dtype=bool))
        self.derate = frozen(np.ones(n_r))
        self.version = 0
        self.new_shutdown = frozen(np.zeros(n_r, dtype=bool))
        """Racks that shut down in the last step (their jobs are interrupted next step)."""
        self.heat_in_j = 0.0
        self.heat_removed_j = 0.0
        self.swap(c)

    def swap(self, c: CompiledScenario) -> None:
        """Take the parameters of ``c`` (same racks and cooling units)."""
        self.c = c
        plant = c.plant
        self.has_chiller = bool(plant.is_chiller.any())
        self.rej_idx = np.flatnonzero(plant.is_dry_cooler | plant.is_tower)
        self.heat_cap_node = frozen(c.racks.heat_cap_j_per_k * c.nodes.count[c.racks.node])
        self.g_rack = frozen(self.heat_cap_node / th.RACK_TAU_S)
        self.no_collector = np.flatnonzero(~plant.rack_has_collector)
        self.multi_edges = th.multi_collector_edges(
            plant.collector_rack_index, plant.collector_is_air
        )
        self.standby_w = frozen(c.racks.rating_kw * 1000.0 * ft.STANDBY_FRACTION)
        self.cop_now = frozen(c.plant.cop.copy())
        self.has_economizer = bool(plant.economizer.any())
        self.weather_now: Weather | None = None
        """The outdoor condition's effect this step (set by ``capacity_w``)."""
        self.cache = ThermalCache()
        rk = c.racks
        self.rack_heat = rh.RackHeat(
            rh.HeatParams(
                plant.rack_supply_c, rk.rating_kw, self.heat_cap_node, self.standby_w,
                rk.shutdown_c, rk.r_th_k_per_w, rk.max_operating_c, rk.slowdown_c,
            )
        )  # fmt: skip

    def clear_new_shutdown(self) -> None:
        """The interruptions of the last shutdowns were handled."""
        self.new_shutdown = frozen(np.zeros(self.c.racks.node.shape[0], dtype=bool))

    def condenser_mult(self) -> FloatArray:
        """Condenser heat per unit of heat of the unit served (1 + 1/COP for chillers, else 1)."""
        # Cached per COP array (the weather memo hands back the same array for the same
        # ambient); the heat and plant stages both ask for it every step.
        known = self.cache.condenser
        if known is None or known[0] is not self.cop_now:
            mult = frozen(np.where(self.c.plant.is_chiller, 1.0 + 1.0 / self.cop_now, 1.0))
            known = self.cache.condenser = (self.cop_now, mult)
        return known[1]

    def capacity_w(
        self,
        ambient: float,
        wet_bulb: float,
        up: FloatArray,
        avail_version: int,
        supply: tuple[FloatArray, int] | None = None,
    ) -> FloatArray:
        """Cooling capacity per unit at dry bulb ``ambient`` and ``wet_bulb``, W.

        ``supply`` = (supply factor per node, its version) of the power stage: a unit whose
        power path is lost (factor 0) cools nothing.

        Sets ``cop_now`` (chillers) and ``weather_now``. The chiller COP, the economizers and
        the rejectors' ambient factor are pure functions of the outdoor condition and the
        compiled parameters, and a daily cosine repeats the same few values every day, so they
        are memoized per condition (each computed once a run). The capacity array is read-only
        and replaced only when it changes.
        """
        memo = self.cache.weather
        per_entry = 6 * self.c.plant.unit_node.shape[0] + 1
        if len(memo) >= min(WEATHER_MEMO_MAX, MEMO_FLOATS_MAX // per_entry):
            memo = self.cache.weather = {}
        hit = memo.get((ambient, wet_bulb))
        if hit is None:
            hit = memo[(ambient, wet_bulb)] = self._weather(ambient, wet_bulb)
        self.weather_now = hit
        if self.has_chiller:  # COP only matters for chillers (and what sits behind them)
            self.cop_now = hit.cop
            if hit.economizer is not None:
                self.cache.condenser = (hit.cop, hit.economizer.condenser_mult)
        # Only dry coolers and towers follow the weather; capacity is rebuilt when their factor
        # or the units up change (the same array comes back otherwise, which the caches see).
        key = (avail_version, hit.factor_bytes, -1 if supply is None else supply[1])
        known = self.cache.capacity_w
        if known is None or self.cache.capacity_key != key:
            c = self.c
            cap_w = c.plant.capacity_kw * 1000.0 * up[c.plant.unit_node]
            if supply is not None:
                cap_w[supply[0][c.plant.unit_node] <= 0] = 0.0
            cap_w[self.rej_idx] *= hit.ambient_factor
            # A unit failing elsewhere (a rack, a switch) leaves the capacity as it was: keep
            # the same array, so what is keyed on it stands.
            if known is None or known.tobytes() != cap_w.tobytes():
                known = self.cache.capacity_w = frozen(cap_w)
            self.cache.capacity_key = key
        return known

    def _weather(self, ambient: float, wet_bulb: float) -> Weather:
        """The plant's response to one outdoor condition (``capacity_w``)."""
        p = self.c.plant
        rej = self.rej_idx
        free = np.zeros(p.unit_node.shape[0])
        if self.has_chiller:
            # With a weather model a chiller behind a tower sees its condenser water (wet bulb
            # + tower approach, near the 29.4 °C AHRI rating point); the plain sine keeps the
            # dry bulb for every chiller, as before.
            condenser_c: float | FloatArray = ambient
            if self.c.weather is not None:
                condenser_c = np.where(p.tower_condenser, wet_bulb + ec.TOWER_APPROACH_K, ambient)
            cop = frozen(pw.chiller_cop(p.cop, p.free_cooling_below_c, ambient, condenser_c))
            free = np.where(p.is_chiller, pw.free_cooling_blend(p.free_cooling_below_c, ambient), 0)
        else:
            cop = p.cop
        economizer = None
        if self.has_economizer:
            share, water = ec.free_share(
                p.economizer, ambient, wet_bulb, p.supply_c, p.economizer_air_supply_c,
                p.tower_condenser,
            )  # fmt: skip
            mech = 1.0 - share
            # Air-side and evaporative economizers send the freely cooled heat out with the
            # exhaust air; a water-side one passes it through the condenser water.
            bypass = np.where(p.economizer >= ec.AIR_SIDE, share, 0.0)
            cond = np.where(p.is_chiller, 1.0 - bypass + mech / cop, 1.0)
            economizer = Economizer(frozen(mech), frozen(cond), frozen(water))
            free = np.where(p.economizer > 0, share, free)
        amb_f = th.rejector_ambient_factor(
            p.supply_c[rej], ambient, wet_bulb, p.is_dry_cooler[rej], p.is_tower[rej]
        )
        return Weather(cop, frozen(amb_f), amb_f.tobytes(), economizer, frozen(free))

    def heat(
        self, t: float, dt: float, rb: RackBlock, cap: RackCapacity, cap_w: FloatArray
    ) -> HeatBlock:
        """Grant cooling to the racks, step their temperatures and status (logs changes)."""
        c = self.c
        key = (
            rb.key,
            cap_w.tobytes(),
            self.cop_now.tobytes() if c.plant.condenser_index.size else b"",
        )
        cached = self.cache.heat
        if cached is not None and cached.fixed and cached.key == key:
            self.heat_in_j += cached.heat_in_j
            self.heat_removed_j += cached.removed_j
            return cached
        # The grant is a pure function of the racks' temperatures, the rack block, the capacity
        # and the COP. While the racks sit still (same temperature array, same rack block) the
        # daily weather cycle brings the same capacity and COP back every day: remember each.
        memo = self.cache.grant
        if memo is None or memo.rack_block is not rb or memo.temp_c is not self.temp_c:
            memo = self.cache.grant = GrantMemo(rb, self.temp_c)
        hit = memo.entries.get(key)
        if hit is None:
            hit = self._grant(rb, cap_w)
            per_entry = sum(x.size for x in hit) + 1
            if len(memo.entries) < min(GRANT_MEMO_MAX, MEMO_FLOATS_MAX // per_entry):
                memo.entries[key] = hit
        granted, granted_e = hit.granted, hit.granted_e
        # The chiller COP follows the weather every tick, but the capacity it grants the racks
        # often does not change (the plant has headroom). Everything below is a function of the
        # racks' state, the rack block and the grant only, so at a fixed point with the same
        # grant the previous block is exactly what recomputing would give.
        granted_key = (rb.key, granted, granted_e)
        if cached is not None and cached.fixed and _same_grant(cached.granted_key, granted_key):
            cached.key = key
            block = cached
        else:
            block = self.cache.heat = self._step(t, dt, rb, cap, cap_w, hit, key, granted_key)
        # The energy-balance totals (inlined: this runs every step).
        self.heat_in_j += block.heat_in_j
        self.heat_removed_j += block.removed_j
        return block

    def repeat(self, stretch: Stretch) -> None:
        """Add the heat totals of the last (fixed-point) block over a quiet stretch."""
        block = self.cache.heat
        assert block is not None and block.fixed
        # The totals are this object's float attributes.
        stretch.totals(
            self.__dict__, {"heat_in_j": block.heat_in_j, "heat_removed_j": block.removed_j}
        )

    def _cooling_live(self, cap_w: FloatArray) -> BoolArray:
        """Per rack: a collector of its own has capacity (or it has no modelled collector)."""
        known = self.cache.live
        if known is None or known[0] is not cap_w:
            p = self.c.plant
            own_cap = np.bincount(
                p.collector_rack_index, weights=cap_w[p.collector_index],
                minlength=self.c.racks.node.shape[0],
            )  # fmt: skip
            known = self.cache.live = (cap_w, frozen((own_cap > 0) | ~p.rack_has_collector))
        return known[1]

    def _weights(self, cap_w: FloatArray) -> FloatArray:
        """Coolant edge weights under capacity ``cap_w`` (read-only, replaced on change)."""
        known = self.cache.weights
        if known is None or known[0] is not cap_w:
            p = self.c.plant
            w = th.capacity_weights(
                p.collector_weight, p.collector_index, p.collector_rack_index,
                p.collector_is_air, cap_w, self.multi_edges,
            )  # fmt: skip
            known = self.cache.weights = (cap_w, w)
        return known[1]

    def _grant(self, rb: RackBlock, cap_w: FloatArray) -> Grant:
        """Capacity per rack: own collectors (demand capped per unit), then the shared room."""
        c = self.c
        p = c.plant
        n_r = c.racks.node.shape[0]
        demand = rb.q_in + self.g_rack * np.maximum(self.temp_c - p.rack_supply_c, 0.0)
        want_e, want_c, limit_c = th.collector_limits_w(
            demand, cap_w, p.collector_index, p.collector_rack_index, self._weights(cap_w),
            p.rejector_index, p.rejector_collector_index, p.rejector_weight,
            p.collector_has_rejector,
            (p.condenser_index, p.condenser_served_index, p.condenser_weight,
             self.condenser_mult()),
        )  # fmt: skip
        granted, granted_e = th.grant_from_limits(
            want_e, want_c, limit_c, p.collector_index, p.collector_rack_index, n_r
        )
        room_rack = room_col = np.zeros(0)
        if p.n_rooms:
            air = p.collector_is_air
            unmet = np.bincount(
                p.collector_rack_index[air], weights=(want_e - granted_e)[air], minlength=n_r
            ).astype(np.float64)
            spare = limit_c - np.minimum(want_c, limit_c)
            room_rack, room_col = ft.room_share(unmet, p.rack_room, spare, p.unit_room, p.n_rooms)
            granted = granted + room_rack
        # A rack with no modelled collector sits in a room assumed to keep up (implicit plant).
        granted = np.where(p.rack_has_collector, granted, np.inf)
        starved = p.rack_has_collector & (granted < demand * (1.0 - 1e-9))
        return Grant(
            frozen(granted), frozen(granted_e), frozen(room_rack), frozen(room_col),
            frozen(starved),
        )  # fmt: skip

    def _step(
        self,
        t: float,
        dt: float,
        rb: RackBlock,
        cap: RackCapacity,
        cap_w: FloatArray,
        grant: Grant,
        key: tuple[Any, ...],
        granted_key: tuple[Any, ...],
    ) -> HeatBlock:
        c = self.c
        p, rk = c.plant, c.racks
        rn = rk.node
        granted, granted_e = grant.granted, grant.granted_e
        prev, prev_hard, prev_derate = self.status, self.hard, self.derate
        r = self.rack_heat.step(
            rh.HeatInputs(
                self.temp_c, rb.q_in, granted, grant.starved, cap.rack_up, rb.gpu_w_now,
                cap.units_on, cap.units_sd, prev, prev_hard, self._cooling_live(cap_w),
            ),
            dt,
        )  # fmt: skip
        cap_eff, removed_j, new_t, tripped = r.cap_eff_w, r.removed_j, r.new_t, r.tripped
        tj, status, derate, hard = r.tj_c, r.status, r.derate, r.hard
        n_k = p.unit_node.shape[0]
        frac_e = granted_e / np.maximum(cap_eff[p.collector_rack_index], 1e-12)
        col_heat_j = np.bincount(
            p.collector_index,
            weights=removed_j[p.collector_rack_index] * frac_e,
            minlength=n_k,
        )
        per_w = r.per_w
        leak_j = float(per_w @ r.leak_w)
        if p.n_rooms:
            # Heat the room air carried goes to the room's collectors by their spare capacity.
            in_room = p.rack_room >= 0
            room_j = np.bincount(
                p.rack_room[in_room], weights=(per_w * grant.room_rack)[in_room],
                minlength=p.n_rooms,
            )  # fmt: skip
            k_in = p.unit_room >= 0
            took = np.bincount(p.unit_room[k_in], weights=grant.room_col[k_in], minlength=p.n_rooms)
            share = np.where(k_in, grant.room_col / np.maximum(took[p.unit_room], 1e-12), 0.0)
            col_heat_j = col_heat_j + np.where(k_in, room_j[p.unit_room] * share, 0.0)
        rej_heat_j = np.bincount(
            p.rejector_index,
            weights=col_heat_j[p.rejector_collector_index] * p.rejector_weight,
            minlength=n_k,
        )
        # Status and hard are integers (no NaN): the same array is an equal one.
        same_status = (
            (status is prev or np.array_equal(status, prev))
            and (hard is prev_hard or np.array_equal(hard, prev_hard))
            and np.array_equal(derate, prev_derate)
        )
        fixed = same_status and np.array_equal(new_t, self.temp_c)
        self.temp_c, self.tj_c = frozen(new_t), frozen(tj)
        if not same_status:
            self.status, self.hard, self.derate = frozen(status), frozen(hard), frozen(derate)
            self.version += 1
            self.new_shutdown = frozen(
                (status == th.STATUS_SHUTDOWN) & (prev != th.STATUS_SHUTDOWN)
            )
            for i in np.flatnonzero((status == th.STATUS_THROTTLED) & (prev == th.STATUS_OK)):
                self.log(t + dt, "thermal_throttle", c.node_ids[rn[i]], f"junction {tj[i]:.1f} °C")
            for i in np.flatnonzero(self.new_shutdown):
                how = "protective shutdown" if tripped[i] else "junction"
                limit = rk.shutdown_c[i] if tripped[i] else tj[i]
                self.log(t + dt, "shutdown", c.node_ids[rn[i]], f"{how} {limit:.1f} °C")
        live = cap.rack_up > 0
        max_t = float(np.max(tj, where=live, initial=-np.inf)) if rn.size else 0.0
        implicit_j = float(np.sum(removed_j[self.no_collector]))
        # A rack that tripped drew its full power only until the trip: the power path bills
        # the energy the rack really used this step.
        rack_kw = frozen(r.heat_in_j / dt / 1000.0) if tripped.any() else None
        return HeatBlock(
            key=key,
            fixed=fixed,
            granted_key=granted_key,
            col_heat_j=frozen(col_heat_j.astype(np.float64, copy=False)),
            rej_heat_j=frozen(rej_heat_j.astype(np.float64, copy=False)),
            implicit_rack_j=implicit_j,
            removed_j=float(col_heat_j.sum()) + implicit_j + leak_j,
            heat_in_j=float(r.heat_in_j.sum()),
            max_t=max_t if np.isfinite(max_t) else 0.0,
            rack_kw=rack_kw,
        )
