"""What the four live charts show: which recorder series, on which axis, in which colour.

Series names are the engine recorder's (the ``timeseries.csv`` columns, see issue 3). A series
the recorder does not have is left out of the chart rather than drawn as zeros, so a chart never
shows a number the model did not produce. Two series are derived from recorded ones:
``burn_rate_usd_per_h`` (the slope of the cumulative total cost, ``derive_burn_rate``) and
``heat_produced_kw`` (facility less cooling power, ``derive_heat_produced``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

BURN_RATE = "burn_rate_usd_per_h"
TOTAL_COST = "total_cost_usd_cum"
HEAT_PRODUCED = "heat_produced_kw"
FACILITY_POWER = "facility_power_kw"
COOLING_POWER = "cooling_power_kw"


@dataclass(frozen=True)
class AxisSpec:
    """A y axis: label, the unit pyqtgraph shows (with SI prefix), and data → unit scale."""

    label: str
    units: str = ""
    scale: float = 1.0
    si_prefix: bool = True
    include_zero: bool = True
    """Quantities (power, money, counts) scale from zero so a small wiggle doesn't look huge."""
    fixed_range: tuple[float, float] | None = None


@dataclass(frozen=True)
class CurveSpec:
    series: str
    label: str
    color: str
    unit: str
    """Readout unit for ``format_value``: kW, °C, %, ratio, count, PFLOP/s, USD, USD/h."""
    axis: int = 0
    """Index into the chart's axes: 0 left, 1 right, 2 a second right axis."""


@dataclass(frozen=True)
class ChartSpec:
    key: str
    title: str
    axes: tuple[AxisSpec, ...]
    curves: tuple[CurveSpec, ...]


CHART_SPECS: tuple[ChartSpec, ...] = (
    ChartSpec(
        key="power",
        title="Power",
        # Data in kW; scale 1000 lets pyqtgraph pick kW / MW / GW for the ticks.
        axes=(
            AxisSpec("Power", "W", 1000.0),
            AxisSpec("PUE", "", 1.0, si_prefix=False, include_zero=False),
        ),
        curves=(
            CurveSpec("it_power_kw", "IT", "#3B6FE0", "kW"),
            CurveSpec("cooling_power_kw", "Cooling", "#0FA3C0", "kW"),
            CurveSpec("facility_power_kw", "Facility", "#E09400", "kW"),
            CurveSpec("pue", "PUE", "#D6457F", "ratio", axis=1),
        ),
    ),
    ChartSpec(
        key="heat",
        title="Temperature and heat",
        axes=(
            AxisSpec("GPU junction", "°C", 1.0, si_prefix=False, include_zero=False),
            AxisSpec("Heat", "W", 1000.0),
        ),
        curves=(
            # The engine records the accelerator junction temperature T_j = T_rack + P·R_th
            # (§3.4), the quantity the throttle and shutdown lines apply to — not the rack air.
            # The racks' coolant supply (inlet) temperature is drawn as a reference line.
            CurveSpec("max_temp_c", "Max GPU", "#E0483E", "°C"),
            CurveSpec("mean_temp_c", "Mean GPU", "#E5A100", "°C"),
            CurveSpec(HEAT_PRODUCED, "All heat", "#A05CD6", "kW", axis=1),
            CurveSpec("heat_in_kw", "Rack heat", "#E5671B", "kW", axis=1),
            CurveSpec("heat_removed_kw", "Removed", "#0FA3C0", "kW", axis=1),
            CurveSpec("cooling_capacity_kw", "Cooling cap.", "#8A94A6", "kW", axis=1),
        ),
    ),
    ChartSpec(
        key="utilization",
        title="Utilization",
        axes=(
            AxisSpec("Utilization", "%", 100.0, si_prefix=False, fixed_range=(0.0, 1.05)),
            AxisSpec("Delivered", "FLOP/s", 1e15),
            AxisSpec("Accelerators", "GPUs", 1.0, si_prefix=False),
        ),
        curves=(
            CurveSpec("mean_utilization", "Mean util.", "#3B6FE0", "%"),
            CurveSpec("delivered_pflops", "Delivered", "#13A37A", "PFLOP/s", axis=1),
            CurveSpec("gpus_up", "Up", "#22A55B", "count", axis=2),
            CurveSpec("gpus_failed", "Failed", "#E0483E", "count", axis=2),
            CurveSpec("gpus_throttled", "Throttled", "#E5A100", "count", axis=2),
        ),
    ),
    ChartSpec(
        key="cost",
        title="Cost (cumulative)",
        axes=(AxisSpec("Cost", "$", 1.0), AxisSpec("Burn rate", "$/h", 1.0)),
        curves=(
            CurveSpec("capex_amortized_usd_cum", "Capex (amortized)", "#7C4DDB", "USD"),
            CurveSpec("energy_cost_usd_cum", "Energy", "#E09400", "USD"),
            CurveSpec("staff_cost_usd_cum", "Staff", "#D6457F", "USD"),
            CurveSpec("maintenance_cost_usd_cum", "Maintenance", "#5F6B7A", "USD"),
            CurveSpec("cloud_cost_usd_cum", "Cloud", "#4A8DD8", "USD"),
            CurveSpec(TOTAL_COST, "Total", "#8A94A6", "USD"),
            CurveSpec(BURN_RATE, "Burn rate", "#E0483E", "USD/h", axis=1),
        ),
    ),
)

DERIVED_SOURCES: dict[str, tuple[str, ...]] = {
    BURN_RATE: (TOTAL_COST,),
    HEAT_PRODUCED: (FACILITY_POWER, COOLING_POWER),
}
"""Derived series → the recorded series it is computed from."""


def derive_heat_produced(facility_kw: FloatArray, cooling_kw: FloatArray) -> FloatArray:
    """Heat released inside the building, kW: every electrical load except the cooling plant.

    Facility power less the cooling plant's own draw is what racks, switches, storage, the
    power chain's conversion losses and the misc facility loads turn into heat (all electrical
    power ends as heat); the recorded ``heat_in_kw`` counts the racks only.
    """
    return np.asarray(facility_kw - cooling_kw, dtype=np.float64)


def derive_burn_rate(times_s: FloatArray, total_cost_usd: FloatArray) -> FloatArray:
    """Spending rate in USD per hour: backward difference of the cumulative total cost.

    The first sample has no predecessor and copies the second one's rate (or 0 for one sample).
    """
    rate = np.zeros_like(total_cost_usd)
    if len(total_cost_usd) >= 2:
        dt_s = np.diff(times_s)
        safe_dt_s = np.where(dt_s > 0, dt_s, np.inf)
        rate[1:] = np.diff(total_cost_usd) / safe_dt_s * 3600.0
        rate[0] = rate[1]
    return rate


def required_series(specs: tuple[ChartSpec, ...] = CHART_SPECS) -> tuple[str, ...]:
    """Every recorded series the charts read (derived ones replaced by their sources)."""
    names: list[str] = []
    for spec in specs:
        for curve in spec.curves:
            for name in DERIVED_SOURCES.get(curve.series, (curve.series,)):
                if name not in names:
                    names.append(name)
    return tuple(names)
