"""Scheduler benchmark (issue 12): a RAPS-like job mix on frontier-scale, against RAPS itself.

1. ``raps_mix``: frontier-scale with its one job replaced by a RAPS-like synthetic mix (100
   jobs of 1–3,000 four-GPU nodes drawn uniformly, Poisson arrivals every 100 s, run times
   log-normal around 6 h), FCFS +
   EASY backfill, 1 simulated day at 15 s steps, run end to end through our CLI in a
   subprocess (interpreter start, imports, load, compile, run, outputs), as RAPS is timed.
   When ``AIFT_RAPS_DIR`` names a RAPS checkout (with its own ``.venv``, or the interpreter in
   ``AIFT_RAPS_PYTHON``), RAPS's synthetic FCFS + EASY run of the same shape on its
   ``frontier`` config (``raps run --system frontier -t 1d --time-delta 15s --policy fcfs
   --backfill easy --arrival poisson``) is timed in the same sitting, and the ratio and the load
   average are printed; without it the bench says so and prints no ratio.
   ``raps_40x`` does the same at 40× Frontier (below) for 1 h, against RAPS's ``40frontiers``
   config (``--system 40frontiers -t 1h -n 1000``).
2. ``one_job``: frontier-scale as shipped (one 8,192-GPU job), 1 day at 15 s, end to end through
   the CLI. When ``AIFT_REF_DIR`` names a source tree of an earlier commit (e.g. ``git archive
   <commit> | tar -x -C DIR``), the same run with that tree's code (same interpreter and
   packages) is timed alternately in the same sitting, so "not slower" is a same-sitting ratio.
3. ``events``: µs per scheduling event, in process, at 1× and 40× Frontier: the time spent
   re-placing jobs (``Work.place`` when it remakes the placement, including the fabric
   bandwidth it recomputes, shown apart) and recomputing the per-job factors, divided by the
   scheduling passes. 40× Frontier is frontier-scale with every node's
   ``count`` × 40 (9,472 rack nodes of 40 servers: 378,880 servers, 1,515,520 GPUs) and a
   RAPS ``40frontiers``-like mix (1,000 jobs of 1–9,000 nodes, Poisson every 1 s), 1 h at 15 s.

Run: ``python -m benchmarks.bench_sched [raps_mix|raps_40x|one_job|events …]`` (or ``python -m
benchmarks``).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import case_main

ROOT = Path(__file__).resolve().parent.parent
SCENE = ROOT / "scenes" / "frontier-scale.aift.json"
GPUS_PER_NODE = 4
MIXES: dict[int, dict[str, Any]] = {
    # RAPS config/frontier.yaml: max_nodes_per_job 3000, job_arrival_time 100 s, wall time
    # 60 s–12 h (truncated normal, mean 6 h, sd 2 h); 100 jobs (RAPS's --numjobs default).
    1: {"jobs": 100, "mean_interarrival_s": 100.0, "nodes_max": 3000, "median_s": 6 * 3600.0},
    # RAPS config/40frontiers.yaml: max_nodes_per_job 9000, job_arrival_time 1 s, 1–12 h.
    40: {"jobs": 1000, "mean_interarrival_s": 1.0, "nodes_max": 9000, "median_s": 6 * 3600.0},
}
DURATION_SIGMA = 0.33
"""Log-normal shape giving RAPS's spread (sd 2 h around 6 h ≈ 0.33 in log space)."""
RAPS_ARGS = {
    1: ["--system", "frontier", "-t", "1d"],
    40: ["--system", "40frontiers", "-t", "1h", "-n", "1000"],
}
RAPS_COMMON = ["--time-delta", "15s", "--policy", "fcfs", "--backfill", "easy",
               "--arrival", "poisson", "--noui", "-o", "none", "--seed", "0"]  # fmt: skip
HORIZON = {1: "1d", 40: "1h"}
REPEATS = 2


