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


def positions(nodes: list[int], n_nodes: int) -> IntArray:
    """Per node index (``n_nodes`` of them): its place in ``nodes``, or -1 if absent."""
    out = np.full(n_nodes, -1, dtype=np.int64)
    out[np.asarray(nodes, dtype=np.intp)] = np.arange(len(nodes))
    return out


def problem(path: str, message: str) -> ScenarioError:
    """A ScenarioError with one problem at ``path``."""
    return ScenarioError([Problem(path=path, message=message)])


@dataclass
class EdgesByKind:
    """The scenario's edges as (source, target) node-index arrays per edge kind, in file order.

    Arrays, not pairs: a 40-hall factory has 1.5 M edges, and the parts that read them index
    numpy tables with them. ``pairs`` gives the Python pairs for the parts that loop.
    """

    ends: dict[str, tuple[IntArray, IntArray]]

    def __getitem__(self, kind: str) -> tuple[IntArray, IntArray]:
        return self.ends[kind]

    def pairs(self, kind: str) -> list[tuple[int, int]]:
        """(source, target) node indices of the edges of ``kind``, in file order."""
        src, dst = self.ends[kind]
        return list(zip(src.tolist(), dst.tolist(), strict=True))
