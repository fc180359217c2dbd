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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Row = tuple[IntArray, FloatArray]
"""One job's (racks ascending, accelerators on each)."""
EMPTY_ROW: Row = (np.zeros(0, dtype=np.int64), np.zeros(0))
for _part in EMPTY_ROW:
    _part.setflags(write=False)


def row_of(got: FloatArray) -> Row:
    """The held entries of a dense per-rack vector."""
    racks = np.flatnonzero(got)
    return racks, got[racks]


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
    def from_rows(cls, rows: Sequence[Row], n_racks: int) -> JobRacks:
        """Entries from one (racks ascending, accelerators > 0) row per job, in job order."""
        sizes = np.fromiter((r[0].size for r in rows), dtype=np.int64, count=len(rows))
        start = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(sizes, out=start[1:])
        if start[-1]:
            rack = np.concatenate([r[0] for r in rows]).astype(np.int64)
            gpus = np.concatenate([r[1] for r in rows]).astype(np.float64)
        else:
            rack, gpus = np.zeros(0, dtype=np.int64), np.zeros(0)
        job = np.repeat(np.arange(len(rows), dtype=np.int64), sizes)
        return cls(job, rack, gpus, start, n_racks)

    def with_rows(self, rows: dict[int, Row]) -> JobRacks:
        """These jobs' rows replaced, every other job's entries kept (cost: the entries)."""
        if not rows:
            return self
        jobs = np.fromiter(rows, dtype=np.int64, count=len(rows))
        keep = ~np.isin(self.job, jobs)
        parts = [r for r in rows.values()]
        job = np.concatenate(
            [self.job[keep], *(np.full(r[0].size, j, dtype=np.int64) for j, r in rows.items())]
        )
        rack = np.concatenate([self.rack[keep], *(r[0] for r in parts)]).astype(np.int64)
        gpus = np.concatenate([self.gpus[keep], *(r[1] for r in parts)]).astype(np.float64)
        # A stable sort by job keeps each job's racks ascending.
        order = np.argsort(job, kind="stable")
        job = job[order]
        start = np.searchsorted(job, np.arange(self.n_jobs + 1)).astype(np.int64)
        return JobRacks(job, rack[order], gpus[order], start, self.n_racks)

    def only_jobs(self, jobs: BoolArray) -> JobRacks:
        """The entries of the jobs where ``jobs`` is set (the others hold nothing)."""
        keep = jobs[self.job]
        job = self.job[keep]
        start = np.searchsorted(job, np.arange(self.n_jobs + 1)).astype(np.int64)
        return JobRacks(job, self.rack[keep], self.gpus[keep], start, self.n_racks)

    def row(self, j: int) -> Row:
        """(racks, accelerators) job ``j`` holds, racks ascending."""
        lo, hi = self.start[j], self.start[j + 1]
        return self.rack[lo:hi], self.gpus[lo:hi]

    def rows(self) -> list[Row]:
        """Every job's row, in job order (to edit a few and rebuild with ``from_rows``)."""
        return [self.row(j) for j in range(self.n_jobs)]

    def dense(self) -> FloatArray:
        """The jobs × racks matrix (for readers that want it; O(jobs × racks))."""
        out = np.zeros((self.n_jobs, self.n_racks))
        out[self.job, self.rack] = self.gpus
        return out

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
