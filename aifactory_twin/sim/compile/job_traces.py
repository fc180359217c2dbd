"""Compile part: the scenario's job traces replayed as training jobs (``io/traces.py``).

A replayed job's work is what its recorded run time takes on its accelerators at the peak of
the factory's fastest accelerator (as for the job mix) and the trace's MFU:
C = duration × n × peak × MFU, so on a factory like the traced cluster it runs as long as it did
there (the queue, failures, heat and the fabric still act on it in the engine).
Generated ids are ``<trace id>-<k>``.
"""

from __future__ import annotations

from pathlib import Path

from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.io.traces import read_trace
from aifactory_twin.schema import Scenario, TrainingJob


def expand_job_traces(sc: Scenario, peak_tflops: float) -> Scenario:
    """``sc`` with the jobs of its traces appended to ``workloads``."""
    if not sc.job_traces:
        return sc
    peak = max(peak_tflops, 1e-9) * 1e12
    taken = {w.id for w in sc.workloads}
    base = Path(sc.source_dir) if sc.source_dir else None
    jobs: list[TrainingJob] = []
    for k, trace in enumerate(sc.job_traces):
        where = f'job_traces[{k}] (id "{trace.id}")'
        for n, row in enumerate(read_trace(trace, base, where)):
            gpus = max(1, round(row.accelerators * trace.accelerator_scale))
            job_id = f"{trace.id}-{n + 1}"
            if job_id in taken:
                raise ScenarioError(
                    [Problem(where, f"replayed job id {job_id!r} is already used by a workload")]
                )
            taken.add(job_id)
            jobs.append(
                TrainingJob(
                    id=job_id,
                    name=row.name,
                    parameters_b=trace.parameters_b,
                    total_flops=max(row.duration_s, 1.0) * gpus * peak * trace.target_mfu,
                    accelerators_requested=gpus,
                    target_mfu=trace.target_mfu,
                    start_s=row.submit_s,
                    priority=trace.priority,
                    team=row.team,
                )
            )
    return sc.model_copy(update={"workloads": [*sc.workloads, *jobs]})
