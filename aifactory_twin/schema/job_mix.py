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


THREE_TEAM_MIX: tuple[JobMix, ...] = (
    JobMix(team="research", jobs=80, mean_interarrival_s=1800.0, accelerators_min=64,
           accelerators_max=512, duration_median_s=6 * 3600.0),
    JobMix(team="product", jobs=80, mean_interarrival_s=1800.0, accelerators_min=8,
           accelerators_max=128, duration_median_s=2 * 3600.0, priority=5),
    JobMix(team="eval", jobs=40, mean_interarrival_s=3600.0, accelerators_min=8,
           accelerators_max=32, duration_median_s=3600.0),
)  # fmt: skip
"""A sample of 200 jobs from three teams for a 1k-GPU factory (sizes, rates and run times are
estimates in the shape of RAPS's synthetic workloads): research submits big long jobs, product
mid-sized ones at a higher priority, eval small short ones. The mix editor's "Three-team mix"
and the ``shared-cluster-1k`` scene use it."""
