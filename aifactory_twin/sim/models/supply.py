"""Supply chain: when units arrive and what their capex is.

Units arrive on their ``delivery_date`` (midnight, local to the scenario start) or after their
lead time counted from the start (domain-reference §8, §9.7). Capex is paid at arrival; before
that the node stands for nothing (no power, no work, no cost). A node that has arrived but has
nothing to do is *idle* and its amortization is reported as idle cost.

A node ordered from a vendor (``delivery.vendor``) arrives by this process, reproducible from
the run's seed (so Monte Carlo seeds vary deliveries):

1. The order goes out ``lead_time_days`` after the start; the vendor's lead time is drawn
   lognormal, median × exp(σ·z), from a stream keyed by (seed, node id, vendor id), so adding
   a node does not reshuffle the others' draws.
2. A disruption of the vendor (the scheduled one, and random ones drawn as a Poisson process
   from a stream keyed by (seed, vendor id)) holds every shipment that falls in it until it
   ends.
3. Capacity: the vendor ships at most ``capacity_units_per_quarter`` units per quarter over all
   its orders, booked in node order; the units of a node arrive together once the last has
   shipped (at the start of the quarter that has room for it).
4. Dual sourcing (``delivery.second_vendor``): each vendor's offer is computed as above and the
   order goes to the one that delivers first; the node then costs ``1 + dual_source_premium``
   times its unit capex.

A disruption injected during a run (a ``supply_disruption`` event) is one more window of its
vendor: the plan is redrawn with it (``extra_windows``) and the deliveries still pending take the
new dates, so a dual-sourced order moves to the other vendor when that is sooner.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import repeat

import numpy as np
import numpy.typing as npt

from aifactory_twin.schema import Delivery, NodeBase, Vendor, order_problems
from aifactory_twin.sim.models.distinct import first_of_each

FloatArray = npt.NDArray[np.float64]

DAY_S = 86400.0
QUARTER_S = 365.25 / 4.0 * DAY_S
DISRUPTION_WINDOW_S = 20 * 365.25 * DAY_S
"""Random disruptions are drawn over the first 20 years: further out no order can wait."""


class SupplyError(ValueError):
    """A delivery names a vendor that is not a vendor node; ``path`` locates the field."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path


def plain_arrival_s(delivery: Delivery | None, start_time: datetime) -> float:
    """Seconds after the start at which units with ``delivery`` arrive without a vendor.

    No delivery (a kind that is never shipped) or no lead time: 0, already there.
    """
    if delivery is None:
        return 0.0
    if delivery.delivery_date is not None:
        start_day = start_time.replace(tzinfo=None)
        arrive = datetime(
            delivery.delivery_date.year, delivery.delivery_date.month, delivery.delivery_date.day
        )
        return max(0.0, (arrive - start_day).total_seconds())
    return float(delivery.lead_time_days) * DAY_S


def _key(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def _rng(seed: int, *names: str) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64([seed & 0xFFFFFFFF, *map(_key, names)]))


@dataclass
class _VendorBook:
    """A vendor's disruption windows and the units booked per quarter so far."""

    vendor: Vendor
    windows: list[tuple[float, float]]
    booked: dict[int, float] = field(default_factory=dict)

    def after_disruptions(self, t: float) -> float:
        """The first time at or after ``t`` that no disruption holds shipments."""
        moved = True
        while moved:
            moved = False
            for start, end in self.windows:
                if start <= t < end:
                    t, moved = end, True
        return t

    def ship(self, ready_s: float, units: float) -> tuple[float, dict[int, float]]:
        """When ``units`` ready at ``ready_s`` have all shipped, and the booking it needs."""
        t = self.after_disruptions(ready_s)
        cap = float(self.vendor.capacity_units_per_quarter)
        if cap <= 0:
            return t, {}
        take: dict[int, float] = {}
        q = math.floor(t / QUARTER_S)
        left = units
        while True:
            room = cap - self.booked.get(q, 0.0)
            if room > 0:
                n = min(room, left)
                take[q] = n
                left -= n
                if left <= 0:
                    break
            q += 1
            # The next quarter's capacity starts at its beginning, unless a disruption holds it.
            t = max(t, self.after_disruptions(q * QUARTER_S))
            q = max(q, math.floor(t / QUARTER_S))
        return t, take

    def book(self, take: dict[int, float]) -> None:
        for q, n in take.items():
            self.booked[q] = self.booked.get(q, 0.0) + n


