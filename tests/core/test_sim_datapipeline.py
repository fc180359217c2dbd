"""Data pipeline (issue 14): a training job waits for its dataset; teams and storage set when."""

from __future__ import annotations

import math

import pytest
from test_sim_builders import hall

from aifactory_twin.catalog import preset_node
from aifactory_twin.schema import DatasetNode, NodeBase, Scenario, Storage, TrainingJob, make_edge
from aifactory_twin.schema.dataset import Dataset
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.sim.models.data_pipeline import access_pattern, ready_times_s

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


def test_the_store_sets_the_access_pattern_lake_warehouse_or_file_system() -> None:
    d = Dataset(size_tb=10.0)
    base, lake, warehouse = (
        ready_times_s([d], 2, 0, 1e6, patterns=[p])[0] / 3600.0 / WEEK_H
        for p in ("parallel_fs", "data_lake", "warehouse")
    )
    # 10 TB for two people: ingest at 1 TB/person-h, clean at 0.5 → 5 + 10 = 15 h.
    assert base == pytest.approx(15.0)
    assert ready_times_s([d], 2, 0, 1e6)[0] / 3600.0 / WEEK_H == pytest.approx(base)
    assert lake == pytest.approx(2.5 + 10.0)  # raw objects land twice as fast
    assert warehouse == pytest.approx(10.0 + 2.5)  # ETL at load, then little cleaning
    assert access_pattern(["parallel_fs", "warehouse"]) == "warehouse"
    assert access_pattern(["data_lake", "parallel_fs"]) == "data_lake"
    assert access_pattern([]) == ""


def _held_on(storage_type: str) -> Scenario:
    """A dataset node held (data edge) on one store of ``storage_type``; the job trains on it."""
    sc = _with_dataset(annotators=0, data_engineers=2)
    job = sc.workloads[0]
    assert isinstance(job, TrainingJob)
    data = DatasetNode(id="corpus", size_tb=40.0)
    store = Storage(id="store", storage_type=storage_type, capacity_pb=1.0)  # type: ignore[arg-type]
    edge = make_edge("held", "data", "corpus", "store")
    job = job.model_copy(update={"dataset": None, "dataset_id": "corpus"})
    return sc.model_copy(
        update={
            "nodes": [*sc.nodes, data, store],
            "edges": [*sc.edges, edge],
            "workloads": [job],
        }
    )


def test_a_dataset_on_a_lake_starts_its_job_sooner_than_on_a_file_system() -> None:
    ready_h = {}
    for kind in ("parallel_fs", "data_lake", "warehouse"):
        compiled = compile_scenario(_held_on(kind))
        assert compiled.workloads.dataset_ready_s is not None
        ready_h[kind] = float(compiled.workloads.dataset_ready_s[0]) / 3600.0 / WEEK_H
    # 40 TB for two data engineers: 20 + 40 = 60 h; a lake 10 + 40 = 50 h; a warehouse 40 + 10.
    assert ready_h["parallel_fs"] == pytest.approx(60.0)
    assert ready_h["data_lake"] == pytest.approx(50.0)
    assert ready_h["warehouse"] == pytest.approx(50.0)
    lake, fs = _run(_held_on("data_lake")), _run(_held_on("parallel_fs"))
    started = [float(e.state.work.sched.first_start_s[0]) / 3600.0 for e in (lake, fs)]
    # On the lake the job starts when its data is ready (50 working h = 210 calendar h); on the
    # file system its data needs 252 h, past the 10-day horizon, so it never starts.
    assert started[0] == pytest.approx(50.0 * WEEK_H, abs=0.25)
    assert math.isnan(started[1])
