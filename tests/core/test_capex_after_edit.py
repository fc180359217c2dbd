"""Investment after a mid-run count edit equals a fresh run of the edited factory (issue 15)."""

from __future__ import annotations

import pytest

from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scenes_dir
from aifactory_twin.schema import Scenario
from aifactory_twin.sim import Engine, compile_scenario

DAY_S = 86400.0


def _with_count(scenario: Scenario, node_id: str, count: int) -> Scenario:
    nodes = [
        n.model_copy(update={"count": count}) if n.id == node_id else n for n in scenario.nodes
    ]
    return scenario.model_copy(update={"nodes": nodes})


@pytest.mark.parametrize("count", [16, 48])
def test_capex_after_a_count_edit_equals_a_fresh_run(count: int) -> None:
    scenario = load_scenario(scenes_dir() / "air-vs-liquid.aift.json")
    edited = _with_count(scenario, "racks", count)
    live = Engine(compile_scenario(scenario, horizon_s=DAY_S, step_s=300.0))
    for _ in range(10):
        live.step()
    before = live.kpis()["capex_usd"]
    live.update_parameters(edited)
    for _ in range(10):
        live.step()
    fresh = Engine(compile_scenario(edited, horizon_s=DAY_S, step_s=300.0))
    for _ in range(20):
        fresh.step()
    assert live.kpis()["capex_usd"] == pytest.approx(fresh.kpis()["capex_usd"], rel=1e-12)
    assert live.kpis()["capex_usd"] != before


def test_an_edit_that_changes_nothing_leaves_capex_bit_identical() -> None:
    scenario = load_scenario(scenes_dir() / "air-vs-liquid.aift.json")
    live = Engine(compile_scenario(scenario, horizon_s=DAY_S, step_s=300.0))
    for _ in range(5):
        live.step()
    before = live.kpis()["capex_usd"]
    live.update_parameters(scenario)
    assert live.kpis()["capex_usd"] == before
