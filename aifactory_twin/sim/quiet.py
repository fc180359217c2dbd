"""Quiet stretches: many ticks in one call where fixed stepping would repeat the same step.

A step is *quiet* when it changed nothing but running totals: no stage's version moved, the
racks' temperatures stood still (the heat block is at its fixed point), nothing failed,
recovered or restarts, and the random draws of the step (unit failures, staff departures)
came out zero. The next step then sees the same inputs and computes exactly the same values,
until something outside the state moves: a clock hour (prices, ambient, inference demand,
shifts), a scheduled event, a delivery, a job start or end, a checkpoint, a completed repair,
a hire, a launch, a drift detection, a job submitted at run time, a grid-series row, the run's
end. ``repeat_quiet`` finds how many steps that leaves (``quiet_span``), draws their random
numbers in one call exactly as those steps would (stopping at the first step where something
fails or someone leaves, which then runs as a full step), adds each running total's last
increment that many times with ``np.add.accumulate`` (strictly in order, so bit-identical to one
addition per step) and fills the recorder's rows at once. Results equal fixed stepping bit for
bit (``tests/core/test_quiet_stretches.py``).

Random draws: a step draws one Poisson count for unit failures and one for departures (each
only when its mean is > 0). numpy draws a Poisson of mean λ < 10 by multiplying uniform doubles
until the product falls to e^-λ or below, so a zero count is exactly one double U ≤ e^-λ. The
stretch draws all its doubles with ``Generator.random`` (the same doubles from the same stream),
and when step j would draw a failure the generator is rewound and advanced by j steps' doubles
only.
"""

from __future__ import annotations

import bisect
import math

import numpy as np

from aifactory_twin.sim.engine_state import EngineState
from aifactory_twin.sim.models.sequential import SMALL_K, Stretch, repeated_sums
from aifactory_twin.sim.recorder import Recorder
from aifactory_twin.sim.stages.handoff import FloatArray
from aifactory_twin.sim.stages.ledger import Ledger

MAX_STRETCH = 4096
"""Steps one call may repeat at most (bounds the work arrays: steps × jobs or repairs)."""
POISSON_MULT_MAX = 10.0
"""numpy's Poisson uses the multiplication method below this mean (``random_poisson``)."""


def state_key(s: EngineState) -> tuple[object, ...]:
    """What a step must leave as it found for the next step to repeat it."""
    av, work, staff = s.availability, s.work, s.staff
    return (
        av.version,
        av.dirty,
        # ``any_auto_failed`` is False only when none is (it may be True when none is).
        av.any_auto_failed and bool(av.failed_auto.any()),
        len(av.timed_restores),
        s.thermal.version,
        s.new_shutdown_any(),
        s.power.version,
        work.version,
        work.sched.version,
        work.jobs.n_done,
        (work.jobs.restart_left_s > 0).tobytes(),
        len(staff.hires),
        len(s.price_effects),
        len(s.heat_effects),
    )


def is_fixed_point(s: EngineState) -> bool:
    """Whether the last step left the racks' temperatures and status where they were."""
    heat = s.thermal.cache.heat
    return heat is not None and heat.fixed


def zero_draws(rng: np.random.Generator, thresholds: list[float], k: int) -> int:
    """Steps (≤ ``k``) whose draws all give 0: one double per threshold, each at most it.

    Leaves ``rng`` exactly where those steps' draws would (module doc).
    """
    if not thresholds:
        return k
    m = len(thresholds)
    bitgen = rng.bit_generator
    saved = bitgen.state
    if k <= SMALL_K:
        # A few steps: the same doubles compared one by one (fewer calls than arrays). The
        # first step that draws something is the step of the first double above its threshold.
        draws = rng.random(k * m).tolist()
        for i, (u, x) in enumerate(zip(draws, thresholds * k, strict=True)):
            if not u <= x:
                n = i // m
                break
        else:
            return k
    else:
        u = rng.random(k * m).reshape(k, m)
        zero = (u <= np.array(thresholds)).all(axis=1)
        if zero.all():
            return k
        n = int(np.argmin(zero))
    bitgen.state = saved
    if n:
        rng.random(n * m)
    return n


