"""Small stand-ins for the engine's recorder and events, for live-view unit tests."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class FakeRecorder:
    """A recorder with the engine's read API over arrays the test controls."""

    def __init__(self, data: dict[str, np.ndarray], times_s: np.ndarray) -> None:
        self._data = data
        self._times_s = times_s
        self.n = 0
        self.names = tuple(data)

    @property
    def times_s(self) -> np.ndarray:
        return self._times_s[: self.n]

    def series(self, name: str) -> np.ndarray:
        return self._data[name][: self.n]


def ramp_recorder(rows: int = 500, step_s: float = 300.0, seed: int = 0) -> FakeRecorder:
    rng = np.random.default_rng(seed)
    t = np.arange(1, rows + 1) * step_s
    it = 1000.0 + rng.normal(0, 20, rows)
    cost = np.cumsum(rng.uniform(10, 20, rows))
    data = {
        "it_power_kw": it,
        "cooling_power_kw": it * 0.25,
        "facility_power_kw": it * 1.3,
        "pue": np.full(rows, 1.3) + rng.normal(0, 0.01, rows),
        "max_temp_c": 60 + rng.normal(0, 1, rows),
        "mean_utilization": rng.uniform(0, 1, rows),
        "gpus_up": np.full(rows, 64.0),
        "total_cost_usd_cum": cost,
        "energy_cost_usd_cum": cost / 3,
    }
    return FakeRecorder(data, t)


@dataclass(frozen=True)
class FakeEvent:
    time_s: float
    kind: str
    node_id: str
    message: str
