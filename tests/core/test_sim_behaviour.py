"""Engine behaviour: fabric and storage limits, ops staffing, determinism, live edits."""

from __future__ import annotations

import numpy as np
import pytest
from test_sim_builders import hall, with_inference

from aifactory_twin.catalog import preset_node
from aifactory_twin.schema import Scenario, ScheduledEvent
from aifactory_twin.sim import Engine, compile_scenario


def _run(sc: Scenario, seed: int = 0) -> Engine:
    eng = Engine(compile_scenario(sc), seed=seed)
    eng.run()
    return eng


def _progress(sc: Scenario) -> float:
    return float(_run(sc).kpis()["jobs"][0]["progress"])


def test_missing_or_undersized_fabric_slows_a_multi_rack_job() -> None:
    full = _progress(hall("air", racks=128))
    none = _progress(hall("air", racks=128, fabric=False))
    small = hall("air", racks=128)
    one_switch = [
        preset_node("ib_ndr_switch", "ib", count=1) if n.id == "ib" else n for n in small.nodes
    ]
    undersized = _progress(small.model_copy(update={"nodes": one_switch}))
    assert none < 0.8 * full
    assert undersized < 0.9 * full


def test_undersized_storage_slows_a_job_through_checkpoint_stalls() -> None:
    fast = _progress(hall("air", racks=8, storage_gbs=500.0))
    slow = _progress(hall("air", racks=8, storage_gbs=0.01))
    assert slow < 0.9 * fast


def _stressed(ops: int) -> Scenario:
    # 50x the catalog failure rate so a 3-day run sees hundreds of incidents (a stress test).
    sc = hall(
        "air",
        racks=256,
        ops_headcount=ops,
        settings={"horizon_s": 3 * 86400.0, "step_s": 600.0, "automation_level": 0.0},
    )
    racks = [
        n.model_copy(update={"failure_rate_per_gpu_hour": 1e-3}) if n.id == "rack" else n
        for n in sc.nodes
    ]
    return sc.model_copy(update={"nodes": racks})


def _mttr_h(eng: Engine) -> float:
    """Little's law: mean failed units / failure rate = mean time to repair."""
    rec = eng.recorder
    failed_unit_h = float(np.sum(rec.series("gpus_failed")) / 8.0 * eng.compiled.step_s / 3600.0)
    return failed_unit_h / max(eng.kpis()["incidents"], 1)


def test_halving_the_ops_team_lengthens_repairs_and_lowers_availability() -> None:
    full = _run(_stressed(24), seed=3)
    half = _run(_stressed(12), seed=3)
    assert full.kpis()["incidents"] > 100
    assert _mttr_h(half) > 1.5 * _mttr_h(full)
    assert half.kpis()["availability"] < full.kpis()["availability"] - 0.01


def test_no_ops_team_falls_back_to_slow_vendor_repairs() -> None:
    stressed = _stressed(0)
    unsupported = stressed.model_copy(
        update={"edges": [e for e in stressed.edges if e.kind != "support"]}
    )
    vendor = _run(unsupported, seed=3)
    staffed = _run(_stressed(24), seed=3)
    assert _mttr_h(vendor) > 3 * _mttr_h(staffed)


def test_same_seed_same_results_and_other_seed_differs() -> None:
    sc = _stressed(12).model_copy(
        update={"settings": _stressed(12).settings.model_copy(update={"horizon_s": 86400.0})}
    )
    a, b, c = _run(sc, seed=7), _run(sc, seed=7), _run(sc, seed=8)
    for name in a.recorder.names:
        assert np.array_equal(a.recorder.series(name), b.recorder.series(name)), name
    assert a.events == b.events
    assert a.kpis() == b.kpis()
    assert not np.array_equal(a.recorder.series("gpus_failed"), c.recorder.series("gpus_failed"))


def test_inject_fails_units_at_the_next_tick_and_restore_brings_them_back() -> None:
    eng = Engine(compile_scenario(hall("air", racks=8)), seed=0)
    eng.step()
    eng.inject(ScheduledEvent(time_s=0.0, kind="fail_unit", target="rack", magnitude=3))
    eng.step()
    assert eng.node_state()["units_up"][eng.node_ids.index("rack")] == 5
    eng.inject(ScheduledEvent(time_s=0.0, kind="restore_unit", target="rack", magnitude=3))
    eng.step()
    assert eng.node_state()["units_up"][eng.node_ids.index("rack")] == 8
    assert [e.kind for e in eng.events].count("injected") == 2


