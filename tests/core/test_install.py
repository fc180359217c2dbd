"""A built wheel finds its scenes and icons wherever pip puts it.

The sample scenes and the UI's icons are package data (setup.py maps the top-level ``scenes/``
and ``assets/`` folders onto ``aifactory_twin.scenes`` and ``ui.assets``). This builds the real
wheel, installs it with ``pip install --user`` into a temporary user base and with ``--prefix``
into a temporary prefix, and asks a fresh interpreter in each to list the templates, load one and
render icons through the same functions the app uses. Before the change both installs found no
templates (the data went to ``<base>/share`` while the code looked under ``sys.prefix``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# What the wheel is built from; copied so the build leaves no build/ folder in the checkout.
SOURCES = ("pyproject.toml", "setup.py", "README.md", "aifactory_twin", "ui", "scenes", "assets")

# --ignore-installed: without it pip "upgrades" by uninstalling the checkout's editable install
# from this venv before writing the copy into the temporary prefix.
INSTALL_FLAGS = ("--no-deps", "--no-index", "--ignore-installed", "-q")

PROBE = textwrap.dedent(
    """
    import json
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication([])
    from aifactory_twin import resources
    from aifactory_twin.io import load_scenario
    from ui import resources as ui_resources

    templates = resources.scene_templates()
    starter = load_scenario(templates["starter-lab"])
    print(json.dumps({
        "core": resources.__file__,
        "ui": ui_resources.__file__,
        "templates": sorted(templates),
        "starter_nodes": len(starter.nodes),
        "kind_pixmap_px": ui_resources.kind_pixmap("compute_rack", 32).width(),
        "tool_icon_null": ui_resources.tool_icon("save").isNull(),
    }))
    """
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, src / name)
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)])
    (built,) = out.glob("aifactory_twin-*.whl")
    return built


def _run(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd, timeout=300)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _probe(python: str, env: dict[str, str], cwd: Path) -> dict[str, object]:
    """Run PROBE in a fresh interpreter outside the checkout (so only the install is found)."""
    env = {**env, "QT_QPA_PLATFORM": "offscreen", "HOME": str(cwd)}
    result: dict[str, object] = json.loads(_run([python, "-c", PROBE], env=env, cwd=cwd))
    return result


def _assert_found(result: dict[str, object], installed_under: Path) -> None:
    assert str(result["core"]).startswith(str(installed_under)), result
    assert str(result["ui"]).startswith(str(installed_under)), result
    shipped = sorted(p.name.removesuffix(".aift.json") for p in (REPO / "scenes").glob("*.json"))
    assert result["templates"] == shipped
    assert isinstance(result["starter_nodes"], int) and result["starter_nodes"] > 0
    assert result["kind_pixmap_px"] == 32
    assert result["tool_icon_null"] is False


def _deps_path() -> str:
    """This environment's site-packages, for the third-party deps (--no-deps installs)."""
    return sysconfig.get_paths()["purelib"]


def test_user_install_finds_templates_and_icons(wheel: Path, tmp_path: Path) -> None:
    base_python = getattr(sys, "_base_executable", sys.executable)
    user_base = tmp_path / "userbase"
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONUSERBASE": str(user_base)}
    # --user is refused inside a venv, so pip installs for the base interpreter (--python).
    pip = [sys.executable, "-m", "pip", "--python", base_python, "install", "--user"]
    _run([*pip, *INSTALL_FLAGS, str(wheel)], env={**os.environ, **env})
    # The deps come from this venv on PYTHONPATH; it holds no copy of the two packages (an
    # editable install is a .pth hook, and PYTHONPATH folders get no .pth processing).
    result = _probe(base_python, {**env, "PYTHONPATH": _deps_path()}, tmp_path)
    _assert_found(result, user_base)


def test_prefix_install_finds_templates_and_icons(wheel: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--prefix",
            str(prefix),
            *INSTALL_FLAGS,
            str(wheel),
        ]
    )
    (init,) = prefix.rglob("aifactory_twin/__init__.py")
    site = init.parent.parent
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.pathsep.join([str(site)])}
    # This venv's interpreter: the install on PYTHONPATH wins over the editable checkout, whose
    # finder only answers after the path search.
    result = _probe(sys.executable, env, tmp_path)
    _assert_found(result, prefix)
