"""Records one stage hands to the next, and the read-only helpers every stage uses.

Every array in these records is read-only: the caches downstream remember results by the
identity of their inputs (``x is y``), which is only sound if an array is replaced, never
edited in place, when its values change. ``frozen`` makes that rule enforced rather than
assumed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
LogFn = Callable[[float, str, str, str], None]
"""log(time_s, event kind, node id, message): the engine's event log."""

A = TypeVar("A", bound=np.ndarray[Any, Any])


def frozen(arr: A) -> A:
    """Mark ``arr`` read-only and return it (for arrays handed to another stage)."""
    arr.setflags(write=False)
    return arr


def read_only(arr: A) -> A:
    """A read-only view of an array its owner keeps editing in place (e.g. headcount)."""
    view: A = arr.view()
    view.setflags(write=False)
    return view


@dataclass
class RackCapacity:
    """What the racks can offer this step (work stage).

    Rebuilt when units, status or supply change (``key`` = availability, thermal status and
    supply versions).
    """

    key: tuple[int, int, int]
    up: FloatArray
    """Units up per node."""
    unstaffed: BoolArray
    """Per node: needs support staff and has none."""
    rack_up: FloatArray
    units_on: FloatArray
    """Per rack: units up and not thermally shut down."""
    units_sd: FloatArray
    """Per rack: units up but thermally shut down."""
    free: FloatArray
    """Per rack: accelerators placement may use (powered, staffed, on)."""


@dataclass
class RackBlock:
    """Rack-level power and pace (it_power stage); changes only with placement, status, supply."""

    key: tuple[Any, ...]
    rack_kw: FloatArray
    busy: FloatArray
    slow: FloatArray
    q_in: FloatArray
    gpu_w_now: FloatArray
    gpus_inf: FloatArray
    inf_it_kw: float
    rack_heat_kw: float
    busy_gpus: float
    gpus_up: float
    throttled: float
    allocated: float
    inf_alloc: float
    acct: RackAccounts | None = None
    """Per-accelerator power by activity, for per-job accounting (``stages/accounts.py``)."""
    inf_slow: FloatArray | None = None
    """Per rack: inference pace when it differs from ``slow`` (a power cap slows training only)."""


@dataclass(frozen=True)
class RackAccounts:
    """What per-job accounting needs of a rack block (it_power stage; arrays read-only)."""

    per_gpu_kw: tuple[FloatArray, ...]
    """Per rack, kW per accelerator: (train GPU, train host, inference GPU, inference host, idle
    GPU, idle host) (``models/power.per_accelerator_kw``)."""
    train_active: FloatArray
    """Per training job: share of the step its held accelerators compute (0 once completed)."""
    unassigned_kw: FloatArray
    """Per rack: kW of accelerators no workload holds, with their host share, and of units in
    protective shutdown (standby)."""


@dataclass
class HeatBlock:
    """Thermal results of a step (thermal stage).

    Reusable while the inputs are unchanged and the racks sit at a fixed point.
    """

    key: tuple[Any, ...]
    fixed: bool
    granted_key: tuple[Any, ...]
    col_heat_j: FloatArray
    rej_heat_j: FloatArray
    implicit_rack_j: float
    removed_j: float
    heat_in_j: float
    max_t: float
    rack_kw: FloatArray | None = None
    """Per rack: mean power over the step when a rack tripped inside it (else the rack
    block's ``rack_kw`` holds)."""


@dataclass
class PlantBlock:
    """Cooling plant, distribution and facility power of a step (power stage)."""

    key: tuple[Any, ...]
    unit_heat_kw: FloatArray
    cool_kw: FloatArray
    cool_in: FloatArray
    it_kw: float
    facility_kw: float
    cooling_kw: float
    feed_in: FloatArray
    """Per feed: kW it supplies, the facility's unsited load attributed pro rata."""
    other_kw: float
    """kW no feed supplies (only on a site without feeds; billed at the settings' defaults)."""
    dist_extra_in: FloatArray
    """Per node: converters' no-load and square-law input kW on top of the linear chain
    (empty when no converter has them)."""
    water_l_per_h: float


class ViewInputs(NamedTuple):
    """What the per-node view of the last step is built from (set at the end of each step).

    A named tuple: one is built every step, and the view's memo compares its first
    ``N_STEP_ARRAYS`` items by identity.
    """

    up: FloatArray
    busy: FloatArray
    cool_kw: FloatArray
    cool_in: FloatArray
    cap_w: FloatArray
    unit_heat_kw: FloatArray
    tj_c: FloatArray
    base_load: FloatArray
    base_dist_in: FloatArray
    dist_extra_in: FloatArray
    cool_closure: npt.NDArray[np.intp]
    """Nodes on the cooling plant's power path (power stage; changes only with a swap)."""
    dist_nodes: npt.NDArray[np.intp]
    """PDU, UPS and feed nodes (power stage; changes only with a swap)."""
    unstaffed: BoolArray
    """Per node: needs support staff and has none (work stage's capacity)."""


N_STEP_ARRAYS = 10
"""The first items of ``ViewInputs``: per-step arrays, read-only, replaced when they change."""
