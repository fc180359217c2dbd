"""Node kinds of a factory graph: one class per kind, a discriminated union on ``kind``.

A node stands for ``count`` identical units (a 100k-GPU campus is hundreds of nodes, not 100k).
Per-unit quantities carry ``per_unit`` or are documented as such; units live in the field names.
Field names follow NVIDIA's SimReady AI-factory metadata where it names the attribute
(``nominal_cooling_capacity_kw``, ``power_rating_kw``, ``ups_rating_kw``) so an OpenUSD export maps
one to one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import repeat
from typing import Annotated, Literal, get_args

from pydantic import Field, model_validator

from aifactory_twin.schema.base import (
    Fraction,
    NodeId,
    NonNegativeFloat,
    NonNegativeInt,
    Position,
    PositiveFloat,
    PositiveInt,
    StrictModel,
    Temperature,
)
from aifactory_twin.schema.dataset import DatasetSpec

CoolingMode = Literal["air", "direct_liquid", "immersion"]
FabricTechnology = Literal["nvlink", "infiniband", "roce", "ethernet"]
CoolingType = Literal[
    "crah",
    "in_row",
    "rear_door_hx",
    "cdu",
    "immersion_tank",
    "chiller",
    "dry_cooler",
    "cooling_tower",
]
# Units that collect heat from racks ("room side") versus units that reject it to outside air
# or water ("plant side"). The thermal model chains them: rack → collector → rejector.
HEAT_COLLECTORS: frozenset[str] = frozenset(
    {"crah", "in_row", "rear_door_hx", "cdu", "immersion_tank"}
)
HEAT_REJECTORS: frozenset[str] = frozenset({"chiller", "dry_cooler", "cooling_tower"})

StaffRole = Literal[
    "facilities_ops",
    "network_ops",
    "mlops",
    "data_engineering",
    "ml_research",
    "labeling",
    "security_governance",
    "domain_experts",
]
StorageType = Literal["data_lake", "warehouse", "parallel_fs"]
AccessPolicy = Literal["open", "rbac", "abac"]
ShiftCoverage = Literal["business_hours", "extended", "24x7"]


class AcceleratorSpec(StrictModel):
    """An accelerator not in the catalog, described inline (per device).

    Defaults follow the H100 SXM row of domain-reference §9.1 (HBM 3.35 TB/s, scale-up 450 GB/s
    per direction, 400 Gb/s NIC, κ_train 0.85, κ_decode 0.30); the spec-sheet fields have no
    default.
    """

    name: str = Field(min_length=1, max_length=120)
    tdp_w: PositiveFloat
    idle_w: NonNegativeFloat
    peak_bf16_tflops: PositiveFloat
    peak_fp8_tflops: NonNegativeFloat = 0.0
    hbm_gb: NonNegativeFloat = 0.0
    hbm_bw_gb_per_s: PositiveFloat = 3350.0
    """HBM bandwidth, GB/s: the memory roof of the performance model's roofline (H100, §1.1)."""
    price_usd: NonNegativeFloat = 0.0
    scale_up_domain: PositiveInt = 8
    scale_up_bw_gbps_per_dir: NonNegativeFloat = 450.0
    """Scale-up (NVLink-class) bandwidth per direction, GB/s."""
    nic_gbps: NonNegativeFloat = 400.0
    """Scale-out NIC bandwidth per accelerator, Gb/s."""
    kappa_train: Fraction = 0.85
    """Effective power under dense training as a fraction of TDP (domain-reference §1.3)."""
    kappa_decode: Fraction = 0.30

    @model_validator(mode="after")
    def _idle_below_tdp(self) -> AcceleratorSpec:
        if self.idle_w > self.tdp_w:
            raise ValueError(f"idle_w ({self.idle_w}) must not exceed tdp_w ({self.tdp_w})")
        return self


class Delivery(StrictModel):
    """When units arrive: a fixed date, a lead time from the start, or an order from a vendor.

    With a ``vendor`` the order goes out ``lead_time_days`` after the start and the vendor's
    drawn lead time, capacity and disruptions decide when it arrives (``sim/models/supply.py``).
    """

    delivery_date: date | None = None
    lead_time_days: NonNegativeFloat = 0.0
    """Days from the start until arrival; with a vendor, until the order is placed."""
    vendor: str = Field(default="", max_length=120)
    """Id of the vendor node the units are ordered from; empty = arrive at the date/lead time."""
    second_vendor: str = Field(default="", max_length=120)
    """Id of a second qualified vendor (dual sourcing): the order ships from whichever vendor
    can deliver first, at ``dual_source_premium`` over the unit price."""
    dual_source_premium: Fraction = 0.05
    """Price premium of dual sourcing, a fraction of the unit capex (estimate: qualifying a
    second source and splitting volume forgo volume discounts)."""


