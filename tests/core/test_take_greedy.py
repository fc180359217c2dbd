"""Greedy placement looks only at the racks that can matter, and gives what a full scan gives.

``take_greedy`` and ``place`` stop at the first racks whose free accelerators fill a request and
skip the racks earlier jobs emptied (issue 13: a 380k-rack factory). The reference here is the
full-scan formula they replace; results must match bit for bit, including factories larger than
the first window, masks, fractional requests and a negative free count (full scan).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from aifactory_twin.sim.models.compute import take_greedy
from aifactory_twin.sim.models.placement import place


def _full_scan(free: np.ndarray, mask: np.ndarray, want: float) -> np.ndarray:
    if want <= 0:
        return np.zeros_like(free)
    avail = np.where(mask, free, 0.0)
    before = np.cumsum(avail) - avail
    return np.minimum(np.maximum(want - before, 0.0), avail)


def _free(rng: np.random.Generator, n: int) -> np.ndarray:
    free = rng.choice([0.0, 2.0, 4.0, 8.0], size=n) * (rng.random(n) < 0.9)
    if rng.random() < 0.2 and n:
        free[rng.integers(0, n)] = -1.0  # not a real count: the window must fall back
    return free


def test_take_greedy_equals_the_full_scan() -> None:
    rng = np.random.default_rng(7)
    for _ in range(300):
        n = int(rng.choice([0, 1, 50, 20_000, 120_000]))
        free = _free(rng, n)
        mask = rng.random(n) < rng.random()
        want = float(rng.choice([0.0, 1.0, 7.5, 100.0, 8192.0, 1e5, 1e7]) * rng.random())
        assert take_greedy(free, mask, want).tobytes() == _full_scan(free, mask, want).tobytes()


def _reference_place(wl: Any, free_gpus: np.ndarray, train_want: np.ndarray) -> list[Any]:
    free = free_gpus.copy()
    rows: list[Any] = [None] * wl.n_train
    for _, k in wl.order:
        got = _full_scan(free, wl.train_rack_mask[k], float(train_want[k]))
        free -= got
        racks = np.flatnonzero(got)
        rows[k] = (racks, got[racks])
    return rows


def test_place_skips_emptied_racks_and_equals_the_full_scan() -> None:
    rng = np.random.default_rng(8)
    for _ in range(40):
        n, jobs = int(rng.choice([10, 5_000, 70_000])), int(rng.integers(1, 12))
        wl = SimpleNamespace(
            n_train=jobs,
            n_inf=0,
            train_rack_mask=rng.random((jobs, n)) < rng.choice([0.5, 1.0]),
            train_cloud_mask=np.ones((jobs, 0), bool),
            inf_rack_mask=np.ones((0, n), bool),
            inf_cloud_mask=np.ones((0, 0), bool),
            order=tuple(("t", int(k)) for k in rng.permutation(jobs)),
            wan=None,  # no sites: services place first-first like jobs (issue 14's WAN)
        )
        free = _free(rng, n)
        want = rng.choice([4.0, 8.5, 800.0, 8192.0, 1e6], size=jobs)
        got = place(wl, free, np.zeros(0), want, np.zeros(0))  # type: ignore[arg-type]
        rows = _reference_place(wl, free, want)
        tr = got.train_racks
        for k, (racks, gpus) in enumerate(rows):
            part = slice(tr.start[k], tr.start[k + 1])
            assert tr.rack[part].tobytes() == racks.astype(np.int64).tobytes()
            assert tr.gpus[part].tobytes() == gpus.tobytes()
