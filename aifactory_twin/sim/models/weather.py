"""Weather: outdoor dry bulb and wet bulb over a year, from an EPW file or a climate preset.

* Wet bulb from dry bulb, dew point and pressure by the psychrometer equation
  e = e_w(T_w) − 6.53·10⁻⁴·(1 + 0.000944·T_w)·p·(T − T_w), with e_w the Magnus saturation
  vapour pressure over water 6.112·exp(17.62·T/(243.12 + T)) hPa (WMO Guide No. 8, Annex 4.B),
  solved by bisection between the dew point and the dry bulb (exact to 1e-6 K). Where the dew
  point is missing the vapour pressure comes from relative humidity.
* EPW (EnergyPlus weather, https://bigladdersoftware.com/epx/docs/ "Auxiliary programs",
  weather file format): 8 header lines, then one row per hour with dry bulb (field 7), dew point
  (8), relative humidity (9) and station pressure in Pa (10); 99.9 / 999 / 999999 mark missing
  values. Missing dry bulb is an error naming the line; other missing values fall back (RH,
  then standard pressure 101,325 Pa).
* Presets: monthly mean dry bulb, mean relative humidity and mean daily range for real places
  (``CLIMATES``, sources there). Between months a periodic linear interpolation of the mid-month
  values (seasonal), on top a daily cosine of half the daily range peaking at 15:00 (daily); the
  dew point follows the season only (absolute humidity changes little over a day), so the wet
  bulb swings less than the dry bulb, as observed.
* Both kinds become an hourly table for one year (``YearWeather``); the value at any time is
  the linear interpolation between hours, repeating every year.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from aifactory_twin.errors import Problem, ScenarioError

FloatArray = npt.NDArray[np.float64]

HOURS_PER_YEAR = 8760
STANDARD_PRESSURE_PA = 101_325.0
EPW_HEADER_LINES = 8
DAILY_PEAK_HOUR = 15.0
MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def saturation_hpa(temp_c: FloatArray) -> FloatArray:
    """Magnus saturation vapour pressure over water, hPa (WMO Guide No. 8)."""
    out: FloatArray = 6.112 * np.exp(17.62 * temp_c / (243.12 + temp_c))
    return out


def dew_point_c(temp_c: FloatArray, rh_pct: FloatArray) -> FloatArray:
    """Dew point from dry bulb and relative humidity (inverse Magnus)."""
    e = np.maximum(rh_pct, 1e-3) / 100.0 * saturation_hpa(temp_c)
    g = np.log(e / 6.112)
    out: FloatArray = 243.12 * g / (17.62 - g)
    return out


def dew_point_from_wet_c(
    temp_c: FloatArray | float, wet_c: FloatArray | float, pressure_pa: float = STANDARD_PRESSURE_PA
) -> FloatArray:
    """Dew point from dry and wet bulb: the psychrometer equation, then inverse Magnus."""
    t = np.asarray(temp_c, dtype=np.float64)
    tw = np.minimum(np.asarray(wet_c, dtype=np.float64), t)
    e = saturation_hpa(tw) - 6.53e-4 * (1.0 + 0.000944 * tw) * pressure_pa / 100.0 * (t - tw)
    g = np.log(np.maximum(e, 1e-3) / 6.112)
    out: FloatArray = 243.12 * g / (17.62 - g)
    return out


def wet_bulb_c(temp_c: FloatArray, dew_c: FloatArray, pressure_pa: FloatArray) -> FloatArray:
    """Thermodynamic (psychrometric) wet bulb, °C, by bisection (module doc)."""
    t = np.asarray(temp_c, dtype=np.float64)
    td = np.minimum(np.asarray(dew_c, dtype=np.float64), t)
    p_hpa = np.asarray(pressure_pa, dtype=np.float64) / 100.0
    e = saturation_hpa(td)
    lo, hi = td.copy(), t.copy()
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        f = saturation_hpa(mid) - 6.53e-4 * (1.0 + 0.000944 * mid) * p_hpa * (t - mid) - e
        # f rises with T_w: too high a guess gives f > 0.
        hi = np.where(f > 0, mid, hi)
        lo = np.where(f > 0, lo, mid)
    out: FloatArray = 0.5 * (lo + hi)
    return out


@dataclass(frozen=True)
class YearWeather:
    """Hourly dry and wet bulb for one year (index 0 = 1 January 00:00)."""

    dry_c: FloatArray
    wet_c: FloatArray
    source: str

    def at(self, seconds_of_year: float) -> tuple[float, float]:
        """(dry bulb, wet bulb) °C, linear between hours, repeating yearly."""
        n = self.dry_c.size
        h = (seconds_of_year / 3600.0) % n
        i = math.floor(h)
        f = h - i
        j = (i + 1) % n
        dry = float(self.dry_c[i] + (self.dry_c[j] - self.dry_c[i]) * f)
        wet = float(self.wet_c[i] + (self.wet_c[j] - self.wet_c[i]) * f)
        return dry, min(wet, dry)

    def monthly_mean_c(self) -> tuple[FloatArray, FloatArray]:
        """(dry, wet) monthly means of the table (12 each; a leap-year table uses 28 Feb days)."""
        edges = np.cumsum((0, *MONTH_DAYS)) * 24
        dry = np.array([self.dry_c[a:b].mean() for a, b in itertools.pairwise(edges)])
        wet = np.array([self.wet_c[a:b].mean() for a, b in itertools.pairwise(edges)])
        return dry, wet


def _epw_error(source: str, line: int, message: str) -> ScenarioError:
    return ScenarioError([Problem(f"line {line}" if line else "", message, source)])


def parse_epw(text: str, source: str) -> YearWeather:
    """Read an EPW file's hourly rows (module doc); errors name ``source`` and the line."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or not lines[0].upper().startswith("LOCATION"):
        raise _epw_error(source, 1, "is not an EPW weather file (first line must be LOCATION,…)")
    rows = lines[EPW_HEADER_LINES:]
    dry, dew, rh, pres = [], [], [], []
    for offset, raw in enumerate(rows):
        line = EPW_HEADER_LINES + offset + 1
        if not raw.strip():
            continue
        fields = raw.split(",")
        if len(fields) < 10:
            raise _epw_error(source, line, f"has {len(fields)} fields, an EPW data row has ≥ 10")
        try:
            values = [float(fields[i]) for i in (6, 7, 8, 9)]
        except ValueError:
            raise _epw_error(
                source, line, "dry bulb, dew point, RH or pressure is not a number"
            ) from None
        t, td, r, p = values
        if t >= 99.9 or not -90.0 <= t <= 70.0:
            raise _epw_error(
                source, line, f"dry bulb {fields[6].strip()} is missing or out of range"
            )
        dry.append(t)
        dew.append(td if td < 99.9 else math.nan)
        rh.append(r if 0.0 <= r <= 110.0 else math.nan)
        pres.append(p if 30_000.0 <= p < 999_999.0 else STANDARD_PRESSURE_PA)
    n = len(dry)
    if n < HOURS_PER_YEAR:
        raise _epw_error(source, 0, f"has {n} hourly rows; an EPW year has {HOURS_PER_YEAR}")
    if n % HOURS_PER_YEAR:
        raise _epw_error(source, 0, f"has {n} rows, not a whole number of hourly years")
    if n > HOURS_PER_YEAR:
        # Sub-hourly file (e.g. 4 rows per hour): average to hours.
        per = n // HOURS_PER_YEAR
        t_a = np.asarray(dry).reshape(HOURS_PER_YEAR, per).mean(axis=1)
        td_a = np.nanmean(np.asarray(dew).reshape(HOURS_PER_YEAR, per), axis=1)
        rh_a = np.nanmean(np.asarray(rh).reshape(HOURS_PER_YEAR, per), axis=1)
        p_a = np.asarray(pres).reshape(HOURS_PER_YEAR, per).mean(axis=1)
    else:
        t_a, td_a, rh_a, p_a = (np.asarray(x) for x in (dry, dew, rh, pres))
    td_a = np.where(np.isnan(td_a), dew_point_c(t_a, np.where(np.isnan(rh_a), 60.0, rh_a)), td_a)
    # EPW hour 1 is the hour ending 01:00; index 0 here is 00:00–01:00, the same hour.
    return YearWeather(t_a, wet_bulb_c(t_a, td_a, p_a), source)


