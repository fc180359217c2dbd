"""Sweep parameters from the command line: ``NODE_ID.FIELD``, ``settings.FIELD``, values, ranges.

A parameter is an override target plus a dotted field path, the same shape a variant's override
has, so a sweep point is "the base (or a variant) plus one more override". Ids may contain dots,
so the longest node or workload id that prefixes the text wins.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from aifactory_twin.errors import ScenarioError, UsageError
from aifactory_twin.schema import Scenario
from aifactory_twin.study.runs import scenario_with_overrides

SETTINGS_TARGET = "settings"


@dataclass(frozen=True)
class SweepParam:
    """What a sweep varies: ``target`` (node id, workload id or ``settings``) and ``path``."""

    target: str
    path: str

    @property
    def text(self) -> str:
        """The parameter as written on the command line (``target.path``)."""
        return f"{self.target}.{self.path}"


def parse_param(scenario: Scenario, text: str, option: str = "--param") -> SweepParam:
    """Read ``NODE_ID.FIELD``, ``WORKLOAD_ID.FIELD`` or ``settings.FIELD`` (else UsageError)."""
    text = text.strip()
    if text.startswith(SETTINGS_TARGET + "."):
        path = text[len(SETTINGS_TARGET) + 1 :]
        if path:
            return SweepParam(SETTINGS_TARGET, path)
    ids = [n.id for n in scenario.nodes] + [w.id for w in scenario.workloads]
    matches = [i for i in ids if text.startswith(i + ".") and len(text) > len(i) + 1]
    if not matches:
        shown = ", ".join(sorted(ids)[:12]) + (", …" if len(ids) > 12 else "")
        raise UsageError(
            f"{option} {text!r}: expected NODE_ID.FIELD, WORKLOAD_ID.FIELD or settings.FIELD "
            f"with an id from the scenario (ids: {shown or 'none'})"
        )
    target = max(matches, key=len)
    return SweepParam(target, text[len(target) + 1 :])


def _parse_token(token: str) -> Any:
    """A value as JSON when it reads as JSON (numbers, true/false, null), else the bare string."""
    token = token.strip()
    try:
        return json.loads(token)
    except json.JSONDecodeError:
        return token


def parse_values(text: str, option: str = "--values") -> list[Any]:
    """``1,2,4`` → [1, 2, 4]; ``air,direct_liquid`` → strings; empty items are refused."""
    tokens = text.split(",")
    if not text.strip() or any(not t.strip() for t in tokens):
        raise UsageError(f"{option} {text!r}: give comma-separated values such as 1,2,4")
    return [_parse_token(t) for t in tokens]


def parse_range(text: str, option: str = "--range") -> list[float | int]:
    """``START:STOP:N`` → N evenly spaced values from START to STOP inclusive.

    Integers stay integers when START and STOP are integers and every point is whole (so a
    rack count sweep stays valid for integer fields).
    """
    parts = text.split(":")
    try:
        if len(parts) != 3:
            raise ValueError
        start, stop, n = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        raise UsageError(f"{option} {text!r}: use START:STOP:N, e.g. 8:64:8") from None
    if n < 1 or not (np.isfinite(start) and np.isfinite(stop)):
        raise UsageError(f"{option} {text!r}: N must be at least 1 and bounds finite")
    points = np.linspace(start, stop, n) if n > 1 else np.array([start])
    integral = all(p.strip().lstrip("+-").isdigit() for p in parts[:2])
    if integral and np.all(points == np.round(points)):
        return [int(p) for p in points]
    # 12 significant digits: 0.15, not 0.15000000000000002 from linspace rounding.
    return [float(f"{p:.12g}") for p in points]


def check_param_values(
    scenario: Scenario,
    variant: str | None,
    param: SweepParam,
    values: list[Any],
    option: str = "--param",
) -> None:
    """Apply every value once here, so a bad field or value fails before any worker starts."""
    from aifactory_twin.variants import apply_variant

    for value in values:
        try:
            changed, name = scenario_with_overrides(
                scenario, variant, [(param.target, param.path, value)]
            )
            apply_variant(changed, name)
        except ScenarioError as exc:
            reasons = "; ".join(p.message for p in exc.problems) or str(exc)
            raise UsageError(f"{option} {param.text} = {value!r}: {reasons}") from None
