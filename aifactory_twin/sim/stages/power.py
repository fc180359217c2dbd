"""Power stage: cooling power, the distribution chain, supply caps and facility power.

Owns ``supply_factor`` per node (the share of its demand the chain delivers, < 1 when a PDU,
UPS or feed is over its rating; read by the racks on the next step) and its ``version``. A
node whose factor is 0 has lost its power path (a feed, UPS or PDU above it is down; no
generator or battery ride-through is modelled): it draws nothing, a cooling unit cools nothing,
a rack's accelerators count as down and its jobs are interrupted, a converter without power has
no no-load loss, and the facility's no-load draw follows the share of the feeds' rating up. The
distribution levels (pdu → ups → feed) and the cooling plant's own path up that chain,
derived from the compiled scenario in ``swap``. Hands out the ``PlantBlock`` (read-only
arrays). Formulas: ``models/power.py``.
Simplification: the supply cap acts on the next step (the chain needs this step's cooling
power, which needs this step's heat).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from aifactory_twin.sim.compiled import CompiledScenario
from aifactory_twin.sim.models import partload as pl
from aifactory_twin.sim.models import power as pw
from aifactory_twin.sim.stages import incremental as inc
from aifactory_twin.sim.stages.handoff import (
    BoolArray,
    FloatArray,
    HeatBlock,
    LogFn,
    PlantBlock,
    RackBlock,
    frozen,
)

_LEVEL_KINDS = ("pdu", "ups", "power_feed")
COOLING_MAP_MAX_ENTRIES = 1_000_000
IMPLICIT_ROOM = pw.IMPLICIT_AIR_FAN_FRACTION + 1.0 / pw.IMPLICIT_AIR_PLANT_COP
PLANT_MEMO_MAX = 4096
PLANT_MEMO_FLOATS = 1_000_000
"""Bound on the floats the plant memo keeps (8 MB)."""

Level = tuple[npt.NDArray[np.intp], Any, Any, Any]
LossSpace = tuple[list[Level], FloatArray, FloatArray, FloatArray, tuple[pl.Curve, ...]]


class PlantInputs(NamedTuple):
    """What the power stage's plant block is a function of (one step's inputs)."""

    t: float
    dt: float
    up: FloatArray
    avail_version: int
    rb: RackBlock
    hb: HeatBlock
    cop_now: FloatArray
    condenser_mult: Callable[[], FloatArray]
    """The thermal stage's condenser multiplier, asked only when the plant has condensers."""
    cap_w: FloatArray
    mechanical: FloatArray | None = None
    """The chillers' load share left to compressors by economizers (None: all of it); it comes
    with the COP array of the same outdoor condition (one per COP array)."""


@dataclass
class PlantMemo:
    """Plant blocks per COP array, valid while heat, racks, units, dt and supply stand still."""

    key: tuple[Any, ...]
    entries: dict[int, PlantBlock] = field(default_factory=dict)


@dataclass
class BaseLoad:
    """The IT part of the distribution chain (racks, switches, storage), per rack block."""

    key: tuple[Any, ...]
    load_kw: FloatArray
    dist_in: FloatArray
    dist_out: FloatArray
    facility_kw: float
    feed_in: FloatArray
    rating: FloatArray


@dataclass
class PowerCache:
    """Memos of the power stage (reset by a parameter swap)."""

    plant: PlantBlock | None = None
    plant_memo: PlantMemo | None = None
    heat_terms: tuple[Any, ...] | None = None
    """(heat block, dt, unit heat kW, orphan collector kW, implicit room kW)."""
    static_version: tuple[int, int] | None = None
    """(availability version, supply version) of the static power and ratings."""
    static_kw: FloatArray | None = None
    static_sum_kw: float = 0.0
    rating_up_kw: FloatArray | None = None
    static_up: tuple[FloatArray, FloatArray] | None = None
    """(units up, units up and powered) per node the static power and ratings were computed
    for."""
    feed_up_share: float = 1.0
    """Share of the feeds' rating up (1 with no feed modelled): the no-load draw follows it."""
    base: BaseLoad | None = None
    ratio_ones: bool = False
    ratio: FloatArray | None = None
    supply: FloatArray | None = None


