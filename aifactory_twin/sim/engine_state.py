"""The engine's state: one object per stage (``sim/stages``) and the order that runs them.

``EngineState.advance`` is one step; it is the only place that knows the order and passes one
stage's results to the next (stages never call each other's step functions). What it owns
itself is what spans stages: the conditions in force (price spikes, heat waves), the events
that touch several stages, and the per-node view of the last step.

Where state lives (see each stage's module doc):
``availability`` units present/failed/repaired · ``work`` placement, fabric, jobs ·
``it_power`` rack power · ``thermal`` temperatures, status, COP · ``power`` supply caps,
plant and distribution · ``ledger`` money, KPI totals, recorded outputs · ``staff``
headcount, hires · ``lifecycle`` evaluation, review and launch of finished runs, drift and the
retraining jobs it submits (into ``work.submits``) · ``nodes`` the
per-node view · ``seasons`` monthly totals, free cooling, water.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.schema import ScheduledEvent
from aifactory_twin.sim.compile.nodes import SupplyWindow, with_supply_disruptions
from aifactory_twin.sim.compiled import CompiledScenario, event_problem
from aifactory_twin.sim.models import economics as eco
from aifactory_twin.sim.models import thermal as th
from aifactory_twin.sim.models.compute import Placement
from aifactory_twin.sim.stages.accounts import Accounts
from aifactory_twin.sim.stages.availability import Availability
from aifactory_twin.sim.stages.handoff import (
    FloatArray,
    HeatBlock,
    LogFn,
    PlantBlock,
    RackBlock,
    ViewInputs,
)
from aifactory_twin.sim.stages.it_power import ItPower
from aifactory_twin.sim.stages.ledger import Ledger
from aifactory_twin.sim.stages.lifecycle import Lifecycle
from aifactory_twin.sim.stages.power import PlantInputs, Power
from aifactory_twin.sim.stages.seasons import Seasons
from aifactory_twin.sim.stages.staff import Staff
from aifactory_twin.sim.stages.thermal import Thermal
from aifactory_twin.sim.stages.view import NodeView
from aifactory_twin.sim.stages.work import Work

_NODE_EVENT_KINDS = frozenset({"fail_unit", "restore_unit", "staff_departure", "supply_disruption"})
NodeArrays = tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.int8]]


class ClockHour(NamedTuple):
    """The clock hour a step starts in, and what holds through it (``EngineState.clock_hour``)."""

    start_s: float
    """The hour's start, s since the run's start."""
    end_s: float
    """The next hour's start less a microsecond (datetimes round to the microsecond)."""
    hour: int
    weekday: int
    year_month: tuple[int, int]
    outdoor: tuple[float, float]
    """(dry bulb, wet bulb) °C before heat waves: the value at the hour's start."""
    next_s: float
    """The next hour's start, s since the run's start."""
    of_year_s: float
    """The hour's start, s since its year's start (where the weather table is read)."""


