"""Staff stage: headcount per team, departures and hires.

Owns ``headcount`` (edited in place by departures and hires; other stages get the read-only
view ``headcount``) and the open requisitions (``hires``). Formulas:
``models/staff.py``. Runs last in a step; a change of headcount makes the availability stage
dirty (the orchestrator does that, from the return values here).
"""

from __future__ import annotations

import math

import numpy as np

from aifactory_twin.sim.compiled import CompiledScenario
from aifactory_twin.sim.models import reliability as rel
from aifactory_twin.sim.models import staff as stf
from aifactory_twin.sim.stages.handoff import FloatArray, LogFn, read_only


class Staff:
    """People per team and what happens to them over a run."""

    def __init__(self, c: CompiledScenario, log: LogFn) -> None:
        self.log = log
        self._headcount = c.staff.headcount.copy()
        self.headcount = read_only(self._headcount)
        """Per team (read-only view; edited only through this stage)."""
        self.headcount0 = float(self._headcount.sum())
        self.departures = 0.0
        """People who left over the run (attrition and departure events)."""
        self.hires: list[tuple[float, int, float]] = []
        """Open requisitions: (time filled s, team, people)."""
        self.ramping: list[tuple[float, int, float]] = []
        """Hires still ramping up: (time hired s, team, people)."""
        self.load_h = np.zeros(self._headcount.size)
        """Per team: hands-on repair hours asked of it, a moving sum over the load window."""
        self._load_t = 0.0
        self.swap(c)

    def swap(self, c: CompiledScenario) -> None:
        """Take the parameters of ``c`` (same teams)."""
        self.c = c
        self._covered_key: tuple[int, int] | None = None
        self._now = 0.0
        self._covered = np.zeros(0, dtype=bool)
        self._attrition: tuple[tuple[float, bytes], FloatArray, FloatArray, float] | None = None

    def technician_hours(
        self, hour: int, weekday: int, dt_h: float, t: float | None = None
    ) -> FloatArray:
        """Hands-on hours each team gives this step (0 for teams off shift or not technicians).

        ``t``: the step's start (default: the end of the last step, i.e. the step now).
        """
        c = self.c
        if self._covered_key != (hour, weekday):
            self._covered = np.asarray(
                [stf.covered(cv, hour, weekday) for cv in c.staff.coverage], dtype=bool
            )
            self._covered_key = (hour, weekday)
        return stf.technician_hours(
            self.effective(t), c.staff.on_shift_fraction, self._covered, c.staff.is_technician,
            dt_h,
        )  # fmt: skip

    def effective(self, t: float | None = None) -> FloatArray:
        """People per team at full productivity: hires ramping up count in part."""
        if not self.ramping:
            return self._headcount
        now = self._now if t is None else t
        deficit = stf.ramp_deficit(self.ramping, self.c.staff.ramp_up_s, now, self._headcount.size)
        return np.maximum(self._headcount - deficit, 0.0)

    def add_repair_load(self, hours: FloatArray, t: float) -> None:
        """Hands-on repair hours just asked of each team (new incidents on what it supports)."""
        self._decay_load(t)
        self.load_h += hours

    def _decay_load(self, t: float) -> None:
        if t > self._load_t:
            if self.load_h.any():
                self.load_h *= np.exp(-(t - self._load_t) / (stf.LOAD_WINDOW_DAYS * 86400.0))
            self._load_t = t

    def lose(self, k: int, gone: float, t: float) -> bool:
        """``gone`` people leave team ``k`` at ``t``; a requisition opens. True if anyone left."""
        if gone <= 0:
            return False
        self._headcount[k] -= gone
        self.departures += gone
        self.hires.append((t + float(self.c.staff.hiring_lead_s[k]), k, gone))
        self.log(t, "staff_left", self.c.node_ids[int(self.c.staff.team_node[k])], f"{gone:g} left")
        return True

    def depart(self, team_node: int, people: float, t: float) -> bool:
        """A ``staff_departure`` event on the team at node index ``team_node``."""
        k = int(np.flatnonzero(self.c.staff.team_node == team_node)[0])
        gone = min(self._headcount[k], max(0.0, round(people)))
        return self.lose(k, gone, t)

    # -- quiet stretches (sim/quiet.py) ------------------------------------------------------
    def departure_mean(self, dt: float) -> float | None:
        """Expected departures in a step from now on, or None if it may change step to step.

        The repair load only decays while nothing fails, so a workload factor at most 1 now
        stays at most 1: the hazard is the plain attrition rate (``step``'s arithmetic).
        """
        if self.load_h.any() and np.any(stf.workload_factor(self.load_h, self._headcount) > 1.0):
            return None
        return self._plain_attrition(dt)[3]

    def _plain_attrition(self, dt: float) -> tuple[object, FloatArray, FloatArray, float]:
        """(key, people per team, p of leaving, expected departures) at the plain rate.

        ``stf.departures``'s arithmetic for one step, kept while headcount and ``dt`` hold.
        """
        key = (dt, self._headcount.tobytes())
        known = self._attrition
        if known is None or known[0] != key:
            people = np.floor(self._headcount)
            p = -np.expm1(-self.c.staff.attrition_per_s * dt)
            known = self._attrition = (key, people, p, float(people @ p))
        return known

    def quiet_until_s(self) -> float:
        """The first time a requisition is filled (headcount moves), s."""
        return min(h[0] for h in self.hires) if self.hires else math.inf

    def repeat(self, starts_s: FloatArray, end_s: float) -> None:
        """Age the repair load and the ramp-ups over quiet steps starting at ``starts_s``."""
        if self.load_h.any():
            prev = np.concatenate([[self._load_t], starts_s[:-1]])
            gaps = starts_s - prev
            # ``_decay_load`` step by step: the same factor per step, applied in order.
            scale = np.empty((starts_s.shape[0] + 1, self.load_h.shape[0]))
            scale[0] = self.load_h
            scale[1:] = np.exp(-gaps / (stf.LOAD_WINDOW_DAYS * 86400.0))[:, None]
            self.load_h = np.multiply.accumulate(scale, axis=0)[-1].copy()
        self._load_t = float(starts_s[-1])
        if self.ramping:
            ramp = self.c.staff.ramp_up_s
            self.ramping = [h for h in self.ramping if end_s < h[0] + ramp[h[1]]]
        self._now = end_s

    def step(self, rng: np.random.Generator, t: float, dt: float) -> bool:
        """Attrition and hires that arrive. True if headcount moved."""
        c = self.c
        changed = False
        self._decay_load(t)
        factor = stf.workload_factor(self.load_h, self._headcount) if self.load_h.any() else None
        if factor is not None and np.any(factor > 1.0):
            gone = stf.departures(rng, self._headcount, c.staff.attrition_per_s * factor, dt)
        else:
            # The plain rate: the same draw with the per-team terms kept from the last step.
            _key, people, p, mean = self._plain_attrition(dt)
            gone = rel.draw_failures(rng, people, p, mean)
        if gone is not None:
            for k in np.flatnonzero(gone):
                changed = self.lose(int(k), float(gone[k]), t) or changed
        if self.hires:
            arrived = [h for h in self.hires if h[0] <= t + dt]
            if arrived:
                for filled_s, team, n_people in arrived:
                    self._headcount[team] += n_people
                    self.ramping.append((filled_s, team, n_people))
                self.hires = [h for h in self.hires if h[0] > t + dt]
                changed = True
        if self.ramping:
            # Headcount stands still while hires ramp up; technician hours read ``effective``.
            ramp = c.staff.ramp_up_s
            self.ramping = [h for h in self.ramping if t + dt < h[0] + ramp[h[1]]]
        self._now = t + dt
        return changed
