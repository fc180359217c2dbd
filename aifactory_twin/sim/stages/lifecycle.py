"""Model lifecycle stage: finished runs through evaluation, governance review and launch.

Owns the launch pipeline's state (when evaluators and reviewers are next free) and the dates of
each finished run (``dates``). A run's dates are set the step it finishes, from the teams the
factory has then; a ``model_launched`` event is logged when the simulated time reaches its
launch date. Formulas: ``models/launch.py``.

Drift monitoring (``models/drift.py``): for a watched job, the step it finishes also draws when
its launched model will drift (the engine's RNG, in finish order) and, from the teams then,
when the drift is detected; ``step`` returns that retraining job and its submit time for the
work stage to submit (it then queues like any job). ``drift_detected`` and
``retrain_submitted`` are logged when the simulated time reaches the detection.
"""

from __future__ import annotations

import math

import numpy as np

from aifactory_twin.schema import TrainingJob
from aifactory_twin.schema.dataset import REGULATED
from aifactory_twin.sim.compiled import ROLES, CompiledScenario
from aifactory_twin.sim.models.drift import detection_delay_s
from aifactory_twin.sim.models.launch import (
    COMPLIANCE_USD_PER_REGULATED_DATASET_YEAR,
    LaunchDates,
    LaunchPipeline,
)
from aifactory_twin.sim.stages.handoff import FloatArray, LogFn

_GOVERNANCE = ROLES.index("security_governance")


def regulated_datasets(c: CompiledScenario) -> tuple[list[int], int]:
    """Regulated (GDPR, HIPAA) datasets per training job, and how many distinct ones are held.

    Per job in the engine's job order; a dataset node several jobs share is held once.
    """
    sc = c.scenario
    jobs = [w for w in sc.workloads if isinstance(w, TrainingJob)]
    per_job = []
    held: set[str] = set()
    for j, w in enumerate(jobs):
        d = sc.job_dataset(w)
        regulated = d is not None and d.sensitivity in REGULATED
        per_job.append(int(regulated))
        if regulated:
            held.add(w.dataset_id or f"#{j}")
    plan = c.workloads.retrain
    if plan is not None:
        # A retraining job trains on its job's data again: the same audits in its review.
        per_job = [per_job[int(o)] for o in plan.origin]
    return per_job, len(held)


class Lifecycle:
    """Launch dates per training run and the events they raise."""

    def __init__(self, c: CompiledScenario, log: LogFn) -> None:
        self.log = log
        self.pipeline = LaunchPipeline()
        self.dates: list[LaunchDates | None] = [None] * c.workloads.n_train
        """Per training job: its trained/evaluated/reviewed/launched dates once it finished."""
        self._pending: list[int] = []
        n = c.workloads.n_train
        self.drift_s = np.full(n, np.nan)
        """Per retraining job: when the model it replaces drifted (NaN: no drift yet)."""
        self.detected_s = np.full(n, np.nan)
        """Per retraining job: when that drift was detected and the job submitted."""
        self._detections: list[int] = []
        self.swap(c)

    def swap(self, c: CompiledScenario) -> None:
        """Take the parameters of ``c`` (same jobs)."""
        self.c = c
        self.regulated, held = regulated_datasets(c)
        self.compliance_usd_per_year = held * COMPLIANCE_USD_PER_REGULATED_DATASET_YEAR
        """Compliance cost of the regulated datasets the factory holds, per year."""

    def step(
        self,
        t: float,
        dt: float,
        finished_jobs: list[int],
        finish_s: FloatArray,
        headcount: FloatArray,
        rng: np.random.Generator,
        gpus: float,
    ) -> list[tuple[int, float]]:
        """Schedule the pipeline of ``finished_jobs``; log launches that fall in this step.

        Returns the retraining jobs to submit, with their submit times (drift monitoring);
        ``gpus`` is the fleet delivered so far (the MLOps team's coverage of it).
        """
        c = self.c
        submits: list[tuple[int, float]] = []
        if finished_jobs:
            st = c.staff
            mlops = float(headcount[st.is_mlops].sum())
            researchers = float(headcount[st.is_research].sum())
            automation = c.scenario.settings.automation_level
            for j in finished_jobs:
                dates = self.dates[j] = self.pipeline.launch(
                    float(finish_s[j]),
                    mlops=mlops,
                    researchers=researchers,
                    governance=float(headcount[st.role == _GOVERNANCE].sum()),
                    automation_level=automation,
                    regulated_datasets=self.regulated[j],
                )
                self._pending.append(j)
                plan = c.workloads.retrain
                if plan is None or plan.next_slot[j] < 0 or not math.isfinite(dates.launched_s):
                    continue
                slot = int(plan.next_slot[j])
                drift = dates.launched_s + float(rng.exponential(plan.mean_time_to_drift_s[j]))
                seen = drift + detection_delay_s(automation, mlops, researchers, gpus)
                self.drift_s[slot] = drift
                if math.isfinite(seen):
                    self.detected_s[slot] = seen
                    self._detections.append(slot)
                    submits.append((slot, seen))
        if self._detections:
            self._log_detections(t + dt)
        if self._pending:
            due = [j for j in self._pending if self.launched_s(j) <= t + dt]
            for j in due:
                when = self.launched_s(j)
                self.log(when, "model_launched", c.workloads.train_ids[j], "model launched")
            self._pending = [j for j in self._pending if j not in due]
        return submits

    def _log_detections(self, until_s: float) -> None:
        """Log the drifts detected by ``until_s`` and the retraining jobs they submitted."""
        c = self.c
        plan = c.workloads.retrain
        assert plan is not None
        ids = c.workloads.train_ids
        due = [s for s in self._detections if self.detected_s[s] <= until_s]
        for slot in due:
            when = float(self.detected_s[slot])
            model = ids[int(np.flatnonzero(plan.next_slot == slot)[0])]
            lag_d = (when - self.drift_s[slot]) / 86400.0
            self.log(when, "drift_detected", model, f"production drift detected {lag_d:.1f} d "
                     "after it began")  # fmt: skip
            self.log(when, "retrain_submitted", ids[slot], f"retraining {model} submitted")
        self._detections = [s for s in self._detections if s not in due]

    def next_launch_s(self) -> float:
        """When the next pending launch is logged, s (inf: none pending)."""
        return min(self.launched_s(j) for j in self._pending) if self._pending else math.inf

    def next_detection_s(self) -> float:
        """When the next pending drift detection is logged, s (inf: none pending)."""
        if not self._detections:
            return math.inf
        return min(float(self.detected_s[j]) for j in self._detections)

    def launched_s(self, j: int) -> float:
        """When job ``j``'s model launches (inf: not finished training, or never)."""
        d = self.dates[j]
        return math.inf if d is None else d.launched_s

    def launches(self, time_s: float) -> int:
        """Models launched by ``time_s``."""
        return sum(1 for j in range(len(self.dates)) if self.launched_s(j) <= time_s)

    def drift_to_relaunch_days(self, time_s: float) -> list[float]:
        """Per retrained model launched by ``time_s``: days from its predecessor's drift."""
        drifted = np.flatnonzero(~np.isnan(self.drift_s)).tolist()
        return [
            (self.launched_s(j) - float(self.drift_s[j])) / 86400.0
            for j in drifted
            if self.launched_s(j) <= time_s
        ]
