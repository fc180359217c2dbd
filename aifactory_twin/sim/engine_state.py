"""The engine's mutable state and the body of one step (see ``engine.py`` for the order).

Kept apart from ``engine.py`` so the public Engine API stays small; everything here is numpy
arrays indexed like the compiled scenario. The step body calls the pure functions in
``sim/models`` and keeps running totals for the KPIs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.schema import ScheduledEvent
from aifactory_twin.sim.compile import (
    COOLING_TYPES,
    ROLES,
    TECHNICIAN_ROLES,
    CompiledScenario,
    event_problem,
)
from aifactory_twin.sim.models import economics as eco
from aifactory_twin.sim.models import power as pw
from aifactory_twin.sim.models import reliability as rel
from aifactory_twin.sim.models import staff as stf
from aifactory_twin.sim.models.compute import Placement
from aifactory_twin.sim.step_money import node_values, node_view
from aifactory_twin.sim.step_physics import step_physics
from aifactory_twin.sim.step_work import WorkModel

LogFn = Callable[[float, str, str, str], None]
FloatArray = npt.NDArray[np.float64]

ST_UP, ST_THROTTLED, ST_FAILED, ST_WAITING, ST_UNSTAFFED, ST_IDLE, ST_SHUTDOWN = range(7)
_LEVEL_KINDS = ("pdu", "ups", "power_feed")
COOLING_MAP_MAX_ENTRIES = 1_000_000
_NODE_EVENT_KINDS = frozenset({"fail_unit", "restore_unit", "staff_departure"})


class EngineState:
    """All arrays that change during a run, plus running totals for KPIs."""

    def __init__(self, c: CompiledScenario, log: LogFn) -> None:
        self.log = log
        n, n_r = c.n_nodes, c.rack_node.shape[0]
        self.arrived = np.zeros(n, dtype=bool)
        self.failed_auto = np.zeros(n)
        self.failed_manual = np.zeros(n)
        self.repair_progress_h = np.zeros(n)
        self.injected_down = np.zeros(n)
        self.temp_c = c.rack_supply_c.copy()
        self.temp0_c = self.temp_c.copy()
        self.status = np.zeros(n_r, dtype=np.int8)
        self.hard = np.zeros(n_r, dtype=bool)
        self.derate = np.ones(n_r)
        self.tj_c = self.temp_c.copy()
        self.supply_factor = np.ones(n)
        self.headcount = c.team_headcount.copy()
        self.headcount0 = float(self.headcount.sum())
        self.hires: list[tuple[float, int, float]] = []
        self.launch_times: list[float] = []
        self.price_effects: list[tuple[float, float]] = []
        self.heat_effects: list[tuple[float, float]] = []
        self.work = WorkModel(c)
        self.placement: Placement | None = None
        self._free_cache: FloatArray | None = None
        self._hour_cache = -1
        self.dirty = True
        self.avail_v = 0
        self.status_v = 0
        self.supply_v = 0
        self.place_v = 0
        self.cache: dict[str, Any] = {}
        self.view_inputs: tuple[FloatArray, ...] | None = None
        self.view_step = -1
        self.step_count = 0
        self._view: tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.int8]] | None = None
        self.timed_restores: list[tuple[float, str, float]] = []
        self.new_shutdown = np.zeros(n_r, dtype=bool)
        self.rack_bw = np.zeros(n_r)
        self.rack_bw_local = np.zeros(n_r)
        self.rack_store_per_gpu = np.zeros(n_r)
        self.acc: dict[str, float] = dict.fromkeys(
            (
                "capex_usd",
                "capex_amortized_usd",
                "energy_cost_usd",
                "staff_cost_usd",
                "maintenance_cost_usd",
                "cloud_cost_usd",
                "idle_cost_usd",
                "it_energy_kwh",
                "cooling_energy_kwh",
                "facility_energy_kwh",
                "carbon_kg",
                "water_l",
                "heat_in_j",
                "heat_removed_j",
                "gpu_s_up",
                "gpu_s_arrived",
                "gpu_s_busy",
                "gpu_s_throttled",
                "gpu_s_allocated",
                "gpu_s_inference",
                "cloud_gpu_s",
                "inference_tokens",
                "inference_energy_j",
                "incidents",
                "incidents_auto",
                "departures",
                "peak_facility_kw",
                "max_temperature_c",
                "time_s",
            ),
            0.0,
        )
        self.acc["max_temperature_c"] = float(np.max(self.tj_c)) if n_r else 0.0
        self.out: dict[str, float] = {}
        self.swap_parameters(c)

    # -- parameters ------------------------------------------------------------------------
    def swap_parameters(self, c: CompiledScenario) -> None:
        """Derive the per-compile helper arrays (levels, masks) from ``c``."""
        if getattr(self, "view_inputs", None) is not None:
            # Freeze the last step's per-node view under the old parameters: the caches it
            # reads are rebuilt only by the next step, and node_state() may be asked before it.
            self.view()
        old_c = getattr(self, "c", None)
        if old_c is not None and old_c is not c:
            # Equipment that has arrived is booked at its capex when it arrives; an edit of its
            # count or price re-books it, so the investment reads what a fresh run of the
            # edited factory reads (the facility build-out below follows the edit too).
            arrived = self.arrived
            was = float(np.sum(old_c.count[arrived] * old_c.capex_per_unit_usd[arrived]))
            now = float(np.sum(c.count[arrived] * c.capex_per_unit_usd[arrived]))
            if now != was:
                self.acc["capex_usd"] += now - was
        self.c = c
        self.work.swap(c)
        kinds = c.node_kinds
        self.levels: list[tuple[npt.NDArray[np.intp], Any, Any, Any]] = []
        level_of = np.zeros(c.n_nodes, dtype=np.int64)
        for lvl, kind in enumerate(_LEVEL_KINDS, start=1):
            level_of[kinds == kind] = lvl
        for lvl in range(1, 4):
            emask = level_of[c.pw_src] == lvl if c.pw_src.size else np.zeros(0, dtype=bool)
            nodes = np.flatnonzero(level_of == lvl)
            self.levels.append((nodes, c.pw_src[emask], c.pw_dst[emask], c.pw_split[emask]))
        # The cooling plant's own path up the power chain: only these edges carry its load.
        # It is computed in a compact index space (the plant and its ancestors only).
        reach = np.zeros(c.n_nodes, dtype=bool)
        reach[c.cool_node] = True
        kept = []
        for _nodes, src, dst, split in self.levels:
            keep = reach[dst]
            reach[src[keep]] = True
            kept.append((src[keep], dst[keep], split[keep]))
        closure = np.flatnonzero(reach)
        loc = np.full(c.n_nodes, -1, dtype=np.int64)
        loc[closure] = np.arange(closure.size)
        self.cool_closure = closure
        self.cool_levels: list[tuple[npt.NDArray[np.intp], Any, Any, Any]] = [
            (loc[nodes[reach[nodes]]], loc[src], loc[dst], split)
            for (nodes, _s, _d, _w), (src, dst, split) in zip(self.levels, kept, strict=True)
        ]
        self.cool_eff = c.dist_eff[closure]
        self.cool_local = loc[c.cool_node]
        self.dist_nodes = np.flatnonzero(level_of > 0)
        in_closure = reach[self.dist_nodes]
        self.dist_cool_pos = np.flatnonzero(in_closure)
        self.dist_cool_loc = loc[self.dist_nodes[in_closure]]
        self.feed_cool_pos = np.flatnonzero(reach[c.feed_node])
        self.feed_cool_loc = loc[c.feed_node[reach[c.feed_node]]]
        ct = c.cool_type
        self.is_chiller = ct == COOLING_TYPES.index("chiller")
        self.has_chiller = bool(self.is_chiller.any())
        self.is_dry = ct == COOLING_TYPES.index("dry_cooler")
        self.is_tower = ct == COOLING_TYPES.index("cooling_tower")
        self.rej_idx = np.flatnonzero(self.is_dry | self.is_tower)
        self.is_liquid_col = (ct == COOLING_TYPES.index("cdu")) | (
            ct == COOLING_TYPES.index("immersion_tank")
        )
        tech_codes = [ROLES.index(r) for r in TECHNICIAN_ROLES]
        self.team_is_tech = np.isin(c.team_role, tech_codes)
        self.team_is_mlops = c.team_role == ROLES.index("mlops")
        self.team_is_research = c.team_role == ROLES.index("ml_research")
        self.se_tech = self.team_is_tech[c.se_team] if c.se_team.size else np.zeros(0, bool)
        self.supported = np.bincount(c.se_node[self.se_tech], minlength=c.n_nodes) > 0
        # Technician support edges grouped by node (CSR), so repairs touch only failed nodes.
        tech_node = c.se_node[self.se_tech]
        order = np.argsort(tech_node, kind="stable")
        self.te_team = c.se_team[self.se_tech][order]
        self.te_ptr = np.searchsorted(tech_node[order], np.arange(c.n_nodes + 1))
        self.has_support = np.bincount(c.se_node, minlength=c.n_nodes) > 0
        self.repair_h_eff = np.where(self.supported, c.repair_h, c.repair_h + rel.VENDOR_RESPONSE_H)
        self._repair_cache: tuple[Any, ...] | None = None
        self._auto_hit: npt.NDArray[np.intp] | None = None
        self._fail_total: tuple[Any, ...] | None = None
        self._covered_key: tuple[int, int] | None = None
        self._covered = np.zeros(0, dtype=bool)
        self.is_static = np.isin(kinds, ("network_switch", "storage"))
        self.is_dist = level_of > 0
        self.is_rack = np.zeros(c.n_nodes, dtype=bool)
        self.is_rack[c.rack_node] = True
        self.is_cool = np.zeros(c.n_nodes, dtype=bool)
        self.is_cool[c.cool_node] = True
        self.heat_cap_node = c.heat_cap_j_per_k * c.count[c.rack_node]
        self.facility_capex_usd = (
            c.facility_rated_it_kw * c.scenario.settings.facility_capex_usd_per_kw
        )
        orphan = c.is_collector & ~c.col_has_rejector
        self.orphan_factor = np.where(
            orphan,
            np.where(
                self.is_liquid_col, pw.IMPLICIT_DRY_COOLER_FRACTION, 1.0 / pw.IMPLICIT_AIR_PLANT_COP
            ),
            0.0,
        )
        self.root_w = (~c.has_power_parent).astype(np.float64)
        self.cool_root_w = self.root_w[self.cool_closure]
        self.cool_maps = self._cooling_maps(c)
        self.cop_now = c.cop.copy()
        self._fail_p: tuple[float, FloatArray] | None = None
        self._no_failures = np.zeros(c.n_nodes)
        self.next_arrival_s = 0.0
        self.any_auto_failed = True
        self.any_manual_failed = True
        self.cache = {}
        self.dirty = True

    def check_event(self, event: ScheduledEvent, where: str) -> None:
        """Raise ScenarioError if ``event`` cannot apply (unknown node, wrong kind)."""
        if event.kind not in _NODE_EVENT_KINDS:
            return
        kinds = {
            node_id: str(kind)
            for node_id, kind in zip(self.c.node_ids, self.c.node_kinds, strict=True)
        }
        problem = event_problem(event, kinds)
        if problem:
            raise ScenarioError([Problem(f"{where}.target", problem)])

    def apply_event(self, ev: ScheduledEvent, t: float) -> None:
        """Apply a scheduled or injected event now."""
        self.check_event(ev, "events")
        end = t + ev.duration_s if ev.duration_s > 0 else math.inf
        msg = f"{ev.kind} magnitude {ev.magnitude:g}"
        if ev.kind in ("fail_unit", "restore_unit"):
            i = self.c.index[ev.target]
            n_units = max(1.0, round(ev.magnitude))
            if ev.kind == "fail_unit":
                up = self._units_up()[i]
                self.injected_down[i] += min(n_units, up)
                kind = "cooling_failure" if self.is_cool[i] else "unit_failed"
                self.log(t, kind, ev.target, f"{min(n_units, up):g} unit(s) failed (injected)")
                if ev.duration_s > 0:
                    self.c_events_restore(ev, t + ev.duration_s)
            else:
                left = n_units
                self.any_auto_failed = self.any_manual_failed = True
                self._repair_cache = self._auto_hit = None
                for arr in (self.injected_down, self.failed_manual, self.failed_auto):
                    took = min(arr[i], left)
                    arr[i] -= took
                    left -= took
                self.log(t, "unit_repaired", ev.target, f"{n_units - left:g} unit(s) restored")
            self.dirty = True
        elif ev.kind == "price_spike":
            self.price_effects.append((end, ev.magnitude))
        elif ev.kind == "heat_wave":
            self.heat_effects.append((end, ev.magnitude))
        elif ev.kind == "staff_departure":
            k = int(np.flatnonzero(self.c.team_node == self.c.index[ev.target])[0])
            gone = min(self.headcount[k], max(0.0, round(ev.magnitude)))
            self._lose_staff(k, gone, t)
        self.log(t, "injected", ev.target, msg)

    def c_events_restore(self, ev: ScheduledEvent, at_s: float) -> None:
        """Queue the automatic restore of a timed ``fail_unit``."""
        self.timed_restores.append((at_s, ev.target, max(1.0, round(ev.magnitude))))

    # -- helpers ---------------------------------------------------------------------------
    def _units_up(self) -> FloatArray:
        present = np.where(self.arrived, self.c.count, 0.0)
        return np.maximum(present - self.failed_auto - self.failed_manual - self.injected_down, 0.0)

    def _lose_staff(self, k: int, gone: float, t: float) -> None:
        if gone <= 0:
            return
        self.headcount[k] -= gone
        self.acc["departures"] += gone
        self.hires.append((t + float(self.c.team_hiring_lead_s[k]), k, gone))
        self.log(t, "staff_left", self.c.node_ids[int(self.c.team_node[k])], f"{gone:g} left")
        self.dirty = True

    def view(self) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.int8]]:
        """(temp °C, power kW, utilization, status) per node, built once per step on demand."""
        if self._view is None or self.view_step != self.step_count:
            self._view = node_view(self)
            self.view_step = self.step_count
        return self._view

    def values(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(temp °C, power kW, utilization) per node: the view without status codes."""
        if self._view is not None and self.view_step == self.step_count:
            return self._view[0], self._view[1], self._view[2]
        return node_values(self)

    def node_state(self) -> dict[str, npt.NDArray[Any]]:
        c = self.c
        temp, power, util, status = self.view()
        failed = self.failed_auto + self.failed_manual + self.injected_down
        return {
            "temp_c": temp.copy(),
            "utilization": util.copy(),
            "power_kw": power.copy(),
            "status": status.copy(),
            "units_up": self._units_up(),
            "units_failed": np.minimum(failed, c.count),
        }

    def _cooling_maps(self, c: CompiledScenario) -> tuple[FloatArray, FloatArray] | None:
        """(input, output) kW per plant-closure node per kW of each cooling unit's load.

        The distribution chain is linear (``models/power.distribution_inputs``), so the
        cooling plant's part of it is a matrix; None when that matrix would be large.
        """
        n_k, n_cl = c.cool_node.shape[0], self.cool_closure.shape[0]
        if n_k * n_cl > COOLING_MAP_MAX_ENTRIES:
            return None
        m_in, m_out = np.zeros((n_cl, n_k)), np.zeros((n_cl, n_k))
        for k in range(n_k):
            unit = np.zeros(n_cl)
            unit[self.cool_local[k]] = 1.0
            m_in[:, k], m_out[:, k] = pw.distribution_inputs(unit, self.cool_levels, self.cool_eff)
        return m_in, m_out

    def condenser_mult(self) -> FloatArray:
        """Condenser heat per unit of heat of the unit served (1 + 1/COP for chillers, else 1)."""
        # Cached per COP array (the weather memo hands back the same array for the same
        # ambient); the heat and plant stages both ask for it every step.
        known = self.cache.get("condenser")
        if known is None or known[0] is not self.cop_now:
            known = (self.cop_now, np.where(self.is_chiller, 1.0 + 1.0 / self.cop_now, 1.0))
            self.cache["condenser"] = known
        out: FloatArray = known[1]
        return out

    def static_kw(self, up: FloatArray) -> FloatArray:
        """Switch and storage power per node for the units up (cached per availability)."""
        if self.cache.get("static_key") != self.avail_v:
            self.cache["static"] = self.c.static_power_kw * up
            self.cache["static_sum"] = float(self.cache["static"].sum())
            finite = np.where(np.isinf(self.c.dist_rating_kw), 0.0, self.c.dist_rating_kw)
            self.cache["rating_up"] = np.where(np.isinf(self.c.dist_rating_kw), np.inf, finite * up)
            self.cache["static_key"] = self.avail_v
        out: FloatArray = self.cache["static"]
        return out

    def rating_up(self, up: FloatArray) -> FloatArray:
        """Distribution ratings × units up (inf for nodes that are not PDU/UPS/feed)."""
        self.static_kw(up)
        out: FloatArray = self.cache["rating_up"]
        return out

    def capex_view(self) -> tuple[float, FloatArray, float, float]:
        """(arrived capex, arrived rack capex per rack, GPUs arrived, GPUs failed), cached."""
        if self.cache.get("capex_key") != self.avail_v:
            c = self.c
            rn = c.rack_node
            arrived_units = np.where(self.arrived, c.count, 0.0)
            down = np.minimum(self.failed_auto + self.failed_manual + self.injected_down, c.count)
            self.cache["capex"] = (
                float(arrived_units @ c.capex_per_unit_usd),
                arrived_units[rn] * c.capex_per_unit_usd[rn],
                float(arrived_units[rn] @ c.gpus_per_unit),
                float(down[rn] @ c.gpus_per_unit),
            )
            self.cache["capex_key"] = self.avail_v
        out: tuple[float, FloatArray, float, float] = self.cache["capex"]
        return out

    # -- one step --------------------------------------------------------------------------
    def advance(self, rng: np.random.Generator, t: float, dt: float) -> None:
        """Run one step from ``t`` to ``t + dt`` (order: see engine.py)."""
        c = self.c
        st = c.start_time + timedelta(seconds=t)
        hour, weekday = st.hour, st.weekday()
        hour_f = st.hour + st.minute / 60.0 + st.second / 3600.0
        amb = c.scenario.settings.ambient
        self.price_effects = [e for e in self.price_effects if e[0] > t]
        self.heat_effects = [e for e in self.heat_effects if e[0] > t]
        ambient = eco.ambient_c(amb.mean_c, amb.daily_amplitude_c, amb.peak_hour, hour_f)
        ambient += sum(k for _, k in self.heat_effects)
        price_mult = math.prod(m for _, m in self.price_effects)
        self._restore_due(t)
        self._arrivals(t)
        failures, any_failure = self._availability(rng, t, dt, hour, weekday)
        fresh = self.dirty or "up" not in self.cache
        up = self._units_up() if fresh else self.cache["up"]
        step_physics(self, t, dt, hour, ambient, price_mult, up, any_failure, failures)
        self._staff(rng, t, dt)
        self.acc["time_s"] = t + dt
        self.step_count += 1

    def _restore_due(self, t: float) -> None:
        keep = []
        for at_s, target, n_units in self.timed_restores:
            if at_s <= t:
                self.apply_event(
                    ScheduledEvent(
                        time_s=at_s, kind="restore_unit", target=target, magnitude=n_units
                    ),
                    t,
                )
            else:
                keep.append((at_s, target, n_units))
        self.timed_restores = keep

    def _arrivals(self, t: float) -> None:
        c = self.c
        if t < self.next_arrival_s:
            return
        pending = c.arrival_s[~self.arrived]
        later = pending[pending > t]
        self.next_arrival_s = float(later.min()) if later.size else math.inf
        new = np.flatnonzero(~self.arrived & (c.arrival_s <= t))
        if new.size == 0:
            return
        self.arrived[new] = True
        self.acc["capex_usd"] += float(np.sum(c.count[new] * c.capex_per_unit_usd[new]))
        for i in new:
            if c.arrival_s[i] > 0:
                self.log(t, "delivery_arrived", c.node_ids[i], f"{c.count[i]:g} unit(s) arrived")
        self.dirty = True

    def _availability(
        self, rng: np.random.Generator, t: float, dt: float, hour: int, weekday: int
    ) -> tuple[FloatArray, bool]:
        c = self.c
        if self._fail_p is None or self._fail_p[0] != dt:
            self._fail_p = (dt, -np.expm1(-c.fail_rate_per_unit_h * dt / 3600.0))
        up = self.cache["up"] if not self.dirty and "up" in self.cache else self._units_up()
        recovered = None
        if self.any_auto_failed:
            if self._auto_hit is None:
                self._auto_hit = np.flatnonzero(self.failed_auto > 0)
            recovered = rel.auto_recoveries(rng, self.failed_auto, dt, self._auto_hit)
        # Σ units × p only changes with the units up (a new array) or the step length.
        known = self._fail_total
        if known is None or known[0] is not up or known[1] is not self._fail_p:
            known = self._fail_total = (up, self._fail_p, float(up @ self._fail_p[1]))
        failures = rel.draw_failures(rng, up, self._fail_p[1], known[2])
        any_failure = failures is not None
        repaired = False
        if failures is not None:
            has_mlops = bool(np.any(self.team_is_mlops & (self.headcount > 0)))
            rate = c.scenario.settings.automation_level if has_mlops else 0.0
            auto, manual = rel.split_automated(rng, failures, rate)
            self.failed_auto += auto
            self.failed_manual += manual
            self._repair_cache = self._auto_hit = None
            self.acc["incidents"] += float(failures.sum())
            self.acc["incidents_auto"] += float(auto.sum())
            for i in np.flatnonzero(failures):
                kind = "cooling_failure" if self.is_cool[i] else "unit_failed"
                self.log(t, kind, c.node_ids[i], f"{failures[i]:g} unit(s) failed")
        if recovered is not None and recovered.any():
            self.failed_auto -= recovered
            self._auto_hit = None
            repaired = True
            for i in np.flatnonzero(recovered):
                self.log(t, "unit_repaired", c.node_ids[i], f"{recovered[i]:g} back (automated)")
        if self.any_manual_failed:
            if self._covered_key != (hour, weekday):
                self._covered = np.asarray(
                    [stf.covered(cv, hour, weekday) for cv in c.team_coverage], dtype=bool
                )
                self._covered_key = (hour, weekday)
            hours = stf.technician_hours(
                self.headcount, c.team_on_shift_fraction, self._covered, self.team_is_tech,
                dt / 3600.0,
            )  # fmt: skip
            nodes, te_team, local, supported, repair_h, tech = self._repair_queue()
            manual = self.failed_manual[nodes]
            work_h = rel.technician_work_h(
                manual, supported, hours, te_team, local, tech, dt / 3600.0
            )
            done, self.repair_progress_h[nodes] = rel.repairs_done(
                manual, self.repair_progress_h[nodes], work_h, repair_h
            )
            if done.any():
                self.failed_manual[nodes] -= done
                self._repair_cache = None
                repaired = True
                for pos in np.flatnonzero(done):
                    node = int(nodes[pos])
                    self.log(t, "unit_repaired", c.node_ids[node], f"{done[pos]:g} repaired")
        if any_failure or repaired:
            self.dirty = True
            self.any_auto_failed = bool(self.failed_auto.any())
            self.any_manual_failed = bool(self.failed_manual.any())
        return (failures if failures is not None else self._no_failures), any_failure

    def _repair_queue(self) -> tuple[Any, ...]:
        """Nodes waiting for a technician and their support edges (cached until it changes).

        Invalidated by failures, completed repairs, restores and a parameter swap.
        """
        if self._repair_cache is None:
            nodes = np.flatnonzero(self.failed_manual)
            spans = [np.arange(self.te_ptr[i], self.te_ptr[i + 1]) for i in nodes]
            edges = np.concatenate(spans) if spans else np.zeros(0, dtype=np.int64)
            local = np.repeat(np.arange(nodes.size), [span.size for span in spans])
            self._repair_cache = (
                nodes, self.te_team[edges], local, self.supported[nodes],
                self.repair_h_eff[nodes], np.ones(edges.size, dtype=bool),
            )  # fmt: skip
        return self._repair_cache

    def _staff(self, rng: np.random.Generator, t: float, dt: float) -> None:
        c = self.c
        gone = stf.departures(rng, self.headcount, c.team_attrition_per_s, dt)
        if gone is not None:
            for k in np.flatnonzero(gone):
                self._lose_staff(int(k), float(gone[k]), t)
        if self.hires:
            arrived = [h for h in self.hires if h[0] <= t + dt]
            if arrived:
                for _, team, n_people in arrived:
                    self.headcount[team] += n_people
                self.hires = [h for h in self.hires if h[0] > t + dt]
                self.dirty = True
        for j in self.work.take_finished():
            researchers = float(self.headcount[self.team_is_research].sum())
            if researchers > 0:
                self.launch_times.append(self.work.finish_s[j] + stf.launch_lag_s(researchers))