class NodeBase(StrictModel):
    """Fields every node has."""

    id: NodeId
    name: str = Field(default="", max_length=200)
    position: Position = Position()
    count: PositiveInt = 1
    """How many identical units this node stands for."""
    group: str = Field(default="", max_length=120)
    """Optional hall / group name; the canvas draws a frame around each group."""
    kind: str
    """The discriminator: each concrete class pins it to a ``Literal`` tag, which names its
    entry in the kind registry (``aifactory_twin.kinds``)."""


class ComputeRack(NodeBase):
    """A rack (or server) of accelerators; ``count`` racks share these per-unit values.

    Defaults describe a DGX H100: 10.2 kW rated (§2), host overhead so dense training draws
    ~0.80 of rated (§1.3, as the catalog's dgx_h100), Hopper limits 87/89/92 °C (§3.4), air
    heat-sink R_th 0.07 K/W (§3.4, [E]), 2.0e-5 interruptions per GPU-hour (§9.5), 3 h hands-on
    swap (§9.5). Heat capacity 400 kJ/K per unit is an estimate (§3.6: server τ of minutes).
    """

    kind: Literal["compute_rack"] = "compute_rack"
    accelerator: str | AcceleratorSpec = "h100_sxm"
    """Catalog accelerator id, or an inline custom spec."""
    accelerators_per_unit: PositiveInt = 8
    nic_gbps: PositiveFloat | None = None
    """Scale-out NIC bandwidth per accelerator in this server, Gb/s; None = the accelerator's."""
    scale_up_domain: PositiveInt | None = None
    """Accelerators per NVLink-class domain in this system; None = the accelerator's."""
    host_overhead_w: NonNegativeFloat = 3400.0
    """Host CPUs, NICs, fans and PSU losses per unit at full load, W."""
    host_idle_w: NonNegativeFloat = 1200.0
    power_rating_kw: PositiveFloat = 10.2
    """Rated (nameplate) power per unit, kW."""
    power_limit_w: PositiveFloat | None = None
    """Power cap per accelerator (as nvidia-smi -pl sets), W; empty = none. Below what the
    accelerator draws it lowers power to the cap and throughput along P_dyn ∝ f³ (§1.3):
    an H100 training at 595 W capped to 350 W runs ≈19 % slower on 41 % less GPU power."""
    cooling: CoolingMode = "air"
    host_power_cooling: CoolingMode = "air"
    """The cooling mode ``host_overhead_w`` and ``host_idle_w`` are given for (server fans as
    built for it: the catalog presets' native mode). When ``cooling`` differs the host power
    moves by the difference of the two modes' server-fan shares (``SERVER_FAN_FRACTION``):
    air → direct liquid takes ≈6 % of the server's power off, air → immersion 8 %. Set it to
    ``cooling`` when your host figures are for the mode the rack runs in."""
    liquid_heat_fraction: Fraction = 0.0
    """Share of heat captured by liquid (cold plates); the rest goes to room air."""
    max_operating_c: Temperature = 87.0
    slowdown_c: Temperature = 89.0
    shutdown_c: Temperature = 92.0
    thermal_resistance_k_per_w: PositiveFloat = 0.07
    """Junction-to-inlet thermal resistance per accelerator, K/W."""
    heat_capacity_kj_per_k: PositiveFloat = 400.0
    """Lumped heat capacity per unit (chassis, heat sinks, local air), kJ/K."""
    failure_rate_per_gpu_hour: NonNegativeFloat = 2.0e-5
    repair_hours: PositiveFloat = 3.0
    capex_usd: NonNegativeFloat | None = None
    """Per unit; None derives it from the catalog price of the accelerator."""
    embodied_kg_co2e: NonNegativeFloat | None = None
    """Manufacturing (embodied) carbon per unit, kgCO2e, amortized like capex; None = the
    catalog's figure for this kind of unit (catalog.catalog_embodied_kg)."""
    delivery: Delivery = Delivery()
    region: str = Field(default="", max_length=40)
    """Jurisdiction the unit sits in (e.g. ``eu``, ``us``); a dataset with a residency
    ``region`` (GDPR) may run or be held only where this matches (``rules_residency.py``)."""

    @model_validator(mode="after")
    def _thermal_order(self) -> ComputeRack:
        if not self.max_operating_c <= self.slowdown_c <= self.shutdown_c:
            raise ValueError(
                "thermal limits must satisfy max_operating_c <= slowdown_c <= shutdown_c"
            )
        return self