class EngineState:
    """The stages of a run and the step that drives them."""

    def __init__(self, c: CompiledScenario, log: LogFn) -> None:
        self.c = c
        self.log = log
        self.staff = Staff(c, log)
        self.lifecycle = Lifecycle(c, log)
        self.availability = Availability(c, log)
        self.work = Work(c, log)
        self.it_power = ItPower(c)
        self.thermal = Thermal(c, log)
        self.power = Power(c, log)
        tj_c = self.thermal.tj_c
        self.ledger = Ledger(c, float(np.max(tj_c)) if tj_c.size else 0.0)
        self.accounts = Accounts(c)
        self.nodes = NodeView(c)
        self.seasons = Seasons(c)
        self.outdoor = (0.0, 0.0)
        """(dry bulb, wet bulb) °C of the last step."""
        self.price_effects: list[tuple[float, float]] = []
        """Price spikes in force: (end s, multiplier)."""
        self.heat_effects: list[tuple[float, float]] = []
        """Heat waves in force: (end s, kelvin added to the ambient)."""
        self.supply_windows: list[SupplyWindow] = []
        """Supply disruptions injected so far: (vendor id, start s, end s); they outlive a swap
        of parameters, so the pending deliveries stay replanned around them."""
        self.view_inputs: ViewInputs | None = None
        self.step_count = 0
        self.step_t = 0.0
        """Start of the last step, s."""
        self._clock: ClockHour | None = None
        self._shutdown_any: tuple[npt.NDArray[np.bool_], bool] | None = None
        self.next_after: dict[int, tuple[FloatArray, float, float]] = {}
        """Per compiled time array: (it, from s, its first time after that), ``sim/quiet.py``."""
        self._view: NodeArrays | None = None
        self._view_step = -1

    # -- parameters ------------------------------------------------------------------------
    def swap_parameters(self, c: CompiledScenario) -> None:
        """Take the parameter vectors of ``c`` (same topology); every stage resets its cache."""
        if self.view_inputs is not None:
            # Freeze the last step's per-node view under the old parameters: the caches it
            # reads are rebuilt only by the next step, and node_state() may be asked before it.
            self.view()
        c = with_supply_disruptions(c, self.supply_windows, self.availability.arrived)
        if self.c is not c:
            self.ledger.rebook_capex(self.c, c, self.availability.arrived)
        self.c = c
        self._clock = None
        self.next_after = {}
        self.staff.swap(c)
        self.lifecycle.swap(c)
        self.availability.swap(c)
        self.work.swap(c)
        self.it_power.swap(c)
        self.thermal.swap(c)
        self.power.swap(c)
        self.ledger.swap(c)
        self.accounts.swap(c)
        self.nodes.swap(c)
        self.seasons.swap(c)

    # -- events ----------------------------------------------------------------------------
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
        av = self.availability
        if ev.kind in ("fail_unit", "restore_unit"):
            i = self.c.index[ev.target]
            n_units = max(1.0, round(ev.magnitude))
            if ev.kind == "fail_unit":
                av.fail_units(i, n_units, t, ev.target)
                if ev.duration_s > 0:
                    av.timed_restores.append((t + ev.duration_s, ev.target, n_units))
            else:
                av.restore_units(i, n_units, t, ev.target)
        elif ev.kind == "price_spike":
            self.price_effects.append((end, ev.magnitude))
        elif ev.kind == "heat_wave":
            self.heat_effects.append((end, ev.magnitude))
        elif ev.kind == "staff_departure" and self.staff.depart(
            self.c.index[ev.target], ev.magnitude, t
        ):
            av.dirty = True
        elif ev.kind == "supply_disruption":
            msg = self._disrupt_supply(ev.target, t, end)
        self.log(t, "injected", ev.target, msg)

    def _disrupt_supply(self, vendor: str, t: float, end_s: float) -> str:
        """Hold ``vendor``'s shipments from ``t`` to ``end_s``: replan the pending deliveries."""
        before = self.c.nodes.arrival_s
        self.supply_windows.append((vendor, t, end_s))
        self.swap_parameters(self.c)
        later = np.flatnonzero(self.c.nodes.arrival_s > before)
        self.availability.next_arrival_s = t  # rescan the pending deliveries at the next step
        days = (end_s - t) / 86400.0
        return f"supply disruption for {days:g} d: {later.size} pending deliveries delayed"

    def _restore_due(self, t: float) -> None:
        for at_s, target, n_units in self.availability.restores_due(t):
            restore = ScheduledEvent(
                time_s=at_s, kind="restore_unit", target=target, magnitude=n_units
            )
            self.apply_event(restore, t)

    def new_shutdown_any(self) -> bool:
        """Whether a rack shut down in the last step.

        Kept per read-only array: the thermal stage replaces it, never edits it.
        """
        flags = self.thermal.new_shutdown
        known = self._shutdown_any
        if known is None or known[0] is not flags or flags.flags.writeable:
            known = self._shutdown_any = (flags, bool(flags.any()))
        return known[1]

    # -- one step --------------------------------------------------------------------------
    def clock_hour(self, t: float) -> ClockHour:
        """The clock hour of ``t`` s since the start: computed once, kept while ``t`` is in it.

        A ``t`` in [start, end) lies in the same hour as ``start_time + timedelta(seconds=t)``
        (its rounding to the microsecond cannot reach the next hour's start).
        """
        known = self._clock
        if known is not None:
            if known.start_s <= t < known.end_s:
                return known
            if known.hour < 23 and self.c.start_time.microsecond == 0:
                # The next hour of the same day: whole seconds since the start (exact floats),
                # the same calendar day, the weather table an hour further.
                after_s = known.next_s + 3600.0
                if known.next_s <= t < after_s - 1e-6:
                    of_year_s = known.of_year_s + 3600.0
                    known = self._clock = known._replace(
                        start_s=known.next_s, end_s=after_s - 1e-6, hour=known.hour + 1,
                        outdoor=self._outdoor(known.hour + 1, of_year_s), next_s=after_s,
                        of_year_s=of_year_s,
                    )  # fmt: skip
                    return known
        c = self.c
        st = c.start_time + timedelta(seconds=t)
        start = st.replace(minute=0, second=0, microsecond=0)
        next_s = (start + timedelta(hours=1) - c.start_time).total_seconds()
        of_year_s = (start - start.replace(month=1, day=1, hour=0)).total_seconds()
        known = self._clock = ClockHour(
            (start - c.start_time).total_seconds(), next_s - 1e-6, st.hour, st.weekday(),
            (st.year, st.month), self._outdoor(st.hour, of_year_s), next_s, of_year_s,
        )  # fmt: skip
        return known

    def _outdoor(self, hour: int, of_year_s: float) -> tuple[float, float]:
        """(dry bulb, wet bulb) °C at the start of a clock hour, before heat waves.

        The outdoor air holds its value through each clock hour (its value at the hour's
        start), as hourly weather data does: between hour boundaries nothing outside moves,
        which lets the engine repeat quiet steps in one call (``sim/quiet.py``). Without a
        weather table the wet bulb follows the dry bulb in ``advance`` (NaN here).
        """
        c = self.c
        if c.weather is None:
            amb = c.scenario.settings.ambient
            dry = eco.ambient_c(amb.mean_c, amb.daily_amplitude_c, amb.peak_hour, float(hour))
            return dry, math.nan
        return c.weather.at(of_year_s)

    def advance(self, rng: np.random.Generator, t: float, dt: float) -> None:
        """Run one step from ``t`` to ``t + dt``: the stages in the order of the module doc."""
        c = self.c
        settings = c.scenario.settings
        clock = self.clock_hour(t)
        hour, weekday = clock.hour, clock.weekday
        if self.price_effects:
            self.price_effects = [e for e in self.price_effects if e[0] > t]
        if self.heat_effects:
            self.heat_effects = [e for e in self.heat_effects if e[0] > t]
        ambient, wet_bulb = clock.outdoor
        if c.weather is None:
            ambient += sum(k for _, k in self.heat_effects)
            wet_bulb = ambient - th.WET_BULB_DEPRESSION_K
        else:
            # A heat wave lifts the whole air mass: dry and wet bulb alike (simplification).
            heat_k = sum(k for _, k in self.heat_effects)
            ambient += heat_k
            wet_bulb += heat_k
        self.outdoor = (ambient, wet_bulb)
        price_mult = math.prod(m for _, m in self.price_effects)
        av, staff, work = self.availability, self.staff, self.work
        thermal, power, ledger = self.thermal, self.power, self.ledger
        # 1. availability
        if av.timed_restores:
            self._restore_due(t)
        capex_usd = av.arrivals(t)
        if capex_usd is not None:
            ledger.acc["capex_usd"] += capex_usd
        failures, any_failure = av.step(rng, t, dt, hour, weekday, staff, settings.automation_level)
        up = av.settle()
        # 2. work: capacity, interruptions, placement, fabric
        versions = (av.version, thermal.version, power.version)
        cap = work.capacity(up, versions, staff.headcount, thermal.status, power.supply_factor)
        # Racks whose power path was lost in the last step stop like failed ones.
        lost = power.take_lost()
        if work.placement is not None and (
            any_failure or self.new_shutdown_any() or lost is not None
        ):
            hit = (failures[c.racks.node] > 0) | thermal.new_shutdown
            work.interrupt(t, hit if lost is None else hit | lost[c.racks.node])
            thermal.clear_new_shutdown()
        inf_demand = work.place(t, hour, cap)
        # 3. rack power
        rb = self.it_power.racks(
            dt, work, cap, inf_demand, (thermal.version, power.version), thermal.status,
            thermal.derate, power.supply_factor,
        )  # fmt: skip
        # 4. thermal
        cap_w = thermal.capacity_w(
            ambient, wet_bulb, up, av.version, (power.supply_factor, power.version)
        )
        hb = thermal.heat(t, dt, rb, cap, cap_w)
        # 5. power: plant, distribution, supply caps (they act on the next step)
        weather = thermal.weather_now
        assert weather is not None
        mech = weather.economizer.mechanical if weather.economizer is not None else None
        inputs = PlantInputs(
            t, dt, up, av.version, rb, hb, thermal.cop_now, thermal.condenser_mult, cap_w, mech
        )
        pb = power.plant(inputs)
        # 2b. work progress, then 6. the ledger
        pl = work.placement
        assert pl is not None
        work.sched.account(dt, pl, work.version)
        flops_s, tokens_s, _ = work.jobs.advance(
            t, dt, pl, rb.slow, work.rack_bw, work.rack_bw_local, work.rack_store_per_gpu,
            inf_demand, self.log, (work.version, self.it_power.pace_version, work.rates_version),
            rb.inf_slow,
        )  # fmt: skip
        # With compliance of the regulated datasets held (models/launch.py).
        ledger.book(
            t, dt, hour, ambient, price_mult, av, staff.headcount, pl, work.version, cap,
            thermal.tj_c, rb, hb, pb, cap_w, flops_s, tokens_s, work.jobs.egress_usd_per_s,
            eco.pro_rata_usd(self.lifecycle.compliance_usd_per_year, dt),
        )  # fmt: skip
        ledger.out["queue_length"] = float(work.sched.queue_length)
        # Live queue chart (issue 12): training jobs holding accelerators, and the site's
        # accelerators held by any workload (allocation; the cloud has its own series).
        running = work.sched.running & ~work.jobs.completed
        ledger.out["jobs_running"] = float(np.count_nonzero(running))
        ledger.out["gpus_allocated"] = rb.allocated
        econ = weather.economizer
        self.seasons.book(
            clock.year_month, dt, self.outdoor, pb, weather.free_share,
            econ.water_l_per_kwh if econ is not None else None,
        )  # fmt: skip
        self._book_accounts(dt, rb, hb, pb, pl)
        base = power.cache.base
        assert base is not None
        self.view_inputs = ViewInputs(
            up, rb.busy, pb.cool_kw, pb.cool_in, cap_w, pb.unit_heat_kw, thermal.tj_c,
            base.load_kw, base.dist_in, pb.dist_extra_in, power.cool_closure, power.dist_nodes,
            cap.unstaffed,
        )  # fmt: skip
        # 7. staff, then 8. the launch pipeline of the runs that finished (teams as they are now)
        if staff.step(rng, t, dt):
            av.dirty = True
        finished = work.jobs.take_finished()
        watched = finished and c.workloads.retrain is not None
        submits = self.lifecycle.step(
            t, dt, finished, work.jobs.finish_s, staff.effective(), rng,
            av.gpus_arrived() if watched else 0.0,
        )  # fmt: skip
        # Drift monitoring's retraining jobs enter the queue at their detection time.
        for j, at_s in submits:
            work.submits.submit(j, at_s)
        ledger.acc["time_s"] = t + dt
        self.step_count += 1
        self.step_t = t

    def _book_accounts(
        self, dt: float, rb: RackBlock, hb: HeatBlock, pb: PlantBlock, pl: Placement
    ) -> None:
        """Per-workload energy, carbon and cost of the step the ledger has just booked."""
        ledger = self.ledger
        grid = ledger.grid
        assert grid is not None
        static = self.power.cache
        assert static.static_kw is not None
        self.accounts.book(
            dt, rb, hb, pb, pl, static.static_sum_kw, grid, ledger.step_fixed_usd,
            static.static_kw,
        )  # fmt: skip

    # -- per-node view -----------------------------------------------------------------------
    def view(self) -> NodeArrays:
        """(temp °C, power kW, utilization, status) per node, built once per step on demand."""
        if self._view is None or self._view_step != self.step_count:
            self._view = self.nodes.view(
                self.view_inputs, self.availability.arrived, self.thermal.status,
                self.staff.headcount,
            )  # fmt: skip
            self._view_step = self.step_count
        return self._view

    def values(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(temp °C, power kW, utilization) per node: the view without status codes."""
        if self._view is not None and self._view_step == self.step_count:
            return self._view[0], self._view[1], self._view[2]
        return self.nodes.values(self.view_inputs)

    def node_state(self) -> dict[str, npt.NDArray[Any]]:
        """Current per-node arrays; copies, safe to keep."""
        temp, power, util, status = self.view()
        av = self.availability
        return {
            "temp_c": temp.copy(),
            "utilization": util.copy(),
            "power_kw": power.copy(),
            "status": status.copy(),
            "units_up": av.units_up().copy(),
            "units_failed": av.units_failed(),
        }
