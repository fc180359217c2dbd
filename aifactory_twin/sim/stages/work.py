"""Work stage: what the racks can offer, where the workloads run, how fast they progress.

Owns the placement (``placement``, ``version`` bumped when it changes), the fabric bandwidth
per rack (``rack_bw``, ``rack_bw_local``), the shared storage bandwidth per accelerator
(``rack_store_per_gpu``) and the job state (``jobs``, see ``jobs.py``). All arrays it hands out
are read-only. In a step it runs twice: ``capacity``/``interrupt``/``place`` before the racks'
power is known, the jobs' progress (``jobs.advance``) after the plant stage (the order of the
event log).
Formulas: ``models/compute.py``, ``models/network.py``, ``models/data.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from aifactory_twin.sim.compiled import CompiledScenario
from aifactory_twin.sim.models import data as dat
from aifactory_twin.sim.models import network as net
from aifactory_twin.sim.models import thermal as th
from aifactory_twin.sim.models.compute import Placement
from aifactory_twin.sim.models.placement import Placer
from aifactory_twin.sim.stages import incremental as inc
from aifactory_twin.sim.stages.handoff import (
    BoolArray,
    FloatArray,
    LogFn,
    RackCapacity,
    frozen,
)
from aifactory_twin.sim.stages.jobs import Jobs
from aifactory_twin.sim.stages.scheduler import Scheduler
from aifactory_twin.sim.stages.submits import SubmitTimes


@dataclass
class WorkCache:
    """Keys of what was last computed (reset by a parameter swap)."""

    capacity: RackCapacity | None = None
    store_version: int | None = None
    """Availability version ``rack_store_per_gpu`` was computed for."""
    place_key: tuple[object, ...] | None = None
    fabric_key: tuple[int, bytes] | None = None
    """(placement version, switch capacity up) of ``rack_bw``: a rack's failure leaves it."""
    rack_units: tuple[tuple[Any, ...], tuple[FloatArray, ...]] | None = None
    """((units up per rack, status, supply, unstaffed) given, what ``_rack_units`` gave)."""
    staffed: tuple[bytes, BoolArray] | None = None
    """(headcount, nodes that need support and have nobody) of the last capacity."""


