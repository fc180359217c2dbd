"""Benchmarks: ``python -m benchmarks`` runs every ``bench_*.py`` and prints its figures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def case_main(module: str, cases: dict[str, Callable[[], dict[str, Any]]], key_width: int) -> int:
    """A benchmark module's ``main``: ``--case NAME`` runs one case and prints its JSON; else
    the cases named on the command line (default: all) each run in their own interpreter."""
    import json
    import sys

    if len(sys.argv) > 2 and sys.argv[1] == "--case":
        print(json.dumps(cases[sys.argv[2]]()))
        return 0
    chosen = [a for a in sys.argv[1:] if a in cases] or list(cases)
    return run_cases(module, chosen, key_width)


def run_cases(module: str, names: list[str], key_width: int) -> int:
    """Run each case of ``module`` in its own interpreter (``--case NAME``) and print its figures.

    The case prints one JSON object as its last line; a failing case is reported and the
    others still run. Returns 1 if any case failed.
    """
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    status = 0
    for name in names:
        done = subprocess.run(
            [sys.executable, "-m", module, "--case", name],
            cwd=root,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            print(f"{name}: failed\n{done.stderr}", flush=True)
            status = 1
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"-- {result.pop('case')}")
        for key, value in result.items():
            print(f"   {key:<{key_width}} {value}")
        sys.stdout.flush()
    return status
