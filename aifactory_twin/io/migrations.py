"""Step-by-step migrations of raw scenario dicts from older schema versions to the current one.

Version policy:

- ``SCHEMA_VERSION`` (in ``aifactory_twin.schema.scenario``) is bumped whenever a released file
  would no longer validate as-is: a field renamed, removed, re-typed or given a new meaning. Adding
  an optional field with a default that keeps old behaviour needs no bump.
- Each bump adds one function ``MIGRATIONS[n]`` that turns a version-``n`` dict into a
  version-``n + 1`` dict. Migrations work on plain dicts (never on schema objects, which only know
  the current shape), take a deep copy of what they change, and never drop information silently.
- Each released version keeps a golden file ``tests/data/scenario_v<n>.aift.json`` that must load
  forever; the test suite loads every one of them through the whole chain.

Loading migrates the dict from its version up to the current one, one step at a time, so a
version-1 file read by a version-4 build passes through 1→2, 2→3 and 3→4 in order.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.schema.scenario import SCHEMA_VERSION

Migration = Callable[[dict[str, Any]], dict[str, Any]]

MIGRATIONS: dict[int, Migration] = {}
"""from-version → function producing the dict at from-version + 1. Empty while the format is v1."""

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Migration", "current_version", "migrate"]


def current_version() -> int:
    """The version this build writes; read at call time so tests can monkeypatch it."""
    return SCHEMA_VERSION


def oldest_readable_version() -> int:
    """The oldest version from which an unbroken chain of migrations reaches the current one."""
    version = current_version()
    while version - 1 in MIGRATIONS:
        version -= 1
    return version


def migrate(data: dict[str, Any], version: int, file: str = "") -> dict[str, Any]:
    """Bring ``data`` (a raw dict at ``version``) to the current version, one step at a time.

    Raises ScenarioError when a step is missing or a migration fails on malformed old data; the
    input dict is never modified.
    """
    target = current_version()
    if version == target:
        return data
    if version > target:  # callers check this first; kept so migrate() is safe on its own
        raise ScenarioError([_newer_problem(version, target, file)])
    oldest = oldest_readable_version()
    if version < oldest:
        raise ScenarioError(
            [
                Problem(
                    file=file,
                    path="schema_version",
                    message=(
                        f"version {version} is too old for this build, which reads versions "
                        f"{oldest} to {target}"
                    ),
                )
            ]
        )
    current = copy.deepcopy(data)
    for step in range(version, target):
        migration = MIGRATIONS[step]
        try:
            current = migration(current)
        except ScenarioError:
            raise
        except Exception as exc:
            # Old files may be malformed in ways the migration did not foresee; the user must
            # see which step failed, not a KeyError traceback.
            raise ScenarioError(
                [
                    Problem(
                        file=file,
                        path="schema_version",
                        message=(
                            f"cannot migrate from version {step} to {step + 1}: "
                            f"{type(exc).__name__}: {exc}"
                        ),
                    )
                ]
            ) from exc
        if not isinstance(current, dict):
            raise ScenarioError(
                [
                    Problem(
                        file=file,
                        path="",
                        message=f"migration {step}→{step + 1} did not produce an object",
                    )
                ]
            )
        current["schema_version"] = step + 1
    return current


def _newer_problem(version: int, target: int, file: str) -> Problem:
    return Problem(
        file=file,
        path="schema_version",
        message=(
            f"written by a newer aifactory-twin (version {version}); "
            f"this build reads up to {target}"
        ),
    )


def newer_version_problem(version: int, file: str = "") -> Problem:
    """The problem reported for a file from a newer build."""
    return _newer_problem(version, current_version(), file)
