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
from typing import Any

import numpy as np

from aifactory_twin.sim.compiled import CompiledScenario
from aifactory_twin.sim.models import power as pw
from aifactory_twin.sim.models import thermal as th
from aifactory_twin.sim.stages.handoff import (
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

Weather = tuple[FloatArray, FloatArray, bytes]
"""(chiller COP, rejector ambient factor, its bytes) at one outdoor temperature."""


@dataclass
class GrantMemo:
    """Capacity granted to the racks per (key), valid for one rack block and temperature array."""

    rack_block: RackBlock
    temp_c: FloatArray
    entries: dict[Any, tuple[FloatArray, FloatArray]] = field(default_factory=dict)


@dataclass
class ThermalCache:
    """Memos of the thermal stage (reset by a parameter swap)."""

    weather: dict[float, Weather] = field(default_factory=dict)
    capacity_key: tuple[int, bytes] | None = None
    capacity_w: FloatArray | None = None
    heat: HeatBlock | None = None
    grant: GrantMemo | None = None
    condenser: tuple[FloatArray, FloatArray] | None = None
    """(COP array, condenser multiplier for it)."""


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
        self.cop_now = frozen(c.plant.cop.copy())
        self.cache = ThermalCache()

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

    def capacity_w(self, ambient: float, up: FloatArray, avail_version: int) -> FloatArray:
        """Cooling capacity per unit at ``ambient``, W; sets ``cop_now`` (chillers).

        The chiller COP and the rejectors' ambient factor are pure functions of the outdoor
        temperature and the compiled parameters, and a daily cosine repeats the same few
        ambient values every day, so they are memoized per value (each computed once a run).
        The capacity array is read-only and replaced only when it changes.
        """
        memo = self.cache.weather
        per_entry = 2 * self.c.plant.unit_node.shape[0] + 1
        if len(memo) >= min(WEATHER_MEMO_MAX, MEMO_FLOATS_MAX // per_entry):
            memo = self.cache.weather = {}
        hit = memo.get(ambient)
        if hit is None:
            c = self.c
            rej = self.rej_idx
            if self.has_chiller:
                cop = frozen(pw.chiller_cop(c.plant.cop, c.plant.free_cooling_below_c, ambient))
            else:
                cop = c.plant.cop
            amb_f = th.rejector_ambient_factor(
                c.plant.supply_c[rej], ambient, c.plant.is_dry_cooler[rej], c.plant.is_tower[rej]
            )
            hit = memo[ambient] = (cop, frozen(amb_f), amb_f.tobytes())
        if self.has_chiller:  # COP only matters for chillers (and what sits behind them)
            self.cop_now = hit[0]
        # Only dry coolers and towers follow the weather; capacity is rebuilt when their factor
        # or the units up change (the same array comes back otherwise, which the caches see).
        key = (avail_version, hit[2])
        known = self.cache.capacity_w
        if known is None or self.cache.capacity_key != key:
            c = self.c
            cap_w = c.plant.capacity_kw * 1000.0 * up[c.plant.unit_node]
            cap_w[self.rej_idx] *= hit[1]
            known = self.cache.capacity_w = frozen(cap_w)
            self.cache.capacity_key = key
        return known

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
            g = self.heat_cap_node / th.RACK_TAU_S
            demand = rb.q_in + g * np.maximum(self.temp_c - c.plant.rack_supply_c, 0.0)
            p = c.plant
            hit = th.rack_cooling_capacity_w(
                demand, cap_w, p.collector_index, p.collector_rack_index, p.collector_weight,
                p.rejector_index, p.rejector_collector_index, p.rejector_weight,
                p.collector_has_rejector, p.rack_has_collector,
                (p.condenser_index, p.condenser_served_index, p.condenser_weight,
                 self.condenser_mult()),
            )  # fmt: skip
            per_entry = hit[0].size + hit[1].size + 1
            if len(memo.entries) < min(GRANT_MEMO_MAX, MEMO_FLOATS_MAX // per_entry):
                memo.entries[key] = hit
        granted, granted_e = hit
        # The chiller COP follows the weather every tick, but the capacity it grants the racks
        # often does not change (the plant has headroom). Everything below is a function of the
        # racks' state, the rack block and the grant only, so at a fixed point with the same
        # grant the previous block is exactly what recomputing would give.
        granted_key = (rb.key, granted.tobytes(), granted_e.tobytes())
        if cached is not None and cached.fixed and cached.granted_key == granted_key:
            cached.key = key
            block = cached
        else:
            block = self.cache.heat = self._step(
                t, dt, rb, cap, granted, granted_e, key, granted_key
            )
        # The energy-balance totals (inlined: this runs every step).
        self.heat_in_j += block.heat_in_j
        self.heat_removed_j += block.removed_j
        return block

    def _step(
        self,
        t: float,
        dt: float,
        rb: RackBlock,
        cap: RackCapacity,
        granted: FloatArray,
        granted_e: FloatArray,
        key: tuple[Any, ...],
        granted_key: tuple[Any, ...],
    ) -> HeatBlock:
        c = self.c
        rn = c.racks.node
        new_t, removed_j = th.rc_step(
            self.temp_c, rb.q_in, granted, c.plant.rack_supply_c, self.heat_cap_node, dt
        )
        n_k = c.plant.unit_node.shape[0]
        frac_e = granted_e / np.maximum(granted[c.plant.collector_rack_index], 1e-12)
        col_heat_j = np.bincount(
            c.plant.collector_index,
            weights=removed_j[c.plant.collector_rack_index] * frac_e,
            minlength=n_k,
        )
        rej_heat_j = np.bincount(
            c.plant.rejector_index,
            weights=col_heat_j[c.plant.rejector_collector_index] * c.plant.rejector_weight,
            minlength=n_k,
        )
        prev, prev_hard, prev_derate = self.status, self.hard, self.derate
        rk = c.racks
        tj, status, derate, hard = th.junction_status(
            new_t, rb.gpu_w_now, rk.r_th_k_per_w, c.plant.rack_supply_c, rk.max_operating_c,
            rk.slowdown_c, rk.shutdown_c, prev, prev_hard,
        )  # fmt: skip
        status = np.where(cap.rack_up > 0, status, th.STATUS_OK).astype(np.int8)
        same_status = (
            np.array_equal(status, prev)
            and np.array_equal(hard, prev_hard)
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
            for r in np.flatnonzero((status == th.STATUS_THROTTLED) & (prev == th.STATUS_OK)):
                self.log(t + dt, "thermal_throttle", c.node_ids[rn[r]], f"junction {tj[r]:.1f} °C")
            for r in np.flatnonzero(self.new_shutdown):
                self.log(t + dt, "shutdown", c.node_ids[rn[r]], f"junction {tj[r]:.1f} °C")
        live = cap.rack_up > 0
        max_t = float(np.max(tj, where=live, initial=-np.inf)) if rn.size else 0.0
        implicit_j = float(np.sum(removed_j[~c.plant.rack_has_collector]))
        return HeatBlock(
            key=key,
            fixed=fixed,
            granted_key=granted_key,
            col_heat_j=frozen(col_heat_j.astype(np.float64, copy=False)),
            rej_heat_j=frozen(rej_heat_j.astype(np.float64, copy=False)),
            implicit_rack_j=implicit_j,
            removed_j=float(col_heat_j.sum()) + implicit_j,
            heat_in_j=float(rb.q_in.sum() * dt),
            max_t=max_t if np.isfinite(max_t) else 0.0,
        )
