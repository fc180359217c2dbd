"""Job placements as index lists: which racks each job holds, and reductions per job over them.

A placement is a jobs × racks matrix of accelerators, almost all zeros: a job holds a few racks
and a rack holds one job or two. ``JobRacks`` keeps only the held (job, rack, accelerators)
entries, sorted by job, with each job's entries a contiguous segment (``start[j]`` to
``start[j + 1]``). Per-job reductions (sum, min, max of a per-rack quantity over the job's racks)
are then segment reductions over those entries (``np.add.reduceat`` and friends) and per-rack
totals are ``np.bincount`` over them: their cost grows with the entries held, not with
jobs × racks. Min and max are exact; a sum adds the same terms as the dense product but in
another order, which is exact for whole accelerator counts (the placements' entries) and may
differ in the last bit for fractional terms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class JobRacks:
    """The non-zero entries of a jobs × racks placement, grouped by job."""

    job: IntArray
    """Job of each entry (non-decreasing)."""
    rack: IntArray
    """Rack of each entry."""
    gpus: FloatArray
    """Accelerators the job holds on that rack (> 0)."""
    start: IntArray
    """Entry offset of each job's segment, length jobs + 1."""
    n_racks: int

    @classmethod
    def from_matrix(cls, alloc: FloatArray) -> JobRacks:
        """The entries of a dense jobs × racks matrix (row-major order: by job, then rack)."""
        job, rack = np.nonzero(alloc)
        n_j = alloc.shape[0]
        start = np.searchsorted(job, np.arange(n_j + 1)).astype(np.int64)
        return cls(
            job.astype(np.int64), rack.astype(np.int64), alloc[job, rack], start, alloc.shape[1]
        )

    @property
    def n_jobs(self) -> int:
        """How many jobs (segments, empty ones included)."""
        return int(self.start.size - 1)

    def per_job_sum(self, values: FloatArray) -> FloatArray:
        """Σ over each job's entries of ``values`` (one per entry); 0 for a job holding none."""
        return self._reduce(np.add, values, 0.0)

    def per_job_min(self, values: FloatArray, empty: float) -> FloatArray:
        """Minimum over each job's entries of ``values``; ``empty`` for a job holding none."""
        return self._reduce(np.minimum, values, empty)

    def per_job_max(self, values: FloatArray, empty: float) -> FloatArray:
        """Maximum over each job's entries of ``values``; ``empty`` for a job holding none."""
        return self._reduce(np.maximum, values, empty)

    def per_rack_sum(self, values: FloatArray) -> FloatArray:
        """Σ over each rack's entries of ``values`` (one per entry), per rack."""
        return np.bincount(self.rack, weights=values, minlength=self.n_racks).astype(np.float64)

    def _reduce(self, op: np.ufunc, values: FloatArray, empty: float) -> FloatArray:
        out = np.full(self.n_jobs, empty, dtype=np.float64)
        held = self.start[1:] > self.start[:-1]
        if values.size:
            # reduceat over the starts of non-empty segments only: an empty one would read the
            # next segment's first entry.
            out[held] = op.reduceat(values, self.start[:-1][held])
        return out
