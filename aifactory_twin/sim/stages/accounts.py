"""Accounts stage: energy, carbon, cost and GPU-hours of each training job and inference service.

Owns running totals per workload (training jobs first, then inference services, the order of
``Workloads.train_ids`` + ``inf_ids``) and for the IT load no workload holds ("unassigned":
idle accelerators with their host share, units in protective shutdown, switches and storage).
Reads the blocks of the other stages after the ledger has booked the step; changes nothing
outside itself.

Rules (issue 10, per-job accounting):

* IT power: a workload's accelerators at the power of what they do, plus their host share
  (``models/power.per_accelerator_kw``); a training job's accelerators idle while it restarts.
  Σ workloads + unassigned = the factory's IT power, every step.
* Facility share: the step's facility power above IT (cooling, distribution losses, misc,
  no-load) is shared by IT power: a workload gets overhead × its IT / factory IT.
* Carbon and energy cost, one feed: the workload's energy (IT + facility share) × the step's
  carbon intensity and price of the facility's energy (the ledger's carbon and energy cost of
  the step over its energy).
* Carbon and energy cost, several feeds: a workload's IT power on a rack is supplied by the
  feeds behind that rack, in the shares the distribution chain draws on them
  (``models/feed_share.py``), at each feed's price and intensity of the step. The rest of the
  facility's energy (distribution losses, cooling, misc, no-load, and IT no feed reaches) costs
  what the feeds' supply beyond that IT costs, per kWh: the step's price and carbon left over
  once the IT is billed, over the energy left over. Σ workloads + unassigned = the factory's
  totals either way.
* Fixed cost (amortized capex, maintenance, staff) is shared by the accelerators held on site
  this step; rented cloud accelerators cost their workload their price. GPU-hours are the
  accelerators held (site and cloud) × time, whatever their activity.

Per-job sums over the racks each job holds (``Placement.train_racks`` segments, no jobs × racks
matrix) are redone only when the rack block changes (placement, status, supply, restarts); the
per-step work is O(workloads).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from aifactory_twin.sim.compiled import CompiledScenario
from aifactory_twin.sim.models import feed_share as fs
from aifactory_twin.sim.models.compute import Placement
from aifactory_twin.sim.models.sequential import Stretch
from aifactory_twin.sim.stages.handoff import FloatArray, HeatBlock, PlantBlock, RackBlock

TOTAL_KEYS: tuple[str, ...] = (
    "gpu_kwh",
    "host_kwh",
    "facility_kwh",
    "carbon_kg",
    "energy_cost_usd",
    "fixed_cost_usd",
    "cloud_cost_usd",
    "gpu_s",
)
UNASSIGNED_KEYS: tuple[str, ...] = (
    "it_kwh",
    "facility_kwh",
    "carbon_kg",
    "energy_cost_usd",
    "fixed_cost_usd",
)


class GridPrices(Protocol):
    """The step's price and carbon intensity, site-wide and per feed (the ledger's GridNow)."""

    @property
    def price_usd_per_kwh(self) -> float:
        """The facility's energy cost this step / its energy."""

    @property
    def carbon_g_per_kwh(self) -> float:
        """The facility's carbon this step / its energy."""

    @property
    def feed_price_usd_per_kwh(self) -> FloatArray:
        """Per feed: this step's price."""

    @property
    def feed_carbon_g_per_kwh(self) -> FloatArray:
        """Per feed: this step's carbon intensity."""


@dataclass(frozen=True)
class WorkloadPower:
    """Per workload (train then inference) for one rack block: kW and accelerators held."""

    rb: RackBlock
    gpu_kw: FloatArray
    host_kw: FloatArray
    unassigned_rack_kw: float
    onsite_gpus: FloatArray
    cloud_gpus: FloatArray
    cloud_usd_per_h: FloatArray
    it_kw: FloatArray
    """``gpu_kw + host_kw``."""
    held: float
    """Accelerators held on site, all workloads."""
    gpus: FloatArray
    """``onsite_gpus + cloud_gpus``."""
    feed_kw: FloatArray | None = None
    """Per workload × feed: its IT kW that feed supplies (None with fewer than two feeds)."""
    unassigned_feed_kw: FloatArray | None = None
    """Per feed: the unassigned rack kW it supplies."""


