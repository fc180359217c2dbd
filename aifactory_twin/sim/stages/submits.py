"""When each training job is submitted: the engine's times, not the file's (part of work).

Starts as the compiled ``train_start_s``; a retraining job (``compile/retrain.py``) starts
"not yet submitted" (inf) and gets its time when the engine submits it at run time
(``submit``). Every reader of submit times (the jobs' wants, the scheduler's queue order, the
queue KPIs, the job table) reads ``s`` here. ``version`` is bumped by each runtime submission.
A runtime submission is an event boundary: ``next_after(t)`` says when the next job (compiled
or submitted at run time) enters the queue.
"""

from __future__ import annotations

import bisect
import math

import numpy as np

from aifactory_twin.sim.models.compute import Workloads
from aifactory_twin.sim.stages.handoff import FloatArray, read_only


class SubmitTimes:
    """Submit time per training job (s from the scenario start; inf: not submitted yet)."""

    def __init__(self, wl: Workloads) -> None:
        self._s = wl.train_start_s.copy()
        self.s: FloatArray = read_only(self._s)
        self.version = 0
        self._sorted = sorted(self._s.tolist())

    def swap(self, wl: Workloads) -> None:
        """Take new compiled start times; jobs submitted at run time keep theirs."""
        if wl.retrain is None:
            self._s[:] = wl.train_start_s
        else:
            runtime = wl.retrain.origin != np.arange(wl.n_train)
            self._s[:] = np.where(runtime, self._s, wl.train_start_s)
        self._sorted = sorted(self._s.tolist())

    def submit(self, j: int, at_s: float) -> None:
        """Submit job ``j`` at ``at_s`` (now or later in simulated time)."""
        old = float(self._s[j])
        del self._sorted[bisect.bisect_left(self._sorted, old)]
        self._s[j] = at_s
        bisect.insort(self._sorted, at_s)
        self.version += 1

    def count(self, t: float) -> int:
        """How many jobs are submitted by ``t``."""
        return bisect.bisect_right(self._sorted, t)

    def next_after(self, t: float) -> float:
        """The earliest submit time after ``t`` (inf: none pending)."""
        k = bisect.bisect_right(self._sorted, t)
        return self._sorted[k] if k < len(self._sorted) else math.inf
