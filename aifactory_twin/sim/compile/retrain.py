"""Compile part: retraining slots of the training jobs under drift monitoring (issue 14).

A job with ``drift_monitoring`` gets retraining jobs the engine submits at run time when its
launched model's drift is detected (``stages/lifecycle.py``). Workloads are arrays of a fixed
length, so each monitored job brings ``retrain_slots(horizon)`` copies, appended after every
other workload: same team, racks, size, priority and model, ``retrain_fraction`` of its work,
no dataset of their own (the data is ready: the job trained on it), submit time inf (not yet
submitted; the scheduler's ``submit_s`` holds the time once the engine submits one). Slot k
retrains the model of slot k − 1 (slot 0: the job's own model) after it drifted.

The number of slots is an exact bound, not a guess: a model launches at least
``MIN_RELAUNCH_S`` (the launch pipeline's fixed days) after its training ends, and its retrain
is submitted after the launch, so the k-th retrain is submitted at or after k × MIN_RELAUNCH_S;
no run can use more slots than fit in its horizon.

Generated ids are ``<job id>-retrain-<k>`` (k from 1); a clash with a workload is an error.
"""

from __future__ import annotations

import math

import numpy as np

from aifactory_twin.schema import Scenario, TrainingJob
from aifactory_twin.sim.compile.common import problem
from aifactory_twin.sim.models.compute import RetrainPlan, Workloads
from aifactory_twin.sim.models.drift import MIN_RELAUNCH_S

Chains = list[tuple[str, list[str]]]
"""Per monitored job: its id and its retraining slots' ids in order."""


def retrain_slots(horizon_s: float) -> int:
    """Retraining jobs one monitored job can need within ``horizon_s`` (see the module doc)."""
    return max(0, math.floor(horizon_s / MIN_RELAUNCH_S))


def _flops(job: TrainingJob) -> float:
    if job.total_flops is not None:
        return job.total_flops
    return 6.0 * job.parameters_b * 1e9 * job.tokens_t * 1e12


def expand_retrains(sc: Scenario, horizon_s: float) -> tuple[Scenario, Chains]:
    """``sc`` with the retraining slots of its monitored jobs appended, and the chains."""
    monitored = [w for w in sc.workloads if isinstance(w, TrainingJob) and w.drift_monitoring]
    n_slots = retrain_slots(horizon_s)
    if not monitored or n_slots == 0:
        return sc, []
    taken = {w.id for w in sc.workloads}
    slots: list[TrainingJob] = []
    chains: Chains = []
    for job in monitored:
        chains.append((job.id, []))
        for k in range(1, n_slots + 1):
            slot_id = f"{job.id}-retrain-{k}"
            if slot_id in taken:
                pos = next(i for i, w in enumerate(sc.workloads) if w.id == job.id)
                raise problem(f"workloads[{pos}].id", f"retraining job id {slot_id!r} is taken")
            taken.add(slot_id)
            chains[-1][1].append(slot_id)
            # model_copy without validation: the copy is the engine's, never saved.
            slots.append(
                job.model_copy(
                    update={
                        "id": slot_id,
                        "name": f"{job.name or job.id} (retrain {k})",
                        "total_flops": _flops(job) * job.retrain_fraction,
                        "dataset": None,
                        "dataset_id": "",
                    }
                )
            )
    return sc.model_copy(update={"workloads": [*sc.workloads, *slots]}), chains


def plan_retrains(sc: Scenario, wl: Workloads, chains: Chains) -> None:
    """Mark the slots of ``expand_retrains`` on ``wl``: unsubmitted, chained to their job."""
    if not chains:
        return
    pos = {job_id: j for j, job_id in enumerate(wl.train_ids)}
    n = wl.n_train
    next_slot = np.full(n, -1, dtype=np.int64)
    origin = np.arange(n, dtype=np.int64)
    mean_s = np.full(n, math.inf)
    jobs = {w.id: w for w in sc.workloads if isinstance(w, TrainingJob)}
    for job_id, slot_ids in chains:
        chain = [pos[job_id]] + [pos[s] for s in slot_ids]
        next_slot[chain[:-1]] = chain[1:]
        origin[chain] = chain[0]
        mean_s[chain] = jobs[job_id].mean_time_to_drift_s
        wl.train_start_s[chain[1:]] = math.inf
    wl.retrain = RetrainPlan(next_slot, origin, mean_s)
