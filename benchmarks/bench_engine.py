"""Engine benchmark (issue 3): frontier-scale day, gb200-campus year, vectorized vs per-node loop.

1. ``frontier-scale``, 1 simulated day at 15 s steps: load, compile, run and end-to-end wall
   time (load + compile + run; interpreter start and imports are reported apart), node-steps
   per second, peak RSS, and RSS at 25 / 50 / 100 % of the run (memory must not grow per
   tick). The comparison with ExaDigiT/RAPS, timed in the same sitting, is
   ``bench_sched.py``. The case runs ``REPEATS`` times in one process and reports the fastest (the
   machine is shared; the spread is printed too).
2. ``gb200-campus``, 1 simulated year at 15 min steps: wall time and peak RSS.
3. The power + thermal model of one step written as a plain per-node Python loop, run in the
   same process on the frontier-scale scene against the vectorized model functions the engine
   calls (rack power, cooling grant with each collector asking its rejectors for at most its
   own capacity, RC step; without the engine's fixed-point caching, and without trips: no rack
   reaches shutdown in these 20 steps): time per step and the ratio; the largest temperature
   difference and the relative difference of heat removed are printed (0 K and ~1e-14 when the
   loop mirrors the model).

4. Small scene per step (issue 6, what-if Monte Carlo): ``training-cluster-1k``, 30 simulated
   days at 15 min steps, run end to end ``SMALL_RUNS`` times in one process on one core (compile
   once, a new Engine and seed per run, like one Monte Carlo worker): µs per step, runs per
   second, and the projected wall time of a 1,000-run Monte Carlo on 2 cores (runs / 2 workers
   / runs per second; worker start-up and result collection are not included).

Each case runs in its own interpreter so peak RSS is its own. Run:
``python -m benchmarks.bench_engine [frontier_day|gb200_year|loop|small_step …]`` (or ``python -m
benchmarks``).
"""

from __future__ import annotations

import json
import math
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import run_cases

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "frontier_day": ("frontier-scale", 86400.0, 15.0),
    "gb200_year": ("gb200-campus", 365 * 86400.0, 900.0),
}
LOOP_STEPS = 20
REPEATS = {"frontier_day": 3, "gb200_year": 1}
SMALL_SCENE = ("training-cluster-1k", 30 * 86400.0, 900.0)
SMALL_RUNS = 8
MONTE_CARLO_RUNS = 1000
MONTE_CARLO_WORKERS = 2


