"""Staff: people on shift, attrition and hiring, salaries.

* People on shift = headcount × 40 h / hours the pattern covers per week while covered
  (business hours Mon–Fri 09–17; extended 07–23 daily; 24×7), i.e. a 24×7 seat needs 4.2 FTE
  (domain-reference §6.4 quotes ~5 with leave). Only facilities and network ops are technicians.
* Attrition: constant hazard h = −ln(1 − annual attrition) (§10.13); each departure opens a
  requisition filled after the team's hiring lead time (§8 time-to-fill), so headcount dips and
  recovers. A ``staff_departure`` event removes people the same way.
* Talent market (estimates): with pay ratio r = salary / market rate, the attrition hazard is
  scaled by r^−``PAY_ATTRITION_ELASTICITY`` and the time to fill by r^−``PAY_HIRING_ELASTICITY``
  (r clipped to [0.25, 4]), so pay below market → more departures → fewer technicians →
  slower repairs, and the openings take longer to fill.
* Scarcity (estimate): the time to fill also scales with the role's ``market_tightness``
  (openings per qualified candidate against a normal market), elasticity
  ``TIGHTNESS_HIRING_ELASTICITY``.
* Workload (estimates): a technician team's repair load is the hands-on hours its incidents ask
  for, as an exponential moving sum over ``LOAD_WINDOW_DAYS``, over the hours its people are
  paid for in that window (40 h a week each). Above ``SUSTAINABLE_LOAD`` the attrition hazard
  rises by ``WORKLOAD_ATTRITION_GAIN`` per unit of relative overload (capped at
  ``WORKLOAD_FACTOR_MAX``): fewer people → more load each → more departures.
* Ramp-up: a new hire's productivity rises linearly from 0 to 1 over the team's ramp-up time
  (§9.7: 30–180 d, typical 90 d, estimate); technician hours and the launch pipeline's teams
  count the team's effective people.

Product launches are the launch pipeline's (``models/launch.py``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from aifactory_twin.sim.models.reliability import draw_failures

FloatArray = npt.NDArray[np.float64]

PAY_ATTRITION_ELASTICITY = 2.0
"""Estimate: labour-economics estimates of the elasticity of quits to the wage are roughly
1–3 (Manning, "Monopsony in Motion", 2003); 2 is mid-range."""
PAY_HIRING_ELASTICITY = 1.0
"""Estimate: offers below market take proportionally longer to be accepted."""
PAY_RATIO_MIN, PAY_RATIO_MAX = 0.25, 4.0
TIGHTNESS_HIRING_ELASTICITY = 1.0
"""Estimate: twice as many openings per candidate, twice as long to fill (§8's time-to-fill
ranges, 29 d for common tech roles to 60+ d for scarce senior ones, are about that ratio)."""
LOAD_WINDOW_DAYS = 30.0
PAID_HOURS_PER_WEEK = 40.0
SUSTAINABLE_LOAD = 0.5
"""Estimate: half the paid hours on break-fix; the rest is planned work, leave and training
(§6.4 sizes technicians from productive hours, ~1,600 of ~2,080 paid a year)."""
WORKLOAD_ATTRITION_GAIN = 1.0
"""Estimate: a team asked for twice its sustainable repair load leaves at twice the rate."""
WORKLOAD_FACTOR_MAX = 4.0


def covered(coverage: str, hour: int, weekday: int) -> bool:
    """Whether a shift pattern has people at work at this hour and weekday (0 = Monday)."""
    if coverage == "business_hours":
        return weekday < 5 and 9 <= hour < 17
    if coverage == "extended":
        return 7 <= hour < 23
    return True


def technician_hours(
    headcount: FloatArray,
    on_shift_fraction: FloatArray,
    covered_now: npt.NDArray[np.bool_],
    is_technician: npt.NDArray[np.bool_],
    dt_h: float,
) -> FloatArray:
    """Hands-on hours each team can give this step."""
    return np.where(covered_now & is_technician, headcount * on_shift_fraction * dt_h, 0.0)


def departures(
    rng: np.random.Generator, headcount: FloatArray, hazard_per_s: FloatArray, dt_s: float
) -> FloatArray | None:
    """People leaving each team this step (None when nobody leaves).

    Each person leaves with p = 1 − exp(−h·dt); drawn as one Poisson total split over teams,
    like unit failures (``models/reliability.draw_failures``).
    """
    p = -np.expm1(-hazard_per_s * dt_s)
    return draw_failures(rng, np.floor(headcount), p)


def attrition_factor(pay_ratio: float) -> float:
    """Multiplier on the attrition hazard for pay ratio salary / market (1 at market)."""
    r = float(np.clip(pay_ratio, PAY_RATIO_MIN, PAY_RATIO_MAX))
    return float(r**-PAY_ATTRITION_ELASTICITY)


def hiring_factor(pay_ratio: float) -> float:
    """Multiplier on the time to fill a requisition for pay ratio salary / market."""
    r = float(np.clip(pay_ratio, PAY_RATIO_MIN, PAY_RATIO_MAX))
    return float(r**-PAY_HIRING_ELASTICITY)


def scarcity_factor(market_tightness: float) -> float:
    """Multiplier on the time to fill for a role this scarce (1 in a normal market)."""
    return float(market_tightness**TIGHTNESS_HIRING_ELASTICITY)


def workload_factor(load_h: FloatArray, headcount: FloatArray) -> FloatArray:
    """Multiplier on each team's attrition hazard from its repair load (1 when sustainable).

    ``load_h``: hands-on hours asked of the team over the load window.
    """
    paid_h = np.maximum(headcount, 0.0) * PAID_HOURS_PER_WEEK * LOAD_WINDOW_DAYS / 7.0
    share = np.divide(load_h, paid_h, out=np.zeros_like(load_h), where=paid_h > 0)
    over = np.maximum(share / SUSTAINABLE_LOAD - 1.0, 0.0)
    return np.minimum(1.0 + WORKLOAD_ATTRITION_GAIN * over, WORKLOAD_FACTOR_MAX)


def ramp_deficit(
    hires: list[tuple[float, int, float]], ramp_s: FloatArray, t: float, n_teams: int
) -> FloatArray:
    """People-equivalents each team still lacks from hires ramping up: Σ n × (1 − age/ramp)."""
    out = np.zeros(n_teams)
    for hired_s, team, people in hires:
        ramp = float(ramp_s[team])
        if ramp > 0:
            out[team] += people * max(0.0, 1.0 - (t - hired_s) / ramp)
    return out
