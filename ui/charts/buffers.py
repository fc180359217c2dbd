"""Preallocated chart buffers that copy only the rows the recorder added since the last redraw.

The charts never hold views into the engine's arrays (the recorder may grow or replace them
while the UI reads); each redraw copies the new tail, so a redraw costs O(new rows) in copying
plus pyqtgraph's own (downsampled, clipped) drawing.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ui.charts.specs import (
    BURN_RATE,
    DERIVED_SOURCES,
    HEAT_PRODUCED,
    FloatArray,
    derive_burn_rate,
    derive_heat_produced,
)

_INITIAL_CAPACITY = 4096


class RecorderLike(Protocol):
    """What the charts read from ``aifactory_twin.sim`` recorders."""

    @property
    def n(self) -> int: ...

    @property
    def times_s(self) -> FloatArray: ...

    @property
    def names(self) -> tuple[str, ...]: ...

    def series(self, name: str) -> FloatArray: ...


class SeriesBuffers:
    """Growing (doubling) copies of a recorder's times and selected series, plus derived ones."""

    def __init__(self, wanted: tuple[str, ...]) -> None:
        self.wanted = wanted
        self.names: tuple[str, ...] = ()
        self.n = 0
        self._capacity = 0
        self._times_s: FloatArray = np.empty(0)
        self._data: dict[str, FloatArray] = {}

    @property
    def times_s(self) -> FloatArray:
        return self._times_s[: self.n]

    def series(self, name: str) -> FloatArray:
        return self._data[name][: self.n]

    def has(self, name: str) -> bool:
        return name in self._data

    def clear(self) -> None:
        self.n = 0

    def sync(self, recorder: RecorderLike) -> bool:
        """Copy rows recorded since the last call; True when anything changed."""
        available = set(recorder.names)
        names = tuple(n for n in self.wanted if n in available)
        derived = tuple(
            d for d, sources in DERIVED_SOURCES.items() if all(s in available for s in sources)
        )
        n_new = int(recorder.n)
        times_s = recorder.times_s
        restarted = (
            names + derived != self.names
            or n_new < self.n
            or (self.n > 0 and times_s[self.n - 1] != self._times_s[self.n - 1])
        )
        if restarted:
            self.names = names + derived
            self.n = 0
            self._capacity = 0
            self._reserve(n_new)
        if n_new == self.n:
            return restarted
        self._reserve(n_new)
        start = self.n
        self._times_s[start:n_new] = times_s[start:n_new]
        for name in names:
            self._data[name][start:n_new] = recorder.series(name)[start:n_new]
        self.n = n_new
        if BURN_RATE in derived:
            self._update_burn_rate(start)
        if HEAT_PRODUCED in derived:
            facility, cooling = (self._data[n] for n in DERIVED_SOURCES[HEAT_PRODUCED])
            self._data[HEAT_PRODUCED][start:n_new] = derive_heat_produced(
                facility[start:n_new], cooling[start:n_new]
            )
        return True

    def _update_burn_rate(self, start: int) -> None:
        # Recompute from one row before the new tail so the first new rate has its predecessor.
        lo = max(start - 1, 0)
        rate = derive_burn_rate(
            self._times_s[lo : self.n], self._data[DERIVED_SOURCES[BURN_RATE][0]][lo : self.n]
        )
        if lo == 0:  # row 0 borrows row 1's rate, so it is rewritten until row 1 exists
            self._data[BURN_RATE][: self.n] = rate
        else:  # row ``lo`` keeps its own rate; only the new tail is written
            self._data[BURN_RATE][start : self.n] = rate[1:]

    def _reserve(self, rows: int) -> None:
        if rows <= self._capacity and all(n in self._data for n in self.names):
            return
        capacity = max(self._capacity, _INITIAL_CAPACITY)
        while capacity < rows:
            capacity *= 2
        keep = self.n
        times_s = np.empty(capacity)
        times_s[:keep] = self._times_s[:keep]
        self._times_s = times_s
        data: dict[str, FloatArray] = {}
        for name in self.names:
            buf = np.empty(capacity)
            old = self._data.get(name)
            if old is not None and keep:
                buf[:keep] = old[:keep]
            data[name] = buf
        self._data = data
        self._capacity = capacity
