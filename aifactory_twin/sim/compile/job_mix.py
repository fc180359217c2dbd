"""Compile part: the scenario's ``job_mix`` expanded into training jobs (``schema/job_mix.py``).

Generated ids are ``<team>-<n>`` (team name with other characters as '-'); a clash with a
workload of the file is an error naming the mix entry. The work of each job is its drawn run
time at nominal speed on the fastest accelerator of the factory (peak bf16 × target MFU).
"""

from __future__ import annotations

import re

import numpy as np

from aifactory_twin.schema import Scenario, TrainingJob
from aifactory_twin.schema.job_mix import JobMix
from aifactory_twin.sim.compile.common import problem


def draw_mix(mix: JobMix, seed: int, position: int) -> list[tuple[float, int, float]]:
    """(submit s, accelerators, run time s) per job of ``mix``, reproducible from ``seed``."""
    rng = np.random.Generator(np.random.PCG64([seed & 0xFFFFFFFF, position]))
    gaps = rng.exponential(mix.mean_interarrival_s, mix.jobs)
    submit = mix.first_submit_s + np.cumsum(gaps) - gaps[0]
    if mix.size_distribution == "uniform":
        raw = rng.uniform(mix.accelerators_min, mix.accelerators_max, mix.jobs)
    else:
        lo, hi = np.log(mix.accelerators_min), np.log(mix.accelerators_max)
        raw = np.exp(rng.uniform(lo, hi, mix.jobs))
    step = mix.accelerators_multiple
    size = np.maximum(np.floor(raw / step) * step, min(step, mix.accelerators_max))
    size = np.clip(size, mix.accelerators_min, mix.accelerators_max)
    dur = mix.duration_median_s * np.exp(rng.normal(0.0, mix.duration_sigma, mix.jobs))
    return [(float(s), int(g), float(d)) for s, g, d in zip(submit, size, dur, strict=True)]


def expand_job_mix(sc: Scenario, peak_tflops: float) -> Scenario:
    """``sc`` with its job mix appended to the workloads (``sc`` itself when it has none)."""
    if not sc.job_mix:
        return sc
    if peak_tflops <= 0:
        raise problem("job_mix", "a job mix needs compute racks or cloud burst to size its jobs")
    taken = {w.id for w in sc.workloads}
    jobs: list[TrainingJob] = []
    for pos, mix in enumerate(sc.job_mix):
        slug = re.sub(r"[^A-Za-z0-9_.\-]+", "-", mix.team).strip("-.") or "team"
        for k, (submit_s, gpus, run_s) in enumerate(draw_mix(mix, sc.settings.seed, pos)):
            job_id = f"{slug[:60]}-{k + 1}"
            if job_id in taken:
                raise problem(f"job_mix[{pos}].team", f"generated job id {job_id!r} is taken")
            taken.add(job_id)
            jobs.append(
                TrainingJob(
                    id=job_id,
                    name=f"{mix.team} job {k + 1}",
                    parameters_b=mix.parameters_b,
                    total_flops=run_s * gpus * peak_tflops * 1e12 * mix.target_mfu,
                    accelerators_requested=gpus,
                    target_mfu=mix.target_mfu,
                    start_s=submit_s,
                    priority=mix.priority,
                    team=mix.team,
                )
            )
    return sc.model_copy(update={"workloads": [*sc.workloads, *jobs]})