def poisson_zero(mean: float) -> list[float]:
    """The draw thresholds of one Poisson count (none when the mean is 0: no draw)."""
    if mean <= 0:
        return []
    if mean >= POISSON_MULT_MAX:
        raise ValueError("a Poisson of this mean is not drawn by multiplication")
    return [math.exp(-mean)]


def _next_after(s: EngineState, times: FloatArray, t: float) -> float:
    """The first of ``times`` (compiled, never edited) after ``t`` (inf if none).

    Kept per array: found at ``t0`` ≤ ``t`` and still after ``t``, it is still the first.
    """
    known = s.next_after.get(id(times))
    if known is not None and known[0] is times and known[1] <= t < known[2]:
        return known[2]
    later = times[times > t]
    first = float(later.min()) if later.size else math.inf
    s.next_after[id(times)] = (times, t, first)
    return first


def quiet_span(
    s: EngineState, t: float, dt: float, stop_s: float, next_event_s: float
) -> tuple[FloatArray, FloatArray]:
    """Start and end times of the steps from ``t`` that see the outside world of the last step.

    As many as fixed stepping runs before the first boundary (time only).
    """
    c = s.c
    t0 = s.step_t
    no_steps = np.zeros(0)
    limit = min(
        s.clock_hour(t0).end_s,
        stop_s - 1e-9,
        next_event_s,
        s.availability.next_arrival_s,
    )
    if s.availability.timed_restores:
        limit = min(limit, min(r[0] for r in s.availability.timed_restores))
    if s.price_effects or s.heat_effects:
        limit = min(limit, min(e[0] for e in (*s.price_effects, *s.heat_effects)))
    wl = c.workloads
    # Training jobs enter the queue at the engine's submit times: the file's, and those of the
    # retraining jobs drift monitoring submits at run time (``stages/submits.py``).
    limit = min(limit, s.work.submits.next_after(t0))
    for times in (wl.inf_start_s, wl.dataset_ready_s):
        if times is not None:
            limit = min(limit, _next_after(s, times, t0))
    # Hires, launches and drift detections happen at the end of the step they fall in.
    limit_end = min(
        s.staff.quiet_until_s(), s.lifecycle.next_launch_s(), s.lifecycle.next_detection_s()
    )
    if limit <= t or limit_end <= t + dt:
        return no_steps, no_steps
    k = MAX_STRETCH
    if math.isfinite(limit):
        k = min(k, int((limit - t) / dt) + 2)
    if k <= SMALL_K:
        # A few steps (the clock hour ends soon): Python floats, the same additions in order.
        end_list, end = [], t
        for _ in range(k):
            end += dt
            end_list.append(end)
        start_list = [t, *end_list[:-1]]
        k = min(bisect.bisect_left(start_list, limit), bisect.bisect_left(end_list, limit_end))
        starts, ends = np.array(start_list[:k]), np.array(end_list[:k])
    else:
        ends = repeated_sums(np.array([t]), np.array([dt]), k)[:, 0]
        starts = np.concatenate([[t], ends[:-1]])
        k = min(int(np.searchsorted(starts, limit)), int(np.searchsorted(ends, limit_end)))
    ledger = s.ledger
    for _f, x in ledger.series:
        # The grid row of every step must be the last step's (``GridSeries.index_at``).
        soy = ledger.year_offset_s + starts[:k]
        rows = np.floor((soy - x.start_s) / x.step_s + 1e-9) % x.rows
        row0 = x.index_at(ledger.year_offset_s + t0)
        same = rows == row0
        k = k if same.all() else int(np.argmin(same))
    return starts[:k], ends[:k]


MOVING_SERIES: tuple[str, ...] = (
    "energy_cost_usd_cum",
    "total_cost_usd_cum",
    "carbon_t_cum",
    "capex_amortized_usd_cum",
    "staff_cost_usd_cum",
    "maintenance_cost_usd_cum",
    "cloud_cost_usd_cum",
)
"""The recorder series a stretch moves: the ledger's running sums (``ledger_series``)."""
_SUMMED = (
    "energy_cost_usd",
    "capex_amortized_usd",
    "staff_cost_usd",
    "maintenance_cost_usd",
    "cloud_cost_usd",
    "compliance_cost_usd",
    "carbon_kg",
)
"""The ledger totals ``MOVING_SERIES`` are made of, in ``ledger_series``'s column order."""
_COLUMNS: dict[tuple[str, ...], list[int]] = {}


