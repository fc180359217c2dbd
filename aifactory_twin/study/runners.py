"""Where runs execute: in this process, a standard-library process pool, or a Dask cluster.

Every runner streams ``(index, RunResult)`` pairs as batches finish, calls ``progress(done,
total)`` after each, and stops submitting when ``cancel`` is set (batches already running finish;
queued ones are cancelled). Work is batched so one task takes about ``target_task_s`` (a second by
default): the first tasks carry one run each, and their measured run time sizes the rest — short
runs are grouped so scheduling overhead stays small, long runs stay alone so cancel is quick.

The process pool uses the ``spawn`` start method (specs and results are plain picklable data),
so it behaves the same on Linux, macOS and Windows and never forks a process holding Qt state.
Dask is an optional extra (``pip install aifactory-twin[cluster]``); ``scheduler="local"``
starts a LocalCluster bound to 127.0.0.1 only.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from aifactory_twin.errors import UsageError
from aifactory_twin.study.runs import RunFailure, RunResult, RunSpec, StudyError, execute_batch

ProgressFn = Callable[[int, int], None]
Batch = list[tuple[int, RunSpec]]


class StudyCancelled(Exception):  # noqa: N818 - an outcome, not a fault
    """Raised by ``Runner.imap`` when ``cancel`` was set before every run finished."""


class Runner:
    """Base runner: batching, streaming, progress and cancel; subclasses submit and wait."""

    n_workers: int = 1
    target_task_s: float = 1.0
    max_in_flight_per_worker: int = 2
    max_batch: int | None = None
    """At most this many runs per task (None: sized by ``target_task_s``); 1 sends each run
    alone, the dispatch the benchmark compares batching with."""

    # ----------------------------------------------------------- subclass hooks
    def _submit(self, batch: Batch) -> Any:
        raise NotImplementedError

    def _wait_any(self, futures: Sequence[Any], timeout_s: float) -> list[Any]:
        raise NotImplementedError

    def _cancel(self, futures: Sequence[Any]) -> None:
        for future in futures:
            future.cancel()

    def close(self) -> None:
        """Release workers; the runner cannot be used afterwards."""

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- driver
    def imap(
        self,
        specs: Sequence[RunSpec],
        *,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[tuple[int, RunResult]]:
        """Run every spec; yield ``(index into specs, result)`` in completion order."""
        total = len(specs)
        pending: deque[tuple[int, RunSpec]] = deque(enumerate(specs))
        in_flight: dict[Any, int] = {}  # future → number of runs in it
        batch_size = 1
        calibrated = total <= 2 * self.n_workers  # few runs: one per task, no grouping
        done = 0

        def refill() -> None:
            capacity = self.n_workers * (1 if not calibrated else self.max_in_flight_per_worker)
            while pending and len(in_flight) < capacity:
                size = batch_size if calibrated else 1
                batch = [pending.popleft() for _ in range(min(size, len(pending)))]
                in_flight[self._submit(batch)] = len(batch)

        refill()
        try:
            while in_flight:
                if cancel is not None and cancel.is_set():
                    raise StudyCancelled(f"cancelled after {done} of {total} runs")
                for future in self._wait_any(list(in_flight), 0.2):
                    in_flight.pop(future)
                    items: list[tuple[int, RunResult | RunFailure]] = future.result()
                    for index, item in items:
                        if isinstance(item, RunFailure):
                            label = specs[index].label or f"run {index}"
                            if item.user_error:
                                raise StudyError(f"{label}: {item.message}")
                            raise RuntimeError(f"{label}: {item.message}")
                        if not calibrated:
                            batch_size = batch_size_for(
                                item.elapsed_s, len(pending), self.n_workers, self.target_task_s
                            )
                            if self.max_batch is not None:
                                batch_size = max(1, min(batch_size, self.max_batch))
                            calibrated = True
                        done += 1
                        if progress is not None:
                            progress(done, total)
                        yield index, item
                refill()
        finally:
            if in_flight:
                self._cancel(list(in_flight))

    def run_all(
        self,
        specs: Sequence[RunSpec],
        *,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
    ) -> list[RunResult]:
        """Every result, in the order of ``specs``."""
        results: list[RunResult | None] = [None] * len(specs)
        for index, result in self.imap(specs, progress=progress, cancel=cancel):
            results[index] = result
        return [r for r in results if r is not None]


def batch_size_for(run_s: float, remaining: int, n_workers: int, target_task_s: float) -> int:
    """Runs per task so a task takes about ``target_task_s``, yet every worker gets work.

    Capped at an even share of what is left, so the last worker is not idle while one task
    holds many runs.
    """
    by_time = max(1, int(target_task_s / max(run_s, 1e-6)))
    fair_share = max(1, math.ceil(remaining / max(n_workers, 1)))
    return max(1, min(by_time, fair_share))


class SerialRunner(Runner):
    """Runs in this process, one batch at a time: tests, tiny studies, and debugging."""

    def _submit(self, batch: Batch) -> cf.Future[Any]:
        future: cf.Future[Any] = cf.Future()
        future.set_result(execute_batch(batch))
        return future

    def _wait_any(self, futures: Sequence[Any], timeout_s: float) -> list[Any]:
        return list(futures[:1])


class ProcessRunner(Runner):
    """A standard-library process pool (spawn) with ``n_workers`` processes."""

    def __init__(self, n_workers: int | None = None) -> None:
        self.n_workers = max(1, n_workers or os.cpu_count() or 1)
        self._pool = cf.ProcessPoolExecutor(
            max_workers=self.n_workers, mp_context=multiprocessing.get_context("spawn")
        )

    def _submit(self, batch: Batch) -> cf.Future[Any]:
        return self._pool.submit(execute_batch, batch)

    def _wait_any(self, futures: Sequence[Any], timeout_s: float) -> list[Any]:
        finished, _ = cf.wait(futures, timeout=timeout_s, return_when=cf.FIRST_COMPLETED)
        return list(finished)

    def close(self) -> None:
        """Shut the pool down, cancelling runs not yet started."""
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskRunner(Runner):
    """A Dask cluster: ``scheduler`` is an address such as ``tcp://host:8786`` or ``"local"``.

    A scheduler runs pickled code from anyone who reaches it; point at one only over TLS or a
    private network (see the README), and note the local cluster binds to 127.0.0.1 only.
    """

    def __init__(self, scheduler: str = "local", n_workers: int | None = None) -> None:
        try:
            import distributed
        except ImportError:
            raise UsageError(
                "--scheduler needs Dask: pip install 'aifactory-twin[cluster]'"
            ) from None
        # distributed ships no type hints for these; keep them Any rather than scatter ignores.
        dist: Any = distributed
        self._cluster: Any = None
        if scheduler == "local":
            self._cluster = dist.LocalCluster(
                n_workers=max(1, n_workers or 2),
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                scheduler_port=0,
                dashboard_address=None,
                silence_logs=40,
            )
            self._client: Any = dist.Client(self._cluster)
        else:
            try:
                self._client = dist.Client(scheduler, timeout="10s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise UsageError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
        workers = self._client.scheduler_info().get("workers", {})
        self.n_workers = max(1, len(workers))

    def _submit(self, batch: Batch) -> Any:
        return self._client.submit(execute_batch, batch, pure=False)

    def _wait_any(self, futures: Sequence[Any], timeout_s: float) -> list[Any]:
        import distributed

        dist: Any = distributed
        try:
            finished, _ = dist.wait(list(futures), timeout=timeout_s, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return []
        return list(finished)

    def _cancel(self, futures: Sequence[Any]) -> None:
        self._client.cancel(list(futures))

    def close(self) -> None:
        """Close the client, and the local cluster when this runner made one."""
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_runner(
    *, workers: int | None = None, scheduler: str | None = None, serial: bool = False
) -> Runner:
    """The runner the options ask for: serial, Dask (scheduler given) or the process pool."""
    if serial:
        return SerialRunner()
    if scheduler:
        return DaskRunner(scheduler, workers)
    return ProcessRunner(workers)