class NetworkSwitch(NodeBase):
    """A fabric: NVLink domain, InfiniBand, RoCE or Ethernet switches (per unit).

    Defaults describe an NDR QM9700: 64 × 400G (§4.1), α 3 µs across racks (§9.4); power 1.7 kW,
    price $30k, failure rate 2e-6/h and 4 h repair are estimates.
    """

    kind: Literal["network_switch"] = "network_switch"
    technology: FabricTechnology = "infiniband"
    port_speed_gbps: PositiveFloat = 400.0
    ports: PositiveInt = 64
    latency_us: PositiveFloat = 3.0
    power_w: NonNegativeFloat = 1700.0
    oversubscription: Annotated[float, Field(ge=1, le=16)] = 1.0
    capex_usd: NonNegativeFloat = 30000.0
    embodied_kg_co2e: NonNegativeFloat | None = None
    """Manufacturing (embodied) carbon per unit, kgCO2e, amortized like capex; None = the
    catalog's figure for this kind of unit (catalog.catalog_embodied_kg)."""
    failure_rate_per_hour: NonNegativeFloat = 2.0e-6
    repair_hours: PositiveFloat = 4.0
    delivery: Delivery = Delivery()


class CoolingUnit(NodeBase):
    """A cooling unit; collectors (CRAH, CDU, …) take heat from racks, rejectors move it out.

    Defaults describe a perimeter CRAH: 24 °C supply (§9.3); 150 kW, 5 % fan power,
    1e-5 failures/h and 8 h repair are estimates (the catalog's presets carry sourced values);
    price and embodied carbon follow the type from the catalog unless set.
    """

    kind: Literal["cooling_unit"] = "cooling_unit"
    cooling_type: CoolingType = "crah"
    nominal_cooling_capacity_kw: PositiveFloat = 150.0
    """Heat the unit can remove at rated conditions, per unit, kW."""
    cop: PositiveFloat | None = None
    """Coefficient of performance for compressor-based units (chillers)."""
    fan_pump_power_fraction: Fraction = 0.05
    """Fan and pump power at rated flow as a fraction of rated capacity (collectors, dry
    coolers, towers); at part load it follows the affinity law (sim/models/partload.py)."""
    min_speed_fraction: Annotated[float, Field(gt=0, le=1)] = 0.3
    """Lowest fan/pump speed of a variable-speed drive; 1 = constant-speed fans (estimate)."""
    compressor: Literal["constant_speed", "vsd"] = "constant_speed"
    """Chiller compressor control: its part-load curve (DOE-2 EIR-f-PLR, partload.py)."""
    supply_temp_c: Temperature = 24.0
    wue_l_per_kwh: NonNegativeFloat = 0.0
    """Water used per kWh of heat rejected, L/kWh."""
    free_cooling_below_c: Temperature | None = None
    """Ambient temperature under which a chiller runs in economizer mode (COP rises)."""
    economizer: Literal["none", "water_side", "air_side", "evaporative"] = "none"
    """Free cooling of a chiller plant (chillers only; replaces ``free_cooling_below_c``):
    ``water_side`` a heat exchanger on the condenser water (tower: wet bulb, else dry bulb),
    ``air_side`` the air handlers take outdoor air, ``evaporative`` outdoor air through an
    adiabatic cooler (uses water). Full or partial free cooling by the outdoor condition
    (sim/models/economizer.py)."""
    failure_rate_per_hour: NonNegativeFloat = 1.0e-5
    repair_hours: PositiveFloat = 8.0
    capex_usd: NonNegativeFloat | None = None
    """Per unit; None = the catalog price of its ``cooling_type`` (catalog.COOLING_TYPE_CATALOG),
    so a unit whose type changes (in a variant) costs what the new type costs."""
    embodied_kg_co2e: NonNegativeFloat | None = None
    """Manufacturing (embodied) carbon per unit, kgCO2e, amortized like capex; None = the
    catalog's figure for this kind of unit (catalog.catalog_embodied_kg)."""
    delivery: Delivery = Delivery()


