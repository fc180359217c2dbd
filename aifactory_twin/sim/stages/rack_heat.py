"""Per-rack heat of one step: the thermal stage's elementwise part, recomputed per rack.

``heat_per_rack`` is the rack side of ``Thermal._step``: passive loss, the RC step with the
trip inside it and the junction status, for any subset of racks (every operation is
elementwise, so a rack gets the same values alone as among all racks). ``RackHeat`` keeps the
last inputs and results and, on the next step, recomputes only the racks whose inputs changed
(``stages/incremental.py``): a rack whose inputs are those of the last step was at its fixed
point then (its temperature did not move), so its results are the last ones.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from aifactory_twin.sim.models import faults as ft
from aifactory_twin.sim.models import thermal as th
from aifactory_twin.sim.stages import incremental as inc
from aifactory_twin.sim.stages.handoff import BoolArray, FloatArray, IntArray

Int8Array = np.ndarray[tuple[int], np.dtype[np.int8]]


class HeatParams(NamedTuple):
    """Per-rack parameters of the heat step."""

    supply_c: FloatArray
    rating_kw: FloatArray
    heat_cap_j_per_k: FloatArray
    standby_w: FloatArray
    shutdown_c: FloatArray
    r_th_k_per_w: FloatArray
    max_operating_c: FloatArray
    slowdown_c: FloatArray

    def take(self, idx: IntArray) -> HeatParams:
        """The parameters of racks ``idx``."""
        return HeatParams._make(inc.take(self, idx))


class HeatInputs(NamedTuple):
    """What one rack's heat step is a function of (besides its parameters and the step)."""

    temp_c: FloatArray
    q_in_w: FloatArray
    granted_w: FloatArray
    starved: BoolArray
    rack_up: FloatArray
    gpu_w_now: FloatArray
    units_on: FloatArray
    units_sd: FloatArray
    status: Int8Array
    hard: BoolArray
    cooling_live: BoolArray

    def take(self, idx: IntArray) -> HeatInputs:
        """The inputs of racks ``idx``."""
        return HeatInputs._make(inc.take(self, idx))


class HeatPerRack(NamedTuple):
    """Per-rack results of one heat step."""

    leak_w: FloatArray
    cap_eff_w: FloatArray
    new_t: FloatArray
    removed_j: FloatArray
    heat_in_j: FloatArray
    tripped: BoolArray
    per_w: FloatArray
    """Heat removed per W of effective capacity (J/W): how the removal splits over sources."""
    tj_c: FloatArray
    status: Int8Array
    derate: FloatArray
    hard: BoolArray


def heat_per_rack(p: HeatParams, x: HeatInputs, dt: float) -> HeatPerRack:
    """One step of racks with parameters ``p`` and inputs ``x`` (elementwise, module doc)."""
    # Protective shutdown inside the step, passive loss of starved racks (models/faults).
    leak = ft.leak_w(x.temp_c, p.supply_c, p.rating_kw * x.rack_up, x.starved)
    cap_eff = x.granted_w + leak
    trip_c = np.where(x.gpu_w_now > 0, p.shutdown_c - x.gpu_w_now * p.r_th_k_per_w, np.inf)
    q_trip = (x.units_on + x.units_sd) * p.standby_w
    new_t, removed_j, heat_in_r, tripped = ft.rc_step_with_trip(
        x.temp_c, x.q_in_w, q_trip, cap_eff, p.supply_c, p.heat_cap_j_per_k, dt, trip_c
    )
    tj, status, derate, hard = th.junction_status(
        new_t, x.gpu_w_now, p.r_th_k_per_w, p.supply_c, p.max_operating_c, p.slowdown_c,
        p.shutdown_c, x.status, x.hard, tripped, x.cooling_live,
    )  # fmt: skip
    status = np.where(x.rack_up > 0, status, th.STATUS_OK).astype(np.int8)
    return HeatPerRack(
        leak, cap_eff, new_t, removed_j, heat_in_r, tripped,
        removed_j / np.maximum(cap_eff, 1e-12), tj, status, derate, hard,
    )  # fmt: skip


class RackHeat:
    """``heat_per_rack`` over all racks, recomputing only those whose inputs changed."""

    incremental = True
    """False: every rack, every step (the tests compare both bit for bit)."""

    def __init__(self, params: HeatParams) -> None:
        self.params = params
        self.last: tuple[float, HeatInputs, HeatPerRack] | None = None

    def step(self, x: HeatInputs, dt: float) -> HeatPerRack:
        """The results of all racks for inputs ``x`` over a step of ``dt`` seconds."""
        last = self.last
        r: HeatPerRack | None = None
        if self.incremental and last is not None and last[0] == dt:
            idx = inc.changed(x, last[1])
            if inc.worth_it(idx, x.temp_c.shape[0]):
                part = heat_per_rack(self.params.take(idx), x.take(idx), dt)
                r = HeatPerRack._make(inc.put(last[2], idx, part))
        if r is None:
            r = heat_per_rack(self.params, x, dt)
        self.last = (dt, x, r)
        return r
