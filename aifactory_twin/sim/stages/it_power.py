"""IT-power stage: what the racks draw for the work placed on them, and how fast they run.

Owns nothing between steps but its cache: the ``RackBlock`` (rack power, busy share, pace,
heat into each rack), a function of the placement, thermal status, supply caps, job restarts
and inference demand only; recomputed when one of those changed. Formulas:
``models/power.py`` (accelerator and host power, power-cap slowdown).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from aifactory_twin.sim.compiled import CompiledScenario
from aifactory_twin.sim.models import faults as ft
from aifactory_twin.sim.models import power as pw
from aifactory_twin.sim.models import thermal as th
from aifactory_twin.sim.stages import incremental as inc
from aifactory_twin.sim.stages.handoff import (
    FloatArray,
    IntArray,
    RackAccounts,
    RackBlock,
    RackCapacity,
    frozen,
)
from aifactory_twin.sim.stages.work import Work


class RackParams(NamedTuple):
    """The per-rack parameters the rack models read (compiled, after the power cap)."""

    gpus_per_unit: FloatArray
    idle_w: FloatArray
    tdp_w: FloatArray
    kappa_train: FloatArray
    kappa_decode: FloatArray
    host_idle_w: FloatArray
    host_overhead_w: FloatArray
    standby_w: FloatArray
    limit_pace: FloatArray

    def take(self, idx: IntArray) -> RackParams:
        """The parameters of racks ``idx``."""
        return RackParams(*inc.take(self, idx))


class RackInputs(NamedTuple):
    """What one rack's power, pace and accounts are a function of (besides its parameters)."""

    units_on: FloatArray
    units_sd: FloatArray
    gpus_train: FloatArray
    gpus_inf: FloatArray
    inf_load: FloatArray
    derate: FloatArray
    factor: FloatArray
    held: FloatArray

    def take(self, idx: IntArray) -> RackInputs:
        """The inputs of racks ``idx``."""
        return RackInputs(*inc.take(self, idx))


class Placed(NamedTuple):
    """What the placement puts on each rack (read-only; ``ItPower._placed``)."""

    gpus_train: FloatArray
    gpus_inf: FloatArray
    inf_load: FloatArray
    held: FloatArray
    train_active: FloatArray
    """Per training job: the share of the step it computes (0 once completed)."""


class PerRack(NamedTuple):
    """Per-rack results of the rack models (one entry per rack, a pure function of its inputs)."""

    rack_kw: FloatArray
    q_in: FloatArray
    busy: FloatArray
    pace: FloatArray
    inf_pace: FloatArray
    gpu_w_now: FloatArray
    gpus_on: FloatArray
    inf_share: FloatArray
    unassigned: FloatArray
    per_gpu: tuple[FloatArray, ...]

    def put(self, idx: IntArray, sub: PerRack) -> PerRack:
        """A copy with racks ``idx`` replaced by ``sub`` (the other entries as they were)."""
        per_gpu = tuple(inc.put(self.per_gpu, idx, sub.per_gpu))
        return PerRack._make([*inc.put(self[:-1], idx, sub[:-1]), per_gpu])


def per_rack(p: RackParams, x: RackInputs) -> PerRack:
    """Rack power, pace and per-accelerator power for racks with parameters ``p``, inputs ``x``.

    Elementwise only: the same rack gives the same values whether computed alone, in a subset
    or with all racks (which is what lets a step recompute only the racks that changed).
    """
    units_on, units_sd, gpus_train, gpus_inf, inf_load, derate, factor, held = x
    rack_kw, _gpu_kw, busy, hottest_w = pw.rack_power_kw(
        units_on, units_sd, p.gpus_per_unit, gpus_train, gpus_inf, inf_load, p.idle_w,
        p.tdp_w, p.kappa_train, p.kappa_decode, p.host_idle_w, p.host_overhead_w, derate,
        p.standby_w,
    )  # fmt: skip
    idle_kw = units_on * (p.gpus_per_unit * p.idle_w + p.host_idle_w) + units_sd * p.standby_w
    cap_slow = pw.cap_slowdown(factor, rack_kw, idle_kw / 1e3)
    inf_pace = cap_slow * derate
    # Decode is memory-bound: a power cap lowers its power, not its pace (§1.3) [E].
    pace = inf_pace * p.limit_pace
    rack_kw = rack_kw * factor
    gpus_on = units_on * p.gpus_per_unit
    inf_share = np.where(gpus_on > 0, gpus_inf / np.maximum(gpus_on, 1e-12), 0.0)
    per_gpu = pw.per_accelerator_kw(
        p.gpus_per_unit, p.idle_w, p.tdp_w, p.kappa_train, p.kappa_decode, inf_load,
        p.host_idle_w, p.host_overhead_w, derate, factor,
    )  # fmt: skip
    idle_gpus = np.maximum(gpus_on - held, 0.0)
    unassigned = idle_gpus * (per_gpu[4] + per_gpu[5]) + units_sd * p.standby_w * (factor / 1000.0)
    return PerRack(
        rack_kw=rack_kw,
        q_in=rack_kw * 1000.0,
        busy=busy,
        pace=pace,
        inf_pace=inf_pace,
        # A capped accelerator runs slower and cooler: scale its power by the cap slowdown.
        gpu_w_now=np.where(units_on > 0, hottest_w * cap_slow, 0.0),
        gpus_on=gpus_on,
        inf_share=inf_share,
        unassigned=unassigned,
        per_gpu=per_gpu,
    )


