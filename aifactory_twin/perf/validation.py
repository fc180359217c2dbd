"""Published training runs the performance model is fitted on and checked against.

Each case is the model, hardware and the published part of the layout; the unpublished part
(micro-batch, interleave, recompute, ZeRO stage where not stated) is searched like ``auto``.
Megatron-LM's figures count FLOPs with activation recompute (Narayanan et al. §5.1), so they are
compared with hardware TFLOP/s; Llama 3's are model FLOPs (MFU) and compared with those.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from aifactory_twin.catalog import ACCELERATORS
from aifactory_twin.catalog_models import MODEL_PRESETS
from aifactory_twin.perf.from_scenario import device_of, shape_of
from aifactory_twin.perf.inputs import (
    MEGATRON_2021,
    MODERN,
    DeviceFigures,
    FabricFigures,
    Framework,
    ModelShape,
)

MEGATRON_SC21 = (
    "Narayanan et al., 'Efficient Large-Scale Language Model Training on GPU Clusters Using "
    "Megatron-LM', SC'21, Table 1 (arXiv 2104.04473; rows as summarised in domain-reference §1.4 "
    "and checked against a public reading note of Table 1)"
)
LLAMA3_T4 = (
    "Grattafiori et al., 'The Llama 3 Herd of Models', arXiv 2407.21783, Table 4 "
    "(domain-reference §1.4, reproduced at https://stevengong.co/notes/Model-FLOPs-Utilization)"
)

A100_80GB = DeviceFigures(
    peak_tflops=312.0,  # https://glennklockwood.com/garden/processors/A100 (BF16 dense)
    hbm_gb=80.0,
    hbm_bw_gb_per_s=2039.0,
    scale_up_domain=8,  # DGX A100: 8 GPUs on NVSwitch
    scale_up_bw_gb_per_s=300.0,  # NVLink3 300 + 300 GB/s
)
H100_SXM = device_of(ACCELERATORS["h100_sxm"].spec, "bf16")
SELENE = FabricFigures.uniform(nic_gbps=200.0, oversubscription=1.0, alpha_us=3.0)
"""Selene: eight 200 Gb/s HDR HCAs per DGX A100, three-level non-blocking fat tree (SC'21 §5)."""
LLAMA3_ROCE = FabricFigures(
    local_gbps=400.0, cross_gbps=400.0 / 7.0, leaf_gpus=3072.0, alpha_us=5.0
)
"""Llama 3 §3.3.1: 400 Gb/s RoCE per GPU, 3,072-GPU pods at full bisection, 1:7 above them;
α for RoCE from domain-reference §9.4."""


def gpt_shape(hidden: int, heads: int, layers: int, batch: int) -> ModelShape:
    """A GPT model as Narayanan et al. size them, ``batch`` sequences per step.

    GELU MLP of 4h, tied embeddings, sequence 2,048, vocabulary 51,200 (SC'21 §5.1).
    """
    return ModelShape(
        layers=layers,
        hidden=hidden,
        heads=heads,
        kv_heads=heads,
        ffn_hidden=4 * hidden,
        vocab=51200,
        seq_len=2048,
        global_batch_tokens=batch * 2048,
        tied_embeddings=True,
    )


def llama3_405b(seq_len: int = 8192) -> ModelShape:
    """The catalog's Llama 3 405B (Llama 3 paper Table 3; 16M-token batches, Table 4)."""
    return replace(shape_of(MODEL_PRESETS["llama3_405b"].model), seq_len=seq_len)


@dataclass(frozen=True)
class Case:
    """A published training run the model is checked against."""

    name: str
    shape: ModelShape
    device: DeviceFigures
    fabric: FabricFigures
    framework: Framework
    gpus: int
    fixed: dict[str, int] = field(default_factory=dict)
    published_tflops: float = 0.0
    metric: Literal["hardware", "model"] = "model"
    source: str = ""


CASES: tuple[Case, ...] = (
    Case(
        "Megatron 1.7B",
        gpt_shape(2304, 24, 24, 512),
        A100_80GB,
        SELENE,
        MEGATRON_2021,
        32,
        {"tp": 1, "pp": 1, "cp": 1, "recompute": 2, "zero": 0},
        137.0,
        "hardware",
        MEGATRON_SC21,
    ),
    Case(
        "Megatron 18.4B",
        gpt_shape(6144, 48, 40, 1024),
        A100_80GB,
        SELENE,
        MEGATRON_2021,
        256,
        {"tp": 8, "pp": 1, "cp": 1, "recompute": 2, "zero": 0},
        135.0,
        "hardware",
        MEGATRON_SC21,
    ),
    Case(
        "Megatron 145.6B",
        gpt_shape(12288, 96, 80, 2304),
        A100_80GB,
        SELENE,
        MEGATRON_2021,
        1536,
        {"tp": 8, "pp": 8, "cp": 1, "recompute": 2, "zero": 0},
        148.0,
        "hardware",
        MEGATRON_SC21,
    ),
    Case(
        "Megatron 1T",
        shape_of(MODEL_PRESETS["megatron_1t"].model),
        A100_80GB,
        SELENE,
        MEGATRON_2021,
        3072,
        {"tp": 8, "pp": 64, "cp": 1, "recompute": 2, "zero": 0},
        163.0,
        "hardware",
        MEGATRON_SC21,
    ),
    Case(
        "Llama 3 405B, 8k GPUs",
        llama3_405b(),
        H100_SXM,
        LLAMA3_ROCE,
        MODERN,
        8192,
        {"tp": 8, "pp": 16, "cp": 1, "dp": 64},
        430.0,
        "model",
        LLAMA3_T4,
    ),
    Case(
        "Llama 3 405B, 16k GPUs",
        llama3_405b(),
        H100_SXM,
        LLAMA3_ROCE,
        MODERN,
        16384,
        {"tp": 8, "pp": 16, "cp": 1, "dp": 128},
        400.0,
        "model",
        LLAMA3_T4,
    ),
    Case(
        "Llama 3 405B, 16k GPUs, 131k context",
        llama3_405b(131072),
        H100_SXM,
        LLAMA3_ROCE,
        MODERN,
        16384,
        {"tp": 8, "pp": 16, "cp": 16, "dp": 8},
        380.0,
        "model",
        LLAMA3_T4,
    ),
)
