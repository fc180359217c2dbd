"""Trace replay: the published trace formats, relative paths, bad rows, the queue."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_sim_builders import hall

from aifactory_twin.errors import ScenarioError
from aifactory_twin.io import load_scenario, save_scenario
from aifactory_twin.schema import Scenario, TrainingJob
from aifactory_twin.schema.job_trace import JobTrace
from aifactory_twin.sim import Engine, compile_scenario


def _with(sc: Scenario, **parts: object) -> Scenario:
    return sc.model_copy(update=parts)


def _generated(sc: Scenario) -> list[TrainingJob]:
    c = compile_scenario(sc)
    own = {w.id for w in sc.workloads}
    return [w for w in c.scenario.workloads if isinstance(w, TrainingJob) and w.id not in own]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


HELIOS_HEADER = (
    "job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,duration,queue"
)
HELIOS = (
    HELIOS_HEADER
    + """
1,u1,vcA,8,8,1,COMPLETED,2020-06-09 18:41:01,2020-06-09 18:41:01,2020-06-09 20:41:01,7200,0
2,u2,vcB,16,8,2,COMPLETED,2020-06-09 18:51:01,2020-06-09 18:51:01,2020-06-09 19:51:01,3600,0
3,u3,vcB,4,1,1,FAILED,2020-06-09 19:00:00,2020-06-09 19:00:00,2020-06-09 19:01:00,60,0
4,u3,vcB,0,1,1,COMPLETED,2020-06-09 19:00:00,2020-06-09 19:00:00,2020-06-09 19:01:00,60,0
"""
)

PAI = """j1,worker,2,Terminated,100,3700,600,29.0,100,V100
j1,ps,1,Terminated,100,3700,600,29.0,,
j2,worker,1,Terminated,400,1300,600,29.0,50,T4
j3,worker,4,Failed,500,900,600,29.0,100,V100
"""

PHILLY = [
    {"status": "Pass", "vc": "ee9e8c", "jobid": "application_1", "user": "u",
     "submitted_time": "2017-10-07 01:11:39",
     "attempts": [{"start_time": "2017-10-07 01:12:09", "end_time": "2017-10-07 01:13:23",
                   "detail": [{"ip": "m47", "gpus": ["gpu0", "gpu1"]}]},
                  {"start_time": "2017-10-07 01:13:30", "end_time": "2017-10-07 03:13:30",
                   "detail": [{"ip": "m412", "gpus": [f"gpu{k}" for k in range(8)]}]}]},
    {"status": "Killed", "vc": "x", "jobid": "application_2", "user": "u",
     "submitted_time": "2017-10-07 02:00:00", "attempts": []},
]  # fmt: skip


@pytest.mark.parametrize(
    ("fmt", "name", "content", "expected"),
    [
        (
            "helios",
            "cluster_log.csv",
            HELIOS,
            [(0.0, 8, 7200.0, "vcA"), (600.0, 16, 3600.0, "vcB")],
        ),
        ("pai", "pai_task_table.csv", PAI, [(0.0, 2, 3600.0, ""), (300.0, 1, 900.0, "")]),
        ("philly", "cluster_job_log", json.dumps(PHILLY), [(0.0, 8, 7200.0, "ee9e8c")]),
    ],
)
def test_published_trace_formats_replay_as_jobs(
    tmp_path: Path, fmt: str, name: str, content: str, expected: list[tuple[float, int, float, str]]
) -> None:
    _write(tmp_path / name, content)
    sc = hall("air", racks=8)
    sc = _with(sc, job_traces=[JobTrace(id="tr", path=name, format=fmt)])  # type: ignore[arg-type]
    sc_file = tmp_path / "factory.aift.json"
    save_scenario(sc, sc_file)
    loaded = load_scenario(sc_file)
    jobs = _generated(loaded)
    got = [(j.start_s, j.accelerators_requested, j.team) for j in jobs]
    assert got == [(s, n, team) for s, n, _, team in expected]
    # Work = recorded run time at the factory's peak and MFU: alone, a job runs that long.
    c = compile_scenario(loaded)
    peak = float(c.racks.peak_bf16_tflops.max()) * 1e12
    for job, (_, n, dur, _) in zip(jobs, expected, strict=True):
        assert job.total_flops == pytest.approx(dur * n * peak * job.target_mfu)


def test_a_bad_trace_row_names_the_file_and_line_and_nothing_loads(tmp_path: Path) -> None:
    bad = HELIOS.replace("2,u2,vcB,16", "2,u2,vcB,sixteen")
    _write(tmp_path / "cluster_log.csv", bad)
    sc = _with(hall("air"), job_traces=[JobTrace(id="helios", path="cluster_log.csv",
                                                 format="helios")])  # fmt: skip
    sc_file = tmp_path / "f.aift.json"
    save_scenario(sc, sc_file)
    with pytest.raises(ScenarioError) as err:
        compile_scenario(load_scenario(sc_file))
    text = str(err.value)
    assert "cluster_log.csv" in text and "line 3" in text and 'job_traces[0] (id "helios")' in text


def test_a_missing_trace_file_is_a_clear_cli_error(tmp_path: Path) -> None:
    sc = _with(hall("air"), job_traces=[JobTrace(id="t", path="nowhere.csv")])
    sc_file = tmp_path / "f.aift.json"
    save_scenario(sc, sc_file)
    run = subprocess.run(
        [sys.executable, "-m", "aifactory_twin", "run", str(sc_file), "--horizon", "1h",
         "--out", str(tmp_path / "out"), "--quiet"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 2, run.stderr
    assert "nowhere.csv" in run.stderr and "Traceback" not in run.stderr


def test_generic_trace_with_a_column_mapping_runs_under_the_queue(tmp_path: Path) -> None:
    _write(
        tmp_path / "jobs.csv",
        "t,gpus,secs,group\n0,64,3600,a\n10,16,1800,b\n20,16,1800,b\n",
    )
    mapping = {"submit_s": "t", "accelerators": "gpus", "duration_s": "secs", "team": "group"}
    trace = JobTrace(id="g", path="jobs.csv", columns=mapping)
    sc = hall("air", racks=8)
    settings = sc.settings.model_copy(update={"scheduler_policy": "fcfs", "horizon_s": 86400.0})
    sc = _with(sc, workloads=[], job_traces=[trace], settings=settings)
    sc_file = tmp_path / "f.aift.json"
    save_scenario(sc, sc_file)
    eng = Engine(compile_scenario(load_scenario(sc_file)), seed=0)
    eng.run()
    k = eng.kpis()
    waits = {j["id"]: j["wait_h"] for j in k["jobs"]}
    assert waits["g-1"] == 0.0 and waits["g-2"] > 0.9  # the 64-GPU job fills the 64-GPU hall
    assert all(j["completed"] for j in k["jobs"])
    assert set(k["team_gpu_share"]) == {"a", "b"}


def test_the_document_keeps_the_folder_traces_resolve_from(tmp_path: Path) -> None:
    from aifactory_twin.document import FactoryDocument

    _write(tmp_path / "cluster_log.csv", HELIOS)
    sc = _with(hall("air", racks=8), job_traces=[JobTrace(id="h", path="cluster_log.csv",
                                                          format="helios")])  # fmt: skip
    save_scenario(sc, tmp_path / "f.aift.json")
    doc = FactoryDocument(load_scenario(tmp_path / "f.aift.json"))
    assert doc.scenario.source_dir == str(tmp_path.resolve())
    assert len(_generated(doc.scenario)) == 2
    assert FactoryDocument().scenario.source_dir is None


def test_the_document_keeps_the_job_mix_and_traces_it_was_given() -> None:
    from aifactory_twin.document import FactoryDocument
    from aifactory_twin.schema import JobMix

    sc = _with(
        hall("air"),
        job_mix=[JobMix(team="research", jobs=3)],
        job_traces=[JobTrace(id="t", path="jobs.csv")],
    )
    doc = FactoryDocument(sc)
    assert doc.scenario.job_mix == sc.job_mix
    assert doc.scenario.job_traces == sc.job_traces


def test_a_trace_that_is_not_text_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "cluster_log.csv").write_bytes(b"job_id,\xff\xfe\x00garbage\n")
    sc = _with(hall("air"), job_traces=[JobTrace(id="h", path="cluster_log.csv", format="helios")])
    save_scenario(sc, tmp_path / "f.aift.json")
    with pytest.raises(ScenarioError, match="not UTF-8"):
        compile_scenario(load_scenario(tmp_path / "f.aift.json"))
