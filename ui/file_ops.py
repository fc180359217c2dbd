"""Opening files without freezing the window, and the recent-files list.

Small files load in the GUI process (a few milliseconds). Large files are read, parsed and
validated in a worker process: validating a 20 MB file was measured to freeze a GUI thread for
0.7 s even from a QThread (the GIL), so a thread is not enough. The window polls the future on a
timer and shows a busy indicator meanwhile; the open document is untouched until the new one is
complete and valid.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QTimer, Signal

from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.schema import Scenario
from ui.load_worker import load_for_editor, worker_load

# Above this size a file opens in the worker process. Parse + validate ran at ~7 MB/s here
# (frontier-scale, 12.4 MB: 1.6-1.9 s, benchmarks/bench_ui.py), so 1 MB blocks the GUI thread
# for ~0.15 s at most; below that the worker's start-up (~0.4 s) would cost more than it saves.
LARGE_FILE_BYTES = 1_000_000
POLL_MS = 30
MAX_RECENT = 8
SCENARIO_SUFFIX = ".aift.json"


class FileLoader(QObject):
    """Loads scenario files; emits ``loaded`` or ``failed``, never both, once per request."""

    started = Signal(str)
    loaded = Signal(str, object)  # path, Scenario
    failed = Signal(str, object)  # path, ScenarioError
    finished = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.large_file_bytes = LARGE_FILE_BYTES
        self._executor: ProcessPoolExecutor | None = None
        self._future: Future[Scenario | ScenarioError] | None = None
        self._path = ""
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    @property
    def busy(self) -> bool:
        return self._future is not None

    def open(self, path: str) -> None:
        """Start loading ``path``; a second request while one runs is refused (returns early)."""
        if self.busy:
            return
        self._path = path
        self.started.emit(path)
        try:
            size = os.path.getsize(path)
        except OSError as exc:
            self._emit_failure(ScenarioError([Problem("", f"cannot read: {exc.strerror}", path)]))
            return
        if size < self.large_file_bytes:
            try:
                scenario = load_for_editor(path)
            except ScenarioError as exc:
                self._emit_failure(exc)
                return
            self.loaded.emit(path, scenario)
            self.finished.emit()
            return
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )
        self._future = self._executor.submit(worker_load, path)
        self._timer.start()

    def _poll(self) -> None:
        future = self._future
        if future is None or not future.done():
            return
        self._timer.stop()
        self._future = None
        try:
            payload = future.result()
        except Exception as exc:  # the worker died (out of memory, killed)
            self._emit_failure(ScenarioError([Problem("", f"loading failed: {exc}", self._path)]))
            return
        if isinstance(payload, Scenario):
            self.loaded.emit(self._path, payload)
            self.finished.emit()
        else:
            self._emit_failure(payload)

    def _emit_failure(self, error: ScenarioError) -> None:
        self.failed.emit(self._path, error)
        self.finished.emit()

    def wait(self, timeout_s: float = 60.0) -> None:
        """Block until a pending load finishes (screenshot mode, benchmarks, tests)."""
        if self._future is not None:
            self._future.result(timeout=timeout_s)
            self._poll()

    def shutdown(self) -> None:
        self._timer.stop()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        self._future = None


def error_text(error: ScenarioError, limit: int = 12) -> str:
    """The dialog body: one line per problem, field path first."""
    lines = []
    for problem in error.problems[:limit]:
        where = problem.where or "(file)"
        lines.append(f"• {where}: {problem.message}")
    more = len(error.problems) - limit
    if more > 0:
        lines.append(f"… and {more} more")
    return "\n".join(lines)


def recent_files(settings: QSettings) -> list[str]:
    value = settings.value("recent_files", [])
    if isinstance(value, str):  # QSettings gives a one-entry list back as a plain string
        value = [value]
    if not isinstance(value, list | tuple):
        return []
    return [str(v) for v in value if v]


def add_recent_file(settings: QSettings, path: str) -> list[str]:
    resolved = str(Path(path).resolve())
    files = [resolved] + [f for f in recent_files(settings) if f != resolved]
    files = files[:MAX_RECENT]
    settings.setValue("recent_files", files)
    return files


def with_suffix(path: str) -> str:
    """Add ``.aift.json`` unless the name already ends in ``.json``."""
    return path if path.endswith(".json") else path + SCENARIO_SUFFIX


@functools.lru_cache(maxsize=64)
def _scene_title_cached(path: str, _mtime_ns: int) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError:
        return ""
    # The meta block is small but sits after the edges in saved files (keys are sorted), so
    # find it instead of parsing a 12 MB scene to read one name.
    start = data.find(b'"meta"')
    if start < 0:
        return ""
    colon = data.find(b":", start)
    try:
        meta, _end = json.JSONDecoder().raw_decode(data[colon + 1 :].decode("utf-8").lstrip())
    except (ValueError, UnicodeDecodeError):
        return ""
    name = meta.get("name", "") if isinstance(meta, dict) else ""
    return name.strip() if isinstance(name, str) else ""


def scene_title(path: str) -> str:
    """The scenario's own name (its ``meta.name``), or "" if it has none or cannot be read."""
    try:
        mtime_ns = Path(path).stat().st_mtime_ns
    except OSError:
        return ""
    return _scene_title_cached(str(path), mtime_ns)
