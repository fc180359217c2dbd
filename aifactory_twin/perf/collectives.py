"""α–β costs of the collectives a training step runs (domain-reference §4.3).

A group of ``size`` ranks, ``stride`` ranks apart in the job's rank order, has ``k`` ranks inside
one scale-up domain and spans size/k domains. Hierarchical reduce-scatter (all-gather alike):
(k−1)/k·S/B_up inside the domain, then (g−1)/g·(S/k)/B_out across domains, α per hop.
Across the scale-out fabric a group that fits under one leaf runs at the NIC rate; a wider one
shares the leaf's uplinks with the other groups that have members under that leaf: a ring enters
and leaves each leaf once, so min(L, stride) groups share L·cross of uplink capacity — why the
outermost dimension (data parallel, stride = TP·CP·PP) tolerates a tapered fabric and a
dimension laid across leaves rank by rank does not (Llama 3 §3.3.1, network-aware placement).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from aifactory_twin.perf.inputs import (
    NCCL_EFFICIENCY,
    NVLINK_ALPHA_US,
    DeviceFigures,
    FabricFigures,
)

FloatArray = npt.NDArray[np.float64]


def local_ranks(size: FloatArray, stride: FloatArray, domain: float) -> FloatArray:
    """Ranks of one group inside one scale-up domain (at least 1, at most the group)."""
    out: FloatArray = np.clip(np.floor(domain / stride), 1.0, size)
    return out


def scale_out_bytes_s(size: FloatArray, stride: FloatArray, fabric: FabricFigures) -> FloatArray:
    """Bandwidth per rank across domains for groups of ``size`` at ``stride``, bytes/s."""
    span = size * stride
    leaf = max(fabric.leaf_gpus, 1.0)
    sharing = np.minimum(leaf, stride)
    tapered = np.minimum(fabric.local_gbps, fabric.cross_gbps * leaf / sharing)
    gbps = np.where(span <= leaf, fabric.local_gbps, tapered)
    out: FloatArray = gbps / 8.0 * 1e9 * NCCL_EFFICIENCY
    return out


def _links(
    size: FloatArray, stride: FloatArray, device: DeviceFigures, fabric: FabricFigures
) -> tuple[FloatArray, float, FloatArray]:
    """(ranks per domain, NVLink bytes/s, scale-out bytes/s per rank) of a group."""
    k = local_ranks(size, stride, device.scale_up_domain)
    b_up = device.scale_up_bw_gb_per_s * 1e9 * NCCL_EFFICIENCY
    return k, b_up, scale_out_bytes_s(size, stride, fabric)


def reduce_scatter_s(
    bytes_: FloatArray,
    size: FloatArray,
    stride: FloatArray,
    device: DeviceFigures,
    fabric: FabricFigures,
) -> FloatArray:
    """Hierarchical reduce-scatter (or all-gather) of ``bytes_`` per rank over the group."""
    k, b_up, b_out = _links(size, stride, device, fabric)
    g = size / k
    inside = (k - 1.0) / k * bytes_ / b_up + (k - 1.0) * NVLINK_ALPHA_US * 1e-6
    across = (g - 1.0) / g * (bytes_ / k) / b_out + (g - 1.0) * fabric.alpha_us * 1e-6
    out: FloatArray = np.where(size > 1.0, inside + across, 0.0)
    return out


def all_to_all_s(
    bytes_: FloatArray,
    size: FloatArray,
    stride: FloatArray,
    device: DeviceFigures,
    fabric: FabricFigures,
) -> FloatArray:
    """All-to-all of ``bytes_`` per rank: the share for ranks in the domain goes over NVLink."""
    k, b_up, b_out = _links(size, stride, device, fabric)
    t = bytes_ * (k - 1.0) / size / b_up + bytes_ * (size - k) / size / b_out
    t = t + np.where(size > k, fabric.alpha_us, NVLINK_ALPHA_US) * 1e-6 * (size - 1.0)
    out: FloatArray = np.where(size > 1.0, t, 0.0)
    return out


def p2p_s(
    bytes_: FloatArray,
    size: FloatArray,
    stride: FloatArray,
    device: DeviceFigures,
    fabric: FabricFigures,
) -> FloatArray:
    """One send to the next of ``size`` pipeline stages, ``stride`` ranks away.

    The slowest pair gates the pipeline: NVLink only when the whole group sits in one domain.
    """
    inside = size * stride <= device.scale_up_domain
    b_up = device.scale_up_bw_gb_per_s * 1e9 * NCCL_EFFICIENCY
    b_out = scale_out_bytes_s(size, stride, fabric)
    out: FloatArray = np.where(
        inside,
        NVLINK_ALPHA_US * 1e-6 + bytes_ / b_up,
        fabric.alpha_us * 1e-6 + bytes_ / b_out,
    )
    return out
