"""The compiled form of a scenario: numpy arrays per concern and the constants used to build them.

``sim/compile`` builds a CompiledScenario; the engine reads it. It composes one part per concern
(``nodes``, ``racks``, ``plant``, ``power``, ``network``, ``storage``, ``staff``, ``cloud``,
``workloads``). Index conventions: per-node arrays are indexed like ``node_ids``; each part's own
arrays by its position (``racks.node[r]`` is the node index of rack r, ``plant.unit_node[k]`` of
cooling unit k, and so on); edge arrays by edge within the part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import get_args

import numpy as np
import numpy.typing as npt

from aifactory_twin.perf.breakdown import StepBreakdown
from aifactory_twin.schema import Scenario, ScheduledEvent
from aifactory_twin.schema.nodes import StaffRole
from aifactory_twin.sim.models.compute import Workloads
from aifactory_twin.sim.models.grid import GridSeries
from aifactory_twin.sim.models.network import Fabric
from aifactory_twin.sim.models.weather import YearWeather

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Order of the per-role index array: the schema's own Literal list.
ROLES: tuple[str, ...] = get_args(StaffRole)


@dataclass(eq=False)
class NodeParams:
    """Per node, every kind (index i = position in ``CompiledScenario.node_ids``)."""

    count: FloatArray
    arrival_s: FloatArray
    """Seconds after the start at which the node's units arrive (``models/supply.py``)."""
    capex_per_unit_usd: FloatArray
    embodied_kg_per_unit: FloatArray
    """Manufacturing carbon per unit, kgCO2e (amortized like capex by the ledger)."""
    fail_rate_per_unit_h: FloatArray
    repair_h: FloatArray
    static_power_kw: FloatArray
    """Power per unit of IT loads that are not racks (switches, storage); 0 elsewhere."""
    travel_h: FloatArray | None = None
    """Technician travel to the node's site, h, added to each hands-on repair (None: no site
    needs travel; ``compile/sites.py``)."""
    supply_seed: int | None = None
    """Seed the vendor deliveries in ``arrival_s`` were drawn with; None when no node orders
    from a vendor (the engine redraws them for its own seed, ``compile.deliveries_for_seed``)."""


@dataclass(eq=False)
class RackParams:
    """Compute racks (index r; node index = ``node[r]``) with their accelerator's spec."""

    node: IntArray
    gpus_per_unit: FloatArray
    tdp_w: FloatArray
    idle_w: FloatArray
    kappa_train: FloatArray
    kappa_decode: FloatArray
    peak_bf16_tflops: FloatArray
    peak_fp8_tflops: FloatArray
    hbm_gb: FloatArray
    scale_up_domain: FloatArray
    nic_gbps: FloatArray
    host_overhead_w: FloatArray
    host_idle_w: FloatArray
    max_operating_c: FloatArray
    slowdown_c: FloatArray
    shutdown_c: FloatArray
    r_th_k_per_w: FloatArray
    heat_cap_j_per_k: FloatArray
    rating_kw: FloatArray
    """Rated power per unit (standby draw and chassis loss scale with it, models/faults)."""
    power_limit_w: FloatArray
    """Power cap per accelerator, W (inf = none; ``models/power.power_limit``)."""
    fan_fraction: FloatArray
    """Share of the rack's power its server fans draw, by its cooling mode (catalog)."""