@dataclass(frozen=True)
class FeedMix:
    """Per rack and per switch/storage node: the share of its power each feed supplies.

    The racks' shares are kept sparse, (rack, feed, share) for each share > 0 in rack order
    (``rack_ptr[r]:rack_ptr[r + 1]`` are rack r's): a rack hangs off one or two feeds, and a
    dense racks × feeds table is 120 MB and most of a step at 40 halls with a feed each.
    """

    n_feeds: int
    rack_ptr: npt.NDArray[np.intp]
    nz_rack: npt.NDArray[np.intp]
    nz_feed: npt.NDArray[np.intp]
    nz_share: FloatArray
    static_node: npt.NDArray[np.intp]
    static: FloatArray

    @classmethod
    def of(
        cls, rack_mix: FloatArray, static_node: npt.NDArray[np.intp], static: FloatArray
    ) -> FeedMix:
        """From the dense racks × feeds shares."""
        nz_rack, nz_feed = np.nonzero(rack_mix)
        counts = np.bincount(nz_rack, minlength=rack_mix.shape[0])
        ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.intp)
        return cls(
            rack_mix.shape[1], ptr, nz_rack, nz_feed, rack_mix[nz_rack, nz_feed], static_node,
            static,
        )  # fmt: skip

    def per_feed(self, group: npt.NDArray[np.intp], rack: npt.NDArray[np.intp],
                 kw: FloatArray, n_groups: int) -> FloatArray:  # fmt: skip
        """Per group × feed: Σ of ``kw`` (one value per entry on ``rack``) × the feed's share."""
        counts = self.rack_ptr[rack + 1] - self.rack_ptr[rack]
        entry = np.repeat(np.arange(rack.shape[0]), counts)
        first = np.repeat(self.rack_ptr[rack], counts)
        nz = first + (np.arange(entry.shape[0]) - np.repeat(np.cumsum(counts) - counts, counts))
        out = np.bincount(
            group[entry] * self.n_feeds + self.nz_feed[nz],
            weights=kw[entry] * self.nz_share[nz],
            minlength=n_groups * self.n_feeds,
        )
        return np.asarray(out, dtype=np.float64).reshape(n_groups, self.n_feeds)


