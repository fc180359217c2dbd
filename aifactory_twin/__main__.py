"""``python -m aifactory_twin`` runs the CLI."""

from __future__ import annotations

from aifactory_twin.cli import console_main

console_main()
