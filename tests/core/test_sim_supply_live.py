"""Supply disruptions injected during a run (issue 14): a vendor's pending deliveries wait."""

from __future__ import annotations

import numpy as np
import pytest
from test_sim_supply import DAY, _arrived_day, _ordered_hall, _rack_delivery, _vendor

from aifactory_twin.errors import ScenarioError
from aifactory_twin.schema import ScheduledEvent
from aifactory_twin.sim import Engine, compile_scenario


def _disruption(vendor: str, days: float) -> ScheduledEvent:
    return ScheduledEvent(
        time_s=0.0, kind="supply_disruption", target=vendor, duration_s=days * DAY
    )


def _run_with_injection(engine: Engine, at_day: float, event: ScheduledEvent) -> Engine:
    engine.run(until_s=at_day * DAY)
    engine.inject(event)
    engine.run()
    return engine


def test_an_injected_disruption_delays_energization_as_a_scheduled_one_does() -> None:
    calm = Engine(compile_scenario(_ordered_hall(_vendor())), seed=0)
    calm.run()
    live = Engine(compile_scenario(_ordered_hall(_vendor())), seed=0)
    _run_with_injection(live, 5.0, _disruption("oem", 12.0))
    planned = _vendor(disruption_start_day=5.0, disruption_length_days=12.0)
    scheduled = Engine(compile_scenario(_ordered_hall(planned)), seed=0)
    scheduled.run()
    assert _arrived_day(calm) == pytest.approx(10.0, abs=0.05)
    # Held from day 5 to day 17: the racks ready on day 10 ship when the disruption ends.
    assert _arrived_day(live) == pytest.approx(_arrived_day(scheduled), abs=0.05)
    assert _arrived_day(live) == pytest.approx(17.0, abs=0.05)
    it_live = np.asarray(live.recorder.series("it_power_kw"))
    assert np.all(it_live[: 16 * 24] < 50.0) and it_live[18 * 24] > 20.0
    k_calm, k_live = calm.kpis(), live.kpis()
    assert k_live["waiting_cost_usd"] == pytest.approx(scheduled.kpis()["waiting_cost_usd"])
    assert k_live["waiting_cost_usd"] == pytest.approx(1.7 * k_calm["waiting_cost_usd"], rel=0.05)
    assert k_live["gpu_hours_delivered"] < k_calm["gpu_hours_delivered"] - 6 * 24 * 32
    (note,) = [e for e in live.events if e.kind == "injected"]
    assert note.node_id == "oem" and "1 pending deliveries delayed" in note.message


def test_a_disruption_after_the_delivery_changes_nothing() -> None:
    calm = Engine(compile_scenario(_ordered_hall(_vendor())), seed=0)
    calm.run()
    late = Engine(compile_scenario(_ordered_hall(_vendor())), seed=0)
    _run_with_injection(late, 12.0, _disruption("oem", 30.0))
    assert _arrived_day(late) == _arrived_day(calm)
    assert late.kpis()["gpu_hours_delivered"] == calm.kpis()["gpu_hours_delivered"]


def test_a_dual_sourced_order_moves_to_the_other_vendor() -> None:
    sc = _ordered_hall(_vendor())
    sc = _rack_delivery(sc, vendor="oem", second_vendor="alt")
    alt = _vendor("alt", lead_time_median_days=12.0)
    sc = sc.model_copy(update={"nodes": [*sc.nodes, alt]})
    engine = _run_with_injection(Engine(compile_scenario(sc), seed=0), 5.0, _disruption("oem", 30))
    assert _arrived_day(engine) == pytest.approx(12.0, abs=0.05)  # alt ships on day 12


def test_the_disruption_outlives_a_live_parameter_edit() -> None:
    sc = _ordered_hall(_vendor())
    engine = Engine(compile_scenario(sc), seed=0)
    engine.run(until_s=5 * DAY)
    engine.inject(_disruption("oem", 12.0))
    engine.run(until_s=6 * DAY)
    edited = sc.model_copy(update={"settings": sc.settings.model_copy(update={"pue_target": 1.3})})
    engine.update_parameters(edited)
    engine.run()
    assert _arrived_day(engine) == pytest.approx(17.0, abs=0.05)


@pytest.mark.parametrize(
    ("event", "fragment"),
    [
        (_disruption("rack", 5.0), "needs a vendor, 'rack' is a compute_rack"),
        (_disruption("nobody", 5.0), "'nobody' is unknown node"),
        (_disruption("oem", 0.0), "needs a length"),
    ],
)
def test_a_bad_disruption_is_refused_naming_it(event: ScheduledEvent, fragment: str) -> None:
    engine = Engine(compile_scenario(_ordered_hall(_vendor())), seed=0)
    with pytest.raises(ScenarioError, match=fragment):
        engine.inject(event)
    planned = _ordered_hall(_vendor()).model_copy(update={"events": [event]})
    with pytest.raises(ScenarioError, match=fragment):
        compile_scenario(planned)
