"""Compile part: cooling units and the coolant edges between racks, collectors and rejectors.

Coolant edges are read by unit type, whichever way they were drawn: heat flows rack →
collector (CRAH, CDU, immersion tank) → rejector (chiller, dry cooler, tower) → the condenser
behind a chiller. A rack's heat splits liquid/air by its liquid fraction among its liquid and
air collectors; a collector's heat splits evenly among its rejectors, a rejector's among the
condensers behind it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from aifactory_twin.schema import HEAT_COLLECTORS, ComputeRack, CoolingUnit
from aifactory_twin.sim.compile.common import floats, ints, positions, problem
from aifactory_twin.sim.compiled import CoolingPlant, IntArray
from aifactory_twin.sim.models import economizer as ec
from aifactory_twin.sim.models import faults as ft
from aifactory_twin.sim.models import thermal as th

# Chiller COP when a chiller leaves ``cop`` empty: water-cooled centrifugal typical (§9.3).
DEFAULT_CHILLER_COP = 6.1
# Liquid collectors take the liquid share of rack heat, air collectors the rest (§9.2).
LIQUID_COLLECTORS = frozenset({"cdu", "immersion_tank"})
# Racks without a modelled collector sit in an assumed room at the ASHRAE recommended 24 °C.
ROOM_SUPPLY_C = 24.0


def _plant_pair(
    a: int, b: int, is_collector: npt.NDArray[np.bool_], units: list[CoolingUnit]
) -> tuple[int, int]:
    """(upstream, served) for a coolant edge between two cooling units."""
    if is_collector[a] and not is_collector[b]:
        return b, a
    chiller_a = units[a].cooling_type == "chiller"
    chiller_b = units[b].cooling_type == "chiller"
    if chiller_a and not chiller_b and not is_collector[b]:
        return b, a
    return a, b


def compile_plant(
    cools: list[tuple[int, CoolingUnit]],
    racks: list[tuple[int, ComputeRack]],
    edges: tuple[IntArray, IntArray],
    n_nodes: int,
) -> CoolingPlant:
    """Cooling units (index k in the order of ``cools``) and the coolant edges (node indices)."""
    ck = [x for _, x in cools]
    n_r, n_k = len(racks), len(cools)

    def of_type(types: frozenset[str]) -> npt.NDArray[np.bool_]:
        return np.asarray([x.cooling_type in types for x in ck], dtype=bool)

    is_collector = of_type(HEAT_COLLECTORS)
    is_liquid = of_type(LIQUID_COLLECTORS)
    supply_c = floats([x.supply_temp_c for x in ck])
    # Collector → rack edges column-wise (one per rack in a big factory); unit → unit edges,
    # a few, one by one.
    k_of = positions([i for i, _ in cools], n_nodes)
    r_of = positions([i for i, _ in racks], n_nodes)
    src, dst = edges
    k_src, r_dst, k_dst = k_of[src], r_of[dst], k_of[dst]
    from_unit = k_src >= 0
    to_rack = from_unit & (r_dst >= 0)
    to_rack &= is_collector[np.where(to_rack, k_src, 0)] if n_k else to_rack
    ce_cool_a, ce_rack_a = k_src[to_rack], r_dst[to_rack]
    liquid_a = is_liquid[ce_cool_a]
    pe_rej, pe_col = [], []
    cd_src, cd_dst = [], []
    between = from_unit & (k_dst >= 0)
    for ka, kb in zip(k_src[between].tolist(), k_dst[between].tolist(), strict=True):
        a, b = _plant_pair(ka, kb, is_collector, ck)
        if is_collector[b] and not is_collector[a]:
            pe_rej.append(a)
            pe_col.append(b)
        elif not is_collector[a] and not is_collector[b]:
            cd_src.append(a)
            cd_dst.append(b)
    liq_frac = floats([x.liquid_heat_fraction for _, x in racks])
    has_liq = np.bincount(ce_rack_a[liquid_a], minlength=n_r) > 0
    has_air = np.bincount(ce_rack_a[~liquid_a], minlength=n_r) > 0
    # A rack's heat splits liquid/air by its liquid fraction; if it only has one kind of
    # collector, that kind takes all of it (the residual path is assumed to be inside the loop).
    share_liq = np.where(has_liq & has_air, liq_frac, np.where(has_liq, 1.0, 0.0))
    raw = np.where(liquid_a, share_liq[ce_rack_a], 1.0 - share_liq[ce_rack_a])
    n_kind = np.bincount(ce_rack_a, weights=liquid_a.astype(float), minlength=n_r)
    n_air = np.bincount(ce_rack_a, weights=(~liquid_a).astype(float), minlength=n_r)
    per = np.where(liquid_a, n_kind[ce_rack_a], n_air[ce_rack_a])
    ce_weight = raw / np.maximum(per, 1.0)
    supply_sum = np.bincount(ce_rack_a, weights=ce_weight * supply_c[ce_cool_a], minlength=n_r)
    w_sum = np.bincount(ce_rack_a, weights=ce_weight, minlength=n_r)
    pe_col_a = ints(pe_col)
    per_col = np.bincount(pe_col_a, minlength=n_k).astype(float)
    pe_weight = 1.0 / np.maximum(per_col[pe_col_a], 1.0) if pe_col else np.zeros(0)
    # Shared room air (models/faults.py): racks with an air side and air collectors of a group.
    is_air_collector = is_collector & np.asarray(
        [x.cooling_type not in LIQUID_COLLECTORS for x in ck], dtype=bool
    )
    rack_room, unit_room, n_rooms = ft.room_index(
        [x.group for _, x in racks], has_air & (share_liq < 1.0), [x.group for x in ck],
        is_air_collector,
    )  # fmt: skip
    cd_dst_a = ints(cd_dst)
    per_rej = np.bincount(cd_dst_a, minlength=n_k).astype(float)
    cd_weight = 1.0 / np.maximum(per_rej[cd_dst_a], 1.0) if cd_dst else np.zeros(0)
    is_tower = of_type(frozenset({"cooling_tower"}))
    economizer = _economizers(cools)
    # Supply air of what a chiller serves (air-side and evaporative economizers): the coldest
    # of its collectors' supply temperatures, or the assumed room's.
    air_supply = np.full(n_k, np.inf)
    if pe_rej:
        np.minimum.at(air_supply, ints(pe_rej), supply_c[ints(pe_col)])
    cd_src_a = ints(cd_src)
    tower_cond = np.bincount(cd_dst_a[is_tower[cd_src_a]], minlength=n_k) > 0
    # A tower that names no water use evaporates by the rule of thumb (models/thermal.py).
    wue = [
        th.TOWER_WATER_L_PER_KWH
        if x.cooling_type == "cooling_tower" and x.wue_l_per_kwh == 0.0
        else x.wue_l_per_kwh
        for x in ck
    ]
    return CoolingPlant(
        unit_node=ints([i for i, _ in cools]),
        is_collector=is_collector,
        is_liquid_collector=is_liquid,
        is_chiller=of_type(frozenset({"chiller"})),
        is_dry_cooler=of_type(frozenset({"dry_cooler"})),
        is_tower=is_tower,
        capacity_kw=floats([x.nominal_cooling_capacity_kw for x in ck]),
        cop=floats([x.cop if x.cop is not None else DEFAULT_CHILLER_COP for x in ck]),
        fan_pump_fraction=floats([x.fan_pump_power_fraction for x in ck]),
        min_speed=floats([x.min_speed_fraction for x in ck]),
        chiller_vsd=np.asarray([x.compressor == "vsd" for x in ck], dtype=np.int8),
        supply_c=supply_c,
        wue_l_per_kwh=floats(wue),
        # An economizer replaces the older free-cooling threshold of the same chiller.
        free_cooling_below_c=floats(
            [
                np.nan
                if x.free_cooling_below_c is None or x.economizer != "none"
                else x.free_cooling_below_c
                for x in ck
            ]
        ),
        economizer=economizer,
        economizer_air_supply_c=np.where(np.isfinite(air_supply), air_supply, ROOM_SUPPLY_C),
        tower_condenser=tower_cond,
        collector_index=ce_cool_a,
        collector_rack_index=ce_rack_a,
        collector_weight=ce_weight,
        collector_is_air=~liquid_a,
        rack_has_collector=np.bincount(ce_rack_a, minlength=n_r) > 0,
        rack_room=rack_room,
        unit_room=unit_room,
        n_rooms=n_rooms,
        rack_supply_c=np.where(w_sum > 0, supply_sum / np.maximum(w_sum, 1e-12), ROOM_SUPPLY_C),
        rejector_index=ints(pe_rej),
        rejector_collector_index=pe_col_a,
        rejector_weight=pe_weight,
        collector_has_rejector=per_col > 0,
        condenser_index=ints(cd_src),
        condenser_served_index=cd_dst_a,
        condenser_weight=cd_weight,
    )


def _economizers(cools: list[tuple[int, CoolingUnit]]) -> npt.NDArray[np.int8]:
    """Economizer code per unit (models/economizer.py); only chillers take one."""
    for i, x in cools:
        if x.economizer != "none" and x.cooling_type != "chiller":
            raise problem(
                f"nodes[{i}].economizer",
                f"{x.economizer} economizer on {x.id!r}: economizers bypass a chiller's "
                f"compressors, so they go on a chiller (this unit is a {x.cooling_type})",
            )
    return np.asarray([ec.ECONOMIZERS.index(x.economizer) for _, x in cools], dtype=np.int8)
