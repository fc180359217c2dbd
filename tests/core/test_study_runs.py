"""Study core: compare equals separate engine runs; runners agree; batching; cancel."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scenes_dir
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.study import (
    ProcessRunner,
    RunSpec,
    SerialRunner,
    StudyCancelled,
    StudyError,
    StudyOptions,
    compare,
    scalar_kpis,
)
from aifactory_twin.study.runners import batch_size_for

HORIZON_S = 86400.0
STEP_S = 1800.0


@pytest.fixture(scope="module")
def air_vs_liquid():
    return load_scenario(scenes_dir() / "air-vs-liquid.aift.json")


def _engine_run(scenario, variant, seed):
    compiled = compile_scenario(scenario, variant, horizon_s=HORIZON_S, step_s=STEP_S)
    engine = Engine(compiled, seed=seed)
    engine.run()
    return engine


def test_compare_equals_separate_engine_runs_in_worker_processes(air_vs_liquid):
    seed = 11
    options = StudyOptions(horizon_s=HORIZON_S, step_s=STEP_S, series=None)
    with ProcessRunner(2) as runner:
        result = compare(air_vs_liquid, None, seed=seed, options=options, runner=runner)
    assert list(result.runs) == ["base", "air", "liquid"]
    for label, run in result.runs.items():
        engine = _engine_run(air_vs_liquid, None if label == "base" else label, seed)
        assert run.seed == seed
        assert run.kpis == engine.kpis()
        np.testing.assert_array_equal(run.times_s, engine.recorder.times_s)
        for name in engine.recorder.names:
            if name != "time_s":
                np.testing.assert_array_equal(run.series[name], engine.recorder.series(name))
    # The variants really differ (liquid changes cooling), so equality above is not vacuous.
    assert result.runs["liquid"].kpis["pue"] != result.runs["air"].kpis["pue"]


def test_compare_deltas_and_operational_cost_reduction(air_vs_liquid):
    options = StudyOptions(horizon_s=HORIZON_S, step_s=STEP_S)
    result = compare(air_vs_liquid, ["air", "liquid"], seed=3, options=options)
    deltas = result.deltas("air")
    rows = result.rows()
    opex_air = rows["air"]["operational_cost_usd"]
    opex_liquid = rows["liquid"]["operational_cost_usd"]
    expected = (opex_air - opex_liquid) / opex_air * 100
    assert deltas["liquid"]["operational_cost_reduction_pct"][0] == pytest.approx(expected)
    assert deltas["air"]["operational_cost_reduction_pct"][0] == 0
    diff, pct = deltas["liquid"]["pue"]
    assert diff == pytest.approx(rows["liquid"]["pue"] - rows["air"]["pue"])
    assert pct == pytest.approx(diff / rows["air"]["pue"] * 100)
    assert result.overrides["air"] == list(air_vs_liquid.variants[0].overrides)


def test_unknown_variant_is_a_usage_error(air_vs_liquid):
    from aifactory_twin.errors import UsageError

    with pytest.raises(UsageError, match="no variant 'water'"):
        compare(air_vs_liquid, ["water"])


def test_serial_and_process_runner_agree_and_stream_progress(air_vs_liquid):
    text = air_vs_liquid.model_dump_json()
    specs = [
        RunSpec(text, seed=s, horizon_s=HORIZON_S, step_s=STEP_S, series=("pue",)) for s in range(5)
    ]
    seen: list[tuple[int, int]] = []
    serial = SerialRunner().run_all(specs, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(i, 5) for i in range(1, 6)]
    with ProcessRunner(2) as runner:
        pooled = runner.run_all(specs)
    assert [r.kpis for r in serial] == [r.kpis for r in pooled]
    assert [r.seed for r in pooled] == list(range(5))


def test_cancel_stops_the_remaining_runs(air_vs_liquid):
    text = air_vs_liquid.model_dump_json()
    specs = [RunSpec(text, seed=s, horizon_s=3600.0, step_s=STEP_S, series=()) for s in range(8)]
    cancel = threading.Event()
    done: list[int] = []

    def progress(d: int, t: int) -> None:
        done.append(d)
        if d == 2:
            cancel.set()

    runner = SerialRunner()
    runner.target_task_s = 1e-9  # one run per task, so cancel lands between runs
    with pytest.raises(StudyCancelled):
        runner.run_all(specs, progress=progress, cancel=cancel)
    assert max(done) < len(specs)


def test_a_failing_run_names_itself(air_vs_liquid):
    text = air_vs_liquid.model_dump_json()
    spec = RunSpec(text, variant="nope", horizon_s=3600.0, step_s=STEP_S, label="broken run")
    with pytest.raises(StudyError, match="broken run"):
        SerialRunner().run_all([spec])


@given(
    run_s=st.floats(min_value=1e-4, max_value=100.0),
    remaining=st.integers(min_value=0, max_value=10_000),
    workers=st.integers(min_value=1, max_value=64),
)
def test_batch_size_targets_about_a_second_and_keeps_workers_busy(run_s, remaining, workers):
    size = batch_size_for(run_s, remaining, workers, 1.0)
    assert size >= 1
    if size > 1:
        assert size * run_s <= 1.0 + 1e-9  # never much more than the target per task
        assert size <= -(-remaining // workers)  # at most an even share of what is left


def test_scalar_kpis_flattens_jobs_and_counts_completed():
    kpis = {
        "total_cost_usd": 1000.0,
        "pue": 1.3,
        "jobs": [
            {"name": "a", "completed": True, "progress": 1.0, "training_time_h": 10.0},
            {"name": "b", "completed": False, "progress": 0.5, "training_time_h": None},
        ],
    }
    row = scalar_kpis(kpis)
    assert row["job.a.training_time_h"] == 10.0
    assert row["job.b.training_time_h"] is None
    assert row["jobs_completed"] == 1
    assert row["cost_per_trained_model_usd"] == 1000.0
    assert "jobs" not in row


def test_results_do_not_depend_on_what_ran_before_in_the_worker(air_vs_liquid):
    # Workers reuse compiled scenarios across runs; a run must not leave traces in them.
    from aifactory_twin.study.runs import _compiled_cache, _scenarios, execute

    text = air_vs_liquid.model_dump_json()
    specs = [
        RunSpec(text, variant=v, seed=s, horizon_s=HORIZON_S, step_s=STEP_S, series=("pue",))
        for v in ("liquid", None)
        for s in (1, 2)
    ]
    warm = [execute(spec).kpis for spec in specs]
    cold = []
    for spec in specs:
        _compiled_cache.clear()
        _scenarios.clear()
        cold.append(execute(spec).kpis)
    assert warm == cold


def test_short_runs_are_grouped_into_batches(air_vs_liquid):
    class CountingRunner(SerialRunner):
        def __init__(self) -> None:
            self.batches: list[int] = []

        def _submit(self, batch):
            self.batches.append(len(batch))
            return super()._submit(batch)

    text = air_vs_liquid.model_dump_json()
    specs = [RunSpec(text, seed=s, horizon_s=3600.0, step_s=STEP_S, series=()) for s in range(12)]
    runner = CountingRunner()
    results = runner.run_all(specs)
    assert [r.seed for r in results] == list(range(12))
    assert sum(runner.batches) == 12
    assert runner.batches[0] == 1  # the calibration run
    assert len(runner.batches) < 12  # two-tick runs take far less than a second: grouped
