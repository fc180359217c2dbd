"""The performance model's fitted parameters, frozen.

Fitted once by ``tools/fit_perf_model.py`` on the validation cases of
:mod:`aifactory_twin.perf.validation` (Megatron-LM SC'21 Table 1, Llama 3 Table 4) by
minimising the largest relative error over a grid; docs/perf-model.md lists the result. Do not
tune these to make a scene look right: rerun the fit if the model's structure changes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Calibration:
    """Efficiency figures of a software stack that turn peak rates into achieved ones."""

    matmul_efficiency: float
    """Best achievable fraction of dense peak in a large GEMM (the roofline's compute roof)."""
    size_half: float
    """GEMM dimension at which efficiency halves: η = η_max · d / (d + d½), d = smallest dim."""
    attention_efficiency: float
    """A fused attention kernel's efficiency relative to a GEMM of the same inner dimension
    (softmax and masking share the SMs with the tensor cores)."""
    elementwise_passes: float
    """HBM passes over a layer's stored activations for the non-GEMM ops (norms, activations,
    softmax, residuals), forward; backward takes twice that."""


FROZEN = Calibration(
    matmul_efficiency=0.75, size_half=32.0, attention_efficiency=0.7, elementwise_passes=3.0
)
"""Fitted 2026-12-03: worst error 6.9 % over the seven cases (docs/perf-model.md)."""
