"""The shipped scenes: they load, are wired correctly, are clean by the rules and up to date."""

from __future__ import annotations

import importlib.util
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from aifactory_twin import rules
from aifactory_twin.catalog import accelerator_spec
from aifactory_twin.io import dumps_scenario
from aifactory_twin.resources import scenes_dir
from aifactory_twin.schema import (
    ALLOWED_CONNECTIONS,
    ComputeRack,
    CoolingUnit,
    InferenceService,
    PowerFeed,
    Scenario,
    TrainingJob,
)
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.variants import apply_variant

SCENE_NAMES = [
    "starter-lab",
    "training-cluster-1k",
    "shared-cluster-1k",
    "llama-scale-16k",
    "gb200-campus",
    "air-vs-liquid",
    "air-vs-liquid-climates",
    "hybrid-burst",
    "edge-inference",
    "frontier-scale",
]
DAY_S = 86400.0
_TOOL = Path(__file__).resolve().parents[2] / "tools" / "build_scenes.py"


@cache
def _text(name: str) -> str:
    return (scenes_dir() / f"{name}.aift.json").read_text(encoding="utf-8")


@cache
def _scene(name: str) -> Scenario:
    return Scenario.model_validate_json(_text(name))


@cache
def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_scenes", _TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _racks(sc: Scenario) -> list[ComputeRack]:
    return [n for n in sc.nodes if isinstance(n, ComputeRack)]


def _gpus(racks: list[ComputeRack]) -> int:
    return sum(r.accelerators_per_unit * r.count for r in racks)


def _compute_days(sc: Scenario, job: TrainingJob) -> float:
    """6·N·D over n × peak × MFU (domain-reference §7), peak from the placed racks' catalog."""
    rack = next(r for r in _racks(sc) if not job.placement or r.id in job.placement)
    peak_flops = accelerator_spec(rack.accelerator).peak_bf16_tflops * 1e12
    flops = 6 * job.parameters_b * 1e9 * job.tokens_t * 1e12
    return flops / (job.accelerators_requested * peak_flops * job.target_mfu) / DAY_S


def test_every_shipped_scene_is_listed() -> None:
    shipped = sorted(p.name.removesuffix(".aift.json") for p in scenes_dir().glob("*.aift.json"))
    assert shipped == sorted(SCENE_NAMES)


@pytest.mark.parametrize("name", SCENE_NAMES)
def test_scene_is_wired_correctly(name: str) -> None:
    sc = _scene(name)
    ids = [n.id for n in sc.nodes]
    assert len(ids) == len(set(ids))
    assert len({e.id for e in sc.edges}) == len(sc.edges)
    assert len({w.id for w in sc.workloads}) == len(sc.workloads)
    kind = {n.id: n.kind for n in sc.nodes}
    for edge in sc.edges:
        assert edge.source in kind and edge.target in kind, edge.id
        assert (kind[edge.source], kind[edge.target]) in ALLOWED_CONNECTIONS[edge.kind], edge.id
    for work in sc.workloads:
        assert all(p in kind for p in work.placement), work.id
    positions = Counter((n.position.x, n.position.y) for n in sc.nodes)
    assert positions.most_common(1)[0][1] == 1, "two nodes share a canvas position"
    assert sc.meta.name and sc.meta.description
    assert sc.workloads or sc.job_mix or sc.job_traces


# Scenes that study the hall (cooling, scale, the performance model) with an MLOps team but no
# governance team: their runs are evaluated and never reviewed, launches read 0, and the warning
# says why. (starter-lab has nobody to evaluate, so its runs never reach the review gate.)
NO_REVIEWERS = {"air-vs-liquid", "air-vs-liquid-climates", "llama-scale-16k", "frontier-scale"}


def _errors_and_hall_warnings(sc: Scenario) -> list[str]:
    """Every finding but the launch pipeline's missing reviewers."""
    return [str(f) for f in rules.check(sc) if f.code != "no-governance-team"]