class Power:
    """The facility's power path for the step's IT load and cooling."""

    incremental = True
    """Update per-node terms only where units changed (False: all; the tests compare both)."""

    def __init__(self, c: CompiledScenario, log: LogFn) -> None:
        self.log = log
        self.supply_factor = frozen(np.ones(c.n_nodes))
        self.version = 0
        self.unpowered: BoolArray | None = None
        """Nodes whose power path is lost (supply factor 0); None when every node has power."""
        self.lost: BoolArray | None = None
        """Nodes that lost their power path in the last step (``take_lost``; None: none)."""
        self.swap(c)

    def swap(self, c: CompiledScenario) -> None:
        """Derive the distribution levels and the plant's path up the chain from ``c``."""
        self.c = c
        kinds = c.node_kinds
        self.levels: list[Level] = []
        level_of = np.zeros(c.n_nodes, dtype=np.int64)
        for lvl, kind in enumerate(_LEVEL_KINDS, start=1):
            level_of[kinds == kind] = lvl
        for lvl in range(1, 4):
            emask = (
                level_of[c.power.edge_parent] == lvl
                if c.power.edge_parent.size
                else np.zeros(0, dtype=bool)
            )
            nodes = np.flatnonzero(level_of == lvl)
            self.levels.append(
                (
                    nodes,
                    c.power.edge_parent[emask],
                    c.power.edge_child[emask],
                    c.power.edge_split[emask],
                )
            )
        # The cooling plant's own path up the power chain: only these edges carry its load.
        # It is computed in a compact index space (the plant and its ancestors only).
        reach = np.zeros(c.n_nodes, dtype=bool)
        reach[c.plant.unit_node] = True
        kept = []
        for _nodes, src, dst, split in self.levels:
            keep = reach[dst]
            reach[src[keep]] = True
            kept.append((src[keep], dst[keep], split[keep]))
        closure = np.flatnonzero(reach)
        loc = np.full(c.n_nodes, -1, dtype=np.int64)
        loc[closure] = np.arange(closure.size)
        self.cool_closure = closure
        self.cool_levels: list[Level] = [
            (loc[nodes[reach[nodes]]], loc[src], loc[dst], split)
            for (nodes, _s, _d, _w), (src, dst, split) in zip(self.levels, kept, strict=True)
        ]
        self.cool_eff = c.power.efficiency[closure]
        self.cool_local = loc[c.plant.unit_node]
        self.dist_nodes = np.flatnonzero(level_of > 0)
        self.loss_space = self._loss_space(c, level_of > 0)
        in_closure = reach[self.dist_nodes]
        self.dist_cool_pos = np.flatnonzero(in_closure)
        self.dist_cool_loc = loc[self.dist_nodes[in_closure]]
        self.feed_cool_pos = np.flatnonzero(reach[c.power.feed_node])
        self.feed_cool_loc = loc[c.power.feed_node[reach[c.power.feed_node]]]
        self.is_rack = np.zeros(c.n_nodes, dtype=bool)
        self.is_rack[c.racks.node] = True
        orphan = c.plant.is_collector & ~c.plant.collector_has_rejector
        self.orphan_factor = np.where(
            orphan,
            np.where(
                c.plant.is_liquid_collector,
                pw.IMPLICIT_DRY_COOLER_FRACTION,
                1.0 / pw.IMPLICIT_AIR_PLANT_COP,
            ),
            0.0,
        )
        self.root_w = (~c.power.has_parent).astype(np.float64)
        self.cool_root_w = self.root_w[self.cool_closure]
        self.cool_maps = self._cooling_maps(c)
        pp = c.power
        self.has_partload = bool(pp.noload_per_kw.any() or pp.square_per_kw.any() or pp.curves)
        self._no_extra = frozen(np.zeros(0))
        self._extra_out = self._no_extra
        settings = c.scenario.settings
        self.no_load_kw = settings.facility_no_load_fraction * c.facility_rated_it_kw
        self.cache = PowerCache()

    def _conversion_losses(self, out_dist: FloatArray) -> FloatArray:
        """Converters' no-load and square-law (or curve) losses on top of the linear chain.

        Returns the extra input kW per node (empty when no converter has such losses) and
        leaves the extra output of the distribution nodes in ``_extra_out``.
        """
        if not self.has_partload:
            return self._no_extra
        # In the distribution nodes' own index space (``_loss_space``): the same values.
        c = self.c
        levels, eff, noload, square, curves = self.loss_space
        assert self.cache.rating_up_kw is not None
        rating = self.cache.rating_up_kw[self.dist_nodes]
        if self.unpowered is not None:
            # A converter with no power upstream has no no-load loss either.
            rating = np.where(self.unpowered[self.dist_nodes], 0.0, rating)
        extra_in_d, self._extra_out = pl.nonlinear_losses(
            out_dist, levels, eff, rating, noload, square, curves
        )
        extra_in = np.zeros(c.n_nodes)
        extra_in[self.dist_nodes] = extra_in_d
        return extra_in

    def _loss_space(self, c: CompiledScenario, is_dist: npt.NDArray[np.bool_]) -> LossSpace:
        """The chain's levels, efficiencies, losses and curves indexed by distribution node.

        The converters' extra losses (``partload.nonlinear_losses``) live on the distribution
        nodes; an edge to any other child (a rack, a switch) carries an extra of exactly 0,
        and adding 0.0 to a sum that starts at 0.0 leaves it as it is, so leaving those edges
        out gives the same values at a cost that does not grow with the racks.
        """
        loc = np.full(c.n_nodes, -1, dtype=np.int64)
        loc[self.dist_nodes] = np.arange(self.dist_nodes.shape[0])
        levels: list[Level] = []
        for nodes, src, dst, split in self.levels:
            keep = is_dist[dst]
            levels.append((loc[nodes], loc[src[keep]], loc[dst[keep]], split[keep]))
        d = self.dist_nodes
        pp = c.power
        curves = tuple((int(loc[node]), lf, ef) for node, lf, ef in pp.curves)
        return levels, pp.efficiency[d], pp.noload_per_kw[d], pp.square_per_kw[d], curves

    def _cooling_maps(self, c: CompiledScenario) -> tuple[FloatArray, FloatArray] | None:
        """(input, output) kW per plant-closure node per kW of each cooling unit's load.

        The distribution chain is linear (``models/power.distribution_inputs``), so the
        cooling plant's part of it is a matrix; None when that matrix would be large.
        """
        n_k, n_cl = c.plant.unit_node.shape[0], self.cool_closure.shape[0]
        if n_k * n_cl > COOLING_MAP_MAX_ENTRIES:
            return None
        m_in, m_out = np.zeros((n_cl, n_k)), np.zeros((n_cl, n_k))
        for k in range(n_k):
            unit = np.zeros(n_cl)
            unit[self.cool_local[k]] = 1.0
            m_in[:, k], m_out[:, k] = pw.distribution_inputs(unit, self.cool_levels, self.cool_eff)
        return m_in, m_out

    def static_kw(self, up: FloatArray, avail_version: int) -> FloatArray:
        """Switch and storage power per node for the units up and powered (cached).

        Ratings follow the units up only: a PDU whose UPS is lost is still there, and carries
        again once the UPS is back.
        """
        memo = self.cache
        key = (avail_version, self.version)
        if memo.static_kw is None or memo.static_version != key:
            c = self.c
            on = up if self.unpowered is None else np.where(self.unpowered, 0.0, up)
            static_kw, rating_up_kw = c.nodes.static_power_kw, c.power.rating_kw
            kept_kw, kept_rating = memo.static_kw, memo.rating_up_kw
            prev = memo.static_up
            if prev is None or kept_kw is None or kept_rating is None or not self.incremental:
                memo.static_kw, memo.rating_up_kw = self._static(up, on, static_kw, rating_up_kw)
            else:
                # Elementwise in the units up: a failure recomputes its own nodes only.
                idx = inc.changed([up, on], list(prev))
                part = self._static(up[idx], on[idx], static_kw[idx], rating_up_kw[idx])
                memo.static_kw, memo.rating_up_kw = inc.put((kept_kw, kept_rating), idx, part)
            frozen(memo.static_kw)
            frozen(memo.rating_up_kw)
            memo.static_sum_kw = float(memo.static_kw.sum())
            memo.static_up = (up, on)
            memo.static_version = key
            feeds = c.power.feed_node
            rated = float(c.power.rating_kw[feeds].sum())
            memo.feed_up_share = (
                float(memo.rating_up_kw[feeds].sum()) / rated if feeds.size and rated > 0 else 1.0
            )
        return memo.static_kw

    @staticmethod
    def _static(
        up: FloatArray, on: FloatArray, static_kw: FloatArray, rating_kw: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """(static kW of the units ``on``, rating kW of the units ``up``) per node."""
        finite = np.where(np.isinf(rating_kw), 0.0, rating_kw)
        return static_kw * on, np.where(np.isinf(rating_kw), np.inf, finite * up)

    def take_lost(self) -> BoolArray | None:
        """Nodes that lost their power path in the last step (None: none); cleared by the call."""
        lost, self.lost = self.lost, None
        return lost

    def plant(self, x: PlantInputs) -> PlantBlock:
        """Cooling power, the distribution chain and facility power for this step's heat.

        A function of (heat block, rack block, COP, units up, dt) only: when the factory sits at
        a thermal fixed point and no chiller follows the weather, the same objects come back and
        the previous block is returned as is (the values would be identical).
        ``condenser_mult`` (the thermal stage's) is asked only when the plant has condenser
        edges.
        """
        rb, hb, cop_now, cap_w, avail_version, dt = (
            x.rb, x.hb, x.cop_now, x.cap_w, x.avail_version, x.dt
        )  # fmt: skip
        cached = self.cache.plant
        if cached is not None:
            k = cached.key
            if (
                k[0] is hb and k[1] is rb and k[2] is cop_now and k[3] is cap_w
                and k[4] == avail_version and k[5] == dt
            ):  # fmt: skip
                return cached
        # While heat, racks, units up and supply stand still only the COP moves, and it cycles
        # through the same daily values: remember the block of each COP array (kept alive by
        # the entry, so its id cannot be reused). Only blocks whose computation left the supply
        # state untouched are remembered, so a hit skips no side effect.
        memo = self.cache.plant_memo
        if (
            memo is None
            or memo.key[0] is not hb
            or memo.key[1] is not rb
            or memo.key[2] is not cap_w
            or (memo.key[3] != avail_version or memo.key[4] != dt or memo.key[5] != self.version)
        ):
            memo = self.cache.plant_memo = PlantMemo(
                (hb, rb, cap_w, avail_version, dt, self.version)
            )
        hit = memo.entries.get(id(cop_now))
        if hit is not None and hit.key[2] is cop_now:
            self.cache.plant = hit
            return hit
        block, quiet = self._compute(x)
        self.cache.plant = block
        per_entry = 2 * block.cool_kw.size + block.cool_in.size + block.feed_in.size + 1
        if quiet and len(memo.entries) < min(PLANT_MEMO_MAX, PLANT_MEMO_FLOATS // per_entry):
            memo.entries[id(cop_now)] = block
        return block

    def _heat_terms(self, dt: float, hb: HeatBlock) -> tuple[Any, ...]:
        """Heat-only terms; they repeat while the heat block does (the COP alone moves)."""
        terms = self.cache.heat_terms
        if terms is None or terms[0] is not hb or terms[1] != dt:
            c = self.c
            terms = self.cache.heat_terms = (
                hb,
                dt,
                frozen(np.where(c.plant.is_collector, hb.col_heat_j, hb.rej_heat_j) / dt / 1000.0),
                frozen(self.orphan_factor * hb.col_heat_j / dt / 1000.0),
                hb.implicit_rack_j / dt / 1000.0 * IMPLICIT_ROOM,
            )
        return terms

    def _base(
        self, up: FloatArray, avail_version: int, rb: RackBlock, rack_kw: FloatArray | None
    ) -> BaseLoad:
        """The rack/IT part of the chain, redistributed only when it changes.

        ``rack_kw``: the racks' mean power when one tripped inside the step (else the block's).
        """
        c = self.c
        static_kw = self.static_kw(up, avail_version)
        base_key = (rb.key, avail_version, None if rack_kw is None else rack_kw.tobytes())
        known = self.cache.base
        if known is None or known.key != base_key:
            load = static_kw.copy()
            load[c.racks.node] += rb.rack_kw if rack_kw is None else rack_kw
            dist_in, dist_out = pw.distribution_inputs(load, self.levels, c.power.efficiency)
            assert self.cache.rating_up_kw is not None
            known = self.cache.base = BaseLoad(
                key=base_key,
                load_kw=frozen(load),
                dist_in=frozen(dist_in),
                dist_out=frozen(dist_out[self.dist_nodes]),
                facility_kw=float(dist_in @ self.root_w),
                feed_in=frozen(dist_in[c.power.feed_node]),
                rating=frozen(self.cache.rating_up_kw[self.dist_nodes]),
            )
            self.cache.ratio_ones = False
        return known

    def _compute(self, x: PlantInputs) -> tuple[PlantBlock, bool]:
        """The plant block and whether the supply state stayed as it was (``quiet``)."""
        t, dt, up, avail_version, rb, hb, cop_now, condenser_mult, cap_w, mechanical = x
        c = self.c
        settings = c.scenario.settings
        quiet = True
        # -- cooling power -----------------------------------------------------------------
        _hb, _dt, unit_heat_kw, orphan_kw, implicit_kw = self._heat_terms(dt, hb)
        if c.plant.condenser_index.size:
            # Towers behind chillers reject the chillers' heat plus their compressor power (a
            # dry cooler or tower behind another rejector passes its heat on unchanged).
            cond_kw = (
                unit_heat_kw[c.plant.condenser_served_index]
                * condenser_mult()[c.plant.condenser_served_index]
                * c.plant.condenser_weight
            )
            unit_heat_kw = unit_heat_kw + np.bincount(
                c.plant.condenser_index, weights=cond_kw, minlength=unit_heat_kw.shape[0]
            )
        pl_ = c.plant
        up_k = up[pl_.unit_node]
        if self.unpowered is not None:
            # A unit without power neither cools nor turns its fans (thermal stage: no capacity).
            up_k = np.where(self.unpowered[pl_.unit_node], 0.0, up_k)
        cool_kw = pw.cooling_power_partload_kw(
            unit_heat_kw, pl_.is_chiller, pl_.fan_pump_fraction, cap_w / 1000.0,
            pl_.capacity_kw * up_k, pl_.min_speed, cop_now, pl_.capacity_kw, up_k,
            pl_.chiller_vsd, mechanical,
        )  # fmt: skip
        # Collectors with no modelled rejector pay an implicit plant (module doc of models/power).
        cool_kw = cool_kw + orphan_kw
        base = self._base(up, avail_version, rb, hb.rack_kw)
        static_sum = self.cache.static_sum_kw
        rack_heat_kw = rb.rack_heat_kw if hb.rack_kw is None else float(hb.rack_kw.sum())
        rack_cool_kw = float(cool_kw.sum()) + implicit_kw
        ratio = rack_cool_kw / rack_heat_kw if rack_heat_kw > 0 else IMPLICIT_ROOM
        # Switch and storage heat is removed at the racks' average cooling cost (simplification).
        unattributed_cool_kw = implicit_kw + static_sum * ratio
        # -- distribution and facility ----------------------------------------------------
        # The chain is linear in the loads: the rack/IT part is redistributed only when it
        # changes, the cooling part (which follows the weather every tick) over its own edges.
        if self.cool_maps is not None:
            # The plant's share is a small precomputed matrix (``_cooling_maps``).
            cool_in = self.cool_maps[0] @ cool_kw
            cool_out = self.cool_maps[1] @ cool_kw
        else:
            cool_load = np.zeros(self.cool_closure.shape[0])
            cool_load[self.cool_local] = cool_kw
            cool_in, cool_out = pw.distribution_inputs(cool_load, self.cool_levels, self.cool_eff)
        out_dist = base.dist_out.copy()
        out_dist[self.dist_cool_pos] += cool_out[self.dist_cool_loc]
        extra_in = self._conversion_losses(out_dist)
        if extra_in.size:
            out_dist = out_dist + self._extra_out
        # Nothing over its rating and nothing was before: the supply factors stay all ones.
        memo = self.cache
        if not (memo.ratio_ones and bool((out_dist <= base.rating).all())):
            quiet = False
            carry = pw.level_ratio(out_dist, base.rating)
            if memo.ratio is None or not np.array_equal(carry, memo.ratio):
                full_ratio = np.ones(c.n_nodes)
                full_ratio[self.dist_nodes] = carry
                memo.supply = frozen(pw.supply_factors(full_ratio, self.levels, c.n_nodes))
                memo.ratio = carry
            memo.ratio_ones = bool(np.all(carry == 1.0))
        supply = memo.supply
        assert supply is not None
        if supply is not self.supply_factor:
            quiet = False
            if not np.array_equal(supply, self.supply_factor):
                dead = supply <= 0.0
                lost = dead & (self.supply_factor > 0.0)
                newly = (supply < 1.0) & (self.supply_factor >= 1.0) & self.is_rack & ~dead
                for i in np.flatnonzero(newly):
                    self.log(t + dt, "overload", c.node_ids[i], f"power capped to {supply[i]:.0%}")
                for i in np.flatnonzero(lost & self.is_rack):
                    self.log(
                        t + dt, "overload", c.node_ids[i], "power lost (its supply path is down)"
                    )
                if lost.any():
                    self.lost = lost if self.lost is None else self.lost | lost
                self.unpowered = frozen(dead) if dead.any() else None
                self.version += 1
            self.supply_factor = supply
        it_kw = rack_heat_kw + static_sum
        # Misc load follows the IT load; the no-load part (lighting, controls) does not.
        misc_kw = settings.misc_facility_fraction * it_kw + self.no_load_kw * (memo.feed_up_share)
        sited_kw = base.facility_kw + float(cool_in @ self.cool_root_w)
        facility_kw = sited_kw + unattributed_cool_kw + misc_kw
        cooling_kw = float(cool_kw.sum()) + unattributed_cool_kw
        feed_in = base.feed_in.copy()
        feed_in[self.feed_cool_pos] += cool_in[self.feed_cool_loc]
        if extra_in.size:
            facility_kw += float(extra_in @ self.root_w)
            feed_in += extra_in[c.power.feed_node]
        feed_in, other_kw = pw.attribute_to_feeds(feed_in, facility_kw)
        # Read-only, as ``frozen`` does (inlined: a plant block is built on most weather ticks).
        for arr in (unit_heat_kw, cool_kw, cool_in, feed_in):
            arr.setflags(write=False)
        block = PlantBlock(
            key=(hb, rb, cop_now, cap_w, avail_version, dt),
            unit_heat_kw=unit_heat_kw,
            cool_kw=cool_kw,
            cool_in=cool_in,
            it_kw=it_kw,
            facility_kw=facility_kw,
            cooling_kw=cooling_kw,
            feed_in=feed_in,
            other_kw=other_kw,
            dist_extra_in=frozen(extra_in),
            water_l_per_h=float(unit_heat_kw @ c.plant.wue_l_per_kwh),
        )
        return block, quiet
