"""``python -m aifactory_twin`` runs the CLI."""

from __future__ import annotations

import sys

from aifactory_twin.cli import main

sys.exit(main())
