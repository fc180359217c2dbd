"""Compute: workloads as arrays, placement on available accelerators, and job progress.

* Training FLOPs C = 6·N·D unless ``total_flops`` is given (domain-reference §7).
* Delivered FLOP/s = Σ allocated accelerators × peak × MFU × network scaling efficiency ×
  data-feed factor × thermal/power derate (§7, §10.7); checkpoint stalls take δ/τ of the time.
* Placement is greedy by priority (higher first, file order breaks ties) over the racks a
  workload may use, in node order (an inference service with a users' site: nearest racks
  first, ``models/wan.py``). Training is elastic: a job runs on what it gets, up to its
  request (simplification: real jobs restart on spares; the shortfall is visible as slower
  progress). What cannot be placed on site goes to cloud-burst nodes the placement allows.
* Inference: demand = peak × hourly profile; accelerators needed = ⌈demand / per-accelerator
  throughput⌉; activity of those accelerators = demand / capacity (§1.3 decode power).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from aifactory_twin.schema import InferenceService, Scenario, TrainingJob
from aifactory_twin.sim.models.segments import JobRacks
from aifactory_twin.sim.models.wan import WanFlows

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
BoolMatrix = npt.NDArray[np.bool_]

DEFAULT_TARGET_MFU = 0.40
"""MFU of a job with neither ``target_mfu`` nor a model to predict it from (domain-reference
§1.4 typical); ``compile/perf.py`` fills in the predicted ones."""
INFERENCE_FLOPS_PER_TOKEN_PER_PARAM = 2.0
"""Forward pass ≈ 2·N FLOPs per token (the 2ND forward term of §7)."""


@dataclass(frozen=True)
class RetrainPlan:
    """Per training job (engine order): what its model's drift submits, and its lineage."""

    next_slot: IntArray
    """Job index of the retraining job a drift of this job's model submits (-1: none)."""
    origin: IntArray
    """The monitored job a retraining job descends from (itself for every other job)."""
    mean_time_to_drift_s: FloatArray
    """Mean time from launch to drift of this job's model (inf: not monitored)."""

    def is_retrain(self, j: int) -> bool:
        """Whether job ``j`` is a retraining job."""
        return bool(self.origin[j] != j)


@dataclass(eq=False)
class Workloads:
    """Training jobs (index j) and inference services (index i) as arrays."""

    ids: tuple[str, ...]
    train_ids: tuple[str, ...]
    train_names: tuple[str, ...]
    flops_total: FloatArray
    gpus_req: FloatArray
    mfu: FloatArray
    fp8: BoolArray
    train_start_s: FloatArray
    params_b: FloatArray
    ckpt_fixed: BoolArray
    ckpt_interval_s: FloatArray
    restart_s: FloatArray
    bytes_per_param: FloatArray
    train_rack_mask: BoolMatrix
    train_cloud_mask: BoolMatrix
    inf_ids: tuple[str, ...]
    inf_params_b: FloatArray
    inf_peak_tps: FloatArray
    inf_profile: npt.NDArray[np.float64]
    inf_tps_per_gpu: FloatArray
    inf_start_s: FloatArray
    inf_rack_mask: BoolMatrix
    inf_cloud_mask: BoolMatrix
    order: tuple[tuple[str, int], ...]
    """Placement order: ("t", j) or ("i", i), higher priority first."""
    min_gpus: FloatArray
    """Gang minimum per training job (accelerators_requested unless stated)."""
    elastic: BoolArray
    priority: FloatArray
    teams: tuple[str, ...]
    dataset_ready_s: FloatArray | None = None
    """When each job's dataset is ready (0 without one, inf never; ``models/data_pipeline.py``)."""
    wan: WanFlows | None = None
    """The WAN flows of the services with a users' site (``compile/sites.py``); None without."""
    retrain: RetrainPlan | None = None
    """Drift monitoring's retraining jobs (``compile/retrain.py``); None when no job is watched."""

    @property
    def n_train(self) -> int:
        """How many training jobs."""
        return len(self.train_ids)

    @property
    def n_inf(self) -> int:
        """How many inference services."""
        return len(self.inf_ids)


