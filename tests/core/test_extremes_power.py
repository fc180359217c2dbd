"""Extreme power what-ifs (red team): a node whose supply is lost stops, whatever its kind.

Losing the only grid feed, a UPS or a PDU leaves everything behind it without power (the model
has no generator and no battery ride-through): racks, switches and storage draw nothing, cooling
units neither draw nor cool, the accelerators count as down (availability), the jobs on them
are interrupted, and the facility draws nothing from a feed that is down.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_sim_builders import edge, hall

from aifactory_twin.catalog import preset_node
from aifactory_twin.schema import Scenario, ScheduledEvent
from aifactory_twin.sim import Engine, compile_scenario

HOUR = 3600.0


def _outage(target: str, step_s: float = 300.0, sc: Scenario | None = None) -> Scenario:
    """``target`` lost from hour 1 to hour 3 of a 6 h run."""
    sc = sc or hall("air", racks=8, settings={"horizon_s": 6 * HOUR, "step_s": step_s})
    ev = ScheduledEvent(
        time_s=HOUR, kind="fail_unit", target=target, magnitude=99, duration_s=2 * HOUR
    )
    return sc.model_copy(update={"events": [ev]})


def _run(sc: Scenario) -> Engine:
    eng = Engine(compile_scenario(sc), seed=0)
    eng.run()
    return eng


def _during(eng: Engine, key: str) -> np.ndarray:
    t = eng.recorder.series("time_s")
    # The supply state acts from the step after the loss (power stage simplification).
    return eng.recorder.series(key)[(t > HOUR + 2 * eng.compiled.step_s) & (t <= 3 * HOUR)]


@pytest.mark.parametrize("target", ["feed", "ups", "pdu"])
def test_losing_the_power_path_stops_everything_behind_it(target: str) -> None:
    eng = _run(_outage(target))
    # Everything (racks, switch, storage, CRAH) hangs behind the PDU, the UPS and the feed.
    assert np.all(_during(eng, "it_power_kw") == 0.0)
    assert np.all(_during(eng, "gpus_up") == 0.0)
    assert np.all(_during(eng, "delivered_pflops") == 0.0)
    k = eng.kpis()
    assert k["availability"] < 0.75
    assert k["interruptions"] >= 1
    # Back after the repair.
    rec = eng.recorder
    assert rec.series("gpus_up")[-1] == rec.series("gpus_up")[0] > 0
    assert rec.series("it_power_kw")[-1] == pytest.approx(rec.series("it_power_kw")[0], rel=1e-6)


def test_a_dead_feed_draws_nothing() -> None:
    eng = _run(_outage("feed"))
    assert np.all(_during(eng, "facility_power_kw") == 0.0)
    assert np.all(_during(eng, "cooling_power_kw") == 0.0)


def _own_cooling_pdu(step_s: float) -> Scenario:
    """The hall with its CRAH on a PDU of its own (the racks keep theirs)."""
    sc = hall("air", racks=8, settings={"horizon_s": 6 * HOUR, "step_s": step_s})
    pdu = preset_node("pdu", "pdu-cool", power_rating_kw=100.0)
    edges = [e for e in sc.edges if not (e.source == "pdu" and e.target == "crah")]
    edges += [edge("power", "ups", "pdu-cool"), edge("power", "pdu-cool", "crah")]
    return sc.model_copy(update={"nodes": [*sc.nodes, pdu], "edges": edges})


@pytest.mark.parametrize("step_s", [60.0, 300.0, 3600.0])
def test_a_crah_without_power_cools_no_more_than_a_failed_one(step_s: float) -> None:
    unpowered = _run(_outage("pdu-cool", step_s, _own_cooling_pdu(step_s)))
    failed = _run(_outage("crah", step_s, _own_cooling_pdu(step_s)))
    for eng in (unpowered, failed):
        kinds = {e.kind for e in eng.events if e.node_id == "rack"}
        assert "shutdown" in kinds
        assert eng.kpis()["interruptions"] >= 1
        limit = float(eng.compiled.racks.shutdown_c.max()) + 10.0
        assert eng.kpis()["max_temperature_c"] <= limit
    hist = unpowered.node_history("crah")
    t = hist["times_s"]
    assert np.all(hist["power_kw"][(t > HOUR + 2 * step_s) & (t <= 3 * HOUR)] == 0.0)
