"""Greedy placement by priority, and a placer that redoes only what a change reaches (issue 13).

``place`` gives each workload, highest priority first, the free accelerators of the first racks
its mask allows (``_take_first``), then cloud burst for the shortfall (``models/compute.py``
has the take and the reasoning behind its windows). ``Placer`` gives the same placement bit
for bit, but after a failure or repair it keeps the workloads whose racks did not change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aifactory_twin.sim.models.compute import (
    FloatArray,
    Placement,
    Workloads,
    _first_free,
    _take_first,
    take_greedy,
    take_nearest,
)
from aifactory_twin.sim.models.segments import EMPTY_ROW, JobRacks, Row


def place(
    wl: Workloads,
    free_gpus: FloatArray,
    cloud_free: FloatArray,
    train_want: FloatArray,
    inf_want: FloatArray,
) -> Placement:
    """Greedy placement by priority: on site first, then cloud burst for the shortfall."""
    return _greedy(wl, free_gpus, cloud_free, train_want, inf_want, None)[0]


@dataclass(frozen=True)
class _Step:
    """One workload ``place`` gave to: what it read and what it took."""

    kind: str
    k: int
    lo: int
    """Racks before ``lo`` had nothing free when this workload was placed."""
    reach: int
    """Racks from ``reach`` on were not read, by the take nor by the next ``lo`` scan."""
    cfree: FloatArray
    """Cloud accelerators free before this workload."""
    taken: Row
    """(racks, accelerators > 0) taken on site."""


@dataclass
class _Trace:
    """What the last ``_greedy`` read and made (``Placer``)."""

    wl: Workloads
    free_gpus: FloatArray
    cloud_free: bytes
    wants: bytes
    exact: bool
    """Every free count is >= +0.0 (no NaN, no -0.0) and no workload is placed by latency."""
    steps: list[_Step]
    placement: Placement


def _exact(wl: Workloads, free: FloatArray) -> bool:
    """Whether ``place``'s reads are all windowed: no latency tiers, every count a plain >= 0."""
    return (
        wl.wan is None
        and free.size > 0
        and bool(free.min() >= 0)
        and not bool(np.signbit(free).any())
    )


def _greedy(
    wl: Workloads,
    free_gpus: FloatArray,
    cloud_free: FloatArray,
    train_want: FloatArray,
    inf_want: FloatArray,
    resume: tuple[_Trace, int] | None,
) -> tuple[Placement, list[_Step]]:
    """``place``, recording each workload's reads; ``resume`` = (trace, m) keeps its first m."""
    free = free_gpus.copy()
    rows: list[Row] = [EMPTY_ROW] * wl.n_train
    inf = np.zeros((wl.n_inf, free.shape[0]))
    trc = np.zeros((wl.n_train, cloud_free.shape[0]))
    infc = np.zeros((wl.n_inf, cloud_free.shape[0]))
    steps: list[_Step] = []
    # Racks before ``lo`` have nothing left for anyone (jobs take the first racks first, so
    # on a big factory that is most racks the earlier jobs took); kept only while every free
    # count is >= 0, as ``_take_first`` needs.
    lo = 0
    skip = free.size > 0 and free.min() >= 0
    order = wl.order
    if resume is not None:
        # The first m workloads read only racks that did not change: they take what they
        # took, and every free count is what it was when the m-th came (the same subtractions
        # in the same order; subtracting a 0 leaves a count >= +0.0 as it is).
        trace, m = resume
        old = trace.placement
        steps = trace.steps[:m]
        for s in steps:
            if s.kind == "t":
                rows[s.k], trc[s.k] = s.taken, old.train_cloud[s.k]
            else:
                inf[s.k], infc[s.k] = old.inf[s.k], old.inf_cloud[s.k]
        nxt = trace.steps[m] if m < len(trace.steps) else None
        if nxt is None:
            return _placement(rows, free.shape[0], inf, trc, infc), steps
        # Racks before the m-th's ``lo`` (none free) are never read again; past it only the
        # last racks the first m took from can have given anything.
        for s in steps:
            racks, gpus = s.taken
            cut = int(np.searchsorted(racks, nxt.lo))
            free[racks[cut:]] -= gpus[cut:]
        lo, cfree = nxt.lo, nxt.cfree.copy()
        order = order[order.index((nxt.kind, nxt.k)) :]
    else:
        cfree = cloud_free.copy()
    for kind, k in order:
        is_t = kind == "t"
        want = float(train_want[k] if is_t else inf_want[k])
        if want <= 0:
            continue
        lo_before, c_before = lo, cfree.copy()
        if is_t or wl.wan is None:
            mask = wl.train_rack_mask[k] if is_t else wl.inf_rack_mask[k]
            got, hi, reach = _take_first(free, mask, want, lo)
            free[lo:hi] -= got[lo:hi]  # no rack outside gave anything
        else:
            # Nearest racks first: racks before ``lo`` have nothing free, so they give 0 here too.
            got = take_nearest(free, wl.inf_rack_mask[k], wl.wan.rack_latency_ms[k], want)
            free -= got
            hi = reach = free.shape[0]
        if skip:
            lo = _first_free(free, lo)
        rest = want - float(got.sum())
        cgot = np.zeros_like(cfree)
        if rest > 0 and cfree.size:
            cmask = wl.train_cloud_mask[k] if is_t else wl.inf_cloud_mask[k]
            cgot = take_greedy(cfree, cmask, rest)
            cfree -= cgot
        # Racks before ``lo_before`` gave nothing (they had none free).
        racks = np.flatnonzero(got[lo_before:hi]) + lo_before
        taken = (racks, got[racks])
        if is_t:
            rows[k], trc[k] = taken, cgot
        else:
            inf[k], infc[k] = got, cgot
        # The next ``lo`` read the racks up to the first one with any free (itself included).
        reach = max(reach, min(lo + 1, free.shape[0]))
        steps.append(_Step(kind, k, lo_before, reach, c_before, taken))
    return _placement(rows, free.shape[0], inf, trc, infc), steps