@pytest.mark.parametrize("name", SCENE_NAMES)
def test_scene_has_no_rule_findings(name: str) -> None:
    assert _errors_and_hall_warnings(_scene(name)) == []
    warned = [f for f in rules.check(_scene(name)) if f.code == "no-governance-team"]
    assert bool(warned) == (name in NO_REVIEWERS)


@pytest.mark.parametrize("name", SCENE_NAMES)
def test_scene_file_is_canonical_and_matches_the_generator(name: str) -> None:
    assert _text(name) == dumps_scenario(_scene(name))
    assert _builder().dumps(_builder().SCENES[name]()) == _text(name)


def test_starter_lab_job_finishes_in_days() -> None:
    sc = _scene("starter-lab")
    assert _gpus(_racks(sc)) == 32
    job = sc.workloads[0]
    assert isinstance(job, TrainingJob)
    assert 1 < _compute_days(sc, job) < sc.settings.horizon_s / DAY_S


def test_training_cluster_1k_takes_three_to_five_weeks() -> None:
    sc = _scene("training-cluster-1k")
    assert _gpus(_racks(sc)) == 1024
    job = sc.workloads[0]
    assert isinstance(job, TrainingJob) and job.parameters_b == 70
    assert 21 <= _compute_days(sc, job) <= 35
    spine = next(n for n in sc.nodes if n.id == "spine")
    leaves = sum(n.count for n in sc.nodes if n.id.endswith("-leaf"))
    # k = 64 fat tree (§4.2): 1,024 hosts → 32 leaves × 32 downlinks, 16 spines.
    assert (leaves * 32, spine.count) == (1024, 16)


def test_shared_cluster_1k_backfill_raises_allocation_and_cuts_waits() -> None:
    sc = _scene("shared-cluster-1k")
    assert _gpus(_racks(sc)) == 1024 and not sc.workloads
    assert sum(m.jobs for m in sc.job_mix) == 200 and len({m.team for m in sc.job_mix}) == 3
    assert (sc.settings.scheduler_policy, sc.settings.backfill) == ("fcfs", "none")
    kpis = {}
    for name in (None, "EASY backfill"):
        eng = Engine(compile_scenario(sc, variant=name), seed=sc.settings.seed)
        eng.run()
        kpis[name] = eng.kpis()
    strict, easy = kpis[None], kpis["EASY backfill"]
    assert easy["mean_allocation"] > strict["mean_allocation"] + 0.02
    assert easy["mean_utilization"] > strict["mean_utilization"] + 0.02
    assert easy["queue_wait_mean_h"] < 0.8 * strict["queue_wait_mean_h"]


def test_llama_scale_matches_the_worked_example() -> None:
    sc = _scene("llama-scale-16k")
    job = sc.workloads[0]
    assert isinstance(job, TrainingJob)
    assert (job.parameters_b, job.tokens_t, job.target_mfu) == (405, 15.6, 0.41)
    assert job.accelerators_requested == _gpus(_racks(sc)) == 16384
    # §7: 63–71 days of pure compute at MFU 0.43–0.38.
    assert 63 <= _compute_days(sc, job) <= 71
    assert sc.settings.horizon_s >= 85 * DAY_S


def test_gb200_campus_is_phased_and_liquid() -> None:
    sc = _scene("gb200-campus")
    racks = _racks(sc)
    assert _gpus(racks) >= 100_000
    assert {r.accelerator for r in racks} == {"gb200"}
    assert {r.cooling for r in racks} == {"direct_liquid"}
    assert len({r.delivery.lead_time_days for r in racks}) >= 3
    feeds = [n for n in sc.nodes if isinstance(n, PowerFeed)]
    assert feeds and all(f.price.time_of_use for f in feeds)
    kinds = {w.kind for w in sc.workloads}
    assert kinds == {"training", "inference"}
    types = {n.cooling_type for n in sc.nodes if isinstance(n, CoolingUnit)}
    assert {"cdu", "dry_cooler"} <= types
    job = next(w for w in sc.workloads if isinstance(w, TrainingJob))
    placed = [r for r in racks if r.id in job.placement]
    delivered = [r for r in placed if r.delivery.lead_time_days * DAY_S <= job.start_s]
    assert _gpus(delivered) >= job.accelerators_requested


