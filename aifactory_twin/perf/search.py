"""Layout search: every divisible layout for a job's GPU count, the fastest that fits in HBM.

Like Calculon's execution search, but over numpy arrays: the candidates are built as one
meshgrid, the indivisible ones dropped, and :func:`step.evaluate` times all of them at once, so a
16k-GPU job is searched in well under 0.2 s. Fixed fields (an explicit layout, or the published
part of one) restrict the grid; the rest is searched.

Divisibility: GPUs = TP·CP·PP·DP; TP divides the attention heads; CP divides the sequence; the
micro-batch times DP divides the global batch; PP ≤ layers and the interleave v divides the
layers per stage (v = 1 without a pipeline); EP divides the experts and DP.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from aifactory_twin.perf.calibration import FROZEN, Calibration
from aifactory_twin.perf.inputs import (
    DeviceFigures,
    FabricFigures,
    Framework,
    ModelShape,
)
from aifactory_twin.perf.memory import memory_parts
from aifactory_twin.perf.step import Layouts, StepTimes, evaluate

FloatArray = npt.NDArray[np.float64]

TP_CHOICES = (1, 2, 4, 8, 16, 32, 64)
CP_CHOICES = (1, 2, 4, 8, 16, 32)
MB_CHOICES = (1, 2, 4, 8)
V_CHOICES = (1, 2, 3, 4, 6, 8)
RECOMPUTE_CHOICES = (0, 1, 2)
ZERO_CHOICES = (1, 2, 3)
MAX_PP = 128
FIELDS = ("tp", "pp", "cp", "dp", "ep", "mb", "v", "recompute", "zero")


@dataclass(frozen=True)
class SearchResult:
    """The chosen layout and its step times (length-1 arrays), or why none fits."""

    layout: Layouts | None
    times: StepTimes | None
    candidates: int
    feasible: int
    problem: str = ""
    """Empty when a layout was found; otherwise what does not fit, for the validation message."""
    memory_gb: dict[str, float] = field(default_factory=dict)
    """Weights, gradients, optimizer state and activations per GPU of the chosen layout."""


def _divisors(n: int, limit: int) -> list[int]:
    return [d for d in range(1, min(n, limit) + 1) if n % d == 0]


def candidates(shape: ModelShape, gpus: int, fixed: dict[str, int]) -> Layouts:
    """Every divisible layout for ``gpus`` accelerators that agrees with ``fixed``."""
    choice: dict[str, list[int]] = {
        "tp": [t for t in TP_CHOICES if shape.heads % t == 0 and gpus % t == 0],
        "pp": [p for p in _divisors(gpus, min(MAX_PP, shape.layers))],
        "cp": [c for c in CP_CHOICES if shape.seq_len % c == 0 and gpus % c == 0],
        "ep": [x for x in _divisors(shape.experts, shape.experts)],
        "mb": list(MB_CHOICES),
        "v": list(V_CHOICES),
        "recompute": list(RECOMPUTE_CHOICES),
        "zero": list(ZERO_CHOICES),
    }
    for name, value in fixed.items():
        if name in choice:
            choice[name] = [value]
    names = list(choice)
    grids = np.meshgrid(*[np.asarray(choice[n], dtype=np.float64) for n in names], indexing="ij")
    cols = {n: g.ravel() for n, g in zip(names, grids, strict=True)}
    tp, pp, cp = cols["tp"], cols["pp"], cols["cp"]
    dp = gpus / (tp * pp * cp)
    per_stage = np.ceil(shape.layers / pp)
    batch = float(shape.batch_seqs)
    ok = (dp == np.floor(dp)) & (dp >= 1)
    # Fixed values skip the choice lists above, so every rule is applied here too.
    ok &= (np.mod(shape.heads, tp) == 0) & (np.mod(shape.seq_len, cp) == 0)
    ok &= (pp <= shape.layers) & (np.mod(shape.experts, cols["ep"]) == 0)
    ok &= np.mod(batch, dp * cols["mb"]) == 0
    ok &= np.mod(per_stage, cols["v"]) == 0
    ok &= (pp > 1) | (cols["v"] == 1)
    ok &= np.mod(dp, cols["ep"]) == 0
    if "dp" in fixed:
        ok &= dp == fixed["dp"]
    cols["dp"] = dp
    return Layouts(**{n: cols[n][ok] for n in FIELDS})


def best_layout(
    shape: ModelShape,
    gpus: int,
    dev: DeviceFigures,
    fabric: FabricFigures,
    fw: Framework,
    fixed: dict[str, int] | None = None,
    cal: Calibration = FROZEN,
) -> SearchResult:
    """The fastest layout that fits in HBM, among those agreeing with ``fixed``."""
    lay = candidates(shape, gpus, fixed or {})
    n = len(lay)
    if n == 0:
        return SearchResult(None, None, 0, 0, _no_divisible(shape, gpus, fixed or {}))
    times = evaluate(shape, lay, dev, fabric, fw, cal)
    fits = times.memory_gb <= times.usable_gb
    if not fits.any():
        i = int(np.argmin(times.memory_gb))
        problem = (
            f"needs {times.memory_gb[i]:.0f} GB per accelerator at best, "
            f"{times.usable_gb:.0f} GB of HBM usable"
        )
        return _result(shape, lay, i, dev, fabric, fw, cal, n, 0, problem)
    step = np.where(fits, times.step_s, np.inf)
    # Among equally fast layouts (within a millionth) take the least recompute, then least memory.
    near = step <= step.min() * (1.0 + 1e-6)
    i = int(np.lexsort((times.memory_gb, lay.recompute, ~near))[0])
    return _result(shape, lay, i, dev, fabric, fw, cal, n, int(fits.sum()), "")


def _result(
    shape: ModelShape,
    lay: Layouts,
    i: int,
    dev: DeviceFigures,
    fabric: FabricFigures,
    fw: Framework,
    cal: Calibration,
    n: int,
    feasible: int,
    problem: str,
) -> SearchResult:
    one = lay.take(np.asarray([i]))
    times = evaluate(shape, one, dev, fabric, fw, cal)
    m_micro = shape.batch_seqs / (one.dp * one.mb)
    parts = memory_parts(shape, one, fw.flash_attention, fw.sequence_parallel, m_micro)
    mem = {name: float(v[0]) / 1e9 for name, v in parts.items()}
    return SearchResult(one, times, n, feasible, problem, mem)


_RECOMPUTE_TEXT = ("no recompute", "selective recompute", "full recompute")


def describe_layout(lay: Layouts, i: int = 0) -> str:
    """``TP8 PP16 (v 4) CP1 DP64 EP1, micro-batch 1, full recompute, ZeRO-1``."""

    def g(name: str) -> int:
        return int(getattr(lay, name)[i])

    return (
        f"TP{g('tp')} PP{g('pp')} (v {g('v')}) CP{g('cp')} DP{g('dp')} EP{g('ep')}, "
        f"micro-batch {g('mb')}, {_RECOMPUTE_TEXT[g('recompute')]}, ZeRO-{g('zero')}"
    )


def _no_divisible(shape: ModelShape, gpus: int, fixed: dict[str, int]) -> str:
    given = ", ".join(f"{k}={v}" for k, v in sorted(fixed.items()))
    return (
        f"no layout of {gpus} accelerators divides the model "
        f"({shape.heads} heads, {shape.layers} layers, {shape.batch_seqs} sequences per step"
        + (f"; fixed {given}" if given else "")
        + ")"
    )