@dataclass(eq=False)
class CoolingPlant:
    """Cooling units (index k; node index = ``unit_node[k]``) and the coolant edges between them.

    Heat flows rack → collector (CRAH, CDU, immersion tank) → rejector (chiller, dry cooler,
    tower) → the condenser behind a chiller. Each edge list is indexed by edge (e); the weights
    split the heat of the served end among the edges that serve it.
    """

    unit_node: IntArray
    is_collector: BoolArray
    is_liquid_collector: BoolArray
    is_chiller: BoolArray
    is_dry_cooler: BoolArray
    is_tower: BoolArray
    capacity_kw: FloatArray
    cop: FloatArray
    fan_pump_fraction: FloatArray
    min_speed: FloatArray
    """Lowest fan/pump speed (1 = constant speed), models/partload.py."""
    chiller_vsd: npt.NDArray[np.int8]
    """1 for a VSD chiller compressor, 0 for constant speed."""
    supply_c: FloatArray
    wue_l_per_kwh: FloatArray
    free_cooling_below_c: FloatArray
    # Collector → rack edges, with the share of the rack's heat each takes.
    collector_index: IntArray
    collector_rack_index: IntArray
    collector_weight: FloatArray
    collector_is_air: BoolArray
    rack_has_collector: BoolArray
    # Shared room air (models/faults.py): room per rack and per unit (−1: none).
    rack_room: IntArray
    unit_room: IntArray
    n_rooms: int
    rack_supply_c: FloatArray
    """Per rack: supply temperature its collectors give it (weighted), °C."""
    # Rejector → collector edges, splitting each collector's heat among its rejectors.
    rejector_index: IntArray
    rejector_collector_index: IntArray
    rejector_weight: FloatArray
    collector_has_rejector: BoolArray
    # Condenser → served rejector edges (a tower or dry cooler behind a chiller).
    condenser_index: IntArray
    condenser_served_index: IntArray
    condenser_weight: FloatArray
    # Economizers (models/economizer.py), per unit.
    economizer: npt.NDArray[np.int8]
    """Economizer code (0 none, 1 water-side, 2 air-side, 3 evaporative)."""
    economizer_air_supply_c: FloatArray
    """Supply air of the collectors a unit serves (coldest), °C."""
    tower_condenser: BoolArray
    """A cooling tower sits behind the unit (its condenser water follows the wet bulb)."""


@dataclass(eq=False)
class PowerPath:
    """Power distribution: feed → UPS → PDU → loads, per node and per power edge (e)."""

    efficiency: FloatArray
    """Per node: proportional part of the UPS/PDU efficiency (1 elsewhere or with a curve);
    the no-load and square-law losses come on top (models/partload.py)."""
    noload_per_kw: FloatArray
    """Per node: no-load loss per kW of rating up."""
    square_per_kw: FloatArray
    """Per node: square-law loss at rated load per kW of rating up."""
    curves: tuple[tuple[int, FloatArray, FloatArray], ...]
    """(node, load fractions, efficiencies) of UPSs with an explicit efficiency curve."""
    rating_kw: FloatArray
    """Per node: UPS/PDU/feed rating per unit, kW (inf for nodes that are not distribution)."""
    edge_parent: IntArray
    edge_child: IntArray
    edge_split: FloatArray
    """Share of the child's load this edge carries (1 / parents of the child)."""
    has_parent: BoolArray
    """Per node: has a power edge into it (else it is a root of the chain)."""
    feed_node: IntArray
    feed_price_by_hour: FloatArray
    """Per feed and hour of the day, USD/kWh."""
    feed_carbon_g_per_kwh: FloatArray
    feed_series: tuple[GridSeries | None, ...]
    """Per feed: its price/carbon series over time (None: the constants above hold)."""


@dataclass(eq=False)
class NetworkParams:
    """Switches (index s; node index = ``switch_node[s]``) and the fabric the racks reach."""

    switch_node: IntArray
    switch_capacity_gbps: FloatArray
    """All ports × port speed per unit, Gb/s (the tiers split them, models/network.py)."""
    switch_oversubscription: FloatArray
    fabric: Fabric


@dataclass(eq=False)
class StorageParams:
    """Storage nodes (index s) and their data edges to racks (index e)."""

    node: IntArray
    throughput_gbs: FloatArray
    """Per unit, after the governance settings (``models/data.governance_factors``)."""
    edge_storage_index: IntArray
    edge_rack_index: IntArray


@dataclass(eq=False)
class StaffParams:
    """Staff teams (index t; node index = ``team_node[t]``) and their support edges (e)."""

    team_node: IntArray
    role: IntArray
    """Index into ``ROLES``."""
    is_technician: BoolArray
    is_mlops: BoolArray
    is_research: BoolArray
    headcount: FloatArray
    salary_usd_per_year: FloatArray
    attrition_per_s: FloatArray
    hiring_lead_s: FloatArray
    ramp_up_s: FloatArray
    """Time until a new hire works at full productivity (linear ramp from 0)."""
    on_shift_fraction: FloatArray
    coverage: tuple[str, ...]
    support_team_index: IntArray
    support_node: IntArray
    """Node index each support edge serves."""


