"""The part of opening a file that runs in a worker process: read, parse, migrate, validate.

Kept free of Qt so the spawned process starts fast (it imports only the core). Errors come back
as plain tuples: ScenarioError does not survive pickling (its constructor takes a problem list,
while pickle replays the message string).
"""

from __future__ import annotations

from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.io import load_scenario
from aifactory_twin.schema import Scenario

ProblemTuple = tuple[str, str, str]


def load_for_editor(path: str) -> Scenario:
    """Load a scenario for editing: schema errors refuse the file, rule findings do not.

    A factory with (say) an unpowered rack must still open, so the user can fix it; the
    validation dock shows those findings live.
    """
    return load_scenario(path, check_rules=False)


def worker_load(path: str) -> tuple[str, Scenario | list[ProblemTuple]]:
    """("ok", scenario) or ("error", [(path, message, file), …]); never raises."""
    try:
        return "ok", load_for_editor(path)
    except ScenarioError as exc:
        return "error", [(p.path, p.message, p.file) for p in exc.problems]
    except Exception as exc:  # anything else still becomes a dialog, not a dead worker
        return "error", [("", f"cannot open: {exc}", path)]


def problems_from_tuples(items: list[ProblemTuple]) -> ScenarioError:
    return ScenarioError([Problem(path=p, message=m, file=f) for p, m, f in items])
