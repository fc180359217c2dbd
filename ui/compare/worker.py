"""Run a study off the GUI thread: a QThread drives the runner, signals bring results back.

The runs themselves execute in worker processes (the runner's); this thread only submits,
collects and forwards progress, so the window stays responsive and Cancel takes effect after
the batches already running (about a second each).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from aifactory_twin.errors import TwinError
from aifactory_twin.study import Runner, StudyCancelled, make_runner

RunnerFactory = Callable[[int], Runner]
"""n_runs → a runner; the window's default is a spawn process pool (or Dask if configured)."""


def default_runner_factory(scheduler: str = "", workers: int | None = None) -> RunnerFactory:
    """Process pool sized to the work, or Dask when ``scheduler`` is ``local`` or an address."""

    def make(n_runs: int) -> Runner:
        if scheduler:
            return make_runner(workers=workers or 2, scheduler=scheduler)
        import os

        return make_runner(workers=max(1, min(workers or os.cpu_count() or 1, n_runs)))

    return make


class StudyWorker(QObject):
    """Runs ``job(runner, progress, cancel)`` in a QThread; one job at a time."""

    progressed = Signal(int, int)
    finished = Signal(str, object)  # study kind, result
    failed = Signal(str, str)  # study kind, message (cancel → "cancelled")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._cancel = threading.Event()

    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def start(
        self,
        kind: str,
        n_runs: int,
        job: Callable[..., Any],
        runner_factory: RunnerFactory,
    ) -> None:
        if self.busy:
            raise RuntimeError("a study is already running")
        self._cancel = threading.Event()
        cancel = self._cancel

        def body() -> None:
            try:
                with runner_factory(n_runs) as runner:
                    result = job(
                        runner=runner,
                        progress=lambda d, t: self.progressed.emit(d, t),
                        cancel=cancel,
                    )
            except StudyCancelled:
                self.failed.emit(kind, "cancelled")
            except TwinError as exc:
                self.failed.emit(kind, str(exc))
            except Exception as exc:  # shown in the window, never a crash of the GUI
                self.failed.emit(kind, f"{type(exc).__name__}: {exc}")
            else:
                self.finished.emit(kind, result)

        thread = _FnThread(body)
        self._thread = thread
        thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, ms: int = 30000) -> bool:
        """Block until the current job ends (tests, window close)."""
        thread = self._thread
        if thread is None:
            return True
        return bool(thread.wait(ms))


class _FnThread(QThread):
    """A QThread running one function (PySide6 does not bind QThread.create)."""

    def __init__(self, fn: Callable[[], None]) -> None:
        super().__init__()
        self._fn = fn

    def run(self) -> None:
        self._fn()
