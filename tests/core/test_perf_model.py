"""The performance model (issue 11): FLOP counts, pipeline bubble, communication, memory, search,
and the published runs it must reproduce within ±10 %."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from pydantic import ValidationError

from aifactory_twin.catalog_models import MODEL_PRESETS
from aifactory_twin.io.load import loads_scenario
from aifactory_twin.io.save import dumps_scenario
from aifactory_twin.perf import (
    MEGATRON_2021,
    MODERN,
    FabricFigures,
    Layouts,
    ModelShape,
    best_layout,
    candidates,
    evaluate,
    hardware_flops_per_token,
    model_flops_per_token,
)
from aifactory_twin.perf.breakdown import breakdown_of
from aifactory_twin.perf.collectives import NCCL_EFFICIENCY
from aifactory_twin.perf.from_scenario import shape_of
from aifactory_twin.perf.validation import (
    A100_80GB,
    CASES,
    H100_SXM,
    Case,
    gpt_shape,
    llama3_405b,
)
from aifactory_twin.schema import ModelDescription, ParallelLayout, Scenario, TrainingJob


def _layout(**f: float) -> Layouts:
    base = {"tp": 1, "pp": 1, "cp": 1, "dp": 1, "ep": 1, "mb": 1, "v": 1, "recompute": 0, "zero": 1}
    base.update(f)
    return Layouts(**{k: np.asarray([float(v)]) for k, v in base.items()})


@pytest.mark.parametrize(("h", "layers", "heads"), [(2304, 24, 24), (25600, 128, 160)])
def test_flop_count_is_narayanans_closed_form(h: int, layers: int, heads: int) -> None:
    shape = gpt_shape(h, heads, layers, batch=512)
    s, v = 2048.0, 51200.0
    # SC'21 §5.1, per token: 96·s·l·h²·(1 + s/(6h) + V/(16·l·h)) / s with full recompute.
    with_rc = 96.0 * layers * h**2 * (1 + s / (6 * h) + v / (16 * layers * h))
    without = 72.0 * layers * h**2 * (1 + s / (6 * h) + v / (12 * layers * h))
    assert hardware_flops_per_token(shape, 2) == pytest.approx(with_rc, rel=1e-12)
    assert model_flops_per_token(shape) == pytest.approx(without, rel=1e-12)
    assert hardware_flops_per_token(shape, 0) == model_flops_per_token(shape)
    sel = hardware_flops_per_token(shape, 1)
    assert model_flops_per_token(shape) < sel < with_rc


@pytest.mark.parametrize("preset", sorted(MODEL_PRESETS))
def test_presets_imply_their_published_parameter_counts(preset: str) -> None:
    p = MODEL_PRESETS[preset]
    shape = shape_of(p.model)
    assert shape.active_params / 1e9 == pytest.approx(p.parameters_b, rel=0.02)
    assert shape.total_params / 1e9 == pytest.approx(p.total_parameters_b, rel=0.02)
    assert set(p.sources) >= set(p.model.model_dump(exclude_defaults=True))
    assert all(src.startswith(("https://", "estimate: ")) for src in p.sources.values())


def _predicted(case: Case) -> float:
    res = best_layout(case.shape, case.gpus, case.device, case.fabric, case.framework, case.fixed)
    assert res.times is not None and res.feasible > 0, res.problem
    t = res.times
    got = t.hardware_tflops_per_gpu if case.metric == "hardware" else t.model_tflops_per_gpu
    return float(got[0])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_reproduces_published_throughput_within_ten_percent(case: Case) -> None:
    assert _predicted(case) == pytest.approx(case.published_tflops, rel=0.10)


def test_published_layouts_are_kept_where_given() -> None:
    case = CASES[-1]  # Llama 3, CP16 at 131k
    res = best_layout(case.shape, case.gpus, case.device, case.fabric, case.framework, case.fixed)
    assert res.layout is not None
    lay = res.layout
    assert (lay.tp[0], lay.pp[0], lay.cp[0], lay.dp[0]) == (8, 16, 16, 8)


def test_bubble_is_p_minus_one_over_vm_plus_p_minus_one() -> None:
    shape = llama3_405b()
    lay = _layout(tp=8, pp=16, dp=64, v=2, recompute=2)
    t = evaluate(shape, lay, H100_SXM, FabricFigures.uniform(400.0), MODERN)
    m = shape.batch_seqs / 64
    pipeline = t.step_s - t.dp_s - t.optimizer_s
    assert t.bubble_s[0] / pipeline[0] == pytest.approx(15 / (2 * m + 15), rel=1e-9)
    parts = t.compute_s + t.tp_s + t.cp_s + t.ep_s + t.pp_s + t.bubble_s
    assert parts[0] == pytest.approx(pipeline[0], rel=1e-9)


def _dp_heavy() -> tuple[ModelShape, Layouts]:
    # 70B-class on 1,024 GPUs: TP8, DP128 — the gradient sync crosses the whole fabric.
    shape = shape_of(MODEL_PRESETS["llama2_70b"].model)
    return shape, _layout(tp=8, dp=128, mb=1, recompute=2, zero=1)


@pytest.mark.parametrize(("nic", "oversub"), [(200.0, 1.0), (400.0, 4.0)])
def test_slower_fabric_lowers_mfu_by_the_exposed_gradient_sync(nic: float, oversub: float) -> None:
    shape, lay = _dp_heavy()
    # One 8-GPU server per leaf: each DP ring (one rank per server) leaves every leaf, so the
    # whole reduce-scatter runs at the tapered rate.
    leaf = 8.0
    base = evaluate(shape, lay, H100_SXM, FabricFigures.uniform(400.0, 1.0, leaf), MODERN)
    slow = evaluate(shape, lay, H100_SXM, FabricFigures.uniform(nic, oversub, leaf), MODERN)
    assert slow.mfu[0] < base.mfu[0]
    # By hand: reduce-scatter of fp32 gradients and all-gather of bf16 weights, DP ranks one per
    # server, ring over 128 at the fabric's per-GPU rate; hidden behind one micro-batch.
    params = (
        80 * shape.attn_params_per_layer + 80 * shape.mlp_params_per_expert + shape.embedding_params
    ) / 8

    def sync_s(gbps: float) -> float:
        b = gbps / 8 * 1e9 * NCCL_EFFICIENCY
        ring = 127 / 128 / b
        rs = ring * params * 4 + 127 * 3e-6
        ag = ring * params * 2 + 127 * 3e-6
        stage = float(base.compute_s[0]) / (shape.batch_seqs / 128)
        return max(rs - 2 / 3 * stage, 0.0) + max(ag - 1 / 3 * stage, 0.0)

    expected = sync_s(nic / oversub) - sync_s(400.0)
    assert expected > 0
    assert slow.dp_s[0] - base.dp_s[0] == pytest.approx(expected, rel=1e-6)
    assert slow.step_s[0] - base.step_s[0] == pytest.approx(expected, rel=1e-6)
    mfu_expected = base.mfu[0] * base.step_s[0] / (base.step_s[0] + expected)
    assert slow.mfu[0] == pytest.approx(mfu_expected, rel=1e-9)


def test_topology_aware_order_shields_data_parallel_from_a_tapered_top_tier() -> None:
    # Llama 3's pods: full bisection inside 3,072 GPUs, 1:7 above. With TP·CP·PP = 128 groups
    # per pod, each ring leaves a pod once and the uplinks are not the bottleneck.
    shape = llama3_405b()
    lay = _layout(tp=8, pp=16, dp=64, v=4, recompute=2)
    pods = evaluate(shape, lay, H100_SXM, FabricFigures(400.0, 400.0 / 7, 3072.0), MODERN)
    flat = evaluate(shape, lay, H100_SXM, FabricFigures.uniform(400.0, 1.0, 3072.0), MODERN)
    assert pods.dp_s[0] == pytest.approx(flat.dp_s[0])


def test_larger_nvlink_domain_helps_tensor_parallel_heavy_layouts() -> None:
    shape = llama3_405b()
    fabric = FabricFigures.uniform(400.0)
    hgx = H100_SXM
    nvl72 = replace(H100_SXM, scale_up_domain=72)
    tp16 = _layout(tp=16, pp=8, dp=128, v=2, recompute=2)
    small = evaluate(shape, tp16, hgx, fabric, MODERN)
    big = evaluate(shape, tp16, nvl72, fabric, MODERN)
    assert big.tp_s[0] < 0.8 * small.tp_s[0]
    assert big.mfu[0] > small.mfu[0]
    # TP8 fits in either domain: the domain size does not matter to it.
    tp8 = _layout(tp=8, pp=16, dp=128, v=2, recompute=2)
    assert evaluate(shape, tp8, nvl72, fabric, MODERN).tp_s[0] == pytest.approx(
        evaluate(shape, tp8, hgx, fabric, MODERN).tp_s[0]
    )
    best_small = best_layout(shape, 16384, hgx, fabric, MODERN)
    best_big = best_layout(shape, 16384, nvl72, fabric, MODERN)
    assert best_small.times is not None and best_big.times is not None
    assert best_big.times.mfu[0] >= best_small.times.mfu[0]


def test_memory_falls_with_zero_stage_and_recompute() -> None:
    shape = shape_of(MODEL_PRESETS["gpt3_175b"].model)
    fab = FabricFigures.uniform(200.0)

    def mem(**f: float) -> float:
        return float(evaluate(shape, _layout(**f), A100_80GB, fab, MEGATRON_2021).memory_gb[0])

    common = {"tp": 8, "pp": 8, "dp": 16}
    z = [mem(**common, zero=k) for k in (0, 1, 2, 3)]
    assert z[0] > z[1] > z[2] > z[3]
    assert mem(**common, recompute=2) < mem(**common, recompute=0)
    # 175B replicated optimizer state on TP8 PP8: 175e9·18 B / 64 ≈ 49 GB before activations.
    assert z[0] > 175e9 * 18 / 64 / 1e9


def test_explicit_layout_that_does_not_fit_is_reported() -> None:
    shape = llama3_405b()
    res = best_layout(shape, 64, H100_SXM, FabricFigures.uniform(400.0), MODERN, {"tp": 8})
    assert res.feasible == 0
    assert "GB per accelerator" in res.problem
    assert res.memory_gb["optimizer"] > 0


def test_search_returns_only_divisible_layouts() -> None:
    shape = shape_of(MODEL_PRESETS["mixtral_8x7b"].model)
    lay = candidates(shape, 768, {})
    assert len(lay) > 0
    assert np.all(lay.tp * lay.pp * lay.cp * lay.dp == 768)
    assert np.all(np.mod(shape.heads, lay.tp) == 0)
    assert np.all(np.mod(shape.seq_len, lay.cp) == 0)
    assert np.all(np.mod(shape.batch_seqs, lay.dp * lay.mb) == 0)
    assert np.all(np.mod(np.ceil(shape.layers / lay.pp), lay.v) == 0)
    assert np.all((np.mod(lay.dp, lay.ep) == 0) & (np.mod(shape.experts, lay.ep) == 0))
    assert len(candidates(shape, 768, {"tp": 3})) == 0


def test_auto_layout_is_the_fastest_that_fits() -> None:
    shape = shape_of(MODEL_PRESETS["llama2_70b"].model)
    fab = FabricFigures.uniform(400.0)
    res = best_layout(shape, 1024, H100_SXM, fab, MODERN)
    assert res.times is not None and res.layout is not None
    every = evaluate(shape, candidates(shape, 1024, {}), H100_SXM, fab, MODERN)
    fits = every.memory_gb <= every.usable_gb
    assert res.times.step_s[0] == pytest.approx(float(every.step_s[fits].min()))
    assert res.times.memory_gb[0] <= res.times.usable_gb
    assert 0.0 < res.times.mfu[0] <= res.times.hfu[0] < 1.0


def test_model_description_refuses_inconsistent_shapes() -> None:
    with pytest.raises(ValidationError, match="multiple of attention_heads"):
        ModelDescription(layers=2, hidden_size=100, attention_heads=3)
    with pytest.raises(ValidationError, match="kv_heads"):
        ModelDescription(layers=2, hidden_size=96, attention_heads=8, kv_heads=3)
    with pytest.raises(ValidationError, match="experts_per_token"):
        ModelDescription(layers=2, hidden_size=96, attention_heads=8, experts_per_token=2)
    with pytest.raises(ValidationError, match="less than one sequence"):
        ModelDescription(layers=2, hidden_size=96, attention_heads=8, global_batch_tokens=100)


def test_job_with_model_and_layout_round_trips_and_old_jobs_stay_plain() -> None:
    job = TrainingJob(
        id="llama",
        model=MODEL_PRESETS["llama3_405b"].model,
        layout=ParallelLayout(tensor=8, pipeline=16, recompute="full", zero_stage=1),
    )
    sc = Scenario(workloads=[job])
    back = loads_scenario(dumps_scenario(sc), check_rules=False)
    assert back == sc
    plain = loads_scenario(dumps_scenario(Scenario(workloads=[TrainingJob(id="t")])))
    (old,) = plain.workloads
    assert isinstance(old, TrainingJob) and old.model is None and old.layout == ParallelLayout()


def test_breakdown_adds_up_and_names_the_largest_overhead() -> None:
    case = CASES[5]  # Llama 3 405B, 16k GPUs: tensor-parallel comm is its largest overhead
    res = best_layout(case.shape, case.gpus, case.device, case.fabric, case.framework, case.fixed)
    plain = breakdown_of("job", res)
    assert plain is not None and res.times is not None
    assert plain.step_s == pytest.approx(float(res.times.step_s[0]))
    assert plain.mfu == pytest.approx(float(res.times.mfu[0]))
    assert plain.bottleneck == "tp" and "tensor-parallel comm" in plain.summary()
    # Storage delivering 80 % of the tokens stretches the step by 1/0.8; 10 % checkpoint stalls
    # take a tenth of the stretched time; MFU falls by the same factor.
    slow = breakdown_of("job", res, data_feed_factor=0.8, stall_fraction=0.1)
    assert slow is not None
    assert slow.step_s == pytest.approx(plain.step_s / 0.8 / 0.9)
    assert slow.share("stalls") == pytest.approx(0.1)
    assert slow.mfu == pytest.approx(plain.mfu * 0.8 * 0.9)
    assert slow.bottleneck == "data_feed"
    assert sum(slow.share(k) for k in slow.parts_s) == pytest.approx(1.0)
