"""Sites and the WAN (issue 14): latency-driven placement, WAN caps, egress, technician travel."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from test_sim_builders import hall

from aifactory_twin.catalog import preset_node
from aifactory_twin.errors import ScenarioError
from aifactory_twin.rules import check
from aifactory_twin.schema import InferenceService, Scenario, Site, WanLink
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.sim.models.wan import STREAM_BYTES_PER_TOKEN

DAY = 86400.0


def _edge_and_cloud(
    target_ms: float = 60.0,
    demand_tps: float = 60000.0,
    link: dict[str, Any] | None = None,
    cloud: dict[str, Any] | None = None,
    users: str = "north",
) -> Scenario:
    """Four DGX racks at the edge site "north"; rented H100s in the region "cloud-region".

    A chat service for users at north asks for more than the racks serve (4 × 8 × 1,000 =
    32k tokens/s), so the rest comes from the cloud over the WAN edge "wan-north" (40 ms).
    """
    sc = hall("air", racks=4, settings={"horizon_s": DAY, "step_s": 900.0})
    nodes = [n.model_copy(update={"group": "north"}) if n.id == "rack" else n for n in sc.nodes]
    nodes += [
        preset_node("cloud_h100", "cloud", group="cloud-region"),
        Site(id="north"),
        Site(id="cloud-region", **{"egress_usd_per_gb": 0.09, **(cloud or {})}),
    ]
    wan = WanLink(
        id="wan-north",
        source="north",
        target="cloud-region",
        **{"latency_ms": 40.0, **(link or {})},
    )
    svc = InferenceService(
        id="chat",
        peak_demand_tokens_per_s=demand_tps,
        latency_target_ms=target_ms,
        users_site=users,
        placement=["rack", "cloud"],
    )
    return sc.model_copy(update={"nodes": nodes, "edges": [*sc.edges, wan], "workloads": [svc]})


def _run(sc: Scenario) -> dict[str, Any]:
    eng = Engine(compile_scenario(sc), seed=0)
    eng.run()
    return eng.kpis()


def test_the_latency_target_decides_which_sites_may_serve() -> None:
    near = compile_scenario(_edge_and_cloud(target_ms=60.0)).workloads
    assert near.inf_rack_mask[0].tolist() == [True]
    assert near.inf_cloud_mask[0].tolist() == [True]  # 40 ms ≤ 60 ms
    assert near.wan is not None and near.wan.remote_cloud[0].tolist() == [True]
    tight = compile_scenario(_edge_and_cloud(target_ms=30.0)).workloads
    assert tight.inf_cloud_mask[0].tolist() == [False]  # 40 ms > 30 ms: the edge alone
    served_near, served_tight = _run(_edge_and_cloud(60.0)), _run(_edge_and_cloud(30.0))
    assert served_near["inference_tokens"] == pytest.approx(60000.0 * DAY, rel=1e-6)
    assert served_tight["inference_tokens"] == pytest.approx(32000.0 * DAY, rel=0.01)


def test_a_service_no_site_can_reach_in_time_is_an_error_naming_it() -> None:
    sc = _edge_and_cloud(target_ms=20.0)
    sc = sc.model_copy(
        update={"workloads": [sc.workloads[0].model_copy(update={"placement": ["cloud"]})]}
    )
    found = [f for f in check(sc) if f.code == "latency-unreachable"]
    assert [(f.severity, f.path, f.ids) for f in found] == [
        ("error", "workloads[0].latency_target_ms", ("chat",))
    ]
    assert "nearest: 'cloud' at 40 ms over WAN edges 'wan-north'" in found[0].message
    with pytest.raises(ScenarioError, match="within 20 ms of its users"):
        compile_scenario(sc)
    ghost = _edge_and_cloud(users="south")
    assert [f.path for f in check(ghost) if f.code == "latency-unreachable"] == [
        "workloads[0].users_site"
    ]
    unlinked = sc.model_copy(update={"edges": [e for e in sc.edges if e.kind != "wan"]})
    (lonely,) = [f for f in check(unlinked) if f.code == "latency-unreachable"]
    assert "no path of wan edges reaches any of its hosts" in lonely.message


def test_remote_responses_pay_the_serving_sites_egress() -> None:
    k = _run(_edge_and_cloud())
    # 28k tokens/s from the cloud all day, 200 bytes each, $0.09/GB.
    expected = 28000.0 * DAY * STREAM_BYTES_PER_TOKEN / 1e9 * 0.09
    assert k["egress_cost_usd"] == pytest.approx(expected, rel=0.01)
    free = _run(_edge_and_cloud(cloud={"egress_usd_per_gb": 0.0}))
    assert free["egress_cost_usd"] == 0.0
    assert k["cloud_cost_usd"] == pytest.approx(free["cloud_cost_usd"] + expected, rel=0.01)
    assert k["total_cost_usd"] > free["total_cost_usd"]


def test_a_thin_link_caps_what_can_be_served_from_afar() -> None:
    # 0.016 Gb/s = 2 MB/s = 10k streamed tokens/s from remote sites.
    thin = _run(_edge_and_cloud(link={"bandwidth_gbps": 0.016}))
    assert thin["inference_tokens"] == pytest.approx((32000.0 + 10000.0) * DAY, rel=0.01)


def test_no_users_site_means_no_latency_rule_and_results_as_before() -> None:
    sc = _edge_and_cloud(target_ms=1.0, users="")
    assert compile_scenario(sc).workloads.wan is None
    assert _run(sc)["egress_cost_usd"] == 0.0


def _remote_hall(travel_h: float) -> Scenario:
    """A failure-heavy hall at a remote site whose technicians are based at the hub."""
    sc = hall(
        "air",
        racks=32,
        ops_headcount=4,
        settings={"horizon_s": 20 * DAY, "step_s": 1800.0, "automation_level": 0.0},
    )
    nodes = []
    for n in sc.nodes:
        if n.id == "rack":
            n = n.model_copy(update={"group": "edge", "failure_rate_per_gpu_hour": 5e-4})
        if n.id == "ops":
            n = n.model_copy(update={"group": "hub"})
        nodes.append(n)
    nodes += [Site(id="edge", technician_travel_hours=travel_h), Site(id="hub")]
    return sc.model_copy(update={"nodes": nodes})


def test_technicians_travel_to_remote_sites_before_they_repair() -> None:
    far = Engine(compile_scenario(_remote_hall(6.0)), seed=3)
    rack = far.compiled.index["rack"]
    assert far.state.availability.repair_h_eff[rack] == pytest.approx(3.0 + 6.0)
    near = Engine(compile_scenario(_remote_hall(0.0)), seed=3)
    assert near.compiled.nodes.travel_h is None
    assert near.state.availability.repair_h_eff[rack] == pytest.approx(3.0)
    far.run()
    near.run()
    failed_far = float(np.mean(far.recorder.series("gpus_failed")))
    failed_near = float(np.mean(near.recorder.series("gpus_failed")))
    assert failed_far > 1.5 * failed_near
    assert far.kpis()["availability"] < near.kpis()["availability"]
