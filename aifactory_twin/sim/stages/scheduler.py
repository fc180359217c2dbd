"""Scheduler of the work stage: the job queue, gang starts, EASY backfill, requeue, start gate.

Policies (``settings.scheduler_policy``):

* ``elastic`` (default; files from before the scheduler): every submitted job gets what is free
  now, by priority, and shrinks when short (``models/compute.place``). There is no reservation;
  a job counts as queued until it first gets an accelerator.
* ``fcfs`` / ``priority`` / ``sjf``: a queue ordered by submit time, by ``priority`` (higher
  first, then submit time) or by the estimated run time at the requested size (shortest first).
  A job starts only when its gang minimum (``min_accelerators``, default all requested) can be
  placed at once; it then takes up to its request. With ``backfill = "easy"`` the head job that
  cannot start gets a reservation (the time enough accelerators free up from the running jobs'
  estimated ends, and the accelerators left over then); a later job may start now only if it
  fits now and either ends by that time or uses only the left-over accelerators (Mu'alem &
  Feitelson, IEEE TPDS 12(6) 2001). Run times are estimated at nominal speed (peak × MFU),
  which is optimistic like users' own estimates, so a backfilled job can overrun.
* Running jobs keep their accelerators (the same racks where still free, ``place_keeping``)
  ahead of the queue, placed with inference in priority order. A running job left below its
  gang minimum (a failure, or a higher-priority inference peak taking its accelerators:
  preemption) goes back to the queue at its original submit
  position and pays its ``restart_s`` again when it restarts; ``elastic`` jobs shrink instead.
* Placement is topology-aware: a starting job takes the racks under one leaf switch that fit it
  with the least room to spare (best fit), so the fabric model sees a one-leaf span; if no leaf
  fits it, the first racks in node order.

**Job-start gate** (the ONE place that holds a job back before it starts, whatever the policy):
``start_ready`` is a boolean per training job, the AND of every named gate set with
``set_gate(name, ready)`` (e.g. dataset readiness). A job whose gate is closed is not placed
and stays queued; a closing gate never stops a job that has started. Decisions are cached and
remade when capacity, submissions, completions or a gate change (``version``).
"""

from __future__ import annotations

import numpy as np

from aifactory_twin.sim.compiled import CompiledScenario
from aifactory_twin.sim.models.compute import IntArray, Placement, Workloads, take_greedy
from aifactory_twin.sim.models.segments import EMPTY_ROW, JobRacks, Row, row_of
from aifactory_twin.sim.models.sequential import Stretch
from aifactory_twin.sim.stages.handoff import BoolArray, FloatArray, LogFn, frozen
from aifactory_twin.sim.stages.submits import SubmitTimes

QUEUE_POLICIES = ("fcfs", "priority", "sjf")


def take_topology(
    free: FloatArray, mask: BoolArray, want: float, rack_leaf: IntArray, need: float
) -> FloatArray:
    """Up to ``want`` accelerators, all under one leaf when one leaf holds at least ``need``.

    Best fit: the leaf with the least free accelerators that still holds ``need``; else the
    first racks in node order (``take_greedy``).
    """
    avail = np.where(mask & (rack_leaf >= 0), free, 0.0)
    if avail.any():
        per_leaf = np.bincount(np.maximum(rack_leaf, 0), weights=avail)
        fits = np.flatnonzero(per_leaf >= need - 1e-9)
        if fits.size:
            leaf = fits[np.argmin(per_leaf[fits])]
            return take_greedy(free, mask & (rack_leaf == leaf), want)
    return take_greedy(free, mask, want)