@dataclass(frozen=True)
class Climate:
    """Monthly normals of one place (mean dry bulb °C, mean RH %, mean daily range K)."""

    name: str
    dry_c: tuple[float, ...]
    rh_pct: tuple[float, ...]
    daily_range_k: float
    elevation_m: float
    source: str


_NOAA = "NOAA NCEI U.S. Climate Normals 1991–2020 (monthly mean temperature), recalled [E]: verify"
_RH_E = "monthly mean relative humidity: estimate [E] from typical station climatology"
CLIMATES: dict[str, Climate] = {
    "ashburn_va": Climate(
        "Ashburn, Virginia (Dulles, IAD)",
        (0.8, 2.2, 6.4, 12.4, 17.6, 22.3, 24.9, 23.9, 20.0, 13.6, 7.6, 2.9),
        (64, 60, 58, 57, 64, 68, 69, 71, 72, 70, 66, 66),
        11.5,
        95.0,
        f"{_NOAA}; {_RH_E}",
    ),
    "phoenix_az": Climate(
        "Phoenix, Arizona (PHX)",
        (13.8, 15.7, 19.1, 23.1, 28.2, 33.6, 35.3, 34.7, 31.4, 24.9, 18.1, 13.2),
        (50, 44, 37, 27, 21, 17, 30, 34, 32, 32, 40, 49),
        14.0,
        340.0,
        f"{_NOAA}; {_RH_E}",
    ),
    "dublin_ie": Climate(
        "Dublin, Ireland (Dublin Airport)",
        (5.5, 5.6, 6.9, 8.6, 11.0, 13.7, 15.6, 15.3, 13.5, 10.7, 7.6, 5.8),
        (87, 85, 82, 79, 78, 79, 80, 81, 83, 85, 87, 88),
        7.5,
        70.0,
        "Met Éireann 1991–2020 monthly means, recalled [E]: verify; " + _RH_E,
    ),
    "stockholm_se": Climate(
        "Stockholm, Sweden",
        (-0.6, -0.9, 1.8, 6.6, 11.5, 15.6, 18.4, 17.3, 12.8, 7.6, 3.5, 0.6),
        (86, 83, 76, 68, 64, 67, 70, 74, 79, 84, 88, 88),
        7.0,
        44.0,
        "SMHI 1991–2020 monthly means, recalled [E]: verify; " + _RH_E,
    ),
    "frankfurt_de": Climate(
        "Frankfurt am Main, Germany",
        (1.6, 2.6, 6.2, 10.5, 14.6, 18.0, 20.0, 19.5, 15.3, 10.4, 5.6, 2.4),
        (84, 79, 72, 65, 67, 67, 66, 70, 77, 82, 86, 86),
        8.5,
        112.0,
        "DWD 1991–2020 monthly means, recalled [E]: verify; " + _RH_E,
    ),
    "singapore": Climate(
        "Singapore (Changi)",
        (26.8, 27.3, 27.8, 28.2, 28.6, 28.6, 28.2, 28.1, 27.9, 27.9, 27.1, 26.7),
        (84, 81, 82, 83, 82, 80, 80, 80, 81, 83, 86, 86),
        6.5,
        15.0,
        "Meteorological Service Singapore 1991–2020 means, recalled [E]: verify; " + _RH_E,
    ),
}


