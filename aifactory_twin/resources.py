"""The shipped sample scenes, found with ``importlib.resources`` in a checkout and in any install.

``scenes/`` is the package ``aifactory_twin.scenes`` (setup.py maps the top-level folder onto it),
so a wheel installed into a venv, a ``--user`` base or any ``--prefix`` carries its scenes along;
an editable install maps the same name back onto the checkout's folder.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

SCENES_PACKAGE = "aifactory_twin.scenes"


def package_folder(package: str) -> Path:
    """The folder of data package ``package``.

    Wheels install unpacked, so the resource root is a real folder; a zipped import (which would
    need ``importlib.resources.as_file``) is refused with a clear message instead of failing later.
    """
    root = files(package)
    if not isinstance(root, Path):
        raise RuntimeError(f"{package} is not installed as a folder ({root!r}); reinstall unzipped")
    return root


def scenes_dir() -> Path:
    """The folder of the sample scenes."""
    return package_folder(SCENES_PACKAGE)


def scene_templates() -> dict[str, Path]:
    """Template name (file name without ``.aift.json``) → path, sorted by name."""
    found = sorted(scenes_dir().glob("*.aift.json"))
    return {p.name.removesuffix(".aift.json"): p for p in found}