def ledger_series(ledger: Ledger, sums: FloatArray, first: int) -> FloatArray:
    """The recorder series that move over a stretch, shape (``MOVING_SERIES``, steps).

    ``sums``: the stretch's running totals, the ledger's from column ``first``. The other
    series repeat the last step's ``out``, whose running sums are set to the stretch's end.
    """
    keys = tuple(ledger.step)
    where = _COLUMNS.get(keys)
    if where is None:
        where = _COLUMNS[keys] = [keys.index(key) for key in _SUMMED]
    # energy, capex, staff, maintenance, cloud, compliance, carbon, one row per step.
    picked = sums[:, [first + j for j in where]]
    if picked.shape[0] <= SMALL_K:
        # A few steps: Python floats (the same IEEE operations numpy does per element, in the
        # same order), fewer calls than the columns below.
        rows = [
            (
                energy,
                # The sum in the order of ``Ledger.total_cost_usd``.
                capex + energy + staff + maint + cloud + compliance,
                carbon / 1000.0,
                capex,
                staff,
                maint,
                cloud,
            )
            for energy, capex, staff, maint, cloud, compliance, carbon in picked.tolist()
        ]
        moving = np.array(rows).T
    else:
        energy, capex, staff, maint, cloud, compliance, carbon = picked.T
        total = capex + energy + staff + maint + cloud + compliance
        moving = np.stack([energy, total, carbon / 1000.0, capex, staff, maint, cloud])
    ledger.out = dict(ledger.out)
    ledger.out.update(zip(MOVING_SERIES, moving[:, -1].tolist(), strict=True))
    return moving


def repeat_quiet(
    s: EngineState,
    rng: np.random.Generator,
    recorder: Recorder,
    t: float,
    dt: float,
    stop_s: float,
    next_event_s: float,
) -> tuple[int, float]:
    """Repeat the last (quiet) step as often as fixed stepping would: (steps, time reached)."""
    starts, ends = quiet_span(s, t, dt, stop_s, next_event_s)
    k = starts.shape[0]
    if k < 1:
        return 0, t
    staff = s.staff

    def hours(i: int) -> FloatArray:
        clock = s.clock_hour(s.step_t)
        return staff.technician_hours(clock.hour, clock.weekday, dt / 3600.0, float(starts[i]))

    k = s.work.jobs.quiet_steps(k, dt)
    if k >= 1:
        k = s.availability.quiet_steps(k, dt, hours, bool(staff.ramping))
    departures = staff.departure_mean(dt)
    if k < 1 or departures is None:
        return 0, t
    # The step's draws in their order: automated recoveries, unit failures, departures.
    try:
        thresholds = s.availability.recovery_zero(dt)
        thresholds += poisson_zero(s.availability.failure_mean())
        thresholds += poisson_zero(departures)
    except ValueError:  # a draw that one double does not settle: step it
        return 0, t
    k = zero_draws(rng, thresholds, k)
    if k < 1:
        return 0, t
    s.availability.repeat(k)
    stretch = Stretch(k)
    s.work.jobs.repeat(stretch)
    s.work.sched.repeat(stretch, dt)
    s.thermal.repeat(stretch)
    ledger_first = s.ledger.repeat(stretch)
    s.accounts.repeat(stretch)
    s.seasons.repeat(stretch)
    moving = ledger_series(s.ledger, stretch.run(), ledger_first)
    end = float(ends[k - 1])
    staff.repeat(starts[:k], end)
    s.ledger.acc["time_s"] = end
    s.step_count += k
    s.step_t = float(starts[k - 1])
    recorder.repeat(ends[:k], s.ledger.out, MOVING_SERIES, moving, s.values)
    return k, end
