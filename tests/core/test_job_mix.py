"""The job-mix generator: Poisson arrivals per team, reproducible, expanded at compile time."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError
from test_sim_builders import hall

from aifactory_twin.errors import ScenarioError
from aifactory_twin.schema import JobMix, Scenario, TrainingJob
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.sim.compile.job_mix import draw_mix


def _with_mix(*mixes: JobMix, seed: int = 0, policy: str = "fcfs") -> Scenario:
    sc = hall("air", racks=8, settings={"horizon_s": 86400.0, "step_s": 300.0, "seed": seed,
                                        "scheduler_policy": policy})  # fmt: skip
    return sc.model_copy(update={"workloads": [], "job_mix": list(mixes)})


def test_draws_are_reproducible_and_follow_the_stated_distributions() -> None:
    mix = JobMix(team="research", jobs=2000, mean_interarrival_s=100.0, accelerators_min=8,
                 accelerators_max=64, duration_median_s=3600.0, duration_sigma=0.5)  # fmt: skip
    a, b = draw_mix(mix, 7, 0), draw_mix(mix, 7, 0)
    assert a == b
    assert draw_mix(mix, 8, 0) != a
    submit = np.array([x[0] for x in a])
    size = np.array([x[1] for x in a])
    run = np.array([x[2] for x in a])
    assert submit[0] == 0.0 and np.all(np.diff(submit) >= 0)
    assert np.mean(np.diff(submit)) == pytest.approx(100.0, rel=0.1)  # Poisson rate
    assert size.min() >= 8 and size.max() <= 64 and np.all(size % 8 == 0)
    assert np.median(run) == pytest.approx(3600.0, rel=0.1)


def test_uniform_sizes_spread_evenly_where_log_uniform_ones_favour_small_jobs() -> None:
    common = {"team": "t", "jobs": 4000, "accelerators_min": 4, "accelerators_max": 12000,
              "accelerators_multiple": 4}  # fmt: skip
    uniform = np.array(
        [x[1] for x in draw_mix(JobMix(**common, size_distribution="uniform"), 0, 0)]
    )
    log = np.array([x[1] for x in draw_mix(JobMix(**common), 0, 0)])
    for size in (uniform, log):
        assert size.min() >= 4 and size.max() <= 12000 and np.all(size % 4 == 0)
    # Uniform: mean near the middle of the range, a quarter of the jobs in each quarter.
    assert uniform.mean() == pytest.approx(6000.0, rel=0.05)
    assert np.mean(uniform < 3000) == pytest.approx(0.25, abs=0.03)
    # Log-uniform: the median is the geometric mean of the bounds (≈ 219).
    assert np.median(log) == pytest.approx(np.sqrt(4 * 12000), rel=0.15)


def test_the_mix_expands_to_jobs_at_compile_time_per_team() -> None:
    sc = _with_mix(JobMix(team="research", jobs=5, accelerators_max=32),
                   JobMix(team="prod ml", jobs=3, accelerators_max=16, priority=5))  # fmt: skip
    wl = compile_scenario(sc).workloads
    assert wl.train_ids[:2] == ("research-1", "research-2")
    assert wl.train_ids[5] == "prod-ml-1"
    assert wl.teams.count("research") == 5 and wl.teams.count("prod ml") == 3
    assert np.all(wl.gpus_req <= 32)
    assert compile_scenario(sc).workloads.train_ids == wl.train_ids


def test_a_generated_job_runs_its_drawn_time_when_alone() -> None:
    mix = JobMix(team="t", jobs=1, accelerators_min=8, accelerators_max=8,
                 duration_median_s=2 * 3600.0, duration_sigma=0.0)  # fmt: skip
    eng = Engine(compile_scenario(_with_mix(mix)), seed=0)
    eng.run()
    finish_h = float(eng.state.work.jobs.finish_s[0]) / 3600.0
    # Nominal 2 h; scaling, data feed and checkpoints make it a little longer.
    assert 2.0 <= finish_h < 2.6


def test_more_jobs_from_a_team_make_longer_waits() -> None:
    light = JobMix(team="t", jobs=5, mean_interarrival_s=600.0, accelerators_min=32,
                   accelerators_max=64)  # fmt: skip
    heavy = light.model_copy(update={"jobs": 30})
    waits = []
    for mix in (light, heavy):
        eng = Engine(compile_scenario(_with_mix(mix)), seed=0)
        eng.run()
        waits.append(eng.kpis()["queue_wait_mean_h"])
    assert waits[1] > waits[0]


def test_bad_mixes_are_rejected_with_the_field() -> None:
    with pytest.raises(ValidationError, match="accelerators_min"):
        JobMix(team="t", accelerators_min=64, accelerators_max=8)
    sc = _with_mix(JobMix(team="a", jobs=1))
    clash = sc.model_copy(update={"workloads": [TrainingJob(id="a-1")]})
    with pytest.raises(ScenarioError, match="a-1"):
        compile_scenario(clash)
