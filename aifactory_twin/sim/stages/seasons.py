"""Seasons stage: the run's totals by calendar month, free-cooling time and the plant's water.

Owns ``months`` (per calendar month of simulated time: IT and facility energy, free-cooling
hours, water, outdoor means) and the run totals of free cooling and water the ledger does not
keep: the time-weighted free-cooling share of the chillers' load, the water evaporative
economizers spend and the water towers use. Reads the step's plant block and the thermal
stage's outdoor response; changes nothing outside itself.

Free-cooling hours are equivalent full hours: each step counts dt × (free-cooled share of the
chillers' heat, weighted by each chiller's heat). A run with no chiller (dry coolers, towers
only) has nothing to free and reports None.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np

from aifactory_twin.sim.compiled import CompiledScenario
from aifactory_twin.sim.models.sequential import Stretch
from aifactory_twin.sim.stages.handoff import FloatArray, PlantBlock

Rates = tuple[float, float, float]
RATES_MEMO_MAX = 48
"""Plant blocks whose rates the stage keeps at most: a day's hours twice."""


@dataclass
class MonthTotals:
    """Totals of one calendar month of the run."""

    time_s: float = 0.0
    it_kwh: float = 0.0
    facility_kwh: float = 0.0
    cooling_kwh: float = 0.0
    free_cooling_s: float = 0.0
    water_l: float = 0.0
    tower_water_l: float = 0.0
    dry_c_s: float = 0.0
    wet_c_s: float = 0.0

    def row(self, month: str) -> dict[str, Any]:
        """The month as ``kpis.json`` and ``monthly.csv`` show it."""
        hours = self.time_s / 3600.0
        return {
            "month": month,
            "hours": hours,
            "it_energy_mwh": self.it_kwh / 1000.0,
            "facility_energy_mwh": self.facility_kwh / 1000.0,
            "cooling_energy_mwh": self.cooling_kwh / 1000.0,
            "pue": self.facility_kwh / self.it_kwh if self.it_kwh > 1e-9 else None,
            "free_cooling_hours": self.free_cooling_s / 3600.0,
            "water_m3": self.water_l / 1000.0,
            "tower_water_m3": self.tower_water_l / 1000.0,
            "mean_dry_bulb_c": self.dry_c_s / self.time_s if self.time_s > 0 else None,
            "mean_wet_bulb_c": self.wet_c_s / self.time_s if self.time_s > 0 else None,
        }


class Seasons:
    """Monthly totals, free cooling and water of the run so far."""

    def __init__(self, c: CompiledScenario) -> None:
        self.months: dict[tuple[int, int], MonthTotals] = {}
        self.free_cooling_s = 0.0
        self.economizer_water_l = 0.0
        self.tower_water_l = 0.0
        self._rates: dict[int, tuple[weakref.ref[PlantBlock], FloatArray, object, Rates]] = {}
        self.step: tuple[MonthTotals, dict[str, float], dict[str, float]] | None = None
        """The last step's month and what it added to the run's and the month's totals."""
        self.swap(c)

    def swap(self, c: CompiledScenario) -> None:
        """Take the parameters of ``c``."""
        self.c = c
        p = c.plant
        self.has_chiller = bool(p.is_chiller.any())
        self._chillers = np.flatnonzero(p.is_chiller)
        self.tower_wue = np.where(p.is_tower, p.wue_l_per_kwh, 0.0)
        self._rates = {}

    def _rates_for(
        self, pb: PlantBlock, free_share: FloatArray, econ_water: FloatArray | None
    ) -> Rates:
        """(free share, economizer water L/h, tower water L/h) of a plant block.

        Kept per block while the power stage keeps it (it hands the same block back for the
        same hour's weather; every block and share array is read-only), so hours that return to
        a block do not recompute.
        """
        known = self._rates.get(id(pb))
        if (
            known is not None
            and known[0]() is pb
            and known[1] is free_share
            and known[2] is econ_water
        ):
            return known[3]
        heat = pb.unit_heat_kw
        share = 0.0
        if self.has_chiller:
            chill = self._chillers
            chill_heat = heat[chill]
            chiller_kw = float(np.sum(chill_heat))
            if chiller_kw > 0:
                share = float(free_share[chill] @ chill_heat) / chiller_kw
        econ = float(heat @ econ_water) if econ_water is not None else 0.0
        rates = (share, econ, float(heat @ self.tower_wue))
        if len(self._rates) >= RATES_MEMO_MAX:
            self._rates.clear()
        # A weak reference: the memo must not keep the power stage's blocks alive (at scale a
        # block holds per-node arrays); a block freed reads as a miss, even if its id is reused.
        self._rates[id(pb)] = (weakref.ref(pb), free_share, econ_water, rates)
        return rates

    def book(
        self,
        year_month: tuple[int, int],
        dt: float,
        outdoor: tuple[float, float],
        pb: PlantBlock,
        free_share: FloatArray,
        econ_water: FloatArray | None,
    ) -> None:
        """Add this step (``free_share`` and ``econ_water`` per unit, thermal stage)."""
        share, econ_l_h, tower_l_h = self._rates_for(pb, free_share, econ_water)
        dt_h = dt / 3600.0
        run = {
            "free_cooling_s": share * dt,
            "economizer_water_l": econ_l_h * dt_h,
            "tower_water_l": tower_l_h * dt_h,
        }
        month = {
            "time_s": dt,
            "it_kwh": pb.it_kw * dt_h,
            "facility_kwh": pb.facility_kw * dt_h,
            "cooling_kwh": pb.cooling_kw * dt_h,
            "free_cooling_s": share * dt,
            "water_l": (pb.water_l_per_h + econ_l_h) * dt_h,
            "tower_water_l": tower_l_h * dt_h,
            "dry_c_s": outdoor[0] * dt,
            "wet_c_s": outdoor[1] * dt,
        }
        m = self.months.get(year_month)
        if m is None:
            m = self.months[year_month] = MonthTotals()
        totals = self.__dict__  # the run's totals are this object's float attributes
        for key, add in run.items():
            totals[key] += add
        values = m.__dict__
        for key, add in month.items():
            values[key] += add
        # Kept so that a quiet stretch (inside one month) can add the same again (``repeat``).
        self.step = (m, run, month)

    def repeat(self, stretch: Stretch) -> None:
        """Book the last step again over a quiet stretch (inside one month, ``sim/quiet.py``)."""
        assert self.step is not None
        m, run, month = self.step
        stretch.totals(self.__dict__, run)
        stretch.totals(m.__dict__, month)

    def monthly(self) -> list[dict[str, Any]]:
        """One row per calendar month touched so far, in time order."""
        return [m.row(f"{y:04d}-{mo:02d}") for (y, mo), m in sorted(self.months.items())]
