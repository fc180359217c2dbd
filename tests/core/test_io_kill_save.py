"""kill -9 during save never corrupts the file: the target always holds a complete scenario."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from aifactory_twin.io import load_scenario, save_scenario
from aifactory_twin.schema import ComputeRack, Meta, Scenario

RACKS = 4000  # ≈ 3 MB of JSON: a save takes a few hundred ms, so kills land mid-write
KILLS = 5

# The child saves two different large scenarios alternately, announcing each save on stdout.
CHILD = textwrap.dedent(
    """
    import sys
    from aifactory_twin.io import save_scenario
    from aifactory_twin.schema import ComputeRack, Meta, Scenario

    target, racks = sys.argv[1], int(sys.argv[2])
    versions = [
        Scenario(meta=Meta(name=name), nodes=[ComputeRack(id=f"r{i}") for i in range(racks)])
        for name in ("A", "B")
    ]
    print("ready", flush=True)
    i = 0
    while True:
        print("saving", flush=True)
        save_scenario(versions[i % 2], target)
        i += 1
    """
)


def _check_intact(path: Path) -> str:
    scenario = load_scenario(path, check_rules=False)
    assert scenario.meta.name in {"A", "B", "initial"}
    assert len(scenario.nodes) == RACKS
    return scenario.meta.name


@pytest.mark.slow
def test_kill_during_save_leaves_original_intact(tmp_path: Path) -> None:
    target = tmp_path / "factory.aift.json"
    initial = Scenario(
        meta=Meta(name="initial"), nodes=[ComputeRack(id=f"r{i}") for i in range(RACKS)]
    )
    save_scenario(initial, target)
    rng = random.Random(1234)
    seen: set[str] = set()
    for _ in range(KILLS):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(target), str(RACKS)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
            # Let one or two saves start, then kill at a random moment inside the next one.
            for _ in range(rng.randint(1, 2)):
                assert child.stdout.readline().strip() == "saving"
            time.sleep(rng.uniform(0.0, 0.4))
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.kill()
            child.wait(timeout=30)
            if child.stdout is not None:
                child.stdout.close()
        assert child.returncode == -signal.SIGKILL
        seen.add(_check_intact(target))
        backup = target.with_name(target.name + ".bak")
        if backup.exists():
            _check_intact(backup)
    # The child really saved (the file changed away from the initial content at least once).
    assert seen & {"A", "B"}
