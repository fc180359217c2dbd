"""Compile part: staff teams, their roles and shifts, and the support edges team → node.

Annual attrition a becomes the constant hazard −ln(1 − a) per year (§10.13); people on shift =
headcount × 40 h / hours the shift pattern covers per week (``models/staff.py``).
"""

from __future__ import annotations

import numpy as np

from aifactory_twin.schema import StaffTeam
from aifactory_twin.sim.compile.common import floats, ints, positions
from aifactory_twin.sim.compiled import ROLES, IntArray, StaffParams
from aifactory_twin.sim.models import staff as stf

TECHNICIAN_ROLES = frozenset({"facilities_ops", "network_ops"})
# Weekly hours a shift pattern covers; people on shift = headcount × 40 h / covered hours.
COVERED_HOURS_PER_WEEK = {"business_hours": 40.0, "extended": 112.0, "24x7": 168.0}


def _pay_ratio(team: StaffTeam) -> float:
    """Salary / market rate (1 when no market rate is given)."""
    market = team.market_salary_usd_per_year
    return 1.0 if market is None else team.salary_usd_per_year / market


def compile_staff(
    teams: list[tuple[int, StaffTeam]], edges: tuple[IntArray, IntArray], n_nodes: int
) -> StaffParams:
    """Teams (index t in the order of ``teams``) and their support edges (node-index arrays)."""
    tm = [x for _, x in teams]
    team_of = positions([i for i, _ in teams], n_nodes)
    src, dst = edges
    team = team_of[src]
    kept = team >= 0
    role = ints([ROLES.index(x.role) for x in tm])
    return StaffParams(
        team_node=ints([i for i, _ in teams]),
        role=role,
        is_technician=np.isin(role, [ROLES.index(r) for r in sorted(TECHNICIAN_ROLES)]),
        is_mlops=role == ROLES.index("mlops"),
        is_research=role == ROLES.index("ml_research"),
        headcount=floats([float(x.headcount) for x in tm]),
        salary_usd_per_year=floats([x.salary_usd_per_year for x in tm]),
        # Annual attrition a ⇒ constant hazard −ln(1 − a) per year (§10.13), scaled by pay.
        attrition_per_s=floats(
            [
                -np.log(max(1.0 - x.annual_attrition, 1e-9))
                / (365 * 86400.0)
                * stf.attrition_factor(_pay_ratio(x))
                for x in tm
            ]
        ),
        hiring_lead_s=floats(
            [
                x.hiring_lead_time_days
                * 86400.0
                * stf.hiring_factor(_pay_ratio(x))
                * stf.scarcity_factor(x.market_tightness)
                for x in tm
            ]
        ),
        ramp_up_s=floats([x.ramp_up_days * 86400.0 for x in tm]),
        on_shift_fraction=floats([40.0 / COVERED_HOURS_PER_WEEK[x.shift_coverage] for x in tm]),
        coverage=tuple(x.shift_coverage for x in tm),
        support_team_index=team[kept],
        support_node=dst[kept],
    )
