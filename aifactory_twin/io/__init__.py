"""Scenario files: atomic save, bounded strict load, migrations and exports (``*.aift.json``)."""

from __future__ import annotations

from aifactory_twin.io.load import (
    MAX_FILE_BYTES,
    MAX_NESTING_DEPTH,
    load_scenario,
    loads_scenario,
    parse_document,
)
from aifactory_twin.io.save import BACKUP_SUFFIX, dumps_scenario, save_scenario

__all__ = [
    "BACKUP_SUFFIX",
    "MAX_FILE_BYTES",
    "MAX_NESTING_DEPTH",
    "dumps_scenario",
    "load_scenario",
    "loads_scenario",
    "parse_document",
    "save_scenario",
]
