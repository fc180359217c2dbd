"""Availability stage: which units are present, failed, being repaired or restored.

Owns per node: ``arrived``, ``failed_auto`` (waiting for automated recovery), ``failed_manual``
(waiting for a technician), ``injected_down`` (failed by an event), ``repair_progress_h``; the
timed restores of events; and the availability ``version``, bumped once per step in which any
of them (or the staff) changed — every downstream cache that depends on units up keys on it.
Hands out ``up()`` (units up per node, read-only, a new array after each change).
Formulas: ``models/reliability.py``, ``models/supply.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from aifactory_twin.sim.compiled import CompiledScenario
from aifactory_twin.sim.models import mlops
from aifactory_twin.sim.models import reliability as rel
from aifactory_twin.sim.models import supply as sup
from aifactory_twin.sim.models.sequential import repeated_sums
from aifactory_twin.sim.stages.handoff import FloatArray, LogFn, frozen, read_only
from aifactory_twin.sim.stages.staff import Staff


@dataclass
class AvailabilityCache:
    """Derived values reused between steps (reset by a parameter swap)."""

    up: FloatArray | None = None
    """Units up as of the last version bump (read-only)."""
    fail_p: tuple[float, FloatArray] | None = None
    """(dt, failure probability per unit over dt)."""
    fail_total: tuple[Any, ...] | None = None
    """(up, fail_p, Σ up × p): the expected failures, per ``up`` and ``fail_p`` object."""
    auto_hit: npt.NDArray[np.intp] | None = None
    """Nodes with units waiting for automated recovery."""
    repair_queue: tuple[Any, ...] | None = None
    """Nodes waiting for a technician and their support edges (``_repair_queue``)."""
    gpus_arrived: tuple[int, float] | None = None
    """(arrival version, accelerators delivered to the racks then)."""


class Availability:
    """Units present and failed per node, and the failure/repair step."""

    def __init__(self, c: CompiledScenario, log: LogFn) -> None:
        n = c.n_nodes
        self.log = log
        self._arrived = np.zeros(n, dtype=bool)
        self.arrived = read_only(self._arrived)
        """Per node: its units have been delivered (read-only view)."""
        self.failed_auto = np.zeros(n)
        self.failed_manual = np.zeros(n)
        self.repair_progress_h = np.zeros(n)
        self.injected_down = np.zeros(n)
        self.timed_restores: list[tuple[float, str, float]] = []
        """Restores of timed ``fail_unit`` events: (time s, target id, units)."""
        self.incidents = 0.0
        self.incidents_auto = 0.0
        self.version = 0
        self.arrived_version = 0
        """Bumped by each delivery (``arrived`` changed); ``version`` covers it too."""
        self.dirty = True
        self._quiet: tuple[npt.NDArray[np.intp], FloatArray] | None = None
        """(nodes waiting for a technician, their repair progress per step) of a stretch."""
        self.swap(c)

    def swap(self, c: CompiledScenario) -> None:
        """Take the parameters of ``c`` (same nodes)."""
        self.c = c
        self.se_tech = (
            c.staff.is_technician[c.staff.support_team_index]
            if c.staff.support_team_index.size
            else np.zeros(0, bool)
        )
        self.supported = np.bincount(c.staff.support_node[self.se_tech], minlength=c.n_nodes) > 0
        # Technician support edges grouped by node (CSR), so repairs touch only failed nodes.
        tech_node = c.staff.support_node[self.se_tech]
        order = np.argsort(tech_node, kind="stable")
        self.te_team = c.staff.support_team_index[self.se_tech][order]
        self.te_ptr = np.searchsorted(tech_node[order], np.arange(c.n_nodes + 1))
        # Technicians based elsewhere travel to the node's site first (``compile/sites.py``).
        repair_h = (
            c.nodes.repair_h if c.nodes.travel_h is None else c.nodes.repair_h + c.nodes.travel_h
        )
        self.repair_h_eff = np.where(
            self.supported, repair_h, c.nodes.repair_h + rel.VENDOR_RESPONSE_H
        )
        self.is_cool = np.zeros(c.n_nodes, dtype=bool)
        self.is_cool[c.plant.unit_node] = True
        self._no_failures = frozen(np.zeros(c.n_nodes))
        self.next_arrival_s = 0.0
        self.any_auto_failed = True
        self.any_manual_failed = True
        self.cache = AvailabilityCache()
        self.dirty = True

    # -- read ------------------------------------------------------------------------------
    def units_up(self) -> FloatArray:
        """Units present and not failed, per node (a new read-only array)."""
        present = np.where(self.arrived, self.c.nodes.count, 0.0)
        failed = self.failed_auto + self.failed_manual + self.injected_down
        return frozen(np.maximum(present - failed, 0.0))

    def up(self) -> FloatArray:
        """Units up now: the array of the last version while nothing changed, else a new one."""
        known = self.cache.up
        if self.dirty or known is None:
            return self.units_up()
        return known

    def gpus_arrived(self) -> float:
        """Accelerators delivered to the racks so far (failed or not)."""
        memo = self.cache
        if memo.gpus_arrived is None or memo.gpus_arrived[0] != self.arrived_version:
            c = self.c
            present = np.where(self.arrived, c.nodes.count, 0.0)
            gpus = float(present[c.racks.node] @ c.racks.gpus_per_unit)
            memo.gpus_arrived = (self.arrived_version, gpus)
        return memo.gpus_arrived[1]

    def settle(self) -> FloatArray:
        """Close the availability part of a step: units up now, version bumped on a change."""
        known = self.cache.up
        if self.dirty or known is None:
            known = self.cache.up = self.units_up()
            if self.dirty:
                self.version += 1
                self.dirty = False
        return known

    def units_failed(self) -> FloatArray:
        """Units failed per node (capped at the count)."""
        failed = self.failed_auto + self.failed_manual + self.injected_down
        return np.minimum(failed, self.c.nodes.count)

    # -- events ----------------------------------------------------------------------------
    def fail_units(self, i: int, n_units: float, t: float, target: str) -> None:
        """An injected failure of up to ``n_units`` units of node ``i``."""
        up = self.units_up()[i]
        self.injected_down[i] += min(n_units, up)
        kind = "cooling_failure" if self.is_cool[i] else "unit_failed"
        self.log(t, kind, target, f"{min(n_units, up):g} unit(s) failed (injected)")
        self.dirty = True

    def restore_units(self, i: int, n_units: float, t: float, target: str) -> None:
        """Bring back up to ``n_units`` failed units of node ``i`` (injected first)."""
        left = n_units
        self.any_auto_failed = self.any_manual_failed = True
        self.cache.repair_queue = self.cache.auto_hit = None
        for arr in (self.injected_down, self.failed_manual, self.failed_auto):
            took = min(arr[i], left)
            arr[i] -= took
            left -= took
        self.log(t, "unit_repaired", target, f"{n_units - left:g} unit(s) restored")
        self.dirty = True

    def restores_due(self, t: float) -> list[tuple[float, str, float]]:
        """Take the timed restores due at ``t``: (time s, target, units)."""
        due = [r for r in self.timed_restores if r[0] <= t]
        if due:
            self.timed_restores = [r for r in self.timed_restores if r[0] > t]
        return due

    # -- one step --------------------------------------------------------------------------
    def arrivals(self, t: float) -> float | None:
        """Mark deliveries due by ``t`` as arrived; the capex they cost (None if none arrived)."""
        c = self.c
        if t < self.next_arrival_s:
            return None
        pending = c.nodes.arrival_s[~self.arrived]
        later = pending[pending > t]
        self.next_arrival_s = float(later.min()) if later.size else math.inf
        new = np.flatnonzero(~self.arrived & (c.nodes.arrival_s <= t))
        if new.size == 0:
            return None
        self._arrived[new] = True
        self.arrived_version += 1
        capex_usd = sup.capex_due_usd(c.nodes.count, c.nodes.capex_per_unit_usd, new)
        for i in new:
            if c.nodes.arrival_s[i] > 0:
                self.log(
                    t, "delivery_arrived", c.node_ids[i], f"{c.nodes.count[i]:g} unit(s) arrived"
                )
        self.dirty = True
        return capex_usd

    def step(
        self,
        rng: np.random.Generator,
        t: float,
        dt: float,
        hour: int,
        weekday: int,
        staff: Staff,
        automation_level: float,
    ) -> tuple[FloatArray, bool]:
        """Automated recoveries, new failures, technician repairs: (failures per node, any)."""
        c = self.c
        memo = self.cache
        if memo.fail_p is None or memo.fail_p[0] != dt:
            memo.fail_p = (dt, frozen(-np.expm1(-c.nodes.fail_rate_per_unit_h * dt / 3600.0)))
        up = memo.up if memo.up is not None and not self.dirty else self.units_up()
        recovered = None
        if self.any_auto_failed:
            if memo.auto_hit is None:
                memo.auto_hit = np.flatnonzero(self.failed_auto > 0)
            recovered = rel.auto_recoveries(rng, self.failed_auto, dt, memo.auto_hit)
        # Σ units × p only changes with the units up (a new array) or the step length.
        known = memo.fail_total
        if known is None or known[0] is not up or known[1] is not memo.fail_p:
            known = memo.fail_total = (up, memo.fail_p, float(up @ memo.fail_p[1]))
        failures = rel.draw_failures(rng, up, memo.fail_p[1], known[2])
        any_failure = failures is not None
        repaired = False
        if failures is not None:
            # Automation covers the fleet only as far as the MLOps team stretches (models/mlops).
            gpus = self.gpus_arrived()
            mlops_people = float(staff.headcount[c.staff.is_mlops].sum())
            rate = mlops.incident_automation_rate(automation_level, mlops_people, gpus)
            auto, manual = rel.split_automated(rng, failures, rate)
            self.failed_auto += auto
            self.failed_manual += manual
            memo.repair_queue = memo.auto_hit = None
            self.incidents += float(failures.sum())
            self.incidents_auto += float(auto.sum())
            if self.te_team.size and manual.any():
                staff.add_repair_load(self._team_repair_h(manual, staff.load_h.size), t)
            for i in np.flatnonzero(failures):
                kind = "cooling_failure" if self.is_cool[i] else "unit_failed"
                self.log(t, kind, c.node_ids[i], f"{failures[i]:g} unit(s) failed")
        if recovered is not None and recovered.any():
            self.failed_auto -= recovered
            memo.auto_hit = None
            repaired = True
            for i in np.flatnonzero(recovered):
                self.log(t, "unit_repaired", c.node_ids[i], f"{recovered[i]:g} back (automated)")
        if self.any_manual_failed and self._repairs(
            t, dt, staff.technician_hours(hour, weekday, dt / 3600.0)
        ):
            repaired = True
        if any_failure or repaired:
            self.dirty = True
            self.any_auto_failed = bool(self.failed_auto.any())
            self.any_manual_failed = bool(self.failed_manual.any())
        return (failures if failures is not None else self._no_failures), any_failure

    # -- quiet stretches (sim/quiet.py) ------------------------------------------------------
    def failure_mean(self) -> float:
        """Expected unit failures in a step now (the Poisson mean ``step`` draws)."""
        known = self.cache.fail_total
        assert known is not None
        return float(known[2])

    def recovery_zero(self, dt: float) -> list[float]:
        """Per node waiting for automated recovery: the largest double that draws none back.

        numpy draws a binomial(n, p) with p ≤ 0.5 and n·p ≤ 30 by inversion: 0 iff the first
        double U ≤ (1 − p)^n = exp(n·log(1 − p)). Raises ``ValueError`` outside that range.
        """
        if not self.any_auto_failed:
            return []
        hit = self.cache.auto_hit
        if hit is None:
            hit = self.cache.auto_hit = np.flatnonzero(self.failed_auto > 0)
        p = float(-np.expm1(-dt / rel.AUTO_RECOVERY_S))
        out = []
        for n in self.failed_auto[hit].astype(np.int64).tolist():
            if not (0.0 < p <= 0.5 and n * p <= 30.0):
                raise ValueError("automated recoveries are not drawn by inversion")
            out.append(math.exp(n * math.log(1.0 - p)))
        return out

    def quiet_steps(
        self, k: int, dt: float, hours: Callable[[int], FloatArray], hours_move: bool
    ) -> int:
        """How many of the next ``k`` steps change nothing here but repair progress.

        None may bring a unit back: automated recoveries draw every step (never quiet), and a
        technician repair that completes ends the stretch. ``hours(i)``: technician hours per
        team in the stretch's step ``i`` (0-based). They grow while hires ramp up
        (``hours_move``): then the repair work per step is checked at the stretch's last step
        too, and the stretch is halved until it is the same (the work only grows with the
        hours, so it is then the same at every step between).
        """
        self._quiet = None
        if self.dirty:
            return 0
        if not self.any_manual_failed:
            return k
        nodes, te_team, local, supported, repair_h, tech = self._repair_queue()
        if not nodes.size:
            return k
        manual = self.failed_manual[nodes]
        dt_h = dt / 3600.0
        work_h = rel.technician_work_h(manual, supported, hours(0), te_team, local, tech, dt_h)
        while hours_move and k > 1:
            last = rel.technician_work_h(
                manual, supported, hours(k - 1), te_team, local, tech, dt_h
            )
            if np.array_equal(last, work_h):
                break
            k //= 2
        progress = repeated_sums(self.repair_progress_h[nodes], work_h, k)
        done = np.minimum(manual, np.floor(progress / repair_h + 1e-9)) != 0
        stop = done.any(axis=1)
        n = int(np.argmax(stop)) if stop.any() else k
        self._quiet = (nodes, progress)
        return n

    def repeat(self, k: int) -> None:
        """Add ``k`` quiet steps of repair progress (``quiet_steps`` allowed at least ``k``)."""
        if self._quiet is not None:
            nodes, progress = self._quiet
            self.repair_progress_h[nodes] = progress[k - 1]
            self._quiet = None

    def _team_repair_h(self, manual: FloatArray, n_teams: int) -> FloatArray:
        """Hands-on hours ``manual`` new incidents ask of each technician team.

        Split evenly among the teams supporting a node; vendor break-fix asks nothing of them.
        """
        out = np.zeros(n_teams)
        for i in np.flatnonzero(manual):
            teams = self.te_team[self.te_ptr[i] : self.te_ptr[i + 1]]
            if teams.size:
                np.add.at(out, teams, manual[i] * self.repair_h_eff[i] / teams.size)
        return out

    def _repairs(self, t: float, dt: float, hours: FloatArray) -> bool:
        """Technician repairs of the manual failures; True if any unit came back."""
        nodes, te_team, local, supported, repair_h, tech = self._repair_queue()
        manual = self.failed_manual[nodes]
        work_h = rel.technician_work_h(manual, supported, hours, te_team, local, tech, dt / 3600.0)
        done, self.repair_progress_h[nodes] = rel.repairs_done(
            manual, self.repair_progress_h[nodes], work_h, repair_h
        )
        if not done.any():
            return False
        self.failed_manual[nodes] -= done
        self.cache.repair_queue = None
        for pos in np.flatnonzero(done):
            node = int(nodes[pos])
            self.log(t, "unit_repaired", self.c.node_ids[node], f"{done[pos]:g} repaired")
        return True

    def _repair_queue(self) -> tuple[Any, ...]:
        """Nodes waiting for a technician and their support edges (cached until it changes).

        Invalidated by failures, completed repairs, restores and a parameter swap.
        """
        if self.cache.repair_queue is None:
            nodes = np.flatnonzero(self.failed_manual)
            spans = [np.arange(self.te_ptr[i], self.te_ptr[i + 1]) for i in nodes]
            edges = np.concatenate(spans) if spans else np.zeros(0, dtype=np.int64)
            local = np.repeat(np.arange(nodes.size), [span.size for span in spans])
            self.cache.repair_queue = (
                nodes, self.te_team[edges], local, self.supported[nodes],
                self.repair_h_eff[nodes], np.ones(edges.size, dtype=bool),
            )  # fmt: skip
        return self.cache.repair_queue