def disruption_windows(vendor: Vendor, seed: int) -> list[tuple[float, float]]:
    """(start s, end s) of the vendor's scheduled and random disruptions, by start."""
    out: list[tuple[float, float]] = []
    length_s = vendor.disruption_length_days * DAY_S
    if vendor.disruption_start_day is not None and length_s > 0:
        start = vendor.disruption_start_day * DAY_S
        out.append((start, start + length_s))
    rate_per_s = vendor.disruption_rate_per_year / (365.25 * DAY_S)
    if rate_per_s > 0 and length_s > 0:
        rng = _rng(seed, "disruptions", vendor.id)
        t = 0.0
        while True:
            t += float(rng.exponential(1.0 / rate_per_s))
            if t > DISRUPTION_WINDOW_S:
                break
            out.append((t, t + float(rng.exponential(length_s))))
    return sorted(out)


def lead_time_s(vendor: Vendor, seed: int, node_id: str) -> float:
    """Drawn lead time of ``node_id``'s order from ``vendor``, seconds (lognormal)."""
    z = float(_rng(seed, "lead", node_id, vendor.id).standard_normal())
    return vendor.lead_time_median_days * DAY_S * math.exp(vendor.lead_time_spread * z)


def supply_plan(
    nodes: Sequence[NodeBase],
    start_time: datetime,
    seed: int,
    extra_windows: Mapping[str, Sequence[tuple[float, float]]] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Per node: arrival seconds after the start, and the capex multiplier of its sourcing.

    ``extra_windows`` adds (start s, end s) disruptions per vendor id to the drawn ones.

    Raises SupplyError when a delivery names something that is not a vendor node, or names a
    vendor together with a fixed delivery date.
    """
    arrival, price, _ = supply_plan_and_orders(nodes, start_time, seed, extra_windows)
    return arrival, price


def supply_plan_and_orders(
    nodes: Sequence[NodeBase],
    start_time: datetime,
    seed: int,
    extra_windows: Mapping[str, Sequence[tuple[float, float]]] | None = None,
) -> tuple[FloatArray, FloatArray, list[int]]:
    """:func:`supply_plan`, and the positions of the nodes ordered from a vendor."""
    # One pass over the deliveries, then once per distinct delivery: a big factory has
    # hundreds of thousands of nodes and a few distinct deliveries.
    deliveries = list(map(getattr, nodes, repeat("delivery"), repeat(None)))
    firsts, inverse = first_of_each(
        [
            None if d is None else (d.delivery_date, d.lead_time_days, d.vendor, d.second_vendor)
            for d in deliveries
        ]
    )
    distinct = [deliveries[p] for p in firsts]
    from_vendor = np.asarray(
        [d is not None and bool(d.vendor or d.second_vendor) for d in distinct], dtype=bool
    )
    ordered: list[int] = np.flatnonzero(from_vendor[inverse]).tolist() if firsts else []
    problems = order_problems(nodes, ordered)
    if problems:
        raise SupplyError(problems[0][0], problems[0][2])
    plain = [plain_arrival_s(d, start_time) for d in distinct]
    arrival = np.asarray(plain, dtype=np.float64)[inverse]
    price = np.ones(len(nodes))
    vendors = {x.id: x for x in nodes if isinstance(x, Vendor)} if ordered else {}
    books: dict[str, _VendorBook] = {}
    for i in ordered:
        node = nodes[i]
        delivery = deliveries[i]
        assert delivery is not None  # vendor_orders lists nodes with a delivery only
        names = [delivery.vendor, delivery.second_vendor]
        order_s = float(delivery.lead_time_days) * DAY_S
        offers = []
        for name in dict.fromkeys(n for n in names if n):
            vendor = vendors[name]
            book = books.get(name)
            if book is None:
                windows = disruption_windows(vendor, seed)
                windows += (extra_windows or {}).get(name, ())
                book = books[name] = _VendorBook(vendor, sorted(windows))
            ready = order_s + lead_time_s(vendor, seed, node.id)
            done, take = book.ship(ready, float(node.count))
            offers.append((done, name, take))
        done, name, take = min(offers, key=lambda o: o[0])
        books[name].book(take)
        arrival[i] = done
        if len(offers) > 1:
            price[i] = 1.0 + delivery.dual_source_premium
    return arrival, price, ordered


def ordered_from_vendor(node: NodeBase) -> bool:
    """Whether ``node``'s units come from a vendor (their arrival is drawn, not a fixed date)."""
    delivery = getattr(node, "delivery", None)
    return delivery is not None and bool(delivery.vendor or delivery.second_vendor)


def capex_due_usd(
    count: FloatArray, capex_per_unit_usd: FloatArray, idx: npt.NDArray[np.intp]
) -> float:
    """Capex paid for the nodes ``idx`` arriving now: units × unit price."""
    return float(np.sum(count[idx] * capex_per_unit_usd[idx]))
