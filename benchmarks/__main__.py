"""Run every ``benchmarks/bench_*.py`` and print its figures.

Usage: ``python -m benchmarks [name-substring ...]``. Each benchmark runs in its own interpreter
(``python -m benchmarks.bench_x``) so peak-memory figures are its own and one crash does not
hide the others. Nothing here is part of the unit tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    names = sorted(p.stem for p in here.glob("bench_*.py"))
    wanted = [n for n in names if not argv or any(a in n for a in argv)]
    status = 0
    for name in wanted:
        print(f"== {name}", flush=True)
        done = subprocess.run([sys.executable, "-m", f"benchmarks.{name}"], cwd=here.parent)
        if done.returncode:
            print(f"!! {name} exited with {done.returncode}", flush=True)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
