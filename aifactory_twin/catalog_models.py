"""Model-description presets for training jobs, every value with its source.

Each preset is a :class:`~aifactory_twin.schema.ModelDescription` plus the parameter count its
authors publish (the job's ``parameters_b``: active parameters for a mixture of experts). A test
checks the count the description implies against the published one.
"""

from __future__ import annotations

from dataclasses import dataclass

from aifactory_twin.catalog_data import Sourced
from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.schema import ModelDescription

_GPT3 = "https://arxiv.org/abs/2005.14165 (Brown et al. 2020, Table 2.1: GPT-3 175B)"
_GPT3_VOCAB = "https://arxiv.org/abs/2005.14165 (GPT-2 BPE vocabulary, 50,257 tokens)"
_LLAMA2 = "https://huggingface.co/meta-llama/Llama-2-70b-hf/blob/main/config.json"
_LLAMA2_PAPER = "https://arxiv.org/abs/2307.09288 (Touvron et al. 2023, Table 1: 4k context)"
_LLAMA2_BATCH = "https://arxiv.org/abs/2307.09288 (§2.2: global batch 4M tokens)"
_LLAMA3 = "https://arxiv.org/abs/2407.21783 (Llama 3 paper, Table 3: 405B)"
_LLAMA3_BATCH = "https://arxiv.org/abs/2407.21783 (Table 4: 16M tokens per batch at 8,192 seq)"
_MEGATRON = "https://arxiv.org/abs/2104.04473 (Narayanan et al. SC'21, Table 1: 1T row)"
_MIXTRAL = "https://arxiv.org/abs/2401.04088 (Jiang et al. 2024, Table 1: Mixtral 8x7B)"
_MIXTRAL_BATCH = "estimate: batch not published; 4M tokens as for Llama 2 (§2.2)"


@dataclass(frozen=True)
class ModelPreset:
    """A published model: parameter count and the architecture the performance model needs."""

    id: str
    label: str
    parameters_b: float
    """Published parameter count, billions (active ones for a mixture of experts)."""
    total_parameters_b: float
    model: ModelDescription
    sources: dict[str, str]


# id -> (label, (parameters_b, total_b, source), {description field: (value, source)})
_MODEL_TABLE: dict[str, tuple[str, tuple[float, float, str], dict[str, Sourced]]] = {
    "gpt3_175b": (
        "GPT-3 175B",
        (175.0, 175.0, _GPT3),
        {
            "layers": (96, _GPT3),
            "hidden_size": (12288, _GPT3),
            "attention_heads": (96, _GPT3),
            "seq_len": (2048, _GPT3),
            "vocab_size": (50257, _GPT3_VOCAB),
            "global_batch_tokens": (3_200_000, _GPT3 + " (batch 3.2M tokens)"),
            "tied_embeddings": (True, _GPT3 + " (GPT-2 architecture, shared embedding)"),
        },
    ),
    "llama2_70b": (
        "Llama 2 70B",
        (70.0, 70.0, _LLAMA2_PAPER),
        {
            "layers": (80, _LLAMA2),
            "hidden_size": (8192, _LLAMA2),
            "attention_heads": (64, _LLAMA2),
            "kv_heads": (8, _LLAMA2),
            "ffn_hidden_size": (28672, _LLAMA2),
            "gated_mlp": (True, _LLAMA2 + " (SwiGLU, hidden_act silu)"),
            "seq_len": (4096, _LLAMA2_PAPER),
            "vocab_size": (32000, _LLAMA2),
            "global_batch_tokens": (4_194_304, _LLAMA2_BATCH),
        },
    ),
    "llama3_405b": (
        "Llama 3 405B",
        (405.0, 405.0, _LLAMA3),
        {
            "layers": (126, _LLAMA3),
            "hidden_size": (16384, _LLAMA3),
            "attention_heads": (128, _LLAMA3),
            "kv_heads": (8, _LLAMA3),
            "ffn_hidden_size": (53248, _LLAMA3),
            "gated_mlp": (True, _LLAMA3 + " (SwiGLU)"),
            "seq_len": (8192, _LLAMA3_BATCH),
            "vocab_size": (128256, _LLAMA3),
            "global_batch_tokens": (16 * 2**20, _LLAMA3_BATCH),
        },
    ),
    "megatron_1t": (
        "Megatron-LM 1T",
        (1008.0, 1008.0, _MEGATRON),
        {
            "layers": (128, _MEGATRON),
            "hidden_size": (25600, _MEGATRON),
            "attention_heads": (160, _MEGATRON),
            "seq_len": (2048, _MEGATRON + " (§5.1: sequence 2,048)"),
            "vocab_size": (51200, _MEGATRON + " (§5.1: vocabulary 51,200)"),
            "global_batch_tokens": (3072 * 2048, _MEGATRON + " (batch 3,072 sequences)"),
            "tied_embeddings": (True, _MEGATRON + " (GPT architecture)"),
        },
    ),
    "mixtral_8x7b": (
        "Mixtral 8x7B (MoE)",
        (12.9, 46.7, _MIXTRAL),
        {
            "layers": (32, _MIXTRAL),
            "hidden_size": (4096, _MIXTRAL),
            "attention_heads": (32, _MIXTRAL),
            "kv_heads": (8, _MIXTRAL),
            "ffn_hidden_size": (14336, _MIXTRAL),
            "gated_mlp": (True, _MIXTRAL + " (SwiGLU experts)"),
            "seq_len": (32768, _MIXTRAL + " (context length)"),
            "vocab_size": (32000, _MIXTRAL),
            "global_batch_tokens": (4_194_304, _MIXTRAL_BATCH),
            "experts": (8, _MIXTRAL),
            "experts_per_token": (2, _MIXTRAL),
        },
    ),
}


def _build() -> dict[str, ModelPreset]:
    out: dict[str, ModelPreset] = {}
    for pid, (label, (params_b, total_b, params_src), table) in _MODEL_TABLE.items():
        desc = ModelDescription(**{name: value for name, (value, _src) in table.items()})
        sources = {name: src for name, (_value, src) in table.items()}
        sources["parameters_b"] = params_src
        out[pid] = ModelPreset(pid, label, params_b, total_b, desc, sources)
    return out


MODEL_PRESETS: dict[str, ModelPreset] = _build()


def model_preset(preset_id: str) -> ModelPreset:
    """The model preset ``preset_id``; a ScenarioError naming the known ids when unknown."""
    preset = MODEL_PRESETS.get(preset_id)
    if preset is None:
        known = ", ".join(sorted(MODEL_PRESETS))
        raise ScenarioError(
            [Problem(path="model", message=f"unknown model preset {preset_id!r}; known: {known}")]
        )
    return preset


__all__ = ["MODEL_PRESETS", "ModelPreset", "model_preset"]
