"""Screenshot mode with ``--run``: the PNG shows filled charts (pixel variance), not empty axes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

from aifactory_twin.resources import scenes_dir

REPO = Path(__file__).resolve().parents[2]


def _shoot(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    scene = scenes_dir() / "air-vs-liquid.aift.json"
    cmd = [
        sys.executable,
        "-m",
        "ui.app",
        str(scene),
        "--screenshot",
        str(out),
        "--size",
        "1600x1000",
    ]
    return subprocess.run(
        [*cmd, *extra], env=env, cwd=REPO, capture_output=True, text=True, timeout=240
    )


def _chart_region(path: Path) -> np.ndarray:
    """RGB pixels of the charts dock's plot area (bottom-left, see LiveView.size_docks)."""
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    w, h = image.width(), image.height()
    stride = image.bytesPerLine()
    raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * h).reshape(h, stride)
    rgb = raw[:, : w * 3].reshape(h, w, 3).astype(np.int16)
    return rgb[int(h * 0.72) : int(h * 0.95), int(w * 0.05) : int(w * 0.6)]


def _variance(region: np.ndarray) -> float:
    return float(region.mean(axis=2).var())


def _coloured_pixels(region: np.ndarray) -> int:
    # Axes, grid and text are grey; curves are coloured (saturation = max − min channel).
    saturation = region.max(axis=2) - region.min(axis=2)
    return int((saturation > 60).sum())


def test_run_then_screenshot_draws_filled_charts(tmp_path: Path) -> None:
    idle_png, run_png = tmp_path / "idle.png", tmp_path / "run.png"
    idle = _shoot(idle_png)
    assert idle.returncode == 0, idle.stderr
    run = _shoot(run_png, "--run", "1d", "--variant", "air")
    assert run.returncode == 0, run.stderr
    assert run_png.stat().st_size > 10_000
    idle, ran = _chart_region(idle_png), _chart_region(run_png)
    assert _variance(ran) > _variance(idle), (_variance(idle), _variance(ran))
    assert _coloured_pixels(idle) < 200  # before running: empty axes
    assert _coloured_pixels(ran) > 1000, _coloured_pixels(ran)


def test_bad_run_duration_exits_2_without_traceback(tmp_path: Path) -> None:
    result = _shoot(tmp_path / "x.png", "--run", "soon")
    assert result.returncode == 2
    assert "--run" in result.stderr and "Traceback" not in result.stderr