class TimeOfUsePeriod(StrictModel):
    """A price that applies from ``start_hour`` until the next period's start."""

    start_hour: Annotated[int, Field(ge=0, le=23)]
    price_usd_per_kwh: NonNegativeFloat


class PriceSchedule(StrictModel):
    """Flat price, or time-of-use periods over the day (hours local to the scenario start)."""

    flat_usd_per_kwh: NonNegativeFloat = 0.0806
    time_of_use: list[TimeOfUsePeriod] = []

    @model_validator(mode="after")
    def _periods_sorted(self) -> PriceSchedule:
        hours = [p.start_hour for p in self.time_of_use]
        if hours != sorted(set(hours)):
            raise ValueError("time_of_use start_hour values must be strictly increasing")
        return self


class PowerFeed(NodeBase):
    """A grid connection, optionally with on-site generation and a battery.

    Defaults: US industrial price 8.06 ¢/kWh (§6.1) and 367 gCO2/kWh (§6.2); 5 MW is an estimate.
    """

    kind: Literal["power_feed"] = "power_feed"
    power_rating_kw: PositiveFloat = 5000.0
    price: PriceSchedule = PriceSchedule()
    carbon_intensity_g_per_kwh: NonNegativeFloat = 367.0
    grid_series_path: str | None = Field(default=None, min_length=1, max_length=1000)
    """CSV of price and/or carbon intensity over time (hourly or any regular step,
    ``sim/models/grid.py``), relative to the scenario file's folder. Its columns replace
    ``price`` (still scaled by price spikes) and ``carbon_intensity_g_per_kwh`` at each step."""
    onsite_generation_kw: NonNegativeFloat = 0.0
    battery_kwh: NonNegativeFloat = 0.0
    capex_usd: NonNegativeFloat = 0.0
    delivery: Delivery = Delivery()


class EfficiencyPoint(StrictModel):
    """One point of a UPS efficiency curve: efficiency at a load fraction."""

    load_fraction: Fraction
    efficiency: Annotated[float, Field(gt=0, le=1)]


class Ups(NodeBase):
    """An uninterruptible power supply (per unit).

    Defaults: double-conversion efficiency 0.96 (§3.2, §9.3); 1 MW, $300k, failure rate and repair
    time are estimates.
    """

    kind: Literal["ups"] = "ups"
    ups_rating_kw: PositiveFloat = 1000.0
    efficiency: Annotated[float, Field(gt=0, le=1)] = 0.96
    """Efficiency at rated load; lower at part load by the ``mode``'s loss shares (§3.2)."""
    mode: Literal["double_conversion", "eco"] = "double_conversion"
    """Loss shape at part load: double conversion or eco mode (sim/models/partload.py)."""
    efficiency_curve: list[EfficiencyPoint] = []
    """Optional load → efficiency points; overrides ``efficiency`` and ``mode`` when given."""
    capex_usd: NonNegativeFloat = 300000.0
    embodied_kg_co2e: NonNegativeFloat | None = None
    """Manufacturing (embodied) carbon per unit, kgCO2e, amortized like capex; None = the
    catalog's figure for this kind of unit (catalog.catalog_embodied_kg)."""
    failure_rate_per_hour: NonNegativeFloat = 1.0e-6
    repair_hours: PositiveFloat = 8.0
    delivery: Delivery = Delivery()

    @model_validator(mode="after")
    def _curve_sorted(self) -> Ups:
        loads = [p.load_fraction for p in self.efficiency_curve]
        if loads != sorted(set(loads)):
            raise ValueError("efficiency_curve load_fraction values must be strictly increasing")
        return self


class Pdu(NodeBase):
    """A power distribution unit (per unit). Every default here is an estimate."""

    kind: Literal["pdu"] = "pdu"
    power_rating_kw: PositiveFloat = 400.0
    efficiency: Annotated[float, Field(gt=0, le=1)] = 0.985
    capex_usd: NonNegativeFloat = 20000.0
    embodied_kg_co2e: NonNegativeFloat | None = None
    """Manufacturing (embodied) carbon per unit, kgCO2e, amortized like capex; None = the
    catalog's figure for this kind of unit (catalog.catalog_embodied_kg)."""
    failure_rate_per_hour: NonNegativeFloat = 1.0e-6
    repair_hours: PositiveFloat = 4.0
    delivery: Delivery = Delivery()