def _rss_mb() -> float:
    """Current resident set size, MB (Linux /proc)."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / 1e6


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux; report MB like the /proc figures.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def run_case(name: str) -> dict[str, Any]:
    t_import = time.perf_counter()
    from aifactory_twin.io import load_scenario
    from aifactory_twin.resources import scenes_dir
    from aifactory_twin.sim import Engine, compile_scenario

    import_s = time.perf_counter() - t_import
    scene, horizon_s, step_s = CASES[name]
    rss_start = _rss_mb()
    runs: list[dict[str, Any]] = []
    first_peak_mb = 0.0
    for _ in range(REPEATS[name]):
        c0, t0 = time.process_time(), time.perf_counter()
        scenario = load_scenario(scenes_dir() / f"{scene}.aift.json")
        t1 = time.perf_counter()
        compiled = compile_scenario(scenario, horizon_s=horizon_s, step_s=step_s)
        t2 = time.perf_counter()
        eng = Engine(compiled, seed=0)
        marks: dict[str, float] = {}

        def progress(time_s: float, marks: dict[str, float] = marks) -> None:
            for pct in (25, 50, 100):
                if f"rss_{pct}pct_mb" not in marks and time_s >= horizon_s * pct / 100 - 1e-6:
                    marks[f"rss_{pct}pct_mb"] = round(_rss_mb(), 1)

        eng.run(progress=progress)
        t3, c3 = time.perf_counter(), time.process_time()
        kpis = eng.kpis()
        runs.append(
            {"load": t1 - t0, "compile": t2 - t1, "run": t3 - t2, "total": t3 - t0,
             "cpu": c3 - c0, "marks": marks, "kpis": kpis, "steps": eng.step_index,
             "nodes": compiled.n_nodes, "recorder_mb": eng.recorder.nbytes / 1e6,
             "events": len(eng.events)}
        )  # fmt: skip
        # Only one engine alive at a time; the peak RSS reported is that of the first run
        # (later repeats start from a heap the earlier ones grew).
        del eng, compiled, scenario
        if len(runs) == 1:
            first_peak_mb = _peak_rss_mb()
    best = min(runs, key=lambda r: r["total"])
    kpis = best["kpis"]
    steps = best["steps"]
    run_s = best["run"]
    return {
        "case": name,
        "scene": scene,
        "nodes": best["nodes"],
        "steps": steps,
        "import_s": round(import_s, 3),
        "load_s": round(best["load"], 3),
        "compile_s": round(best["compile"], 3),
        "run_s": round(run_s, 3),
        "end_to_end_s": round(best["total"], 3),
        "end_to_end_cpu_s": round(best["cpu"], 3),
        "end_to_end_all_runs_s": [round(r["total"], 2) for r in runs],
        "us_per_step": round(run_s / steps * 1e6, 1),
        "node_steps_per_s": round(best["nodes"] * steps / run_s),
        "us_per_node_step": round(run_s / (best["nodes"] * steps) * 1e6, 4),
        "rss_start_mb": round(rss_start, 1),
        **runs[0]["marks"],  # memory of the first run (as peak_rss_mb)
        "peak_rss_mb": round(first_peak_mb, 1),
        "recorder_mb": round(best["recorder_mb"], 1),
        "events_recorded": best["events"],
        "pue": round(kpis["pue"], 4) if kpis["pue"] is not None else None,
        "mean_it_power_mw": round(kpis["mean_it_power_kw"] / 1000.0, 2),
    }


def _loop_step(p: dict[str, Any], temp: list[float], dt: float) -> tuple[list[float], float]:
    """Power + thermal of one step, one rack / one edge at a time (the naive version)."""
    n_r = len(p["units"])
    q_in = [0.0] * n_r
    for r in range(n_r):
        units = p["units"][r]
        gpus = units * p["gpus"][r]
        idle = p["idle"][r]
        p_train = idle + (p["kappa"][r] * p["tdp"][r] - idle) * 1.0
        train = min(p["train"][r], gpus)
        gpu_w = train * p_train + (gpus - train) * idle
        busy = train / gpus if gpus > 0 else 0.0
        host_w = units * (p["host_idle"][r] + (p["host_over"][r] - p["host_idle"][r]) * busy)
        q_in[r] = gpu_w + host_w
    demand = [q_in[r] + p["g"][r] * max(temp[r] - p["sup"][r], 0.0) for r in range(n_r)]
    n_k = len(p["cap"])
    want = [0.0] * n_k
    for e in range(len(p["ce_cool"])):
        want[p["ce_cool"][e]] += demand[p["ce_rack"][e]] * p["ce_w"][e]
    limit = list(p["cap"])
    # A collector asks its rejectors for at most its own capacity (models/thermal.py).
    asked = [min(want[k], p["cap"][k]) for k in range(n_k)]
    want_r = [0.0] * n_k
    for e in range(len(p["pe_rej"])):
        want_r[p["pe_rej"][e]] += asked[p["pe_col"][e]] * p["pe_w"][e]
    plant = [0.0] * n_k
    for e in range(len(p["pe_rej"])):
        ratio = min(1.0, p["cap"][p["pe_rej"][e]] / max(want_r[p["pe_rej"][e]], 1e-12))
        plant[p["pe_col"][e]] += asked[p["pe_col"][e]] * p["pe_w"][e] * ratio
    for k in range(n_k):
        if p["has_rej"][k]:
            limit[k] = min(limit[k], plant[k])
    granted = [0.0] * n_r
    for e in range(len(p["ce_cool"])):
        k = p["ce_cool"][e]
        share = min(1.0, limit[k] / max(want[k], 1e-12))
        granted[p["ce_rack"][e]] += demand[p["ce_rack"][e]] * p["ce_w"][e] * share
    new = [0.0] * n_r
    removed = 0.0
    tau = p["tau"]
    for r in range(n_r):
        c = p["c"][r]
        sup = p["sup"][r]
        t0 = temp[r]
        cap = granted[r]
        t_star = sup + (cap - q_in[r]) / p["g"][r]
        if t0 > t_star:
            net = q_in[r] - cap
            t1 = t0 + net * dt / c
            if net < 0:
                t_hit = c * (t0 - t_star) / -net
                if t_hit < dt:
                    t1 = sup + (t_star - sup) * math.exp(-(dt - t_hit) / tau)
        else:
            t1 = sup + (t0 - sup) * math.exp(-dt / tau)
        new[r] = t1
        removed += q_in[r] * dt - c * (t1 - t0)
    return new, removed


def loop_vs_vector() -> dict[str, Any]:
    from aifactory_twin.io import load_scenario
    from aifactory_twin.resources import scenes_dir
    from aifactory_twin.sim import compile_scenario
    from aifactory_twin.sim.models import power as pw
    from aifactory_twin.sim.models import thermal as th

    c = compile_scenario(
        load_scenario(scenes_dir() / "frontier-scale.aift.json"), horizon_s=3600.0, step_s=15.0
    )
    rk, pl = c.racks, c.plant
    n_r = rk.node.shape[0]
    units = c.nodes.count[rk.node]
    train = units * rk.gpus_per_unit  # every accelerator training: the heaviest load
    heat_cap = rk.heat_cap_j_per_k * units
    g = heat_cap / th.RACK_TAU_S
    cap_w = pl.capacity_kw * 1000.0 * c.nodes.count[pl.unit_node]
    # Start 10 K above supply so the thermal update does real work (cooling down).
    temp0 = pl.rack_supply_c + 10.0
    dt = c.step_s

    def vector_step(temp: np.ndarray) -> tuple[np.ndarray, float]:
        rack_kw, _gpu, _busy, _hot = pw.rack_power_kw(
            units, np.zeros(n_r), rk.gpus_per_unit, train, np.zeros(n_r), np.zeros(n_r),
            rk.idle_w, rk.tdp_w, rk.kappa_train, rk.kappa_decode, rk.host_idle_w,
            rk.host_overhead_w, np.ones(n_r),
        )  # fmt: skip
        q_in = rack_kw * 1000.0
        demand = q_in + g * np.maximum(temp - pl.rack_supply_c, 0.0)
        granted, _ = th.rack_cooling_capacity_w(
            demand, cap_w, pl.collector_index, pl.collector_rack_index, pl.collector_weight,
            pl.rejector_index, pl.rejector_collector_index, pl.rejector_weight,
            pl.collector_has_rejector, pl.rack_has_collector,
        )  # fmt: skip
        new, removed = th.rc_step(temp, q_in, granted, pl.rack_supply_c, heat_cap, dt)
        return new, float(removed.sum())

    params = {
        "units": units.tolist(), "gpus": rk.gpus_per_unit.tolist(), "idle": rk.idle_w.tolist(),
        "kappa": rk.kappa_train.tolist(), "tdp": rk.tdp_w.tolist(), "train": train.tolist(),
        "host_idle": rk.host_idle_w.tolist(), "host_over": rk.host_overhead_w.tolist(),
        "g": g.tolist(), "sup": pl.rack_supply_c.tolist(), "c": heat_cap.tolist(),
        "cap": cap_w.tolist(), "ce_cool": pl.collector_index.tolist(),
        "ce_rack": pl.collector_rack_index.tolist(), "ce_w": pl.collector_weight.tolist(),
        "pe_rej": pl.rejector_index.tolist(), "pe_col": pl.rejector_collector_index.tolist(),
        "pe_w": pl.rejector_weight.tolist(), "has_rej": pl.collector_has_rejector.tolist(),
        "tau": th.RACK_TAU_S,
    }  # fmt: skip
    t0 = time.perf_counter()
    temp_v = temp0.copy()
    removed_v = 0.0
    for _ in range(LOOP_STEPS):
        temp_v, removed = vector_step(temp_v)
        removed_v += removed
    t1 = time.perf_counter()
    temp_l = temp0.tolist()
    removed_l = 0.0
    for _ in range(LOOP_STEPS):
        temp_l, removed = _loop_step(params, temp_l, dt)
        removed_l += removed
    t2 = time.perf_counter()
    vec_ms = (t1 - t0) / LOOP_STEPS * 1e3
    loop_ms = (t2 - t1) / LOOP_STEPS * 1e3
    return {
        "case": "loop_vs_vector",
        "racks": n_r,
        "steps": LOOP_STEPS,
        "vector_ms_per_step": round(vec_ms, 3),
        "loop_ms_per_step": round(loop_ms, 3),
        "loop_over_vector": round(loop_ms / vec_ms, 1),
        "max_temp_diff_k": float(np.max(np.abs(temp_v - np.asarray(temp_l)))),
        "heat_removed_rel_diff": abs(removed_v - removed_l) / removed_v,
    }


def small_step() -> dict[str, Any]:
    """Per-step cost of a small scene: what bounds a Monte Carlo of many short runs."""
    from aifactory_twin.io import load_scenario
    from aifactory_twin.resources import scenes_dir
    from aifactory_twin.sim import Engine, compile_scenario

    scene, horizon_s, step_s = SMALL_SCENE
    compiled = compile_scenario(
        load_scenario(scenes_dir() / f"{scene}.aift.json"), horizon_s=horizon_s, step_s=step_s
    )
    run_s: list[float] = []
    steps = 0
    for seed in range(SMALL_RUNS):
        # CPU time of this process: the machine is shared, and one worker uses one core.
        t0 = time.process_time()
        eng = Engine(compiled, seed=seed)
        eng.run()
        run_s.append(time.process_time() - t0)
        steps = eng.step_index
    best = min(run_s)
    median = sorted(run_s)[len(run_s) // 2]
    runs_per_s = 1.0 / median
    return {
        "case": "small_step",
        "scene": scene,
        "nodes": compiled.n_nodes,
        "steps_per_run": steps,
        "runs": SMALL_RUNS,
        "us_per_step_best": round(best / steps * 1e6, 1),
        "us_per_step_median": round(median / steps * 1e6, 1),
        "run_s_median": round(median, 3),
        "runs_per_s_1_core": round(runs_per_s, 2),
        f"monte_carlo_{MONTE_CARLO_RUNS}_runs_{MONTE_CARLO_WORKERS}_cores_s": round(
            MONTE_CARLO_RUNS / MONTE_CARLO_WORKERS / runs_per_s, 1
        ),
    }


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--case":
        name = sys.argv[2]
        if name == "loop":
            result = loop_vs_vector()
        elif name == "small_step":
            result = small_step()
        else:
            result = run_case(name)
        print(json.dumps(result))
        return 0
    extra = ("loop", "small_step")
    chosen = [a for a in sys.argv[1:] if a in CASES or a in extra] or [*CASES, *extra]
    return run_cases("benchmarks.bench_engine", chosen, 22)


if __name__ == "__main__":
    sys.exit(main())
