"""Package layout that pyproject.toml cannot express: the top-level data folders as subpackages.

The project keeps ``scenes/`` and ``assets/`` at the top of the repository (a fixed layout rule),
but an installed copy must find them with ``importlib.resources`` wherever it lands (a venv, a
``--user`` base, any ``--prefix``). Mapping each folder onto a subpackage does both: the wheel
ships them as ``aifactory_twin/scenes`` and ``ui/assets``, and an editable install maps the same
names back onto the top-level folders. ``find_packages`` stays, so a new code subpackage needs
no edit here. Everything else (metadata, dependencies, scripts) lives in pyproject.toml.
"""

from setuptools import find_packages, setup

# Data subpackage → the top-level folder it is built from.
DATA_PACKAGES = {"aifactory_twin.scenes": "scenes", "ui.assets": "assets"}

setup(
    packages=[
        *find_packages(include=["aifactory_twin", "aifactory_twin.*", "ui", "ui.*"]),
        *DATA_PACKAGES,
        "ui.assets.icons",  # a folder of data only, listed so setuptools ships it as such
    ],
    package_dir=DATA_PACKAGES,
    package_data={"aifactory_twin.scenes": ["*.aift.json"], "ui.assets.icons": ["*.svg"]},
)