def place_keeping(
    wl: Workloads,
    free: FloatArray,
    cloud_free: FloatArray,
    train_want: FloatArray,
    inf_want: FloatArray,
    prev: Placement | None,
    rack_leaf: IntArray,
) -> Placement:
    """Priority-order placement in which running jobs keep the racks they hold where still free.

    A job that keeps its racks is handled on its own entries only (the racks it holds), so a
    re-placement costs the racks held plus the racks scanned for jobs that start or top up. A
    job short of its request tops up under one leaf if it can (``take_topology``); inference
    takes the first free racks as in ``models/compute.place``. Then the cloud covers shortfalls.
    """
    n_r = free.size
    same = _kept_as_before(prev, wl, (train_want, inf_want), free, cloud_free.size)
    if same is not None:
        return same
    left = free.copy()
    cleft = cloud_free.copy()
    rows: list[Row] = [EMPTY_ROW] * wl.n_train
    inf = np.zeros((wl.n_inf, n_r))
    train_cloud = np.zeros((wl.n_train, cloud_free.size))
    inf_cloud = np.zeros((wl.n_inf, cloud_free.size))
    keep = prev is not None and prev.train_racks.n_jobs == wl.n_train
    for kind, k in wl.order:
        is_t = kind == "t"
        want = float(train_want[k] if is_t else inf_want[k])
        if want <= 0:
            continue
        mask = wl.train_rack_mask[k] if is_t else wl.inf_rack_mask[k]
        if is_t and keep:
            assert prev is not None
            racks, was = prev.train_racks.row(k)
            got_e = np.minimum(np.where(mask[racks], was, 0.0), left[racks])
            held = float(got_e.sum())
            if held > want:
                got_e = take_greedy(got_e, mask[racks], want)
            if held < want:
                got = np.zeros(n_r)
                got[racks] = got_e
                got = got + take_topology(left - got, mask, want - held, rack_leaf, want - held)
                left -= got
                row = row_of(got)
            else:
                left[racks] -= got_e
                held_e = got_e > 0
                row = (racks[held_e], got_e[held_e])
            got_sum = float(row[1].sum())
        elif is_t:
            got = take_topology(left, mask, want, rack_leaf, want)
            left -= got
            row = row_of(got)
            got_sum = float(row[1].sum())
        else:
            got = take_greedy(left, mask, want)
            left -= got
            got_sum = float(got.sum())
        rest = want - got_sum
        cgot = np.zeros_like(cleft)
        if rest > 1e-9 and cleft.size:
            cmask = wl.train_cloud_mask[k] if is_t else wl.inf_cloud_mask[k]
            cgot = take_greedy(cleft, cmask, rest)
            cleft -= cgot
        if is_t:
            rows[k], train_cloud[k] = row, cgot
        else:
            inf[k], inf_cloud[k] = got, cgot
    return Placement(JobRacks.from_rows(rows, n_r), inf, train_cloud, inf_cloud)


def _kept_as_before(
    prev: Placement | None, wl: Workloads, want: tuple[FloatArray, FloatArray], free: FloatArray,
    n_cloud: int,
) -> Placement | None:  # fmt: skip
    """The placement when every running job keeps exactly the racks it held, else None.

    ``place_keeping``'s pass hands each job its own entries back unchanged when nothing can
    take them: no inference wants accelerators (it is placed between the jobs by priority), each
    job that wants accelerators held its whole request on racks its mask allows, and every rack
    still has room for all the accelerators held on it. This checks that over the entries at
    once (the usual case when a job arrives or ends), so a pass costs the entries, not a
    Python step per job.
    """
    train_want, inf_want = want
    if prev is None or prev.train_racks.n_jobs != wl.n_train or (inf_want > 0).any():
        return None
    wants = train_want > 0
    kept = prev.train_racks.only_jobs(wants)
    if not np.array_equal(kept.per_job_sum(kept.gpus), train_want):
        return None
    if not wl.train_rack_mask[kept.job, kept.rack].all():
        return None
    if (kept.per_rack_sum(kept.gpus) > free).any():
        return None
    n_r = free.size
    zeros = np.zeros
    return Placement(
        kept, zeros((wl.n_inf, n_r)), zeros((wl.n_train, n_cloud)), zeros((wl.n_inf, n_cloud)),
    )  # fmt: skip


