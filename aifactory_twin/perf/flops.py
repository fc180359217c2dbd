"""FLOPs per token, counted as Narayanan et al. (SC'21, §5.1) and PaLM's MFU (App. B) count them.

Per token and layer the forward pass costs 2 FLOPs per weight it passes through (QKV, output,
MLP — only the routed experts of a mixture of experts) plus 4·s·h for attention scores and their
product with the values (no causal halving, as both papers count); the logits layer adds 2·h·V.
Backward is twice the forward. Activation recompute adds one forward of the transformer layers
(full) or of the attention core only (selective, Korthikanti et al. 2022). For a GPT layer this is
Narayanan's 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h)) with full recompute and
72·B·s·l·h²·(1 + s/(6h) + V/(12·l·h)) without.
"""

from __future__ import annotations

from aifactory_twin.perf.inputs import ModelShape

RECOMPUTE_NONE = 0
RECOMPUTE_SELECTIVE = 1
RECOMPUTE_FULL = 2
RECOMPUTE_MODES: tuple[str, ...] = ("none", "selective", "full")


def layer_matmul_flops(shape: ModelShape) -> float:
    """Forward FLOPs per token of one layer's weight matmuls (active experts only)."""
    return 2.0 * (
        shape.attn_params_per_layer + shape.experts_per_token * shape.mlp_params_per_expert
    )


def layer_attention_flops(shape: ModelShape) -> float:
    """Forward FLOPs per token of one layer's attention core (QKᵀ and AV over the sequence)."""
    return 4.0 * shape.seq_len * shape.hidden


def logits_flops(shape: ModelShape) -> float:
    """FLOPs of the output projection per token (hidden × vocab, forward)."""
    return 2.0 * shape.hidden * shape.vocab


def model_flops_per_token(shape: ModelShape) -> float:
    """Forward + backward without recompute: the numerator of MFU."""
    fwd = shape.layers * (layer_matmul_flops(shape) + layer_attention_flops(shape))
    return 3.0 * (fwd + logits_flops(shape))


def hardware_flops_per_token(shape: ModelShape, recompute: int) -> float:
    """What the accelerators execute, recompute included: the numerator of HFU."""
    extra = 0.0
    if recompute == RECOMPUTE_FULL:
        extra = shape.layers * (layer_matmul_flops(shape) + layer_attention_flops(shape))
    elif recompute == RECOMPUTE_SELECTIVE:
        extra = shape.layers * layer_attention_flops(shape)
    return model_flops_per_token(shape) + extra
