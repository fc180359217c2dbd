"""Uncertain inputs: a distribution on any field path a sweep or variant override can change."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, JsonValue, model_validator

from aifactory_twin.schema.base import StrictModel

Distribution = Literal["normal", "lognormal", "triangular", "uniform", "choice"]


class UncertainInput(StrictModel):
    """One uncertain input: ``target.path`` drawn from ``distribution`` in uncertainty studies.

    Parameters by distribution: normal ``mean``, ``sd`` (optionally clipped to ``low``/``high``);
    lognormal ``median``, ``sigma`` (standard deviation of the log); triangular ``low``, ``mode``,
    ``high``; uniform ``low``, ``high``; choice ``values`` with optional ``weights``.
    """

    target: str = Field(min_length=1)
    """Node id, workload id or ``settings`` (as in a variant override)."""
    path: str = Field(min_length=1, pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")
    distribution: Distribution
    mean: float | None = None
    sd: float | None = None
    median: float | None = None
    sigma: float | None = None
    low: float | None = None
    mode: float | None = None
    high: float | None = None
    values: list[JsonValue] = []
    weights: list[float] = []
    correlation: dict[str, float] = {}
    """Rank correlation (−1…1) with other uncertain inputs, keyed by their ``target.path``
    label: drawn together through a Gaussian copula (Iman–Conover) in uncertainty studies."""

    @property
    def label(self) -> str:
        """The input as written on the command line: ``target.path``."""
        return f"{self.target}.{self.path}"

    @model_validator(mode="after")
    def _check_parameters(self) -> UncertainInput:
        problem = self._problem()
        if problem:
            raise ValueError(f"uncertain input {self.label} ({self.distribution}): {problem}")
        return self

    def _problem(self) -> str:
        if any(not -1.0 <= rho <= 1.0 for rho in self.correlation.values()):
            return "correlations must lie in −1…1"
        if self.label in self.correlation:
            return "an input cannot be correlated with itself"
        kind = self.distribution
        if kind == "normal":
            if self.mean is None or self.sd is None or self.sd < 0:
                return "needs mean and sd ≥ 0"
            if self.low is not None and self.high is not None and self.low > self.high:
                return "low must not exceed high"
        elif kind == "lognormal":
            if self.median is None or self.median <= 0 or self.sigma is None or self.sigma < 0:
                return "needs median > 0 and sigma ≥ 0"
        elif kind == "triangular":
            if self.low is None or self.mode is None or self.high is None:
                return "needs low, mode and high"
            if not (self.low <= self.mode <= self.high) or self.low == self.high:
                return "needs low ≤ mode ≤ high and low < high"
        elif kind == "uniform":
            if self.low is None or self.high is None or not self.low < self.high:
                return "needs low < high"
        else:
            if not self.values:
                return "needs at least one value"
            if self.weights and (
                len(self.weights) != len(self.values)
                or any(w < 0 for w in self.weights)
                or sum(self.weights) <= 0
            ):
                return "weights must be one non-negative number per value, not all zero"
        return ""
