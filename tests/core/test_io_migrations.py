"""The migration mechanism: step-by-step, in order, never mutating the input, clear failures.

The mechanism is tested with fake migrations patched into the registry in front of the real
ones (and, for the multi-step chain, a patched current version); the real 1 → 2 step (site
uplinks to WAN edges) is tested in test_sim_wan.py.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from aifactory_twin.errors import ScenarioError
from aifactory_twin.io import load_scenario, loads_scenario, migrations
from aifactory_twin.schema import SCHEMA_VERSION

DATA = Path(__file__).resolve().parent.parent / "data"


def _v0_to_v1(data: dict[str, Any]) -> dict[str, Any]:
    """A plausible old format: v0 called the scenario name ``title`` at the top level."""
    out = dict(data)
    title = out.pop("title")
    out["meta"] = {**out.get("meta", {}), "name": title}
    return out


def test_registry_covers_every_version_with_a_golden_file() -> None:
    # One golden file per released version, each loadable through the whole chain.
    goldens = sorted(DATA.glob("scenario_v*.aift.json"))
    versions = sorted(int(re.findall(r"_v(\d+)\.", p.name)[0]) for p in goldens)
    assert versions[-1] == SCHEMA_VERSION
    assert versions == list(range(migrations.oldest_readable_version(), SCHEMA_VERSION + 1))
    for path in goldens:
        load_scenario(path)


def test_current_file_passes_through_untouched() -> None:
    data = {"format": "aifactory-twin-scenario", "schema_version": SCHEMA_VERSION}
    assert migrations.migrate(data, SCHEMA_VERSION) is data


def test_fake_v0_migration_runs_on_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migrations, "MIGRATIONS", {0: _v0_to_v1, **migrations.MIGRATIONS})
    raw = {"format": "aifactory-twin-scenario", "schema_version": 0, "title": "Old lab"}
    scenario = loads_scenario(json.dumps(raw))
    assert scenario.meta.name == "Old lab"
    assert scenario.schema_version == SCHEMA_VERSION


def test_steps_run_in_order_without_mutating_input(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def step(n: int) -> migrations.Migration:
        def run(data: dict[str, Any]) -> dict[str, Any]:
            assert data["schema_version"] == n  # each step sees the version it migrates from
            calls.append(n)
            data.setdefault("trail", []).append(n)
            return data

        return run

    monkeypatch.setattr(migrations, "SCHEMA_VERSION", 4)
    monkeypatch.setattr(migrations, "MIGRATIONS", {1: step(1), 2: step(2), 3: step(3)})
    original = {"schema_version": 1, "nested": {"a": [1]}}
    before = copy.deepcopy(original)
    result = migrations.migrate(original, 1)
    assert calls == [1, 2, 3]
    assert result["trail"] == [1, 2, 3] and result["schema_version"] == 4
    assert original == before
    calls.clear()
    assert migrations.migrate({"schema_version": 3}, 3)["trail"] == [3]
    assert calls == [3]


def test_gap_in_chain_reports_too_old(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(migrations, "MIGRATIONS", {2: lambda d: d})
    assert migrations.oldest_readable_version() == 2
    with pytest.raises(ScenarioError, match=r"version 1 is too old .* reads versions 2 to 3"):
        migrations.migrate({"schema_version": 1}, 1, "f.aift.json")


def test_failing_migration_is_a_scenario_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migrations, "MIGRATIONS", {0: _v0_to_v1, **migrations.MIGRATIONS})
    raw = {"format": "aifactory-twin-scenario", "schema_version": 0}  # no "title"
    with pytest.raises(ScenarioError) as info:
        loads_scenario(json.dumps(raw), source="old.aift.json")
    problem = info.value.problems[0]
    assert problem.file == "old.aift.json" and problem.path == "schema_version"
    assert "cannot migrate from version 0 to 1: KeyError" in problem.message


def test_newer_version_message(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = {"format": "aifactory-twin-scenario", "schema_version": SCHEMA_VERSION + 1}
    with pytest.raises(ScenarioError) as info:
        loads_scenario(json.dumps(raw))
    assert info.value.problems[0].message == (
        f"written by a newer aifactory-twin (version {SCHEMA_VERSION + 1}); "
        f"this build reads up to {SCHEMA_VERSION}"
    )


def test_two_to_three_declares_each_racks_figures_for_its_own_mode() -> None:
    """Through ``migrate`` (which gives the step its own dict) the caller's dict is untouched;
    racks get host_power_cooling = their cooling, nothing else changes."""
    data = json.loads((DATA / "scenario_v2.aift.json").read_text(encoding="utf-8"))
    before = copy.deepcopy(data)
    out = migrations.migrate(data, 2)
    assert data == before
    assert out["edges"] == data["edges"]
    for old, new in zip(data["nodes"], out["nodes"], strict=True):
        if old.get("kind") == "compute_rack":
            assert new == {**old, "host_power_cooling": old.get("cooling", "air")}
        else:
            assert new == old


def test_the_loader_hands_its_parsed_dict_to_the_migrations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Loading an old file migrates the dict it parsed in place (``owned``), not a deep copy;
    a caller's own dict is copied first, as before."""
    seen: list[dict[str, Any]] = []
    real = migrations.migrate

    def spy(data: dict[str, Any], version: int, file: str = "", **kw: Any) -> dict[str, Any]:
        seen.append(data)
        result = real(data, version, file, **kw)
        assert kw.get("owned") is True
        return result

    monkeypatch.setattr(migrations, "migrate", spy)
    scenario = load_scenario(DATA / "scenario_v2.aift.json")
    assert seen and scenario.nodes
    original = json.loads((DATA / "scenario_v2.aift.json").read_text(encoding="utf-8"))
    kept = copy.deepcopy(original)
    real(original, 2)
    assert original == kept
