"""Drift monitoring (issue 14): a launched model drifts, MLOps detects it, a retraining job queues.

The scenes have no failures, so the run's only random draws are the drifts: runs that differ
only in a team size draw the same drift times and their dates follow the formulas exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_quiet_stretches import assert_same_run
from test_sim_launch import DAY_S, _factory

from aifactory_twin.cli.run_cmd import kpi_table_lines
from aifactory_twin.schema import Scenario, TrainingJob
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.sim.compile.retrain import retrain_slots
from aifactory_twin.sim.models import drift as dr

DRIFT_KEYS = ("retrains_submitted", "retrains_completed", "drift_to_relaunch_mean_days")


def _no_failures(sc: Scenario) -> Scenario:
    nodes = []
    for n in sc.nodes:
        rate = {
            k: 0.0
            for k in ("failure_rate_per_gpu_hour", "failure_rate_per_hour")
            if k in type(n).model_fields
        }
        nodes.append(n.model_copy(update=rate))
    return sc.model_copy(update={"nodes": nodes})


def _scene(
    mlops: int = 4,
    monitoring: bool = True,
    mean_days: float = 20.0,
    horizon_days: float = 150.0,
    hog_days: float = 0.0,
) -> Scenario:
    """The launch tests' fine-tune (64 H100s, ~0.4 d) under drift monitoring, no failures.

    ``hog_days`` > 0 adds a job of that many days on all 64 accelerators, submitted on day 1,
    under FCFS: the retraining job must queue behind it.
    """
    sc = _no_failures(_factory(mlops=mlops, horizon_days=horizon_days))
    job = sc.workloads[0].model_copy(
        update={"drift_monitoring": monitoring, "mean_time_to_drift_s": mean_days * DAY_S}
    )
    work: list[TrainingJob] = [job]
    settings = sc.settings
    if hog_days:
        # 64 H100s × 989 TFLOP/s × MFU 0.4 for hog_days.
        flops = 64 * 989e12 * 0.4 * hog_days * DAY_S
        work.append(
            TrainingJob(id="hog", total_flops=flops, accelerators_requested=64, start_s=DAY_S)
        )
        settings = settings.model_copy(update={"scheduler_policy": "fcfs"})
    return sc.model_copy(update={"workloads": work, "settings": settings})


def _run(sc: Scenario, seed: int = 1) -> Engine:
    eng = Engine(compile_scenario(sc), seed=seed)
    eng.run()
    return eng


def _slot(eng: Engine, k: int) -> int:
    return eng.compiled.workloads.train_ids.index(f"ft-retrain-{k}")


def test_retraining_slots_start_unsubmitted_and_bound_the_horizon() -> None:
    c = compile_scenario(_scene(horizon_days=40))
    wl = c.workloads
    n = retrain_slots(40 * DAY_S)
    assert n == math.floor(40 * DAY_S / dr.MIN_RELAUNCH_S) == 5
    assert wl.train_ids == ("ft", *(f"ft-retrain-{k}" for k in range(1, n + 1)))
    assert wl.train_start_s[0] == 0.0 and np.all(np.isinf(wl.train_start_s[1:]))
    # Same size, team and racks; a tenth of the work (the default retrain_fraction).
    assert np.all(wl.gpus_req == 64)
    assert wl.flops_total[1] == pytest.approx(0.1 * wl.flops_total[0])
    assert wl.retrain is not None
    assert wl.retrain.next_slot.tolist() == [1, 2, 3, 4, 5, -1]
    assert wl.retrain.origin.tolist() == [0] * 6
    assert compile_scenario(_scene(monitoring=False)).workloads.retrain is None


def test_more_mlops_staff_detect_drift_sooner_and_relaunch_earlier() -> None:
    few, many = _run(_scene(mlops=1)), _run(_scene(mlops=4))
    s = [_slot(e, 1) for e in (few, many)]
    lc = [e.state.lifecycle for e in (few, many)]
    # The same drift draw, after each run's own launch.
    after_launch = [lc[i].drift_s[s[i]] - lc[i].launched_s(0) for i in range(2)]
    assert after_launch[0] == pytest.approx(after_launch[1], abs=1e-6)
    # Detection delay: automation covers half (automation_level 0.5, 64 GPUs are within one
    # engineer's reach), triage is 5 person-days × (1 − 0.8 × 0.5) over the team.
    gpus = 64.0
    delay = [dr.detection_delay_s(0.5, m, 8.0, gpus) for m in (1.0, 4.0)]
    for i in range(2):
        assert lc[i].detected_s[s[i]] - lc[i].drift_s[s[i]] == pytest.approx(delay[i])
    saved_triage_s = 3.0 * 8 / (40 / 168) * 3600 * (1 - 1 / 4)
    assert delay[0] - delay[1] == pytest.approx(saved_triage_s)
    # The retraining job is submitted, runs, and launches: earlier with more MLOps staff, by
    # at least the detection time saved (its own evaluation and deployment are faster too).
    relaunch = [lc[i].launched_s(s[i]) for i in range(2)]
    assert all(math.isfinite(x) for x in relaunch)
    earlier_drift = lc[0].drift_s[s[0]] - lc[1].drift_s[s[1]]
    assert relaunch[0] - relaunch[1] > earlier_drift + saved_triage_s
    k = [e.kpis() for e in (few, many)]
    assert k[0]["retrains_completed"] >= 1 and k[1]["retrains_completed"] >= 1
    assert k[1]["drift_to_relaunch_mean_days"] < k[0]["drift_to_relaunch_mean_days"]
    # No MLOps team: the researchers triage after a monthly manual review.
    none = dr.detection_delay_s(0.5, 0.0, 8.0, gpus)
    assert none == pytest.approx(15 * DAY_S + 5.0 * 8 / 8 / (40 / 168) * 3600)
    assert dr.detection_delay_s(0.5, 0.0, 0.0, gpus) == math.inf


def test_a_retraining_job_waits_in_the_queue_while_the_accelerators_are_busy() -> None:
    eng = _run(_scene(hog_days=90.0, horizon_days=150.0), seed=2)
    wl = eng.compiled.workloads
    sched, jobs, submits = eng.state.work.sched, eng.state.work.jobs, eng.state.work.submits
    hog, slot = wl.train_ids.index("hog"), _slot(eng, 1)
    submitted = submits.s[slot]
    assert submitted < jobs.finish_s[hog], "the drift must be detected while the hog runs"
    # Submitted into a full factory: it starts the step after the long job frees the racks.
    assert sched.first_start_s[slot] >= jobs.finish_s[hog]
    assert sched.first_start_s[slot] - jobs.finish_s[hog] <= eng.compiled.step_s
    job = next(j for j in eng.kpis()["jobs"] if j["id"] == "ft-retrain-1")
    assert job["retrain_of"] == "ft"
    assert job["wait_h"] == pytest.approx((sched.first_start_s[slot] - submitted) / 3600.0)
    assert job["wait_h"] > 24.0
    kinds = [(e.kind, e.node_id) for e in eng.events]
    assert ("drift_detected", "ft") in kinds and ("retrain_submitted", "ft-retrain-1") in kinds
    # The job table (Jobs dock) shows it as a job of the same team once submitted.
    table = eng.job_table()
    assert table.submit_s[slot] == submitted and table.teams[slot] == wl.teams[0]


def test_without_drift_monitoring_a_run_is_unchanged_by_the_slots() -> None:
    # Monitoring on, but the drift would come long after the horizon: the retraining slots
    # sit unsubmitted and change nothing else (placement, queue, money, outputs).
    off = _run(_scene(monitoring=False))
    idle = _run(_scene(mean_days=1e9))
    assert idle.compiled.workloads.n_train > off.compiled.workloads.n_train
    k_off, k_idle = off.kpis(), idle.kpis()
    assert k_idle["retrains_submitted"] == 0 and k_idle["drift_to_relaunch_mean_days"] is None
    assert all(key not in k_off for key in DRIFT_KEYS)
    assert {k: v for k, v in k_idle.items() if k not in DRIFT_KEYS} == k_off
    for name in ("facility_power_kw", "delivered_pflops", "queue_length"):
        assert np.array_equal(off.recorder.series(name), idle.recorder.series(name))
    # The CLI table has the drift lines only for a run that monitors a model.
    assert not any("Retraining" in line for line in kpi_table_lines(k_off))
    lines = kpi_table_lines(k_idle)
    assert any(line.split() == ["Retraining", "jobs", "submitted", "0"] for line in lines)
    assert any("Drift to relaunch (mean)" in line for line in lines)


def test_the_same_seed_gives_the_same_retrains_and_a_retrained_model_drifts_again() -> None:
    sc = _scene(mean_days=5.0, horizon_days=150.0)
    a, b, other = _run(sc, seed=7), _run(sc, seed=7), _run(sc, seed=8)

    def retrains(eng: Engine) -> list[tuple[float, str, str]]:
        kinds = ("drift_detected", "retrain_submitted", "model_launched")
        return [(e.time_s, e.kind, e.node_id) for e in eng.events if e.kind in kinds]

    assert retrains(a) == retrains(b)
    assert retrains(a) != retrains(other)
    assert np.array_equal(a.state.lifecycle.drift_s, b.state.lifecycle.drift_s, equal_nan=True)
    # A retrained model drifts too: the chain goes on to the next retraining job.
    submitted = a.kpis()["retrains_submitted"]
    assert submitted >= 2
    assert any(e.kind == "retrain_submitted" and e.node_id == "ft-retrain-2" for e in a.events)


def test_the_next_submission_is_known_ahead_for_event_stepping() -> None:
    sc = _scene(hog_days=90.0, horizon_days=150.0)
    eng = Engine(compile_scenario(sc), seed=2)
    assert eng.next_submission_s() == pytest.approx(DAY_S)  # the hog, from the file
    eng.run(until_s=2 * DAY_S)  # the fine-tune has finished: its drift is drawn
    slot = _slot(eng, 1)
    at = float(eng.state.lifecycle.detected_s[slot])
    assert eng.next_submission_s() == at > eng.time_s
    eng.run(until_s=at + eng.compiled.step_s)
    assert eng.next_submission_s() == math.inf


@pytest.mark.parametrize("hog_days", [0.0, 90.0])
def test_quiet_stretches_stop_at_runtime_submissions_and_detections(hog_days: float) -> None:
    # Event-driven stepping (sim/quiet.py) equals fixed stepping with drift monitoring: a
    # stretch ends where a retraining job is submitted and where a detection is logged.
    sc = _scene(mean_days=5.0, hog_days=hog_days, horizon_days=60.0)
    # Ten-minute steps: a stretch spans up to the clock hour, past a submission if blind to it.
    c = compile_scenario(sc.model_copy(update={"settings": sc.settings.model_copy(
        update={"step_s": 600.0})}))  # fmt: skip
    fixed = Engine(c, seed=7, event_steps=False)
    fixed.run()
    fast = Engine(c, seed=7, event_steps=True)
    fast.run()
    assert fast.kpis()["retrains_submitted"] >= 1
    assert_same_run(fixed, fast)
