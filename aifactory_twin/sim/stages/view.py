"""Per-node view of the last step: temperature, power, utilization and a status code per node.

Built lazily (most ticks are never looked at node by node) from the ``ViewInputs`` the step
leaves behind. Owns only its memo: the inputs are read-only arrays, replaced when their values
change, so the same input objects mean the same view (with the plant memo most ticks of a steady
factory repeat an earlier tick's inputs).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from aifactory_twin.sim.compiled import CompiledScenario
from aifactory_twin.sim.models import thermal as th
from aifactory_twin.sim.stages.handoff import (
    N_STEP_ARRAYS,
    BoolArray,
    FloatArray,
    ViewInputs,
    frozen,
)

STATUS_NAMES: tuple[str, ...] = (
    "up",
    "throttled",
    "failed",
    "waiting_delivery",
    "unstaffed",
    "idle",
    "shutdown",
)
"""Node status codes (index = code) of ``node_state()["status"]``."""
ST_UP, ST_THROTTLED, ST_FAILED, ST_WAITING, ST_UNSTAFFED, ST_IDLE, ST_SHUTDOWN = range(7)
NODE_VALUES_MEMO_FLOATS = 1_000_000
"""Bound on the floats the per-node-values memo keeps (8 MB)."""

Values = tuple[FloatArray, FloatArray, FloatArray]


@dataclass
class ViewCache:
    """Memos of the view (reset by a parameter swap)."""

    values: dict[tuple[int, ...], tuple[tuple[Any, ...], Values]] = field(default_factory=dict)
    """Per-node values per identity of the inputs (entries keep their inputs alive)."""
    util_up: tuple[FloatArray, FloatArray] | None = None
    """(units up, their share of the count)."""


class NodeView:
    """The per-node arrays of the last step."""

    def __init__(self, c: CompiledScenario) -> None:
        self.swap(c)

    def swap(self, c: CompiledScenario) -> None:
        """Take the parameters of ``c``."""
        self.c = c
        self.cache = ViewCache()

    def values(self, vi: ViewInputs | None) -> Values:
        """(temp °C, power kW, utilization) per node for the last step (read-only)."""
        n = self.c.n_nodes
        if vi is None:
            return np.zeros(n), np.zeros(n), np.zeros(n)
        arrays = vi[:N_STEP_ARRAYS]
        ids = tuple(map(id, arrays))
        memo = self.cache.values
        known = memo.get(ids)
        if known is not None and all(map(operator.is_, known[0], arrays)):
            return known[1]
        values = self._values(vi)
        if len(memo) >= max(1, NODE_VALUES_MEMO_FLOATS // (3 * max(n, 1))):
            memo.clear()
        memo[ids] = (arrays, values)
        return values

    def _values(self, vi: ViewInputs) -> Values:
        c = self.c
        n = c.n_nodes
        rn = c.racks.node
        power = vi.base_load.copy()
        power[c.plant.unit_node] += vi.cool_kw
        node_in = vi.base_dist_in.copy()
        node_in[vi.cool_closure] += vi.cool_in
        if vi.dist_extra_in.size:
            node_in += vi.dist_extra_in
        power[vi.dist_nodes] = node_in[vi.dist_nodes]
        temp = np.zeros(n)
        temp[rn] = vi.tj_c
        temp[c.plant.unit_node] = c.plant.supply_c
        known = self.cache.util_up
        if known is None or known[0] is not vi.up:
            known = (
                vi.up,
                np.where(c.nodes.count > 0, vi.up / np.maximum(c.nodes.count, 1e-12), 0.0),
            )
            self.cache.util_up = known
        util = known[1].copy()
        util[rn] = vi.busy
        util[c.plant.unit_node] = np.where(
            vi.cap_w > 0, vi.unit_heat_kw * 1000.0 / np.maximum(vi.cap_w, 1e-12), 0.0
        )
        util = np.minimum(np.maximum(util, 0.0), 1.0)
        for arr in (temp, power, util):  # read-only, as ``frozen`` does (inlined: every sample)
            arr.setflags(write=False)
        return temp, power, util

    def view(
        self,
        vi: ViewInputs | None,
        arrived: BoolArray,
        rack_status: npt.NDArray[np.int8],
        headcount: FloatArray,
    ) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.int8]]:
        """(temp °C, power kW, utilization, status code) per node for the last step."""
        c = self.c
        n = c.n_nodes
        if vi is None:
            return np.zeros(n), np.zeros(n), np.zeros(n), np.full(n, ST_WAITING, dtype=np.int8)
        temp, power, util = self.values(vi)
        up, busy = vi.up, vi.busy
        rn = c.racks.node
        status = np.full(n, ST_UP, dtype=np.int8)
        status[(up == 0) & arrived] = ST_FAILED
        status[vi.unstaffed & arrived] = ST_UNSTAFFED
        rack_up = up[rn]
        rstat = status[rn]
        rstat = np.where(rstat == ST_UP, np.where(busy > 0, ST_UP, ST_IDLE), rstat)
        rstat = np.where(rack_status == th.STATUS_THROTTLED, ST_THROTTLED, rstat)
        rstat = np.where((rack_status == th.STATUS_SHUTDOWN) & (rack_up > 0), ST_SHUTDOWN, rstat)
        status[rn] = rstat
        status[~arrived] = ST_WAITING
        status[c.staff.team_node] = np.where(headcount > 0, ST_UP, ST_UNSTAFFED)
        return temp, power, util, frozen(status)