@dataclass(eq=False)
class CloudParams:
    """Cloud-burst nodes (index c; node index = ``node[c]``)."""

    node: IntArray
    max_gpus: FloatArray
    price_usd_per_gpu_h: FloatArray
    peak_bf16_tflops: FloatArray
    peak_fp8_tflops: FloatArray


@dataclass(eq=False)
class JobPerf:
    """The performance model per training job (index j), from ``compile/perf.py``."""

    breakdown: tuple[StepBreakdown | None, ...]
    """Step time by part for a job with a model description, else None."""
    predicted: BoolArray
    """The job's MFU is predicted (no ``target_mfu``)."""
    predicted_mfu: FloatArray
    """The prediction on the engine's 6·N·D basis (NaN without a model), used or not."""
    rack_bw_gbps: FloatArray
    rack_bw_local_gbps: FloatArray
    """Per rack with everything up: the fabric the prediction assumed; at run time a predicted
    job is scaled by the share of it the fabric still gives."""


@dataclass(eq=False)
class CompiledScenario:
    """Everything the engine needs: the run's frame and one part per concern, as numpy arrays.

    Built by ``sim/compile``; each part's module there fills one of the parts below.
    """

    scenario: Scenario
    horizon_s: float
    step_s: float
    start_time: datetime
    node_ids: tuple[str, ...]
    node_kinds: npt.NDArray[np.str_]
    index: dict[str, int]
    nodes: NodeParams
    racks: RackParams
    plant: CoolingPlant
    power: PowerPath
    network: NetworkParams
    storage: StorageParams
    staff: StaffParams
    cloud: CloudParams
    workloads: Workloads
    perf: JobPerf
    events: tuple[ScheduledEvent, ...]
    facility_rated_it_kw: float
    weather: YearWeather | None = None
    """Hourly outdoor year (EPW file or climate preset); None = the settings' daily sine."""

    @cached_property
    def edge_ids(self) -> tuple[tuple[str, str, str, str], ...]:
        """(id, kind, source, target) of every edge, in file order.

        Built when first asked (the topology key of a live edit): a 40-hall factory has 1.5 M
        edges and a plain run never compares topologies.
        """
        edges = self.scenario.edges
        return tuple(
            zip(
                [e.id for e in edges],
                [e.kind for e in edges],
                [e.source for e in edges],
                [e.target for e in edges],
                strict=True,
            )
        )

    @property
    def n_nodes(self) -> int:
        """How many nodes the compiled scenario has."""
        return len(self.node_ids)

    def topology_key(self) -> tuple[object, ...]:
        """Node ids/kinds, edges and workload ids: equal keys ⇒ parameter vectors may be swapped."""
        return (
            self.node_ids,
            tuple(self.node_kinds.tolist()),
            self.edge_ids,
            self.workloads.ids,
        )


def event_problem(event: ScheduledEvent, kinds_by_id: dict[str, str]) -> str | None:
    """Why ``event`` cannot apply to this scenario, or None."""
    if event.kind in ("fail_unit", "restore_unit", "staff_departure"):
        kind = kinds_by_id.get(event.target)
        if kind is None:
            return f"{event.kind} names unknown node {event.target!r}"
        if event.kind == "staff_departure" and kind != "staff_team":
            return f"staff_departure needs a staff_team, {event.target!r} is a {kind}"
    if event.kind == "supply_disruption":
        kind = kinds_by_id.get(event.target)
        if kind != "vendor":
            what = "unknown node" if kind is None else f"a {kind}"
            return f"supply_disruption needs a vendor, {event.target!r} is {what}"
        if event.duration_s <= 0:
            return f"supply_disruption of {event.target!r} needs a length (duration_s > 0)"
    return None
