"""Job-mix generator: Poisson arrivals of training jobs per team, expanded at compile time.

A scenario's ``job_mix`` lists one entry per team: how many jobs, the mean time between
submissions (exponential gaps, i.e. Poisson arrivals), the size range (log-uniform, or
uniform with ``size_distribution = "uniform"``, between ``accelerators_min`` and
``accelerators_max``, rounded down to a multiple of ``accelerators_multiple``) and the run
time (log-normal with median ``duration_median_s`` and shape ``duration_sigma``), as RAPS's
synthetic workloads draw them (estimate of the shapes). A job's work is its run time at
nominal speed on its accelerators (peak × ``target_mfu``), so it runs that long when nothing
slows it. The draw uses ``np.random.Generator(PCG64)`` seeded by ``settings.seed`` and the
entry's position: the same file gives the same jobs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from aifactory_twin.schema.base import NonNegativeFloat, PositiveFloat, PositiveInt, StrictModel


class JobMix(StrictModel):
    """One team's stream of training jobs."""

    team: str = Field(min_length=1, max_length=80)
    jobs: PositiveInt = 50
    mean_interarrival_s: PositiveFloat = 100.0
    """Mean time between submissions (RAPS's synthetic default is 100 s)."""
    first_submit_s: NonNegativeFloat = 0.0
    accelerators_min: PositiveInt = 8
    accelerators_max: PositiveInt = 512
    accelerators_multiple: PositiveInt = 8
    """Sizes are whole servers (8 accelerators) by default."""
    size_distribution: Literal["log_uniform", "uniform"] = "log_uniform"
    """How sizes spread over [min, max]: log-uniform (as many small as large jobs per decade)
    or uniform (RAPS's synthetic ``random`` workload draws node counts uniformly)."""
    duration_median_s: PositiveFloat = 4 * 3600.0
    duration_sigma: NonNegativeFloat = 1.0
    """Log-normal shape of the run times (estimate: spread over about an order of magnitude)."""
    parameters_b: PositiveFloat = 7.0
    target_mfu: float = Field(default=0.40, gt=0, le=1)
    priority: int = 0

    @model_validator(mode="after")
    def _sizes_ordered(self) -> JobMix:
        if self.accelerators_min > self.accelerators_max:
            raise ValueError(
                f"accelerators_min ({self.accelerators_min}) exceeds accelerators_max "
                f"({self.accelerators_max})"
            )
        return self