class Storage(NodeBase):
    """A data lake, warehouse or parallel file system (per unit). Defaults are estimates."""

    kind: Literal["storage"] = "storage"
    storage_type: StorageType = "parallel_fs"
    capacity_pb: PositiveFloat = 1.0
    throughput_gb_per_s: PositiveFloat = 100.0
    power_kw: NonNegativeFloat = 20.0
    capex_usd: NonNegativeFloat = 500000.0
    embodied_kg_co2e: NonNegativeFloat | None = None
    """Manufacturing (embodied) carbon per unit, kgCO2e, amortized like capex; None = the
    catalog's figure for this kind of unit (catalog.catalog_embodied_kg)."""
    encryption_at_rest: bool = True
    access_policy: AccessPolicy = "rbac"
    audit_logging: bool = True
    failure_rate_per_hour: NonNegativeFloat = 2.0e-6
    repair_hours: PositiveFloat = 6.0
    delivery: Delivery = Delivery()
    region: str = Field(default="", max_length=40)
    """Jurisdiction the unit sits in (e.g. ``eu``, ``us``); a dataset with a residency
    ``region`` (GDPR) may run or be held only where this matches (``rules_residency.py``)."""


class StaffTeam(NodeBase):
    """A team of people; ``count`` is 1 and ``headcount`` says how many people.

    Defaults describe DC technicians: $90k fully loaded (§9.6), 15 % attrition (§9.7, [E]),
    60 days to fill (§9.7).
    """

    kind: Literal["staff_team"] = "staff_team"
    role: StaffRole = "facilities_ops"
    headcount: NonNegativeInt = 4
    salary_usd_per_year: NonNegativeFloat = 90000.0
    """Fully loaded cost per person per year."""
    annual_attrition: Fraction = 0.15
    """Attrition when paid at market (``market_salary_usd_per_year``)."""
    hiring_lead_time_days: NonNegativeFloat = 60.0
    """Time to fill a requisition when paying the market rate."""
    market_salary_usd_per_year: PositiveFloat | None = None
    """What the market pays this role (fully loaded); None = at market (``salary_usd_per_year``).
    Pay below it raises attrition and lengthens hiring; above it does the opposite."""
    market_tightness: Annotated[float, Field(ge=0.25, le=10)] = 1.0
    """Scarcity of the role: open positions per qualified candidate relative to a normal market
    (1). Time to fill grows in proportion (estimate)."""
    ramp_up_days: NonNegativeFloat = 90.0
    """Days until a new hire works at full productivity; it rises linearly from 0 (§9.7:
    30–180 d, typical 90, estimate)."""
    shift_coverage: ShiftCoverage = "24x7"


class CloudBurst(NodeBase):
    """Rented accelerators used when demand exceeds on-site capacity (the hybrid factory).

    Defaults: H100 at $2.5/GPU-h (§9.6); 256 GPUs and 95 % availability are estimates.
    """

    kind: Literal["cloud_burst"] = "cloud_burst"
    accelerator: str = "h100_sxm"
    max_accelerators: NonNegativeInt = 256
    price_usd_per_gpu_hour: NonNegativeFloat = 2.5
    availability: Fraction = 0.95
    region: str = Field(default="", max_length=40)
    """Jurisdiction the unit sits in (e.g. ``eu``, ``us``); a dataset with a residency
    ``region`` (GDPR) may run or be held only where this matches (``rules_residency.py``)."""


class Vendor(NodeBase):
    """An equipment supplier: its lead-time distribution, capacity per quarter and disruptions.

    Nodes order from it through ``delivery.vendor``. Lead time is lognormal around the median:
    16 weeks typical for GPU servers (§9.7, range 8–52 wk; σ 0.5 puts 8 wk near P8 and 52 wk near
    P99, estimate). Capacity 0 = unlimited. Disruptions (a fab, port or allocation stop) hold
    every shipment until they end: one scheduled from ``disruption_start_day``, and random ones
    at ``disruption_rate_per_year`` (estimate 0 by default).
    """

    kind: Literal["vendor"] = "vendor"
    lead_time_median_days: PositiveFloat = 112.0
    """Median lead time from order to delivery, days."""
    lead_time_spread: Annotated[float, Field(ge=0, le=3)] = 0.5
    """σ of the lognormal lead time (spread of ln days); 0 = always the median."""
    capacity_units_per_quarter: NonNegativeInt = 0
    """Units the vendor can ship per quarter (91.3 days) across all orders; 0 = unlimited."""
    disruption_rate_per_year: NonNegativeFloat = 0.0
    """Random disruptions per year (Poisson), each lasting ``disruption_length_days`` on average."""
    disruption_start_day: NonNegativeFloat | None = None
    """A scheduled disruption starting this many days after the start; None = none."""
    disruption_length_days: NonNegativeFloat = 60.0
    """Length of the scheduled disruption and mean length of the random ones, days."""


