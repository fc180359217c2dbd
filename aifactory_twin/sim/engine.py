"""The coupled engine: ``step()`` runs one tick of every stage, ``run()`` to the horizon.

One step = events → availability → work → rack power → heat → plant and power → money →
staff → record.
Vectorized over nodes with numpy (a node's ``count`` multiplies, never loops); one
``np.random.Generator(PCG64(seed))`` drawn in a fixed order, so the same compiled scenario and
seed give bit-identical results. No I/O, no Qt. ``Engine`` is the public face (step, run,
node_state, node_history, kpis, inject, events, update_parameters); the state and the order of
a step live in ``engine_state.py``, each stage in ``sim/stages``, the formulas in
``sim/models``. Simplification: the power-cap factor of the distribution chain acts on the
next step (the chain needs this step's cooling power, which needs this step's heat).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from aifactory_twin.schema import Scenario, ScheduledEvent
from aifactory_twin.sim import quiet
from aifactory_twin.sim.compile import CompiledScenario, compile_scenario, deliveries_for_seed
from aifactory_twin.sim.engine_state import EngineState
from aifactory_twin.sim.kpis import compute_kpis
from aifactory_twin.sim.models.wan import STREAM_BYTES_PER_TOKEN
from aifactory_twin.sim.recorder import Recorder
from aifactory_twin.sim.stages.view import STATUS_NAMES

__all__ = [
    "EVENT_KINDS",
    "MAX_EVENT_RECORDS",
    "STATUS_NAMES",
    "Engine",
    "EventRecord",
    "JobTable",
]

EVENT_KINDS: tuple[str, ...] = (
    "thermal_throttle",
    "shutdown",
    "overload",
    "cooling_failure",
    "unit_failed",
    "unit_repaired",
    "job_interrupted",
    "job_requeued",
    "job_finished",
    "delivery_arrived",
    "staff_left",
    "model_launched",
    "drift_detected",
    "retrain_submitted",
    "wan_saturated",
    "injected",
)
MAX_EVENT_RECORDS = 200_000


@dataclass(frozen=True)
class EventRecord:
    """Something that happened during a run, for the event log and the live view."""

    time_s: float
    kind: str
    node_id: str
    message: str


@dataclass(frozen=True)
class JobTable:
    """The training jobs of a run so far (index = compiled job order), for the live Gantt.

    Times are simulated seconds: ``submit_s`` is inf for a retraining job not submitted yet,
    ``start_s`` the first start (NaN while still queued),
    ``end_s`` the finish (NaN while not done). ``held`` is the accelerators each job holds now
    (site and cloud); ``node_job`` names, per node, the job holding most accelerators on it
    (-1: none), for colouring racks by job.
    """

    ids: tuple[str, ...]
    teams: tuple[str, ...]
    submit_s: npt.NDArray[np.float64]
    start_s: npt.NDArray[np.float64]
    end_s: npt.NDArray[np.float64]
    accelerators: npt.NDArray[np.float64]
    held: npt.NDArray[np.float64]
    node_job: npt.NDArray[np.int64]


class Engine:
    """Steps a compiled scenario; read-only state for views, KPIs at any time."""

    def __init__(
        self,
        compiled: CompiledScenario,
        seed: int = 0,
        *,
        lean: bool = False,
        event_steps: bool = True,
    ) -> None:
        self.seed = int(seed)
        compiled = deliveries_for_seed(compiled, self.seed)
        self.compiled = compiled
        self.lean = lean
        """Study mode: no per-node samples and no event records (counts only); same results."""
        self.event_steps = event_steps
        """``run`` repeats quiet steps many at a time (``sim/quiet.py``); same results."""
        self.rng = np.random.Generator(np.random.PCG64(self.seed))
        self.events: list[EventRecord] = []
        self.event_counts: dict[str, int] = dict.fromkeys(EVENT_KINDS, 0)
        self._pending: list[ScheduledEvent] = []
        self._next_scheduled = 0
        self.state = EngineState(compiled, self._log)
        self.recorder = Recorder(compiled, node_samples=not lean)
        self.time_s = 0.0
        self.step_index = 0

    # -- read-only views -------------------------------------------------------------------
    @property
    def done(self) -> bool:
        """Whether the run has reached the horizon."""
        return self.time_s >= self.compiled.horizon_s - 1e-9

    @property
    def node_ids(self) -> tuple[str, ...]:
        """Node ids in array order."""
        return self.compiled.node_ids

    @property
    def node_kinds(self) -> npt.NDArray[np.str_]:
        """Node kinds in array order."""
        return self.compiled.node_kinds

    def node_state(self) -> dict[str, npt.NDArray[Any]]:
        """Current per-node arrays (index as ``node_ids``); copies, safe to keep."""
        return self.state.node_state()

    def node_history(self, node_id: str) -> dict[str, npt.NDArray[np.float64]]:
        """Coarse per-node series: times_s, temp_c, power_kw, utilization."""
        if node_id not in self.compiled.index:
            raise KeyError(f"unknown node id {node_id!r}")
        return self.recorder.node_history(self.compiled.index[node_id])

    def wan_load(self) -> dict[str, tuple[float, float]]:
        """WAN edge id → (load, bandwidth_gbps) of this run (its variant's values).

        The load is the tokens/s the last step asked of the link over what it carries (> 1:
        saturated); only links some service's flows cross, 0 before any demand reached them.
        """
        wan = self.compiled.workloads.wan
        if wan is None:
            return {}
        load = self.state.work.jobs.wan_asked_tps / wan.link_tps
        gbps = wan.link_tps * STREAM_BYTES_PER_TOKEN * 8.0 / 1e9
        return {
            link: (float(x), float(g)) for link, x, g in zip(wan.link_ids, load, gbps, strict=True)
        }

    def job_table(self) -> JobTable:
        """Submit, first start and end of every training job, what it holds now and where."""
        c = self.compiled
        wl = c.workloads
        work = self.state.work
        pl = work.placement
        node_job = np.full(c.n_nodes, -1, dtype=np.int64)
        if pl is None or wl.n_train == 0:
            held = np.zeros(wl.n_train)
        else:
            # On site from the placement's (job, rack, accelerators) entries: the cost follows
            # the racks held, not jobs × racks. Per rack the job with most accelerators there
            # (ties: the lower job index, as an argmax would pick).
            tr = pl.train_racks
            held = tr.per_job_sum(tr.gpus) + pl.train_cloud.sum(axis=1)
            order = np.lexsort((tr.job, -tr.gpus, tr.rack))
            racks = tr.rack[order]
            first = order[np.r_[True, racks[1:] != racks[:-1]]] if order.size else order
            node_job[c.racks.node[tr.rack[first]]] = tr.job[first]
            cloud = pl.train_cloud
            if cloud.size:
                top = np.argmax(cloud, axis=0)
                busy = cloud[top, np.arange(cloud.shape[1])] > 0
                node_job[c.cloud.node[busy]] = top[busy]
        submit_s = work.submits.s.copy()
        if wl.retrain is not None:
            # A retraining job drift monitoring submits later is not known yet: not submitted.
            later = (wl.retrain.origin != np.arange(wl.n_train)) & (submit_s > self.time_s)
            submit_s[later] = np.inf
        return JobTable(
            ids=wl.train_ids,
            teams=wl.teams,
            submit_s=submit_s,
            start_s=work.sched.first_start_s.copy(),
            end_s=work.jobs.finish_s.copy(),
            accelerators=wl.gpus_req.copy(),
            held=held,
            node_job=node_job,
        )

    def job_nodes(self, job: int) -> tuple[str, ...]:
        """Ids of the racks and cloud bursts where training job ``job`` holds accelerators now."""
        c = self.compiled
        pl = self.state.work.placement
        if pl is None or not 0 <= job < c.workloads.n_train:
            return ()
        racks, _gpus = pl.train_racks.row(job)
        nodes = np.concatenate([c.racks.node[racks], c.cloud.node[pl.train_cloud[job] > 0]])
        return tuple(c.node_ids[i] for i in dict.fromkeys(nodes.tolist()))

    def next_submission_s(self) -> float:
        """When the next training job enters the queue after now (inf: none pending).

        Covers the file's submit times and the retraining jobs drift monitoring has submitted
        for later (``stages/submits.py``): a stepping scheme that skips ticks must stop there.
        """
        return self.state.work.submits.next_after(self.time_s)

    def kpis(self) -> dict[str, Any]:
        """The KPI dictionary of kpis.json for what has run so far."""
        # The state's parameters: an injected supply disruption replans its deliveries.
        return compute_kpis(self.state.c, self.state, self.recorder, self.time_s, self.seed)

    # -- control ---------------------------------------------------------------------------
    def inject(self, event: ScheduledEvent) -> None:
        """Apply ``event`` at the next tick (its ``time_s`` is ignored)."""
        self.state.check_event(event, "event")
        self._pending.append(event)

    def update_parameters(self, scenario: Scenario) -> None:
        """Swap in the parameters of ``scenario`` (same nodes, edges and workloads)."""
        new = compile_scenario(
            scenario, horizon_s=self.compiled.horizon_s, step_s=self.compiled.step_s
        )
        new = deliveries_for_seed(new, self.seed)
        if new.topology_key() != self.compiled.topology_key():
            raise ValueError(
                "topology changed (nodes, edges or workloads differ); recompile and restart"
            )
        self.compiled = new
        self.state.swap_parameters(new)
        self.recorder.compiled = new

    def run(
        self, until_s: float | None = None, progress: Callable[[float], None] | None = None
    ) -> None:
        """Step until ``until_s`` (default: the horizon); ``progress`` gets the time reached."""
        stop = self.compiled.horizon_s if until_s is None else float(until_s)
        every = max(1, round(self.compiled.horizon_s / self.compiled.step_s / 200))
        while self.time_s < stop - 1e-9:
            before = quiet.state_key(self.state) if self.event_steps else None
            index = self.step_index
            self.step()
            if (
                before is not None
                and not self._pending
                and quiet.is_fixed_point(self.state)
                and before == quiet.state_key(self.state)
            ):
                self._repeat_quiet(stop)
            if progress is not None and index // every != self.step_index // every:
                progress(self.time_s)
        if progress is not None:
            progress(self.time_s)

    def step(self) -> None:
        """Advance one tick of ``compiled.step_s``."""
        dt = self.compiled.step_s
        t = self.time_s
        due: list[ScheduledEvent] = []
        events = self.compiled.events
        while self._next_scheduled < len(events) and events[self._next_scheduled].time_s <= t:
            due.append(events[self._next_scheduled])
            self._next_scheduled += 1
        due.extend(self._pending)
        self._pending.clear()
        for event in due:
            self.state.apply_event(event, t)
        self.state.advance(self.rng, t, dt)
        self.time_s = t + dt
        self.step_index += 1
        self.recorder.record(self.time_s, self.state.ledger.out, self.state.values)

    # -- internals -------------------------------------------------------------------------
    def _repeat_quiet(self, stop: float) -> None:
        """After a quiet step, repeat it as long as fixed stepping would (``sim/quiet.py``)."""
        events = self.compiled.events
        next_event_s = (
            events[self._next_scheduled].time_s if self._next_scheduled < len(events) else math.inf
        )
        k, end = quiet.repeat_quiet(
            self.state, self.rng, self.recorder, self.time_s, self.compiled.step_s, stop,
            next_event_s,
        )  # fmt: skip
        if k:
            self.time_s = end
            self.step_index += k

    def _log(self, time_s: float, kind: str, node_id: str, message: str) -> None:
        self.event_counts[kind] = self.event_counts.get(kind, 0) + 1
        if not self.lean and len(self.events) < MAX_EVENT_RECORDS:
            self.events.append(EventRecord(time_s, kind, node_id, message))
