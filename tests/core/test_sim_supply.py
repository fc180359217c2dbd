"""Supply risk (issue 14): vendor lead times, capacity, disruptions and dual sourcing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import pytest
from test_sim_builders import hall

from aifactory_twin.catalog import preset_node
from aifactory_twin.errors import ScenarioError
from aifactory_twin.schema import ComputeRack, NodeBase, Scenario, Vendor
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.sim.models import supply as sup
from aifactory_twin.study import StudyOptions, monte_carlo

DAY = 86400.0
START = datetime(2027, 1, 1)


def _vendor(vendor_id: str = "oem", **fields: Any) -> Vendor:
    base: dict[str, Any] = {"lead_time_median_days": 10.0, "lead_time_spread": 0.0}
    return Vendor(id=vendor_id, **{**base, **fields})


def _racks(rack_id: str, count: int, **delivery: Any) -> ComputeRack:
    node = preset_node("dgx_h100", rack_id, count=count, delivery=delivery)
    assert isinstance(node, ComputeRack)
    return node


def test_without_a_vendor_arrival_is_the_lead_time_as_before() -> None:
    nodes: list[NodeBase] = [_racks("r", 2, lead_time_days=3.0), _vendor()]
    arrival, price = sup.supply_plan(nodes, START, seed=0)
    assert arrival.tolist() == [3 * DAY, 0.0]
    assert price.tolist() == [1.0, 1.0]


def test_order_day_plus_median_when_the_spread_is_zero() -> None:
    nodes: list[NodeBase] = [_racks("r", 2, vendor="oem", lead_time_days=5.0), _vendor()]
    arrival, _ = sup.supply_plan(nodes, START, seed=0)
    assert arrival[0] == pytest.approx(15 * DAY)


def test_a_scheduled_disruption_holds_the_shipment_until_it_ends() -> None:
    racks = _racks("r", 2, vendor="oem")
    calm, _ = sup.supply_plan([racks, _vendor()], START, seed=0)
    hit = _vendor(disruption_start_day=8.0, disruption_length_days=30.0)
    late, _ = sup.supply_plan([racks, hit], START, seed=0)
    assert calm[0] == pytest.approx(10 * DAY)
    assert late[0] == pytest.approx(38 * DAY)  # ready on day 10, inside days 8–38


def test_capacity_per_quarter_pushes_later_orders_into_later_quarters() -> None:
    vendor = _vendor(capacity_units_per_quarter=120)
    nodes: list[NodeBase] = [_racks("a", 100, vendor="oem"), _racks("b", 100, vendor="oem")]
    arrival, _ = sup.supply_plan([*nodes, vendor], START, seed=0)
    assert arrival[0] == pytest.approx(10 * DAY)  # 100 of 120 this quarter
    # 20 ship this quarter, the other 80 at the start of the next one.
    assert arrival[1] == pytest.approx(sup.QUARTER_S)
    big = sup.supply_plan([_racks("c", 300, vendor="oem"), vendor], START, seed=0)[0]
    assert big[0] == pytest.approx(2 * sup.QUARTER_S)  # 120 + 120 + 60


def test_draws_are_reproducible_from_the_seed_and_vary_between_seeds() -> None:
    vendor = _vendor(lead_time_median_days=100.0, lead_time_spread=0.5)
    nodes: list[NodeBase] = [_racks("a", 4, vendor="oem"), vendor]
    first = [sup.supply_plan(nodes, START, seed=s)[0][0] for s in range(30)]
    again = [sup.supply_plan(nodes, START, seed=s)[0][0] for s in range(30)]
    assert first == again
    assert len(set(first)) == 30
    # Lognormal around the median: about half the draws either side of 100 days.
    assert 8 <= sum(x < 100 * DAY for x in first) <= 22


def test_random_disruptions_at_a_rate_delay_deliveries_on_average() -> None:
    calm = _vendor(lead_time_median_days=60.0, lead_time_spread=0.3)
    risky = calm.model_copy(
        update={"disruption_rate_per_year": 4.0, "disruption_length_days": 45.0}
    )
    rack = _racks("a", 4, vendor="oem")
    calm_days = [sup.supply_plan([rack, calm], START, s)[0][0] / DAY for s in range(200)]
    risky_days = [sup.supply_plan([rack, risky], START, s)[0][0] / DAY for s in range(200)]
    assert all(r >= c for r, c in zip(risky_days, calm_days, strict=True))
    assert np.mean(risky_days) > np.mean(calm_days) + 10.0


def test_dual_sourcing_delivers_earlier_on_average_at_a_price_premium() -> None:
    primary = _vendor("oem", lead_time_median_days=100.0, lead_time_spread=0.5)
    second = _vendor("alt", lead_time_median_days=120.0, lead_time_spread=0.5)
    single = _racks("a", 4, vendor="oem")
    dual = _racks("a", 4, vendor="oem", second_vendor="alt", dual_source_premium=0.08)
    one = [sup.supply_plan([single, primary, second], START, s) for s in range(200)]
    two = [sup.supply_plan([dual, primary, second], START, s) for s in range(200)]
    one_days = np.array([a[0] for a, _ in one]) / DAY
    two_days = np.array([a[0] for a, _ in two]) / DAY
    assert np.all(two_days <= one_days)  # the same draws: the second vendor can only help
    assert two_days.mean() < one_days.mean() - 10.0
    assert one[0][1][0] == 1.0
    assert two[0][1][0] == pytest.approx(1.08)


def test_a_delivery_naming_no_vendor_node_is_an_error_naming_the_field() -> None:
    nodes: list[NodeBase] = [_racks("r", 2, vendor="nobody")]
    with pytest.raises(sup.SupplyError) as info:
        sup.supply_plan(nodes, START, seed=0)
    assert info.value.path == "nodes[0].delivery.vendor"
    bad = _rack_delivery(hall("air", racks=2), vendor="nobody")
    with pytest.raises(ScenarioError, match="not a vendor node"):
        compile_scenario(bad)
    dated = _racks("r", 2, vendor="oem", delivery_date="2027-02-01")
    with pytest.raises(sup.SupplyError, match="fixed delivery date"):
        sup.supply_plan([dated, _vendor()], START, seed=0)


def _rack_delivery(sc: Scenario, **delivery: Any) -> Scenario:
    """``sc`` with the node "rack" delivered as ``delivery`` says."""
    new = _racks("x", 1, **delivery).delivery
    nodes = [n.model_copy(update={"delivery": new}) if n.id == "rack" else n for n in sc.nodes]
    return sc.model_copy(update={"nodes": nodes})


def _ordered_hall(vendor: Vendor) -> Scenario:
    """Four racks ordered from ``vendor`` into a built hall; 30 days, training waits for them."""
    sc = hall("air", racks=4, settings={"horizon_s": 30 * DAY, "step_s": 3600.0})
    sc = _rack_delivery(sc, vendor=vendor.id)
    return sc.model_copy(update={"nodes": [*sc.nodes, vendor]})


def _arrived_day(eng: Engine) -> float:
    times = [e.time_s for e in eng.events if e.kind == "delivery_arrived" and e.node_id == "rack"]
    assert times, "the racks never arrived"
    return times[0] / DAY


def test_a_disruption_means_later_energization_and_more_waiting_cost() -> None:
    runs = {}
    for label, vendor in (
        ("calm", _vendor()),
        ("disrupted", _vendor(disruption_start_day=5.0, disruption_length_days=12.0)),
    ):
        eng = Engine(compile_scenario(_ordered_hall(vendor)), seed=0)
        eng.run()
        runs[label] = eng
    calm, hit = runs["calm"], runs["disrupted"]
    assert _arrived_day(calm) == pytest.approx(10.0, abs=0.05)
    assert _arrived_day(hit) == pytest.approx(17.0, abs=0.05)
    # The racks draw power only from arrival: the IT energy falls with the 7 lost days.
    it_calm = np.asarray(calm.recorder.series("it_power_kw"))
    it_hit = np.asarray(hit.recorder.series("it_power_kw"))
    assert np.all(it_calm[: 9 * 24] < 50.0) and it_calm[11 * 24] > 20.0
    assert np.all(it_hit[: 16 * 24] < 50.0)
    k_calm, k_hit = calm.kpis(), hit.kpis()
    # The building waits 17 instead of 10 days for the racks (the racks are nearly all of it).
    assert k_hit["waiting_cost_usd"] == pytest.approx(1.7 * k_calm["waiting_cost_usd"], rel=0.05)
    assert k_hit["gpu_hours_delivered"] < k_calm["gpu_hours_delivered"] - 6 * 24 * 32
    assert k_hit["cost_per_gpu_hour_usd"] > k_calm["cost_per_gpu_hour_usd"]


def test_the_engine_draws_deliveries_for_its_own_seed() -> None:
    vendor = _vendor(lead_time_median_days=10.0, lead_time_spread=0.5)
    compiled = compile_scenario(_ordered_hall(vendor))
    rack = compiled.index["rack"]
    seen = {Engine(compiled, seed=s).compiled.nodes.arrival_s[rack] for s in range(5)}
    assert len(seen) == 5
    assert Engine(compiled, seed=0).compiled is compiled  # the file's seed: drawn at compile
    same = Engine(compiled, seed=3).compiled.nodes.arrival_s[rack]
    assert Engine(compiled, seed=3).compiled.nodes.arrival_s[rack] == same


def test_monte_carlo_spreads_the_delivery_date() -> None:
    vendor = _vendor(lead_time_median_days=10.0, lead_time_spread=0.6)
    options = StudyOptions(horizon_s=30 * DAY, step_s=6 * 3600.0, max_points=10)
    mc = monte_carlo(_ordered_hall(vendor), 6, seed=0, options=options)
    waiting = mc.kpis["waiting_cost_usd"]
    assert np.nanmax(waiting) > 1.5 * np.nanmin(waiting)


def test_the_rules_report_a_bad_vendor_reference_as_an_error_on_the_field() -> None:
    from aifactory_twin.rules import check

    sc = _ordered_hall(_vendor())
    assert not [f for f in check(sc) if f.code == "bad-vendor-order"]
    ghost = _rack_delivery(sc, vendor="oem", second_vendor="ghost")
    found = [f for f in check(ghost) if f.code == "bad-vendor-order"]
    assert [(f.severity, f.path, f.ids) for f in found] == [
        ("error", "nodes[0].delivery.second_vendor", ("rack",))
    ]
    assert "'ghost'" in found[0].message


def test_the_uncertainty_study_varies_deliveries_and_pairs_dual_sourcing() -> None:
    from aifactory_twin.schema import Override, UncertainInput, Variant
    from aifactory_twin.study.uncertainty import uncertainty

    sc = _ordered_hall(_vendor(lead_time_median_days=10.0, lead_time_spread=0.5))
    alt = _vendor("alt", lead_time_median_days=12.0, lead_time_spread=0.5)
    dual = Variant(
        name="dual", overrides=[Override(target="rack", path="delivery.second_vendor", value="alt")]
    )
    median = UncertainInput(
        target="oem", path="lead_time_median_days", distribution="triangular",
        low=8.0, mode=10.0, high=14.0,
    )  # fmt: skip
    sc = sc.model_copy(
        update={"nodes": [*sc.nodes, alt], "variants": [dual], "uncertain": [median]}
    )
    options = StudyOptions(horizon_s=30 * DAY, step_s=6 * 3600.0, series=(), max_points=None)
    result = uncertainty(sc, 8, variants=["base", "dual"], options=options, tornado=False)
    single, both = result.kpis["base"]["waiting_cost_usd"], result.kpis["dual"]["waiting_cost_usd"]
    assert np.nanmax(single) > 1.3 * np.nanmin(single)  # the draws move the delivery date
    assert np.all(both <= single + 1e-6)  # same draws and seeds: a second source never delays
    assert both.mean() < single.mean()