def _placement(
    rows: list[Row], n_racks: int, inf: FloatArray, trc: FloatArray, infc: FloatArray
) -> Placement:
    return Placement(JobRacks.from_rows(rows, n_racks), inf=inf, train_cloud=trc, inf_cloud=infc)


class Placer:
    """``place`` that redoes only the workloads a change of free accelerators reaches.

    The greedy placement of a workload reads the free counts of the racks up to the furthest
    one it took from or scanned (its reach) and nothing past it. When only racks at or past
    every reach of the first m workloads changed (free counts, bit for bit; same workloads,
    wants and cloud), those m take exactly what they took before, and the placement resumes at
    the (m+1)-th with the free counts rebuilt from theirs: the same result as ``place``, bit
    for bit, at the cost of what the change reaches.
    """

    incremental = True
    """Resume from the first workload a change reaches (False: every call places all)."""

    def __init__(self) -> None:
        self._last: _Trace | None = None
        self.kept = 0
        """Workloads taken over from the last call (read by the tests)."""

    def place(
        self,
        wl: Workloads,
        free_gpus: FloatArray,
        cloud_free: FloatArray,
        train_want: FloatArray,
        inf_want: FloatArray,
    ) -> Placement:
        """``place(wl, free_gpus, cloud_free, train_want, inf_want)``."""
        wants = train_want.tobytes() + inf_want.tobytes()
        cloud = cloud_free.tobytes()
        last = self._last
        resume: tuple[_Trace, int] | None = None
        exact = False
        if (
            self.incremental
            and last is not None
            and last.exact
            and last.wl is wl
            and last.wants == wants
            and last.cloud_free == cloud
            and last.free_gpus.shape == free_gpus.shape
        ):
            moved = np.flatnonzero(free_gpus.view(np.uint64) != last.free_gpus.view(np.uint64))
            vals = free_gpus[moved]
            exact = bool((vals >= 0).all()) and not bool(np.signbit(vals).any())
            if exact:
                first = int(moved[0]) if moved.size else free_gpus.shape[0]
                m = next((i for i, s in enumerate(last.steps) if s.reach > first), len(last.steps))
                resume = (last, m)
                self.kept += m
        if resume is None:
            exact = self.incremental and _exact(wl, free_gpus)
        pl, steps = _greedy(wl, free_gpus, cloud_free, train_want, inf_want, resume)
        if exact:
            # A read-only array that owns its data is a handed-over value (``frozen``): kept as is.
            owned = free_gpus.flags.owndata and not free_gpus.flags.writeable
            kept = free_gpus if owned else free_gpus.copy()
            self._last = _Trace(wl, kept, cloud, wants, True, steps, pl)
        else:
            self._last = None
        return pl