def _units(
    rack_up: FloatArray,
    rack_status: np.ndarray[tuple[int], np.dtype[np.int8]],
    rack_supply: FloatArray,
    rack_unstaffed: BoolArray,
    gpus_per_unit: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(units up, on, shut down, free accelerators) of racks (elementwise).

    A rack whose power path is lost (supply factor 0) has no unit up: it draws nothing, not
    even standby, and its accelerators count as down.
    """
    powered = rack_supply > 0
    if not powered.all():
        rack_up = np.where(powered, rack_up, 0.0)
    shut = rack_status == th.STATUS_SHUTDOWN
    units_on = np.where(shut, 0.0, rack_up)
    free = units_on * gpus_per_unit * (powered & ~rack_unstaffed)
    return rack_up, units_on, np.where(shut, rack_up, 0.0), free


def _arrays(pl: Placement) -> tuple[npt.NDArray[Any], ...]:
    """Every array of a placement."""
    jr = pl.train_racks
    return (jr.job, jr.rack, jr.gpus, jr.start, pl.inf, pl.train_cloud, pl.inf_cloud)


def same_placement(a: Placement, b: Placement) -> bool:
    """Whether two placements hold the same accelerators everywhere (bit for bit)."""
    return a.train_racks.n_racks == b.train_racks.n_racks and all(
        x.shape == y.shape and x.dtype == y.dtype and x.tobytes() == y.tobytes()
        for x, y in zip(_arrays(a), _arrays(b), strict=True)
    )


class Work:
    """Placement, fabric and storage bandwidth, and the jobs."""

    incremental = True
    """Update per-rack units only where units changed (False: all; the tests compare both)."""

    def __init__(self, c: CompiledScenario, log: LogFn) -> None:
        n_r = c.racks.node.shape[0]
        self.log = log
        self.submits = SubmitTimes(c.workloads)
        self.jobs = Jobs(c, self.submits)
        self.sched = Scheduler(c, self.submits)
        self.placement: Placement | None = None
        self.version = 0
        self.rack_bw = frozen(np.zeros(n_r))
        self.rack_bw_local = frozen(np.zeros(n_r))
        self.rack_store_per_gpu = frozen(np.zeros(n_r))
        self.rates_version = 0
        """Bumped when ``rack_bw``, ``rack_bw_local`` or ``rack_store_per_gpu`` change."""
        self.swap(c)

    def swap(self, c: CompiledScenario) -> None:
        """Take the parameters of ``c`` (same nodes and workloads)."""
        self.c = c
        self.submits.swap(c.workloads)
        self.jobs.swap(c)
        self.sched.swap(c)
        self.has_support = np.bincount(c.staff.support_node, minlength=c.n_nodes) > 0
        self.cache = WorkCache()
        self.placer = Placer()

    def capacity(
        self,
        up: FloatArray,
        key: tuple[int, int, int],
        headcount: FloatArray,
        rack_status: np.ndarray[tuple[int], np.dtype[np.int8]],
        supply_factor: FloatArray,
    ) -> RackCapacity:
        """Rack-level availability; ``key`` = (availability, thermal, supply) versions."""
        known = self.cache.capacity
        if known is not None and known.key == key:
            return known
        c = self.c
        unstaffed = self._unstaffed(headcount)
        rack_up, units_on, units_sd, free = self._rack_units(
            up[c.racks.node], rack_status, supply_factor, unstaffed
        )
        cap = self.cache.capacity = RackCapacity(
            key=key,
            up=up,
            unstaffed=unstaffed,
            rack_up=rack_up,
            units_on=units_on,
            units_sd=units_sd,
            free=free,
        )
        if self.cache.store_version != key[0] and (
            c.storage.edge_storage_index.size or self.cache.store_version is None
        ):
            # (With no storage edges every rack reads 0 GB/s, whatever is up.)
            gpus_up_rack = rack_up * c.racks.gpus_per_unit
            store_up = up[c.storage.node] * c.storage.throughput_gbs
            rack_store = dat.rack_storage_gbs(
                store_up, c.storage.edge_storage_index, c.storage.edge_rack_index, gpus_up_rack
            )
            store = rack_store / np.maximum(gpus_up_rack, 1.0)
            if store.tobytes() != self.rack_store_per_gpu.tobytes():
                self.rack_store_per_gpu = frozen(store)
                self.rates_version += 1
            self.cache.store_version = key[0]
        return cap

    def _rack_units(
        self,
        rack_up: FloatArray,
        rack_status: np.ndarray[tuple[int], np.dtype[np.int8]],
        supply_factor: FloatArray,
        unstaffed: BoolArray,
    ) -> tuple[FloatArray, ...]:
        """(units up, on, shut down, free accelerators) per rack, read-only.

        Elementwise per rack: a failure recomputes its own rack only (``stages/incremental``),
        as long as status, supply and staffing are the arrays of the last call.
        """
        c = self.c
        rn = c.racks.node
        last = self.cache.rack_units
        if last is not None and self.incremental:
            (l_up, l_status, l_supply, l_unstaffed), l_out = last
            if l_status is rack_status and l_supply is supply_factor and l_unstaffed is unstaffed:
                idx = inc.changed([rack_up], [l_up])
                if inc.worth_it(idx, rack_up.shape[0]):
                    part = _units(
                        rack_up[idx], rack_status[idx], supply_factor[rn[idx]],
                        unstaffed[rn[idx]], c.racks.gpus_per_unit[idx],
                    )  # fmt: skip
                    out = tuple(frozen(a) for a in inc.put(l_out, idx, part))
                    self.cache.rack_units = ((rack_up, rack_status, supply_factor, unstaffed), out)
                    return out
        out = tuple(
            frozen(a)
            for a in _units(
                rack_up, rack_status, supply_factor[rn], unstaffed[rn], c.racks.gpus_per_unit
            )
        )
        self.cache.rack_units = ((rack_up, rack_status, supply_factor, unstaffed), out)
        return out

    def _unstaffed(self, headcount: FloatArray) -> BoolArray:
        """Nodes that need support staff and have none (kept while the headcount stands)."""
        key = headcount.tobytes()
        known = self.cache.staffed
        if known is None or known[0] != key:
            c = self.c
            team_people = (headcount > 0).astype(float)
            people = np.bincount(
                c.staff.support_node,
                weights=team_people[c.staff.support_team_index],
                minlength=c.n_nodes,
            )
            known = self.cache.staffed = (key, frozen(self.has_support & (people == 0)))
        return known[1]

    def interrupt(self, t: float, hit_racks: BoolArray) -> None:
        """Jobs on racks that lost units roll back, judged on the placement they ran on."""
        assert self.placement is not None
        self.jobs.interrupt(t, hit_racks, self.placement, self.log)

    def place(self, t: float, hour: int, cap: RackCapacity) -> FloatArray:
        """Place the workloads wanted now on the free accelerators; tokens/s demanded.

        Also brings the fabric bandwidth up to date with the placement and the units up.
        """
        c = self.c
        jobs, sched = self.jobs, self.sched
        if c.workloads.dataset_ready_s is not None:
            # Issue 14: a job cannot start before the data pipeline has made its dataset ready.
            sched.set_gate("dataset", c.workloads.dataset_ready_s <= t)
        train_want, inf_want, inf_demand = jobs.wants(t, hour)
        key = (cap.key, train_want.tobytes(), inf_want.tobytes(), sched.version)
        if self.placement is None or self.cache.place_key != key:
            submitted = self.submits.s <= t
            if sched.queued:
                pl = sched.schedule(
                    t, submitted, jobs.completed, cap.free, c.cloud.max_gpus, inf_want,
                    jobs.progress_flops, jobs.rate_flops, jobs.restart_left_s, self.placement,
                    self.log,
                )  # fmt: skip
            else:
                want = sched.gated_wants(train_want)
                pl = self.placer.place(c.workloads, cap.free, c.cloud.max_gpus, want, inf_want)
                sched.note_starts(t, pl, submitted, jobs.completed)
            self.cache.place_key = key
            # A failure re-places the workloads; where nothing moved (the failed unit held no
            # work) the placement and its version stand, and so does all that follows from it.
            if self.placement is None or not same_placement(pl, self.placement):
                for arr in _arrays(pl):
                    frozen(arr)
                self.placement = pl
                self.version += 1
        port_gbps = cap.up[c.network.switch_node] * c.network.switch_capacity_gbps
        if self.cache.fabric_key != (self.version, port_gbps.tobytes()):
            self._fabric(port_gbps)
        return inf_demand

    def _fabric(self, port_gbps: FloatArray) -> None:
        """Fabric bandwidth per rack for the placement and the switch capacity up."""
        # The fabric carries the NIC traffic of the accelerators placed on training jobs (idle
        # and inference accelerators leave it free); recomputed when placement or switches
        # change (a rack's own units do not enter it).
        c = self.c
        assert self.placement is not None
        jr = self.placement.train_racks
        train_gpus = jr.per_rack_sum(jr.gpus)
        bw, bw_local = net.fabric_bandwidth(
            c.network.fabric,
            port_gbps,
            c.network.switch_oversubscription,
            train_gpus,
            c.racks.nic_gbps,
        )
        self.rack_bw, self.rack_bw_local = frozen(bw), frozen(bw_local)
        self.rates_version += 1
        self.cache.fabric_key = (self.version, port_gbps.tobytes())
