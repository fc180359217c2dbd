"""Where the shipped scenes and assets are: beside the package in a checkout, else installed."""

from __future__ import annotations

import sys
from pathlib import Path

_CHECKOUT_ROOT = Path(__file__).resolve().parent.parent
_INSTALLED_ROOT = Path(sys.prefix) / "share" / "aifactory-twin"


def data_root() -> Path:
    """The folder that holds ``scenes/`` and ``assets/``."""
    if (_CHECKOUT_ROOT / "scenes").is_dir():
        return _CHECKOUT_ROOT
    return _INSTALLED_ROOT


def scenes_dir() -> Path:
    return data_root() / "scenes"


def assets_dir() -> Path:
    return data_root() / "assets"


def scene_templates() -> dict[str, Path]:
    """Template name (file name without ``.aift.json``) → path, sorted by name."""
    folder = scenes_dir()
    found = sorted(folder.glob("*.aift.json")) if folder.is_dir() else []
    return {p.name.removesuffix(".aift.json"): p for p in found}
