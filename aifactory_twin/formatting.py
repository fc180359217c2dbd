"""The one formatter: money, percents, energy, power, durations, temperatures and field titles.

Every number the app, the CLI, the report and the slides show goes through here, so a figure
reads the same everywhere: money compact with a suffix (``$1.23M``, never ``2.18e+08``), shares
as percents (``83.4 %``, never ``0.834``), quantities scaled to a readable unit (``12.3 MW``),
durations in days and hours, and a missing value as an em dash. Durations typed by a user
(``12h``, ``30d``) are parsed here too, for the CLI and the GUI alike.

A leaf module: it imports nothing from the project except the error type.
"""

from __future__ import annotations

import math
import re
from typing import Literal

from aifactory_twin.errors import UsageError

MISSING = "—"
"""What a missing or undefined value shows (None, NaN, ±inf)."""
MINUS = "−"
"""U+2212: a real minus sign lines up with ``+`` in tables."""

NumberFormat = Literal[
    "money",
    "percent",
    "percent_change",
    "ratio",
    "count",
    "quantity",
    "duration",
    "temperature",
    "rate",
]
"""How a value is shown; the KPI registry names one per KPI. ``percent`` takes a fraction
(0.834 → 83.4 %); ``percent_change`` a signed value already in percent (4.2 → +4.2 %)."""


def _finite(value: float | int | None) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    v = float(value)
    return v if math.isfinite(v) else None


def _sign(v: float) -> str:
    return MINUS if v < 0 else ""


def _round_sig(a: float, significant: int) -> float:
    return float(f"{a:.{significant}g}") if a else 0.0


def _plain(v: float, significant: int = 3) -> str:
    """``|v|`` with about ``significant`` digits, grouped by thousands, never in e-notation."""
    if abs(v) >= 10 ** (significant - 1):
        return f"{abs(v):,.0f}"  # whole digits are never dropped: 123,456 not 123,000
    a = _round_sig(abs(v), significant)
    if a == 0:
        return "0"
    decimals = max(0, significant - 1 - math.floor(math.log10(a)))
    return f"{a:,.{min(decimals, 12)}f}"


_SUFFIXES: tuple[tuple[float, str], ...] = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def format_money(usd: float | int | None, significant: int = 3) -> str:
    """``$1.23M``, ``$218M``, ``$950``, ``$2.47``, ``$0.0350``, ``−$1.2k``; None → ``—``."""
    v = _finite(usd)
    if v is None:
        return MISSING
    a = abs(v)
    rounded = _round_sig(a, significant)  # 999,999 reads $1.00M, not $1,000k
    for size, suffix in _SUFFIXES:
        if rounded >= size:
            return f"{_sign(v)}${_plain(a / size, significant)}{suffix}"
    if rounded >= 100 or a == 0:
        return f"{_sign(v)}${a:,.0f}"
    if a >= 1:
        return f"{_sign(v)}${a:,.2f}"
    return f"{_sign(v)}${_plain(a, significant)}"


def format_percent(fraction: float | int | None, decimals: int = 1) -> str:
    """A share given as a fraction (0.834) shown as ``83.4 %``; None → ``—``."""
    v = _finite(fraction)
    if v is None:
        return MISSING
    return f"{_sign(v)}{abs(v) * 100:,.{decimals}f} %"


def format_count(value: float | int | None) -> str:
    """Whole things: ``24,576``; past a billion ``1.23 billion`` (never e-notation)."""
    v = _finite(value)
    if v is None:
        return MISSING
    a = abs(v)
    for size, word in ((1e12, "trillion"), (1e9, "billion")):
        if a >= size:
            return f"{_sign(v)}{_plain(a / size)} {word}"
    return f"{_sign(v)}{a:,.0f}"


def format_ratio(value: float | int | None, decimals: int = 3) -> str:
    """A dimensionless ratio such as PUE: ``1.352``."""
    v = _finite(value)
    return MISSING if v is None else f"{_sign(v)}{abs(v):,.{decimals}f}"


# Unit → its family, smallest first: a value is shown in the largest unit it reaches 1 of.
_FAMILIES: tuple[tuple[tuple[str, float], ...], ...] = (
    (("W", 1e-3), ("kW", 1.0), ("MW", 1e3), ("GW", 1e6)),
    (("kWh", 1e-3), ("MWh", 1.0), ("GWh", 1e3), ("TWh", 1e6)),
    (("TFLOP/s", 1e-3), ("PFLOP/s", 1.0), ("EFLOP/s", 1e3)),
    (("kg CO₂", 1e-3), ("t CO₂", 1.0), ("kt CO₂", 1e3), ("Mt CO₂", 1e6)),
    (("L", 1e-3), ("m³", 1.0)),
)
_FAMILY_OF: dict[str, tuple[tuple[str, float], ...]] = {
    unit: family for family in _FAMILIES for unit, _ in family
}


