"""Network: scale-out bandwidth per rack and the scaling efficiency of multi-rack training.

* A switch node offers host-facing bandwidth ports × speed × 1/3 per unit (two-tier fat tree,
  §4.2), divided by its oversubscription for traffic that leaves the leaf. Racks joined to it by
  network edges share that bandwidth in proportion to their NIC demand; a rack's per-accelerator
  scale-out bandwidth is min(NIC, its share). NVLink switch nodes are scale-up and not counted.
* A rack with no scale-out fabric falls back to host Ethernet (``FALLBACK_GBPS_PER_GPU``).
* Data-parallel gradient all-reduce across scale-up domains uses the α–β ring model
  T = 2(g−1)α + 2(g−1)/g · S/B (§4.3, §10.8) with S = 2 bytes × N / m per accelerator
  (m = accelerators holding one replica, ≥ 16 bytes/param of training state over 80 % of HBM,
  §5.4) and B = link bandwidth × NCCL efficiency (§9.4). The all-reduce overlaps the backward
  pass (⅔ of compute, §7); only the exposed part slows the step. Target MFU already includes a
  well-provisioned fabric, so a properly sized fabric gives efficiency 1.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

FALLBACK_GBPS_PER_GPU = 25.0
"""Host Ethernet share per accelerator without a modelled fabric, Gb/s (estimate)."""
FALLBACK_ALPHA_US = 30.0
"""Per-message latency over plain Ethernet, µs (§4.1: 10–50 µs)."""
NCCL_EFFICIENCY = 0.8
"""Achieved over peak link bandwidth (§9.4 typical)."""
GLOBAL_BATCH_TOKENS = 4.0 * 2**20
"""Tokens per optimizer step (estimate: 4M, common for 70B-class runs; Llama 3 405B used 16M)."""
TRAINING_BYTES_PER_PARAM = 16.0
BACKWARD_SHARE = 2.0 / 3.0


def rack_scale_out_gbps(
    switch_gbps_up: FloatArray,
    switch_oversub: FloatArray,
    switch_latency_us: FloatArray,
    ne_switch: IntArray,
    ne_rack: IntArray,
    rack_gpus: FloatArray,
    nic_gbps: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """(per-accelerator cross-rack bandwidth Gb/s, latency µs) per rack."""
    n_r = rack_gpus.shape[0]
    bw = np.zeros(n_r)
    alpha = np.full(n_r, FALLBACK_ALPHA_US)
    if ne_switch.size:
        demand = rack_gpus[ne_rack] * nic_gbps[ne_rack]
        total = np.bincount(ne_switch, weights=demand, minlength=switch_gbps_up.shape[0])
        ratio = np.minimum(1.0, switch_gbps_up[ne_switch] / np.maximum(total[ne_switch], 1e-12))
        per_gpu = nic_gbps[ne_rack] * ratio / switch_oversub[ne_switch]
        np.maximum.at(bw, ne_rack, per_gpu)
        lat = np.full(n_r, np.inf)
        np.minimum.at(lat, ne_rack, switch_latency_us[ne_switch])
        alpha = np.where(np.isfinite(lat), lat, FALLBACK_ALPHA_US)
    bw = np.where(bw > 0, bw, np.minimum(FALLBACK_GBPS_PER_GPU, nic_gbps))
    return bw, alpha


def scaling_efficiency(
    gpus: FloatArray,
    domain: FloatArray,
    params_b: FloatArray,
    hbm_gb: FloatArray,
    bw_gbps: FloatArray,
    alpha_us: FloatArray,
    rate_flops: FloatArray,
) -> FloatArray:
    """Share of compute time left after exposed all-reduce time, per job (1 inside one domain)."""
    n_params = params_b * 1e9
    replica = np.ceil(n_params * TRAINING_BYTES_PER_PARAM / np.maximum(0.8 * hbm_gb * 1e9, 1.0))
    m = np.minimum(np.maximum(replica, np.minimum(domain, gpus)), np.maximum(gpus, 1.0))
    groups = np.maximum(gpus / np.maximum(m, 1.0), 1.0)
    spans = (gpus > domain) & (groups > 1.0) & (rate_flops > 0)
    out = np.ones_like(gpus)
    if not np.any(spans):
        return out
    g = groups[spans]
    msg_bytes = 2.0 * n_params[spans] / m[spans]
    link_bytes_s = bw_gbps[spans] / 8.0 * 1e9 * NCCL_EFFICIENCY
    t_comm = 2.0 * (g - 1.0) * alpha_us[spans] * 1e-6 + 2.0 * (
        g - 1.0
    ) / g * msg_bytes / np.maximum(link_bytes_s, 1.0)
    t_compute = 6.0 * n_params[spans] * GLOBAL_BATCH_TOKENS / rate_flops[spans]
    exposed = np.maximum(0.0, t_comm - BACKWARD_SHARE * t_compute)
    out[spans] = t_compute / (t_compute + exposed)
    return out
