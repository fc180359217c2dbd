"""Write scenario files atomically, keeping the previous version as ``<file>.bak``.

A crash or ``kill -9`` at any moment leaves either the old file or the new one at the target path,
never a half-written mix: the bytes go to a temporary file in the same folder (same file system,
so ``os.replace`` is atomic), are flushed and fsync'ed, and only then replace the target.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path

from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.schema import Scenario

BACKUP_SUFFIX = ".bak"


def dumps_scenario(scenario: Scenario) -> str:
    """Canonical text of a scenario: two-space indent, sorted keys, trailing newline.

    Every field is written, defaults included, so a file means the same thing when a later build
    changes a default. Output is deterministic: saving twice gives identical bytes.
    """
    data = scenario.model_dump(mode="json")
    try:
        text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    except ValueError as exc:  # a NaN slipped in through model_construct
        raise ScenarioError([Problem(path="", message=f"cannot save: {exc}")]) from None
    return text + "\n"


def save_scenario(scenario: Scenario, path: str | Path) -> None:
    """Atomically write ``scenario`` to ``path``; an existing file is kept as ``path + '.bak'``."""
    try:
        payload = dumps_scenario(scenario).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ScenarioError(
            [Problem(file=str(path), path="", message=f"cannot save: text is not UTF-8 ({exc})")]
        ) from None
    write_bytes_atomic(path, payload, keep_backup=True)


def write_bytes_atomic(path: str | Path, payload: bytes, *, keep_backup: bool = False) -> None:
    """Write ``payload`` to ``path`` through a fsync'ed temp file and ``os.replace``.

    With ``keep_backup`` an existing file is first preserved as ``path + '.bak'``. OS failures
    (missing folder, no permission, disk full) raise ScenarioError naming the file.
    """
    target = Path(path)
    name = str(path)
    if target.is_symlink():
        # Replace the file the link points to, not the link (os.replace would swap the link out).
        target = target.resolve()
    folder = target.parent
    try:
        old_mode = _existing_mode(target)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _save_error(name, exc) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; keep the old file's permissions, or the usual ones for a new file.
        os.chmod(tmp, old_mode if old_mode is not None else 0o666 & ~_umask())
        if keep_backup and old_mode is not None:
            _keep_backup(target)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise _save_error(name, exc) from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(folder)


def _keep_backup(target: Path) -> None:
    """Make ``target.bak`` a copy of the current file, itself atomically (never a partial .bak)."""
    backup = target.with_name(target.name + BACKUP_SUFFIX)
    fd, staging_name = tempfile.mkstemp(prefix=f".{backup.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    staging = Path(staging_name)
    try:
        try:
            # A hard link costs nothing and is exactly the old bytes; os.replace on the target
            # next gives the target a new inode, so the link keeps the old content.
            staging.unlink()
            os.link(target, staging)
        except OSError:
            shutil.copy2(target, staging)
            with staging.open("rb+") as handle:
                os.fsync(handle.fileno())
        os.replace(staging, backup)
    except BaseException:
        with contextlib.suppress(OSError):
            staging.unlink()
        raise


def _existing_mode(target: Path) -> int | None:
    try:
        info = target.stat()
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise IsADirectoryError(0, "not a regular file", str(target))
    return stat.S_IMODE(info.st_mode)


def _umask() -> int:
    """The process umask, read without os.umask(), which would change it for every thread."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022  # the common default where /proc is unavailable


def _fsync_dir(folder: Path) -> None:
    """Persist the rename itself; not possible on every platform (Windows), so best effort."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def _save_error(name: str, exc: OSError) -> ScenarioError:
    reason = exc.strerror or str(exc)
    return ScenarioError([Problem(file=name, path="", message=f"cannot save: {reason}")])
