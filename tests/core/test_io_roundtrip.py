"""Golden file, load → save → load round-trips, byte-stable saves and the .bak backup."""

from __future__ import annotations

import json
import os
import stat
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from strategies import scenarios

from aifactory_twin.errors import ScenarioError
from aifactory_twin.io import (
    dumps_scenario,
    load_scenario,
    loads_scenario,
    save_scenario,
)
from aifactory_twin.schema import (
    SCHEMA_VERSION,
    AcceleratorSpec,
    ComputeRack,
    CoolingUnit,
    InferenceService,
    PowerFeed,
    Scenario,
    TrainingJob,
    Ups,
)


def test_golden_v1_loads_to_known_structure(golden_path: Path) -> None:
    scenario = load_scenario(golden_path)
    assert scenario.meta.name == "Golden v1 factory"
    assert scenario.settings.start_time == datetime(2027, 3, 1)
    assert scenario.settings.seed == 42
    assert scenario.settings.ambient.mean_c == 21.5
    kinds = [(n.id, type(n).__name__) for n in scenario.nodes]
    assert kinds == [
        ("feed-1", "PowerFeed"),
        ("ups-1", "Ups"),
        ("pdu-1", "Pdu"),
        ("rack-h100", "ComputeRack"),
        ("rack-custom", "ComputeRack"),
        ("crah-1", "CoolingUnit"),
        ("cdu-1", "CoolingUnit"),
        ("chiller-1", "CoolingUnit"),
        ("ib-leaf", "NetworkSwitch"),
        ("lake", "Storage"),
        ("ops", "StaffTeam"),
        ("mlops", "StaffTeam"),
        ("burst", "CloudBurst"),
    ]
    nodes = scenario.node_by_id()
    feed = nodes["feed-1"]
    assert isinstance(feed, PowerFeed)
    assert [p.start_hour for p in feed.price.time_of_use] == [0, 8, 20]
    ups = nodes["ups-1"]
    assert isinstance(ups, Ups) and len(ups.efficiency_curve) == 3
    custom = nodes["rack-custom"]
    assert isinstance(custom, ComputeRack)
    assert isinstance(custom.accelerator, AcceleratorSpec)
    assert custom.accelerator.tdp_w == 1000.0
    assert custom.delivery.lead_time_days == 90.0
    chiller = nodes["chiller-1"]
    assert isinstance(chiller, CoolingUnit) and chiller.cop == 5.5
    assert chiller.delivery.delivery_date == date(2027, 2, 15)
    edge_kinds = sorted({e.kind for e in scenario.edges})
    assert edge_kinds == ["coolant", "data", "network", "power", "support"]
    assert len(scenario.edges) == 24
    train, chat = scenario.workloads
    assert isinstance(train, TrainingJob) and train.checkpoint.mode == "fixed"
    assert isinstance(chat, InferenceService) and chat.placement == ["any"]
    assert [v.name for v in scenario.variants] == ["hot summer", "liquid-everywhere"]
    assert scenario.variants[0].overrides[0].value == 30.5
    assert [e.kind for e in scenario.events] == [
        "fail_unit",
        "heat_wave",
        "price_spike",
        "staff_departure",
    ]


def test_round_trip_equal_and_byte_stable(golden_path: Path, tmp_path: Path) -> None:
    original = load_scenario(golden_path)
    first = tmp_path / "a.aift.json"
    save_scenario(original, first)
    reloaded = load_scenario(first)
    assert reloaded == original
    second = tmp_path / "b.aift.json"
    save_scenario(reloaded, second)
    assert first.read_bytes() == second.read_bytes()


def test_dumps_is_canonical(golden_path: Path) -> None:
    text = dumps_scenario(load_scenario(golden_path))
    assert text.endswith("}\n")
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert data["format"] == "aifactory-twin-scenario"
    assert data["schema_version"] == SCHEMA_VERSION


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_random_scenarios_round_trip(scenario: Scenario) -> None:
    text = dumps_scenario(scenario)
    again = loads_scenario(text, check_rules=False)
    assert again == scenario
    assert dumps_scenario(again) == text


def test_unicode_names_survive(tmp_path: Path) -> None:
    scenario = Scenario.model_validate(
        {"meta": {"name": "Rechenzentrum Süd — 東京 🚀"}, "nodes": [{"kind": "ups", "id": "u"}]}
    )
    path = tmp_path / "u.aift.json"
    save_scenario(scenario, path)
    assert load_scenario(path) == scenario
    assert "東京" in path.read_text(encoding="utf-8")


def test_save_keeps_previous_as_bak(tmp_path: Path) -> None:
    path = tmp_path / "f.aift.json"
    first = Scenario.model_validate({"meta": {"name": "first"}})
    second = Scenario.model_validate({"meta": {"name": "second"}})
    third = Scenario.model_validate({"meta": {"name": "third"}})
    save_scenario(first, path)
    assert not (tmp_path / "f.aift.json.bak").exists()
    save_scenario(second, path)
    assert load_scenario(tmp_path / "f.aift.json.bak").meta.name == "first"
    save_scenario(third, path)
    assert load_scenario(path).meta.name == "third"
    assert load_scenario(tmp_path / "f.aift.json.bak").meta.name == "second"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_save_keeps_file_permissions(tmp_path: Path) -> None:
    path = tmp_path / "f.aift.json"
    save_scenario(Scenario(), path)
    os.chmod(path, 0o640)
    save_scenario(Scenario(), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_save_into_missing_folder_is_a_scenario_error(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "f.aift.json"
    with pytest.raises(ScenarioError) as info:
        save_scenario(Scenario(), target)
    assert str(target) in str(info.value) and "cannot save" in str(info.value)


def test_document_snapshot_saves_like_validated_scenario(golden_path: Path) -> None:
    from aifactory_twin.document import FactoryDocument

    scenario = load_scenario(golden_path)
    snapshot = FactoryDocument(scenario).scenario  # built with model_construct
    assert dumps_scenario(snapshot) == dumps_scenario(scenario)


def test_save_through_symlink_updates_the_real_file(tmp_path: Path) -> None:
    real = tmp_path / "real.aift.json"
    link = tmp_path / "link.aift.json"
    save_scenario(Scenario.model_validate({"meta": {"name": "one"}}), real)
    link.symlink_to(real)
    save_scenario(Scenario.model_validate({"meta": {"name": "two"}}), link)
    assert link.is_symlink()
    assert load_scenario(real).meta.name == "two"
    assert load_scenario(tmp_path / "real.aift.json.bak").meta.name == "one"


def test_save_onto_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot save"):
        save_scenario(Scenario(), tmp_path)
