"""Test-wide setup: Qt runs offscreen (no display on CI), set before anything imports Qt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# A loaded 2-core CI machine makes single examples slow now and then; a per-example deadline
# would turn that into a flaky failure, so only correctness is asserted.
settings.register_profile(
    "aifactory-twin", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("aifactory-twin")

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "tests" / "data"


@pytest.fixture
def data_dir() -> Path:
    """``tests/data``: golden files per schema version and the ``broken/`` folder."""
    return DATA_DIR


@pytest.fixture
def golden_path() -> Path:
    """The hand-written golden file of schema version 1."""
    return DATA_DIR / "scenario_v1.aift.json"