def test_air_vs_liquid_variants_apply_cleanly() -> None:
    sc = _scene("air-vs-liquid")
    assert [v.name for v in sc.variants] == ["air", "liquid"]
    air, liquid = apply_variant(sc, "air"), apply_variant(sc, "liquid")
    assert air == sc
    racks = next(r for r in _racks(liquid) if r.id == "racks")
    assert (racks.cooling, racks.liquid_heat_fraction) == ("direct_liquid", 0.8)
    main = next(n for n in liquid.nodes if n.id == "main-cooling")
    assert isinstance(main, CoolingUnit) and main.cooling_type == "cdu"
    assert _errors_and_hall_warnings(liquid) == []


def test_air_vs_liquid_climates_is_the_hall_for_a_year_in_two_climates() -> None:
    sc = _scene("air-vs-liquid-climates")
    base = _scene("air-vs-liquid")
    assert sc.nodes == base.nodes and sc.edges == base.edges
    assert (sc.settings.horizon_s, sc.settings.step_s) == (365 * DAY_S, 3600.0)
    climates = {v.name: apply_variant(sc, v.name).settings.ambient.climate for v in sc.variants}
    assert climates == {
        "air Stockholm": "stockholm_se",
        "liquid Stockholm": "stockholm_se",
        "air Phoenix": "phoenix_az",
        "liquid Phoenix": "phoenix_az",
    }
    liquid = apply_variant(sc, "liquid Phoenix")
    main = next(n for n in liquid.nodes if n.id == "main-cooling")
    assert isinstance(main, CoolingUnit) and main.cooling_type == "cdu"
    assert _errors_and_hall_warnings(liquid) == []


def test_hybrid_burst_peak_exceeds_the_site() -> None:
    sc = _scene("hybrid-burst")
    service = sc.workloads[0]
    assert isinstance(service, InferenceService)
    peak_gpus = service.peak_demand_tokens_per_s / service.tokens_per_s_per_accelerator
    on_site = _gpus([r for r in _racks(sc) if r.id in service.placement])
    cloud = sum(getattr(n, "max_accelerators", 0) for n in sc.nodes if n.kind == "cloud_burst")
    assert on_site < peak_gpus <= on_site + cloud
    assert min(service.daily_profile) < 0.5 < max(service.daily_profile) == 1.0


def test_edge_sites_are_small_and_air_cooled() -> None:
    sc = _scene("edge-inference")
    racks = _racks(sc)
    assert len({r.group for r in racks}) >= 3
    assert all(r.count <= 2 and r.cooling == "air" for r in racks)
    assert {w.kind for w in sc.workloads} == {"inference"}


def test_frontier_scale_shape() -> None:
    sc = _scene("frontier-scale")
    racks = _racks(sc)
    assert len(racks) == 9472
    assert all(r.count == 1 and r.accelerators_per_unit == 4 for r in racks)
    per_group = Counter(r.group for r in racks)
    assert len(per_group) == 74 and set(per_group.values()) == {128}
    kind = {n.id: n for n in sc.nodes}
    cdu_racks: dict[str, set[str]] = defaultdict(set)
    cooled, powered = set(), set()
    for e in sc.edges:
        target = kind[e.target]
        if e.kind == "coolant" and isinstance(target, ComputeRack):
            cdu_racks[e.source].add(target.group)
            cooled.add(e.target)
        if e.kind == "power" and isinstance(target, ComputeRack):
            assert kind[e.source].kind == "pdu"
            powered.add(e.target)
    assert len(cdu_racks) == 25
    assert all(len(groups) <= 3 for groups in cdu_racks.values())
    assert cooled == powered == {r.id for r in racks}
