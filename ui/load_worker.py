"""The part of opening a file that runs in a worker process: read, parse, migrate, validate.

Kept free of Qt so the spawned process starts fast (it imports only the core). A bad file
comes back as the ScenarioError itself (it pickles with its problems).
"""

from __future__ import annotations

from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.io import load_scenario
from aifactory_twin.schema import Scenario


def load_for_editor(path: str) -> Scenario:
    """Load a scenario for editing: schema errors refuse the file, rule findings do not.

    A factory with (say) an unpowered rack must still open, so the user can fix it; the
    validation dock shows those findings live.
    """
    return load_scenario(path, check_rules=False)


def worker_load(path: str) -> Scenario | ScenarioError:
    """The scenario, or the ScenarioError saying why not; never raises."""
    try:
        return load_for_editor(path)
    except ScenarioError as exc:
        return exc
    except Exception as exc:  # anything else still becomes a dialog, not a dead worker
        return ScenarioError([Problem("", f"cannot open: {exc}", path)])
