"""Repeated additions in one numpy call, bit-identical to adding one step at a time.

The engine's quiet stretches (``sim/quiet.py``) add the same increment to a running total for
many steps. ``np.add.accumulate`` along an axis adds strictly in order (it is not pairwise, unlike
``np.sum``), so row ``i`` of the result is exactly what ``i`` sequential ``total += step``
statements give; ``np.multiply.accumulate`` does the same for repeated scaling.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def repeated_sums(start: FloatArray, step: FloatArray, k: int) -> FloatArray:
    """Shape (k, n): row ``i`` = ``start`` after ``i + 1`` additions of ``step`` (in order)."""
    out = np.empty((k + 1, start.shape[0]))
    out[0] = start
    out[1:] = step
    return np.add.accumulate(out, axis=0)[1:]


class Stretch:
    """The running totals of a quiet stretch: registered by the stages, added in one call.

    Each ``totals``/``arrays`` call names where its columns sit in ``run``'s result (the
    scalar totals first, in the order registered, then the arrays); ``run`` adds every
    registered step ``k`` times (``repeated_sums``) and writes the totals back.
    """

    def __init__(self, k: int) -> None:
        self.k = k
        self._start: list[float] = []
        self._step: list[float] = []
        self._targets: list[tuple[MutableMapping[str, float], list[str], int]] = []
        self._array_start: list[FloatArray] = []
        self._array_step: list[FloatArray] = []

    def totals(self, totals: MutableMapping[str, float], step: Mapping[str, float]) -> int:
        """Add ``step[key]`` to ``totals[key]`` for each key; the first key's column."""
        keys = list(step)
        first = len(self._start)
        # Python lists, one array at ``run``: a few dozen scalars cost one conversion.
        self._start.extend([totals[key] for key in keys])
        self._step.extend(step.values())
        self._targets.append((totals, keys, first))
        return first

    def arrays(self, arrays: list[FloatArray], steps: list[FloatArray]) -> None:
        """Add ``steps[i]`` (shaped like ``arrays[i]``) to ``arrays[i]`` in place, for each i."""
        if len(arrays) != len(steps):
            raise ValueError("one step per array")
        self._array_start.extend(arrays)
        self._array_step.extend(steps)

    def run(self) -> FloatArray:
        """Add everything registered ``k`` times; shape (k, columns), one row per step."""
        arrays = self._array_start
        n_scalars = len(self._start)
        if not n_scalars and not arrays:
            return np.zeros((self.k, 0))
        start = np.concatenate([np.array(self._start, dtype=np.float64), *arrays])
        step = np.concatenate([np.array(self._step, dtype=np.float64), *self._array_step])
        seq = repeated_sums(start, step, self.k)
        last_row = seq[-1]
        last = last_row[:n_scalars].tolist()
        for totals, keys, first in self._targets:
            totals.update(zip(keys, last[first : first + len(keys)], strict=True))
        col = n_scalars
        for arr in arrays:
            n = arr.shape[0]
            arr[...] = last_row[col : col + n]
            col += n
        return seq


SMALL_K = 8
"""Up to this many steps ``checkpoints`` adds one step at a time: fewer numpy calls."""

Checkpoint = tuple[int, npt.NDArray[np.bool_], FloatArray]
"""(step index, which jobs checkpoint there, the progress they save)."""


def checkpoints(
    start: FloatArray,
    active: FloatArray,
    tau: FloatArray,
    progress: FloatArray,
    rate: FloatArray,
    max_hits: int,
) -> tuple[int, FloatArray, list[Checkpoint]]:
    """The time since each job's checkpoint over ``k = len(progress)`` steps, replayed in order.

    Each step adds ``active`` to the time since the checkpoint; where it reaches ``tau`` the
    job checkpoints the progress of that step less ``rate`` × the remainder, and the time
    restarts from the remainder (``Jobs.advance``). Returns (steps covered, the time since the
    checkpoint after each step, the checkpoints). At most ``max_hits`` steps with checkpoints:
    past that, the steps from the last one on are not covered. Short stretches add step by
    step; longer ones add a segment between checkpoints at once (``repeated_sums``); both are
    the same additions in the same order.
    """
    k = progress.shape[0]
    since = np.empty((k, start.shape[0]))
    ckpts: list[Checkpoint] = []
    if k <= SMALL_K:
        now, first = start, 0
        for i in range(k):
            now = now + active
            over = now >= tau
            if over.any():
                if len(ckpts) >= max_hits:
                    return first, since, ckpts
                rem = np.mod(now, tau)
                ckpts.append((i, over, progress[i] - rate * rem))
                now = np.where(over, rem, now)
                first = i + 1
            since[i] = now
        return k, since, ckpts
    i = 0
    while i < k:
        seq = repeated_sums(start, active, k - i)
        if not (seq[-1] >= tau).any():  # the time since a checkpoint only grows
            since[i:] = seq
            break
        over_seq = seq >= tau
        hit = over_seq.any(axis=1)
        if len(ckpts) >= max_hits:
            return i, since, ckpts
        j = int(np.argmax(hit))
        since[i : i + j] = seq[:j]
        rem = np.mod(seq[j], tau)
        ckpts.append((i + j, over_seq[j], progress[i + j] - rate * rem))
        start = since[i + j] = np.where(over_seq[j], rem, seq[j])
        i += j + 1
    return k, since, ckpts
