"""MLOps: how much of incident response the MLOps team's automation covers.

Incident automation rate = ``automation_level`` × staffing coverage, where the tooling
(``settings.automation_level``: the share of incidents a fully run automation stack detects and
restarts without a technician) works only as far as the MLOps team can keep it running:
coverage = min(1, MLOps people × ``GPUS_PER_MLOPS_ENGINEER`` / accelerators arrived). No MLOps
team → nothing is automated. The rate the KPIs report (incidents handled automatically /
incidents) is then drawn incident by incident, so it is a result of the team and the tooling,
not an echo of the setting.
"""

from __future__ import annotations

GPUS_PER_MLOPS_ENGINEER = 2000.0
"""Accelerators one MLOps/SRE engineer keeps under automated detection and restart (estimate:
the sample scenes' ratios, 1 per 1,000–4,000 GPUs, follow published large-cluster staffing of
a few on-call engineers per multi-thousand-GPU cluster)."""


def staffing_coverage(mlops_people: float, gpus: float) -> float:
    """Share of the fleet the MLOps team keeps under automation (1 with no fleet yet)."""
    if mlops_people <= 0:
        return 0.0
    if gpus <= 0:
        return 1.0
    return min(1.0, mlops_people * GPUS_PER_MLOPS_ENGINEER / gpus)


def incident_automation_rate(automation_level: float, mlops_people: float, gpus: float) -> float:
    """Probability an incident is handled by automation without a technician."""
    return automation_level * staffing_coverage(mlops_people, gpus)
