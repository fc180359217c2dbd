"""Extreme cooling what-ifs (red team): results stay physical at any step.

A rack served by several collectors of one kind (two CRAHs on the same room air, two CDUs on
one manifold) sends each its share of the heat by the capacity it has now: a small or failed
unit beside a big one must not leave the rack starved while the big one has room to spare.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_sim_builders import edge, hall

from aifactory_twin.catalog import preset_node
from aifactory_twin.schema import Scenario, ScheduledEvent
from aifactory_twin.sim import Engine, compile_scenario

HOUR = 3600.0


def _two_crahs(
    step_s: float, small_kw: float = 20.0, events: list[ScheduledEvent] | None = None
) -> Scenario:
    """An 8-rack air hall with a second, small CRAH on the same racks (same chiller)."""
    sc = hall("air", racks=8, settings={"horizon_s": 12 * HOUR, "step_s": step_s}, events=events)
    aux = preset_node("crah", "aux-crah", nominal_cooling_capacity_kw=small_kw)
    edges = [
        *sc.edges,
        edge("coolant", "aux-crah", "rack"),
        edge("coolant", "chiller", "aux-crah"),
        edge("power", "pdu", "aux-crah"),
    ]
    return sc.model_copy(update={"nodes": [*sc.nodes, aux], "edges": edges})


def _run(sc: Scenario) -> Engine:
    eng = Engine(compile_scenario(sc), seed=0)
    eng.run()
    return eng


def test_a_small_crah_beside_a_big_one_does_not_starve_the_racks() -> None:
    eng = _run(_two_crahs(300.0))
    c = eng.compiled
    cap_kw = float(c.plant.capacity_kw[c.plant.is_collector].sum())
    rec = eng.recorder
    heat_in = rec.series("heat_in_kw")
    # The collectors together carry the load with room to spare ...
    assert heat_in.max() < 0.8 * cap_kw
    # ... so the racks sit at their supply temperature and every watt in is removed.
    th = eng.state.thermal
    assert th.temp_c == pytest.approx(c.plant.rack_supply_c, abs=1e-3)
    assert rec.series("heat_removed_kw")[-1] == pytest.approx(heat_in[-1], rel=1e-6)


@pytest.mark.parametrize("step_s", [900.0, 3600.0])
def test_long_steps_give_the_short_steps_steady_state_without_oscillating(step_s: float) -> None:
    short = _run(_two_crahs(300.0)).recorder
    long = _run(_two_crahs(step_s)).recorder
    settled = long.series("time_s") >= 3 * HOUR
    temps = long.series("max_temp_c")[settled]
    assert temps.max() - temps.min() < 0.05
    assert temps[-1] == pytest.approx(short.series("max_temp_c")[-1], abs=0.05)
    removed = long.series("heat_removed_kw")[settled]
    assert np.ptp(removed) < 1e-6 * removed.max()


def test_a_failed_crah_leaves_its_share_to_the_one_still_up() -> None:
    # The big CRAH alone carries the load: losing the small one changes nothing.
    fail = [ScheduledEvent(time_s=HOUR, kind="fail_unit", target="aux-crah", magnitude=1)]
    eng = _run(_two_crahs(300.0, small_kw=60.0, events=fail))
    c = eng.compiled
    assert eng.state.thermal.temp_c == pytest.approx(c.plant.rack_supply_c, abs=1e-3)
    assert eng.kpis()["interruptions"] == 0
