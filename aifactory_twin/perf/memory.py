"""Memory per GPU of a training layout: weights, gradients, optimizer state, activations.

Bytes per parameter follow Megatron-Core's distributed-optimizer table (bf16 weights, fp32 main
gradients, fp32 master weights and two Adam moments: 2 + 4 + 12 = 18 B; ZeRO-1 shards the 12,
ZeRO-2 also the 4, ZeRO-3 also the 2 over data parallel;
https://docs.nvidia.com/megatron-core/developer-guide/latest/distrib_optimizer.html).
Activations: the first pipeline stage holds p micro-batches of its layers under 1F1B, times
(1 + (p−1)/(p·v)) with interleaving (Korthikanti et al. 2022 §4.2.3); full recompute keeps only
each layer's input plus one layer's working set; the last stage adds fp32 logits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from aifactory_twin.perf.flops import RECOMPUTE_FULL
from aifactory_twin.perf.inputs import ModelShape

if TYPE_CHECKING:
    from aifactory_twin.perf.step import Layouts

FloatArray = npt.NDArray[np.float64]

WEIGHT_BYTES = 2.0
GRAD_BYTES = 4.0
OPTIMIZER_BYTES = 12.0


def stored_activation_bytes(
    shape: ModelShape, tokens: FloatArray, tp: FloatArray, flash: bool, sequence_parallel: bool
) -> FloatArray:
    """Bytes one layer keeps for backward per GPU.

    Korthikanti et al. 2022 Table 2, generalised: inputs of QKV, Q, K, V, attention output, MLP
    input and hidden, two norms. Tensor parallel
    splits the attention and MLP parts; the norm and residual inputs (10 B per token and hidden
    unit) only with sequence parallelism; without fused attention the scores add 5·a·s/t.
    """
    h, f = float(shape.hidden), float(shape.ffn_hidden)
    mlp = shape.experts_per_token * (6.0 * f if shape.gated_mlp else 4.0 * f)
    split = 2.0 * h + 4.0 * shape.kv_dim + mlp  # Q, K, V, MLP hidden: always split over TP
    replicated = 10.0 * h  # norm inputs, QKV input, attention output, MLP input
    if not flash:
        split += 5.0 * shape.heads * shape.seq_len
    per_gpu = split / tp + (replicated / tp if sequence_parallel else replicated)
    out: FloatArray = tokens * per_gpu
    return out


def memory_parts(
    shape: ModelShape, lay: Layouts, flash: bool, sequence_parallel: bool, m_micro: FloatArray
) -> dict[str, FloatArray]:
    """Bytes per GPU on the fullest pipeline stage: weights, grads, optimizer, activations."""
    tp, pp, cp, dp, ep = lay.tp, lay.pp, lay.cp, lay.dp, lay.ep
    l_f = float(shape.layers)
    per_stage = np.ceil(l_f / pp)
    layer_dense = shape.attn_params_per_layer
    layer_exp = shape.experts * shape.mlp_params_per_expert
    # The first (or last) stage also holds an embedding table.
    emb = shape.vocab * shape.hidden
    params = (per_stage * layer_dense + emb) / tp + per_stage * layer_exp / (tp * ep)
    zero = lay.zero
    weights = WEIGHT_BYTES * params / np.where(zero >= 3, dp, 1.0)
    grads = GRAD_BYTES * params / np.where(zero >= 2, dp, 1.0)
    optim = OPTIMIZER_BYTES * params / np.where(zero >= 1, dp, 1.0)
    tok = lay.mb * shape.seq_len / cp
    layer_act = stored_activation_bytes(shape, tok, tp, flash, sequence_parallel)
    full = lay.recompute == RECOMPUTE_FULL
    kept = np.where(full, 2.0 * tok * shape.hidden / tp, layer_act)
    in_flight = np.where(pp > 1.0, np.minimum(pp, m_micro), 1.0)
    interleave = np.where(pp > 1.0, 1.0 + (pp - 1.0) / (pp * lay.v), 1.0)
    acts = kept * per_stage * in_flight * interleave + np.where(full, layer_act, 0.0)
    logits = 4.0 * tok * shape.vocab / tp
    return {
        "weights": weights,
        "gradients": grads,
        "optimizer": optim,
        "activations": acts + logits,
    }


def memory_bytes(
    shape: ModelShape, lay: Layouts, flash: bool, sequence_parallel: bool, m_micro: FloatArray
) -> FloatArray:
    """Accelerator memory per candidate layout, bytes (the sum of ``memory_parts``)."""
    parts = memory_parts(shape, lay, flash, sequence_parallel, m_micro)
    out: FloatArray = (
        parts["weights"] + parts["gradients"] + parts["optimizer"] + parts["activations"]
    )
    return out
