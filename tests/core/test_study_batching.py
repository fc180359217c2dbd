"""Batched study runs equal the same runs alone, bit for bit (issue 13: batches to the pool).

A worker runs many samples in one task and keeps the validated scenario and compiled
scenarios between them; none of that may leak into a sample's results.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scenes_dir
from aifactory_twin.study import (
    ProcessRunner,
    RunSpec,
    SerialRunner,
    StudyCancelled,
    StudyOptions,
    scalar_kpis,
)
from aifactory_twin.study import runs as study_runs
from aifactory_twin.study.uncertainty import uncertainty

OPTIONS = StudyOptions(horizon_s=2 * 86400.0, step_s=3600.0, series=(), max_points=None)
SAMPLES = 6


@pytest.fixture(scope="module")
def hall():
    return load_scenario(scenes_dir() / "air-vs-liquid.aift.json")


class _BigBatches(ProcessRunner):
    """The pool with every task after the calibration runs holding several samples."""

    target_task_s = 1e6
    batches: list[int]

    def _submit(self, batch):
        self.batches.append(len(batch))
        return super()._submit(batch)


def _alone(text: str, variant: str, seed: int, overrides) -> dict:
    """The sample run by itself in this process, with cold worker caches."""
    spec = OPTIONS.spec(text, variant, seed, label="alone", tag=None, overrides=overrides)
    return scalar_kpis(_alone_kpis(spec))


def test_a_sample_in_a_batched_study_equals_the_sample_run_alone(hall):
    with _BigBatches(2) as runner:
        runner.batches = []
        result = uncertainty(
            hall, SAMPLES, variants=["air", "liquid"], options=OPTIONS, runner=runner
        )
    assert max(runner.batches) >= 3  # samples really shared a task
    text = hall.model_dump_json()
    for label in ("air", "liquid"):
        columns = result.kpis[label]
        for i in (0, SAMPLES // 2, SAMPLES - 1):
            overrides = tuple(
                (s.target, s.path, v) for s, v in zip(result.inputs, result.draws[i], strict=True)
            )
            alone = _alone(text, label, result.seeds[i], overrides)
            for key, values in columns.items():
                value = alone.get(key)
                expected = float(value) if isinstance(value, int | float) else np.nan
                assert np.array_equal(values[i], expected, equal_nan=True), (label, i, key)
    # The draws move the KPIs, so the equality above compares different numbers per sample.
    assert len(set(result.kpis["air"]["energy_cost_usd"].tolist())) == SAMPLES


def test_overrides_of_one_sample_do_not_leak_into_the_next(hall):
    # Serial: one process, shared caches, samples with different overrides back to back.
    text = hall.model_dump_json()
    price = ("grid", "price.flat_usd_per_kwh")
    specs = [
        RunSpec(
            text,
            variant="air",
            horizon_s=86400.0,
            step_s=3600.0,
            seed=1,
            overrides=((*price, p),),
            series=(),
        )
        for p in (0.05, 0.30, 0.05)
    ]
    first, high, again = (r.kpis for r in SerialRunner().run_all(specs))
    assert first == again
    assert high["energy_cost_usd"] > first["energy_cost_usd"]
    assert first == _alone_kpis(specs[0])


def _alone_kpis(spec: RunSpec) -> dict:
    """KPIs of ``spec`` run by itself in this process, with cold worker caches."""
    study_runs._compiled_cache.clear()
    study_runs._scenarios.clear()
    return study_runs.execute(spec).kpis


def test_progress_counts_each_run_of_a_batch_and_cancel_stops_a_batched_pool(hall):
    # Progress is reported per finished run, all runs of a batch when the batch returns; cancel
    # raises once the batches in flight are done, and what was still queued never runs.
    text = hall.model_dump_json()
    specs = [
        RunSpec(text, seed=s, horizon_s=6 * 3600.0, step_s=3600.0, series=()) for s in range(200)
    ]
    cancel = threading.Event()
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if done >= 3:
            cancel.set()

    with _BigBatches(2) as runner:
        runner.batches = []
        runner.max_batch = 5
        with pytest.raises(StudyCancelled):
            runner.run_all(specs, progress=progress, cancel=cancel)
    assert [d for d, _ in seen] == list(range(1, len(seen) + 1))
    assert all(t == len(specs) for _, t in seen)
    assert max(runner.batches) == 5  # batched after the calibration runs
    assert len(seen) < len(specs) / 4  # the queued batches were dropped