@dataclass
class ItPowerCache:
    """The last block and the per-rack inputs and results it came from (reset by a swap)."""

    rack: RackBlock | None = None
    inputs: RackInputs | None = None
    results: PerRack | None = None
    placed: tuple[int, tuple[bytes, ...], Placed] | None = None
    """(placement version, restarts/completed/demand key, what the placement puts per rack)."""
    factor: tuple[FloatArray, FloatArray] | None = None
    """(supply factor per node, per rack)."""


class ItPower:
    """Rack power and pace for the current placement."""

    incremental = True
    """Recompute only the racks whose inputs changed (False: every rack, every time; the
    tests compare both bit for bit)."""

    def __init__(self, c: CompiledScenario) -> None:
        self.pace_version = 0
        """Bumped when the racks' pace arrays (``slow``, ``inf_slow``) change."""
        self.swap(c)

    def swap(self, c: CompiledScenario) -> None:
        """Take the parameters of ``c``."""
        self.c = c
        # A protectively shut-down unit keeps a standby draw (models/faults.py).
        standby_w = frozen(c.racks.rating_kw * 1000.0 * ft.STANDBY_FRACTION)
        # A per-accelerator power cap lowers the effective peak and, where it binds, the pace
        # of training (models/power.power_limit; decode is memory-bound: power only, §1.3).
        rk = c.racks
        kappa_train, limit_pace = pw.power_limit(
            rk.kappa_train, rk.tdp_w, rk.idle_w, rk.power_limit_w
        )
        kappa_decode, _decode_pace = pw.power_limit(
            rk.kappa_decode, rk.tdp_w, rk.idle_w, rk.power_limit_w
        )
        self.params = RackParams(
            rk.gpus_per_unit, rk.idle_w, rk.tdp_w, frozen(kappa_train), frozen(kappa_decode),
            rk.host_idle_w, rk.host_overhead_w, standby_w, frozen(limit_pace),
        )  # fmt: skip
        self.limit_binds = bool((limit_pace < 1.0).any())
        self.cache = ItPowerCache()

    def racks(
        self,
        dt: float,
        work: Work,
        cap: RackCapacity,
        inf_demand: FloatArray,
        versions: tuple[int, int],
        rack_status: np.ndarray[tuple[int], np.dtype[np.int8]],
        derate: FloatArray,
        supply_factor: FloatArray,
    ) -> RackBlock:
        """The rack block of this step; ``versions`` = (thermal status, supply) versions."""
        pl = work.placement
        assert pl is not None
        jobs = work.jobs
        restarting = jobs.restart_left_s
        # Share of the step each job computes (0 while it restarts); all ones most of the time.
        if restarting.any():
            active = np.minimum(np.maximum(dt - restarting, 0.0), dt) / dt
            active_key = active.tobytes()
        else:
            active, active_key = jobs.all_active, b""
        # The capacity's key: units up and down (a failure may leave the placement as it was).
        key = (
            work.version, versions[0], versions[1], cap.key,
            active_key, jobs.completed.tobytes(), inf_demand.tobytes(),
        )  # fmt: skip
        cached = self.cache.rack
        if cached is not None and cached.key == key:
            return cached
        gpus_train, gpus_inf, inf_load, held, train_active = self._placed(
            work, key[4:], active, inf_demand
        )
        x = RackInputs(
            cap.units_on, cap.units_sd, gpus_train, gpus_inf, inf_load, derate,
            self._rack_factor(supply_factor), held,
        )  # fmt: skip
        r = self._per_rack(x)
        block = RackBlock(
            key=key,
            rack_kw=frozen(r.rack_kw),
            busy=frozen(r.busy),
            slow=frozen(r.pace if self.limit_binds else r.inf_pace),
            inf_slow=frozen(r.inf_pace) if self.limit_binds else None,
            q_in=frozen(r.q_in),
            gpu_w_now=frozen(r.gpu_w_now),
            gpus_inf=frozen(gpus_inf),
            inf_it_kw=float(r.rack_kw @ r.inf_share),
            rack_heat_kw=float(r.rack_kw.sum()),
            busy_gpus=float(r.busy @ r.gpus_on),
            gpus_up=float(r.gpus_on.sum()),
            throttled=float(r.gpus_on @ (rack_status == th.STATUS_THROTTLED)),
            allocated=float(pl.train_racks.gpus.sum() + gpus_inf.sum()),
            inf_alloc=float(gpus_inf.sum() + pl.inf_cloud.sum()),
            acct=RackAccounts(
                per_gpu_kw=tuple(frozen(g) for g in r.per_gpu),
                train_active=train_active,
                unassigned_kw=frozen(r.unassigned),
            ),
        )
        if cached is None or cached.slow is not block.slow or cached.inf_slow is not block.inf_slow:
            self.pace_version += 1
        self.cache.rack = block
        return block

    def _placed(
        self, work: Work, key: tuple[bytes, ...], active: FloatArray, inf_demand: FloatArray
    ) -> Placed:
        """What the placement puts on each rack, kept while it stands.

        A function of the placement, the restarts, the completed jobs and the demand only
        (``key``): a failure alone changes none of them.
        """
        known = self.cache.placed
        if known is not None and known[0] == work.version and known[1] == key:
            return known[2]
        c = self.c
        wl = c.workloads
        pl = work.placement
        assert pl is not None
        n_r = c.racks.node.shape[0]
        jr = pl.train_racks
        train_active = active * (~work.jobs.completed)
        # Accelerators computing per rack: each held entry weighted by its job's active share.
        gpus_train = jr.per_rack_sum(train_active[jr.job] * jr.gpus)
        held_train = jr.per_rack_sum(jr.gpus)
        gpus_inf = pl.inf.sum(axis=0) if wl.n_inf else np.zeros(n_r)
        cap_tps = (pl.inf.sum(axis=1) + pl.inf_cloud.sum(axis=1)) * wl.inf_tps_per_gpu
        svc_load = np.where(
            cap_tps > 0, np.minimum(1.0, inf_demand / np.maximum(cap_tps, 1e-12)), 0.0
        )
        inf_load = np.where(gpus_inf > 0, (svc_load @ pl.inf) / np.maximum(gpus_inf, 1e-12), 0.0)
        placed = Placed(
            *(
                frozen(np.array(a, dtype=np.float64))
                for a in (gpus_train, gpus_inf, inf_load, held_train + gpus_inf, train_active)
            )
        )
        self.cache.placed = (work.version, key, placed)
        return placed

    def _rack_factor(self, supply_factor: FloatArray) -> FloatArray:
        """The supply factor per rack (kept while the power stage hands out the same array)."""
        known = self.cache.factor
        if known is None or known[0] is not supply_factor:
            known = self.cache.factor = (supply_factor, frozen(supply_factor[self.c.racks.node]))
        return known[1]

    def _per_rack(self, x: RackInputs) -> PerRack:
        """``per_rack`` for every rack, recomputing only the racks whose inputs changed.

        On a failure, a recovery or a repair one rack's inputs change: the others keep their
        entries of the last results, which are exactly what recomputing them would give.
        """
        memo = self.cache
        prev_x, prev = memo.inputs, memo.results
        r: PerRack | None = None
        if self.incremental and prev_x is not None and prev is not None:
            idx = inc.changed(x, prev_x)
            if inc.worth_it(idx, x.units_on.shape[0]):
                r = prev.put(idx, per_rack(self.params.take(idx), x.take(idx)))
        if r is None:
            r = per_rack(self.params, x)
        # Kept as given: the arrays are read-only or owned by this call, never edited in place.
        memo.inputs, memo.results = x, r
        return r
