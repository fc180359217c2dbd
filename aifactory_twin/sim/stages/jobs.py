"""Job state of a run (part of the work stage): training progress, checkpoints, inference.

Interruptions roll a job back to its checkpoint; inference counts the tokens served.

The formulas are in ``models/compute.py``, ``models/network.py`` and ``models/data.py``; this
module keeps the per-job state between steps (progress, last checkpoint, restart countdown).
``wants`` hands out read-only arrays; ``completed`` and the progress arrays are this module's
own (read by the KPIs and, by value, by the rack-power cache).
"""

from __future__ import annotations

import bisect
import math

import numpy as np
import numpy.typing as npt

from aifactory_twin.sim.compiled import CompiledScenario
from aifactory_twin.sim.models import data as dat
from aifactory_twin.sim.models import network as net
from aifactory_twin.sim.models.compute import (
    INFERENCE_FLOPS_PER_TOKEN_PER_PARAM,
    Placement,
    inference_demand_tps,
)
from aifactory_twin.sim.models.sequential import Stretch, checkpoints, repeated_sums
from aifactory_twin.sim.models.wan import WanServed, WanShare, wan_serve, wan_share
from aifactory_twin.sim.stages.handoff import BoolArray, FloatArray, LogFn, frozen, read_only
from aifactory_twin.sim.stages.submits import SubmitTimes

MAX_QUIET_CHECKPOINTS = 64
"""Checkpoint segments one quiet stretch replays at most (the stretch ends there)."""
QuietJobs = tuple[
    FloatArray,
    FloatArray,
    FloatArray,
    list[tuple[int, BoolArray, FloatArray]],
    tuple[BoolArray, FloatArray] | None,
]
"""Per step of a quiet stretch: progress, time since checkpoint; the nominal FLOPs per step;
the checkpoints (step, jobs, FLOPs kept); the jobs restarting and their restart left per step."""


