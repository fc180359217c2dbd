"""Step time of a training job for many candidate layouts at once (numpy over the candidates).

Rank order, inner to outer: tensor (TP), context (CP), pipeline (PP), data (DP) — Llama 3's
network-aware order (§3.3.1): the chattiest dimension inside the NVLink domain, the most
latency-tolerant outermost. Expert parallel (EP) groups are carved out of DP, as in Megatron-Core.

Per micro-batch of ``mb`` sequences, each layer on a GPU runs its GEMMs at a roofline
(max of FLOPs / (peak · η) and bytes / HBM bandwidth, η from :mod:`calibration`), plus memory-bound
element-wise work over the layer's activations. Backward costs twice the forward; recompute adds
a forward (full) or the attention core (selective). A pipeline stage holds ⌈l/p⌉ layers, and the
partitioner balances the logits layer against them. The pipeline runs m = B/(DP·mb)
micro-batches: T_pipe = (m + (p−1)/v) · t_stage, so the bubble is (p−1)/(v·m + p − 1) of it
(Narayanan et al. §2.2). Exposed communication: TP collectives per layer, CP key/value exchange per
layer, EP all-to-all per MoE layer, PP sends per micro-batch — each minus the framework's overlap;
DP gradient reduce-scatter and parameter all-gather once per step, hidden only behind the last
micro-batch's backward and the first's forward (gradients are final only then); ZeRO-2 scatters
every micro-batch, ZeRO-3 also gathers every micro-batch. The optimizer step streams its state
through HBM.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from aifactory_twin.perf.calibration import FROZEN, Calibration
from aifactory_twin.perf.collectives import (
    all_to_all_s,
    p2p_s,
    reduce_scatter_s,
)
from aifactory_twin.perf.flops import (
    RECOMPUTE_FULL,
    RECOMPUTE_SELECTIVE,
    hardware_flops_per_token,
    model_flops_per_token,
)
from aifactory_twin.perf.inputs import (
    DeviceFigures,
    FabricFigures,
    Framework,
    ModelShape,
)
from aifactory_twin.perf.memory import memory_bytes, stored_activation_bytes

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

ACT_BYTES = 2.0
"""Activations and the parameters the GEMMs read are bf16 (fp8 GEMMs keep bf16 activations)."""
OPTIMIZER_BYTES_PER_PARAM = 30.0
"""Adam step traffic per sharded parameter: read fp32 grad, master, m, v (16), write master, m, v
(12), write the bf16 weight (2)."""


@dataclass(frozen=True)
class Layouts:
    """Candidate parallel layouts, one entry per candidate (float arrays of equal length)."""

    tp: FloatArray
    pp: FloatArray
    cp: FloatArray
    dp: FloatArray
    ep: FloatArray
    mb: FloatArray
    v: FloatArray
    recompute: FloatArray
    zero: FloatArray

    def __len__(self) -> int:
        return int(self.tp.shape[0])

    def take(self, idx: npt.NDArray[np.int64] | BoolArray) -> Layouts:
        """The candidates at ``idx``."""
        return Layouts(**{k: getattr(self, k)[idx] for k in self.__dataclass_fields__})


@dataclass(frozen=True)
class StepTimes:
    """Seconds per optimizer step and where they go, per candidate."""

    step_s: FloatArray
    compute_s: FloatArray
    bubble_s: FloatArray
    tp_s: FloatArray
    cp_s: FloatArray
    ep_s: FloatArray
    pp_s: FloatArray
    dp_s: FloatArray
    optimizer_s: FloatArray
    memory_gb: FloatArray
    usable_gb: float
    mfu: FloatArray
    hfu: FloatArray
    model_tflops_per_gpu: FloatArray
    hardware_tflops_per_gpu: FloatArray


def _gemm_s(
    m: FloatArray, n: FloatArray, k: FloatArray, dev: DeviceFigures, cal: Calibration
) -> FloatArray:
    """Roofline time of an (m×k)·(k×n) bf16 GEMM, with efficiency falling for thin shapes."""
    flops = 2.0 * m * n * k
    bytes_ = ACT_BYTES * (m * k + k * n + m * n)
    d = np.minimum(np.minimum(m, n), k)
    eff = cal.matmul_efficiency * d / (d + cal.size_half)
    out: FloatArray = np.maximum(
        flops / (dev.peak_tflops * 1e12 * eff), bytes_ / (dev.hbm_bw_gb_per_s * 1e9)
    )
    return out


def bottleneck_layers(layers: float, pp: FloatArray, logits: FloatArray) -> FloatArray:
    """Load of the busiest stage, in layers, for whole layers split over ``pp`` stages.

    The last stage also runs the logits (``logits`` layers' worth); the partitioner may give it one
    layer fewer, as Llama 3 did (§3.3.1).
    """
    best = np.full_like(pp, np.inf)
    base = np.floor(layers / pp)
    for n_last in (base - 1.0, base, np.ceil(layers / pp)):
        rest = np.ceil((layers - n_last) / np.maximum(pp - 1.0, 1.0))
        load = np.maximum(n_last + logits, rest)
        best = np.where(n_last >= 0.0, np.minimum(best, load), best)
    out: FloatArray = np.where(pp > 1.0, best, layers + logits)
    return out


def _attention_core_s(
    tok: FloatArray,
    seq: float,
    head_dim: float,
    heads_local: FloatArray,
    flash: bool,
    dev: DeviceFigures,
    cal: Calibration,
) -> FloatArray:
    """QKᵀ and AV for the local heads.

    A fused (flash) kernel keeps the scores on chip and skips the blocks the causal mask zeroes
    (half the counted FLOPs); unfused, both products are GEMMs that write and read the full score
    matrix, masked afterwards.
    """
    keys = np.full_like(tok, seq)
    hd = np.full_like(tok, head_dim)
    if not flash:
        out: FloatArray = heads_local * (
            _gemm_s(tok, keys, hd, dev, cal) + _gemm_s(tok, hd, keys, dev, cal)
        )
        return out
    flops = 0.5 * 4.0 * tok * seq * head_dim
    bytes_ = ACT_BYTES * 2.0 * (tok + keys) * head_dim
    eff = cal.attention_efficiency * cal.matmul_efficiency * head_dim / (head_dim + cal.size_half)
    fused: FloatArray = heads_local * np.maximum(
        flops / (dev.peak_tflops * 1e12 * eff), bytes_ / (dev.hbm_bw_gb_per_s * 1e9)
    )
    return fused


def evaluate(
    shape: ModelShape,
    lay: Layouts,
    dev: DeviceFigures,
    fabric: FabricFigures,
    fw: Framework,
    cal: Calibration = FROZEN,
) -> StepTimes:
    """Step time, its breakdown and memory for every candidate in ``lay``."""
    tp, pp, cp, dp, ep, mb, v = lay.tp, lay.pp, lay.cp, lay.dp, lay.ep, lay.mb, lay.v
    gpus = tp * pp * cp * dp
    h, s, f = float(shape.hidden), float(shape.seq_len), float(shape.ffn_hidden)
    hd, kvd, heads = shape.head_dim, shape.kv_dim, float(shape.heads)
    e, k_top = float(shape.experts), float(shape.experts_per_token)
    tok = mb * s / cp  # tokens of one micro-batch on one GPU
    m_micro = shape.batch_seqs / (dp * mb)

    # --- one layer, forward, per GPU -----------------------------------------------------
    attn_gemm = _gemm_s(tok, (h + 2.0 * kvd) / tp, np.full_like(tp, h), dev, cal) + _gemm_s(
        tok, np.full_like(tp, h), h / tp, dev, cal
    )
    per_expert_tok = tok * k_top * ep / e
    g = 2.0 if shape.gated_mlp else 1.0
    mlp_gemm = (e / ep) * (
        _gemm_s(per_expert_tok, g * f / tp, np.full_like(tp, h), dev, cal)
        + _gemm_s(per_expert_tok, np.full_like(tp, h), f / tp, dev, cal)
    )
    core = _attention_core_s(tok, s, hd, heads / tp, fw.flash_attention, dev, cal)
    act = stored_activation_bytes(shape, tok, tp, fw.flash_attention, fw.sequence_parallel)
    elem = cal.elementwise_passes * act / (dev.hbm_bw_gb_per_s * 1e9)
    fwd = attn_gemm + mlp_gemm + core + elem
    rc = lay.recompute
    extra = np.where(rc == RECOMPUTE_FULL, fwd, np.where(rc == RECOMPUTE_SELECTIVE, core, 0.0))
    layer_c = 3.0 * fwd + extra
    logits_c = 3.0 * _gemm_s(tok, shape.vocab / tp, np.full_like(tp, h), dev, cal)

    # --- communication per layer and micro-batch ---------------------------------------
    one = np.ones_like(tp)
    n_tp = 4.0 + np.where(rc == RECOMPUTE_FULL, 2.0, 0.0)
    # All-reduce = reduce-scatter + all-gather (sequence parallel runs them separately).
    tp_coll = 2.0 * reduce_scatter_s(tok * h * ACT_BYTES, tp, one, dev, fabric)
    tp_layer = (1.0 - fw.tp_overlap) * n_tp * tp_coll
    kv_local = kvd / np.minimum(tp, shape.kv_heads)
    kv_bytes = 2.0 * mb * s * kv_local * ACT_BYTES  # whole sequence of K and V, gathered
    n_cp = 3.0 + np.where(rc == RECOMPUTE_FULL, 1.0, 0.0)
    cp_layer = (1.0 - fw.cp_overlap) * n_cp * reduce_scatter_s(kv_bytes, cp, tp, dev, fabric)
    ep_layer = np.where(
        e > 1.0,
        4.0 * all_to_all_s(tok * k_top * h * ACT_BYTES, ep, tp * cp * pp, dev, fabric),
        0.0,
    )

    # --- one pipeline stage, one micro-batch -----------------------------------------------
    l_f = float(shape.layers)
    stage_c = bottleneck_layers(l_f, pp, logits_c / layer_c) * layer_c
    # Collectives run per layer: the fullest stage's layer count sets them.
    n_layers = np.ceil(l_f / pp)
    stage_tp, stage_cp, stage_ep = n_layers * tp_layer, n_layers * cp_layer, n_layers * ep_layer
    p2p_bytes = tok * h * ACT_BYTES / tp  # scatter/gather across the TP ranks (§4.1)
    p2p = np.where(pp > 1.0, 2.0 * v * p2p_s(p2p_bytes, pp, tp * cp, dev, fabric), 0.0)
    p2p_exposed = (1.0 - fw.pp_overlap) * p2p
    t_stage = stage_c + stage_tp + stage_cp + stage_ep + p2p_exposed
    bubble = (pp - 1.0) / v * t_stage

    # --- data parallel, once per step -----------------------------------------------------
    dense = l_f * shape.attn_params_per_layer + shape.embedding_params
    experts = l_f * e * shape.mlp_params_per_expert
    p_dense = dense / (tp * pp)
    p_exp = experts / (tp * pp * ep)
    stride = tp * cp * pp
    edp = dp / ep  # expert data-parallel size

    def _sync(params: FloatArray, size: FloatArray) -> tuple[FloatArray, FloatArray]:
        rs = reduce_scatter_s(params * fw.grad_reduce_bytes, size, stride, dev, fabric)
        ag_bytes = np.where(lay.zero == 0, fw.grad_reduce_bytes, ACT_BYTES)
        ag = reduce_scatter_s(params * ag_bytes, size, stride, dev, fabric)
        return rs, ag

    rs_d, ag_d = _sync(p_dense, dp)
    rs_e, ag_e = _sync(p_exp, edp)
    rs, ag = rs_d + rs_e, ag_d + ag_e
    bwd_window = fw.dp_overlap * (2.0 / 3.0) * stage_c
    fwd_window = fw.dp_overlap * (1.0 / 3.0) * stage_c
    once = np.maximum(rs - bwd_window, 0.0) + np.maximum(ag - fwd_window, 0.0)
    # Sharded gradients cannot accumulate over micro-batches: ZeRO-2 scatters them after every
    # micro-batch's backward (weights gathered once); ZeRO-3 also gathers the weights for every
    # forward and backward.
    zero2 = m_micro * np.maximum(rs - bwd_window, 0.0) + np.maximum(ag - fwd_window, 0.0)
    zero3 = np.maximum(2.0 * ag + rs - fw.dp_overlap * stage_c, 0.0) * m_micro
    dp_s = np.where(lay.zero >= 3, zero3, np.where(lay.zero == 2, zero2, once))
    dp_s = np.where(dp > 1.0, dp_s, 0.0)

    opt_params = (p_dense + p_exp) / np.where(lay.zero >= 1, dp, 1.0)
    optimizer = OPTIMIZER_BYTES_PER_PARAM * opt_params / (dev.hbm_bw_gb_per_s * 1e9)

    pipe = m_micro * t_stage + bubble
    step = pipe + dp_s + optimizer
    tokens = float(shape.batch_seqs * shape.seq_len)
    model_fl = model_flops_per_token(shape) * tokens / gpus
    hw_fl = (
        np.where(
            rc == RECOMPUTE_FULL,
            hardware_flops_per_token(shape, RECOMPUTE_FULL),
            np.where(
                rc == RECOMPUTE_SELECTIVE,
                hardware_flops_per_token(shape, RECOMPUTE_SELECTIVE),
                model_flops_per_token(shape),
            ),
        )
        * tokens
        / gpus
    )
    peak = dev.peak_tflops * 1e12
    mem = memory_bytes(shape, lay, fw.flash_attention, fw.sequence_parallel, m_micro)
    return StepTimes(
        step_s=step,
        compute_s=m_micro * stage_c,
        bubble_s=bubble,
        tp_s=m_micro * stage_tp,
        cp_s=m_micro * stage_cp,
        ep_s=m_micro * stage_ep,
        pp_s=m_micro * p2p_exposed,
        dp_s=dp_s,
        optimizer_s=optimizer,
        memory_gb=mem / 1e9,
        usable_gb=dev.hbm_gb * USABLE_HBM_FRACTION,
        mfu=model_fl / (step * peak),
        hfu=hw_fl / (step * peak),
        model_tflops_per_gpu=model_fl / step / 1e12,
        hardware_tflops_per_gpu=hw_fl / step / 1e12,
    )


USABLE_HBM_FRACTION = 0.9
"""HBM left for the model after CUDA context, NCCL buffers and allocator fragmentation
(estimate: 5–10 GB of 80 GB observed in practice)."""

__all__ = [
    "USABLE_HBM_FRACTION",
    "Layouts",
    "StepTimes",
    "evaluate",
]
