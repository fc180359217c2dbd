"""Launch pipeline (issue 14): a finished training run is evaluated, reviewed, then launched.

trained → evaluated → reviewed → launched, as a flow shop in the order runs finish:

* **Evaluation** by the MLOps team (benchmarks, regression and safety test suites, model card):
  ``EVAL_FIXED_DAYS`` of eval compute plus ``EVAL_PERSON_DAYS`` of work. Without MLOps people
  the ML researchers evaluate their own models; with neither nothing is evaluated.
* **Governance review** by the security/governance team, three gates in turn: bias and
  fairness evaluation, red-teaming, legal (``REVIEW_GATES``: person-days of work plus days of
  elapsed sign-off). Each regulated dataset (GDPR, HIPAA) behind the model adds
  ``AUDIT_PERSON_DAYS_PER_REGULATED_DATASET`` of audit work, and each costs
  ``COMPLIANCE_USD_PER_REGULATED_DATASET_YEAR`` while the factory holds it. Without a governance
  team no model passes review, so none launches.
* **Deployment** by MLOps: ``DEPLOY_FIXED_DAYS`` plus ``DEPLOY_PERSON_DAYS`` of work (staged
  rollout, canary, monitoring hooks).

Automation investment (``settings.automation_level``, the share of the pipeline scripted: CI/CD
for models, automated eval harnesses) removes up to ``AUTOMATION_EFFORT_CUT`` of the MLOps
person-days. Work is split over the team's whole headcount at ``WORKING_SHARE`` (40 of 168 hours
a week, as ``data_pipeline.py``); each team works on one model at a time, so a second run that
finishes while the first is in review waits for the reviewers. Team sizes are those at the moment
a run finishes (attrition after that does not move its dates).

Every effort number is an estimate (no public benchmark of model-launch lead times by team size
exists; the orders of magnitude follow published practice: red-teaming campaigns of weeks, e.g.
the GPT-4 system card, and legal sign-off of days).
"""

from __future__ import annotations

from dataclasses import dataclass

from aifactory_twin.sim.models.data_pipeline import WORKING_SHARE

DAY_S = 86400.0
EVAL_FIXED_DAYS = 1.0
"""Benchmark and evaluation compute per model, calendar days (estimate)."""
EVAL_PERSON_DAYS = 20.0
"""Evaluation work per model, MLOps person-days of 8 h (estimate)."""
DEPLOY_FIXED_DAYS = 1.0
"""Staged rollout / canary soak, calendar days (estimate)."""
DEPLOY_PERSON_DAYS = 10.0
"""Deployment work per model, MLOps person-days (estimate)."""
AUTOMATION_EFFORT_CUT = 0.8
"""Share of the MLOps work a fully automated pipeline (automation_level 1) removes (estimate)."""
REVIEW_GATES: tuple[tuple[str, float, float], ...] = (
    ("bias and fairness evaluation", 10.0, 1.0),
    ("red-teaming", 20.0, 2.0),
    ("legal review", 5.0, 3.0),
)
"""(gate, governance person-days of work, calendar days of sign-off) per model (estimates)."""
AUDIT_PERSON_DAYS_PER_REGULATED_DATASET = 15.0
"""Compliance audit (DPIA for GDPR, HIPAA risk assessment) per regulated dataset behind a model,
governance person-days (estimate)."""
HOURS_PER_PERSON_DAY = 8.0
COMPLIANCE_USD_PER_REGULATED_DATASET_YEAR = 100000.0
"""Running compliance cost of holding one regulated dataset (external audits, DPO/privacy
counsel share, access-review and logging tooling), per year (estimate; the audit effort of the
governance team is paid as its salary)."""


def calendar_s(person_days: float, people: float) -> float:
    """Calendar seconds ``people`` need for ``person_days`` of work (inf with nobody)."""
    if person_days <= 0:
        return 0.0
    if people <= 0:
        return float("inf")
    return person_days * HOURS_PER_PERSON_DAY / people / WORKING_SHARE * 3600.0


def mlops_effort(person_days: float, automation_level: float) -> float:
    """MLOps person-days left after automation takes its share."""
    return person_days * (1.0 - AUTOMATION_EFFORT_CUT * automation_level)


def review_person_days(regulated_datasets: int) -> float:
    """Governance person-days to review one model (the three gates and its audits)."""
    gates = sum(work for _, work, _ in REVIEW_GATES)
    return gates + AUDIT_PERSON_DAYS_PER_REGULATED_DATASET * regulated_datasets


REVIEW_SIGNOFF_S = sum(wait for _, _, wait in REVIEW_GATES) * DAY_S


@dataclass
class LaunchDates:
    """When one finished run passed each stage, seconds from the scenario start (inf: never)."""

    trained_s: float
    evaluated_s: float
    reviewed_s: float
    launched_s: float


class LaunchPipeline:
    """The flow shop's state: when the evaluators and the reviewers are next free."""

    def __init__(self) -> None:
        self.eval_free_s = 0.0
        self.review_free_s = 0.0

    def launch(
        self,
        trained_s: float,
        mlops: float,
        researchers: float,
        governance: float,
        automation_level: float,
        regulated_datasets: int,
    ) -> LaunchDates:
        """Dates of a run that finished training at ``trained_s``, given today's teams."""
        evaluators = mlops if mlops > 0 else researchers
        eval_s = EVAL_FIXED_DAYS * DAY_S + calendar_s(
            mlops_effort(EVAL_PERSON_DAYS, automation_level) if mlops > 0 else EVAL_PERSON_DAYS,
            evaluators,
        )
        evaluated = max(trained_s, self.eval_free_s) + eval_s
        if evaluated < float("inf"):
            self.eval_free_s = evaluated
        review_s = calendar_s(review_person_days(regulated_datasets), governance)
        reviewed = max(evaluated, self.review_free_s) + review_s + REVIEW_SIGNOFF_S
        if reviewed < float("inf"):
            self.review_free_s = reviewed - REVIEW_SIGNOFF_S
        deploy_s = DEPLOY_FIXED_DAYS * DAY_S + calendar_s(
            mlops_effort(DEPLOY_PERSON_DAYS, automation_level) if mlops > 0 else DEPLOY_PERSON_DAYS,
            evaluators,
        )
        return LaunchDates(trained_s, evaluated, reviewed, reviewed + deploy_s)
