"""Power caps, supply chain and cloud burst (launches: test_sim_launch.py)."""

from __future__ import annotations

import pytest
from test_sim_builders import hall

from aifactory_twin.catalog import preset_node
from aifactory_twin.schema import Delivery, InferenceService, Scenario
from aifactory_twin.sim import STATUS_NAMES, Engine, compile_scenario


def _run(sc: Scenario, seed: int = 0) -> Engine:
    eng = Engine(compile_scenario(sc), seed=seed)
    eng.run()
    return eng


def _replace(sc: Scenario, node_id: str, **changes: object) -> Scenario:
    nodes = [n.model_copy(update=changes) if n.id == node_id else n for n in sc.nodes]
    return sc.model_copy(update={"nodes": nodes})


def test_an_undersized_pdu_caps_power_and_slows_the_job() -> None:
    base = hall("air", racks=8)
    small = _replace(base, "pdu", count=1, power_rating_kw=40.0)
    full, capped = _run(base), _run(small)
    assert capped.kpis()["mean_it_power_kw"] < 0.8 * full.kpis()["mean_it_power_kw"]
    assert capped.kpis()["jobs"][0]["progress"] < full.kpis()["jobs"][0]["progress"]
    assert any(e.kind == "overload" for e in capped.events)
    assert not any(e.kind == "overload" for e in full.events)


def test_units_arrive_after_their_lead_time_and_capex_is_paid_then() -> None:
    sc = _replace(
        hall("air", racks=8, settings={"horizon_s": 4 * 86400.0, "step_s": 3600.0}),
        "rack",
        delivery=Delivery(lead_time_days=2.0),
    )
    eng = Engine(compile_scenario(sc), seed=0)
    eng.run(until_s=86400.0)
    rack = eng.node_ids.index("rack")
    assert STATUS_NAMES[int(eng.node_state()["status"][rack])] == "waiting_delivery"
    capex_before = eng.kpis()["capex_usd"]
    assert eng.recorder.series("gpus_up").max() == 0.0
    eng.run()
    assert STATUS_NAMES[int(eng.node_state()["status"][rack])] == "up"
    assert eng.kpis()["capex_usd"] == pytest.approx(capex_before + 8 * 300000.0)
    assert eng.recorder.series("gpus_up")[-1] == 64.0
    assert any(e.kind == "delivery_arrived" and e.node_id == "rack" for e in eng.events)


def test_idle_capacity_shows_as_idle_cost() -> None:
    busy = _run(hall("air", racks=8)).kpis()
    idle_sc = hall("air", racks=8).model_copy(update={"workloads": []})
    idle = _run(idle_sc).kpis()
    assert busy["idle_cost_usd"] == pytest.approx(0.0, abs=1e-6)
    assert idle["idle_cost_usd"] > 0
    assert idle["mean_utilization"] == 0.0
    assert idle["energy_cost_usd"] < busy["energy_cost_usd"]


def test_inference_beyond_site_capacity_bursts_to_the_cloud() -> None:
    sc = hall("air", racks=2).model_copy(update={"workloads": []})
    cloud = preset_node("cloud_h100", "cloud")
    svc = InferenceService(
        id="chat", peak_demand_tokens_per_s=40000.0, tokens_per_s_per_accelerator=1000.0
    )
    burst = _run(sc.model_copy(update={"nodes": [*sc.nodes, cloud], "workloads": [svc]}))
    kpis = burst.kpis()
    # 40 accelerators wanted, 16 on site: 24 rented for the whole day at the catalog price.
    assert kpis["cloud_cost_usd"] == pytest.approx(24 * 24 * 2.5)
    assert kpis["inference_tokens"] == pytest.approx(40000.0 * 86400.0)
    no_cloud = _run(sc.model_copy(update={"workloads": [svc]})).kpis()
    assert no_cloud["cloud_cost_usd"] == 0.0
    assert no_cloud["inference_tokens"] == pytest.approx(16000.0 * 86400.0)


def test_power_edges_decide_what_a_failed_ups_starves() -> None:
    sc = hall("air", racks=8)
    unfed = sc.model_copy(
        update={"edges": [e for e in sc.edges if not (e.kind == "power" and e.target == "rack")]}
    )
    # No power edge: the rack draws from an unmodelled supply and keeps running.
    assert _run(_replace(unfed, "ups", ups_rating_kw=1.0)).kpis()["jobs"][0]["progress"] > 0
    starved = _run(_replace(sc, "ups", count=1, ups_rating_kw=1.0))
    normal = _run(sc)
    rack = starved.node_ids.index("rack")
    assert starved.node_state()["power_kw"][rack] < 0.05 * normal.node_state()["power_kw"][rack]
    assert starved.kpis()["jobs"][0]["progress"] < 0.05 * normal.kpis()["jobs"][0]["progress"]
