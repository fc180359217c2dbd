"""Fit the performance model's few efficiency parameters on the published runs, once.

Grid search minimising the largest relative error over the validation cases
(:mod:`aifactory_twin.perf.validation`); prints the best parameters and the
table. Freeze the result in ``aifactory_twin/perf/calibration.py`` and
docs/perf-model.md. Run: ``.venv/bin/python tools/fit_perf_model.py``.
"""

from __future__ import annotations

import itertools

import numpy as np

from aifactory_twin.perf import Calibration, best_layout
from aifactory_twin.perf.validation import CASES, Case

GRID = {
    "matmul_efficiency": np.arange(0.60, 0.951, 0.05),
    "size_half": (8.0, 16.0, 32.0, 64.0, 128.0, 256.0),
    "attention_efficiency": np.arange(0.40, 1.001, 0.1),
    "elementwise_passes": (1.0, 2.0, 3.0, 4.0, 6.0, 8.0),
}


def predicted_tflops(case: Case, cal: Calibration) -> float:
    """The case's metric (hardware or model TFLOP/s per GPU) for its best fitting layout."""
    res = best_layout(
        case.shape, case.gpus, case.device, case.fabric, case.framework, case.fixed, cal
    )
    if res.times is None or res.feasible == 0:
        return 0.0
    t = res.times
    got = t.hardware_tflops_per_gpu if case.metric == "hardware" else t.model_tflops_per_gpu
    return float(got[0])


def worst_error(cal: Calibration) -> float:
    return max(abs(predicted_tflops(c, cal) / c.published_tflops - 1.0) for c in CASES)


def main() -> None:
    best: tuple[float, Calibration] | None = None
    for values in itertools.product(*GRID.values()):
        cal = Calibration(*(round(float(v), 3) for v in values))
        err = worst_error(cal)
        if best is None or err < best[0]:
            best = (err, cal)
    assert best is not None
    err, cal = best
    print(f"best {cal} worst error {100 * err:.1f} %")
    for c in CASES:
        got = predicted_tflops(c, cal)
        print(
            f"{c.name:40s} published {c.published_tflops:6.1f} predicted {got:6.1f} "
            f"({100 * (got / c.published_tflops - 1):+.1f} %)"
        )


if __name__ == "__main__":
    main()
