"""Placements as per-job index lists: segment reductions against the dense jobs × racks forms."""

from __future__ import annotations

import numpy as np
import pytest

from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scenes_dir
from aifactory_twin.schema import ScheduledEvent
from aifactory_twin.schema.job_mix import JobMix
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.sim.models import data as dat
from aifactory_twin.sim.models import network as net
from aifactory_twin.sim.models.segments import JobRacks, row_of
from aifactory_twin.sim.stages.jobs import Jobs


def _random_alloc(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    alloc = rng.integers(0, 9, size=(7, 40)).astype(float)
    alloc[rng.random(alloc.shape) < 0.7] = 0.0
    alloc[2] = 0.0  # a job holding nothing
    alloc[5, :] = 0.0
    alloc[5, 39] = 3.0  # a job on the last rack only
    return alloc


@pytest.mark.parametrize("seed", range(5))
def test_segment_reductions_equal_the_dense_ones(seed: int) -> None:
    alloc = _random_alloc(seed)
    jr = JobRacks.from_rows([row_of(a) for a in alloc], alloc.shape[1])
    assert np.array_equal(jr.dense(), alloc)
    values = np.random.default_rng(seed + 100).random(alloc.shape[1]) * 7.0
    used = alloc > 0
    # Whole accelerator counts sum exactly in any order.
    assert np.array_equal(jr.per_job_sum(jr.gpus), alloc.sum(axis=1))
    assert np.array_equal(jr.per_rack_sum(jr.gpus), alloc.sum(axis=0))
    dense_min = np.min(np.where(used, values[None, :], np.inf), axis=1)
    dense_max = np.max(np.where(used, values[None, :], -1.0), axis=1)
    assert np.array_equal(jr.per_job_min(values[jr.rack], np.inf), dense_min)
    assert np.array_equal(jr.per_job_max(values[jr.rack], -1.0), dense_max)
    # Fractional terms: the same sum up to the order of addition.
    np.testing.assert_allclose(
        jr.per_job_sum(jr.gpus * values[jr.rack]), alloc @ values, rtol=1e-14, atol=0.0
    )
    assert jr.per_job_sum(jr.gpus)[2] == 0.0 and jr.n_jobs == 7


def _dense_factors(
    jobs: Jobs, alloc: np.ndarray, cloud: np.ndarray, slow: np.ndarray, bw: np.ndarray,
    bw_local: np.ndarray, store: np.ndarray,
) -> tuple[np.ndarray, ...]:  # fmt: skip
    """The per-job factors as the engine computed them before index lists: dense jobs × racks."""
    c = jobs.c
    wl = c.workloads
    peak_jr = np.where(
        wl.fp8[:, None], c.racks.peak_fp8_tflops[None, :], c.racks.peak_bf16_tflops[None, :]
    )
    gpus = alloc.sum(axis=1) + cloud.sum(axis=1)
    used = alloc > 0
    cloud_flops = np.einsum("jc,jc->j", cloud, jobs.cloud_peak_jc)
    raw = (np.einsum("jr,jr->j", alloc, peak_jr * slow[None, :]) + cloud_flops) * 1e12 * wl.mfu
    nominal = (np.einsum("jr,jr->j", alloc, peak_jr) + cloud_flops) * 1e12 * wl.mfu
    big = np.where(used, 1.0, np.inf)
    fab = c.network.fabric
    top = np.iinfo(np.int64).max
    leaf_lo = np.min(np.where(used, fab.rack_leaf[None, :], top), axis=1, initial=top)
    leaf_hi = np.max(np.where(used, fab.rack_leaf[None, :], -1), axis=1, initial=-1)
    one_leaf = (leaf_lo == leaf_hi) & (leaf_hi >= 0)

    def job_bw(cross: np.ndarray, local: np.ndarray) -> np.ndarray:
        out = np.where(
            one_leaf,
            np.min(local[None, :] * big, axis=1, initial=np.inf),
            np.min(cross[None, :] * big, axis=1, initial=np.inf),
        )
        return np.where(np.isfinite(out), out, net.FALLBACK_GBPS_PER_GPU)

    bw_job = job_bw(bw, bw_local)
    alpha = np.where(
        one_leaf,
        np.max(np.where(used, fab.rack_alpha_local_us[None, :], 0.0), axis=1, initial=0.0),
        np.max(np.where(used, fab.rack_alpha_us[None, :], 0.0), axis=1, initial=0.0),
    )
    domain = np.min(c.racks.scale_up_domain[None, :] * big, axis=1, initial=np.inf)
    domain = np.where(np.isfinite(domain), domain, 8.0)
    hbm = np.min(c.racks.hbm_gb[None, :] * big, axis=1, initial=np.inf)
    hbm = np.where(np.isfinite(hbm), hbm, 80.0)
    eff = net.scaling_efficiency(gpus, domain, wl.params_b, hbm, bw_job, alpha, raw)
    if c.perf.predicted.any():
        bw_nom = job_bw(c.perf.rack_bw_gbps, c.perf.rack_bw_local_gbps)
        eff_nom = net.scaling_efficiency(gpus, domain, wl.params_b, hbm, bw_nom, alpha, raw)
        eff = np.where(c.perf.predicted, np.minimum(eff / np.maximum(eff_nom, 1e-12), 1.0), eff)
    shared = alloc @ store
    store_job = np.where(shared > 0, shared, gpus * dat.LOCAL_NVME_GBS_PER_GPU)
    lam = np.where(gpus > 0, (alloc @ jobs.rack_lambda_gpu_h) / np.maximum(gpus, 1.0), 0.0)
    delta, tau = dat.checkpoint_overhead(
        wl.params_b, wl.bytes_per_param, store_job, gpus, lam, wl.ckpt_interval_s, wl.ckpt_fixed
    )
    tokens = raw * eff / (6.0 * wl.params_b * 1e9)
    feed = dat.data_feed_factor(tokens, shared)
    rate = raw * eff * feed * np.minimum(np.maximum(1.0 - delta / tau, 0.0), 1.0)
    return rate, nominal, tau


def _mixed_engine() -> Engine:
    """training-cluster-1k with a queued job mix and a failed rack: many jobs, shared leaves."""
    sc = load_scenario(scenes_dir() / "training-cluster-1k.aift.json")
    settings = sc.settings.model_copy(update={"scheduler_policy": "fcfs"})
    mix = JobMix(team="t", jobs=30, mean_interarrival_s=300.0, accelerators_min=8,
                 accelerators_max=256, duration_median_s=7200.0)  # fmt: skip
    rack = next(n.id for n in sc.nodes if n.kind == "compute_rack")
    fail = ScheduledEvent(time_s=5400.0, kind="fail_unit", target=rack, magnitude=1)
    sc = sc.model_copy(update={"settings": settings, "job_mix": [mix], "events": [fail]})
    return Engine(compile_scenario(sc, horizon_s=6 * 3600.0, step_s=300.0), seed=0)


@pytest.mark.parametrize("steps", [1, 20, 40, 72])
def test_per_job_factors_match_the_dense_computation(steps: int) -> None:
    eng = _mixed_engine()
    for _ in range(steps):
        eng.step()
    work = eng.state.work
    pl = work.placement
    rb = eng.state.it_power.cache.rack
    assert pl is not None and rb is not None
    args = (rb.slow, work.rack_bw, work.rack_bw_local, work.rack_store_per_gpu)
    jobs = work.jobs
    new = jobs._factors(pl, *args)
    old = _dense_factors(jobs, pl.train, pl.train_cloud, *args)
    assert (pl.train > 0).sum(axis=1).max() > 1  # some job spans several racks
    for a, b in zip(new, old, strict=True):
        # Same terms, summed per job in another order: equal to the last bits.
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=0.0)