def format_quantity(value: float | int | None, unit: str, significant: int = 3) -> str:
    """``12,345 kW`` → ``12.3 MW``; ``0.5 MWh`` → ``500 kWh``; unknown units stay as given."""
    v = _finite(value)
    if v is None:
        return MISSING
    family = _FAMILY_OF.get(unit)
    if family is None or v == 0:
        return f"{_sign(v)}{_plain(v, significant)} {unit}".rstrip()
    base = abs(v) * dict(family)[unit]
    rounded = _round_sig(base, significant)  # 999.7 kW reads 1.00 MW
    shown_unit, size = family[0]
    for name, factor in family:
        if rounded >= factor:
            shown_unit, size = name, factor
    return f"{_sign(v)}{_plain(base / size, significant)} {shown_unit}"


def format_temperature(celsius: float | int | None, decimals: int = 1) -> str:
    """A temperature in °C with ``decimals`` decimals (``—`` when missing)."""
    v = _finite(celsius)
    return MISSING if v is None else f"{_sign(v)}{abs(v):.{decimals}f} °C"


MINUTE_S = 60.0
HOUR_S = 3600.0
DAY_S = 86400.0
WEEK_S = 7 * DAY_S
YEAR_S = 365 * DAY_S


def format_span(seconds: float | int | None) -> str:
    """A length of time for reading: ``45 s``, ``12 min``, ``5.5 h``, ``3.2 d``, ``1.5 yr``."""
    v = _finite(seconds)
    if v is None:
        return MISSING
    a = abs(v)
    if a >= 2 * YEAR_S:
        text = f"{a / YEAR_S:,.1f} yr"
    elif a >= 2 * DAY_S:
        text = f"{a / DAY_S:,.1f} d"
    elif a >= 2 * HOUR_S:
        text = f"{a / HOUR_S:.1f} h"
    elif a >= 2 * MINUTE_S:
        text = f"{a / MINUTE_S:.0f} min"
    else:
        text = f"{a:.0f} s"
    return _sign(v) + text


# --------------------------------------------------------------------------- typed durations
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)
_UNIT_S = {"s": 1.0, "m": MINUTE_S, "h": HOUR_S, "d": DAY_S, "w": WEEK_S, "y": YEAR_S}
# Spelled-out units a person types ("15 min", "2 hours", "30 days") → the one-letter unit.
_UNIT_WORDS = {
    **{w: "s" for w in ("sec", "secs", "second", "seconds")},
    **{w: "m" for w in ("min", "mins", "minute", "minutes")},
    **{w: "h" for w in ("hr", "hrs", "hour", "hours")},
    **{w: "d" for w in ("day", "days")},
    **{w: "w" for w in ("wk", "wks", "week", "weeks")},
    **{w: "y" for w in ("yr", "yrs", "year", "years")},
}
# How format_duration(spaced=True) names each unit: "15 min" cannot be misread as months.
_UNIT_SHOWN = {"y": "y", "w": "w", "d": "d", "h": "h", "m": "min", "s": "s"}


def parse_duration(text: str, option: str = "duration") -> float:
    """Parse ``90s``, ``15m``, ``12h``, ``30d``, ``2w``, ``1y`` (or bare seconds) into seconds."""
    match = _DURATION_RE.match(text)
    unit = (match.group(2) or "s").lower() if match else ""
    unit = _UNIT_WORDS.get(unit, unit)
    if not match or unit not in _UNIT_S:
        raise UsageError(
            f"{option}: cannot read {text!r} as a duration (use e.g. 90s, 15m, 12h, 30d, 1y)"
        )
    value = float(match.group(1)) * _UNIT_S[unit]
    if value <= 0:
        raise UsageError(f"{option}: must be greater than 0 (got {text!r})")
    return value


def format_duration(seconds: float, spaced: bool = False) -> str:
    """Shortest exact rendering of a duration in the units ``parse_duration`` reads.

    ``spaced`` is the form for a form field: ``30 d``, ``15 min``, ``90 s`` (days, not weeks:
    a horizon reads as ``14 d``).
    """
    for unit in ("y", "d", "h", "m") if spaced else ("y", "w", "d", "h", "m"):
        size = _UNIT_S[unit]
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{count} {_UNIT_SHOWN[unit]}" if spaced else f"{count}{unit}"
    return f"{seconds:g} s" if spaced else f"{seconds:g}s"


