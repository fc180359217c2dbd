"""The compiled form of a scenario: flat numpy vectors and the constants used to build them.

``compile.py`` builds a CompiledScenario; the engine reads it. Index conventions: node arrays are
indexed like ``node_ids``; rack arrays by rack position (``rack_node[r]`` is the node index),
cooling arrays by cooling position (``cool_node[k]``), and so on per kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import get_args

import numpy as np
import numpy.typing as npt

from aifactory_twin.schema import Scenario, ScheduledEvent
from aifactory_twin.schema.nodes import CoolingType, StaffRole
from aifactory_twin.sim.models.compute import Workloads
from aifactory_twin.sim.models.network import Fabric

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Server all-in price over the accelerators alone (CPUs, NICs, chassis): +20–40 % (§1.2, [E]).
SERVER_OVERHEAD_ON_GPU_PRICE = 1.3
# Chiller COP when a chiller leaves ``cop`` empty: water-cooled centrifugal typical (§9.3).
DEFAULT_CHILLER_COP = 6.1
# Liquid collectors take the liquid share of rack heat, air collectors the rest (§9.2).
LIQUID_COLLECTORS = frozenset({"cdu", "immersion_tank"})
# Orders used for the per-type and per-role index arrays: the schema's own Literal lists.
COOLING_TYPES: tuple[str, ...] = get_args(CoolingType)
ROLES: tuple[str, ...] = get_args(StaffRole)
TECHNICIAN_ROLES = frozenset({"facilities_ops", "network_ops"})
# Weekly hours a shift pattern covers; people on shift = headcount × 40 h / covered hours.
COVERED_HOURS_PER_WEEK = {"business_hours": 40.0, "extended": 112.0, "24x7": 168.0}


@dataclass(eq=False)
class CompiledScenario:
    """Everything the engine needs, as flat numpy vectors (index = position in ``node_ids``)."""

    scenario: Scenario
    horizon_s: float
    step_s: float
    start_time: datetime
    node_ids: tuple[str, ...]
    node_kinds: npt.NDArray[np.str_]
    index: dict[str, int]
    count: FloatArray
    arrival_s: FloatArray
    capex_per_unit_usd: FloatArray
    fail_rate_per_unit_h: FloatArray
    repair_h: FloatArray
    # Compute racks (index r into these; node index = rack_node[r]).
    rack_node: IntArray
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
    liquid_fraction: FloatArray
    max_operating_c: FloatArray
    slowdown_c: FloatArray
    shutdown_c: FloatArray
    r_th_k_per_w: FloatArray
    heat_cap_j_per_k: FloatArray
    rack_supply_c: FloatArray
    rack_rating_kw: FloatArray
    # Cooling units (index k; node index = cool_node[k]).
    cool_node: IntArray
    cool_type: IntArray
    is_collector: BoolArray
    cool_capacity_kw: FloatArray
    cop: FloatArray
    fan_pump_fraction: FloatArray
    cool_supply_c: FloatArray
    wue_l_per_kwh: FloatArray
    free_cooling_below_c: FloatArray
    # Coolant edges collector → rack, with the share of the rack's heat each takes.
    ce_cool: IntArray
    ce_rack: IntArray
    ce_weight: FloatArray
    rack_has_collector: BoolArray
    # Coolant edges rejector → collector, splitting each collector's heat among its rejectors.
    pe_rej: IntArray
    pe_col: IntArray
    pe_weight: FloatArray
    col_has_rejector: BoolArray
    # Condenser edges rejector → rejector (a tower or dry cooler behind a chiller).
    cd_src: IntArray
    cd_dst: IntArray
    cd_weight: FloatArray
    rej_has_condenser: BoolArray
    # IT loads that are not racks: switches and storage (static power per unit).
    static_power_kw: FloatArray
    # Power distribution: levels pdu → ups → feed; edges parent → child with split shares.
    dist_eff: FloatArray
    dist_rating_kw: FloatArray
    pw_src: IntArray
    pw_dst: IntArray
    pw_split: FloatArray
    has_power_parent: BoolArray
    feed_node: IntArray
    feed_price_by_hour: npt.NDArray[np.float64]
    feed_carbon_g_per_kwh: FloatArray
    # Fabric.
    switch_node: IntArray
    switch_capacity_gbps: FloatArray
    """All ports × port speed per unit, Gb/s (the tiers split them, models/network.py)."""
    switch_oversub: FloatArray
    switch_latency_us: FloatArray
    switch_scale_out: BoolArray
    ne_switch: IntArray
    ne_rack: IntArray
    fabric: Fabric
    # Storage.
    storage_node: IntArray
    storage_throughput_gbs: FloatArray
    de_storage: IntArray
    de_rack: IntArray
    # Staff.
    team_node: IntArray
    team_role: IntArray
    team_headcount: FloatArray
    team_salary_usd_per_year: FloatArray
    team_attrition_per_s: FloatArray
    team_hiring_lead_s: FloatArray
    team_on_shift_fraction: FloatArray
    team_coverage: tuple[str, ...]
    se_team: IntArray
    se_node: IntArray
    # Cloud burst.
    cloud_node: IntArray
    cloud_max_gpus: FloatArray
    cloud_price_usd_per_gpu_h: FloatArray
    cloud_peak_bf16_tflops: FloatArray
    cloud_peak_fp8_tflops: FloatArray
    # Workloads and events.
    workloads: Workloads
    events: tuple[ScheduledEvent, ...]
    facility_rated_it_kw: float
    edge_ids: tuple[tuple[str, str, str, str], ...] = field(default=())

    @property
    def n_nodes(self) -> int:
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
    return None
