"""From the scenario schema to the performance model's plain inputs, and a job's prediction."""

from __future__ import annotations

from functools import lru_cache

from aifactory_twin.perf.flops import RECOMPUTE_MODES
from aifactory_twin.perf.inputs import (
    MODERN,
    DeviceFigures,
    FabricFigures,
    Framework,
    ModelShape,
)
from aifactory_twin.perf.search import SearchResult, best_layout
from aifactory_twin.schema import AcceleratorSpec, ModelDescription, ParallelLayout, TrainingJob

# Schema field → search field.
_LAYOUT_FIELDS = {
    "tensor": "tp",
    "pipeline": "pp",
    "interleave": "v",
    "data": "dp",
    "context": "cp",
    "expert": "ep",
    "micro_batch": "mb",
}


def shape_of(model: ModelDescription) -> ModelShape:
    """The performance model's shape of a scenario's model description."""
    return ModelShape(
        layers=model.layers,
        hidden=model.hidden_size,
        heads=model.attention_heads,
        kv_heads=model.kv_heads or model.attention_heads,
        ffn_hidden=model.ffn_hidden_size or 4 * model.hidden_size,
        vocab=model.vocab_size,
        seq_len=model.seq_len,
        global_batch_tokens=model.global_batch_tokens,
        gated_mlp=model.gated_mlp,
        tied_embeddings=model.tied_embeddings,
        experts=model.experts,
        experts_per_token=model.experts_per_token,
    )


def device_of(spec: AcceleratorSpec, precision: str) -> DeviceFigures:
    """The accelerator at the job's precision (FP8 peak where the device has one)."""
    peak = spec.peak_fp8_tflops if precision == "fp8" and spec.peak_fp8_tflops else None
    return DeviceFigures(
        peak_tflops=peak or spec.peak_bf16_tflops,
        hbm_gb=spec.hbm_gb,
        hbm_bw_gb_per_s=spec.hbm_bw_gb_per_s,
        scale_up_domain=spec.scale_up_domain,
        scale_up_bw_gb_per_s=spec.scale_up_bw_gbps_per_dir,
    )


def fixed_of(layout: ParallelLayout) -> dict[str, int]:
    """The layout fields the user set, in the search's names."""
    out = {
        key: int(value)
        for name, key in _LAYOUT_FIELDS.items()
        if (value := getattr(layout, name)) is not None
    }
    if layout.recompute is not None:
        out["recompute"] = RECOMPUTE_MODES.index(layout.recompute)
    if layout.zero_stage is not None:
        out["zero"] = int(layout.zero_stage)
    return out


def predict(
    job: TrainingJob,
    spec: AcceleratorSpec,
    fabric: FabricFigures,
    gpus: int | None = None,
    framework: Framework = MODERN,
) -> SearchResult | None:
    """The job's fastest fitting layout on ``gpus`` accelerators (default: its request)."""
    if job.model is None:
        return None
    fixed = tuple(sorted(fixed_of(job.layout).items()))
    return _best_cached(
        shape_of(job.model),
        gpus or job.accelerators_requested,
        device_of(spec, job.precision),
        fabric,
        framework,
        fixed,
    )


@lru_cache(maxsize=256)
def _best_cached(
    shape: ModelShape,
    gpus: int,
    device: DeviceFigures,
    fabric: FabricFigures,
    framework: Framework,
    fixed: tuple[tuple[str, int], ...],
) -> SearchResult:
    """Validation reruns on every edit and compile on every run: the same job is searched once."""
    return best_layout(shape, gpus, device, fabric, framework, dict(fixed))
