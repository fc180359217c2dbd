"""Model lifecycle stage: finished runs through evaluation, governance review and launch.

Owns the launch pipeline's state (when evaluators and reviewers are next free) and the dates of
each finished run (``dates``). A run's dates are set the step it finishes, from the teams the
factory has then; a ``model_launched`` event is logged when the simulated time reaches its
launch date. Formulas: ``models/launch.py``.
"""

from __future__ import annotations

import math

from aifactory_twin.schema import TrainingJob
from aifactory_twin.schema.dataset import REGULATED
from aifactory_twin.sim.compiled import ROLES, CompiledScenario
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
    return per_job, len(held)


class Lifecycle:
    """Launch dates per training run and the events they raise."""

    def __init__(self, c: CompiledScenario, log: LogFn) -> None:
        self.log = log
        self.pipeline = LaunchPipeline()
        self.dates: list[LaunchDates | None] = [None] * c.workloads.n_train
        """Per training job: its trained/evaluated/reviewed/launched dates once it finished."""
        self._pending: list[int] = []
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
    ) -> None:
        """Schedule the pipeline of ``finished_jobs``; log launches that fall in this step."""
        c = self.c
        if finished_jobs:
            st = c.staff
            for j in finished_jobs:
                self.dates[j] = self.pipeline.launch(
                    float(finish_s[j]),
                    mlops=float(headcount[st.is_mlops].sum()),
                    researchers=float(headcount[st.is_research].sum()),
                    governance=float(headcount[st.role == _GOVERNANCE].sum()),
                    automation_level=c.scenario.settings.automation_level,
                    regulated_datasets=self.regulated[j],
                )
                self._pending.append(j)
        if self._pending:
            due = [j for j in self._pending if self.launched_s(j) <= t + dt]
            for j in due:
                when = self.launched_s(j)
                self.log(when, "model_launched", c.workloads.train_ids[j], "model launched")
            self._pending = [j for j in self._pending if j not in due]

    def next_launch_s(self) -> float:
        """When the next pending launch is logged, s (inf: none pending)."""
        return min((self.launched_s(j) for j in self._pending), default=math.inf)

    def launched_s(self, j: int) -> float:
        """When job ``j``'s model launches (inf: not finished training, or never)."""
        d = self.dates[j]
        return math.inf if d is None else d.launched_s

    def launches(self, time_s: float) -> int:
        """Models launched by ``time_s``."""
        return sum(1 for j in range(len(self.dates)) if self.launched_s(j) <= time_s)