class Site(NodeBase):
    """A location of the factory: a campus, an edge site or a cloud region.

    The nodes whose ``group`` is the site's id are at the site; the nodes at no site are in the
    main hall. Places meet over ``wan`` edges (``WanLink``: latency and bandwidth), drawn
    between sites or from a site to a network switch of the place it reaches.
    """

    kind: Literal["site"] = "site"
    egress_usd_per_gb: NonNegativeFloat = 0.0
    """Price of data leaving this site over the WAN, USD/GB (a cloud region charges it)."""
    technician_travel_hours: NonNegativeFloat = 0.0
    """Time for a technician of a team based elsewhere to reach the site, h; added to each
    hands-on repair here."""


class DatasetNode(DatasetSpec, NodeBase):
    """A dataset on the canvas; training jobs name it by ``dataset_id``.

    Data edges to storage say where it is held (residency and HIPAA rules check those stores).

    ``count`` is ignored (one dataset per node); the fields are ``Dataset``'s.
    """

    kind: Literal["dataset"] = "dataset"


Node = Annotated[
    ComputeRack
    | NetworkSwitch
    | CoolingUnit
    | PowerFeed
    | Ups
    | Pdu
    | Storage
    | StaffTeam
    | CloudBurst
    | Vendor
    | Site
    | DatasetNode,
    Field(discriminator="kind"),
]


def order_problems(
    nodes: Sequence[NodeBase], ordered: list[int] | None = None
) -> list[tuple[str, str, str]]:
    """(field path, node id, message) for each delivery whose vendor references do not hold.

    A vendor reference must name a vendor node; a second vendor needs a first; a node ordered
    from a vendor cannot also have a fixed delivery date. The rules report these as findings
    and the supply model refuses to plan with them. ``ordered``: :func:`vendor_orders` of
    ``nodes`` when the caller has it.
    """
    out: list[tuple[str, str, str]] = []
    if ordered is None:
        ordered = vendor_orders(nodes)
    if not ordered:
        return out
    vendors = {x.id for x in nodes if isinstance(x, Vendor)}
    for i in ordered:
        node = nodes[i]
        delivery = node.delivery  # type: ignore[attr-defined]
        where = f"nodes[{i}].delivery"
        for part in ("vendor", "second_vendor"):
            name = getattr(delivery, part)
            if name and name not in vendors:
                message = f"{node.id!r} orders from {name!r}, which is not a vendor node"
                out.append((f"{where}.{part}", node.id, message))
        if not delivery.vendor:
            message = f"{node.id!r} names a second vendor but no first vendor"
            out.append((f"{where}.vendor", node.id, message))
        if delivery.delivery_date is not None:
            message = f"{node.id!r} has a fixed delivery date and a vendor: give one of them"
            out.append((f"{where}.delivery_date", node.id, message))
    return out


def vendor_orders(nodes: Sequence[NodeBase]) -> list[int]:
    """Positions of the nodes whose delivery names a vendor (or a second vendor), in order.

    One pass with no Python call per node: a 40-hall factory has 383,600 nodes and usually no
    vendor at all, and the rules and the supply plan both ask.
    """
    deliveries = list(map(getattr, nodes, repeat("delivery"), repeat(None)))
    first = list(map(getattr, deliveries, repeat("vendor"), repeat("")))
    second = list(map(getattr, deliveries, repeat("second_vendor"), repeat("")))
    if not (any(first) or any(second)):  # the usual case, without a loop in Python
        return []
    return [
        i
        for i, d in enumerate(deliveries)
        if isinstance(d, Delivery) and (d.vendor or d.second_vendor)
    ]


# Tag → class, read off the union so a new kind is listed once (in ``Node``).
NODE_CLASSES: dict[str, type[NodeBase]] = {
    cls.model_fields["kind"].default: cls for cls in get_args(get_args(Node)[0])
}
NODE_KINDS: tuple[str, ...] = tuple(NODE_CLASSES)
