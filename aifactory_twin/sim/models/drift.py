"""Drift monitoring (issue 14): when a launched model drifts, when it is seen, what it triggers.

* **Drift**: a launched model's production data drifts after an exponential time of mean
  ``TrainingJob.mean_time_to_drift_s`` from its launch (drawn with the engine's RNG when its
  training ends, in finish order).
* **Detection delay** after the drift = waiting for a check + triage:

  - the check: automated monitoring (drift statistics on live traffic) alerts within
    ``AUTOMATED_ALERT_DAYS``; what automation does not cover waits for a manual review, every
    ``MANUAL_REVIEW_INTERVAL_DAYS`` (half of it on average). The covered share is the incident
    automation rate of ``models/mlops.py``: ``automation_level`` × the MLOps team's coverage of
    the fleet, so tooling helps only as far as the team keeps it running;
  - triage: ``TRIAGE_PERSON_DAYS`` of MLOps work (confirm the drift, find its cause, assemble the
    fresh data) split over the team (``launch.calendar_s``), cut by automation like the launch
    pipeline's MLOps work (``launch.mlops_effort``). Without an MLOps team the researchers
    triage by hand after a manual review; with neither, drift is never acted on.

* The detected drift submits a retraining job (``retrain_fraction`` of the job's work) through
  the scheduler; its completion is evaluated, reviewed and launched like any run, and the new
  model can drift again.

Team sizes are those when the run finishes training (as in ``launch.py``). Every number here is
an estimate (no public benchmark of drift-detection delay by team size exists).
"""

from __future__ import annotations

from aifactory_twin.sim.models import mlops
from aifactory_twin.sim.models.launch import (
    DAY_S,
    DEPLOY_FIXED_DAYS,
    EVAL_FIXED_DAYS,
    REVIEW_SIGNOFF_S,
    calendar_s,
    mlops_effort,
)

AUTOMATED_ALERT_DAYS = 1.0
"""Automated drift monitors compare daily windows of live traffic (estimate)."""
MANUAL_REVIEW_INTERVAL_DAYS = 30.0
"""Manual model-quality reviews, monthly (estimate); a drift waits half of it on average."""
TRIAGE_PERSON_DAYS = 5.0
"""MLOps person-days to confirm a drift and prepare its retraining (estimate)."""
MIN_RELAUNCH_S = (EVAL_FIXED_DAYS + DEPLOY_FIXED_DAYS) * DAY_S + REVIEW_SIGNOFF_S
"""Shortest time from the end of training to launch: evaluation, sign-offs and rollout days."""


def detection_delay_s(
    automation_level: float, mlops_people: float, researchers: float, gpus: float
) -> float:
    """Seconds from a drift to its retraining job's submission, given the teams (inf: never)."""
    if mlops_people > 0:
        auto = mlops.incident_automation_rate(automation_level, mlops_people, gpus)
        triage = calendar_s(mlops_effort(TRIAGE_PERSON_DAYS, automation_level), mlops_people)
    else:
        auto = 0.0
        triage = calendar_s(TRIAGE_PERSON_DAYS, researchers)
    wait_days = auto * AUTOMATED_ALERT_DAYS + (1.0 - auto) * MANUAL_REVIEW_INTERVAL_DAYS / 2.0
    return wait_days * DAY_S + triage