def _mask(
    placement: list[str], index: dict[str, int], rack_node: IntArray, cloud_node: IntArray
) -> tuple[BoolArray, BoolArray]:
    if not placement or placement == ["any"]:
        return np.ones(rack_node.shape[0], dtype=bool), np.ones(cloud_node.shape[0], dtype=bool)
    wanted = np.asarray([index[p] for p in placement if p in index], dtype=np.int64)
    return np.isin(rack_node, wanted), np.isin(cloud_node, wanted)


def compile_workloads(
    sc: Scenario, index: dict[str, int], rack_node: IntArray, cloud_node: IntArray
) -> Workloads:
    """Flatten the scenario's workloads; placement lists become rack and cloud masks."""
    train = [w for w in sc.workloads if isinstance(w, TrainingJob)]
    inf = [w for w in sc.workloads if isinstance(w, InferenceService)]
    n_r, n_c = rack_node.shape[0], cloud_node.shape[0]
    t_rack = np.zeros((len(train), n_r), dtype=bool)
    t_cloud = np.zeros((len(train), n_c), dtype=bool)
    for j, job in enumerate(train):
        t_rack[j], t_cloud[j] = _mask(job.placement, index, rack_node, cloud_node)
    i_rack = np.zeros((len(inf), n_r), dtype=bool)
    i_cloud = np.zeros((len(inf), n_c), dtype=bool)
    for i, svc in enumerate(inf):
        i_rack[i], i_cloud[i] = _mask(svc.placement, index, rack_node, cloud_node)
    keyed: list[tuple[int, int, tuple[str, int]]] = []
    t_pos = i_pos = 0
    for pos, w in enumerate(sc.workloads):
        if isinstance(w, TrainingJob):
            keyed.append((-w.priority, pos, ("t", t_pos)))
            t_pos += 1
        else:
            keyed.append((-w.priority, pos, ("i", i_pos)))
            i_pos += 1
    keyed.sort(key=lambda item: (item[0], item[1]))
    return Workloads(
        ids=tuple(w.id for w in sc.workloads),
        train_ids=tuple(w.id for w in train),
        train_names=tuple(w.name or w.id for w in train),
        flops_total=np.asarray(
            [
                w.total_flops
                if w.total_flops is not None
                else 6.0 * w.parameters_b * 1e9 * w.tokens_t * 1e12
                for w in train
            ],
            dtype=np.float64,
        ),
        gpus_req=np.asarray([w.accelerators_requested for w in train], dtype=np.float64),
        mfu=np.asarray(
            [DEFAULT_TARGET_MFU if w.target_mfu is None else w.target_mfu for w in train],
            dtype=np.float64,
        ),
        fp8=np.asarray([w.precision == "fp8" for w in train], dtype=bool),
        train_start_s=np.asarray([w.start_s for w in train], dtype=np.float64),
        params_b=np.asarray([w.parameters_b for w in train], dtype=np.float64),
        ckpt_fixed=np.asarray([w.checkpoint.mode == "fixed" for w in train], dtype=bool),
        ckpt_interval_s=np.asarray([w.checkpoint.interval_s for w in train], dtype=np.float64),
        restart_s=np.asarray([w.checkpoint.restart_s for w in train], dtype=np.float64),
        bytes_per_param=np.asarray([w.checkpoint.bytes_per_param for w in train], dtype=np.float64),
        train_rack_mask=t_rack,
        train_cloud_mask=t_cloud,
        inf_ids=tuple(w.id for w in inf),
        inf_params_b=np.asarray([w.model_parameters_b for w in inf], dtype=np.float64),
        inf_peak_tps=np.asarray([w.peak_demand_tokens_per_s for w in inf], dtype=np.float64),
        inf_profile=np.asarray([w.daily_profile for w in inf], dtype=np.float64).reshape(
            len(inf), 24
        ),
        inf_tps_per_gpu=np.asarray([w.tokens_per_s_per_accelerator for w in inf], dtype=np.float64),
        inf_start_s=np.asarray([w.start_s for w in inf], dtype=np.float64),
        inf_rack_mask=i_rack,
        inf_cloud_mask=i_cloud,
        order=tuple(k for _, _, k in keyed),
        min_gpus=np.asarray(
            [w.min_accelerators or w.accelerators_requested for w in train], dtype=np.float64
        ),
        elastic=np.asarray([w.elastic for w in train], dtype=bool),
        priority=np.asarray([w.priority for w in train], dtype=np.float64),
        teams=tuple(w.team for w in train),
    )


