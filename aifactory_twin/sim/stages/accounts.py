"""Accounts stage: energy, carbon, cost and GPU-hours of each training job and inference service.

Owns running totals per workload (training jobs first, then inference services, the order of
``Workloads.train_ids`` + ``inf_ids``) and for the IT load no workload holds ("unassigned":
idle accelerators with their host share, units in protective shutdown, switches and storage).
Reads the blocks of the other stages after the ledger has booked the step; changes nothing
outside itself.

Rules (issue 10, per-job accounting):

* IT power: a workload's accelerators at the power of what they do, plus their host share
  (``models/power.per_accelerator_kw``); a training job's accelerators idle while it restarts.
  Σ workloads + unassigned = the factory's IT power, every step.
* Facility share: the step's facility power above IT (cooling, distribution losses, misc,
  no-load) is shared by IT power: a workload gets overhead × its IT / factory IT.
* Carbon and energy cost: the workload's energy (IT + facility share) × the step's carbon
  intensity and price of the facility's energy (the ledger's carbon and energy cost of the step
  over its energy), so Σ workloads + unassigned = the factory's totals.
* Fixed cost (amortized capex, maintenance, staff) is shared by the accelerators held on site
  this step; rented cloud accelerators cost their workload their price. GPU-hours are the
  accelerators held (site and cloud) × time, whatever their activity.

Per-job sums over the racks each job holds (``Placement.train_racks`` segments, no jobs × racks
matrix) are redone only when the rack block changes (placement, status, supply, restarts); the
per-step work is O(workloads).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aifactory_twin.sim.compiled import CompiledScenario
from aifactory_twin.sim.models.compute import Placement
from aifactory_twin.sim.models.sequential import Stretch
from aifactory_twin.sim.stages.handoff import FloatArray, HeatBlock, PlantBlock, RackBlock

TOTAL_KEYS: tuple[str, ...] = (
    "gpu_kwh",
    "host_kwh",
    "facility_kwh",
    "carbon_kg",
    "energy_cost_usd",
    "fixed_cost_usd",
    "cloud_cost_usd",
    "gpu_s",
)
UNASSIGNED_KEYS: tuple[str, ...] = (
    "it_kwh",
    "facility_kwh",
    "carbon_kg",
    "energy_cost_usd",
    "fixed_cost_usd",
)


@dataclass(frozen=True)
class WorkloadPower:
    """Per workload (train then inference) for one rack block: kW and accelerators held."""

    rb: RackBlock
    gpu_kw: FloatArray
    host_kw: FloatArray
    unassigned_rack_kw: float
    onsite_gpus: FloatArray
    cloud_gpus: FloatArray
    cloud_usd_per_h: FloatArray
    it_kw: FloatArray
    """``gpu_kw + host_kw``."""
    held: float
    """Accelerators held on site, all workloads."""
    gpus: FloatArray
    """``onsite_gpus + cloud_gpus``."""


class Accounts:
    """Running per-workload totals (``totals[key][w]``) and the unassigned totals."""

    def __init__(self, c: CompiledScenario) -> None:
        n_w = c.workloads.n_train + c.workloads.n_inf
        self.totals: dict[str, FloatArray] = {k: np.zeros(n_w) for k in TOTAL_KEYS}
        self.unassigned: dict[str, float] = dict.fromkeys(UNASSIGNED_KEYS, 0.0)
        self.step: tuple[dict[str, FloatArray], dict[str, float]] = ({}, {})
        """What the last step added to ``totals`` and ``unassigned``."""
        self.swap(c)

    def swap(self, c: CompiledScenario) -> None:
        """Take the parameters of ``c`` (same workloads)."""
        self.c = c
        self.cache: WorkloadPower | None = None

    def _power(self, rb: RackBlock, pl: Placement, scale: FloatArray | None) -> WorkloadPower:
        """Per-workload kW for the rack block (``scale``: per rack, when a rack tripped)."""
        acct = rb.acct
        assert acct is not None
        c = self.c
        g = acct.per_gpu_kw if scale is None else tuple(x * scale for x in acct.per_gpu_kw)
        a = acct.train_active
        jr, inf = pl.train_racks, pl.inf

        def held(per_gpu_kw: FloatArray) -> FloatArray:
            """Per training job: Σ over its racks of accelerators held × kW each."""
            return jr.per_job_sum(jr.gpus * per_gpu_kw[jr.rack])

        # A training job's accelerators draw training power while it computes, idle power while
        # it restarts (``a`` is the share of the step it computes).
        train_gpu = a * held(g[0]) + (1.0 - a) * held(g[4])
        train_host = a * held(g[1]) + (1.0 - a) * held(g[5])
        unassigned = acct.unassigned_kw if scale is None else acct.unassigned_kw * scale
        cloud_price = c.cloud.price_usd_per_gpu_h
        gpu_kw = np.concatenate([train_gpu, inf @ g[2]])
        host_kw = np.concatenate([train_host, inf @ g[3]])
        onsite = np.concatenate([jr.per_job_sum(jr.gpus), inf.sum(axis=1)])
        cloud = np.concatenate([pl.train_cloud.sum(axis=1), pl.inf_cloud.sum(axis=1)])
        return WorkloadPower(
            rb=rb,
            gpu_kw=gpu_kw,
            host_kw=host_kw,
            unassigned_rack_kw=float(unassigned.sum()),
            onsite_gpus=onsite,
            cloud_gpus=cloud,
            cloud_usd_per_h=np.concatenate(
                [pl.train_cloud @ cloud_price, pl.inf_cloud @ cloud_price]
            ),
            it_kw=gpu_kw + host_kw,
            held=float(onsite.sum()),
            gpus=onsite + cloud,
        )

    def book(
        self,
        dt: float,
        rb: RackBlock,
        hb: HeatBlock,
        pb: PlantBlock,
        pl: Placement,
        static_kw: float,
        carbon_g_per_kwh: float,
        price_usd_per_kwh: float,
        fixed_usd: float,
    ) -> None:
        """Add this step to the totals.

        ``static_kw``: switch and storage power; ``carbon_g_per_kwh`` and ``price_usd_per_kwh``:
        the step's intensity and price of the facility's energy; ``fixed_usd``: the step's
        amortized capex, maintenance and staff cost.
        """
        if hb.rack_kw is not None:
            # A rack tripped inside the step: its mean power over the step scales its parts.
            ratio = np.divide(
                hb.rack_kw, rb.rack_kw, out=np.ones_like(hb.rack_kw), where=rb.rack_kw > 0
            )
            wp = self._power(rb, pl, ratio)
        elif self.cache is not None and self.cache.rb is rb:
            wp = self.cache
        else:
            wp = self.cache = self._power(rb, pl, None)
        dt_h = dt / 3600.0
        it_kw = pb.it_kw
        overhead_kw = pb.facility_kw - it_kw
        share = overhead_kw / it_kw if it_kw > 0 else 0.0
        w_it = wp.it_kw
        w_fac = w_it * share
        idle_it = wp.unassigned_rack_kw + static_kw
        idle_fac = idle_it * share if it_kw > 0 else overhead_kw
        held = wp.held
        step = {
            "gpu_kwh": wp.gpu_kw * dt_h,
            "host_kwh": wp.host_kw * dt_h,
            "facility_kwh": w_fac * dt_h,
        }
        w_kwh = (w_it + w_fac) * dt_h
        step["carbon_kg"] = w_kwh * (carbon_g_per_kwh / 1000.0)
        step["energy_cost_usd"] = w_kwh * price_usd_per_kwh
        if held > 0:
            step["fixed_cost_usd"] = wp.onsite_gpus * (fixed_usd / held)
        step["cloud_cost_usd"] = wp.cloud_usd_per_h * dt_h
        step["gpu_s"] = wp.gpus * dt
        idle_kwh = (idle_it + idle_fac) * dt_h
        unassigned = {
            "it_kwh": idle_it * dt_h,
            "facility_kwh": idle_fac * dt_h,
            "carbon_kg": idle_kwh * carbon_g_per_kwh / 1000.0,
            "energy_cost_usd": idle_kwh * price_usd_per_kwh,
        }
        if held <= 0:
            unassigned["fixed_cost_usd"] = fixed_usd
        t = self.totals
        for key, add in step.items():
            t[key] += add
        u = self.unassigned
        for key, add_usd in unassigned.items():
            u[key] += add_usd
        # Kept so that a quiet stretch can add the same again (``repeat``).
        self.step = (step, unassigned)

    def repeat(self, stretch: Stretch) -> None:
        """Book the last step again over a quiet stretch (``sim/quiet.py``)."""
        step, unassigned = self.step
        stretch.arrays([self.totals[key] for key in step], list(step.values()))
        stretch.totals(self.unassigned, unassigned)
