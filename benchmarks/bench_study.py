"""Study throughput (issue 13): the 1,000-run Monte Carlo and the 1,000-sample air-vs-liquid study.

Two studies, each timed end to end through the CLI (interpreter start, load, worker start,
runs, output files) and, in this process, with the runner's batched dispatch against the
same study sent one run per task (``Runner.max_batch = 1``, the like-for-like reference timed
in the same sitting):

1. ``mc``: a Monte Carlo over seeds and uncertain inputs of ``training-cluster-1k``, 30 days at
   15-minute steps (2,880 steps): electricity price, the 70B job's MFU and one rack row's lead
   time drawn per sample (``uncertainty --input …``). Issue 13 asks 1,000 runs in ≤ 15 s on 2
   cores. One run's engine time is measured first; the floor for 1,000 runs on W workers is
   1,000 × that / W, whatever the dispatch does.
2. ``avl``: ``air-vs-liquid`` with its declared uncertain inputs (price, MFU, rack lead time),
   air and liquid paired, 10 days at 1-hour steps: 1,000 samples = 2,007 runs with the tornado.
   Its short runs are where per-task overhead would show, so it is also timed on a 2-worker
   Dask LocalCluster, batched and one run per task.

Each study also prints how much of one sample's time in a worker is not the engine.

On a shared machine 1,000 samples would not fit the time budget, so each study runs as many
samples as fit ``--budget-s`` and the 1,000-sample figure is extrapolated linearly from the
wall time per run — printed as "extrapolated". Runs are independent and of equal length, so
wall time is linear in the count once the workers are warm; the fixed start-up is included
in the per-run figure, which makes the extrapolation slightly pessimistic.

    python -m benchmarks.bench_study [--budget-s 30] [--workers 2] [--samples 1000]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scenes_dir
from aifactory_twin.schema import Scenario
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.study import DaskRunner, ProcessRunner, Runner, StudyOptions
from aifactory_twin.study.runs import RunSpec, execute
from aifactory_twin.study.uncertainty import parse_uncertain, quantile, uncertainty

ROOT = Path(__file__).resolve().parent.parent
TARGET_MC_S = 15.0  # issue 13: 1,000 runs of training-cluster-1k on 2 cores, aim ≤ 15 s
MC_INPUTS = (
    "grid.price.flat_usd_per_kwh ~ triangular(0.05, 0.08, 0.2)",
    "train-70b.target_mfu ~ normal(0.4, 0.04, 0.25, 0.55)",
    "hall-a-row-8.delivery.lead_time_days ~ lognormal(3, 0.8)",
)


@dataclass(frozen=True)
class Study:
    """One benchmarked study: scene, run length, variants compared and extra inputs."""

    name: str
    scene: str
    horizon: str
    horizon_s: float
    step: str
    step_s: float
    variants: tuple[str, ...]
    inputs: tuple[str, ...]

    def scenario(self) -> Scenario:
        scenario = load_scenario(scenes_dir() / f"{self.scene}.aift.json")
        added = [parse_uncertain(scenario, text) for text in self.inputs]
        return scenario.model_copy(update={"uncertain": [*scenario.uncertain, *added]})

    def n_runs(self, samples: int, scenario: Scenario) -> int:
        """Runs of ``samples``: each variant per sample, plus the tornado (2 per input + 1)."""
        return samples * max(1, len(self.variants)) + 2 * len(scenario.uncertain) + 1

    def cli(self, samples: int, workers: int, out: str) -> list[str]:
        cli = Path(sys.executable).with_name("aifactory-twin-cli")  # the installed command
        args = [str(cli), "uncertainty",
                str(scenes_dir() / f"{self.scene}.aift.json"), "--samples", str(samples),
                "--horizon", self.horizon, "--step", self.step, "--workers", str(workers),
                "--out", out]  # fmt: skip
        if self.variants:
            args += ["--compare", *self.variants]
        for text in self.inputs:
            args += ["--input", text]
        return args


MC = Study("mc", "training-cluster-1k", "30d", 30 * 86400.0, "15m", 900.0, (), MC_INPUTS)
AVL = Study("avl", "air-vs-liquid", "10d", 10 * 86400.0, "1h", 3600.0, ("air", "liquid"), ())


def engine_run_s(study: Study, scenario: Scenario) -> float:
    """Mean engine CPU time of one lean run per variant in this process (compiled once, warm).

    CPU rather than wall time: on a loaded machine the wall time of a single-threaded run
    follows the load, its CPU time stays near what a quiet core takes.
    """
    times = []
    for variant in study.variants or (None,):
        compiled = compile_scenario(
            scenario, variant, horizon_s=study.horizon_s, step_s=study.step_s
        )
        Engine(compiled, seed=0, lean=True).run()  # warm-up
        started = time.process_time()
        for seed in (1, 2):
            Engine(compiled, seed=seed, lean=True).run()
        times.append((time.process_time() - started) / 2)
    return sum(times) / len(times)


def worker_overhead_ms(study: Study, scenario: Scenario) -> tuple[float, float]:
    """(ms per run in ``execute``, ms of it outside the engine) over samples with new overrides.

    What a worker does per sample: apply the sample's overrides to the cached scenario, compile,
    build the engine, run, compute KPIs and pack the result; ``RunResult.elapsed_s`` is the
    engine's part (construction + run).
    """
    text = scenario.model_dump_json()
    spec = scenario.uncertain[0]
    totals, others = [], []
    for k in range(4):
        value = quantile(spec, 0.2 + 0.2 * k)
        run = RunSpec(text, variant=(study.variants or (None,))[0], horizon_s=study.horizon_s,
                      step_s=study.step_s, seed=k, overrides=((spec.target, spec.path, value),),
                      series=())  # fmt: skip
        started = time.perf_counter()
        result = execute(run)
        total = time.perf_counter() - started
        if k:  # the first pays the one-off parse and imports
            totals.append(total)
            others.append(total - result.elapsed_s)
    return sum(totals) / len(totals) * 1000, sum(others) / len(others) * 1000


def _in_process(
    study: Study, scenario: Scenario, samples: int, runner: Runner, max_batch: int | None
) -> float:
    runner.max_batch = max_batch
    options = StudyOptions(horizon_s=study.horizon_s, step_s=study.step_s, series=())
    started = time.perf_counter()
    uncertainty(scenario, samples, variants=list(study.variants) or None, options=options,
                runner=runner)  # fmt: skip
    return time.perf_counter() - started


def _children_cpu_s() -> float:
    """CPU seconds of every finished child process (the CLI and pool workers once reaped).

    On a shared machine wall time follows the load; CPU per run barely does, so it is the
    fairer way to compare two dispatch modes timed a minute apart.
    """
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _pool_study(
    study: Study, scenario: Scenario, samples: int, workers: int, max_batch: int | None
) -> tuple[float, float]:
    """(wall s, CPU s of the workers including their start-up) of one study on a fresh pool."""
    cpu0 = _children_cpu_s()
    with ProcessRunner(workers) as pool:
        wall_s = _in_process(study, scenario, samples, pool, max_batch)
    return wall_s, _children_cpu_s() - cpu0


def _line(
    label: str, wall_s: float, runs: int, per: int, measured: int, cpu_s: float | None = None
) -> str:
    scaled = wall_s / runs * per
    tag = "" if measured >= per else " extrapolated"
    cpu = "" if cpu_s is None else f"; CPU {cpu_s / runs * 1000:.0f} ms/run"
    return (
        f"  {label:<44} {wall_s:7.1f} s for {runs} runs ({wall_s / runs * 1000:6.0f} ms/run)"
        f" → {scaled:6.0f} s per {per} runs{tag}{cpu}"
    )


def bench(study: Study, args: argparse.Namespace) -> None:
    scenario = study.scenario()
    one_s = engine_run_s(study, scenario)
    workers = args.workers
    per_sample = max(1, len(study.variants))
    fit = int(args.budget_s * workers / one_s / per_sample)
    samples = max(2 * workers, min(args.samples, fit))
    runs = study.n_runs(samples, scenario)
    full_runs = study.n_runs(args.samples, scenario)
    steps = round(study.horizon_s / study.step_s)
    print(
        f"{study.name}: {study.scene}, {study.horizon} at {study.step} ({steps} steps), "
        f"variants {', '.join(study.variants) or 'base'}; inputs "
        f"{', '.join(u.label for u in scenario.uncertain)}"
    )
    floor_s = full_runs * one_s / workers
    print(
        f"  engine alone: {one_s * 1000:.0f} ms CPU per run → floor {floor_s:.0f} s for "
        f"{full_runs} runs on {workers} free cores (no dispatch, no start-up)"
    )
    total_ms, other_ms = worker_overhead_ms(study, scenario)
    print(
        f"  per sample in a worker: {total_ms:.0f} ms, of which {other_ms:.1f} ms "
        f"({other_ms / total_ms:.1%}) is not the engine (overrides, compile, KPIs, packing)"
    )
    if samples < args.samples:
        print(f"  {args.samples} samples would not fit {args.budget_s:.0f} s: running {samples}")
    with tempfile.TemporaryDirectory() as out:
        cpu0 = _children_cpu_s()
        started = time.perf_counter()
        done = subprocess.run(
            study.cli(samples, workers, out), cwd=ROOT, capture_output=True, text=True
        )
        cli_s = time.perf_counter() - started
        cli_cpu_s = _children_cpu_s() - cpu0
    if done.returncode:
        print(f"  CLI failed ({done.returncode}):\n{done.stderr}")
        return
    label = f"CLI end to end ({workers} workers, batched)"
    print(_line(label, cli_s, runs, full_runs, runs, cli_cpu_s))
    batched, batched_cpu = _pool_study(study, scenario, samples, workers, None)
    single, single_cpu = _pool_study(study, scenario, samples, workers, 1)
    print(_line("process pool, batched", batched, runs, full_runs, runs, batched_cpu))
    print(_line("process pool, one run per task (reference)", single, runs, full_runs, runs,
                single_cpu))  # fmt: skip
    print(
        f"  batched / one per task: ×{single / batched:.2f} throughput (wall), "
        f"×{single_cpu / batched_cpu:.2f} (CPU)"
    )
    if args.dask and study is AVL:  # short runs: where per-task overhead shows
        try:
            dask = DaskRunner("local", workers)
        except Exception as exc:  # the cluster extra is optional
            print(f"  dask: skipped ({exc})")
            return
        with dask:
            d_batched = _in_process(study, scenario, samples, dask, None)
            d_single = _in_process(study, scenario, samples, dask, 1)
        print(_line("dask LocalCluster, batched", d_batched, runs, full_runs, runs))
        print(_line("dask LocalCluster, one run per task (reference)", d_single, runs,
                    full_runs, runs))  # fmt: skip
        print(f"  dask batched / one per task: ×{d_single / d_batched:.2f} throughput")
    if study is MC:
        thousand_s = cli_s / runs * 1000
        floor_s = 1000 * one_s / workers  # the figure is per 1,000 runs
        print(
            f"  1,000 runs: {thousand_s:.0f} s end to end{'' if runs >= 1000 else ' extrapolated'}"
            f" = ×{thousand_s / TARGET_MC_S:.1f} the target (≤ {TARGET_MC_S:.0f} s, issue 13); "
            f"the engine floor alone is {floor_s:.0f} s = ×{floor_s / TARGET_MC_S:.1f}"
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--budget-s", type=float, default=30.0,
                        help="wall time per timed study (samples are reduced to fit)")  # fmt: skip
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-dask", dest="dask", action="store_false")
    parser.add_argument("studies", nargs="*", default=["mc", "avl"])
    args = parser.parse_args(argv)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    for study in (MC, AVL):
        if study.name in args.studies:
            bench(study, args)


if __name__ == "__main__":
    main()
