"""Re-placement after a change redoes only the workloads the change reaches (issue 13).

``Placer`` keeps the first workloads of the last placement when every rack they read is
unchanged, and resumes the greedy from the first one a change reaches. The reference is
``place`` (and ``Placer`` with ``incremental`` off), compared bit for bit after failures and
repairs on racks before, inside and after a job's racks, with services, cloud burst, masks,
fractional wants and counts that disable the reuse (negative, -0.0, latency tiers).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from aifactory_twin.sim.models.compute import Placement
from aifactory_twin.sim.models.placement import Placer, place


def _arrays(pl: Placement) -> list[bytes]:
    jr = pl.train_racks
    return [
        a.tobytes()
        for a in (jr.job, jr.rack, jr.gpus, jr.start, pl.inf, pl.train_cloud, pl.inf_cloud)
    ]


def _workloads(rng: np.random.Generator, n: int, jobs: int, svcs: int, clouds: int) -> Any:
    order = [("t", k) for k in range(jobs)] + [("i", i) for i in range(svcs)]
    return SimpleNamespace(
        n_train=jobs,
        n_inf=svcs,
        train_rack_mask=rng.random((jobs, n)) < rng.choice([0.6, 1.0]),
        train_cloud_mask=rng.random((jobs, clouds)) < 0.7,
        inf_rack_mask=rng.random((svcs, n)) < 0.8,
        inf_cloud_mask=np.ones((svcs, clouds), bool),
        order=tuple(order[p] for p in rng.permutation(len(order))),
        wan=None,
    )


def _job_racks(pl: Placement, k: int) -> np.ndarray:
    jr = pl.train_racks
    return jr.rack[jr.start[k] : jr.start[k + 1]]


@pytest.mark.parametrize("n", [40, 3_000, 40_000])
def test_reuse_equals_the_full_placement_bit_for_bit(n: int) -> None:
    rng = np.random.default_rng(n)
    for _ in range(6):
        jobs, svcs, clouds = int(rng.integers(1, 8)), int(rng.integers(0, 3)), 3
        wl = _workloads(rng, n, jobs, svcs, clouds)
        free = rng.choice([0.0, 4.0, 8.0], size=n) * (rng.random(n) < 0.95)
        # Fractional wants, and in total about the whole site: later jobs reach far.
        share = free.sum() / (jobs + svcs) * rng.uniform(0.3, 1.3)
        train_want = np.round(rng.uniform(0.2, 1.0, jobs) * share, 1)
        inf_want = np.round(rng.uniform(0.2, 1.0, svcs) * share, 1)
        cloud = np.array([16.0, 0.0, 1e3])
        fast, full = Placer(), Placer()
        full.incremental = False
        for _ in range(25):
            pl = fast.place(wl, free, cloud, train_want, inf_want)
            ref = place(wl, free, cloud, train_want, inf_want)
            assert _arrays(pl) == _arrays(ref)
            assert _arrays(full.place(wl, free, cloud, train_want, inf_want)) == _arrays(ref)
            # Next: a failure or repair before, inside or after a job's racks.
            free = free.copy()
            k = int(rng.integers(0, jobs))
            held = _job_racks(ref, k)
            where = rng.integers(0, 3)
            if where == 1 and held.size:
                r = int(rng.choice(held))
            elif where == 0 and held.size:
                r = int(rng.integers(0, held[0] + 1))
            else:
                r = int(rng.integers(held[-1] if held.size else 0, n))
            free[r] = float(rng.choice([0.0, 4.0, 8.0]))
        assert full.kept == 0


def test_reuse_really_keeps_workloads_and_stops_on_odd_counts() -> None:
    rng = np.random.default_rng(3)
    n = 100_000
    wl = _workloads(rng, n, 6, 0, 0)
    wl.train_rack_mask[:] = True
    free = np.full(n, 8.0)
    want = np.full(6, 8.0 * 1_000)  # each job holds 1,000 racks, in order
    placer = Placer()
    placer.place(wl, free, np.zeros(0), want, np.zeros(0))
    free = free.copy()
    free[n - 1] = 0.0  # past every job: all six kept
    assert _arrays(placer.place(wl, free, np.zeros(0), want, np.zeros(0))) == _arrays(
        place(wl, free, np.zeros(0), want, np.zeros(0))
    )
    assert placer.kept == 6
    free = free.copy()
    free[3_500] = 4.0  # inside the 4th placed job: the first three kept
    assert _arrays(placer.place(wl, free, np.zeros(0), want, np.zeros(0))) == _arrays(
        place(wl, free, np.zeros(0), want, np.zeros(0))
    )
    assert placer.kept == 6 + 3
    for odd in (-1.0, -0.0, np.nan):
        bad = free.copy()
        bad[n - 1] = odd  # not a plain count: the whole placement is redone
        assert _arrays(placer.place(wl, bad, np.zeros(0), want, np.zeros(0))) == _arrays(
            place(wl, bad, np.zeros(0), want, np.zeros(0))
        )
        assert placer.kept == 9
        placer.place(wl, free, np.zeros(0), want, np.zeros(0))  # a clean base again


def test_a_repair_in_the_empty_racks_after_a_job_moves_the_next_one() -> None:
    # The first job fills racks 0-999; the scan for the next free rack reads the empty racks
    # after it, so a repair there reaches the first job's step (the next job starts there).
    rng = np.random.default_rng(4)
    n = 50_000
    wl = _workloads(rng, n, 3, 0, 0)
    wl.train_rack_mask[:] = True
    wl.order = (("t", 0), ("t", 1), ("t", 2))
    free = np.full(n, 8.0)
    free[1_000:1_010] = 0.0
    want = np.full(3, 8.0 * 1_000)
    placer = Placer()
    placer.place(wl, free, np.zeros(0), want, np.zeros(0))
    free = free.copy()
    free[1_005] = 8.0
    got = placer.place(wl, free, np.zeros(0), want, np.zeros(0))
    assert _arrays(got) == _arrays(place(wl, free, np.zeros(0), want, np.zeros(0)))
    assert int(_job_racks(got, 1)[0]) == 1_005
    assert placer.kept == 0