def test_keeping_every_job_at_once_changes_no_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    """The all-jobs-keep-their-racks shortcut gives what the per-job pass gives, bit for bit."""
    from aifactory_twin.sim.stages import scheduler

    fast = _mixed_engine()
    fast.run()
    used: list[bool] = []
    real = scheduler._kept_as_before

    def spy(*args: object) -> object:
        out = real(*args)  # type: ignore[arg-type]
        used.append(out is not None)
        return None  # force the per-job pass

    monkeypatch.setattr(scheduler, "_kept_as_before", spy)
    slow = _mixed_engine()
    slow.run()
    assert any(used) and not all(used)  # both paths were exercised
    assert fast.kpis() == slow.kpis()
    assert [e for e in fast.events] == [e for e in slow.events]


def test_rows_replaced_and_jobs_kept_match_the_dense_edit() -> None:
    alloc = _random_alloc(3)
    jr = JobRacks.from_rows([row_of(a) for a in alloc], alloc.shape[1])
    new_row = np.zeros(alloc.shape[1])
    new_row[[1, 7, 30]] = [2.0, 5.0, 1.0]
    edited = alloc.copy()
    edited[2] = new_row  # a job that held nothing starts
    edited[4] = 0.0  # a job loses everything
    out = jr.with_rows({2: row_of(new_row), 4: row_of(np.zeros(alloc.shape[1]))})
    assert np.array_equal(out.dense(), edited)
    assert np.all(np.diff(out.job) >= 0)  # still grouped by job
    keep = np.array([True, False, True, True, False, True, False])
    assert np.array_equal(jr.only_jobs(keep).dense(), np.where(keep[:, None], alloc, 0.0))
