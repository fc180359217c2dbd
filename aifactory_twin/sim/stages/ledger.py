"""Ledger stage: money and the running totals behind the KPIs, and the recorded outputs.

Owns ``acc`` (running totals: costs, energy, GPU-seconds, carbon, water, peaks; the KPIs are
ratios of these) and ``out`` (this step's values of the recorder's aggregate series). Reads
the blocks of the other stages; changes nothing outside itself. Formulas:
``models/economics.py``; KPI definitions: ``sim/kpis.py``.

Grid over time: each step's price and carbon intensity per feed (``grid``: a feed's CSV row
for the step's start, else its time-of-use price and constant carbon) bill the energy each feed
supplied in the step (the power stage attributes every kW to the feeds), so carbon is
Σ energy × intensity of the feed that supplied it, exactly. ``grid`` and the per-feed running
totals are public for per-workload accounting.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from aifactory_twin.sim.compiled import CompiledScenario
from aifactory_twin.sim.models import economics as eco
from aifactory_twin.sim.models import grid as gs
from aifactory_twin.sim.models.compute import Placement
from aifactory_twin.sim.models.sequential import Stretch
from aifactory_twin.sim.stages.availability import Availability
from aifactory_twin.sim.stages.handoff import (
    BoolArray,
    FloatArray,
    HeatBlock,
    PlantBlock,
    RackBlock,
    RackCapacity,
    frozen,
    read_only,
)

PRICE_MEMO_MAX = 4096
"""Price keys the ledger keeps at most (24 hours × the price multipliers in force)."""

ACC_KEYS: tuple[str, ...] = (
    "capex_usd",
    "capex_amortized_usd",
    "energy_cost_usd",
    "staff_cost_usd",
    "maintenance_cost_usd",
    "cloud_cost_usd",
    "compliance_cost_usd",
    "idle_cost_usd",
    "waiting_cost_usd",
    "egress_cost_usd",
    "it_energy_kwh",
    "cooling_energy_kwh",
    "server_fan_energy_kwh",
    "facility_energy_kwh",
    "carbon_kg",
    "embodied_kg",
    "water_l",
    "gpu_s_up",
    "gpu_s_arrived",
    "gpu_s_busy",
    "gpu_s_throttled",
    "gpu_s_allocated",
    "gpu_s_inference",
    "cloud_gpu_s",
    "inference_tokens",
    "inference_energy_j",
    "peak_facility_kw",
    "max_temperature_c",
    "time_s",
)


@dataclass(frozen=True)
class CapexView:
    """Capex and accelerators of what has arrived (per availability version)."""

    arrived_usd: float
    arrived_embodied_kg: float
    """Manufacturing carbon of the arrived units (amortized over the depreciation years)."""
    rack_usd: FloatArray
    """Per rack: arrived units × unit capex."""
    gpus_arrived: float
    gpus_failed: float
    waiting_share: float
    """Share of the rated IT load (racks, switches, storage) whose equipment has not arrived:
    the facility built for it waits (supply delays, ``models/supply.py``)."""


@dataclass(frozen=True)
class GridNow:
    """Price and carbon intensity of this step's energy, for the facility as a whole."""

    price_usd_per_kwh: float
    """The facility's energy cost this step / its energy (the mean feed price at zero load)."""
    carbon_g_per_kwh: float
    """The facility's carbon this step / its energy (the mean feed intensity at zero load)."""
    feed_price_usd_per_kwh: FloatArray
    """Per feed: this step's price (per-job accounting bills each job by its racks' feeds)."""
    feed_carbon_g_per_kwh: FloatArray
    """Per feed: this step's carbon intensity."""


@dataclass
class FeedTotals:
    """Per feed since the start: energy supplied, its carbon and its cost (``feeds`` KPI).

    Arrays in ``compiled.power.feed_node`` order.
    """

    energy_kwh: FloatArray
    carbon_kg: FloatArray
    cost_usd: FloatArray


