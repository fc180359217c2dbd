"""Economizers: the share of a chiller's load the outdoor condition carries without compressors.

A chiller plant with an economizer precools its return stream with outdoor "free" cold. The
stream leaves the economizer at T_econ; it returns at T_return = T_supply + ΔT. Integrated
(partial) free cooling carries the share f = (T_return − T_econ) / (T_return − T_supply),
clipped to [0, 1]: f = 1 when T_econ ≤ T_supply (compressors off), 0 when T_econ ≥ T_return
(no help), in between the chiller trims what is left (ASHRAE 90.1 "integrated economizer").

* ``water_side``: a plate heat exchanger on the condenser water. T_econ = wet bulb + tower
  approach (tower behind the chiller) or dry bulb + dry-cooler approach (none), + the heat
  exchanger's approach; T_supply = the chiller's chilled-water supply, ΔT = ``CHW_DELTA_K``.
  Energy Star (domain-reference §3.2) cites plant energy −70 % in economizer mode and viability
  below 12.8 °C wet bulb; with an 18 °C supply this model frees the plant fully below
  ≈ 12.4 °C wet bulb.
* ``air_side``: the air handlers behind the chiller take outdoor air. T_econ = dry bulb + fan
  heat; T_supply = their supply air temperature, ΔT = ``AIR_DELTA_K`` (§3.2 air-side sizing).
* ``evaporative`` (adiabatic): outdoor air through a direct evaporative cooler: it drops the dry
  bulb by up to ε·(dry − wet) (ε = ``EVAP_EFFECTIVENESS``), only as far as needed, and the
  water evaporated for that drop is spent (``WATER_L_PER_KWH_EVAPORATED`` per kWh of sensible
  cooling of the air stream).
* Humidity: outdoor air whose dew point (after the evaporative cooler, for that kind) is above
  ``MAX_SUPPLY_DEW_POINT_C`` (ASHRAE A1 allowable, domain-reference §3.3) is not let in: the
  air-side and evaporative economizers lock out (share 0), as a dew-point lockout does.

The free share enters the chiller as less mechanical load (its compressor runs on the rest on
its part-load curve, models/partload.py); for air-side and evaporative economizers the freely
cooled heat leaves with the exhaust air instead of through the chiller's condenser.
All approaches and temperature differences are estimates (typical design values).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from aifactory_twin.sim.models.weather import dew_point_from_wet_c

FloatArray = npt.NDArray[np.float64]

ECONOMIZERS: tuple[str, ...] = ("none", "water_side", "air_side", "evaporative")
"""Codes 0..3 of ``CoolingUnit.economizer`` in the compiled plant."""
NONE, WATER_SIDE, AIR_SIDE, EVAPORATIVE = range(4)

TOWER_APPROACH_K = 3.9
"""Tower leaving water above wet bulb: 7 °F, a typical design approach (estimate)."""
DRY_COOLER_APPROACH_K = 5.0
"""Dry-cooler leaving water above dry bulb (estimate; as models/thermal.APPROACH_K)."""
HX_APPROACH_K = 1.7
"""Plate heat exchanger approach, 3 °F typical (estimate)."""
CHW_DELTA_K = 6.0
"""Chilled-water return − supply, ≈ 10–12 °F typical (estimate)."""
AIR_DELTA_K = 15.0
"""Air return − supply across the room (domain-reference §3.2 sizing check, ΔT = 15 K)."""
FAN_HEAT_K = 1.0
"""Temperature rise of outdoor air through the supply fans (estimate)."""
EVAP_EFFECTIVENESS = 0.85
"""Direct evaporative cooler saturation effectiveness; media 70–95 % (estimate)."""
MAX_SUPPLY_DEW_POINT_C = 17.0
"""Highest dew point of air let into the room: ASHRAE A1 allowable DP ≤ 17 °C (§3.3)."""
LATENT_HEAT_J_PER_KG = 2.43e6
"""Latent heat of vaporization of water at 30 °C (steam tables)."""
WATER_L_PER_KWH_EVAPORATED = 3.6e6 / LATENT_HEAT_J_PER_KG
"""Litres evaporated per kWh carried by evaporation: 3.6 MJ / 2.43 MJ/kg ≈ 1.48 L/kWh."""


def free_share(
    kind: npt.NDArray[np.int8],
    dry_c: float,
    wet_c: float,
    chw_supply_c: FloatArray,
    air_supply_c: FloatArray,
    tower_condenser: npt.NDArray[np.bool_],
) -> tuple[FloatArray, FloatArray]:
    """(free share f of each unit's load, water litres per kWh of that unit's load).

    ``kind``: economizer code per unit (0 = none: f = 0). ``chw_supply_c``: the unit's own supply
    (water-side); ``air_supply_c``: the supply air of the collectors it serves (air-side and
    evaporative); ``tower_condenser``: a cooling tower sits behind the unit.
    """
    water_sink = np.where(tower_condenser, wet_c + TOWER_APPROACH_K, dry_c + DRY_COOLER_APPROACH_K)
    depression = max(dry_c - wet_c, 0.0)
    air_in = dry_c + FAN_HEAT_K
    # Evaporate only as far as needed to reach the supply air temperature.
    evap_drop = np.minimum(EVAP_EFFECTIVENESS * depression, np.maximum(air_in - air_supply_c, 0.0))
    econ_c = np.select(
        [kind == WATER_SIDE, kind == AIR_SIDE, kind == EVAPORATIVE],
        [water_sink + HX_APPROACH_K, np.full_like(air_supply_c, air_in), air_in - evap_drop],
        default=np.inf,
    )
    supply = np.where(kind == WATER_SIDE, chw_supply_c, air_supply_c)
    delta = np.where(kind == WATER_SIDE, CHW_DELTA_K, AIR_DELTA_K)
    share = np.clip((supply + delta - econ_c) / delta, 0.0, 1.0)
    # Dew-point lockout of outdoor air (evaporation keeps the wet bulb and adds moisture).
    dew_c = dew_point_from_wet_c(np.where(kind == EVAPORATIVE, air_in - evap_drop, dry_c), wet_c)
    humid = (kind >= AIR_SIDE) & (dew_c > MAX_SUPPLY_DEW_POINT_C)
    share = np.where((kind == NONE) | humid, 0.0, share)
    # Water evaporated per kWh of room heat while the economizer runs: the whole air stream
    # (Q = ṁ·c_p·ΔT_room) is cooled by evap_drop, so ṁ·c_p·drop / h_fg = Q·drop/ΔT_room / h_fg.
    water = np.where(
        (kind == EVAPORATIVE) & (share > 0.0),
        WATER_L_PER_KWH_EVAPORATED * evap_drop / AIR_DELTA_K,
        0.0,
    )
    return share, water
