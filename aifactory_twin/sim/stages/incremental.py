"""Per-rack incremental updates: recompute only the entries whose inputs changed.

A failure, a recovery or a repair changes the inputs of one rack (or a few); the rack models
(``models/power.py``, ``models/thermal.py``, ``models/faults.py``) are elementwise, so a rack
computed alone gives exactly the value it gets among all racks. The stages keep the last
inputs and results per rack, find the racks whose inputs differ bit for bit (``changed``),
compute those alone and write them into copies of the kept results (``put``); totals are then
reduced over the full arrays exactly as before, so every result stays bit-identical.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
AnyArray = npt.NDArray[Any]

MAX_SHARE = 0.25
"""Above this share of entries changed, the stages recompute every entry (subsets gain
nothing)."""


def _bits(a: AnyArray) -> AnyArray:
    """The array as integers of its width: equal iff bit for bit equal (NaN and ±0 too)."""
    if a.dtype.kind == "f" and a.dtype.itemsize == 8:
        return a.view(np.int64)
    return a


def changed(new: Sequence[AnyArray], old: Sequence[AnyArray]) -> IntArray:
    """Entries where any array of ``new`` differs from its twin in ``old`` (bit for bit)."""
    diff: AnyArray | None = None
    for a, b in zip(new, old, strict=True):
        if a is b:  # the same (read-only) array: nothing changed
            continue
        d = _bits(a) != _bits(b)
        if diff is None:
            diff = d
        else:
            diff |= d
    if diff is None:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(diff)


def worth_it(idx: IntArray, n: int) -> bool:
    """Whether recomputing entries ``idx`` alone beats recomputing all ``n``."""
    return idx.size <= MAX_SHARE * n


def take(arrays: Sequence[AnyArray], idx: IntArray) -> list[AnyArray]:
    """Entries ``idx`` of each array."""
    return [a[idx] for a in arrays]


def put(full: Sequence[AnyArray], idx: IntArray, part: Sequence[AnyArray]) -> list[AnyArray]:
    """``full`` with entries ``idx`` replaced by ``part``.

    Copies, or the same array where those entries already hold ``part`` (the arrays are
    read-only, never edited in place).
    """
    out = []
    for a, p in zip(full, part, strict=True):
        was = a[idx]
        if was.dtype == p.dtype and was.tobytes() == p.tobytes():
            # Nothing moved in this array (read-only): the same array serves.
            out.append(a)
            continue
        b = a.copy()
        b[idx] = p
        out.append(b)
    return out
