"""KPIs of a run (the keys of ``kpis.json``), from the engine's running totals and series.

Definitions: availability = GPU-hours up / GPU-hours arrived; utilization = busy share of
arrived accelerators; cost per GPU-hour = total cost / GPU-hours allocated to workloads (on
site and cloud);
cost per million tokens charges inference its share of allocated GPU-hours of the total cost
(§6.5); joules per token = facility energy of the accelerators serving inference / tokens;
automation rate = incidents handled without a technician / incidents; talent retention =
1 − departures / starting headcount; product launches per year from the launch rule in
``models/staff.py``. PUE = facility energy / IT energy over the run.
A ratio whose denominator is zero (no GPU-hours, no IT energy, no incidents, no tokens, no
staff) is undefined and reported as None (JSON null), never as 0; so is one whose denominator
is so small (a subnormal token count) that the quotient overflows to infinity.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from aifactory_twin.sim.compiled import CompiledScenario
from aifactory_twin.sim.engine_state import EngineState
from aifactory_twin.sim.models.economics import SECONDS_PER_YEAR
from aifactory_twin.sim.recorder import Recorder


def _ratio(num: float, den: float) -> float | None:
    """Num / den, or None when the ratio is undefined (nothing to divide by, or overflow)."""
    return _finite(num / den) if den > 0 else None


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _share(num: float, den: float) -> float:
    """A weight for arithmetic: 0 when there is nothing to share."""
    return num / den if den > 0 else 0.0


def _capped(x: float | None) -> float | None:
    return None if x is None else float(min(1.0, x))


def compute_kpis(
    c: CompiledScenario, s: EngineState, rec: Recorder, time_s: float, seed: int
) -> dict[str, Any]:
    """KPI dictionary for what has run so far (``time_s`` simulated, with ``seed``)."""
    a = s.ledger.acc
    av, staff = s.availability, s.staff
    run_s = max(time_s, 1e-9)
    total = s.ledger.total_cost_usd()
    # GPU-hours handed to workloads (on site and rented), whatever their activity.
    delivered_h = (a["gpu_s_allocated"] + a["cloud_gpu_s"]) / 3600.0
    tokens = a["inference_tokens"]
    inf_share = _share(a["gpu_s_inference"], a["gpu_s_allocated"] + a["cloud_gpu_s"])
    fac = rec.series("facility_power_kw")
    it = rec.series("it_power_kw")
    wl = c.workloads
    w = s.work.jobs
    eta = w.eta_h()
    jobs = []
    for j in range(wl.n_train):
        done = bool(w.completed[j])
        start = float(wl.train_start_s[j])
        jobs.append(
            {
                "name": wl.train_names[j],
                "id": wl.train_ids[j],
                "completed": done,
                "progress": float(min(1.0, w.progress_flops[j] / wl.flops_total[j])),
                "training_time_h": (float(w.finish_s[j]) - start) / 3600.0 if done else None,
                "eta_h": eta[j],
                "interruptions": int(w.interruptions[j]),
                "goodput": _capped(_ratio(w.progress_flops[j], w.potential_flops[j])),
            }
        )
    launches = sum(1 for x in staff.launch_times if x <= time_s)
    return {
        "horizon_s": float(c.horizon_s),
        "step_s": float(c.step_s),
        "seed": seed,
        "simulated_s": float(time_s),
        "capex_usd": a["capex_usd"] + s.ledger.facility_capex_usd,
        "capex_amortized_usd": a["capex_amortized_usd"],
        "energy_cost_usd": a["energy_cost_usd"],
        "staff_cost_usd": a["staff_cost_usd"],
        "maintenance_cost_usd": a["maintenance_cost_usd"],
        "cloud_cost_usd": a["cloud_cost_usd"],
        "idle_cost_usd": a["idle_cost_usd"],
        "total_cost_usd": total,
        "it_energy_mwh": a["it_energy_kwh"] / 1000.0,
        "cooling_energy_mwh": a["cooling_energy_kwh"] / 1000.0,
        "facility_energy_mwh": a["facility_energy_kwh"] / 1000.0,
        "pue": _ratio(a["facility_energy_kwh"], a["it_energy_kwh"]),
        "peak_facility_power_kw": a["peak_facility_kw"],
        "mean_it_power_kw": float(np.mean(it)) if it.size else 0.0,
        "mean_facility_power_kw": float(np.mean(fac)) if fac.size else 0.0,
        "mean_utilization": _ratio(a["gpu_s_busy"], a["gpu_s_arrived"]),
        "delivered_pflops_mean": float(np.mean(rec.series("delivered_pflops"))) if rec.n else 0.0,
        "gpu_hours_delivered": delivered_h,
        "cost_per_gpu_hour_usd": _ratio(total, delivered_h),
        "max_temperature_c": a["max_temperature_c"],
        "throttled_gpu_hours": a["gpu_s_throttled"] / 3600.0,
        "interruptions": int(w.interruptions.sum()),
        "incidents": int(av.incidents),
        "availability": _ratio(a["gpu_s_up"], a["gpu_s_arrived"]),
        "automation_rate": _ratio(av.incidents_auto, av.incidents),
        "talent_retention": max(0.0, 1.0 - staff.departures / staff.headcount0)
        if staff.headcount0 > 0
        else None,
        "headcount_end": float(staff.headcount.sum()),
        "product_launches": launches,
        "product_launches_per_year": launches * SECONDS_PER_YEAR / run_s,
        "carbon_t_co2": a["carbon_kg"] / 1000.0,
        "water_m3": a["water_l"] / 1000.0,
        "inference_tokens": tokens,
        "cost_per_million_tokens_usd": (
            _finite(total * inf_share / tokens * 1e6) if tokens > 0 else None
        ),
        "joules_per_token": _ratio(a["inference_energy_j"], tokens),
        "jobs": jobs,
    }
