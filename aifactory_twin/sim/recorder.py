"""Preallocated time series: factory aggregates every tick, per-node series at a coarser stride.

Aggregates (the ``timeseries.csv`` columns) are float64 arrays sized for the horizon up front;
stepping past the horizon doubles them. Per-node series (temperature, power, utilization) are
float32 and sampled every ``node_stride`` ticks, the stride chosen so nodes × samples stays
under ``NODE_SAMPLE_BUDGET`` per series — a year of a 100k-GPU campus or a day of a 9,472-node
machine stays at a few tens of MB however long the run. A lean recorder (studies: thousands of
runs that keep only KPIs and aggregates) takes no per-node samples at all.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping

import numpy as np
import numpy.typing as npt

from aifactory_twin.sim.compiled import CompiledScenario

FloatArray = npt.NDArray[np.float64]

SERIES: tuple[str, ...] = (
    "time_s",
    "it_power_kw",
    "cooling_power_kw",
    "facility_power_kw",
    "pue",
    "mean_utilization",
    "delivered_pflops",
    "max_temp_c",
    "gpus_up",
    "gpus_failed",
    "gpus_throttled",
    "energy_cost_usd_cum",
    "total_cost_usd_cum",
    "carbon_t_cum",
    "headcount",
    "ambient_c",
    "heat_in_kw",
    "heat_removed_kw",
    "inference_tokens_per_s",
    "cloud_gpus",
    "energy_price_usd_per_kwh",
    "mean_temp_c",
    "cooling_capacity_kw",
    "capex_amortized_usd_cum",
    "staff_cost_usd_cum",
    "maintenance_cost_usd_cum",
    "cloud_cost_usd_cum",
    "queue_length",
    "jobs_running",
    "gpus_allocated",
)
NODE_SERIES: tuple[str, ...] = ("temp_c", "power_kw", "utilization")
NODE_SAMPLE_BUDGET = 2_000_000


class Recorder:
    """Series of one run; views are ``[:n]`` slices of the preallocated buffers."""

    def __init__(self, compiled: CompiledScenario, *, node_samples: bool = True) -> None:
        self.compiled = compiled
        self.node_samples = node_samples
        """False: no per-node series (``node_snapshot``/``node_history`` stay empty)."""
        ticks = math.ceil(compiled.horizon_s / compiled.step_s - 1e-9) + 1
        self._data = np.zeros((len(SERIES), ticks))
        self._col = {name: k for k, name in enumerate(SERIES)}
        self._rows: dict[tuple[str, ...], npt.NDArray[np.intp]] = {}
        self._pick = operator.itemgetter(*SERIES[1:])
        self.n = 0
        n_nodes = max(compiled.n_nodes, 1)
        self.node_stride = max(1, math.ceil(n_nodes * ticks / NODE_SAMPLE_BUDGET))
        samples = ticks // self.node_stride + 2 if node_samples else 0
        self._node = np.zeros((len(NODE_SERIES), samples, compiled.n_nodes), dtype=np.float32)
        # Touch the buffers now: calloc'd pages are otherwise committed as they fill, which looks
        # like memory growing with every tick.
        self._data.fill(0.0)
        self._node.fill(0.0)
        self._node_t = np.zeros(samples)
        self.n_node_samples = 0

    @property
    def names(self) -> tuple[str, ...]:
        """The recorded series' names, in column order."""
        return SERIES

    @property
    def nbytes(self) -> int:
        """Memory held by the buffers (aggregates and per-node samples)."""
        return int(self._data.nbytes + self._node.nbytes + self._node_t.nbytes)

    @property
    def times_s(self) -> npt.NDArray[np.float64]:
        """Simulated time of each recorded tick, s (a view)."""
        return self._data[0, : self.n]

    def series(self, name: str) -> npt.NDArray[np.float64]:
        """The recorded values of ``name`` (a view; one value per recorded tick)."""
        if name not in self._col:
            raise KeyError(f"unknown series {name!r}; known: {', '.join(SERIES)}")
        return self._data[self._col[name], : self.n]

    def last(self, name: str) -> float:
        """The last recorded value of ``name`` (0 before the first tick)."""
        return float(self._data[self._col[name], self.n - 1]) if self.n else 0.0

    def record(
        self,
        time_s: float,
        out: Mapping[str, float],
        node_values: Callable[[], tuple[FloatArray, FloatArray, FloatArray]],
    ) -> None:
        """Append this tick's aggregates ``out`` (and per-node values every ``node_stride`` ticks).

        ``node_values`` builds the per-node (temperature, power, utilization) when asked.
        """
        if self.n >= self._data.shape[1]:
            self._data = np.concatenate([self._data, np.zeros_like(self._data)], axis=1)
        col = self._data[:, self.n]
        col[0] = time_s
        try:
            col[1:] = self._pick(out)
        except KeyError:  # before the first full step some outputs may be missing
            col[1:] = [out.get(name, 0.0) for name in SERIES[1:]]
        if self.node_samples and self.n % self.node_stride == 0:
            if self.n_node_samples >= self._node.shape[1]:
                self._node = np.concatenate([self._node, np.zeros_like(self._node)], axis=1)
                self._node_t = np.concatenate([self._node_t, np.zeros_like(self._node_t)])
            k = self.n_node_samples
            temp, power, util = node_values()
            self._node[0, k] = temp
            self._node[1, k] = power
            self._node[2, k] = util
            self._node_t[k] = time_s
            self.n_node_samples += 1
        self.n += 1

    def repeat(
        self,
        times_s: FloatArray,
        out: Mapping[str, float],
        moving: tuple[str, ...],
        moving_values: FloatArray,
        node_values: Callable[[], tuple[FloatArray, FloatArray, FloatArray]],
    ) -> None:
        """Append ticks at ``times_s`` that repeat ``out`` but for the ``moving`` series.

        ``moving_values``: one row per name in ``moving``, one column per tick.

        What ``record`` would write tick by tick over a quiet stretch (``sim/quiet.py``): the
        per-node values, the same at every tick, are sampled at the ticks on the stride.
        """
        k = times_s.shape[0]
        while self.n + k > self._data.shape[1]:
            self._data = np.concatenate([self._data, np.zeros_like(self._data)], axis=1)
        block = self._data[:, self.n : self.n + k]
        block[0] = times_s
        block[1:] = np.asarray(self._pick(out), dtype=np.float64)[:, None]
        rows = self._rows.get(moving)
        if rows is None:
            rows = self._rows[moving] = np.array([self._col[name] for name in moving])
        block[rows] = moving_values
        if self.node_samples:
            first = -self.n % self.node_stride
            ticks = np.arange(first, k, self.node_stride)
            m = ticks.shape[0]
            if m:
                while self.n_node_samples + m > self._node.shape[1]:
                    self._node = np.concatenate([self._node, np.zeros_like(self._node)], axis=1)
                    self._node_t = np.concatenate([self._node_t, np.zeros_like(self._node_t)])
                j = self.n_node_samples
                temp, power, util = node_values()
                self._node[0, j : j + m] = temp
                self._node[1, j : j + m] = power
                self._node[2, j : j + m] = util
                self._node_t[j : j + m] = times_s[ticks]
                self.n_node_samples += m
        self.n += k

    def node_snapshot(self, time_s: float) -> dict[str, npt.NDArray[np.float64]] | None:
        """Every node's sampled values at the last sample at or before ``time_s`` (copies).

        Keys: ``time_s`` (the sample's time, a 0-d array) and the ``NODE_SERIES``; None before
        the first sample. The live view's timeline colours the canvas from it.
        """
        k = int(np.searchsorted(self._node_t[: self.n_node_samples], time_s, side="right")) - 1
        if k < 0:
            return None
        out = {"time_s": np.asarray(self._node_t[k])}
        for s, name in enumerate(NODE_SERIES):
            out[name] = self._node[s, k].astype(np.float64)
        return out

    def node_summary(self) -> dict[str, npt.NDArray[np.float64]]:
        """Every node's mean power (kW) and highest temperature (°C) over its samples.

        Zeros before the first sample. Each node's samples are reduced as one contiguous row,
        so the sums equal those of ``node_history`` (same pairwise order).
        """
        k = self.n_node_samples
        n = self._node.shape[2]
        if k == 0:
            return {"mean_power_kw": np.zeros(n), "max_temp_c": np.zeros(n)}
        power = np.ascontiguousarray(self._node[1, :k].T, dtype=np.float64)
        temp = self._node[0, :k].max(axis=0).astype(np.float64)
        return {"mean_power_kw": power.mean(axis=1), "max_temp_c": temp}

    def node_history(self, node_index: int) -> dict[str, npt.NDArray[np.float64]]:
        """Coarse series of one node (copies, float64)."""
        k = self.n_node_samples
        out = {"times_s": self._node_t[:k].copy()}
        for s, name in enumerate(NODE_SERIES):
            out[name] = self._node[s, :k, node_index].astype(np.float64)
        return out
