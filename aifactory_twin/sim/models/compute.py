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
from aifactory_twin.sim.models.segments import EMPTY_ROW, JobRacks, Row, row_of
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


def place(
    wl: Workloads,
    free_gpus: FloatArray,
    cloud_free: FloatArray,
    train_want: FloatArray,
    inf_want: FloatArray,
) -> Placement:
    """Greedy placement by priority: on site first, then cloud burst for the shortfall."""
    return _greedy(wl, free_gpus, cloud_free, train_want, inf_want, None)[0]


@dataclass(frozen=True)
class _Step:
    """One workload ``place`` gave to: what it read and what it took."""

    kind: str
    k: int
    lo: int
    """Racks before ``lo`` had nothing free when this workload was placed."""
    reach: int
    """Racks from ``reach`` on were not read, by the take nor by the next ``lo`` scan."""
    cfree: FloatArray
    """Cloud accelerators free before this workload."""
    taken: Row
    """(racks, accelerators > 0) taken on site."""


@dataclass
class _Trace:
    """What the last ``_greedy`` read and made (``Placer``)."""

    wl: Workloads
    free_gpus: FloatArray
    cloud_free: bytes
    wants: bytes
    exact: bool
    """Every free count is >= +0.0 (no NaN, no -0.0) and no workload is placed by latency."""
    steps: list[_Step]
    placement: Placement


def _exact(wl: Workloads, free: FloatArray) -> bool:
    """Whether ``place``'s reads are all windowed: no latency tiers, every count a plain >= 0."""
    return (
        wl.wan is None
        and free.size > 0
        and bool(free.min() >= 0)
        and not bool(np.signbit(free).any())
    )


def _greedy(
    wl: Workloads,
    free_gpus: FloatArray,
    cloud_free: FloatArray,
    train_want: FloatArray,
    inf_want: FloatArray,
    resume: tuple[_Trace, int] | None,
) -> tuple[Placement, list[_Step]]:
    """``place``, recording each workload's reads; ``resume`` = (trace, m) keeps its first m."""
    free = free_gpus.copy()
    rows: list[Row] = [EMPTY_ROW] * wl.n_train
    inf = np.zeros((wl.n_inf, free.shape[0]))
    trc = np.zeros((wl.n_train, cloud_free.shape[0]))
    infc = np.zeros((wl.n_inf, cloud_free.shape[0]))
    steps: list[_Step] = []
    # Racks before ``lo`` have nothing left for anyone (jobs take the first racks first, so
    # on a big factory that is most racks the earlier jobs took); kept only while every free
    # count is >= 0, as ``_take_first`` needs.
    lo = 0
    skip = free.size > 0 and free.min() >= 0
    order = wl.order
    if resume is not None:
        # The first m workloads read only racks that did not change: they take what they
        # took, and every free count is what it was when the m-th came (the same subtractions
        # in the same order; subtracting a 0 leaves a count >= +0.0 as it is).
        trace, m = resume
        old = trace.placement
        steps = trace.steps[:m]
        for s in steps:
            racks, gpus = s.taken
            free[racks] -= gpus
            if s.kind == "t":
                rows[s.k], trc[s.k] = s.taken, old.train_cloud[s.k]
            else:
                inf[s.k], infc[s.k] = old.inf[s.k], old.inf_cloud[s.k]
        nxt = trace.steps[m] if m < len(trace.steps) else None
        if nxt is None:
            return _placement(rows, free.shape[0], inf, trc, infc), steps
        lo, cfree = nxt.lo, nxt.cfree.copy()
        order = order[order.index((nxt.kind, nxt.k)) :]
    else:
        cfree = cloud_free.copy()
    for kind, k in order:
        is_t = kind == "t"
        want = float(train_want[k] if is_t else inf_want[k])
        if want <= 0:
            continue
        lo_before, c_before = lo, cfree.copy()
        if is_t or wl.wan is None:
            mask = wl.train_rack_mask[k] if is_t else wl.inf_rack_mask[k]
            got, hi, reach = _take_first(free, mask, want, lo)
            free[lo:hi] -= got[lo:hi]  # no rack outside gave anything
        else:
            # Nearest racks first: racks before ``lo`` have nothing free, so they give 0 here too.
            got = take_nearest(free, wl.inf_rack_mask[k], wl.wan.rack_latency_ms[k], want)
            free -= got
            hi = reach = free.shape[0]
        if skip:
            lo = _first_free(free, lo)
        rest = want - float(got.sum())
        cgot = np.zeros_like(cfree)
        if rest > 0 and cfree.size:
            cmask = wl.train_cloud_mask[k] if is_t else wl.inf_cloud_mask[k]
            cgot = take_greedy(cfree, cmask, rest)
            cfree -= cgot
        taken = row_of(got[:hi])
        if is_t:
            rows[k], trc[k] = taken, cgot
        else:
            inf[k], infc[k] = got, cgot
        # The next ``lo`` read the racks up to the first one with any free (itself included).
        reach = max(reach, min(lo + 1, free.shape[0]))
        steps.append(_Step(kind, k, lo_before, reach, c_before, taken))
    return _placement(rows, free.shape[0], inf, trc, infc), steps


