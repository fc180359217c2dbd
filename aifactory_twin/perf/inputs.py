"""Plain inputs of the performance model: the model's shape, the device, the fabric, the framework.

Everything here is a frozen dataclass of numbers, so the model can be driven from a scenario (at
compile time) or from a paper's table (validation tests) alike. Units live in the names.
"""

from __future__ import annotations

from dataclasses import dataclass

NVLINK_ALPHA_US = 1.0
"""Per-message latency inside an NVLink domain, µs (domain-reference §4.1, §9.4 typical)."""
NCCL_EFFICIENCY = 0.8
"""Achieved over peak link bandwidth for large collectives (domain-reference §4.3, §9.4)."""


@dataclass(frozen=True)
class ModelShape:
    """A decoder-only transformer: the numbers a model card gives.

    ``experts`` > 1 makes every layer's MLP a mixture of experts of which ``experts_per_token``
    run per token (Mixtral-style; each expert has ``ffn_hidden`` width).
    """

    layers: int
    hidden: int
    heads: int
    kv_heads: int
    ffn_hidden: int
    vocab: int
    seq_len: int
    global_batch_tokens: int
    gated_mlp: bool = False
    """SwiGLU-style MLP with three matrices (Llama); False is the GELU MLP with two (GPT)."""
    tied_embeddings: bool = False
    experts: int = 1
    experts_per_token: int = 1

    @property
    def head_dim(self) -> float:
        """Width of one attention head."""
        return self.hidden / self.heads

    @property
    def kv_dim(self) -> float:
        """Width of the keys (and values): KV heads × head width."""
        return self.kv_heads * self.head_dim

    @property
    def batch_seqs(self) -> int:
        """Sequences per optimizer step."""
        return max(1, self.global_batch_tokens // self.seq_len)

    @property
    def attn_params_per_layer(self) -> float:
        """Attention weights per layer: Q and O are h×h, K and V h×kv_dim."""
        # Q and O are h×h; K and V are h×kv_dim (grouped-query attention shares them).
        return 2.0 * self.hidden * self.hidden + 2.0 * self.hidden * self.kv_dim

    @property
    def mlp_params_per_expert(self) -> float:
        """MLP weights per expert (three matrices when gated)."""
        return (3.0 if self.gated_mlp else 2.0) * self.hidden * self.ffn_hidden

    @property
    def embedding_params(self) -> float:
        """Input and output embedding weights (one matrix when tied)."""
        return (1.0 if self.tied_embeddings else 2.0) * self.vocab * self.hidden

    @property
    def total_params(self) -> float:
        """Every weight (all experts), the count that sizes memory."""
        per_layer = self.attn_params_per_layer + self.experts * self.mlp_params_per_expert
        return self.layers * per_layer + self.embedding_params

    @property
    def active_params(self) -> float:
        """Weights one token passes through (the N of 6·N·D for a mixture of experts)."""
        per_layer = self.attn_params_per_layer + self.experts_per_token * self.mlp_params_per_expert
        return self.layers * per_layer + self.embedding_params


@dataclass(frozen=True)
class DeviceFigures:
    """One accelerator as the performance model sees it (from the catalog or an inline spec)."""

    peak_tflops: float
    """Dense peak at the job's precision."""
    hbm_gb: float
    hbm_bw_gb_per_s: float
    scale_up_domain: int
    scale_up_bw_gb_per_s: float
    """Per direction, per accelerator (the catalog's ``scale_up_bw_gbps_per_dir``)."""


@dataclass(frozen=True)
class FabricFigures:
    """The scale-out fabric a job's accelerators reach, per accelerator.

    ``local_gbps`` is the NIC rate between accelerators under one leaf; ``cross_gbps`` what is
    left of it across leaves after oversubscription and tiers (the network model's figures).
    """

    local_gbps: float
    cross_gbps: float
    leaf_gpus: float
    """Accelerators under one leaf: a group no wider than this stays at ``local_gbps``."""
    alpha_us: float = 3.0
    """Per-message latency across the fabric (domain-reference §4.1: IB 3–5 µs across racks)."""

    @staticmethod
    def uniform(
        nic_gbps: float,
        oversubscription: float = 1.0,
        leaf_gpus: float = 256.0,
        alpha_us: float = 3.0,
    ) -> FabricFigures:
        """A leaf/spine fabric: full NIC rate under a leaf, NIC / oversubscription across."""
        return FabricFigures(nic_gbps, nic_gbps / max(oversubscription, 1.0), leaf_gpus, alpha_us)


@dataclass(frozen=True)
class Framework:
    """How the training software runs: what it overlaps and which kernels it has.

    Overlaps are the fraction of the window each framework manages to hide communication in:
    data-parallel reduce-scatter behind the last micro-batch's backward and all-gather behind
    the first forward; tensor-parallel collectives behind the layer's GEMMs; pipeline sends
    behind the next micro-batch; context-parallel key/value exchange behind attention.
    """

    dp_overlap: float = 1.0
    tp_overlap: float = 0.0
    pp_overlap: float = 0.5
    cp_overlap: float = 0.0
    flash_attention: bool = True
    """Fused attention: no s×s score matrix in HBM, causal blocks skipped."""
    sequence_parallel: bool = True
    """Norms and residuals split over the TP ranks too (Korthikanti et al. 2022)."""
    grad_reduce_bytes: float = 4.0
    """Gradients are accumulated and reduced in fp32 (Megatron's default; Llama 3 did too)."""


MEGATRON_2021 = Framework(
    dp_overlap=0.0,
    tp_overlap=0.0,
    pp_overlap=0.0,
    cp_overlap=0.0,
    flash_attention=False,
    sequence_parallel=False,
)
"""Megatron-LM as run for Narayanan et al. (SC'21): synchronous collectives, no fused attention."""
MODERN = Framework()
"""A 2024-era stack (Megatron-Core / Llama 3): overlapped gradient sync, fused attention."""
