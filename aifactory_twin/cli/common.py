"""Helpers shared by every CLI command: exit codes, progress (durations: ``formatting``)."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

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


_kept_until_exit: list[Any] | None = None
"""Objects the installed command leaves to the OS (None: in-process callers such as tests)."""


def leave_to_exit(*objects: Any) -> None:
    """Keep ``objects`` alive until the process exits, when the CLI runs as its own process.

    Freeing a big factory's millions of small objects one by one takes seconds to tens of
    seconds after the outputs are written; the command's process hands them to the OS instead
    (``console_main`` ends with ``os._exit``). In-process callers free them as usual.
    """
    if _kept_until_exit is not None:
        _kept_until_exit.extend(objects)


def enable_fast_exit() -> None:
    """From now on ``leave_to_exit`` keeps what it is given (the command's own process only)."""
    global _kept_until_exit
    _kept_until_exit = []


@contextmanager
def kept_out_of_gc() -> Iterator[None]:
    """Build objects that live until the command exits without the cyclic collector seeing them.

    Loading and compiling a big factory make millions of long-lived objects with no reference
    cycles (the scenario's value objects, the compiled edge lists). With the collector paused
    while they are made and then frozen (``gc.freeze``: moved where collections never look),
    the collector no longer scans them all at its next pass (≈2 s of CPU on 40 halls); what
    the run itself makes is collected as usual. Only in the command's own process: a frozen
    object stays frozen for the process's life, which in-process callers should not inherit.
    """
    if _kept_until_exit is None or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