def write_scene(scale: int, folder: Path, mix: bool = True) -> Path:
    """frontier-scale × ``scale`` (node counts) with the RAPS-like mix of that scale."""
    doc = json.loads(SCENE.read_text())
    if scale != 1:
        for node in doc["nodes"]:
            if not node["kind"].startswith("team"):
                node["count"] = node.get("count", 1) * scale
            if node["kind"] == "power_feed":
                node["power_rating_kw"] *= scale
    if mix:
        m = MIXES[scale]
        doc["workloads"] = []
        doc["job_mix"] = [
            {"team": "raps", "jobs": m["jobs"], "mean_interarrival_s": m["mean_interarrival_s"],
             "accelerators_min": GPUS_PER_NODE,
             "accelerators_max": m["nodes_max"] * GPUS_PER_NODE,
             "accelerators_multiple": GPUS_PER_NODE, "size_distribution": "uniform",
             "duration_median_s": m["median_s"],
             "duration_sigma": DURATION_SIGMA}
        ]  # fmt: skip
        doc["settings"]["scheduler_policy"] = "fcfs"
        doc["settings"]["backfill"] = "easy"
    path = folder / f"frontier-x{scale}{'-mix' if mix else ''}.aift.json"
    path.write_text(json.dumps(doc))
    return path


def _timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall s, CPU s of the child) of one command; raises if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _ours(scene: Path, horizon: str, out: Path, code: Path = ROOT) -> tuple[float, float]:
    cmd = [sys.executable, "-m", "aifactory_twin", "run", str(scene), "--horizon", horizon,
           "--step", "15s", "--quiet", "--out", str(out)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(code)}
    return _timed(cmd, code, env)


def raps_run(scale: int) -> tuple[float, float] | None:
    folder = os.environ.get("AIFT_RAPS_DIR")
    if not folder:
        return None
    raps = Path(folder)
    python = os.environ.get("AIFT_RAPS_PYTHON") or str(raps / ".venv" / "bin" / "python")
    return _timed([python, "main.py", "run", *RAPS_ARGS[scale], *RAPS_COMMON], raps)


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def raps_mix(scale: int = 1) -> dict[str, Any]:
    out: dict[str, Any] = {"case": f"raps_mix_x{scale}", "load_before": _load()}
    with tempfile.TemporaryDirectory() as tmp:
        scene = write_scene(scale, Path(tmp))
        # Ours before and after RAPS, so a change of load during the RAPS run shows.
        runs = [_ours(scene, HORIZON[scale], Path(tmp) / "out") for _ in range(REPEATS)]
        raps = raps_run(scale)
        runs.append(_ours(scene, HORIZON[scale], Path(tmp) / "out"))
    wall, cpu = min(runs)
    out["ours_end_to_end_s"] = round(wall, 2)
    out["ours_cpu_s"] = round(cpu, 2)
    out["ours_all_runs_s"] = [round(r[0], 2) for r in runs]
    if raps is None:
        out["raps"] = "RAPS reference not available in this sitting (set AIFT_RAPS_DIR)"
    else:
        out["raps_end_to_end_s"] = round(raps[0], 2)
        out["raps_cpu_s"] = round(raps[1], 2)
        out["raps_over_ours_wall"] = round(raps[0] / wall, 1)
        out["raps_over_ours_cpu"] = round(raps[1] / cpu, 1)
    out["load_after"] = _load()
    return out


def one_job() -> dict[str, Any]:
    out: dict[str, Any] = {"case": "one_job", "load_before": _load()}
    ref = os.environ.get("AIFT_REF_DIR")
    with tempfile.TemporaryDirectory() as tmp:
        ours: list[tuple[float, float]] = []
        theirs: list[tuple[float, float]] = []
        for _ in range(REPEATS + 1):
            ours.append(_ours(SCENE, "1d", Path(tmp) / "out"))
            if ref:
                # The earlier tree runs its own copy of the scene (its schema version).
                ref_scene = Path(ref) / "scenes" / SCENE.name
                theirs.append(_ours(ref_scene, "1d", Path(tmp) / "ref", Path(ref)))
    wall, cpu = min(ours)
    out["ours_end_to_end_s"] = round(wall, 2)
    out["ours_cpu_s"] = round(cpu, 2)
    out["ours_all_runs_s"] = [round(r[0], 2) for r in ours]
    if ref:
        ref_wall, ref_cpu = min(theirs)
        out["reference"] = ref
        out["reference_end_to_end_s"] = round(ref_wall, 2)
        out["reference_cpu_s"] = round(ref_cpu, 2)
        out["reference_all_runs_s"] = [round(r[0], 2) for r in theirs]
        out["ours_over_reference_cpu"] = round(cpu / ref_cpu, 3)
    else:
        out["reference"] = "no earlier tree in this sitting (set AIFT_REF_DIR)"
    out["load_after"] = _load()
    return out


