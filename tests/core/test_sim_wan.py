"""WAN edges (issue 14): path latency, placement within the target, shared link bandwidth,
the migration of version-1 site uplinks, and the rules that name a WAN edge by its id."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_sim_builders import hall
from test_sim_sites import DAY, _edge_and_cloud, _run

from aifactory_twin.catalog import preset_node
from aifactory_twin.graph import WanPaths
from aifactory_twin.io import load_scenario, loads_scenario
from aifactory_twin.rules import check
from aifactory_twin.schema import InferenceService, Scenario, Site, WanLink
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.sim.models.wan import link_tokens_per_s

GOLDEN_SITES_V1 = Path(__file__).resolve().parent.parent / "data" / "sites_v1.aift.json"


def test_moving_the_cloud_farther_moves_the_latency_and_what_is_served() -> None:
    near, far = _edge_and_cloud(), _edge_and_cloud(link={"latency_ms": 70.0})
    assert WanPaths(near).latency_ms("north", "cloud-region") == 40.0
    assert WanPaths(far).latency_ms("north", "cloud-region") == 70.0  # exactly 30 ms more
    # 70 ms is past the 60 ms target: the cloud may no longer serve, only the 32 local GPUs.
    assert compile_scenario(far).workloads.inf_cloud_mask[0].tolist() == [False]
    assert _run(near)["inference_tokens"] == pytest.approx(60000.0 * DAY, rel=1e-6)
    assert _run(far)["inference_tokens"] == pytest.approx(32000.0 * DAY, rel=0.01)


def test_the_path_is_the_lowest_latency_one_and_sums_its_links() -> None:
    sc = _edge_and_cloud(link={"latency_ms": 90.0})
    hop = [
        Site(id="metro"),
        WanLink(id="north-metro", source="north", target="metro", latency_ms=15.0),
        WanLink(id="metro-cloud", source="metro", target="cloud-region", latency_ms=25.0),
    ]
    sc = sc.model_copy(update={"nodes": [*sc.nodes, hop[0]], "edges": [*sc.edges, *hop[1:]]})
    paths = WanPaths(sc)
    assert paths.latency_ms("north", "cloud-region") == 40.0  # 15 + 25 beats the 90 ms link
    assert [e.id for e in paths.path("cloud-region", "north")] == ["metro-cloud", "north-metro"]
    assert compile_scenario(sc).workloads.inf_cloud_mask[0].tolist() == [True]


def _two_towns_one_backbone(backbone_gbps: float, both: bool = True) -> Scenario:
    """Users in "north" and "south" (4 local racks each) both overflow to one cloud region.

    Each town reaches the cloud over its own fat link to a "hub" site and the hub's one link
    to the cloud, which every remote token crosses.
    """
    sc = hall("air", racks=4, settings={"horizon_s": DAY, "step_s": 900.0})
    racks = next(n for n in sc.nodes if n.id == "rack")
    nodes = [n.model_copy(update={"group": "north"}) if n.id == "rack" else n for n in sc.nodes]
    nodes += [
        racks.model_copy(update={"id": "south-rack", "group": "south"}),
        preset_node("cloud_h100", "cloud", group="cloud-region", max_accelerators=512),
        Site(id="north"),
        Site(id="south"),
        Site(id="hub"),
        Site(id="cloud-region", egress_usd_per_gb=0.09),
    ]
    edges = [
        *sc.edges,
        WanLink(id="north-hub", source="north", target="hub", latency_ms=5.0),
        WanLink(id="south-hub", source="south", target="hub", latency_ms=5.0),
        WanLink(
            id="backbone",
            source="hub",
            target="cloud-region",
            latency_ms=20.0,
            bandwidth_gbps=backbone_gbps,
        ),
    ]
    services = [
        InferenceService(
            id=f"chat-{town}",
            peak_demand_tokens_per_s=60000.0,
            latency_target_ms=50.0,
            users_site=town,
            placement=[rack, "cloud"],
        )
        for town, rack in (("north", "rack"), ("south", "south-rack"))
    ][: 2 if both else 1]
    return sc.model_copy(update={"nodes": nodes, "edges": edges, "workloads": services})


def test_a_saturated_shared_link_lowers_served_throughput() -> None:
    # Each town serves 32k tokens/s locally and asks the cloud for 28k more: 56k over the
    # backbone. 0.032 Gb/s carries 20k tokens/s (200 B each), so it is saturated.
    cap_tps = link_tokens_per_s(0.032)
    assert cap_tps == pytest.approx(20000.0)
    fat = _run(_two_towns_one_backbone(100.0))
    thin = _run(_two_towns_one_backbone(0.032))
    assert fat["inference_tokens"] == pytest.approx(2 * 60000.0 * DAY, rel=1e-6)
    assert thin["inference_tokens"] == pytest.approx((2 * 32000.0 + cap_tps) * DAY, rel=1e-6)
    # Alone, one town's 28k tokens/s still exceed the link: it gets all 20k of it.
    alone = _run(_two_towns_one_backbone(0.032, both=False))
    assert alone["inference_tokens"] == pytest.approx((32000.0 + cap_tps) * DAY, rel=1e-6)
    # Egress is paid on what crossed, not on what was asked.
    per_token_usd = 200.0 / 1e9 * 0.09
    assert fat["egress_cost_usd"] == pytest.approx(2 * 28000.0 * DAY * per_token_usd, rel=1e-6)
    assert thin["egress_cost_usd"] == pytest.approx(cap_tps * DAY * per_token_usd, rel=1e-6)


def test_a_link_that_starts_to_saturate_is_logged_naming_the_edge() -> None:
    thin = Engine(compile_scenario(_two_towns_one_backbone(0.032)), seed=0)
    thin.run()
    (event,) = [e for e in thin.events if e.kind == "wan_saturated"]  # flat demand: once
    assert event.node_id == "hub" and "WAN edge 'backbone' saturated" in event.message
    assert "asked 56,000 tokens/s, carries 20,000" in event.message
    fat = Engine(compile_scenario(_two_towns_one_backbone(100.0)), seed=0)
    fat.run()
    assert fat.event_counts["wan_saturated"] == 0


def test_a_service_is_placed_on_the_racks_nearest_its_users_first() -> None:
    sc = _two_towns_one_backbone(100.0)
    # South's users may also use north's racks (10 ms away), listed first in node order.
    svc = sc.workloads[1].model_copy(update={"placement": ["rack", "south-rack", "cloud"]})
    sc = sc.model_copy(update={"workloads": [svc]})
    eng = Engine(compile_scenario(sc), seed=0)
    eng.run(until_s=3600.0)
    pl = eng.state.work.placement
    assert pl is not None
    column = {eng.compiled.node_ids[n]: r for r, n in enumerate(eng.compiled.racks.node)}
    south, rack = column["south-rack"], column["rack"]
    assert pl.inf[0, south] == 32.0  # all of its own racks before any of north's
    assert pl.inf[0, rack] > 0.0


# ----------------------------------------------------------------------- migration 1 → 2
def test_version_1_site_uplinks_become_wan_edges_with_the_same_results() -> None:
    raw = json.loads(GOLDEN_SITES_V1.read_text(encoding="utf-8"))
    assert raw["schema_version"] == 1
    old_rtt = {n["id"]: n["wan_rtt_ms"] for n in raw["nodes"] if n["kind"] == "site"}
    sc = load_scenario(GOLDEN_SITES_V1)
    links = {e.source: e for e in sc.edges if isinstance(e, WanLink)}
    assert set(links) == set(old_rtt)
    assert all(e.target == "wan-backbone" for e in links.values())
    assert {s: e.latency_ms for s, e in links.items()} == old_rtt
    paths = WanPaths(sc)
    # Hub and spoke as before: a pair of sites is the sum of their old uplinks apart.
    assert (
        paths.latency_ms("site-north", "site-south")
        == old_rtt["site-north"] + old_rtt["site-south"]
    )
    assert [str(f) for f in check(sc)] == []
    # The week's tokens of the edge-inference scene as version 1 computed them.
    assert _run(sc)["inference_tokens"] == pytest.approx(11431929600.0, rel=1e-9)


def _v1(nodes: list[dict[str, Any]], **more: Any) -> str:
    return json.dumps(
        {"format": "aifactory-twin-scenario", "schema_version": 1, "nodes": nodes, **more}
    )


def test_the_migration_keeps_the_main_hall_on_the_backbone_and_moves_overrides() -> None:
    nodes = [
        {"kind": "site", "id": "edge", "wan_rtt_ms": 7.0, "wan_bandwidth_gbps": 2.0},
        {"kind": "site", "id": "region"},  # a hand-written file: the version-1 defaults
        {"kind": "network_switch", "id": "core"},  # at no site: the main hall
    ]
    variants = [
        {"name": "far", "overrides": [{"target": "edge", "path": "wan_rtt_ms", "value": 30.0}]}
    ]
    sc = loads_scenario(_v1(nodes, variants=variants), check_rules=False)
    by_id = {e.id: e for e in sc.edges if isinstance(e, WanLink)}
    assert sorted(by_id) == ["wan-edge", "wan-main-hall", "wan-region"]
    assert (by_id["wan-edge"].latency_ms, by_id["wan-edge"].bandwidth_gbps) == (7.0, 2.0)
    assert (by_id["wan-region"].latency_ms, by_id["wan-region"].bandwidth_gbps) == (20.0, 10.0)
    hall_link = by_id["wan-main-hall"]
    assert (hall_link.target, hall_link.latency_ms, hall_link.bandwidth_gbps) == ("core", 0.0, 12.0)
    assert WanPaths(sc).latency_ms("edge", "") == 7.0  # the main hall, as version 1 had it
    (override,) = sc.variants[0].overrides
    assert (override.target, override.path) == ("wan-edge", "latency_ms")


def test_a_version_1_file_without_sites_is_unchanged() -> None:
    text = _v1([{"kind": "compute_rack", "id": "rack"}])
    sc = loads_scenario(text, check_rules=False)
    assert sc.edges == [] and [n.id for n in sc.nodes] == ["rack"]


# ----------------------------------------------------------------------------- rules
def test_wan_edge_problems_name_the_edge() -> None:
    sc = _edge_and_cloud()
    inner = WanLink(id="wan-loop", source="north", target="sw")
    switch = preset_node("roce_400", "sw", group="north")
    looped = sc.model_copy(update={"nodes": [*sc.nodes, switch], "edges": [*sc.edges, inner]})
    (found,) = [f for f in check(looped) if f.code == "wan-edge-same-place"]
    assert found.severity == "warning" and found.ids[0] == "wan-loop"
    assert found.path == f"edges[{len(looped.edges) - 1}]" and "'wan-loop'" in found.message
    wrong = WanLink(id="wan-rack", source="north", target="rack")
    bad = sc.model_copy(update={"edges": [*sc.edges, wrong]})
    (refused,) = [f for f in check(bad) if f.code == "edge-not-allowed"]
    assert "wan-rack" in refused.ids


def test_saturated_links_run_the_same_in_quiet_stretches() -> None:
    from test_quiet_stretches import _run as run_stepped
    from test_quiet_stretches import assert_same_run

    c = compile_scenario(_two_towns_one_backbone(0.032))
    assert_same_run(run_stepped(c, fast=False), run_stepped(c, fast=True))
    sc = load_scenario(Path(__file__).resolve().parents[2] / "scenes" / "hybrid-burst.aift.json")
    c = compile_scenario(sc, variant="cloud over a 100 Mbps VPN", horizon_s=2 * DAY)
    fixed, fast = run_stepped(c, fast=False), run_stepped(c, fast=True)
    assert_same_run(fixed, fast)
    assert fixed.event_counts["wan_saturated"] == 2  # one afternoon peak a day


def test_a_variant_overrides_a_wan_edges_values_but_not_its_ends() -> None:
    from aifactory_twin.errors import ScenarioError
    from aifactory_twin.schema import Override, Variant
    from aifactory_twin.variants import apply_variant, diff_overrides

    far = Variant(
        name="far", overrides=[Override(target="wan-north", path="latency_ms", value=70.0)]
    )
    sc = _edge_and_cloud().model_copy(update={"variants": [far]})
    applied = apply_variant(sc, "far")
    assert WanPaths(applied).latency_ms("north", "cloud-region") == 70.0
    assert compile_scenario(sc, variant="far").workloads.inf_cloud_mask[0].tolist() == [False]
    assert diff_overrides(sc, applied) == far.overrides
    assert not [f for f in check(sc) if f.code == "override-missing-target"]
    moved = Variant(
        name="moved", overrides=[Override(target="wan-north", path="target", value="x")]
    )
    with pytest.raises(ScenarioError, match="part of the structure"):
        apply_variant(sc.model_copy(update={"variants": [moved]}), "moved")
