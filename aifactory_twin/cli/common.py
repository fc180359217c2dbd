"""Helpers shared by every CLI command: exit codes, durations, progress."""

from __future__ import annotations

import re
import sys

from aifactory_twin.errors import UsageError

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_BAD_INPUT = 2

_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w|y)?\s*$")
_UNIT_S = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 7 * 86400.0, "y": 365 * 86400.0}


def parse_duration(text: str, option: str = "duration") -> float:
    """Parse ``90s``, ``15m``, ``12h``, ``30d``, ``2w``, ``1y`` (or bare seconds) into seconds."""
    match = _DURATION_RE.match(text)
    if not match:
        raise UsageError(
            f"{option}: cannot read {text!r} as a duration (use e.g. 90s, 15m, 12h, 30d, 1y)"
        )
    value = float(match.group(1)) * _UNIT_S[match.group(2) or "s"]
    if value <= 0:
        raise UsageError(f"{option}: must be greater than 0 (got {text!r})")
    return value


def format_duration(seconds: float) -> str:
    """Shortest exact rendering of a duration in the units ``parse_duration`` reads."""
    for unit in ("y", "w", "d", "h", "m"):
        size = _UNIT_S[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


class Progress:
    """A one-line progress indicator on stderr, shown only for long work on a terminal or CI."""

    def __init__(self, label: str, total: float, enabled: bool = True) -> None:
        self.label = label
        self.total = max(total, 1e-12)
        self.enabled = enabled
        self._last_pct = -1

    def update(self, done: float) -> None:
        if not self.enabled:
            return
        pct = int(100 * min(done / self.total, 1.0))
        if pct != self._last_pct and (pct % 5 == 0 or pct == 100):
            self._last_pct = pct
            end = "\n" if pct == 100 else "\r" if sys.stderr.isatty() else "\n"
            print(f"{self.label}: {pct:3d}%", end=end, file=sys.stderr, flush=True)
