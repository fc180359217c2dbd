"""Job traces: training jobs replayed from a cluster trace file beside the scenario."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from aifactory_twin.schema.base import (
    NodeId,
    PositiveFloat,
    PositiveInt,
    StrictModel,
)

TraceFormat = Literal["generic", "philly", "helios", "pai"]


class JobTrace(StrictModel):
    """Training jobs replayed from a published or in-house job trace beside the scenario.

    ``path`` is relative to the scenario file's folder. Formats: ``helios`` (SenseTime Helios
    ``cluster_log.csv``), ``pai`` (Alibaba PAI GPU 2020 ``pai_task_table.csv``, no header),
    ``philly`` (Microsoft Philly ``cluster_job_log``, JSON), ``generic`` (a CSV with a header;
    ``columns`` maps submit_s, accelerators, duration_s, team, status to its column names).
    Each job's work = its recorded run time × accelerators × the factory's mean peak × MFU, so
    it runs as long as it did when the factory matches the traced cluster.
    """

    id: NodeId
    path: str = Field(min_length=1, max_length=1000)
    format: TraceFormat = "generic"
    columns: dict[str, str] = {}
    """generic format: our field → the CSV's column (defaults: the field names themselves)."""
    max_jobs: PositiveInt | None = None
    max_days: PositiveFloat | None = None
    """Keep jobs submitted within this many days of the trace's first submission."""
    completed_only: bool = True
    """Replay only jobs that ended normally (COMPLETED / Pass / Terminated)."""
    accelerator_scale: PositiveFloat = 1.0
    """Multiply each job's accelerators (to replay a trace on a factory of another size)."""
    priority: int = 0
    target_mfu: Annotated[float, Field(gt=0, le=1)] = 0.40
    parameters_b: PositiveFloat = 7.0
