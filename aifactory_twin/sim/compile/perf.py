"""Compile part: the performance model's prediction for each training job with a model.

For a job that describes its model (``TrainingJob.model``), the step time comes from
``aifactory_twin.perf`` on the fabric its racks reach, once per compile (never per tick):

* the racks it would run on with everything up (greedy over its placement, as the engine places);
* their accelerator (the first such rack's; a cloud-only job uses its cloud node's);
* the fabric figures from ``models/network``: NIC rate inside a leaf, what is left of it across
  leaves (oversubscription and tiers, with every unit up and every accelerator busy — the
  bisection view the network model takes), GPUs per leaf unit, and α up the path;
* storage share and failure rate for the breakdown's data feed and checkpoint stalls, by the same
  ``models/data`` formulas the engine runs.

The engine's MFU for such a job (``Workloads.mfu``, unless ``target_mfu`` overrides it) is the
6·N-equivalent: 6 · parameters · tokens per step / (step time · GPUs · peak), so the engine's
6·N·D FLOPs finish in exactly the predicted number of steps. Thermal and power derates, the fabric
as it degrades, failures, checkpoints and the data feed act on top at run time, as before.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from aifactory_twin.catalog import accelerator_spec
from aifactory_twin.perf import FabricFigures
from aifactory_twin.perf.breakdown import StepBreakdown, breakdown_of
from aifactory_twin.perf.from_scenario import predict
from aifactory_twin.schema import AcceleratorSpec, CloudBurst, Scenario, TrainingJob
from aifactory_twin.sim.compile.common import problem
from aifactory_twin.sim.compiled import (
    JobPerf,
    NetworkParams,
    NodeParams,
    RackParams,
    StorageParams,
)
from aifactory_twin.sim.models import data as dat
from aifactory_twin.sim.models import network as net
from aifactory_twin.sim.models.compute import Workloads, take_greedy

FloatArray = npt.NDArray[np.float64]


def _leaf_gpus(fab: net.Fabric, rack_gpus: FloatArray, count: FloatArray) -> FloatArray:
    """Accelerators per unit of each leaf switch (inf where a switch is no leaf)."""
    n_s = count.shape[0]
    under = np.bincount(
        fab.leaf_switch, weights=rack_gpus[fab.leaf_rack] * fab.leaf_weight, minlength=n_s
    )
    out: FloatArray = np.where(under > 0, under / np.maximum(count, 1.0), np.inf)
    return out


def compile_job_perf(
    sc: Scenario,
    wl: Workloads,
    nodes: NodeParams,
    racks: RackParams,
    specs: list[AcceleratorSpec],
    network: NetworkParams,
    storage: StorageParams,
) -> JobPerf:
    """Predict every training job with a model; fill ``wl.mfu`` where no target_mfu is given."""
    jobs = [w for w in sc.workloads if isinstance(w, TrainingJob)]
    positions = [i for i, w in enumerate(sc.workloads) if isinstance(w, TrainingJob)]
    units = nodes.count[racks.node]
    rack_gpus = units * racks.gpus_per_unit
    fab = network.fabric
    sw_units = nodes.count[network.switch_node]
    bw, bw_local = net.fabric_bandwidth(
        fab,
        sw_units * network.switch_capacity_gbps,
        network.switch_oversubscription,
        rack_gpus,
        racks.nic_gbps,
    )
    leaf_gpus = _leaf_gpus(fab, rack_gpus, sw_units)
    store = dat.rack_storage_gbs(
        nodes.count[storage.node] * storage.throughput_gbs,
        storage.edge_storage_index,
        storage.edge_rack_index,
        rack_gpus,
    )
    store_per_gpu = store / np.maximum(rack_gpus, 1.0)
    lam_gpu_h = nodes.fail_rate_per_unit_h[racks.node] / racks.gpus_per_unit
    clouds = [n for n in sc.nodes if isinstance(n, CloudBurst)]
    out: list[StepBreakdown | None] = []
    predicted = np.zeros(len(jobs), dtype=bool)
    mfu6 = np.full(len(jobs), np.nan)
    for j, job in enumerate(jobs):
        predicted[j] = job.target_mfu is None and job.model is not None
        if job.model is None:
            out.append(None)
            continue
        alloc = take_greedy(rack_gpus, wl.train_rack_mask[j], float(job.accelerators_requested))
        used = alloc > 0
        cloud_ok = [cl for cl, ok in zip(clouds, wl.train_cloud_mask[j], strict=True) if ok]
        if used.any():
            spec = specs[int(np.flatnonzero(used)[0])]
            figures = _job_fabric(fab, used, bw, bw_local, leaf_gpus, racks, alloc)
        elif cloud_ok:
            # Cloud only: the provider's fabric is not drawn; its accelerator's NIC rate it is.
            spec = accelerator_spec(cloud_ok[0].accelerator)
            figures = FabricFigures.uniform(spec.nic_gbps)
        else:
            out.append(None)  # nowhere to run: the rules say so (job-exceeds-accelerators)
            continue
        res = predict(job, spec, figures)
        assert res is not None
        if res.times is None or res.feasible == 0:
            raise problem(
                f"workloads[{positions[j]}].layout", f"training job {job.id!r}: {res.problem}"
            )
        gpus = float(job.accelerators_requested)
        shared = float(alloc @ store_per_gpu)
        step_s = float(res.times.step_s[0])
        tokens_s = job.model.global_batch_tokens // job.model.seq_len * job.model.seq_len / step_s
        feed = float(dat.data_feed_factor(np.asarray([tokens_s]), np.asarray([shared]))[0])
        write = shared if shared > 0 else gpus * dat.LOCAL_NVME_GBS_PER_GPU
        lam = float(alloc @ lam_gpu_h) / max(float(alloc.sum()), 1.0)
        delta, tau = dat.checkpoint_overhead(
            np.asarray([job.parameters_b]),
            np.asarray([job.checkpoint.bytes_per_param]),
            np.asarray([write]),
            np.asarray([gpus]),
            np.asarray([lam]),
            np.asarray([job.checkpoint.interval_s]),
            np.asarray([job.checkpoint.mode == "fixed"]),
        )
        out.append(breakdown_of(job.id, res, feed, float(delta[0] / tau[0])))
        peak = spec.peak_fp8_tflops if job.precision == "fp8" and spec.peak_fp8_tflops else 0.0
        peak = peak or spec.peak_bf16_tflops
        mfu6[j] = 6.0 * job.parameters_b * 1e9 * tokens_s / (gpus * peak * 1e12)
        if predicted[j]:
            wl.mfu[j] = mfu6[j]
    return JobPerf(tuple(out), predicted, mfu6, bw, bw_local)


def _job_fabric(
    fab: net.Fabric,
    used: npt.NDArray[np.bool_],
    bw: FloatArray,
    bw_local: FloatArray,
    leaf_gpus: FloatArray,
    racks: RackParams,
    alloc: FloatArray,
) -> FabricFigures:
    """The fabric figures of the racks a job runs on: the slowest rack sets each."""
    leaves = np.unique(fab.rack_leaf[used])
    one_leaf = leaves.size == 1 and leaves[0] >= 0
    local = float(bw_local[used].min())
    cross = local if one_leaf else float(bw[used].min())
    on_leaf = np.isin(fab.leaf_rack, np.flatnonzero(used))
    per_leaf = leaf_gpus[fab.leaf_switch[on_leaf]]
    leaf = float(per_leaf.min()) if per_leaf.size else float(racks.gpus_per_unit[used].min())
    if one_leaf:
        leaf = max(leaf, float(alloc.sum()))
    alpha = fab.rack_alpha_local_us if one_leaf else fab.rack_alpha_us
    return FabricFigures(local, cross, leaf, float(alpha[used].max()))