def test_update_parameters_swaps_values_and_refuses_topology_changes() -> None:
    sc = hall("air", racks=8)
    eng = Engine(compile_scenario(sc), seed=0)
    eng.run(until_s=3600.0)
    before = eng.recorder.last("it_power_kw")
    cheaper = [
        n.model_copy(update={"host_overhead_w": 1000.0}) if n.id == "rack" else n for n in sc.nodes
    ]
    eng.update_parameters(sc.model_copy(update={"nodes": cheaper}))
    eng.step()
    assert eng.recorder.last("it_power_kw") < before
    with pytest.raises(ValueError, match="topology"):
        eng.update_parameters(sc.model_copy(update={"nodes": sc.nodes[:-1]}))


def test_inference_is_served_and_priced() -> None:
    kpis = _run(with_inference(hall("air", racks=8))).kpis()
    assert kpis["inference_tokens"] == pytest.approx(10000.0 * 86400.0)
    assert kpis["cost_per_million_tokens_usd"] > 0
    assert kpis["joules_per_token"] > 0


def test_node_history_and_state_have_the_documented_shape() -> None:
    eng = _run(hall("air", racks=8))
    state = eng.node_state()
    assert set(state) == {"temp_c", "utilization", "power_kw", "status", "units_up", "units_failed"}
    assert all(v.shape == (len(eng.node_ids),) for v in state.values())
    hist = eng.node_history("rack")
    assert hist["times_s"].size == hist["temp_c"].size > 0
    with pytest.raises(KeyError):
        eng.node_history("nope")


def test_events_naming_unknown_or_wrong_nodes_are_refused_with_the_field() -> None:
    from aifactory_twin.errors import ScenarioError

    bad = hall("air", events=[ScheduledEvent(time_s=60.0, kind="fail_unit", target="ghost")])
    with pytest.raises(ScenarioError, match=r"events\[0\]\.target.*ghost"):
        compile_scenario(bad)
    eng = Engine(compile_scenario(hall("air")), seed=0)
    with pytest.raises(ScenarioError, match="staff_team"):
        eng.inject(ScheduledEvent(time_s=0.0, kind="staff_departure", target="rack"))


def test_staff_departure_dips_headcount_until_the_hiring_lead_time() -> None:
    sc = hall(
        "air",
        settings={"horizon_s": 150 * 86400.0, "step_s": 86400.0},
        events=[ScheduledEvent(time_s=86400.0, kind="staff_departure", target="ops", magnitude=3)],
    )
    # No background attrition, so the dip is the event alone.
    nodes = [
        n.model_copy(update={"annual_attrition": 0.0}) if n.kind == "staff_team" else n  # type: ignore[attr-defined]
        for n in sc.nodes
    ]
    eng = _run(sc.model_copy(update={"nodes": nodes}))
    heads = eng.recorder.series("headcount")
    lead_days = 105  # catalog team_facilities hiring lead time
    assert heads[0] == heads.max()
    assert heads[1] == heads[0] - 3
    assert heads[lead_days] == heads[0] - 3
    assert heads[lead_days + 2] == heads[0]
    kpis = eng.kpis()
    assert kpis["talent_retention"] < 1.0
    assert [e.kind for e in eng.events].count("staff_left") == 1


def test_stepping_past_the_horizon_grows_the_series_and_done_stays_true() -> None:
    sc = hall("air", racks=8, settings={"horizon_s": 3600.0, "step_s": 600.0})
    eng = Engine(compile_scenario(sc), seed=0)
    seen: list[float] = []
    eng.run(progress=seen.append)
    assert eng.done and eng.recorder.n == 6 and seen[-1] == 3600.0
    eng.run(until_s=3 * 3600.0)
    assert eng.done and eng.recorder.n == 18
    assert np.all(np.diff(eng.recorder.times_s) == 600.0)


def test_node_state_is_readable_between_a_parameter_edit_and_the_next_step() -> None:
    from aifactory_twin.io import load_scenario
    from aifactory_twin.resources import scenes_dir
    from aifactory_twin.sim import Engine, compile_scenario

    scenario = load_scenario(scenes_dir() / "starter-lab.aift.json")
    compiled = compile_scenario(scenario, horizon_s=3600.0, step_s=300.0)
    reference, edited_engine = Engine(compiled, seed=0), Engine(compiled, seed=0)
    reference.step()
    edited_engine.step()
    edited = scenario.model_copy(
        update={"settings": scenario.settings.model_copy(update={"automation_level": 0.9})}
    )
    edited_engine.update_parameters(edited)
    # Nothing has stepped under the new parameters yet: the view is still the last step's.
    after = edited_engine.node_state()
    assert after["power_kw"].tolist() == reference.node_state()["power_kw"].tolist()
    edited_engine.step()
    assert edited_engine.node_state()["power_kw"].sum() > 0
