"""What a training job trains and how it is split: the model description and parallel layout.

Both are optional on a training job (files from before issue 11 load unchanged). With a model
description the performance model (aifactory_twin/perf/) predicts the step time and
MFU from the model, the layout and the fabric the job's racks reach; a layout field left empty
(None) is searched, so an empty layout is ``auto``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from aifactory_twin.schema.base import PositiveInt, StrictModel

RecomputeMode = Literal["none", "selective", "full"]


class ModelDescription(StrictModel):
    """A decoder-only transformer as its model card describes it.

    Defaults: GPT-style (GELU MLP of 4·hidden, tied embeddings off), sequence 2,048 and vocabulary
    51,200 as in Narayanan et al. SC'21 §5.1; a 4M-token batch (estimate, common for 70B-class
    runs). A mixture of experts sets ``experts`` > 1: every layer's MLP then has that many
    experts of ``ffn_hidden_size`` each, ``experts_per_token`` of them active.
    """

    layers: PositiveInt
    hidden_size: PositiveInt
    attention_heads: PositiveInt
    kv_heads: PositiveInt | None = None
    """Key/value heads (grouped-query attention); None = one per attention head."""
    ffn_hidden_size: PositiveInt | None = None
    """MLP width per expert; None = 4 × hidden_size."""
    gated_mlp: bool = False
    """SwiGLU-style MLP with three matrices (Llama, Mixtral) instead of two (GPT)."""
    tied_embeddings: bool = False
    seq_len: PositiveInt = 2048
    vocab_size: PositiveInt = 51200
    global_batch_tokens: PositiveInt = 4_194_304
    experts: PositiveInt = 1
    experts_per_token: PositiveInt = 1

    @model_validator(mode="after")
    def _consistent(self) -> ModelDescription:
        if self.hidden_size % self.attention_heads:
            raise ValueError(
                f"hidden_size ({self.hidden_size}) must be a multiple of attention_heads "
                f"({self.attention_heads})"
            )
        kv = self.kv_heads or self.attention_heads
        if kv > self.attention_heads or self.attention_heads % kv:
            raise ValueError(
                f"kv_heads ({kv}) must divide attention_heads ({self.attention_heads})"
            )
        if self.experts_per_token > self.experts:
            raise ValueError(
                f"experts_per_token ({self.experts_per_token}) exceeds experts ({self.experts})"
            )
        if self.global_batch_tokens < self.seq_len:
            raise ValueError(
                f"global_batch_tokens ({self.global_batch_tokens}) is less than one sequence "
                f"({self.seq_len} tokens)"
            )
        return self


class ParallelLayout(StrictModel):
    """How the job is split over its accelerators; a field left empty is searched (``auto``).

    tensor × pipeline × context × data = accelerators; expert parallel is carved out of data
    parallel (Megatron-Core); ``interleave`` is the virtual stages per pipeline rank (v);
    ``zero_stage`` 0 replicates optimizer state, 1 shards it, 2 also gradients, 3 also weights.
    """

    tensor: PositiveInt | None = None
    pipeline: PositiveInt | None = None
    interleave: PositiveInt | None = None
    data: PositiveInt | None = None
    context: PositiveInt | None = None
    expert: PositiveInt | None = None
    micro_batch: PositiveInt | None = None
    recompute: RecomputeMode | None = None
    zero_stage: Literal[0, 1, 2, 3] | None = None
