"""Compile part: the power path (feeds, UPS, PDU), its edges and the feeds' prices and carbon.

Power edges run parent → child (feed → UPS → PDU → loads); a child with several parents splits
its load evenly among them. Time-of-use prices become a 24-hour table per feed; a feed's
price/carbon CSV (``compile/grid_series.py``) overrides them step by step in the ledger.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from aifactory_twin.schema import NodeBase, Pdu, PowerFeed, Ups
from aifactory_twin.sim.compile.common import floats, ints
from aifactory_twin.sim.compile.grid_series import load_feed_series
from aifactory_twin.sim.compiled import FloatArray, PowerPath
from aifactory_twin.sim.models import partload as pl


def feed_price_by_hour(feeds: list[tuple[int, PowerFeed]]) -> FloatArray:
    """Price per feed and hour of the day, USD/kWh (time-of-use periods over the flat price)."""
    price = np.zeros((len(feeds), 24))
    for f_pos, (_, feed) in enumerate(feeds):
        price[f_pos, :] = feed.price.flat_usd_per_kwh
        for p_pos, period in enumerate(feed.price.time_of_use):
            nxt = feed.price.time_of_use[(p_pos + 1) % len(feed.price.time_of_use)].start_hour
            hours = np.arange(period.start_hour, period.start_hour + 24)
            stop = nxt if nxt > period.start_hour else nxt + 24
            price[f_pos, hours[hours < stop] % 24] = period.price_usd_per_kwh
    return price


def compile_power(
    nodes: Sequence[NodeBase],
    edges: list[tuple[int, int]],
    feeds: list[tuple[int, PowerFeed]],
    base_dir: str | None,
) -> PowerPath:
    """The distribution chain: per-node efficiency and rating, power edges, feeds.

    ``base_dir``: the scenario file's folder, against which feeds' series paths resolve.
    """
    n = len(nodes)
    efficiency = np.ones(n)
    rating = np.full(n, np.inf)
    noload, square = np.zeros(n), np.zeros(n)
    curves: list[pl.Curve] = []
    for i, x in enumerate(nodes):
        if isinstance(x, PowerFeed):
            rating[i] = x.power_rating_kw + x.onsite_generation_kw
        elif isinstance(x, Ups | Pdu):
            # Part-load losses (models/partload.py): the proportional share in the linear
            # chain, no-load and square-law terms (or an explicit curve) on top.
            rating[i] = x.ups_rating_kw if isinstance(x, Ups) else x.power_rating_kw
            curve = x.efficiency_curve if isinstance(x, Ups) else []
            if curve:
                lf = floats([p.load_fraction for p in curve])
                curves.append((i, lf, floats([p.efficiency for p in curve])))
            else:
                mode = x.mode if isinstance(x, Ups) else "double_conversion"
                efficiency[i], noload[i], square[i] = pl.conversion_params(x.efficiency, mode)
    child = ints([dst for _, dst in edges])
    parents = np.bincount(child, minlength=n).astype(float)
    split = 1.0 / np.maximum(parents[child], 1.0) if edges else np.zeros(0)
    return PowerPath(
        efficiency=efficiency,
        noload_per_kw=noload,
        square_per_kw=square,
        curves=tuple(curves),
        rating_kw=rating,
        edge_parent=ints([src for src, _ in edges]),
        edge_child=child,
        edge_split=split,
        has_parent=parents > 0,
        feed_node=ints([i for i, _ in feeds]),
        feed_price_by_hour=feed_price_by_hour(feeds),
        feed_carbon_g_per_kwh=floats([x.carbon_intensity_g_per_kwh for _, x in feeds]),
        feed_series=tuple(load_feed_series(i, x, base_dir) for i, x in feeds),
    )
