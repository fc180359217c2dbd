"""The job scheduler: queue policies, EASY backfill, gang starts, requeue, the start gate, KPIs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError
from test_sim_builders import hall

from aifactory_twin.schema import ScheduledEvent, TrainingJob
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.sim.stages.scheduler import take_topology

# FLOPs of one accelerator-hour of an H100 at the default MFU (989 TFLOP/s bf16 × 0.40).
GPU_H = 989e12 * 0.40 * 3600.0


def _engine(policy: str, jobs: list[TrainingJob], backfill: str = "easy", **kw: Any) -> Engine:
    """8 DGX H100 units (64 accelerators) under one leaf, two days at 5 min."""
    settings = {"horizon_s": 2 * 86400.0, "step_s": 300.0, "scheduler_policy": policy,
                "backfill": backfill}  # fmt: skip
    sc = hall("air", racks=8, settings=settings, **kw)
    return Engine(compile_scenario(sc.model_copy(update={"workloads": jobs})), seed=0)


def _run(policy: str, jobs: list[TrainingJob], backfill: str = "easy", **kw: Any) -> Engine:
    eng = _engine(policy, jobs, backfill, **kw)
    eng.run()
    return eng


def _starts_h(eng: Engine) -> list[float]:
    return [round(float(x) / 3600.0, 2) for x in eng.state.work.sched.first_start_s]


def _blocked_mix() -> list[TrainingJob]:
    """A big job running, a 32-accelerator job that must wait, a small short job behind it."""
    return [
        TrainingJob(id="a", accelerators_requested=48, total_flops=48 * GPU_H * 6, team="x"),
        TrainingJob(id="b", accelerators_requested=32, total_flops=32 * GPU_H * 2, start_s=600,
                    team="y"),
        TrainingJob(id="c", accelerators_requested=8, total_flops=8 * GPU_H, start_s=1200,
                    team="y"),
    ]  # fmt: skip


def test_strict_fcfs_holds_a_small_job_behind_the_blocked_head() -> None:
    eng = _run("fcfs", _blocked_mix(), backfill="none")
    a, b, c = _starts_h(eng)
    assert a == 0.0
    assert b > 5.0  # waits for a to finish (16 free < 32)
    assert c == b  # strict order: c waits behind b although 8 would fit at once


def test_easy_backfill_starts_the_small_job_without_delaying_the_head() -> None:
    strict = _run("fcfs", _blocked_mix(), backfill="none")
    easy = _run("fcfs", _blocked_mix(), backfill="easy")
    assert _starts_h(easy)[2] == pytest.approx(1200 / 3600, abs=0.01)  # starts at submit
    assert _starts_h(easy)[1] == _starts_h(strict)[1]  # head's reservation kept
    k_strict, k_easy = strict.kpis(), easy.kpis()
    assert k_easy["queue_wait_mean_h"] < k_strict["queue_wait_mean_h"] - 1.0
    assert k_easy["queue_slowdown_mean"] < k_strict["queue_slowdown_mean"]


def test_backfill_may_not_delay_the_head() -> None:
    # d fits now (16 free) and outlives a, but when a ends 16 + 48 − 32 = 32 are spare for
    # the head b: d may take 16 of them, and b still starts when a ends.
    jobs = [
        *_blocked_mix()[:2],
        TrainingJob(id="d", accelerators_requested=16, total_flops=16 * GPU_H * 40, start_s=900),
    ]
    easy = _run("fcfs", jobs)
    strict = _run("fcfs", jobs, backfill="none")
    assert _starts_h(easy)[1] == _starts_h(strict)[1]


def test_backfill_refuses_a_long_job_that_would_take_the_heads_accelerators() -> None:
    # Head b needs 56 of 64 when a (48) ends: 16 free + 48 = 64, spare 8. A 16-accelerator job
    # that outlives a would leave b short, so it must wait; one of 8 may go.
    jobs = [
        TrainingJob(id="a", accelerators_requested=48, total_flops=48 * GPU_H * 6),
        TrainingJob(id="b", accelerators_requested=56, total_flops=56 * GPU_H, start_s=600),
        TrainingJob(id="long16", accelerators_requested=16, total_flops=16 * GPU_H * 40,
                    start_s=900),
        TrainingJob(id="long8", accelerators_requested=8, total_flops=8 * GPU_H * 40,
                    start_s=900),
    ]  # fmt: skip
    eng = _run("fcfs", jobs)
    _a, b, long16, long8 = _starts_h(eng)
    assert long8 == pytest.approx(0.25, abs=0.01)  # uses only the spare 8
    assert b == pytest.approx(6.0, abs=0.5)  # starts when a ends
    assert long16 >= b


def test_policies_order_the_queue() -> None:
    blocker = TrainingJob(id="big", accelerators_requested=64, total_flops=64 * GPU_H * 3)
    long_job = TrainingJob(id="long", accelerators_requested=64, total_flops=64 * GPU_H * 5,
                           start_s=300)  # fmt: skip
    short = TrainingJob(id="short", accelerators_requested=64, total_flops=64 * GPU_H * 1,
                        start_s=600, priority=5)  # fmt: skip
    jobs = [blocker, long_job, short]
    fcfs, sjf, prio = (_starts_h(_run(p, jobs)) for p in ("fcfs", "sjf", "priority"))
    assert fcfs[1] < fcfs[2]  # submitted first, runs first
    assert sjf[2] < sjf[1]  # shortest first
    assert prio[2] < prio[1]  # higher priority first


def test_gang_minimum_starts_a_job_on_fewer_accelerators() -> None:
    jobs = [
        TrainingJob(id="a", accelerators_requested=48, total_flops=48 * GPU_H * 6),
        TrainingJob(id="all", accelerators_requested=32, total_flops=32 * GPU_H, start_s=600),
    ]
    waits = _run("fcfs", jobs)
    gang16 = _run("fcfs", [jobs[0], jobs[1].model_copy(update={"min_accelerators": 16})])
    assert _starts_h(waits)[1] > 5.0
    assert _starts_h(gang16)[1] == pytest.approx(600 / 3600, abs=0.01)
    assert gang16.state.work.placement is not None


def test_a_failure_requeues_a_gang_job_and_an_elastic_job_shrinks() -> None:
    fail = [ScheduledEvent(time_s=3600.0, kind="fail_unit", target="rack", magnitude=1.0)]
    job = TrainingJob(id="all", accelerators_requested=64, total_flops=64 * GPU_H * 20)
    gang = _run("fcfs", [job], events=fail)
    elastic = _run("fcfs", [job.model_copy(update={"elastic": True})], events=fail)
    assert gang.kpis()["requeues"] >= 1
    assert gang.event_counts["job_requeued"] >= 1
    assert elastic.kpis()["requeues"] == 0
    # The elastic job kept running on 56: it is further along than the requeued gang job.
    assert elastic.state.work.jobs.progress_flops[0] > gang.state.work.jobs.progress_flops[0]


def test_the_start_gate_holds_a_job_until_it_opens() -> None:
    for policy in ("elastic", "fcfs"):
        eng = _engine(policy, _blocked_mix()[:1])
        sched = eng.state.work.sched
        sched.set_gate("dataset", np.array([False]))
        eng.run(until_s=7200.0)
        assert np.isnan(sched.first_start_s[0]), policy
        assert eng.recorder.last("queue_length") == 1.0
        sched.set_gate("dataset", np.array([True]))
        eng.run(until_s=7200.0 + 600.0)
        assert sched.first_start_s[0] == pytest.approx(7200.0), policy
        assert eng.kpis()["queue_wait_mean_h"] == pytest.approx(2.0)


def test_the_gate_is_the_and_of_all_named_gates() -> None:
    eng = _engine("fcfs", _blocked_mix())
    sched = eng.state.work.sched
    sched.set_gate("one", np.array([True, False, True]))
    sched.set_gate("two", np.array([False, True, True]))
    assert sched.start_ready.tolist() == [False, False, True]
    assert not sched.start_ready.flags.writeable


def test_kpis_wait_share_and_determinism() -> None:
    one, two = _run("fcfs", _blocked_mix()).kpis(), _run("fcfs", _blocked_mix()).kpis()
    assert one == two
    assert sum(one["team_gpu_share"].values()) == pytest.approx(1.0)
    assert one["team_gpu_share"]["x"] > one["team_gpu_share"]["y"]
    assert one["queue_wait_p95_h"] >= one["queue_wait_p50_h"]
    assert one["queue_length_max"] == 1
    assert 0 < one["mean_utilization"] <= one["mean_allocation"] <= 1


def test_topology_prefers_one_leaf_with_the_best_fit() -> None:
    free = np.array([8.0, 8.0, 32.0, 16.0, 8.0])
    leaf = np.array([0, 0, 1, 2, 2])
    mask = np.ones(5, dtype=bool)
    got = take_topology(free, mask, 24.0, leaf, 24.0)
    assert got.tolist() == [0.0, 0.0, 0.0, 16.0, 8.0]  # leaf 2 (24 free) fits with least spare
    spread = take_topology(free, mask, 40.0, leaf, 40.0)  # no leaf holds 40: first racks
    assert spread.tolist() == [8.0, 8.0, 24.0, 0.0, 0.0]


def test_gang_minimum_above_the_request_is_rejected() -> None:
    with pytest.raises(ValidationError, match="min_accelerators"):
        TrainingJob(id="x", accelerators_requested=8, min_accelerators=16)