class Scheduler:
    """Queue state of the training jobs and the start decisions."""

    def __init__(self, c: CompiledScenario, submits: SubmitTimes) -> None:
        n_j = c.workloads.n_train
        self.submits = submits
        """Submit times (shared with the jobs; ``submits.py``): the queue's order."""
        self._ranked = -1
        self.gates: dict[str, BoolArray] = {}
        self.start_ready: BoolArray = frozen(np.ones(n_j, dtype=bool))
        self.version = 0
        """Bumped when ``start_ready`` changes."""
        self.running = np.zeros(n_j, dtype=bool)
        self.first_start_s = np.full(n_j, np.nan)
        self.requeues = np.zeros(n_j, dtype=np.int64)
        self.queue_length = 0
        self.decisions = 0
        """Scheduling passes made (for the µs-per-event benchmark)."""
        self.gpu_s = np.zeros(n_j)
        """Accelerator-seconds each job has held (per-team share of the factory)."""
        self._held: tuple[int, FloatArray] = (-1, np.zeros(n_j))
        self.swap(c)

    def swap(self, c: CompiledScenario) -> None:
        """Take the parameters of ``c`` (same workloads)."""
        self.c = c
        wl = c.workloads
        st = c.scenario.settings
        self.policy = st.scheduler_policy
        self.any_rack: BoolArray = np.all(wl.train_rack_mask, axis=1)
        self.any_cloud: BoolArray = np.any(wl.train_cloud_mask, axis=1)
        self.backfill = st.backfill == "easy"
        peak = np.where(
            wl.fp8[:, None], c.racks.peak_fp8_tflops[None, :], c.racks.peak_bf16_tflops[None, :]
        )
        best = np.max(np.where(wl.train_rack_mask, peak, 0.0), axis=1, initial=0.0)
        cloud = np.where(wl.fp8[:, None], c.cloud.peak_fp8_tflops, c.cloud.peak_bf16_tflops)
        cloud_best = np.max(np.where(wl.train_cloud_mask, cloud, 0.0), axis=1, initial=0.0)
        # Nominal FLOP/s per accelerator: what users' run-time estimates assume.
        self.nominal_flops_per_gpu = np.maximum(np.maximum(best, cloud_best), 1e-3) * 1e12 * wl.mfu
        self.estimate_s = wl.flops_total / (wl.gpus_req * self.nominal_flops_per_gpu)
        self._rank_jobs()

    def _rank_jobs(self) -> None:
        """Queue position of every job by the policy's keys (after submit times change)."""
        wl = self.c.workloads
        submit = self.submits.s
        keys: dict[str, tuple[FloatArray, ...]] = {
            "fcfs": (submit,),
            "priority": (-wl.priority, submit),
            "sjf": (self.estimate_s, submit),
        }
        # np.lexsort sorts by the last key first; the job index breaks remaining ties.
        k = keys.get(self.policy, (submit,))
        self.rank = np.empty(wl.n_train, dtype=np.int64)
        self.rank[np.lexsort((np.arange(wl.n_train), *reversed(k)))] = np.arange(wl.n_train)
        self._ranked = self.submits.version

    @property
    def queued(self) -> bool:
        """Whether a queue policy (not ``elastic``) decides the starts."""
        return self.policy in QUEUE_POLICIES

    def set_gate(self, name: str, ready: BoolArray) -> None:
        """Set one named start condition per training job; ``start_ready`` is the AND of all."""
        ready = np.asarray(ready, dtype=bool)
        known = self.gates.get(name)
        if known is not None and known.tobytes() == ready.tobytes():
            return  # set every step, changes rarely: nothing to recombine
        self.gates[name] = ready.copy()
        combined = np.ones(self.c.workloads.n_train, dtype=bool)
        for gate in self.gates.values():
            combined &= gate
        if not np.array_equal(combined, self.start_ready):
            self.start_ready = frozen(combined)
            self.version += 1

    def gated_wants(self, train_want: FloatArray) -> FloatArray:
        """Elastic policy: wants of jobs not started yet held back by a closed gate."""
        hold = ~self.start_ready & np.isnan(self.first_start_s)
        return np.where(hold, 0.0, train_want) if hold.any() else train_want

    def note_starts(self, t: float, pl: Placement, submitted: BoolArray, done: BoolArray) -> None:
        """Elastic policy: first start times and the queue (submitted, never placed yet)."""
        jr = pl.train_racks
        got = jr.per_job_sum(jr.gpus) + pl.train_cloud.sum(axis=1) > 0
        new = got & np.isnan(self.first_start_s)
        self.first_start_s[new] = t
        self.running = got
        self.queue_length = int((submitted & ~done & np.isnan(self.first_start_s)).sum())

    def schedule(
        self,
        t: float,
        submitted: BoolArray,
        done: BoolArray,
        free: FloatArray,
        cloud_free: FloatArray,
        inf_want: FloatArray,
        progress_flops: FloatArray,
        rate_flops: FloatArray,
        restart_left_s: FloatArray,
        prev: Placement | None,
        log: LogFn,
    ) -> Placement:
        """Queue policies: keep the running jobs, requeue the short ones, start from the queue."""
        c = self.c
        wl = c.workloads
        self.decisions += 1
        if self._ranked != self.submits.version:
            self._rank_jobs()
        live = submitted & ~done
        running = self.running & live
        fab = c.network.fabric
        while True:
            want = np.where(running, wl.gpus_req, 0.0)
            pl = place_keeping(wl, free, cloud_free, want, inf_want, prev, fab.rack_leaf)
            jr = pl.train_racks
            got = jr.per_job_sum(jr.gpus) + pl.train_cloud.sum(axis=1)
            short = running & ~wl.elastic & (got < wl.min_gpus - 1e-9)
            if not short.any():
                break
            for j in np.flatnonzero(short):
                running[j] = False
                self.requeues[j] += 1
                log(t, "job_requeued", wl.train_ids[j], f"{got[j]:.0f} accelerators left, "
                    f"needs {wl.min_gpus[j]:.0f}: back in the queue")  # fmt: skip
        left = free - jr.per_rack_sum(jr.gpus) - pl.inf.sum(axis=0)
        cleft = cloud_free - pl.train_cloud.sum(axis=0) - pl.inf_cloud.sum(axis=0)
        starts: dict[int, Row] = {}
        # Accelerators left anywhere on site, for the jobs that may use any rack (whole
        # accelerator counts: the running total is exact).
        left_total = float(left.sum())
        waiting = np.flatnonzero(live & ~running & self.start_ready)
        order = waiting[np.argsort(self.rank[waiting], kind="stable")]
        shadow_s: float | None = None
        extra = 0.0
        for j in order:
            mask, cmask = wl.train_rack_mask[j], wl.train_cloud_mask[j]
            site = left_total if self.any_rack[j] else float(left[mask].sum())
            avail = site + float(cleft[cmask].sum()) if self.any_cloud[j] else site
            need = float(wl.min_gpus[j])
            fits = avail >= need - 1e-9
            take = min(float(wl.gpus_req[j]), avail)
            if shadow_s is None:
                if not fits:
                    if not self.backfill:
                        break
                    if starts:  # the jobs started so far in this pass hold racks too
                        jr = jr.with_rows(starts)
                        pl = Placement(jr, pl.inf, pl.train_cloud, pl.inf_cloud)
                        starts = {}
                    shadow_s, extra = self._reservation(
                        t, j, avail, pl, running, progress_flops, rate_flops
                    )
                    continue
            else:
                if not fits:
                    continue
                ends_by = t + self._remaining_s(j, take, progress_flops) <= shadow_s
                if not ends_by and take > extra + 1e-9:
                    continue
                if not ends_by:
                    extra -= take
            got_r = take_topology(left, mask, take, fab.rack_leaf, take)
            left = left - got_r
            left_total -= float(got_r.sum())
            got_c = take_greedy(cleft, cmask, take - float(got_r.sum()))
            cleft = cleft - got_c
            starts[int(j)] = row_of(got_r)
            pl.train_cloud[j] = got_c
            running[j] = True
            if np.isnan(self.first_start_s[j]):
                self.first_start_s[j] = t
            elif self.requeues[j] > 0:
                restart_left_s[j] = wl.restart_s[j]
        self.running = running
        self.queue_length = int((live & ~running).sum())
        if starts:
            pl = Placement(jr.with_rows(starts), pl.inf, pl.train_cloud, pl.inf_cloud)
        return pl

    def account(self, dt: float, pl: Placement, version: int) -> None:
        """Add this step's accelerators held per job (summed again only when placement moves)."""
        if self._held[0] != version:
            jr = pl.train_racks
            self._held = (version, jr.per_job_sum(jr.gpus) + pl.train_cloud.sum(axis=1))
        self.gpu_s += self._held[1] * dt

    def repeat(self, stretch: Stretch, dt: float) -> None:
        """Account the last step's accelerators held again over a quiet stretch."""
        stretch.arrays([self.gpu_s], [self._held[1] * dt])

    def _remaining_s(self, j: int, gpus: float, progress_flops: FloatArray) -> float:
        wl = self.c.workloads
        left = max(float(wl.flops_total[j] - progress_flops[j]), 0.0)
        return left / max(gpus * float(self.nominal_flops_per_gpu[j]), 1e-9)

    def _reservation(
        self,
        t: float,
        head: int,
        avail: float,
        pl: Placement,
        running: BoolArray,
        progress_flops: FloatArray,
        rate_flops: FloatArray,
    ) -> tuple[float, float]:
        """(time the head job can start, accelerators spare then) from the running jobs' ends."""
        wl = self.c.workloads
        need = float(wl.min_gpus[head])
        mask, cmask = wl.train_rack_mask[head], wl.train_cloud_mask[head]
        run = np.flatnonzero(running)
        if run.size == 0:
            return float("inf"), 0.0
        jr = pl.train_racks
        held_site = jr.per_job_sum(jr.gpus * mask[jr.rack])[run]
        held = held_site + pl.train_cloud[run][:, cmask].sum(axis=1)
        gpus = jr.per_job_sum(jr.gpus)[run] + pl.train_cloud[run].sum(axis=1)
        left = np.maximum(wl.flops_total[run] - progress_flops[run], 0.0)
        rate = np.where(
            rate_flops[run] > 0, rate_flops[run], gpus * self.nominal_flops_per_gpu[run]
        )
        ends = t + left / np.maximum(rate, 1e-9)
        by_end = np.argsort(ends, kind="stable")
        freed = avail + np.cumsum(held[by_end])
        k = int(np.searchsorted(freed, need - 1e-9))
        if k >= by_end.size:
            return float("inf"), 0.0
        return float(ends[by_end[k]]), float(freed[k] - need)