# --------------------------------------------------------------------------- by format name
def format_number(
    value: float | int | None, fmt: NumberFormat = "quantity", unit: str = "", decimals: int = 1
) -> str:
    """``value`` shown as ``fmt`` (the KPI registry's format names); None/NaN → ``—``."""
    if fmt == "money":
        return format_money(value)
    if fmt == "percent":
        return format_percent(value, decimals)
    if fmt == "percent_change":
        v = _finite(value)
        return MISSING if v is None else f"{'+' if v >= 0 else MINUS}{abs(v):.{decimals}f} %"
    if fmt == "ratio":
        return format_ratio(value)
    if fmt == "count":
        return format_count(value)
    if fmt == "duration":
        return format_span(value)
    if fmt == "temperature":
        return format_temperature(value, decimals)
    if fmt == "rate":
        v = _finite(value)
        return MISSING if v is None else f"{_sign(v)}{abs(v):,.{decimals}f} {unit}".rstrip()
    return format_quantity(value, unit)


# --------------------------------------------------------------------------- field names
# Unit suffix of a schema field name → the unit it means. Longest suffixes first:
# ``_per_gpu_hour`` must win over ``_hour``.
_UNIT_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("_usd_per_gpu_hour", "USD/GPU·h"),
    ("_per_gpu_hour", "1/GPU·h"),
    ("_usd_per_kwh", "USD/kWh"),
    ("_usd_per_year", "USD/yr"),
    ("_usd_per_kw", "USD/kW"),
    ("_usd_per_gb", "USD/GB"),
    ("_units_per_quarter", "units/quarter"),
    ("_g_per_kwh", "g/kWh"),
    ("_l_per_kwh", "L/kWh"),
    ("_kg_co2e", "kgCO₂e"),
    ("_k_per_w", "K/W"),
    ("_kj_per_k", "kJ/K"),
    ("_gb_per_s", "GB/s"),
    ("_tokens_per_s", "tokens/s"),
    ("_per_hour", "1/h"),
    ("_per_year", "1/yr"),
    ("_gbps_per_dir", "GB/s"),
    ("_gbps", "Gb/s"),
    ("_kwh", "kWh"),
    ("_kw", "kW"),
    ("_w", "W"),
    ("_c", "°C"),
    ("_usd", "USD"),
    ("_pb", "PB"),
    ("_tb", "TB"),
    ("_gb", "GB"),
    ("_us", "µs"),
    ("_ms", "ms"),
    ("_s", "s"),
    ("_hours", "h"),
    ("_days", "d"),
    ("_day", "d"),
    ("_years", "yr"),
    ("_tflops", "TFLOP/s"),
    ("_b", "billion"),
    ("_t", "trillion"),
)


# Words a field name spells in lower case that people write otherwise.
_WORDS: dict[str, str] = {
    "ups": "UPS",
    "wan": "WAN",
    "rtt": "RTT",
    "pdu": "PDU",
    "cop": "COP",
    "wue": "WUE",
    "pue": "PUE",
    "tdp": "TDP",
    "hbm": "HBM",
    "nic": "NIC",
    "gpu": "GPU",
    "gpus": "GPUs",
    "mfu": "MFU",
    "it": "IT",
    "bf16": "BF16",
    "fp8": "FP8",
    "bw": "bandwidth",
    "id": "ID",
}


def field_unit(field_name: str) -> str:
    """The unit a field name carries (``power_rating_kw`` → ``kW``); empty when unitless."""
    name = field_name.rsplit(".", 1)[-1]
    for suffix, unit in _UNIT_SUFFIXES:
        if name.endswith(suffix):
            return unit
    return ""


def field_title(field_name: str) -> str:
    """A field's name for people: ``power_rating_kw`` → ``Power rating``.

    A dotted path uses its last part (``delivery.lead_time_days`` → ``Lead time``); the unit the
    suffix names is left out, since views show it beside the title (``field_unit``).
    """
    name = field_name.rsplit(".", 1)[-1]
    for suffix, _unit in _UNIT_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]  # the unit is shown beside the title
            break
    words = [_WORDS.get(word, word) for word in name.split("_") if word]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def field_phrase(field_name: str) -> str:
    """``field_title`` for the middle of a sentence: ``Set power rating``, ``Set UPS rating``."""
    title = field_title(field_name)
    first = title.split(" ", 1)[0]
    return title if first.isupper() else title[:1].lower() + title[1:]


def format_plain(value: float | int | None, significant: int = 4, *, compact: bool = True) -> str:
    """A bare number: ``0.5``, ``1.35``, ``0.00002``, ``950``, never in e-notation.

    ``compact`` (chart ticks) writes ten thousand and up with a suffix (``12.5k``, ``218M``);
    without it every whole digit is kept (``30,000,000``), as a parameter table wants.
    """
    v = _finite(value)
    if v is None:
        return MISSING
    a = abs(v)
    rounded = _round_sig(a, significant)
    for size, suffix in _SUFFIXES:
        if compact and rounded >= size and rounded >= 1e4:
            return _sign(v) + _trim(_plain(a / size, 3)) + suffix
    return _sign(v) + _trim(_plain(a, significant))


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text