def _events_at(scale: int, horizon_s: float) -> dict[str, Any]:
    """Run the mix in process, timing the re-placements and the per-job factors."""
    from aifactory_twin.io import load_scenario
    from aifactory_twin.sim import Engine, compile_scenario
    from aifactory_twin.sim.stages.jobs import Jobs
    from aifactory_twin.sim.stages.work import Work

    spent = {"place": 0.0, "factors": 0.0, "fabric": 0.0}
    real_place, real_factors, real_fabric = Work.place, Jobs._factors, Work._fabric

    def place(self: Work, *args: Any) -> Any:
        before = self.version
        t0 = time.process_time()
        result = real_place(self, *args)
        if self.version != before:
            spent["place"] += time.process_time() - t0
        return result

    def fabric(self: Work, *args: Any) -> Any:
        t0 = time.process_time()
        result = real_fabric(self, *args)
        spent["fabric"] += time.process_time() - t0
        return result

    def factors(self: Jobs, *args: Any) -> Any:
        t0 = time.process_time()
        result = real_factors(self, *args)
        spent["factors"] += time.process_time() - t0
        return result

    with tempfile.TemporaryDirectory() as tmp:
        scenario = load_scenario(write_scene(scale, Path(tmp)))
    compiled = compile_scenario(scenario, horizon_s=horizon_s, step_s=15.0)
    eng = Engine(compiled, seed=0)
    Work.place, Jobs._factors, Work._fabric = place, factors, fabric  # type: ignore[method-assign]
    try:
        t0 = time.process_time()
        eng.run()
        run_s = time.process_time() - t0
    finally:
        Work.place, Jobs._factors = real_place, real_factors  # type: ignore[method-assign]
        Work._fabric = real_fabric  # type: ignore[method-assign]
    work = eng.state.work
    events = max(work.sched.decisions, 1)
    entries = work.placement.train_racks.gpus.size if work.placement is not None else 0
    return {
        "racks": int(compiled.racks.node.size),
        "gpus": int(compiled.nodes.count[compiled.racks.node] @ compiled.racks.gpus_per_unit),
        "jobs": compiled.workloads.n_train,
        "steps": eng.step_index,
        "scheduling_events": work.sched.decisions,
        "placement_changes": work.version,
        "job_rack_entries_at_end": entries,
        "us_per_event": round((spent["place"] + spent["factors"]) / events * 1e6),
        "us_per_event_place": round(spent["place"] / events * 1e6),
        # Part of "place": the fabric load and bandwidth per rack (network model, O(racks +
        # switches)) recomputed for the new placement.
        "us_per_event_fabric": round(spent["fabric"] / events * 1e6),
        "us_per_event_factors": round(spent["factors"] / events * 1e6),
        "run_cpu_s": round(run_s, 2),
        "us_per_step": round(run_s / eng.step_index * 1e6, 1),
    }


def events() -> dict[str, Any]:
    out: dict[str, Any] = {"case": "events", "load_before": _load()}
    for scale, horizon_s in ((1, 86400.0), (40, 3600.0)):
        for key, value in _events_at(scale, horizon_s).items():
            out[f"x{scale}_{key}"] = value
    out["load_after"] = _load()
    return out


CASES = {
    "raps_mix": raps_mix,
    "raps_40x": lambda: raps_mix(40),
    "one_job": one_job,
    "events": events,
}


def main() -> int:
    return case_main("benchmarks.bench_sched", CASES, 28)


if __name__ == "__main__":
    sys.exit(main())
