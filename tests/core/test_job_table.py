"""The engine's job table (the live Gantt's data) and the queue series the live chart reads."""

from __future__ import annotations

import numpy as np
from test_sim_builders import hall

from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scenes_dir
from aifactory_twin.schema import TrainingJob
from aifactory_twin.sim import Engine, compile_scenario

GPU_H = 989e12 * 0.40 * 3600.0  # one H100 accelerator-hour at the default MFU


def _engine() -> Engine:
    """64 accelerators; a 48-GPU job, a 32-GPU job that must wait, a small one behind it."""
    jobs = [
        TrainingJob(id="a", accelerators_requested=48, total_flops=48 * GPU_H * 6, team="x"),
        TrainingJob(id="b", accelerators_requested=32, total_flops=32 * GPU_H * 2, start_s=600,
                    team="y"),
        TrainingJob(id="c", accelerators_requested=8, total_flops=8 * GPU_H, start_s=1200),
    ]  # fmt: skip
    settings = {"horizon_s": 86400.0, "step_s": 300.0, "scheduler_policy": "fcfs",
                "backfill": "none"}  # fmt: skip
    sc = hall("air", racks=8, settings=settings)
    return Engine(compile_scenario(sc.model_copy(update={"workloads": jobs})), seed=0)


def test_job_table_follows_the_queue_and_the_racks() -> None:
    eng = _engine()
    eng.run(until_s=3 * 3600.0)
    table = eng.job_table()
    assert table.ids == ("a", "b", "c") and table.teams == ("x", "y", "")
    assert list(table.submit_s) == [0.0, 600.0, 1200.0]
    assert table.start_s[0] == 0.0 and np.isnan(table.start_s[1:]).all()  # b, c queued
    assert np.isnan(table.end_s).all()
    assert list(table.held) == [48.0, 0.0, 0.0]
    racks = eng.compiled.racks.node
    # Six of the eight 8-GPU units' racks hold job a; nothing else runs.
    on_racks = table.node_job[racks]
    assert set(on_racks.tolist()) <= {0, -1} and (on_racks == 0).any()
    assert (table.node_job[np.setdiff1d(np.arange(eng.compiled.n_nodes), racks)] == -1).all()
    held_on = eng.job_nodes(0)
    assert held_on and set(held_on) == {eng.node_ids[i] for i in racks[on_racks == 0]}
    assert eng.job_nodes(1) == () and eng.job_nodes(99) == ()
    eng.run()
    done = eng.job_table()
    assert not np.isnan(done.end_s).any()  # all three finished within the day
    assert (done.start_s >= done.submit_s).all() and (done.end_s > done.start_s).all()
    assert done.start_s[1] >= done.end_s[0] - 300.0  # strict FCFS: b after a
    assert (done.node_job == -1).all() and not done.held.any()
    assert eng.job_nodes(0) == ()


def test_queue_series_count_jobs_and_accelerators() -> None:
    eng = _engine()
    eng.run()
    rec = eng.recorder
    t = rec.times_s
    early = t <= 3 * 3600.0
    # While a runs: one job running, b and c queued, 48 accelerators allocated.
    assert set(rec.series("jobs_running")[early & (t > 1800)]) == {1.0}
    assert set(rec.series("queue_length")[early & (t > 1800)]) == {2.0}
    assert set(rec.series("gpus_allocated")[early & (t > 1800)]) == {48.0}
    assert rec.series("jobs_running")[-1] == 0.0 and rec.series("gpus_allocated")[-1] == 0.0
    assert (rec.series("gpus_allocated") <= rec.series("gpus_up") + 1e-9).all()


def test_rack_owner_matches_the_dense_placement_with_many_jobs() -> None:
    sc = load_scenario(scenes_dir() / "shared-cluster-1k.aift.json")
    eng = Engine(compile_scenario(sc), seed=0)
    for _ in range(3):
        eng.run(until_s=eng.time_s + 12 * 3600.0)
        pl = eng.state.work.placement
        assert pl is not None
        dense = pl.train_racks.dense()
        top = np.argmax(dense, axis=0)
        busy = dense[top, np.arange(dense.shape[1])] > 0
        expected = np.full(eng.compiled.n_nodes, -1)
        expected[eng.compiled.racks.node[busy]] = top[busy]
        table = eng.job_table()
        assert busy.any() and np.array_equal(table.node_job, expected)
        assert np.array_equal(table.held, dense.sum(axis=1) + pl.train_cloud.sum(axis=1))