def pressure_at_elevation_pa(elevation_m: float) -> float:
    """Standard-atmosphere pressure at an elevation (ICAO barometric formula)."""
    return float(STANDARD_PRESSURE_PA * (1.0 - 2.25577e-5 * elevation_m) ** 5.25588)


def climate_year(key: str) -> YearWeather:
    """Hourly year from a preset's monthly normals (module doc)."""
    cl = CLIMATES[key]
    hours = np.arange(HOURS_PER_YEAR, dtype=np.float64)
    mid = (np.cumsum((0, *MONTH_DAYS[:-1])) + np.asarray(MONTH_DAYS) / 2.0) * 24.0
    # Periodic linear interpolation through the mid-month points.
    xp = np.concatenate(([mid[-1] - HOURS_PER_YEAR], mid, [mid[0] + HOURS_PER_YEAR]))
    dry_m = np.asarray(cl.dry_c)
    dew_m = dew_point_c(dry_m, np.asarray(cl.rh_pct, dtype=np.float64))
    seasonal = np.interp(hours, xp, np.concatenate(([dry_m[-1]], dry_m, [dry_m[0]])))
    dew = np.interp(hours, xp, np.concatenate(([dew_m[-1]], dew_m, [dew_m[0]])))
    daily = 0.5 * cl.daily_range_k * np.cos(2.0 * np.pi * ((hours % 24) - DAILY_PEAK_HOUR) / 24.0)
    dry = seasonal + daily
    pressure = np.full(HOURS_PER_YEAR, pressure_at_elevation_pa(cl.elevation_m))
    return YearWeather(dry, wet_bulb_c(dry, np.minimum(dew, dry), pressure), cl.name)
