"""Event-driven stepping benchmark (issue 13): quiet stretches against one step per tick.

1. ``frontier_year``: ``frontier-scale``, 1 simulated year at 15 s steps (2,102,400 ticks), run
   with quiet stretches (``Engine`` default, ``sim/quiet.py``). Target: ≤ 20 s (issue 13; one
   step per tick took 144 s when the issue was written). The same-sitting reference: the first
   week with one step per tick (``event_steps=False``) and with stretches, and the year
   projected from the fixed-step week (× 365/7).
2. ``small``: ``training-cluster-1k``, 30 simulated days at 15 min (the Monte Carlo scene) and at
   15 s, fixed steps and stretches in the same process, the best of three runs each
   (CPU time: the machine is shared).

Every pair is checked to give the same KPIs (the tests check bit-identity of everything).
Run: ``python -m benchmarks.bench_events [frontier_year|small]`` (or ``python -m benchmarks``).
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from benchmarks import case_main

YEAR_S = 365 * 86400.0
WEEK_S = 7 * 86400.0
TARGET_YEAR_S = 20.0
ISSUE_YEAR_S = 144.0


def _timed(scene: str, horizon_s: float, step_s: float, fast: bool) -> dict[str, Any]:
    """One run: wall and CPU seconds of ``Engine.run``, steps, stretches and the KPIs."""
    from aifactory_twin.io import load_scenario
    from aifactory_twin.resources import scenes_dir
    from aifactory_twin.sim import Engine, compile_scenario, quiet

    compiled = compile_scenario(
        load_scenario(scenes_dir() / f"{scene}.aift.json"), horizon_s=horizon_s, step_s=step_s
    )
    eng = Engine(compiled, seed=0, event_steps=fast)
    calls = [0, 0]
    repeat = quiet.repeat_quiet

    def counted(*args: Any) -> tuple[int, float]:
        k, end = repeat(*args)
        calls[0] += k > 0
        calls[1] += k
        return k, end

    quiet.repeat_quiet = counted
    try:
        c0, t0 = time.process_time(), time.perf_counter()
        eng.run()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        quiet.repeat_quiet = repeat
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "steps": eng.step_index,
        "stretches": calls[0],
        "full_steps": eng.step_index - calls[1],
        "kpis": json.dumps(eng.kpis(), sort_keys=True, default=repr),
    }


def frontier_year() -> dict[str, Any]:
    week_fixed = _timed("frontier-scale", WEEK_S, 15.0, fast=False)
    week_fast = _timed("frontier-scale", WEEK_S, 15.0, fast=True)
    year = _timed("frontier-scale", YEAR_S, 15.0, fast=True)
    projected = week_fixed["wall_s"] * YEAR_S / WEEK_S
    return {
        "case": "frontier_year",
        "steps": year["steps"],
        "run_s": round(year["wall_s"], 1),
        "run_cpu_s": round(year["cpu_s"], 1),
        "target_s": TARGET_YEAR_S,
        "issue_13_one_step_per_tick_s": ISSUE_YEAR_S,
        "one_step_per_tick_projected_s": round(projected, 1),
        "speedup_vs_projected": round(projected / year["wall_s"], 1),
        "full_steps": year["full_steps"],
        "stretches": year["stretches"],
        "week_fixed_s": round(week_fixed["wall_s"], 2),
        "week_fast_s": round(week_fast["wall_s"], 2),
        "week_speedup": round(week_fixed["wall_s"] / week_fast["wall_s"], 1),
        "week_same_kpis": week_fixed["kpis"] == week_fast["kpis"],
    }


def small() -> dict[str, Any]:
    out: dict[str, Any] = {"case": "small", "scene": "training-cluster-1k (30 d)"}
    for label, step_s in (("15min", 900.0), ("15s", 15.0)):
        runs = {}
        for fast in (False, True):
            tries = [_timed("training-cluster-1k", 30 * 86400.0, step_s, fast) for _ in "abc"]
            runs[fast] = min(tries, key=lambda r: r["cpu_s"])
        fixed, fast = runs[False], runs[True]
        out[f"{label}_steps"] = fixed["steps"]
        out[f"{label}_fixed_us_per_step"] = round(fixed["cpu_s"] / fixed["steps"] * 1e6, 1)
        out[f"{label}_stretches_us_per_step"] = round(fast["cpu_s"] / fast["steps"] * 1e6, 1)
        out[f"{label}_speedup"] = round(fixed["cpu_s"] / fast["cpu_s"], 2)
        out[f"{label}_full_steps"] = fast["full_steps"]
        out[f"{label}_same_kpis"] = fixed["kpis"] == fast["kpis"]
    return out


def main() -> int:
    return case_main(
        "benchmarks.bench_events", {"frontier_year": frontier_year, "small": small}, 34
    )


if __name__ == "__main__":
    sys.exit(main())
