"""Data pipeline (issue 14): a training job waits for its dataset; teams and storage set when."""

from __future__ import annotations

import math

import pytest
from test_sim_builders import hall

from aifactory_twin.catalog import preset_node
from aifactory_twin.schema import NodeBase, Scenario, TrainingJob
from aifactory_twin.schema.dataset import Dataset
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.sim.models.data_pipeline import ready_times_s

WEEK_H = 168.0 / 40.0  # calendar hours per working hour


def _with_dataset(annotators: int, data_engineers: int = 4, size_tb: float = 20.0) -> Scenario:
    teams: list[NodeBase] = []
    if data_engineers:
        teams.append(preset_node("team_data_eng", "de", headcount=data_engineers))
    if annotators:
        teams.append(preset_node("team_labeling", "lab", headcount=annotators))
    sc = hall(racks=2, settings={"horizon_s": 10 * 86400.0, "step_s": 900.0}, extra_nodes=teams)
    job = sc.workloads[0]
    assert isinstance(job, TrainingJob)
    ds = Dataset(size_tb=size_tb, modality="image", labels_needed=20000.0, rework_rate=0.1)
    job = job.model_copy(update={"dataset": ds, "tokens_t": 0.05})
    return sc.model_copy(update={"workloads": [job]})


def _run(sc: Scenario) -> Engine:
    eng = Engine(compile_scenario(sc))
    eng.run()
    return eng


def test_ready_time_follows_the_stated_rates() -> None:
    d = Dataset(size_tb=10.0, modality="image", labels_needed=9000.0, rework_rate=0.1)
    (ready,) = ready_times_s([d], data_engineers=2, annotators=4, storage_tb=1000.0)
    # Ingest 10 TB at 1 TB/person-h + clean at 0.5 TB/person-h = 30 person-h → 15 h for two.
    # Labels: 9000 / (50 × 0.9 accepted per h) = 200 person-h → 50 h for four.
    assert ready / 3600.0 == pytest.approx((15.0 + 50.0) * WEEK_H)


def test_teams_work_one_dataset_at_a_time_and_storage_limits_what_is_held() -> None:
    d = Dataset(size_tb=10.0)
    first, second, third = ready_times_s([d, None, d], 1, 0, storage_tb=25.0)
    assert second == 0.0
    assert third == pytest.approx(2 * first)  # data engineering is busy with the first
    assert math.isinf(ready_times_s([d, d, d], 1, 0, storage_tb=25.0)[2])  # 30 TB > 25 TB
    assert math.isinf(ready_times_s([Dataset(labels_needed=1.0)], 1, 0, 1e6)[0])  # no labelers
    assert math.isinf(ready_times_s([d], 0, 5, 1e6)[0])  # no data engineers


def test_more_annotators_make_the_dataset_ready_sooner_and_the_job_start_sooner() -> None:
    few = _run(_with_dataset(annotators=5))
    many = _run(_with_dataset(annotators=20))
    ready_few = float(few.compiled.workloads.dataset_ready_s[0]) / 3600.0
    ready_many = float(many.compiled.workloads.dataset_ready_s[0]) / 3600.0
    # Clean: 20 TB → 60 person-h / 4 = 15 h; labels 20000 / 45 per h ≈ 444 person-h.
    assert ready_few == pytest.approx((15.0 + 20000 / 45 / 5) * WEEK_H)
    assert ready_many == pytest.approx((15.0 + 20000 / 45 / 20) * WEEK_H)
    assert ready_many < ready_few - 100.0
    # The job starts at the first step after its dataset is ready (15-minute steps).
    assert many.kpis()["jobs"][0]["wait_h"] == pytest.approx(ready_many, abs=0.25)
    assert few.kpis()["jobs"][0]["wait_h"] == pytest.approx(240.0)  # still waiting at day 10
    progress_few = few.kpis()["jobs"][0]["progress"]
    progress_many = many.kpis()["jobs"][0]["progress"]
    assert progress_many > progress_few + 0.05


def test_the_dataset_gate_holds_under_a_queue_policy_too() -> None:
    sc = _with_dataset(annotators=20)
    fcfs = sc.model_copy(
        update={"settings": sc.settings.model_copy(update={"scheduler_policy": "fcfs"})}
    )
    eng = _run(fcfs)
    ready_h = float(eng.compiled.workloads.dataset_ready_s[0]) / 3600.0
    assert eng.kpis()["jobs"][0]["wait_h"] == pytest.approx(ready_h, abs=0.25)


def test_a_dataset_that_does_not_fit_in_storage_never_lets_the_job_start() -> None:
    eng = _run(_with_dataset(annotators=20, size_tb=50000.0))  # 50 PB > the PFS's 20 PB
    assert eng.kpis()["jobs"][0]["progress"] == 0.0


def test_a_job_without_a_dataset_is_not_held() -> None:
    sc = _with_dataset(annotators=5)
    job = sc.workloads[0]
    plain = sc.model_copy(update={"workloads": [job.model_copy(update={"dataset": None})]})
    assert compile_scenario(plain).workloads.dataset_ready_s is None
    assert _run(plain).kpis()["jobs"][0]["progress"] > 0.0