@dataclass
class LedgerCache:
    """Memos of the ledger (reset by a parameter swap)."""

    capex_version: int | None = None
    capex: CapexView | None = None
    arrived_version: int | None = None
    arrived: tuple[float, float, FloatArray, float, float] | None = None
    """(capex USD, embodied kg, per-rack capex USD, accelerators, waiting share) of the
    arrived units, for the arrival version ``arrived_version``."""
    prices: dict[tuple[object, ...], tuple[FloatArray, FloatArray, float, float]] = field(
        default_factory=dict
    )
    """(price and carbon per feed, mean price and carbon or the defaults) per (hour, price
    multiplier, the series' rows): a day's 24 hours are computed once, not at every hour."""
    idle_key: tuple[object, ...] | None = None
    idle_capex_usd: float = 0.0
    people_key: bytes | None = None
    people: tuple[float, float] = (0.0, 0.0)
    """(payroll USD/year, headcount) for ``people_key``."""
    cloud_version: int | None = None
    cloud: tuple[float, float] = (0.0, 0.0)
    """(cloud accelerators, USD/h) for the placement version ``cloud_version``."""
    collector: tuple[FloatArray, float] | None = None
    mean_temp: tuple[FloatArray, FloatArray, float] | None = None


class Ledger:
    """Costs and totals of the run so far."""

    def __init__(self, c: CompiledScenario, max_temperature_c: float) -> None:
        self.acc: dict[str, float] = dict.fromkeys(ACC_KEYS, 0.0)
        self.acc["max_temperature_c"] = max_temperature_c
        self.out: dict[str, float] = {}
        n_feeds = c.power.feed_node.shape[0]
        self.feeds = FeedTotals(np.zeros(n_feeds), np.zeros(n_feeds), np.zeros(n_feeds))
        self.grid: GridNow | None = None
        """This step's prices and carbon (None before the first step)."""
        self.step_fixed_usd = 0.0
        """This step's amortized capex, maintenance and staff cost (``stages/accounts.py``)."""
        self.step: dict[str, float] = {}
        """What the last step added to each running total in ``acc``."""
        self.feed_step: tuple[FloatArray, ...] = ()
        """What the last step added to the per-feed totals (energy, carbon, cost)."""
        self.swap(c)

    def swap(self, c: CompiledScenario) -> None:
        """Take the parameters of ``c``."""
        self.c = c
        self.facility_capex_usd = (
            c.facility_rated_it_kw * c.scenario.settings.facility_capex_usd_per_kw
        )
        self.cache = LedgerCache()
        self.series = [(f, x) for f, x in enumerate(c.power.feed_series) if x is not None]
        self.year_offset_s = gs.seconds_of_year(c.start_time, 0.0)

    def _grid_now(
        self, t: float, hour: int, price_mult: float
    ) -> tuple[FloatArray, FloatArray, float, float]:
        """(price, carbon per feed, their means) at ``t`` (memo while none of them moves)."""
        c = self.c
        soy = self.year_offset_s + t
        rows = tuple(x.index_at(soy) for _, x in self.series)
        key = (hour, price_mult, rows)
        known = self.cache.prices.get(key)
        if known is None:
            settings = c.scenario.settings
            prices = eco.feed_prices(c.power.feed_price_by_hour, hour, price_mult)
            carbon = c.power.feed_carbon_g_per_kwh
            if self.series:
                carbon = carbon.copy()
                for (f, x), row in zip(self.series, rows, strict=True):
                    if x.price_usd_per_kwh is not None:
                        prices[f] = x.price_usd_per_kwh[row] * price_mult
                    if x.carbon_g_per_kwh is not None:
                        carbon[f] = x.carbon_g_per_kwh[row]
            if prices.size:
                means = (float(prices.mean()), float(carbon.mean()))
            else:
                means = (
                    settings.default_price_usd_per_kwh * price_mult,
                    settings.default_carbon_g_per_kwh,
                )
            if len(self.cache.prices) >= PRICE_MEMO_MAX:  # grid series: rows rarely repeat
                self.cache.prices.clear()
            # Read-only: the same arrays serve every step with this key.
            known = self.cache.prices[key] = (frozen(prices), read_only(carbon), *means)
        return known

    def rebook_capex(
        self, old: CompiledScenario, new: CompiledScenario, arrived: BoolArray
    ) -> None:
        """Re-book arrived equipment at the edited count or price (before ``swap(new)``).

        Equipment is booked at its capex when it arrives; an edit of its count or price re-books
        it, so the investment reads what a fresh run of the edited factory reads (the facility
        build-out follows the edit through ``swap``).
        """
        was = float(np.sum(old.nodes.count[arrived] * old.nodes.capex_per_unit_usd[arrived]))
        now = float(np.sum(new.nodes.count[arrived] * new.nodes.capex_per_unit_usd[arrived]))
        if now != was:
            self.acc["capex_usd"] += now - was

    def capex_view(self, av: Availability) -> CapexView:
        """Capex and accelerators arrived and failed (cached per availability version).

        The arrival terms are cached per ``av.arrived_version`` (deliveries are rare), so a
        unit failure, which bumps ``av.version`` every few steps at scale, recomputes only the
        failed accelerators.
        """
        memo = self.cache
        if memo.capex is None or memo.capex_version != av.version:
            c = self.c
            rn = c.racks.node
            if memo.arrived is None or memo.arrived_version != av.arrived_version:
                arrived_units = np.where(av.arrived, c.nodes.count, 0.0)
                rated_kw = c.nodes.static_power_kw * c.nodes.count
                rated_kw[rn] += c.racks.rating_kw * c.nodes.count[rn]
                total_kw = float(rated_kw.sum())
                memo.arrived = (
                    float(arrived_units @ c.nodes.capex_per_unit_usd),
                    float(arrived_units @ c.nodes.embodied_kg_per_unit),
                    arrived_units[rn] * c.nodes.capex_per_unit_usd[rn],
                    float(arrived_units[rn] @ c.racks.gpus_per_unit),
                    float(rated_kw[~av.arrived].sum()) / total_kw if total_kw > 0 else 0.0,
                )
                memo.arrived_version = av.arrived_version
            usd, embodied_kg, rack_usd, gpus_arrived, waiting_share = memo.arrived
            memo.capex = CapexView(
                usd,
                embodied_kg,
                rack_usd,
                gpus_arrived,
                float(av.units_failed()[rn] @ c.racks.gpus_per_unit),
                waiting_share,
            )
            memo.capex_version = av.version
        return memo.capex

    def book(
        self,
        t: float,
        dt: float,
        hour: int,
        ambient: float,
        price_mult: float,
        av: Availability,
        headcount: FloatArray,
        placement: Placement,
        placement_version: int,
        cap: RackCapacity,
        tj_c: FloatArray,
        rb: RackBlock,
        hb: HeatBlock,
        pb: PlantBlock,
        cap_w: FloatArray,
        flops_s: float,
        tokens_s: float,
        egress_usd_per_s: float = 0.0,
        compliance_usd: float = 0.0,
    ) -> None:
        """Costs and totals of the step from ``t`` to ``t + dt``, and the recorder's ``out``.

        ``flops_s`` and ``tokens_s``: delivered FLOP/s and inference tokens/s (work stage);
        ``egress_usd_per_s``: WAN egress of responses served across sites, booked with the
        cloud cost; ``compliance_usd``: the step's compliance cost of regulated data.
        """
        c = self.c
        settings = c.scenario.settings
        it_kw, facility_kw, cooling_kw = pb.it_kw, pb.facility_kw, pb.cooling_kw
        dt_h = dt / 3600.0
        memo = self.cache
        prices, carbon, mean_price, mean_carbon = self._grid_now(t, hour, price_mult)
        default_price = settings.default_price_usd_per_kwh * price_mult
        energy_usd = (float(pb.feed_in @ prices) + pb.other_kw * default_price) * dt_h
        carbon_g = float(pb.feed_in @ carbon) + pb.other_kw * settings.default_carbon_g_per_kwh
        feed_kwh = pb.feed_in * dt_h
        totals = self.feeds
        self.feed_step = (feed_kwh, feed_kwh * carbon / 1000.0, feed_kwh * prices)
        totals.energy_kwh += self.feed_step[0]
        totals.carbon_kg += self.feed_step[1]
        totals.cost_usd += self.feed_step[2]
        facility_kwh = facility_kw * dt_h  # a subnormal draw times dt_h can round to 0
        self.grid = GridNow(
            energy_usd / facility_kwh if facility_kwh > 0 else mean_price,
            carbon_g / facility_kw if facility_kw > 0 else mean_carbon,
            prices,
            carbon,
        )
        capex = self.capex_view(av)
        years = settings.depreciation_years
        amort = eco.amortization_usd(capex.arrived_usd, years, dt) + eco.amortization_usd(
            self.facility_capex_usd, eco.FACILITY_LIFE_YEARS, dt
        )
        if memo.idle_key != (rb.key, av.version):
            memo.idle_capex_usd = float(capex.rack_usd @ (1.0 - rb.busy))
            memo.idle_key = (rb.key, av.version)
        idle_usd = eco.amortization_usd(memo.idle_capex_usd, years, dt)
        waiting_usd = (
            eco.amortization_usd(
                self.facility_capex_usd * capex.waiting_share, eco.FACILITY_LIFE_YEARS, dt
            )
            if capex.waiting_share > 0
            else 0.0
        )
        maint = eco.pro_rata_usd(settings.maintenance_fraction_per_year * capex.arrived_usd, dt)
        people_key = headcount.tobytes()
        if memo.people_key != people_key:
            memo.people = (
                float(headcount @ c.staff.salary_usd_per_year),
                float(headcount.sum()),
            )
            memo.people_key = people_key
        payroll_usd_per_year, n_people = memo.people
        salaries = eco.pro_rata_usd(payroll_usd_per_year, dt)
        if memo.cloud_version != placement_version:
            cloud_per_node = placement.train_cloud.sum(axis=0) + placement.inf_cloud.sum(axis=0)
            memo.cloud = (
                float(cloud_per_node.sum()),
                float(cloud_per_node @ c.cloud.price_usd_per_gpu_h),
            )
            memo.cloud_version = placement_version
        cloud_gpus, cloud_usd_per_h = memo.cloud
        egress_usd = egress_usd_per_s * dt
        cloud_usd = cloud_usd_per_h * dt_h + egress_usd
        water_l = pb.water_l_per_h * dt_h
        self.step_fixed_usd = amort + salaries + maint
        # Pue first: the inference energy below needs it.
        # Below a milliwatt of IT load the ratio is meaningless (and overflows for subnormal
        # loads, as a property test found): the series reads 0 there, like a factory with no IT.
        pue = facility_kw / it_kw if it_kw > 1e-6 else 0.0
        # Server fans are IT power (§3.1, the "PUE trap"): their share by cooling mode.
        rack_kw = rb.rack_kw if hb.rack_kw is None else hb.rack_kw
        # The step's additions to the running totals, kept so that a quiet stretch can add the
        # same again (``repeat``).
        step = self.step = {
            "compliance_cost_usd": compliance_usd,
            "capex_amortized_usd": amort,
            "energy_cost_usd": energy_usd,
            "staff_cost_usd": salaries,
            "maintenance_cost_usd": maint,
            "cloud_cost_usd": cloud_usd,
            "idle_cost_usd": idle_usd,
            "waiting_cost_usd": waiting_usd,
            "egress_cost_usd": egress_usd,
            "it_energy_kwh": it_kw * dt_h,
            "cooling_energy_kwh": cooling_kw * dt_h,
            "server_fan_energy_kwh": float(rack_kw @ c.racks.fan_fraction) * dt_h,
            "facility_energy_kwh": facility_kw * dt_h,
            "carbon_kg": carbon_g * dt_h / 1000.0,
            # Embodied carbon is written off like the equipment's capex (straight line, §6.3).
            "embodied_kg": eco.amortization_usd(capex.arrived_embodied_kg, years, dt),
            "water_l": water_l,
            "gpu_s_up": rb.gpus_up * dt,
            "gpu_s_arrived": capex.gpus_arrived * dt,
            "gpu_s_busy": rb.busy_gpus * dt,
            "gpu_s_throttled": rb.throttled * dt,
            "gpu_s_allocated": rb.allocated * dt,
            "gpu_s_inference": rb.inf_alloc * dt,
            "cloud_gpu_s": cloud_gpus * dt,
            "inference_tokens": tokens_s * dt,
            "inference_energy_j": rb.inf_it_kw * max(pue, 1.0) * 1000.0 * dt,
        }
        a = self.acc
        for key, add in step.items():
            a[key] += add
        a["peak_facility_kw"] = max(a["peak_facility_kw"], facility_kw)
        a["max_temperature_c"] = max(a["max_temperature_c"], hb.max_t)
        self.out = {
            "it_power_kw": it_kw,
            "cooling_power_kw": cooling_kw,
            "facility_power_kw": facility_kw,
            "pue": pue,
            "mean_utilization": (
                rb.busy_gpus / capex.gpus_arrived if capex.gpus_arrived > 0 else 0.0
            ),
            "delivered_pflops": flops_s / 1e15,
            "max_temp_c": hb.max_t,
            "gpus_up": rb.gpus_up,
            "gpus_failed": capex.gpus_failed,
            "gpus_throttled": rb.throttled,
            "energy_cost_usd_cum": a["energy_cost_usd"],
            "total_cost_usd_cum": self.total_cost_usd(),
            "carbon_t_cum": a["carbon_kg"] / 1000.0,
            "headcount": n_people,
            "ambient_c": ambient,
            "heat_in_kw": rb.rack_heat_kw,
            "heat_removed_kw": hb.removed_j / dt / 1000.0,
            "inference_tokens_per_s": tokens_s,
            "cloud_gpus": cloud_gpus,
            "energy_price_usd_per_kwh": mean_price,
            # For the live charts (issue 5): mean junction temperature of racks with units up,
            # room-side cooling capacity available now, and the cost categories as running sums.
            "mean_temp_c": self._mean_live_temp_c(tj_c, cap.rack_up),
            "cooling_capacity_kw": self._collector_capacity_kw(cap_w),
            "capex_amortized_usd_cum": a["capex_amortized_usd"],
            "staff_cost_usd_cum": a["staff_cost_usd"],
            "maintenance_cost_usd_cum": a["maintenance_cost_usd"],
            "cloud_cost_usd_cum": a["cloud_cost_usd"],
        }

    def repeat(self, stretch: Stretch) -> int:
        """Book the last step again over a quiet stretch (``sim/quiet.py``); its first column."""
        totals = self.feeds
        stretch.arrays([totals.energy_kwh, totals.carbon_kg, totals.cost_usd], list(self.feed_step))
        return stretch.totals(self.acc, self.step)

    def total_cost_usd(self) -> float:
        """Amortized capex + energy + staff + maintenance + cloud + compliance so far."""
        a = self.acc
        return (
            a["capex_amortized_usd"]
            + a["energy_cost_usd"]
            + a["staff_cost_usd"]
            + a["maintenance_cost_usd"]
            + a["cloud_cost_usd"]
            + a["compliance_cost_usd"]
        )

    def _collector_capacity_kw(self, cap_w: FloatArray) -> float:
        """Room-side cooling capacity now, kW (``cap_w`` is read-only, replaced on change)."""
        known = self.cache.collector
        if known is None or known[0] is not cap_w:
            known = (cap_w, float(np.sum(cap_w[self.c.plant.is_collector])) / 1000.0)
            self.cache.collector = known
        return known[1]

    def _mean_live_temp_c(self, tj_c: FloatArray, units_up: FloatArray) -> float:
        """Unit-weighted mean junction temperature of racks with units up (0 when none are)."""
        # Both arrays are read-only and replaced on change: the same pair, the same answer.
        known = self.cache.mean_temp
        if known is None or known[0] is not tj_c or known[1] is not units_up:
            weight = float(np.sum(units_up))
            mean_c = float(np.dot(tj_c, units_up)) / weight if weight > 0 else 0.0
            known = self.cache.mean_temp = (tj_c, units_up, mean_c)
        return known[2]
