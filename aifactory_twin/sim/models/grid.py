"""Grid over time: hourly (or any regular step) price and carbon intensity per feed.

A series is a CSV with a header naming a time column and one or both value columns::

    hour,price_usd_per_kwh,carbon_g_per_kwh
    0,0.081,412
    1,0.079,405
    ...

The time column is ``hour`` (hours from 1 January 00:00, e.g. 0…8759 for a year at 1 h) or
``timestamp`` (ISO 8601 local time; only month, day and time of day are used, so any year's data
serves any year). Rows must be in order at one regular step; the series repeats after its last
row (a year of data covers a multi-year run; a single day of 24 rows repeats daily). The value
at a time is the row whose interval contains it (step-wise, as metered). Carbon =
Σ energy × intensity of the supplying feed at that time (§10.12). Errors name the file, the line
and the problem.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from aifactory_twin.errors import Problem, ScenarioError

FloatArray = npt.NDArray[np.float64]

TIME_COLUMNS = ("hour", "timestamp")
VALUE_COLUMNS = ("price_usd_per_kwh", "carbon_g_per_kwh")
MAX_ROWS = 1_000_000
SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class GridSeries:
    """Regular series: value i covers [start_s + i·step_s, start_s + (i+1)·step_s) of the year."""

    start_s: float
    """Seconds from 1 January 00:00 to the first row."""
    step_s: float
    price_usd_per_kwh: FloatArray | None
    carbon_g_per_kwh: FloatArray | None

    @property
    def rows(self) -> int:
        """How many rows the series has."""
        values = self.price_usd_per_kwh
        return int((values if values is not None else self.carbon_g_per_kwh).size)  # type: ignore[union-attr]

    def index_at(self, seconds_of_year: float) -> int:
        """Row covering ``seconds_of_year`` (the series repeats after its last row)."""
        pos = math.floor((seconds_of_year - self.start_s) / self.step_s + 1e-9)
        return pos % self.rows


def _fail(source: str, line: int, message: str) -> ScenarioError:
    return ScenarioError([Problem(f"line {line}" if line else "", message, source)])


def _seconds_of_year(text: str) -> float:
    when = datetime.fromisoformat(text)
    start = when.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    return (when - start).total_seconds()


def parse_grid_csv(text: str, source: str) -> GridSeries:
    """Parse a price/carbon CSV (module doc); raises ScenarioError naming ``source`` and line."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise _fail(
            source, 0, "is empty; expected a header such as hour,carbon_g_per_kwh"
        ) from None
    time_cols = [c for c in header if c in TIME_COLUMNS]
    if len(time_cols) != 1:
        raise _fail(
            source, 1, f"header needs exactly one time column ({' or '.join(TIME_COLUMNS)})"
        )
    unknown = [c for c in header if c not in TIME_COLUMNS + VALUE_COLUMNS]
    if unknown:
        raise _fail(source, 1, f"unknown column {unknown[0]!r}")
    value_cols = [c for c in header if c in VALUE_COLUMNS]
    if not value_cols:
        raise _fail(source, 1, f"header needs {' and/or '.join(VALUE_COLUMNS)}")
    t_col = header.index(time_cols[0])
    v_idx = {c: header.index(c) for c in value_cols}
    times: list[float] = []
    values: dict[str, list[float]] = {c: [] for c in value_cols}
    for line, row in enumerate(reader, start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise _fail(source, line, f"has {len(row)} fields, the header has {len(header)}")
        cell = row[t_col].strip()
        try:
            t = float(cell) * SECONDS_PER_HOUR if time_cols[0] == "hour" else _seconds_of_year(cell)
        except ValueError:
            raise _fail(source, line, f"{time_cols[0]} {cell!r} is not a valid time") from None
        if not math.isfinite(t):
            raise _fail(source, line, f"{time_cols[0]} {cell!r} is not a valid time")
        for c, i in v_idx.items():
            raw = row[i].strip()
            try:
                v = float(raw)
            except ValueError:
                raise _fail(source, line, f"{c} {raw!r} is not a number") from None
            if not math.isfinite(v) or v < 0:
                raise _fail(source, line, f"{c} must be a finite number ≥ 0 (got {raw!r})")
            values[c].append(v)
        if times:
            step = t - times[-1]
            first_step = times[1] - times[0] if len(times) > 1 else step
            if step <= 0:
                raise _fail(source, line, "times must increase from row to row")
            if abs(step - first_step) > 1e-6 * first_step:
                raise _fail(
                    source, line,
                    f"irregular step: {step / 3600:g} h after {first_step / 3600:g} h before",
                )  # fmt: skip
        times.append(t)
        if len(times) > MAX_ROWS:
            raise _fail(source, line, f"more than {MAX_ROWS:,} rows")
    if not times:
        raise _fail(source, 0, "has a header but no data rows")
    step_s = times[1] - times[0] if len(times) > 1 else SECONDS_PER_HOUR
    return GridSeries(
        start_s=times[0],
        step_s=step_s,
        price_usd_per_kwh=np.asarray(values["price_usd_per_kwh"])
        if "price_usd_per_kwh" in values
        else None,
        carbon_g_per_kwh=np.asarray(values["carbon_g_per_kwh"])
        if "carbon_g_per_kwh" in values
        else None,
    )


def seconds_of_year(start: datetime, t_s: float) -> float:
    """Seconds from 1 January 00:00 of the start's year to ``t_s`` after the scenario start."""
    jan1 = start.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    return (start - jan1).total_seconds() + t_s


def feed_values(
    series: list[GridSeries | None],
    fallback: FloatArray,
    which: str,
    seconds_of_year_now: float,
) -> FloatArray:
    """Value per feed now: the feed's series where it has that column, else its constant."""
    out = fallback.copy()
    for i, s in enumerate(series):
        if s is None:
            continue
        col = s.price_usd_per_kwh if which == "price" else s.carbon_g_per_kwh
        if col is not None:
            out[i] = col[s.index_at(seconds_of_year_now)]
    return out
