"""Parallelism-aware performance model of a training step (issue 11).

Pure functions of plain inputs — model shape, layout, device, fabric, framework — so it runs at
compile time from a scenario and in tests from a paper's table. See docs/perf-model.md.
"""

from __future__ import annotations

from aifactory_twin.perf.calibration import FROZEN, Calibration
from aifactory_twin.perf.flops import (
    RECOMPUTE_MODES,
    hardware_flops_per_token,
    model_flops_per_token,
)
from aifactory_twin.perf.inputs import (
    MEGATRON_2021,
    MODERN,
    DeviceFigures,
    FabricFigures,
    Framework,
    ModelShape,
)
from aifactory_twin.perf.search import (
    SearchResult,
    best_layout,
    candidates,
    describe_layout,
)
from aifactory_twin.perf.step import Layouts, StepTimes, evaluate

__all__ = [
    "FROZEN",
    "MEGATRON_2021",
    "MODERN",
    "RECOMPUTE_MODES",
    "Calibration",
    "DeviceFigures",
    "FabricFigures",
    "Framework",
    "Layouts",
    "ModelShape",
    "SearchResult",
    "StepTimes",
    "best_layout",
    "candidates",
    "describe_layout",
    "evaluate",
    "hardware_flops_per_token",
    "model_flops_per_token",
]
