"""Simulated-time axis and unit-aware number formatting shared by the live charts.

The charts plot the recorder's series exactly as recorded (seconds on x, the series' own units
on y) so a chart's data can be compared one to one with the engine; only the *labels* convert:
ticks read ``3d 04h`` instead of ``273600``, and ``12,345 kW`` reads ``12.3 MW``.
"""

from __future__ import annotations

import math

import pyqtgraph as pg

MINUTE_S = 60.0
HOUR_S = 3600.0
DAY_S = 86400.0
WEEK_S = 7 * DAY_S

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
        return "–"
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


class TimeAxisItem(pg.AxisItem):
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


# Unit → (threshold, divisor, new unit): the first matching row rescales a displayed value.
_SCALES: dict[str, tuple[tuple[float, float, str], ...]] = {
    "kW": ((1e6, 1e6, "GW"), (1e3, 1e3, "MW")),
    "USD": ((1e9, 1e9, "B$"), (1e6, 1e6, "M$"), (1e3, 1e3, "k$")),
    "USD/h": ((1e6, 1e6, "M$/h"), (1e3, 1e3, "k$/h")),
    "PFLOP/s": ((1e3, 1e3, "EFLOP/s"),),
}


def format_value(value: float, unit: str) -> str:
    """A short, human reading of ``value`` in ``unit`` (``12.3 MW``, ``$4.1M``, ``83 %``)."""
    if value is None or not math.isfinite(value):
        return "–"
    if unit == "%":
        return f"{value * 100:.1f} %"
    if unit == "ratio":
        return f"{value:.3f}"
    if unit == "count":
        return f"{value:,.0f}"
    for threshold, divisor, scaled_unit in _SCALES.get(unit, ()):
        if abs(value) >= threshold:
            return _with_unit(value / divisor, scaled_unit)
    return _with_unit(value, unit)


def _with_unit(value: float, unit: str) -> str:
    magnitude = abs(value)
    digits = 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2
    text = f"{value:,.{digits}f}"
    if unit.endswith("$") or unit.startswith(("M$", "k$", "B$")):
        prefix, _, suffix = unit.partition("$")
        return f"${text}{prefix}{suffix}"
    if unit.startswith("USD"):
        return f"${text}{unit[3:]}"
    return f"{text} {unit}".rstrip()
