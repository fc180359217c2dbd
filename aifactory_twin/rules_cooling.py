"""Cooling-mode checks: a rack's servers must suit the units that cool them (issue 10).

``ComputeRack.cooling`` says how the servers are built. Air-cooled servers need room air: a
CDU's liquid loop or an immersion tank cannot cool them. Cold-plate servers (``direct_liquid``)
need a CDU for their liquid share (the air share may stay on room units). Immersion servers sit
in an immersion tank, and only they do. Each mismatch is an error naming the rack and the unit;
a rack with no cooling unit at all is the ``rack-no-cooling`` warning of ``rules``.
"""

from __future__ import annotations

from operator import attrgetter
from typing import get_args

import numpy as np
import numpy.typing as npt

from aifactory_twin.columns import columns
from aifactory_twin.graph import FactoryIndex
from aifactory_twin.schema import ComputeRack, CoolingUnit, Scenario
from aifactory_twin.schema.nodes import HEAT_COLLECTORS, CoolingMode

Mismatch = tuple[str, str, str, tuple[str, ...]]
"""(code, message, field path, ids) of one error."""

_ROOM_UNITS = "a CRAH, in-row or rear-door unit"


def _collectors(idx: FactoryIndex, feeders: list[str]) -> list[CoolingUnit]:
    units = [idx.node(u) for u in feeders]
    return [u for u in units if isinstance(u, CoolingUnit) and u.cooling_type in HEAT_COLLECTORS]


def unit_problem(rack: ComputeRack, unit: CoolingUnit) -> str | None:
    """Why ``unit`` cannot cool ``rack``'s servers, or None."""
    kind, mode = unit.cooling_type, rack.cooling
    if kind == "immersion_tank" and mode != "immersion":
        return (
            f"rack {rack.id!r} has {mode.replace('_', ' ')}-cooled servers but sits in immersion "
            f"tank {unit.id!r}: only immersion servers go in a tank; set the rack's cooling to "
            f"immersion or cool it with {_ROOM_UNITS if mode == 'air' else 'a CDU'}"
        )
    if mode == "immersion" and kind != "immersion_tank":
        return (
            f"rack {rack.id!r} has immersion servers but {kind} {unit.id!r} cools it: immersion "
            "servers need an immersion tank; connect one or set the rack's cooling to air"
        )
    if mode == "air" and kind == "cdu":
        return (
            f"rack {rack.id!r} has air-cooled servers but CDU {unit.id!r} cools it: a liquid "
            "loop needs cold plates; set the rack's cooling to direct_liquid or cool it with "
            + _ROOM_UNITS
        )
    return None


def cooling_mode_mismatches(scenario: Scenario, idx: FactoryIndex) -> list[Mismatch]:
    """Every rack whose servers do not suit the units that cool it (module doc)."""
    # Racks of one cooling mode fed by the same units get the same verdict: thousands of racks
    # share a few CDUs, so each (mode, units) pair is judged once and only a rack whose pair
    # has a problem is looked at in full. The feeding units come as node positions, grouped
    # per rack with numpy (a 40-hall factory has 379k racks and as many coolant edges).
    cols = columns(scenario)
    racks = [(i, x) for i, x in enumerate(scenario.nodes) if isinstance(x, ComputeRack)]
    src, dst = idx.usable_ends("coolant")
    order = np.argsort(dst, kind="stable")  # stable: a rack's feeders stay in file order
    src, dst = src[order], dst[order]
    # An edge names its target by id, which every node with that id answers to.
    at = [i for i, _ in racks] if cols.ids_unique else [cols.position[x.id] for _, x in racks]
    starts = np.searchsorted(dst, at)
    ends = np.searchsorted(dst, at, side="right")
    # The key of a rack with at most one feeding unit is one integer: (mode, unit or none).
    mode = np.fromiter(
        map(_MODE_CODE.__getitem__, map(attrgetter("cooling"), (x for _, x in racks))),
        np.int64,
        len(racks),
    )
    single = ends - starts <= 1
    fed = ends > starts
    unit = np.full(len(racks), -1, dtype=np.int64)
    unit[fed] = src[starts[fed]]
    key = mode * (len(cols.ids) + 1) + unit + 1
    keys, first = np.unique(np.where(single, key, -1), return_index=True)
    bad_keys = [k for k, r in zip(keys.tolist(), first.tolist(), strict=True) if k >= 0 and (
        _rack_mismatches(racks[r][1], idx, _feeders(cols.ids, src, starts[r], ends[r]), "")
    )]  # fmt: skip
    bad = single & np.isin(key, bad_keys)
    # Racks fed by several units (few): a verdict per (mode, units) in Python.
    fine: dict[tuple[str, tuple[int, ...]], bool] = {}
    for r in np.flatnonzero(~single).tolist():
        rack = racks[r][1]
        several = (rack.cooling, tuple(src[starts[r] : ends[r]].tolist()))
        verdict = fine.get(several)
        if verdict is None:
            feeders = _feeders(cols.ids, src, starts[r], ends[r])
            verdict = fine[several] = not _rack_mismatches(rack, idx, feeders, "")
        bad[r] = not verdict
    out: list[Mismatch] = []
    for r in np.flatnonzero(bad).tolist():
        i, rack = racks[r]
        feeders = _feeders(cols.ids, src, starts[r], ends[r])
        out += _rack_mismatches(rack, idx, feeders, f"nodes[{i}].cooling")
    return out


_MODE_CODE = {mode: code for code, mode in enumerate(get_args(CoolingMode))}


def _feeders(ids: list[str], src: npt.NDArray[np.int64], lo: int, hi: int) -> list[str]:
    """Ids of the units feeding one rack: its slice of the coolant sources sorted by rack."""
    return [ids[p] for p in src[lo:hi].tolist()]


def _rack_mismatches(
    rack: ComputeRack, idx: FactoryIndex, feeders: list[str], path: str
) -> list[Mismatch]:
    out: list[Mismatch] = []
    units = _collectors(idx, feeders)
    for unit in units:
        message = unit_problem(rack, unit)
        if message:
            out.append(("cooling-mode-mismatch", message, path, (rack.id, unit.id)))
    types = {u.cooling_type for u in units}
    if rack.cooling == "direct_liquid" and units and "cdu" not in types:
        names = ", ".join(repr(u.id) for u in units)
        out.append(
            (
                "liquid-rack-no-cdu",
                f"rack {rack.id!r} has cold-plate servers (direct_liquid) but no CDU cools "
                f"it (only {names}): connect a CDU for the liquid share",
                path,
                (rack.id, *(u.id for u in units)),
            )
        )
    return out