class Jobs:
    """Per-job state and the per-step progress update."""

    def __init__(self, c: CompiledScenario, submits: SubmitTimes) -> None:
        self.submits = submits
        """Submit times (shared with the scheduler; ``submits.py``)."""
        wl = c.workloads
        n_j = wl.n_train
        self.progress_flops = np.zeros(n_j)
        self.ckpt_flops = np.zeros(n_j)
        self.since_ckpt_s = np.zeros(n_j)
        self.restart_left_s = np.zeros(n_j)
        self.interruptions = np.zeros(n_j, dtype=np.int64)
        self._completed = np.zeros(n_j, dtype=bool)
        self.completed = read_only(self._completed)
        self.finish_s = np.full(n_j, np.nan)
        self.potential_flops = np.zeros(n_j)
        self.rate_flops = np.zeros(n_j)
        self._finished: list[int] = []
        self._done_jobs: list[int] = []
        self._quiet: QuietJobs | None = None
        self._key: tuple[int, ...] = ()
        self._cached: tuple[FloatArray, FloatArray, FloatArray] = (
            np.zeros(n_j),
            np.zeros(n_j),
            np.ones(n_j),
        )
        self.swap(c)

    def swap(self, c: CompiledScenario) -> None:
        """Take new parameter vectors (same workloads)."""
        self.c = c
        wl = c.workloads
        n_c = c.cloud.node.shape[0]
        self.cloud_peak_jc = np.where(
            wl.fp8[:, None], c.cloud.peak_fp8_tflops[None, :], c.cloud.peak_bf16_tflops[None, :]
        ).reshape(wl.n_train, n_c)
        self._key = ()
        self._live_key: tuple[object, ...] = ()
        self._live: tuple[FloatArray, FloatArray] = (np.zeros(0), np.zeros(0))
        self._finish_open = np.zeros(0)
        """The work at which each job not done finishes (NaN: done), per ``_live_key``."""
        self._finish_flops = wl.flops_total * (1 - 1e-12)
        self.all_active = frozen(np.ones(wl.n_train))
        self._inf_starts = sorted(wl.inf_start_s.tolist())
        self._wants_key: tuple[int, ...] = ()
        self._wants: tuple[FloatArray, FloatArray, FloatArray] = (np.zeros(0),) * 3
        self._full_dt: tuple[float, FloatArray] = (math.nan, np.zeros(0))
        self._inf_cap: tuple[Placement, FloatArray, FloatArray, WanShare | None] | None = None
        self.egress_usd_per_s = 0.0
        """WAN egress of the responses served from another site than their users' (this step)."""
        self._wan_saturated = np.zeros(0 if wl.wan is None else wl.wan.link_tps.shape[0], bool)
        self.wan_asked_tps = np.zeros(self._wan_saturated.shape[0])
        """Per WAN link: tokens/s the last step's flows asked of it (the live canvas shows it)."""
        self._flops_per_token = wl.inf_params_b * 1e9 * INFERENCE_FLOPS_PER_TOKEN_PER_PARAM
        # Per-GPU failure rate of each rack, for the Young/Daly MTBF of the jobs on it.
        self.rack_lambda_gpu_h = c.nodes.fail_rate_per_unit_h[c.racks.node] / c.racks.gpus_per_unit

    def wants(self, t: float, hour: int) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(training accelerators wanted, inference accelerators wanted, tokens/s demanded).

        Cached: the answer only changes with the hour, a job or service starting, or a job
        completing.
        """
        wl = self.c.workloads
        key = (
            hour if wl.n_inf else -1,  # the hour moves only the inference demand
            self.submits.count(t),
            bisect.bisect_right(self._inf_starts, t),
            len(self._done_jobs),
        )
        if key != self._wants_key:
            active = (self.submits.s <= t) & ~self.completed
            train_want = np.where(active, wl.gpus_req, 0.0)
            demand = inference_demand_tps(wl, hour, t)
            inf_want = np.ceil(demand / wl.inf_tps_per_gpu)
            self._wants = (frozen(train_want), frozen(inf_want), frozen(demand))
            self._wants_key = key
        return self._wants

    def take_finished(self) -> list[int]:
        """Jobs that finished since the last call (the list is emptied)."""
        out, self._finished = self._finished, []
        return out

    def interrupt(
        self, t: float, hit_racks: npt.NDArray[np.bool_], pl: Placement, log: LogFn
    ) -> None:
        """Jobs on racks that lost units roll back to their last checkpoint and restart."""
        if not hit_racks.any() or pl.train_racks.n_jobs == 0:
            return
        wl = self.c.workloads
        jr = pl.train_racks
        hit = (jr.per_job_sum(hit_racks[jr.rack].astype(np.float64)) > 0) & ~self.completed
        for j in np.flatnonzero(hit):
            lost = self.progress_flops[j] - self.ckpt_flops[j]
            self.progress_flops[j] = self.ckpt_flops[j]
            self.since_ckpt_s[j] = 0.0
            self.restart_left_s[j] = wl.restart_s[j]
            self.interruptions[j] += 1
            log(t, "job_interrupted", wl.train_ids[j], f"lost {lost:.3g} FLOP since checkpoint")

    def _factors(
        self,
        pl: Placement,
        rack_slow: FloatArray,
        rack_bw_gbps: FloatArray,
        rack_bw_local_gbps: FloatArray,
        rack_storage_gbs_per_gpu: FloatArray,
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(effective FLOP/s, nominal FLOP/s, checkpoint interval s) per job for this placement.

        Per-job quantities are reductions over the racks each job holds (``pl.train_racks()``),
        so the cost grows with the racks held, not with jobs × racks.
        """
        c = self.c
        wl = c.workloads
        jr = pl.train_racks
        rack, held = jr.rack, jr.gpus
        gpus = jr.per_job_sum(held) + pl.train_cloud.sum(axis=1)
        # Peak per entry: the job's precision on the entry's rack (as ``peak_jr``).
        peak = np.where(
            wl.fp8[jr.job], c.racks.peak_fp8_tflops[rack], c.racks.peak_bf16_tflops[rack]
        )
        cloud = np.einsum("jc,jc->j", pl.train_cloud, self.cloud_peak_jc)
        raw = (jr.per_job_sum(held * (peak * rack_slow[rack])) + cloud) * 1e12 * wl.mfu
        nominal = (jr.per_job_sum(held * peak) + cloud) * 1e12 * wl.mfu
        # A job whose racks all hang off one leaf switch node never crosses the upper tiers.
        fab = c.network.fabric
        leaf = fab.rack_leaf[rack].astype(np.float64)
        leaf_hi = jr.per_job_max(leaf, -1.0)
        one_leaf = (jr.per_job_min(leaf, np.inf) == leaf_hi) & (leaf_hi >= 0)

        def job_bw(cross: FloatArray, local: FloatArray) -> FloatArray:
            bw = np.where(
                one_leaf, jr.per_job_min(local[rack], np.inf), jr.per_job_min(cross[rack], np.inf)
            )
            return np.where(np.isfinite(bw), bw, net.FALLBACK_GBPS_PER_GPU)

        bw = job_bw(rack_bw_gbps, rack_bw_local_gbps)
        alpha = np.where(
            one_leaf,
            jr.per_job_max(fab.rack_alpha_local_us[rack], 0.0),
            jr.per_job_max(fab.rack_alpha_us[rack], 0.0),
        )
        domain = jr.per_job_min(c.racks.scale_up_domain[rack], np.inf)
        domain = np.where(np.isfinite(domain), domain, 8.0)
        hbm = jr.per_job_min(c.racks.hbm_gb[rack], np.inf)
        hbm = np.where(np.isfinite(hbm), hbm, 80.0)
        eff = net.scaling_efficiency(gpus, domain, wl.params_b, hbm, bw, alpha, raw)
        if c.perf.predicted.any():
            # A predicted job's MFU already prices the fabric as drawn: only what the fabric
            # has lost since (units down, sharing) slows it further.
            bw_nom = job_bw(c.perf.rack_bw_gbps, c.perf.rack_bw_local_gbps)
            eff_nom = net.scaling_efficiency(gpus, domain, wl.params_b, hbm, bw_nom, alpha, raw)
            ratio = np.minimum(eff / np.maximum(eff_nom, 1e-12), 1.0)
            eff = np.where(c.perf.predicted, ratio, eff)
        shared = jr.per_job_sum(held * rack_storage_gbs_per_gpu[rack])
        store = np.where(shared > 0, shared, gpus * dat.LOCAL_NVME_GBS_PER_GPU)
        lam_sum = jr.per_job_sum(held * self.rack_lambda_gpu_h[rack])
        lam = np.where(gpus > 0, lam_sum / np.maximum(gpus, 1.0), 0.0)
        delta, tau = dat.checkpoint_overhead(
            wl.params_b, wl.bytes_per_param, store, gpus, lam, wl.ckpt_interval_s, wl.ckpt_fixed
        )
        tokens = raw * eff / (6.0 * wl.params_b * 1e9)
        feed = dat.data_feed_factor(tokens, shared)
        rate = raw * eff * feed * np.minimum(np.maximum(1.0 - delta / tau, 0.0), 1.0)
        return rate, nominal, tau

    def advance(
        self,
        t: float,
        dt: float,
        pl: Placement,
        rack_slow: FloatArray,
        rack_bw_gbps: FloatArray,
        rack_bw_local_gbps: FloatArray,
        rack_storage_gbs_per_gpu: FloatArray,
        inf_demand_tps: FloatArray,
        log: LogFn,
        key: tuple[int, ...] = (),
        inf_slow: FloatArray | None = None,
    ) -> tuple[float, float, float]:
        """Progress all work one step.

        ``key`` identifies the placement, thermal status and supply versions: the per-job
        factors are recomputed only when it changes. ``inf_slow``: the racks' pace for
        inference when it differs from ``rack_slow`` (a power cap slows training only).
        Returns (delivered FLOP/s, inference tokens/s, inference FLOP/s).
        """
        c = self.c
        wl = c.workloads
        delivered = 0.0
        if wl.n_train:
            if not key or key != self._key:
                self._cached = self._factors(
                    pl, rack_slow, rack_bw_gbps, rack_bw_local_gbps, rack_storage_gbs_per_gpu
                )
                self._key = key
            live_key = (self._key, len(self._done_jobs), dt)
            if live_key != self._live_key:
                # Rates of the jobs still running, and their nominal work per step.
                rate_all, nominal, _tau = self._cached
                self._live = (
                    np.where(self.completed, 0.0, rate_all),
                    np.where(self.completed, 0.0, nominal * dt),
                )
                # NaN for the jobs done: ``progress >= finish`` is then False there, as
                # ``~completed & (progress >= finish)`` is.
                self._finish_open = np.where(self.completed, np.nan, self._finish_flops)
                self._live_key = live_key
            rate, nominal_dt = self._live
            tau = self._cached[2]
            if self.restart_left_s.any():
                active = np.minimum(np.maximum(dt - self.restart_left_s, 0.0), dt)
                self.restart_left_s = np.maximum(self.restart_left_s - dt, 0.0)
            else:
                # Read-only below, so one array per step length serves every step.
                if self._full_dt[0] != dt:
                    self._full_dt = (dt, frozen(np.full(wl.n_train, dt)))
                active = self._full_dt[1]
            self.potential_flops += nominal_dt
            remaining = wl.flops_total - self.progress_flops
            step_flops = np.minimum(rate * active, np.maximum(remaining, 0.0))
            self.progress_flops += step_flops
            self.since_ckpt_s += active
            over = self.since_ckpt_s >= tau
            if over.any():
                rem = np.mod(self.since_ckpt_s, tau)
                self.ckpt_flops = np.where(over, self.progress_flops - rate * rem, self.ckpt_flops)
                self.since_ckpt_s = np.where(over, rem, self.since_ckpt_s)
            self.rate_flops = rate
            delivered = float(step_flops.sum()) / dt
            done = self.progress_flops >= self._finish_open
            if done.any():
                for j in np.flatnonzero(done):
                    used_s = step_flops[j] / rate[j] if rate[j] > 0 else active[j]
                    self.finish_s[j] = t + (dt - active[j]) + used_s
                    self._completed[j] = True
                    self.ckpt_flops[j] = self.progress_flops[j]
                    self._finished.append(int(j))
                    self._done_jobs.append(int(j))
                    log(self.finish_s[j], "job_finished", wl.train_ids[j], "training run complete")
        tokens_s = 0.0
        inf_flops = 0.0
        if wl.n_inf:
            # Capacity follows the placement and the racks' slowdown (both replaced, never
            # edited in place, when they change).
            known = self._inf_cap
            inf_pace = rack_slow if inf_slow is None else inf_slow
            if known is None or known[0] is not pl or known[1] is not inf_pace:
                if wl.wan is None:
                    site = pl.inf @ inf_pace
                    cap = (site + pl.inf_cloud.sum(axis=1)) * wl.inf_tps_per_gpu
                    known = self._inf_cap = (pl, inf_pace, cap, None)
                else:
                    share = wan_share(wl.wan, pl.inf, pl.inf_cloud, inf_pace, wl.inf_tps_per_gpu)
                    known = self._inf_cap = (pl, inf_pace, share.cap_tps, share)
            if known[3] is None or wl.wan is None:
                served = np.minimum(inf_demand_tps, known[2])
            else:
                # Local hosts serve first; the rest of the demand shares the WAN links.
                over_wan = wan_serve(wl.wan, known[3], inf_demand_tps)
                served, self.egress_usd_per_s = over_wan.served_tps, over_wan.egress_usd_per_s
                self._log_saturation(t, over_wan, log)
            tokens_s = float(served.sum())
            inf_flops = float(served @ self._flops_per_token)
        return delivered + inf_flops, tokens_s, inf_flops

    def quiet_steps(self, k: int, dt: float) -> int:
        """How many of the next ``k`` steps add the same work as the last one (at most ``k``).

        A step repeats while every job adds the same FLOPs: none reaches its end or is capped
        by what is left, and none restarts. Checkpoints do not change the work: they are
        replayed in ``repeat`` (the time since the checkpoint restarts from its remainder,
        as in ``advance``).
        """
        wl = self.c.workloads
        self._quiet = None
        if not wl.n_train:
            return k
        live_key = (self._key, len(self._done_jobs), dt)
        if self._live_key != live_key:
            return 0
        rate, nominal_dt = self._live
        restart: tuple[BoolArray, FloatArray] | None = None
        if self.restart_left_s.any():
            # A job restarting computes nothing while a whole step of its restart is left
            # (``advance``): the stretch ends before its restart runs out.
            restarting = self.restart_left_s > 0
            after = repeated_sums(self.restart_left_s[restarting], np.full(1, -dt), k)
            left = np.concatenate([self.restart_left_s[None, restarting], after[:-1]])
            short = (left < dt).any(axis=1)
            k = int(np.argmax(short)) if short.any() else k
            active = np.minimum(np.maximum(dt - self.restart_left_s, 0.0), dt)
            restart = (restarting, after)
        elif self._full_dt[0] == dt:
            active = self._full_dt[1]
        else:
            return 0
        if k < 1:
            return 0
        add = rate * active
        progress = repeated_sums(self.progress_flops, add, k)
        # Progress only grows, so the work left only shrinks: when the last step is neither
        # capped nor finishing, no step before it is (the common case, checked first).
        left = wl.flops_total - (progress[-2] if k > 1 else self.progress_flops)
        # ``_finish_open`` is NaN for the jobs done (kept with the live rates checked above).
        if (add > np.maximum(left, 0.0)).any() or (progress[-1] >= self._finish_open).any():
            before = np.concatenate([self.progress_flops[None, :], progress[:-1]])
            stop = (add > np.maximum(wl.flops_total - before, 0.0)).any(axis=1) | (
                progress >= self._finish_open
            ).any(axis=1)
            k = int(np.argmax(stop))
        # Checkpoints, replayed in order (a 15-min step may checkpoint at every step).
        k, since, ckpts = checkpoints(
            self.since_ckpt_s, active, self._cached[2], progress[:k], rate, MAX_QUIET_CHECKPOINTS
        )
        self._quiet = (progress, since, nominal_dt, ckpts, restart)
        return k

    def repeat(self, stretch: Stretch) -> None:
        """Advance every job over a quiet stretch (``quiet_steps`` allowed its steps)."""
        if self._quiet is None:
            return
        k = stretch.k
        progress, since, nominal_dt, ckpts, restart = self._quiet
        if restart is not None:
            restarting, left = restart
            self.restart_left_s = self.restart_left_s.copy()
            self.restart_left_s[restarting] = left[k - 1]
        self.progress_flops[...] = progress[k - 1]
        self.since_ckpt_s = since[k - 1].copy()
        stretch.arrays([self.potential_flops], [nominal_dt])
        for step, over, flops in ckpts:
            if step < k:
                self.ckpt_flops = np.where(over, flops, self.ckpt_flops)
        self._quiet = None

    @property
    def n_done(self) -> int:
        """Training jobs finished so far."""
        return len(self._done_jobs)

    def _log_saturation(self, t: float, over_wan: WanServed, log: LogFn) -> None:
        """Log each WAN link that starts to be asked for more than it carries."""
        wan = self.c.workloads.wan
        if wan is None:
            return
        for link in np.flatnonzero(over_wan.saturated & ~self._wan_saturated):
            message = (
                f"WAN edge {wan.link_ids[link]!r} saturated: asked "
                f"{over_wan.asked_tps[link]:,.0f} tokens/s, carries {wan.link_tps[link]:,.0f}"
            )
            log(t, "wan_saturated", wan.link_node[link], message)
        self._wan_saturated = over_wan.saturated
        self.wan_asked_tps = over_wan.asked_tps

    def eta_h(self) -> list[float | None]:
        """Hours to completion at the current rate (None when stalled or done)."""
        wl = self.c.workloads
        out: list[float | None] = []
        for j in range(wl.n_train):
            left = wl.flops_total[j] - self.progress_flops[j]
            if self.completed[j]:
                out.append(0.0)
            elif self.rate_flops[j] > 0:
                out.append(float(left / self.rate_flops[j] / 3600.0))
            else:
                out.append(None)
        return out
