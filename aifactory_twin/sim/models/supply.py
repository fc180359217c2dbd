"""Supply chain: when units arrive and when their capex is paid.

Units arrive on their ``delivery_date`` (midnight, local to the scenario start) or after their
lead time counted from the start (domain-reference §8, §9.7). Capex is paid at arrival; before
that the node stands for nothing (no power, no work, no cost). A node that has arrived but has
nothing to do is *idle* and its amortization is reported as idle cost.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import numpy.typing as npt

from aifactory_twin.schema import NodeBase

FloatArray = npt.NDArray[np.float64]


def arrival_seconds(node: NodeBase, start_time: datetime) -> float:
    """Seconds after the scenario start at which ``node``'s units arrive (0 = already there)."""
    delivery = getattr(node, "delivery", None)
    if delivery is None:
        return 0.0
    if delivery.delivery_date is not None:
        start_day = start_time.replace(tzinfo=None)
        arrive = datetime(
            delivery.delivery_date.year, delivery.delivery_date.month, delivery.delivery_date.day
        )
        return max(0.0, (arrive - start_day).total_seconds())
    return float(delivery.lead_time_days) * 86400.0


def capex_due_usd(
    count: FloatArray, capex_per_unit_usd: FloatArray, idx: npt.NDArray[np.intp]
) -> float:
    """Capex paid for the nodes ``idx`` arriving now: units × unit price."""
    return float(np.sum(count[idx] * capex_per_unit_usd[idx]))
