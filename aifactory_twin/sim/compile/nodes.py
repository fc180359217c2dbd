"""Compile part: what every node has, whatever its kind (count, arrival, capex, failures).

Arrival times and the dual-sourcing price factor come from ``models/supply.py``; racks take
their capex from their accelerators (``compute.rack_capex_usd``), cooling units with no price of
their own the catalog price of their type, every unit its embodied carbon (its own or the
catalog's, ``catalog.catalog_embodied_kg``); switches and storage also get their static power
per unit here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from operator import attrgetter

import numpy as np
import numpy.typing as npt

from aifactory_twin.catalog import catalog_embodied_kg, unit_capex_usd
from aifactory_twin.schema import (
    AcceleratorSpec,
    ComputeRack,
    CoolingUnit,
    NetworkSwitch,
    NodeBase,
    Pdu,
    PowerFeed,
    Storage,
    Ups,
)
from aifactory_twin.sim.compile.common import problem
from aifactory_twin.sim.compile.compute import rack_capex_usd
from aifactory_twin.sim.compiled import CompiledScenario, FloatArray, NodeParams
from aifactory_twin.sim.models.data import governance_factors
from aifactory_twin.sim.models.distinct import Groups, first_of_each
from aifactory_twin.sim.models.supply import (
    SupplyError,
    ordered_from_vendor,
    supply_plan,
    supply_plan_and_orders,
)


def _embodied_kg(x: NodeBase) -> float:
    """Embodied kgCO2e per unit: the unit's own figure, else the catalog's for what it is."""
    equipment = isinstance(x, ComputeRack | NetworkSwitch | CoolingUnit | Ups | Pdu | Storage)
    if equipment and x.embodied_kg_co2e is not None:  # type: ignore[attr-defined]
        return float(x.embodied_kg_co2e)  # type: ignore[attr-defined]
    return catalog_embodied_kg(x)[0]


def compile_nodes(
    nodes: Sequence[NodeBase],
    start_time: datetime,
    racks: list[tuple[int, ComputeRack]],
    specs: list[AcceleratorSpec],
    seed: int,
    rack_groups: Groups | None = None,
) -> NodeParams:
    """Per-node parameters (index i = position in ``nodes``); ``seed`` draws vendor deliveries.

    ``rack_groups``: the racks grouped by configuration (every field the rack columns read, and
    the spec), when the caller has them.
    """
    try:
        arrival_s, price_factor, ordered = supply_plan_and_orders(nodes, start_time, seed)
    except SupplyError as exc:
        raise problem(exc.path, str(exc)) from None
    n = len(nodes)
    capex = np.zeros(n)
    fail = np.zeros(n)
    repair = np.ones(n)
    static_kw = np.zeros(n)
    embodied = np.zeros(n)
    # Racks column-wise, once per distinct configuration (a big factory has hundreds of
    # thousands of them and a handful of configurations); same values.
    at = np.asarray([i for i, _ in racks], dtype=np.intp)
    if racks:
        capex[at], fail[at], repair[at], embodied[at] = _rack_columns(racks, specs, rack_groups)
    others = np.ones(n, dtype=bool)
    others[at] = False
    for i in np.flatnonzero(others).tolist():
        x = nodes[i]
        embodied[i] = _embodied_kg(x)
        if isinstance(x, NetworkSwitch | CoolingUnit | Ups | Pdu | Storage):
            capex[i] = unit_capex_usd(x) if isinstance(x, CoolingUnit) else x.capex_usd
            fail[i] = x.failure_rate_per_hour
            repair[i] = x.repair_hours
        if isinstance(x, PowerFeed):
            capex[i] = x.capex_usd
        elif isinstance(x, NetworkSwitch):
            static_kw[i] = x.power_w / 1000.0
        elif isinstance(x, Storage):
            static_kw[i] = x.power_kw * governance_factors(x)[1]
    return NodeParams(
        count=np.fromiter(map(attrgetter("count"), nodes), np.float64, n),
        arrival_s=arrival_s,
        capex_per_unit_usd=capex * price_factor,
        embodied_kg_per_unit=embodied,
        fail_rate_per_unit_h=fail,
        repair_h=repair,
        static_power_kw=static_kw,
        supply_seed=seed if ordered else None,
    )


_RACK_FIELDS = attrgetter(
    "capex_usd",
    "accelerators_per_unit",
    "failure_rate_per_gpu_hour",
    "repair_hours",
    "embodied_kg_co2e",
)
"""What a rack's capex, failure rate, repair time and embodied carbon read, with its spec."""


def _rack_columns(
    racks: list[tuple[int, ComputeRack]], specs: list[AcceleratorSpec], groups: Groups | None
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(capex, failures per unit-hour, repair hours, embodied kg) per rack, in rack order."""
    rk = [rack for _, rack in racks]
    if groups is None:
        groups = first_of_each(list(zip(map(_RACK_FIELDS, rk), map(id, specs), strict=True)))
    firsts, inverse = groups
    table = np.asarray(
        [
            (
                rack_capex_usd(rk[r], specs[r]),
                rk[r].failure_rate_per_gpu_hour * rk[r].accelerators_per_unit,
                rk[r].repair_hours,
                _embodied_kg(rk[r]),
            )
            for r in firsts
        ],
        dtype=np.float64,
    )[inverse]
    return table[:, 0], table[:, 1], table[:, 2], table[:, 3]


def deliveries_for_seed(c: CompiledScenario, seed: int) -> CompiledScenario:
    """``c`` with its vendor deliveries drawn for the run's ``seed`` (``c`` if none to draw).

    Compiling draws them with the file's seed; a run with another seed (a Monte Carlo sample,
    ``run --seed``) redraws them here so deliveries vary from run to run like failures do.
    """
    if c.nodes.supply_seed is None or c.nodes.supply_seed == seed:
        return c
    return _replanned(c, seed, {}, np.zeros(c.n_nodes, dtype=bool))


SupplyWindow = tuple[str, float, float]
"""A disruption injected during a run: (vendor id, start s, end s)."""


def with_supply_disruptions(
    c: CompiledScenario, windows: Sequence[SupplyWindow], arrived: npt.NDArray[np.bool_]
) -> CompiledScenario:
    """``c`` with the deliveries not yet ``arrived`` replanned around injected ``windows``."""
    if c.nodes.supply_seed is None or not windows:
        return c
    extra: dict[str, list[tuple[float, float]]] = {}
    for vendor, start_s, end_s in windows:
        extra.setdefault(vendor, []).append((start_s, end_s))
    return _replanned(c, c.nodes.supply_seed, extra, arrived)


def _replanned(
    c: CompiledScenario,
    seed: int,
    extra: dict[str, list[tuple[float, float]]],
    keep: npt.NDArray[np.bool_],
) -> CompiledScenario:
    """``c`` with the vendor orders not in ``keep`` redrawn.

    Other arrivals (fixed dates, dataset ready times set by the compiler) stay as compiled.
    """
    nodes = c.scenario.nodes
    drawn, _ = supply_plan(nodes, c.start_time, seed, extra)
    ordered = np.asarray([ordered_from_vendor(x) for x in nodes], dtype=bool)
    arrival_s = np.where(ordered & ~keep, drawn, c.nodes.arrival_s)
    params = dataclasses.replace(c.nodes, arrival_s=arrival_s, supply_seed=seed)
    return dataclasses.replace(c, nodes=params)
