"""Helpers the compile parts share: array builders, the error type, the edges grouped by kind."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.sim.compiled import FloatArray, IntArray


def floats(values: list[float]) -> FloatArray:
    """A float64 array of ``values``."""
    return np.asarray(values, dtype=np.float64)


def ints(values: list[int]) -> IntArray:
    """An int64 array of ``values``."""
    return np.asarray(values, dtype=np.int64)


def problem(path: str, message: str) -> ScenarioError:
    """A ScenarioError with one problem at ``path``."""
    return ScenarioError([Problem(path=path, message=message)])


@dataclass
class EdgesByKind:
    """The scenario's edges as (source, target) node indices, per edge kind, in file order."""

    power: list[tuple[int, int]]
    coolant: list[tuple[int, int]]
    network: list[tuple[int, int]]
    data: list[tuple[int, int]]
    support: list[tuple[int, int]]
