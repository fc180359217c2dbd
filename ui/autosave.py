"""Autosave and crash recovery: nothing the user did is ever lost.

Every ``interval`` (60 s by default) a modified document is written to a recovery folder under
the platform's app-data location — never to the user's own file, which is only written on Save.
Each running window holds a QLockFile for its session; a recovery file whose lock can be taken
belongs to a session that died (QLockFile detects a dead owner process), so the next start
offers it. A clean close, or a Save that makes the stack clean, removes the session's files.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QTimer, Signal
from PySide6.QtGui import QUndoStack

from aifactory_twin.document import FactoryDocument
from aifactory_twin.io.save import dumps_scenario, write_bytes_atomic

AUTOSAVE_INTERVAL_MS = 60_000
RECOVERY_SUFFIX = ".recovery.aift.json"


def default_recovery_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".aifactory-twin") / "recovery"


@dataclass(frozen=True)
class RecoveryEntry:
    """A recovery file left behind by a session that did not close cleanly."""

    scenario_path: Path
    original_path: str
    saved_at: float
    title: str

    @property
    def session(self) -> str:
        return self.scenario_path.name.removesuffix(RECOVERY_SUFFIX)


class Autosaver(QObject):
    """Periodic recovery snapshots for one window's document."""

    saved = Signal(str)  # recovery file path

    def __init__(
        self,
        doc: FactoryDocument,
        stack: QUndoStack,
        folder: Path,
        interval_ms: int = AUTOSAVE_INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.doc = doc
        self.stack = stack
        self.folder = folder
        self.session = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.original_path = ""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.lock = QLockFile(str(self.folder / f"{self.session}.lock"))
        self.lock.setStaleLockTime(0)  # stale only when the owner process is gone
        self.lock.tryLock(0)
        self._dirty_since_snapshot = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.snapshot)
        self.timer.start()
        stack.indexChanged.connect(self._on_stack_index_changed)
        stack.cleanChanged.connect(self._on_stack_clean_changed)

    @property
    def scenario_path(self) -> Path:
        return self.folder / f"{self.session}{RECOVERY_SUFFIX}"

    @property
    def meta_path(self) -> Path:
        return self.folder / f"{self.session}.meta.json"

    def _on_stack_index_changed(self, _index: int) -> None:
        self._dirty_since_snapshot = True

    def _on_stack_clean_changed(self, clean: bool) -> None:
        if clean:
            self.discard()  # the user's file now holds everything

    def mark_dirty(self) -> None:
        """A change the stack does not see (a recovered document) still needs snapshots."""
        self._dirty_since_snapshot = True

    def snapshot(self) -> bool:
        """Write the recovery file if the document changed since the last one; True if written."""
        if self.stack.isClean() or not self._dirty_since_snapshot:
            return False
        payload = dumps_scenario(self.doc.scenario).encode("utf-8")
        write_bytes_atomic(self.scenario_path, payload)
        meta = {
            "original_path": self.original_path,
            "saved_at": time.time(),
            "title": self.doc.part("meta").name,
        }
        write_bytes_atomic(self.meta_path, json.dumps(meta).encode("utf-8"))
        self._dirty_since_snapshot = False
        self.saved.emit(str(self.scenario_path))
        return True

    def discard(self) -> None:
        for path in (self.scenario_path, self.meta_path):
            path.unlink(missing_ok=True)

    def close(self) -> None:
        """Clean shutdown: no recovery needed."""
        self.timer.stop()
        self.discard()
        self.lock.unlock()


def orphaned_sessions(folder: Path) -> list[RecoveryEntry]:
    """Recovery files whose session is no longer running, newest first."""
    if not folder.is_dir():
        return []
    out = []
    for path in folder.glob(f"*{RECOVERY_SUFFIX}"):
        session = path.name.removesuffix(RECOVERY_SUFFIX)
        lock = QLockFile(str(folder / f"{session}.lock"))
        lock.setStaleLockTime(0)
        if not lock.tryLock(0):
            continue  # its window is still open
        lock.unlock()
        meta = _read_meta(folder / f"{session}.meta.json")
        out.append(
            RecoveryEntry(
                scenario_path=path,
                original_path=str(meta.get("original_path", "")),
                saved_at=_float(meta.get("saved_at"), path.stat().st_mtime),
                title=str(meta.get("title", "")),
            )
        )
    return sorted(out, key=lambda e: e.saved_at, reverse=True)


def remove_entry(entry: RecoveryEntry) -> None:
    folder = entry.scenario_path.parent
    entry.scenario_path.unlink(missing_ok=True)
    (folder / f"{entry.session}.meta.json").unlink(missing_ok=True)
    (folder / f"{entry.session}.lock").unlink(missing_ok=True)


def _float(value: object, default: float) -> float:
    """``value`` as a number when it is one (a meta file may hold anything), else ``default``."""
    if isinstance(value, int | float | str):
        try:
            return float(value)
        except ValueError:
            return default
    return default


def _read_meta(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
