"""Importing every core module in a fresh interpreter loads no Qt, pyqtgraph or ``ui``.

An in-process check is useless under pytest-qt, which has already imported Qt, so the check
runs in a subprocess. import-linter enforces the same rule statically; this catches dynamic
imports it cannot see.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent.parent / "aifactory_twin"

FORBIDDEN = ("PySide6", "shiboken6", "pyqtgraph", "ui")

PROBE = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys
    import aifactory_twin

    imported, failed = [], {}
    for info in pkgutil.walk_packages(aifactory_twin.__path__, "aifactory_twin."):
        if info.name == "aifactory_twin.__main__":
            continue  # runs the CLI and exits; its imports are the cli package's
        try:
            importlib.import_module(info.name)
            imported.append(info.name)
        except Exception as exc:
            failed[info.name] = f"{type(exc).__name__}: {exc}"
    forbidden = sorted(
        name for name in sys.modules
        if name.split(".")[0] in FORBIDDEN
    )
    print(json.dumps({"imported": imported, "failed": failed, "forbidden": forbidden}))
    """
)


def test_core_modules_import_without_qt() -> None:
    code = f"FORBIDDEN = {FORBIDDEN!r}\n" + PROBE
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["failed"] == {}, report["failed"]
    assert report["forbidden"] == [], report["forbidden"]
    # The walk covered every module on disk (a folder without __init__.py would be skipped).
    on_disk = {
        ".".join(
            ("aifactory_twin", *p.relative_to(PACKAGE_DIR).with_suffix("").parts)
        ).removesuffix(".__init__")
        for p in PACKAGE_DIR.rglob("*.py")
    }
    on_disk -= {"aifactory_twin", "aifactory_twin.__main__"}
    assert on_disk <= set(report["imported"]), sorted(on_disk - set(report["imported"]))