def _placement(
    rows: list[Row], n_racks: int, inf: FloatArray, trc: FloatArray, infc: FloatArray
) -> Placement:
    return Placement(JobRacks.from_rows(rows, n_racks), inf=inf, train_cloud=trc, inf_cloud=infc)


class Placer:
    """``place`` that redoes only the workloads a change of free accelerators reaches.

    The greedy placement of a workload reads the free counts of the racks up to the furthest
    one it took from or scanned (its reach) and nothing past it. When only racks at or past
    every reach of the first m workloads changed (free counts, bit for bit; same workloads,
    wants and cloud), those m take exactly what they took before, and the placement resumes at
    the (m+1)-th with the free counts rebuilt from theirs: the same result as ``place``, bit
    for bit, at the cost of what the change reaches.
    """

    incremental = True
    """Resume from the first workload a change reaches (False: every call places all)."""

    def __init__(self) -> None:
        self._last: _Trace | None = None
        self.kept = 0
        """Workloads taken over from the last call (read by the tests)."""

    def place(
        self,
        wl: Workloads,
        free_gpus: FloatArray,
        cloud_free: FloatArray,
        train_want: FloatArray,
        inf_want: FloatArray,
    ) -> Placement:
        """``place(wl, free_gpus, cloud_free, train_want, inf_want)``."""
        wants = train_want.tobytes() + inf_want.tobytes()
        cloud = cloud_free.tobytes()
        last = self._last
        resume: tuple[_Trace, int] | None = None
        exact = False
        if (
            self.incremental
            and last is not None
            and last.exact
            and last.wl is wl
            and last.wants == wants
            and last.cloud_free == cloud
            and last.free_gpus.shape == free_gpus.shape
        ):
            moved = np.flatnonzero(free_gpus.view(np.uint64) != last.free_gpus.view(np.uint64))
            vals = free_gpus[moved]
            exact = bool((vals >= 0).all()) and not bool(np.signbit(vals).any())
            if exact:
                first = int(moved[0]) if moved.size else free_gpus.shape[0]
                m = next((i for i, s in enumerate(last.steps) if s.reach > first), len(last.steps))
                resume = (last, m)
                self.kept += m
        if resume is None:
            exact = self.incremental and _exact(wl, free_gpus)
        pl, steps = _greedy(wl, free_gpus, cloud_free, train_want, inf_want, resume)
        if exact:
            kept = free_gpus if not free_gpus.flags.writeable else free_gpus.copy()
            self._last = _Trace(wl, kept, cloud, wants, True, steps, pl)
        else:
            self._last = None
        return pl


def inference_demand_tps(wl: Workloads, hour: int, time_s: float) -> FloatArray:
    """Tokens/s demanded by each service this hour (0 before its start)."""
    started = wl.inf_start_s <= time_s
    return np.where(started, wl.inf_peak_tps * wl.inf_profile[:, hour % 24], 0.0)
