"""KPIs of a run (the keys of ``kpis.json``), from the engine's running totals and series.

Definitions: availability = GPU-hours up / GPU-hours arrived; utilization = busy share of
arrived accelerators; cost per GPU-hour = total cost / GPU-hours allocated to workloads (on
site and cloud);
cost per million tokens charges inference its share of allocated GPU-hours of the total cost
(§6.5); joules per token = facility energy of the accelerators serving inference / tokens;
automation rate = incidents handled without a technician / incidents; investment by year =
capex by calendar year of delivery (facility build-out in the start year); talent retention =
1 − departures / starting headcount; product launches = models whose launch date (trained →
evaluated → reviewed → launched, ``models/launch.py``) has passed, per year = launches × 1 year
/ simulated time; launch lead time = launch − end of training. Drift monitoring (only in
scenes that use it): retraining jobs submitted and completed, and drift → relaunch = launch of
the retrained model − start of the drift it answers (``stages/lifecycle.py``). PUE = facility
energy / IT energy over the run. Free-cooling hours, tower water and the ``monthly`` rows (PUE,
energy, water, outdoor means per calendar month): ``stages/seasons.py``; water adds what
evaporative economizers spend.
Queue (``stages/scheduler.py``): a job's wait = first start − submit (a job still waiting
counts its wait so far); slowdown = (end − submit) / max(end − first start, 10 s) over finished
jobs (bounded slowdown, Feitelson et al. JSSPP 1997); allocation = accelerator-seconds held by
workloads / arrived; team share = a team's accelerator-seconds / all jobs' accelerator-seconds.
A ratio whose denominator is zero (no GPU-hours, no IT energy, no incidents, no tokens, no
staff) is undefined and reported as None (JSON null), never as 0; so is one whose denominator
is so small (a subnormal token count) that the quotient overflows to infinity.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import numpy as np

from aifactory_twin.sim.compiled import CompiledScenario
from aifactory_twin.sim.engine_state import EngineState
from aifactory_twin.sim.models.economics import SECONDS_PER_YEAR
from aifactory_twin.sim.models.launch import LaunchDates
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
    plan = wl.retrain
    for j in range(wl.n_train):
        done = bool(w.completed[j])
        start = float(s.work.submits.s[j])
        if plan is not None and plan.is_retrain(j) and not start <= time_s:
            continue  # a retraining job drift monitoring has not submitted (yet)
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
                "team": wl.teams[j],
                "wait_h": _wait_h(s.work.sched.first_start_s[j], start, time_s),
                **_launch_dates(c, s.lifecycle.dates[j], time_s),
                **_retrain_of(c, j),
            }
        )
    launches = s.lifecycle.launches(time_s)
    lead_days = [
        (d.launched_s - d.trained_s) / 86400.0
        for d in s.lifecycle.dates
        if d is not None and d.launched_s <= time_s
    ]
    queue = _queue_kpis(c, s, rec, time_s)
    if plan is not None:
        queue.update(_drift_kpis(c, s, time_s))
    return {
        "horizon_s": float(c.horizon_s),
        "step_s": float(c.step_s),
        "seed": seed,
        "simulated_s": float(time_s),
        "capex_usd": a["capex_usd"] + s.ledger.facility_capex_usd,
        "capex_amortized_usd": a["capex_amortized_usd"],
        "investment_by_year_usd": investment_by_year(c, s.ledger.facility_capex_usd),
        "energy_cost_usd": a["energy_cost_usd"],
        "staff_cost_usd": a["staff_cost_usd"],
        "maintenance_cost_usd": a["maintenance_cost_usd"],
        "cloud_cost_usd": a["cloud_cost_usd"],
        "compliance_cost_usd": a["compliance_cost_usd"],
        "idle_cost_usd": a["idle_cost_usd"],
        "waiting_cost_usd": a["waiting_cost_usd"],
        "egress_cost_usd": a["egress_cost_usd"],
        "total_cost_usd": total,
        "it_energy_mwh": a["it_energy_kwh"] / 1000.0,
        "cooling_energy_mwh": a["cooling_energy_kwh"] / 1000.0,
        "facility_energy_mwh": a["facility_energy_kwh"] / 1000.0,
        "pue": _ratio(a["facility_energy_kwh"], a["it_energy_kwh"]),
        "server_fan_energy_mwh": a["server_fan_energy_kwh"] / 1000.0,
        "pue_fans_as_facility": _ratio(
            a["facility_energy_kwh"], a["it_energy_kwh"] - a["server_fan_energy_kwh"]
        ),
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
        "talent_retention_annual": math.exp(
            -staff.departures / staff.headcount0 * SECONDS_PER_YEAR / run_s
        )
        if staff.headcount0 > 0 and run_s > 0
        else None,
        "headcount_end": float(staff.headcount.sum()),
        "product_launches": launches,
        "product_launches_per_year": launches * SECONDS_PER_YEAR / run_s,
        "launch_lead_time_mean_days": float(np.mean(lead_days)) if lead_days else None,
        "carbon_t_co2": a["carbon_kg"] / 1000.0,
        "embodied_carbon_t_co2": a["embodied_kg"] / 1000.0,
        "water_m3": (a["water_l"] + s.seasons.economizer_water_l) / 1000.0,
        "tower_water_m3": s.seasons.tower_water_l / 1000.0,
        "free_cooling_hours": (
            s.seasons.free_cooling_s / 3600.0 if s.seasons.has_chiller else None
        ),
        "monthly": s.seasons.monthly(),
        "inference_tokens": tokens,
        "cost_per_million_tokens_usd": (
            _finite(total * inf_share / tokens * 1e6) if tokens > 0 else None
        ),
        "joules_per_token": _ratio(a["inference_energy_j"], tokens),
        **queue,
        "jobs": jobs,
        "feeds": _feed_kpis(c, s),
        "job_accounting": _job_accounting(c, s),
    }


def _job_accounting(c: CompiledScenario, s: EngineState) -> dict[str, Any]:
    """Energy, carbon, cost and GPU-hours per training job and inference service.

    Definitions in ``stages/accounts.py``; cost = energy cost + share of the site's fixed cost
    (amortized capex, maintenance, staff) by accelerators held + rented cloud accelerators.
    "unassigned" is what no workload held (idle accelerators, standby, switches and storage);
    Σ workloads + unassigned = the factory's IT energy, facility energy, carbon and cost.
    """
    wl = c.workloads
    t = s.accounts.totals
    rows = []
    kinds = ["training"] * wl.n_train + ["inference"] * wl.n_inf
    names = (*wl.train_names, *wl.inf_ids)
    plan = wl.retrain
    for w, wid in enumerate((*wl.train_ids, *wl.inf_ids)):
        if plan is not None and w < wl.n_train and plan.is_retrain(w) and t["gpu_s"][w] == 0:
            continue  # a retraining job not submitted (or not started): nothing to account
        it_kwh = float(t["gpu_kwh"][w] + t["host_kwh"][w])
        energy_kwh = it_kwh + float(t["facility_kwh"][w])
        cost = float(t["energy_cost_usd"][w] + t["fixed_cost_usd"][w] + t["cloud_cost_usd"][w])
        rows.append(
            {
                "id": wid,
                "name": names[w],
                "kind": kinds[w],
                "gpu_energy_kwh": float(t["gpu_kwh"][w]),
                "host_energy_kwh": float(t["host_kwh"][w]),
                "it_energy_kwh": it_kwh,
                "facility_share_kwh": float(t["facility_kwh"][w]),
                "energy_kwh": energy_kwh,
                "carbon_kg_co2": float(t["carbon_kg"][w]),
                "energy_cost_usd": float(t["energy_cost_usd"][w]),
                "cost_usd": cost,
                "gpu_hours": float(t["gpu_s"][w]) / 3600.0,
            }
        )
    u = s.accounts.unassigned
    return {
        "workloads": rows,
        "unassigned": {
            "it_energy_kwh": u["it_kwh"],
            "facility_share_kwh": u["facility_kwh"],
            "energy_kwh": u["it_kwh"] + u["facility_kwh"],
            "carbon_kg_co2": u["carbon_kg"],
            "energy_cost_usd": u["energy_cost_usd"],
            "cost_usd": u["energy_cost_usd"] + u["fixed_cost_usd"],
        },
    }


def _feed_kpis(c: CompiledScenario, s: EngineState) -> list[dict[str, Any]]:
    """Energy, carbon, cost and mean intensity per power feed (every facility kWh is a feed's)."""
    f = s.ledger.feeds
    return [
        {
            "id": c.node_ids[node],
            "energy_mwh": float(f.energy_kwh[k]) / 1000.0,
            "carbon_t_co2": float(f.carbon_kg[k]) / 1000.0,
            "energy_cost_usd": float(f.cost_usd[k]),
            "carbon_g_per_kwh": _ratio(float(f.carbon_kg[k]) * 1000.0, float(f.energy_kwh[k])),
        }
        for k, node in enumerate(c.power.feed_node.tolist())
    ]


def investment_by_year(c: CompiledScenario, facility_capex_usd: float) -> dict[str, float]:
    """Capex per calendar year of delivery; the facility build-out in the start year.

    Each node's units count in the year they arrive (delivery date or lead time), also after the
    simulated time: this is the investment plan, not the run so far.
    """
    out: dict[str, float] = {}
    if facility_capex_usd > 0:
        out[str(c.start_time.year)] = facility_capex_usd
    spend = c.nodes.count * c.nodes.capex_per_unit_usd
    paid = np.flatnonzero((spend > 0) & np.isfinite(c.nodes.arrival_s))
    # The year of each distinct arrival time (a big factory has 383,600 nodes and a few), then
    # each year's spend added in node order, as one node at a time did.
    arrivals, which = np.unique(c.nodes.arrival_s[paid], return_inverse=True)
    years = [str((c.start_time + timedelta(seconds=float(t))).year) for t in arrivals.tolist()]
    names = sorted(set(years))
    node_year = np.asarray([names.index(y) for y in years], dtype=np.intp)[which.ravel()]
    for code, year in enumerate(names):
        out[year] = sum(spend[paid[node_year == code]].tolist(), out.get(year, 0.0))
    return dict(sorted(out.items()))


def _launch_dates(c: CompiledScenario, d: LaunchDates | None, time_s: float) -> dict[str, Any]:
    """A job's model-lifecycle dates, and its launch as days from the start.

    None before training ends, or if it never launches.
    """

    def iso(at_s: float | None) -> str | None:
        if at_s is None or not math.isfinite(at_s):
            return None
        return (c.start_time + timedelta(seconds=at_s)).date().isoformat()

    launch_s = d.launched_s if d else math.inf
    return {
        "launch_day": launch_s / 86400.0 if math.isfinite(launch_s) else None,
        "evaluated_date": iso(d.evaluated_s) if d else None,
        "reviewed_date": iso(d.reviewed_s) if d else None,
        "launch_date": iso(d.launched_s) if d else None,
        "launched": bool(d is not None and d.launched_s <= time_s),
    }


def _retrain_of(c: CompiledScenario, j: int) -> dict[str, str]:
    """``retrain_of``: the job whose model a retraining job replaces (only on those jobs)."""
    plan = c.workloads.retrain
    if plan is None or not plan.is_retrain(j):
        return {}
    return {"retrain_of": c.workloads.train_ids[int(np.flatnonzero(plan.next_slot == j)[0])]}


def _drift_kpis(c: CompiledScenario, s: EngineState, time_s: float) -> dict[str, Any]:
    """Retraining jobs drift monitoring submitted and finished, and drift → relaunch time."""
    plan = c.workloads.retrain
    assert plan is not None
    slots = plan.origin != np.arange(c.workloads.n_train)
    relaunch = s.lifecycle.drift_to_relaunch_days(time_s)
    return {
        "retrains_submitted": int(np.count_nonzero(slots & (s.work.submits.s <= time_s))),
        "retrains_completed": int(np.count_nonzero(slots & (s.work.jobs.finish_s <= time_s))),
        "drift_to_relaunch_mean_days": float(np.mean(relaunch)) if relaunch else None,
    }


def _wait_h(first_start_s: float, submit_s: float, time_s: float) -> float | None:
    """Hours from submit to first start (so far, if still waiting); None before submission."""
    if submit_s > time_s:
        return None
    end = time_s if math.isnan(first_start_s) else first_start_s
    return (end - submit_s) / 3600.0


SLOWDOWN_FLOOR_S = 10.0
"""Run-time floor of the bounded slowdown, so tiny jobs do not dominate (Feitelson 1997)."""


def _queue_kpis(
    c: CompiledScenario, s: EngineState, rec: Recorder, time_s: float
) -> dict[str, Any]:
    """Wait times, slowdown, queue length, allocation and per-team share of the training jobs."""
    wl = c.workloads
    sched = s.work.sched
    w = s.work.jobs
    submit = s.work.submits.s
    seen = submit <= time_s
    start = sched.first_start_s
    wait_h = np.where(np.isnan(start), time_s - submit, start - submit)[seen] / 3600.0
    done = w.completed & ~np.isnan(start)
    run_s = np.maximum(w.finish_s[done] - start[done], SLOWDOWN_FLOOR_S)
    slowdown = (w.finish_s[done] - submit[done]) / run_s
    ql = rec.series("queue_length")
    a = s.ledger.acc
    held = sched.gpu_s
    teams: dict[str, float] = {}
    for j, team in enumerate(wl.teams):
        teams[team or "(no team)"] = teams.get(team or "(no team)", 0.0) + float(held[j])
    total = float(held.sum())

    def pct(q: float) -> float | None:
        return float(np.percentile(wait_h, q)) if wait_h.size else None

    return {
        "queue_wait_mean_h": float(np.mean(wait_h)) if wait_h.size else None,
        "queue_wait_p50_h": pct(50),
        "queue_wait_p95_h": pct(95),
        "queue_slowdown_mean": float(np.mean(slowdown)) if slowdown.size else None,
        "queue_length_mean": float(np.mean(ql)) if ql.size else 0.0,
        "queue_length_max": int(np.max(ql)) if ql.size else 0,
        "jobs_waiting": int(sched.queue_length),
        "requeues": int(sched.requeues.sum()),
        "scheduling_events": int(sched.decisions),
        "mean_allocation": _capped(
            _ratio(a["gpu_s_allocated"] + a["cloud_gpu_s"], a["gpu_s_arrived"])
        ),
        "team_gpu_share": {k: v / total for k, v in sorted(teams.items())} if total > 0 else {},
    }
