"""Helpers shared by every CLI command: exit codes, progress (durations: ``formatting``)."""

from __future__ import annotations

import sys

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_BAD_INPUT = 2


class Progress:
    """A one-line progress indicator on stderr, shown only for long work on a terminal or CI."""

    def __init__(self, label: str, total: float, enabled: bool = True) -> None:
        self.label = label
        self.total = max(total, 1e-12)
        self.enabled = enabled
        self._last_pct = -1

    def update(self, done: float) -> None:
        """Report ``done`` of ``total``, printing every 5 %."""
        if not self.enabled:
            return
        pct = int(100 * min(done / self.total, 1.0))
        if pct != self._last_pct and (pct % 5 == 0 or pct == 100):
            self._last_pct = pct
            end = "\n" if pct == 100 else "\r" if sys.stderr.isatty() else "\n"
            print(f"{self.label}: {pct:3d}%", end=end, file=sys.stderr, flush=True)