def take_greedy(free: FloatArray, mask: BoolArray, want: float) -> FloatArray:
    """Take up to ``want`` accelerators from ``free`` where ``mask``, first racks first."""
    return _take_first(free, mask, want)[0]


def _take_first(
    free: FloatArray, mask: BoolArray, want: float, lo: int = 0
) -> tuple[FloatArray, int, int]:
    """``take_greedy``'s result, a bound ``hi`` (only racks before ``hi`` give any) and a reach.

    ``lo`` > 0 promises that every rack before it has exactly 0 free and every free count is
    >= 0 (``place`` keeps both true); those racks are then not looked at. With every count
    >= 0 the result depends only on the free counts of the racks before the reach: the rack
    that filled ``want`` (it gives the last accelerators) plus one, or all racks when none did.
    """
    n = free.shape[0]
    if want <= 0:
        return np.zeros_like(free), 0, 0
    # Only the first racks whose free accelerators add up to ``want`` give any: the running
    # total is accumulated in order (the same float sums whatever the window; racks before
    # ``lo`` add exact zeros) and never falls once the free counts are >= 0, so every rack past
    # the window takes 0. The window grows until it holds ``want`` (a job on a 380k-rack
    # factory looks at its few thousand racks).
    hi = lo + _WINDOW if n - lo > _WINDOW and (lo > 0 or free.min() >= 0) else n
    while True:
        avail = np.where(mask[lo:hi], free[lo:hi], 0.0)
        upto = np.cumsum(avail)
        if hi == n or upto[-1] >= want:
            break
        hi = min(n, lo + (hi - lo) * 4)
    got = np.zeros_like(free)
    got[lo:hi] = np.minimum(np.maximum(want - (upto - avail), 0.0), avail)
    reach = lo + int(np.argmax(upto >= want)) + 1 if upto.size and upto[-1] >= want else hi
    return got, hi, reach


def _first_free(free: FloatArray, lo: int) -> int:
    """The first rack at or after ``lo`` with any free accelerator (``len(free)``: none)."""
    n = len(free)
    while lo < n:
        found = np.flatnonzero(free[lo : lo + _WINDOW])
        if found.size:
            return lo + int(found[0])
        lo += _WINDOW
    return n


_WINDOW = 16_384
"""First window of racks ``take_greedy`` looks at (a full scan below that)."""


def take_nearest(
    free: FloatArray, mask: BoolArray, latency_ms: FloatArray, want: float
) -> FloatArray:
    """``take_greedy`` over the racks nearest the users first (by round trip, then in order)."""
    got = np.zeros_like(free)
    for tier in np.unique(latency_ms[mask]):
        left = want - float(got.sum())
        if left <= 0:
            break
        got += take_greedy(free, mask & (latency_ms == tier), left)
    return got


@dataclass
class Placement:
    """Accelerators per workload per rack (and per cloud node) for the current tick.

    Training on site is held as per-job index lists (``train_racks``, ``models/segments.py``):
    its cost grows with the racks the jobs hold, not with jobs × racks. ``train`` builds the
    dense jobs × racks matrix on demand for readers that want one.
    """

    train_racks: JobRacks
    inf: npt.NDArray[np.float64]
    train_cloud: npt.NDArray[np.float64]
    inf_cloud: npt.NDArray[np.float64]
    _train: FloatArray | None = field(default=None, init=False, repr=False)

    @property
    def train(self) -> npt.NDArray[np.float64]:
        """Accelerators per training job per rack, dense (read-only, built on first use)."""
        if self._train is None:
            dense = self.train_racks.dense()
            dense.setflags(write=False)
            self._train = dense
        return self._train


def inference_demand_tps(wl: Workloads, hour: int, time_s: float) -> FloatArray:
    """Tokens/s demanded by each service this hour (0 before its start)."""
    started = wl.inf_start_s <= time_s
    return np.where(started, wl.inf_peak_tps * wl.inf_profile[:, hour % 24], 0.0)
