"""The KPI registry: one :class:`KpiInfo` per KPI key, read by every place that shows a KPI.

The engine computes KPIs (``sim/kpis.py``, the keys of ``kpis.json``) and the studies add a few
(``study/``); this module says how each is called, in which unit, how it is formatted, what it
means (the tooltip formula), which direction is better and where it belongs. The live tiles,
the CLI table, the PDF report, the slides, the studio's tables and the study CSV columns all
read it, so a KPI reads the same everywhere. A key with no entry (a per-job column, a KPI newer
than this table) still shows, labelled from its key.

Adding a KPI: compute it (``sim/kpis.py`` or ``study/``) and add its entry here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from aifactory_twin.formatting import MINUS, MISSING, NumberFormat, field_title, format_number

Better = Literal["higher", "lower"] | None
Group = Literal["cost", "energy", "compute", "reliability", "people", "sustainability", "run"]


@dataclass(frozen=True)
class KpiInfo:
    """How one KPI is named, measured, formatted and judged everywhere it is shown."""

    key: str
    label: str
    """Full name (report tables)."""
    unit: str
    """Unit of the value as computed ("" for ratios, shares and counts)."""
    fmt: NumberFormat
    better: Better
    group: Group
    formula: str
    """How the figure is computed, in words (tooltips, report notes)."""
    short: str = ""
    """Caption where room is tight (tiles, slides); the label when empty."""
    decimals: int = 1
    """Decimals of percents, rates and temperatures."""

    @property
    def caption(self) -> str:
        """The short label where space is tight (tiles, slide captions), else the label."""
        return self.short or self.label

    def format(self, value: Any) -> str:
        """``value`` as this KPI shows it everywhere (``$1.23M``, ``83.4 %``, ``1.35``, ``—``)."""
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
        return format_number(number, self.fmt, self.unit, self.decimals)

    @property
    def unit_text(self) -> str:
        """The unit as a table column shows it (money and shares say it in the value)."""
        return "" if self.fmt in ("money", "percent", "percent_change", "count") else self.unit


_COST = "amortized capex + energy + staff + maintenance + cloud + compliance"

KPIS: tuple[KpiInfo, ...] = (
    # --- cost --------------------------------------------------------------------------------
    KpiInfo(
        "total_cost_usd", "Total cost", "USD", "money", "lower", "cost",
        f"Total cost over the simulated time: {_COST}.",
    ),
    KpiInfo(
        "operational_cost_usd", "Operational cost (energy+staff+maint.+cloud+compl.)", "USD",
        "money", "lower", "cost", "Energy + staff + maintenance + cloud + compliance: the total "
        "cost without amortized capex.", short="Operational cost",
    ),
    KpiInfo(
        "operational_cost_reduction_pct", "Operational cost reduction vs baseline", "%",
        "percent_change", "higher", "cost",
        "(baseline operational cost − this variant's) / baseline operational cost.",
        short="Opex reduction",
    ),
    KpiInfo(
        "capex_usd", "Investment (capex)", "USD", "money", "lower", "cost",
        "Capex of the equipment that has arrived (node capex, or catalog price, × count) plus "
        "the facility build-out (settings.facility_capex_usd_per_kw × rated IT kW).",
    ),
    KpiInfo(
        "capex_amortized_usd", "Capex amortized", "USD", "money", "lower", "cost",
        "Straight-line share of the arrived equipment's capex over settings.depreciation_years, "
        "and of the facility build-out over its 25-year life, for the simulated time.",
    ),
    KpiInfo(
        "energy_cost_usd", "Energy cost", "USD", "money", "lower", "cost",
        "Facility energy at each feed's time-of-use price (or settings.default_price_usd_per_kwh)"
        ", injected price spikes included.",
    ),
    KpiInfo(
        "staff_cost_usd", "Staff cost", "USD", "money", "lower", "cost",
        "Σ headcount × fully loaded salary per year, pro rata over the simulated time.",
    ),
    KpiInfo(
        "maintenance_cost_usd", "Maintenance cost", "USD", "money", "lower", "cost",
        "settings.maintenance_fraction_per_year × capex of the arrived equipment, pro rata "
        "over the simulated time.",
    ),
    KpiInfo(
        "cloud_cost_usd", "Cloud burst and egress cost", "USD", "money", "lower", "cost",
        "Rented accelerator-hours × the cloud burst node's price per GPU-hour, plus WAN egress "
        "(egress_cost_usd).",
    ),
    KpiInfo(
        "compliance_cost_usd", "Compliance cost (regulated data)", "USD", "money", "lower",
        "cost", "Regulated (GDPR, HIPAA) datasets held × $100k a year each (external audits, "
        "privacy counsel, logging tooling; estimate, sim/models/launch.py), pro rata.",
        short="Compliance cost",
    ),
    KpiInfo(
        "idle_cost_usd", "Idle capacity cost (arrived, not working)", "USD", "money", "lower",
        "cost", "Amortized capex of the arrived racks' accelerators that are not busy.",
        short="Idle capacity cost",
    ),
    KpiInfo(
        "waiting_cost_usd", "Waiting cost (facility built, equipment not delivered)", "USD",
        "money", "lower", "cost",
        "Amortized facility capex of the rated IT load (racks, switches, storage) whose "
        "equipment has not arrived yet: supply delays leave the building waiting.",
        short="Waiting cost",
    ),
    KpiInfo(
        "egress_cost_usd", "WAN egress cost (in the cloud cost)", "USD", "money", "lower", "cost",
        "Tokens served to users at another site × 200 streamed bytes per token (estimate) × the "
        "serving site's egress price per GB; part of the cloud cost.",
        short="Egress cost",
    ),
    KpiInfo(
        "cost_per_gpu_hour_usd", "Cost per GPU-hour", "USD", "money", "lower", "cost",
        f"Total cost ({_COST}) / GPU-hours allocated to workloads, on site and in the cloud.",
    ),
    KpiInfo(
        "cost_per_trained_model_usd", "Cost per trained model", "USD", "money", "lower", "cost",
        "Total cost over the horizon / training jobs completed in it (empty when none did).",
    ),
    KpiInfo(
        "cost_per_million_tokens_usd", "Cost per million tokens", "USD", "money", "lower", "cost",
        "Inference's share of allocated GPU-hours × total cost / tokens served × 10⁶.",
    ),
    # --- energy ------------------------------------------------------------------------------
    KpiInfo(
        "pue", "PUE", "", "ratio", "lower", "energy",
        "Facility energy / IT energy over the run (an output, never an input): IT + cooling "
        "(fans, pumps, chillers by COP) + UPS/PDU losses + misc facility load.",
    ),
    KpiInfo(
        "pue_fans_as_facility", "PUE with server fans as facility", "", "ratio", "lower",
        "energy",
        "Facility energy / (IT energy − server fan energy): the server fans counted as the "
        "cooling they are, so air and liquid halls compare fairly (§3.1, the PUE trap).",
        short="PUE (fans as facility)",
    ),
    KpiInfo(
        "server_fan_energy_mwh", "Server fan energy", "MWh", "quantity", "lower", "energy",
        "Rack energy × the server-fan share of its cooling mode (air 8 %, direct liquid 2 %, "
        "immersion 0; counted in IT energy).",
        short="Server fans",
    ),
    KpiInfo(
        "facility_energy_mwh", "Facility energy", "MWh", "quantity", "lower", "energy",
        "∫ facility power dt over the simulated time.", short="Energy",
    ),
    KpiInfo(
        "it_energy_mwh", "IT energy", "MWh", "quantity", None, "energy",
        "∫ IT power (accelerators, hosts, network, storage) dt.",
    ),
    KpiInfo(
        "cooling_energy_mwh", "Cooling energy", "MWh", "quantity", "lower", "energy",
        "∫ cooling power (fans, pumps, compressors) dt.",
    ),
    KpiInfo(
        "peak_facility_power_kw", "Peak facility power", "kW", "quantity", None, "energy",
        "Largest facility power of any tick.",
    ),
    KpiInfo(
        "mean_it_power_kw", "Mean IT power", "kW", "quantity", None, "energy",
        "Mean of the recorded IT power.",
    ),
    KpiInfo(
        "mean_facility_power_kw", "Mean facility power", "kW", "quantity", None, "energy",
        "Mean of the recorded facility power.",
    ),
    # --- compute -----------------------------------------------------------------------------
    KpiInfo(
        "mean_utilization", "Mean utilization", "", "percent", "higher", "compute",
        "Busy accelerator-seconds / accelerator-seconds of arrived equipment.",
    ),
    KpiInfo(
        "delivered_pflops_mean", "Delivered compute (mean)", "PFLOP/s", "quantity", "higher",
        "compute",
        "Σ accelerators working × peak FLOP/s × MFU × network scaling efficiency × data-feed "
        "factor × thermal/power derate, averaged over the run.",
        short="Delivered compute",
    ),
    KpiInfo(
        "gpu_hours_delivered", "GPU-hours delivered", "GPU·h", "count", "higher", "compute",
        "GPU-hours allocated to workloads, on site and in the cloud.",
    ),
    KpiInfo(
        "max_temperature_c", "Max GPU junction temperature", "°C", "temperature", "lower",
        "compute", "Hottest accelerator junction of any rack at any tick.",
        short="Max GPU temperature",
    ),
    KpiInfo(
        "throttled_gpu_hours", "Throttled GPU-hours", "GPU·h", "count", "lower", "compute",
        "GPU-hours on racks in the throttled state (above their slowdown temperature).",
    ),
    KpiInfo(
        "jobs_completed", "Training jobs completed", "", "count", "higher", "compute",
        "Training jobs that reached their FLOP target within the horizon.",
    ),
    KpiInfo(
        "training_time_days", "Time to train", "d", "quantity", "lower", "compute",
        "Days from submission to completion of the slowest training job (studies); empty "
        "when a training job has not finished within the horizon.",
    ),
    KpiInfo(
        "inference_tokens", "Inference tokens", "", "count", "higher", "compute",
        "Tokens served by the inference services.",
    ),
    KpiInfo(
        "joules_per_token", "Energy per token", "J", "quantity", "lower", "compute",
        "Facility energy of the accelerators serving inference / tokens served.",
    ),
    KpiInfo(
        "mean_allocation", "Mean allocation", "", "percent", "higher", "compute",
        "Accelerator-seconds handed to workloads (on site and cloud) / accelerator-seconds of "
        "arrived equipment; utilization below it is allocated but idle.",
    ),
    KpiInfo(
        "queue_wait_mean_h", "Queue wait (mean)", "h", "quantity", "lower", "compute",
        "Mean over submitted training jobs of first start − submit time (a job still waiting "
        "counts its wait so far).", short="Wait (mean)",
    ),
    KpiInfo(
        "queue_wait_p50_h", "Queue wait (median)", "h", "quantity", "lower", "compute",
        "Median over submitted training jobs of first start − submit time.",
        short="Wait (P50)",
    ),
    KpiInfo(
        "queue_wait_p95_h", "Queue wait (95th percentile)", "h", "quantity", "lower", "compute",
        "95th percentile over submitted training jobs of first start − submit time.",
        short="Wait (P95)",
    ),
    KpiInfo(
        "queue_slowdown_mean", "Mean bounded slowdown", "", "ratio", "lower", "compute",
        "Mean over finished jobs of (end − submit) / max(end − first start, 10 s).",
        short="Slowdown",
    ),
    KpiInfo(
        "queue_length_mean", "Queue length (mean)", "jobs", "quantity", "lower", "compute",
        "Training jobs submitted but not running, averaged over the ticks.",
        short="Queue (mean)",
    ),
    KpiInfo(
        "queue_length_max", "Queue length (peak)", "", "count", "lower", "compute",
        "Most training jobs waiting at any tick.", short="Queue (peak)",
    ),
    KpiInfo(
        "scheduling_events", "Scheduling passes", "", "count", None, "run",
        "Times the scheduler re-decided the queue (capacity, submission, completion or gate "
        "changes).",
    ),
    KpiInfo(
        "jobs_waiting", "Jobs waiting at the end", "", "count", "lower", "compute",
        "Training jobs submitted, not finished and not running when the run stopped.",
    ),
    KpiInfo(
        "requeues", "Job requeues", "", "count", "lower", "reliability",
        "Running jobs sent back to the queue because they fell below their gang minimum "
        "(failures, or preemption by higher-priority work).",
    ),
    # --- reliability -------------------------------------------------------------------------
    KpiInfo(
        "availability", "Availability", "", "percent", "higher", "reliability",
        "GPU-hours up / GPU-hours of arrived equipment.", decimals=2,
    ),
    KpiInfo(
        "interruptions", "Job interruptions", "", "count", "lower", "reliability",
        "Training restarts from the last checkpoint after a failure.",
    ),
    KpiInfo(
        "incidents", "Incidents (unit failures)", "", "count", "lower", "reliability",
        "Unit failures, random and injected.", short="Incidents",
    ),
    KpiInfo(
        "automation_rate", "Automation rate", "", "percent", "higher", "reliability",
        "Incidents handled by MLOps automation without a technician / all incidents. Each "
        "incident is automated with p = settings.automation_level (tooling) × min(1, MLOps "
        "people × 2,000 GPUs / GPUs arrived) (staffing, sim/models/mlops.py); '—' until the "
        "first incident.",
    ),
    # --- people ------------------------------------------------------------------------------
    KpiInfo(
        "talent_retention", "Talent retention", "", "percent", "higher", "people",
        "1 − departures / starting headcount. Departures come from each team's attrition hazard "
        "and injected staff departures; replacements arrive after the hiring lead time.",
    ),
    KpiInfo(
        "talent_retention_annual", "Talent retention (annual)", "", "percent", "higher",
        "people",
        "exp(−departures / starting headcount × 1 year / simulated time): the share of staff a "
        "year at this run's departure rate keeps. Attrition rises when pay is below the team's "
        "market rate (sim/models/staff.py).",
        short="Retention /yr",
    ),
    KpiInfo(
        "headcount_end", "Headcount at end", "", "count", None, "people",
        "People on staff at the end of the run.",
    ),
    KpiInfo(
        "product_launches", "Product launches", "", "count", "higher", "people",
        "Models launched: each finished training run is evaluated (MLOps), passes the "
        "governance gates (bias/fairness, red-teaming, legal; security & governance team) and "
        "is deployed (MLOps) — sim/models/launch.py.",
    ),
    KpiInfo(
        "product_launches_per_year", "Product launches per year", "/yr", "rate", "higher",
        "people", "Models launched so far × (1 year / simulated time); a launch needs a "
        "finished run, evaluation, governance review and deployment.",
        short="Product launches",
    ),
    KpiInfo(
        "launch_lead_time_mean_days", "Launch lead time (mean)", "d", "quantity", "lower",
        "people", "Mean days from the end of training to launch over the models launched: "
        "evaluation + governance review + deployment, with queueing behind earlier models.",
        short="Launch lead time",
    ),
    KpiInfo(
        "retrains_submitted", "Retraining jobs submitted", "", "count", None, "people",
        "Drifts detected in launched models of jobs with drift monitoring, each submitting a "
        "retraining job (retrain_fraction of the job's work) to the queue. Drift comes an "
        "exponential time (mean_time_to_drift_s) after launch; detection waits for automated "
        "monitoring (automation_level × MLOps coverage) or a monthly manual review, then MLOps "
        "triage (sim/models/drift.py).",
        short="Retrains submitted",
    ),
    KpiInfo(
        "retrains_completed", "Retraining jobs completed", "", "count", None, "people",
        "Retraining jobs that finished training; each then goes through evaluation, governance "
        "review and deployment like any run.",
        short="Retrains completed",
    ),
    KpiInfo(
        "drift_to_relaunch_mean_days", "Drift to relaunch (mean)", "d", "quantity", "lower",
        "people", "Mean days from a model's drift to the launch of its retrained successor, "
        "over those launched: detection delay + queue wait + retraining + launch lead time.",
        short="Drift → relaunch",
    ),
    # --- sustainability ----------------------------------------------------------------------
    KpiInfo(
        "carbon_t_co2", "Carbon", "t CO₂", "quantity", "lower", "sustainability",
        "Σ over steps of the energy each feed supplied × its carbon intensity then (its "
        "price/carbon series or its constant; settings.default_carbon_g_per_kwh only on a site "
        "with no feed). Operational (scope 2) carbon.",
    ),
    KpiInfo(
        "embodied_carbon_t_co2", "Embodied carbon (amortized)", "t CO₂e", "quantity", "lower",
        "sustainability",
        "Manufacturing carbon of the arrived equipment (per-unit kgCO2e, the unit's or the "
        "catalog's) written off straight-line over settings.depreciation_years, like capex.",
        short="Embodied carbon",
    ),
    KpiInfo(
        "water_m3", "Water", "m³", "quantity", "lower", "sustainability",
        "Heat rejected × each cooling unit's water use per kWh (a tower that names none: "
        "≈ 1.8 L/kWh evaporation + blowdown), + water spent by evaporative economizers.",
    ),
    KpiInfo(
        "tower_water_m3", "Tower water", "m³", "quantity", "lower", "sustainability",
        "Heat the cooling towers reject × their water use per kWh (≈ 1.8 L/kWh evaporation "
        "+ blowdown when not given: 3.6 MJ / 2.43 MJ/kg evaporated, §3.5).",
    ),
    KpiInfo(
        "free_cooling_hours", "Free-cooling hours", "h", "quantity", "higher", "energy",
        "Equivalent full hours of free cooling: time × the share of the chillers' load carried "
        "by economizers (heat-weighted); none without a chiller.",
        short="Free cooling",
    ),
    # --- the run itself (settings, not results) ----------------------------------------------
    KpiInfo("horizon_s", "Horizon", "s", "duration", None, "run", "Simulated time asked for."),
    KpiInfo("step_s", "Time step", "s", "duration", None, "run", "Length of one tick."),
    KpiInfo("simulated_s", "Simulated", "s", "duration", None, "run", "Simulated time so far."),
    KpiInfo("seed", "Seed", "", "count", None, "run", "Random seed of the run."),
)  # fmt: skip

KPI_INFO: dict[str, KpiInfo] = {info.key: info for info in KPIS}
RESULT_KEYS: tuple[str, ...] = tuple(info.key for info in KPIS if info.group != "run")


def kpi_info(key: str) -> KpiInfo:
    """The entry for ``key``.

    A key with none (a per-job column ``job.<id>.<field>``, a KPI newer than this table) gets
    an entry made from its name, so it still shows, plainly formatted.
    """
    info = KPI_INFO.get(key)
    if info is not None:
        return info
    year = _INVESTMENT_YEAR.fullmatch(key)
    if year is not None:
        return KpiInfo(
            key, f"Investment in {year[1]}", "USD", "money", "lower", "cost",
            f"Capex of the equipment delivered in {year[1]} (delivery date or lead time), plus "
            "the facility build-out in the scenario's start year; deliveries after the "
            "simulated time count in their year (the investment plan).",
            short=f"Invest. {year[1]}",
        )  # fmt: skip
    if key.startswith("job.") and key.count(".") >= 2:
        name, sub = key[4:].rsplit(".", 1)
        fmt: NumberFormat = "percent" if sub in _JOB_SHARES else "quantity"
        unit = "h" if sub.endswith("_h") else "d" if sub.endswith("_day") else ""
        what = field_title(sub.removesuffix("_h")).lower()
        formula = _JOB_FORMULAS.get(sub, "")
        return KpiInfo(key, f"Job {name}: {what}", unit, fmt, None, "compute", formula)
    return KpiInfo(key, field_title(key), "", "quantity", None, "compute", "")


_JOB_SHARES = frozenset({"progress", "goodput"})
_JOB_FORMULAS = {
    "launch_day": "Days from the scenario start until the job's model launches: end of training "
    "+ evaluation (MLOps) + governance review (bias/fairness, red-teaming, legal) + deployment "
    "(sim/models/launch.py); empty before training ends or without a governance team.",
}
_INVESTMENT_YEAR = re.compile(r"investment_(\d{4})_usd")


def format_kpi(key: str, value: Any) -> str:
    """``value`` of KPI ``key`` as every view shows it."""
    return kpi_info(key).format(value)


def format_kpi_delta(key: str, diff: float | None, pct: float | None = None) -> str:
    """A change of KPI ``key``: relative (``+4.2 %``) when there is a base, else absolute."""
    if diff is None:
        return MISSING
    if diff == 0:
        return "±0"
    if pct is not None:
        return format_number(pct, "percent_change")
    return ("+" if diff > 0 else MINUS) + kpi_info(key).format(abs(diff))


def ordered_keys(keys: Iterable[str]) -> list[str]:
    """Result keys in registry order, then the unknown ones in their given order."""
    present = dict.fromkeys(k for k in keys if kpi_info(k).group != "run")
    return [k for k in RESULT_KEYS if k in present] + [k for k in present if k not in KPI_INFO]


def delta_is_better(key: str, diff: float) -> bool | None:
    """Whether a change ``diff`` of ``key`` is an improvement; None when neither direction is."""
    better = KPI_INFO[key].better if key in KPI_INFO else None
    if better is None or diff == 0:
        return None
    return (diff > 0) == (better == "higher")


def numeric(kpis: Mapping[str, Any], key: str) -> float | None:
    """``kpis[key]`` as a float, or None when missing, not a number or not finite."""
    value = kpis.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value == value and abs(value) != float("inf") else None
