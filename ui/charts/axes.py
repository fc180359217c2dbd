"""Simulated-time axis and unit-aware number formatting shared by the live charts.

The charts plot the recorder's series exactly as recorded (seconds on x, the series' own units
on y) so a chart's data can be compared one to one with the engine; only the *labels* convert:
ticks read ``3d 04h`` instead of ``273600``, and ``12,345 kW`` reads ``12.3 MW``.
"""

from __future__ import annotations

import math

import pyqtgraph as pg

from aifactory_twin.formatting import (
    DAY_S,
    HOUR_S,
    MINUTE_S,
    MISSING,
    WEEK_S,
    format_count,
    format_money,
    format_percent,
    format_quantity,
    format_ratio,
    format_temperature,
)

# (major, minor) tick spacings a reader recognises; the axis picks the first major that gives
# ticks ≥ ~90 px apart. Each minor divides its major, so minor labels never crowd a major one.
_NICE_SPACINGS_S: tuple[tuple[float, float], ...] = (
    (MINUTE_S, 15.0),
    (5 * MINUTE_S, MINUTE_S),
    (15 * MINUTE_S, 5 * MINUTE_S),
    (30 * MINUTE_S, 10 * MINUTE_S),
    (HOUR_S, 15 * MINUTE_S),
    (3 * HOUR_S, HOUR_S),
    (6 * HOUR_S, HOUR_S),
    (12 * HOUR_S, 3 * HOUR_S),
    (DAY_S, 6 * HOUR_S),
    (2 * DAY_S, 12 * HOUR_S),
    (WEEK_S, DAY_S),
    (2 * WEEK_S, WEEK_S),
    (30 * DAY_S, 10 * DAY_S),
    (91 * DAY_S, 13 * DAY_S),
    (365 * DAY_S, 73 * DAY_S),
)
_MIN_TICK_PX = 90.0


def format_sim_time(seconds: float, spacing_s: float = 0.0) -> str:
    """``1d 04:30`` style simulated elapsed time; drops what the tick spacing makes redundant."""
    if not math.isfinite(seconds):
        return MISSING
    sign = "-" if seconds < 0 else ""
    total = abs(seconds)
    days = int(total // DAY_S)
    rest = total - days * DAY_S
    hours = int(rest // HOUR_S)
    minutes = int((rest - hours * HOUR_S) // MINUTE_S)
    if spacing_s >= DAY_S and hours == 0 and minutes == 0:
        return f"{sign}{days}d"
    if spacing_s >= HOUR_S and minutes == 0:
        return f"{sign}{days}d {hours:02d}h"
    if days:
        return f"{sign}{days}d {hours:02d}:{minutes:02d}"
    return f"{sign}{hours:02d}:{minutes:02d}"


class TimeAxisItem(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph ships no type hints
    """A bottom axis over simulated seconds with minute/hour/day/week ticks."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(orientation="bottom", **kwargs)

    def tickSpacing(self, min_val: float, max_val: float, size: float) -> list[tuple[float, float]]:
        span = max_val - min_val
        if span <= 0 or size <= 0:
            return super().tickSpacing(min_val, max_val, size)  # type: ignore[no-any-return]
        wanted = span * _MIN_TICK_PX / size
        pair = next((p for p in _NICE_SPACINGS_S if p[0] >= wanted), None)
        if pair is None:
            return super().tickSpacing(min_val, max_val, size)  # type: ignore[no-any-return]
        major, minor = pair
        return [(major, 0.0), (minor, 0.0)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [format_sim_time(v, spacing) for v in values]


def format_value(value: float, unit: str) -> str:
    """A short, human reading of ``value`` in ``unit`` (``12.3 MW``, ``$4.10M``, ``83.4 %``).

    Chart readouts name a unit, not a KPI; the text comes from the core formatter, so a
    readout reads like the tile, the report and the CLI.
    """
    if unit == "%":
        return format_percent(value)
    if unit == "ratio":
        return format_ratio(value)
    if unit == "count":
        return format_count(value)
    if unit == "°C":
        return format_temperature(value)
    if unit == "USD" or unit.startswith("USD/"):
        text = format_money(value)
        return text if text == MISSING else text + unit[3:]
    return format_quantity(value, unit)
