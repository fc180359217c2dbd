"""Economics: ambient, prices, carbon, amortization, maintenance, salaries and cloud burst.

* Ambient dry bulb: a daily sine mean + amplitude·cos(2π(h − peak hour)/24) (+ heat waves).
* Energy at each feed's time-of-use price for the local hour (price spikes multiply it); loads
  with no feed pay ``settings.default_price_usd_per_kwh`` (US industrial 2023, §6.1).
* Carbon = energy × grid intensity (§10.12); water = WUE × heat rejected (§3.5).
* Capex amortized straight-line over ``depreciation_years`` from arrival (§6.3); the building
  (``facility_capex_usd_per_kw`` × rated IT kW) over ``FACILITY_LIFE_YEARS`` (§6.3: 25–30 y).
* Maintenance = ``maintenance_fraction_per_year`` × arrived equipment capex, pro rata.
* Salaries pro rata; cloud burst at $/GPU-hour for accelerators rented this step.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

SECONDS_PER_YEAR = 365.0 * 86400.0
FACILITY_LIFE_YEARS = 25.0


def ambient_c(mean_c: float, amplitude_c: float, peak_hour: float, hour_of_day: float) -> float:
    """Outdoor dry-bulb temperature at ``hour_of_day`` (daily cosine peaking at ``peak_hour``)."""
    return mean_c + amplitude_c * math.cos(2.0 * math.pi * (hour_of_day - peak_hour) / 24.0)


def feed_prices(price_by_hour: npt.NDArray[np.float64], hour: int, multiplier: float) -> FloatArray:
    """$/kWh per feed for this local hour."""
    if price_by_hour.shape[0] == 0:
        return np.zeros(0)
    return price_by_hour[:, hour % 24] * multiplier


def amortization_usd(capex_usd: float, years: float, dt_s: float) -> float:
    """Straight-line depreciation over ``years`` for one step."""
    return capex_usd * dt_s / (years * SECONDS_PER_YEAR)


def pro_rata_usd(per_year_usd: float, dt_s: float) -> float:
    """An annual amount for one step."""
    return per_year_usd * dt_s / SECONDS_PER_YEAR
