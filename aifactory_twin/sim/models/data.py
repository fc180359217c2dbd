"""Data: storage throughput feeding jobs, checkpoint stalls and governance costs.

* Storage throughput is shared among the racks a storage node feeds (data edges), in proportion
  to their accelerators; a job sees the sum over the racks it runs on.
* Training reads its tokens: demand = tokens/s × ``BYTES_PER_TOKEN``; data-feed factor =
  min(1, supply / demand) (text tokens are small, so this rarely binds; the checkpoint below does).
* Checkpoint write stall δ = params × bytes_per_param / write bandwidth; interval by Young/Daly
  τ = √(2·δ·M) − δ with M = 1/(n·λ) (domain-reference §5.4, §10.10); the stall costs δ/τ of the
  time. Racks with no storage edge checkpoint to local NVMe at ``LOCAL_NVME_GBS_PER_GPU``.
* Governance: encryption at rest, audit logging and ABAC cost throughput and power (estimates,
  no published measurement in the domain reference).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from aifactory_twin.schema import Storage

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

BYTES_PER_TOKEN = 4.0
"""Tokenized text on disk, bytes per token (estimate: ~4 characters per token, uint32 ids)."""
LOCAL_NVME_GBS_PER_GPU = 0.25
"""Local NVMe checkpoint bandwidth per accelerator without shared storage, GB/s (estimate:
~2 GB/s per 8-GPU server)."""
ENCRYPTION_THROUGHPUT_COST = 0.05
AUDIT_THROUGHPUT_COST = 0.03
ABAC_THROUGHPUT_COST = 0.02
ENCRYPTION_POWER_COST = 0.05
AUDIT_POWER_COST = 0.03


def governance_factors(storage: Storage) -> tuple[float, float]:
    """(throughput multiplier, power multiplier) from the governance settings (estimates)."""
    thr = 1.0
    pwr = 1.0
    if storage.encryption_at_rest:
        thr -= ENCRYPTION_THROUGHPUT_COST
        pwr += ENCRYPTION_POWER_COST
    if storage.audit_logging:
        thr -= AUDIT_THROUGHPUT_COST
        pwr += AUDIT_POWER_COST
    if storage.access_policy == "abac":
        thr -= ABAC_THROUGHPUT_COST
    return thr, pwr


def rack_storage_gbs(
    storage_gbs_up: FloatArray,
    de_storage: IntArray,
    de_rack: IntArray,
    rack_gpus: FloatArray,
) -> FloatArray:
    """Storage bandwidth reaching each rack, GB/s: each store splits by accelerators fed."""
    n_r = rack_gpus.shape[0]
    if de_storage.size == 0:
        return np.zeros(n_r)
    demand = rack_gpus[de_rack]
    total = np.bincount(de_storage, weights=demand, minlength=storage_gbs_up.shape[0])
    share = storage_gbs_up[de_storage] * demand / np.maximum(total[de_storage], 1e-12)
    return np.asarray(np.bincount(de_rack, weights=share, minlength=n_r), dtype=np.float64)


def checkpoint_overhead(
    params_b: FloatArray,
    bytes_per_param: FloatArray,
    write_gbs: FloatArray,
    gpus: FloatArray,
    fail_per_gpu_h: FloatArray,
    fixed_interval_s: FloatArray,
    fixed: npt.NDArray[np.bool_],
) -> tuple[FloatArray, FloatArray]:
    """(stall δ in s, interval τ in s) per job: Young/Daly unless the policy is fixed (§5.4)."""
    delta_s = params_b * 1e9 * bytes_per_param / np.maximum(write_gbs * 1e9, 1e-9)
    mtbf_s = 3600.0 / np.maximum(gpus * fail_per_gpu_h, 1e-12)
    young = np.sqrt(2.0 * delta_s * mtbf_s)
    # Daly's correction only holds for δ < M/2; beyond that checkpoint every δ (always stalled).
    daly = np.where(delta_s < mtbf_s / 2.0, young - delta_s, young)
    tau_s = np.where(fixed, fixed_interval_s, np.maximum(daly, delta_s))
    return delta_s, np.maximum(tau_s, delta_s)


def data_feed_factor(tokens_per_s: FloatArray, supply_gbs: FloatArray) -> FloatArray:
    """min(1, supply / demand) with demand = tokens/s × BYTES_PER_TOKEN (no storage ⇒ 1)."""
    demand_gbs = tokens_per_s * BYTES_PER_TOKEN / 1e9
    out = np.ones_like(demand_gbs)
    has = (supply_gbs > 0) & (demand_gbs > 0)
    out[has] = np.minimum(1.0, supply_gbs[has] / demand_gbs[has])
    return out
