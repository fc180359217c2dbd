"""IT-power stage: what the racks draw for the work placed on them, and how fast they run.

Owns nothing between steps but its cache: the ``RackBlock`` (rack power, busy share, pace,
heat into each rack), a function of the placement, thermal status, supply caps, job restarts
and inference demand only; recomputed when one of those changed. Formulas:
``models/power.py`` (accelerator and host power, power-cap slowdown).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aifactory_twin.sim.compiled import CompiledScenario
from aifactory_twin.sim.models import faults as ft
from aifactory_twin.sim.models import power as pw
from aifactory_twin.sim.models import thermal as th
from aifactory_twin.sim.stages.handoff import (
    FloatArray,
    RackAccounts,
    RackBlock,
    RackCapacity,
    frozen,
)
from aifactory_twin.sim.stages.work import Work


@dataclass
class ItPowerCache:
    """The last block (reset by a parameter swap)."""

    rack: RackBlock | None = None


class ItPower:
    """Rack power and pace for the current placement."""

    def __init__(self, c: CompiledScenario) -> None:
        self.swap(c)

    def swap(self, c: CompiledScenario) -> None:
        """Take the parameters of ``c``."""
        self.c = c
        # A protectively shut-down unit keeps a standby draw (models/faults.py).
        self.standby_w = frozen(c.racks.rating_kw * 1000.0 * ft.STANDBY_FRACTION)
        # A per-accelerator power cap lowers the effective peak and, where it binds, the pace
        # of training (models/power.power_limit; decode is memory-bound: power only, §1.3).
        rk = c.racks
        kappa_train, self.limit_pace = pw.power_limit(
            rk.kappa_train, rk.tdp_w, rk.idle_w, rk.power_limit_w
        )
        kappa_decode, _decode_pace = pw.power_limit(
            rk.kappa_decode, rk.tdp_w, rk.idle_w, rk.power_limit_w
        )
        self.kappa = (frozen(kappa_train), frozen(kappa_decode))
        self.limit_binds = bool((self.limit_pace < 1.0).any())
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
        c = self.c
        wl = c.workloads
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
        key = (
            work.version, versions[0], versions[1],
            active_key, jobs.completed.tobytes(), inf_demand.tobytes(),
        )  # fmt: skip
        cached = self.cache.rack
        if cached is not None and cached.key == key:
            return cached
        units_on, units_sd = cap.units_on, cap.units_sd
        n_r = units_on.shape[0]
        jr = pl.train_racks
        train_active = active * (~jobs.completed)
        # Accelerators computing per rack: each held entry weighted by its job's active share.
        gpus_train = jr.per_rack_sum(train_active[jr.job] * jr.gpus)
        held_train = jr.per_rack_sum(jr.gpus)
        gpus_inf = pl.inf.sum(axis=0) if wl.n_inf else np.zeros(n_r)
        cap_tps = (pl.inf.sum(axis=1) + pl.inf_cloud.sum(axis=1)) * wl.inf_tps_per_gpu
        svc_load = np.where(
            cap_tps > 0, np.minimum(1.0, inf_demand / np.maximum(cap_tps, 1e-12)), 0.0
        )
        inf_load = np.where(gpus_inf > 0, (svc_load @ pl.inf) / np.maximum(gpus_inf, 1e-12), 0.0)
        rk = c.racks
        rack_kw, _gpu_kw, busy, hottest_w = pw.rack_power_kw(
            units_on, units_sd, rk.gpus_per_unit, gpus_train, gpus_inf, inf_load, rk.idle_w,
            rk.tdp_w, self.kappa[0], self.kappa[1], rk.host_idle_w, rk.host_overhead_w, derate,
            self.standby_w,
        )  # fmt: skip
        idle_kw = (
            units_on * (c.racks.gpus_per_unit * c.racks.idle_w + c.racks.host_idle_w)
            + units_sd * self.standby_w
        )
        factor = supply_factor[c.racks.node]
        cap_slow = pw.cap_slowdown(factor, rack_kw, idle_kw / 1e3)
        pace = cap_slow * derate
        # Decode is memory-bound: a power cap lowers its power, not its pace (§1.3) [E].
        inf_pace = None
        if self.limit_binds:
            inf_pace = frozen(pace)
            pace = pace * self.limit_pace
        rack_kw = rack_kw * factor
        gpus_on = units_on * c.racks.gpus_per_unit
        inf_share = np.where(gpus_on > 0, gpus_inf / np.maximum(gpus_on, 1e-12), 0.0)
        block = RackBlock(
            key=key,
            rack_kw=frozen(rack_kw),
            busy=frozen(busy),
            slow=frozen(pace),
            inf_slow=inf_pace,
            q_in=frozen(rack_kw * 1000.0),
            # A capped accelerator runs slower and cooler: scale its power by the cap slowdown.
            gpu_w_now=frozen(np.where(units_on > 0, hottest_w * cap_slow, 0.0)),
            gpus_inf=frozen(gpus_inf),
            inf_it_kw=float(rack_kw @ inf_share),
            rack_heat_kw=float(rack_kw.sum()),
            busy_gpus=float(busy @ gpus_on),
            gpus_up=float(gpus_on.sum()),
            throttled=float(gpus_on @ (rack_status == th.STATUS_THROTTLED)),
            allocated=float(jr.gpus.sum() + gpus_inf.sum()),
            inf_alloc=float(gpus_inf.sum() + pl.inf_cloud.sum()),
            acct=self._accounts(
                factor,
                derate,
                inf_load,
                gpus_on,
                held_train + gpus_inf,
                units_sd,
                train_active,
            ),
        )
        self.cache.rack = block
        return block

    def _accounts(
        self,
        factor: FloatArray,
        derate: FloatArray,
        inf_load: FloatArray,
        gpus_on: FloatArray,
        held: FloatArray,
        units_sd: FloatArray,
        train_active: FloatArray,
    ) -> RackAccounts:
        """Per-accelerator power by activity and the unassigned power per rack."""
        rk = self.c.racks
        per_gpu = pw.per_accelerator_kw(
            rk.gpus_per_unit, rk.idle_w, rk.tdp_w, self.kappa[0], self.kappa[1], inf_load,
            rk.host_idle_w, rk.host_overhead_w, derate, factor,
        )  # fmt: skip
        idle_gpus = np.maximum(gpus_on - held, 0.0)
        unassigned = idle_gpus * (per_gpu[4] + per_gpu[5]) + units_sd * self.standby_w * (
            factor / 1000.0
        )
        return RackAccounts(
            per_gpu_kw=tuple(frozen(x) for x in per_gpu),
            train_active=frozen(np.array(train_active, dtype=np.float64)),
            unassigned_kw=frozen(unassigned),
        )
