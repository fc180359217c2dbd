"""The performance model in the compiler and the engine (issue 11): predicted MFU from the drawn
fabric, the target_mfu override, infeasible layouts, and the engine acting on top."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from aifactory_twin.catalog_models import MODEL_PRESETS
from aifactory_twin.errors import ScenarioError
from aifactory_twin.io.load import load_scenario
from aifactory_twin.resources import scenes_dir
from aifactory_twin.schema import ComputeRack, ParallelLayout, Scenario, TrainingJob
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.sim.models.compute import DEFAULT_TARGET_MFU

LLAMA = scenes_dir() / "llama-scale-16k.aift.json"


def _llama(**job_fields: Any) -> Scenario:
    sc = load_scenario(LLAMA)
    (job,) = sc.workloads
    return sc.model_copy(update={"workloads": [job.model_copy(update=job_fields)]})


def _tokens_per_step(job: TrainingJob) -> float:
    assert job.model is not None
    return float(job.model.global_batch_tokens // job.model.seq_len * job.model.seq_len)


def test_cleared_target_mfu_is_predicted_on_the_six_n_d_basis() -> None:
    sc = _llama(target_mfu=None)
    c = compile_scenario(sc)
    (job,) = sc.workloads
    assert isinstance(job, TrainingJob)
    (b,) = c.perf.breakdown
    assert b is not None and bool(c.perf.predicted[0])
    # The engine's 6·N·D FLOPs at gpus · peak · MFU finish one step per model step time.
    model_step = b.step_s - b.parts_s["data_feed"] - b.parts_s["stalls"]
    flops_per_step = 6.0 * job.parameters_b * 1e9 * _tokens_per_step(job)
    expected = flops_per_step / (model_step * 16384 * 989.4e12)
    assert c.workloads.mfu[0] == pytest.approx(expected, rel=1e-9)
    assert c.perf.predicted_mfu[0] == c.workloads.mfu[0]
    # Near the published run: Llama 3 Table 4 reports 41 % MFU (model FLOPs) at this layout.
    assert b.mfu == pytest.approx(0.41, rel=0.10)
    assert "TP8 PP16" in b.layout and "DP128" in b.layout


def test_target_mfu_overrides_and_a_job_without_model_keeps_the_default() -> None:
    typed = compile_scenario(_llama())
    assert typed.workloads.mfu[0] == 0.41
    assert not typed.perf.predicted[0] and typed.perf.breakdown[0] is not None
    assert typed.perf.predicted_mfu[0] < 0.41
    bare = compile_scenario(_llama(target_mfu=None, model=None))
    assert bare.workloads.mfu[0] == DEFAULT_TARGET_MFU and bare.perf.breakdown == (None,)


def test_predicted_mfu_follows_the_drawn_fabric() -> None:
    base = compile_scenario(_llama(target_mfu=None))
    slow_nic = compile_scenario(load_scenario(LLAMA), "200G NICs")
    # Tapering the aggregation tier 4:1 (drawn on the switches) slows the gradient sync too.
    sc = _llama(target_mfu=None)
    tapered = [
        n.model_copy(update={"oversubscription": 4.0}) if n.id.endswith("-leaf") else n
        for n in sc.nodes
    ]
    oversub = compile_scenario(sc.model_copy(update={"nodes": tapered}))
    b0, b1, b2 = base.perf.breakdown[0], slow_nic.perf.breakdown[0], oversub.perf.breakdown[0]
    assert b0 is not None and b1 is not None and b2 is not None
    assert b1.parts_s["dp"] > b0.parts_s["dp"] and b2.parts_s["dp"] > b0.parts_s["dp"]
    assert slow_nic.workloads.mfu[0] < base.workloads.mfu[0]
    assert oversub.workloads.mfu[0] < base.workloads.mfu[0]
    # A bigger NVLink domain on every server lets the search use wider tensor parallelism.
    sc_auto = _llama(target_mfu=None, layout=ParallelLayout())
    nvl = [
        n.model_copy(update={"scale_up_domain": 64}) if isinstance(n, ComputeRack) else n
        for n in sc_auto.nodes
    ]
    wide = compile_scenario(sc_auto.model_copy(update={"nodes": nvl}))
    assert wide.workloads.mfu[0] >= compile_scenario(sc_auto).workloads.mfu[0]


def test_the_engine_runs_a_predicted_job_at_the_predicted_rate() -> None:
    sc = load_scenario(LLAMA)
    day = sc.model_copy(update={"settings": sc.settings.model_copy(update={"horizon_s": 86400.0})})
    progress = {}
    mfu = {}
    for variant in (None, "predicted MFU"):
        c = compile_scenario(day, variant)
        eng = Engine(c, seed=0)
        eng.run()
        progress[variant] = eng.kpis()["jobs"][0]["progress"]
        mfu[variant] = float(c.workloads.mfu[0])
    # Same factory, same derates, failures and checkpoints on top: progress scales with MFU.
    ratio = progress["predicted MFU"] / progress[None]
    assert ratio == pytest.approx(mfu["predicted MFU"] / mfu[None], rel=1e-3)


def test_an_explicit_layout_that_does_not_fit_is_a_compile_error_naming_the_job() -> None:
    # TP8 alone with ZeRO-1: 405e9 × 2 B of bf16 weights / 8 ≈ 101 GB per GPU before anything else.
    sc = _llama(target_mfu=None, layout=ParallelLayout(tensor=8, pipeline=1, zero_stage=1))
    with pytest.raises(ScenarioError) as err:
        compile_scenario(sc)
    (problem,) = err.value.problems
    assert problem.path == "workloads[0].layout"
    assert "'llama-405b'" in problem.message and "GB per accelerator" in problem.message


def test_a_preset_model_on_a_small_hall_predicts_a_plausible_mfu() -> None:
    from test_sim_builders import hall

    sc = hall("air", racks=16)
    (job,) = [w for w in sc.workloads if isinstance(w, TrainingJob)]
    model = MODEL_PRESETS["llama2_70b"].model
    job2 = job.model_copy(update={"model": model, "target_mfu": None, "parameters_b": 70.0})
    c = compile_scenario(sc.model_copy(update={"workloads": [job2]}))
    assert 0.2 < float(c.workloads.mfu[0]) < 0.6
    assert np.isfinite(c.perf.predicted_mfu).all()