class Accounts:
    """Running per-workload totals (``totals[key][w]``) and the unassigned totals."""

    def __init__(self, c: CompiledScenario) -> None:
        n_w = c.workloads.n_train + c.workloads.n_inf
        self.totals: dict[str, FloatArray] = {k: np.zeros(n_w) for k in TOTAL_KEYS}
        self.unassigned: dict[str, float] = dict.fromkeys(UNASSIGNED_KEYS, 0.0)
        self.step: tuple[dict[str, FloatArray], dict[str, float]] = ({}, {})
        """What the last step added to ``totals`` and ``unassigned``."""
        self.swap(c)

    def swap(self, c: CompiledScenario) -> None:
        """Take the parameters of ``c`` (same workloads)."""
        self.c = c
        self.cache: WorkloadPower | None = None
        self.static_memo: tuple[FloatArray | None, FloatArray] = (None, np.zeros(0))
        pp = c.power
        self.mix: FeedMix | None = None
        if pp.feed_node.shape[0] > 1:
            draw = fs.feed_draw(
                c.node_kinds, pp.feed_node, pp.edge_parent, pp.edge_child, pp.edge_split,
                pp.efficiency,
            )  # fmt: skip
            static_node = np.flatnonzero(c.nodes.static_power_kw)
            self.mix = FeedMix.of(
                fs.feed_mix(draw[c.racks.node]), static_node, fs.feed_mix(draw[static_node])
            )

    def _power(self, rb: RackBlock, pl: Placement, scale: FloatArray | None) -> WorkloadPower:
        """Per-workload kW for the rack block (``scale``: per rack, when a rack tripped)."""
        acct = rb.acct
        assert acct is not None
        c = self.c
        g = acct.per_gpu_kw if scale is None else tuple(x * scale for x in acct.per_gpu_kw)
        a = acct.train_active
        jr, inf = pl.train_racks, pl.inf

        def held(per_gpu_kw: FloatArray) -> FloatArray:
            """Per training job: Σ over its racks of accelerators held × kW each."""
            return jr.per_job_sum(jr.gpus * per_gpu_kw[jr.rack])

        # A training job's accelerators draw training power while it computes, idle power while
        # it restarts (``a`` is the share of the step it computes).
        train_gpu = a * held(g[0]) + (1.0 - a) * held(g[4])
        train_host = a * held(g[1]) + (1.0 - a) * held(g[5])
        unassigned = acct.unassigned_kw if scale is None else acct.unassigned_kw * scale
        cloud_price = c.cloud.price_usd_per_gpu_h
        gpu_kw = np.concatenate([train_gpu, inf @ g[2]])
        host_kw = np.concatenate([train_host, inf @ g[3]])
        onsite = np.concatenate([jr.per_job_sum(jr.gpus), inf.sum(axis=1)])
        cloud = np.concatenate([pl.train_cloud.sum(axis=1), pl.inf_cloud.sum(axis=1)])
        feed_kw = unassigned_feed_kw = None
        if self.mix is not None:
            feed_kw, unassigned_feed_kw = self._feed_kw(g, a, pl, unassigned)
        return WorkloadPower(
            rb=rb,
            gpu_kw=gpu_kw,
            host_kw=host_kw,
            unassigned_rack_kw=float(unassigned.sum()),
            onsite_gpus=onsite,
            cloud_gpus=cloud,
            cloud_usd_per_h=np.concatenate(
                [pl.train_cloud @ cloud_price, pl.inf_cloud @ cloud_price]
            ),
            it_kw=gpu_kw + host_kw,
            held=float(onsite.sum()),
            gpus=onsite + cloud,
            feed_kw=feed_kw,
            unassigned_feed_kw=unassigned_feed_kw,
        )

    def _feed_kw(
        self, g: tuple[FloatArray, ...], a: FloatArray, pl: Placement, unassigned: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """(per workload × feed, per feed unassigned) IT kW on the racks each feed supplies."""
        mix = self.mix
        assert mix is not None
        jr = pl.train_racks
        # Per feed: Σ over each job's racks of its kW there × the feed's share of the rack.
        on_rack = a[jr.job] * (g[0] + g[1])[jr.rack] + (1.0 - a[jr.job]) * (g[4] + g[5])[jr.rack]
        train_feed = mix.per_feed(jr.job, jr.rack, jr.gpus * on_rack, self.c.workloads.n_train)
        # Services: their kW per rack (each row of ``pl.inf``) over the racks' feeds.
        n_racks = mix.rack_ptr.shape[0] - 1
        racks = np.arange(n_racks)
        inf_kw = g[2] + g[3]
        inf_feed = np.zeros((pl.inf.shape[0], mix.n_feeds))
        for k, row in enumerate(pl.inf):
            inf_feed[k] = mix.per_feed(np.zeros(n_racks, np.intp), racks, row * inf_kw, 1)[0]
        unassigned_feed = mix.per_feed(np.zeros(n_racks, np.intp), racks, unassigned, 1)[0]
        return np.concatenate([train_feed, inf_feed]), unassigned_feed

    def _static_feed_kw(self, static_node_kw: FloatArray) -> FloatArray:
        """Per feed: switch and storage kW it supplies (memo per availability's array)."""
        known, out = self.static_memo
        if known is not static_node_kw:
            assert self.mix is not None
            out = static_node_kw[self.mix.static_node] @ self.mix.static
            self.static_memo = (static_node_kw, out)
        return out

    def _by_feed(
        self,
        wp: WorkloadPower,
        w_kw: FloatArray,
        idle_kw: float,
        total_kw: float,
        static_node_kw: FloatArray,
        grid: GridPrices,
    ) -> tuple[FloatArray, FloatArray, float, float]:
        """(carbon g/h, cost USD/h) per workload and unassigned, billed by the racks' feeds.

        ``w_kw``: per workload IT + facility share, ``idle_kw`` the unassigned's, ``total_kw``
        the facility's. The IT on a feed's path pays that feed; the remainder of the facility's
        energy pays the rest of the step's carbon and cost at one rate each.
        """
        assert wp.feed_kw is not None and wp.unassigned_feed_kw is not None
        idle_feed = wp.unassigned_feed_kw + self._static_feed_kw(static_node_kw)
        on_feeds = wp.feed_kw.sum(axis=0) + idle_feed
        rest_kw = total_kw - float(on_feeds.sum())
        out: list[tuple[FloatArray, float]] = []
        for per_feed, site in (
            (grid.feed_carbon_g_per_kwh, grid.carbon_g_per_kwh),
            (grid.feed_price_usd_per_kwh, grid.price_usd_per_kwh),
        ):
            rest = site * total_kw - float(on_feeds @ per_feed)
            rate = rest / rest_kw if rest_kw > 0 else 0.0
            w = wp.feed_kw @ per_feed + (w_kw - wp.feed_kw.sum(axis=1)) * rate
            out.append((w, float(idle_feed @ per_feed) + (idle_kw - float(idle_feed.sum())) * rate))
        (w_g, idle_g), (w_usd, idle_usd) = out
        return w_g, w_usd, idle_g, idle_usd

    def book(
        self,
        dt: float,
        rb: RackBlock,
        hb: HeatBlock,
        pb: PlantBlock,
        pl: Placement,
        static_kw: float,
        grid: GridPrices,
        fixed_usd: float,
        static_node_kw: FloatArray,
    ) -> None:
        """Add this step to the totals.

        ``static_kw``: switch and storage power (``static_node_kw`` per node); ``grid``: the
        step's price and intensity of the facility's energy and of each feed; ``fixed_usd``: the
        step's amortized capex, maintenance and staff cost.
        """
        if hb.rack_kw is not None:
            # A rack tripped inside the step: its mean power over the step scales its parts.
            ratio = np.divide(
                hb.rack_kw, rb.rack_kw, out=np.ones_like(hb.rack_kw), where=rb.rack_kw > 0
            )
            wp = self._power(rb, pl, ratio)
        elif self.cache is not None and self.cache.rb is rb:
            wp = self.cache
        else:
            wp = self.cache = self._power(rb, pl, None)
        dt_h = dt / 3600.0
        it_kw = pb.it_kw
        overhead_kw = pb.facility_kw - it_kw
        share = overhead_kw / it_kw if it_kw > 0 else 0.0
        w_it = wp.it_kw
        w_fac = w_it * share
        idle_it = wp.unassigned_rack_kw + static_kw
        idle_fac = idle_it * share if it_kw > 0 else overhead_kw
        held = wp.held
        step = {
            "gpu_kwh": wp.gpu_kw * dt_h,
            "host_kwh": wp.host_kw * dt_h,
            "facility_kwh": w_fac * dt_h,
        }
        w_kwh = (w_it + w_fac) * dt_h
        idle_kwh = (idle_it + idle_fac) * dt_h
        if wp.feed_kw is None:
            carbon_g_per_kwh, price_usd_per_kwh = grid.carbon_g_per_kwh, grid.price_usd_per_kwh
            step["carbon_kg"] = w_kwh * (carbon_g_per_kwh / 1000.0)
            step["energy_cost_usd"] = w_kwh * price_usd_per_kwh
            idle_kg = idle_kwh * carbon_g_per_kwh / 1000.0
            idle_usd = idle_kwh * price_usd_per_kwh
        else:
            w_g, w_usd, idle_g, idle_usd_h = self._by_feed(
                wp, w_it + w_fac, idle_it + idle_fac, pb.facility_kw, static_node_kw, grid
            )
            step["carbon_kg"] = w_g * (dt_h / 1000.0)
            step["energy_cost_usd"] = w_usd * dt_h
            idle_kg, idle_usd = idle_g * dt_h / 1000.0, idle_usd_h * dt_h
        if held > 0:
            step["fixed_cost_usd"] = wp.onsite_gpus * (fixed_usd / held)
        step["cloud_cost_usd"] = wp.cloud_usd_per_h * dt_h
        step["gpu_s"] = wp.gpus * dt
        unassigned = {
            "it_kwh": idle_it * dt_h,
            "facility_kwh": idle_fac * dt_h,
            "carbon_kg": idle_kg,
            "energy_cost_usd": idle_usd,
        }
        if held <= 0:
            unassigned["fixed_cost_usd"] = fixed_usd
        t = self.totals
        for key, add in step.items():
            t[key] += add
        u = self.unassigned
        for key, add_usd in unassigned.items():
            u[key] += add_usd
        # Kept so that a quiet stretch can add the same again (``repeat``).
        self.step = (step, unassigned)

    def repeat(self, stretch: Stretch) -> None:
        """Book the last step again over a quiet stretch (``sim/quiet.py``)."""
        step, unassigned = self.step
        stretch.arrays([self.totals[key] for key in step], list(step.values()))
        stretch.totals(self.unassigned, unassigned)
