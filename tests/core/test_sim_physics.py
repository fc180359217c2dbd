"""Engine physics: energy balance, rack power from the catalog, PUE by cooling, cooling failure."""

from __future__ import annotations

import numpy as np
import pytest
from test_sim_builders import hall

from aifactory_twin.catalog import preset_node
from aifactory_twin.schema import Scenario, ScheduledEvent, Settings, TrainingJob
from aifactory_twin.sim import STATUS_NAMES, Engine, compile_scenario


def _run(sc: Scenario, seed: int = 0) -> Engine:
    eng = Engine(compile_scenario(sc), seed=seed)
    eng.run()
    return eng


def _cdu_outage(step_s: float = 15.0) -> Scenario:
    events = [
        ScheduledEvent(time_s=3600.0, kind="fail_unit", target="cdu", magnitude=1),
        ScheduledEvent(time_s=7200.0, kind="restore_unit", target="cdu", magnitude=1),
    ]
    return hall("dlc", racks=4, events=events, settings={"horizon_s": 4 * 3600.0, "step_s": step_s})


@pytest.mark.parametrize("step_s", [15.0, 300.0, 3600.0])
def test_energy_balance_holds_over_a_run_with_an_outage(step_s: float) -> None:
    eng = _run(_cdu_outage(step_s))
    s = eng.state.thermal
    heat_in = s.heat_in_j
    removed = s.heat_removed_j
    stored = float(np.sum(s.heat_cap_node * (s.temp_c - s.temp0_c)))
    assert heat_in > 0
    assert abs(heat_in - removed - stored) / heat_in <= 1e-6
    # The outage really stored heat at some point (the balance is not trivially 0 = 0).
    assert eng.recorder.series("heat_in_kw").max() > eng.recorder.series("heat_removed_kw").min()


def test_nvl72_rack_at_full_training_load_draws_120_to_132_kw() -> None:
    rack = preset_node("gb200_nvl72", "nvl72")
    cdu = preset_node("cdu", "cdu")
    from test_sim_builders import edge

    sc = Scenario(
        settings=Settings(horizon_s=3600.0, step_s=300.0),
        nodes=[rack, cdu],
        edges=[edge("coolant", "cdu", "nvl72")],
        workloads=[TrainingJob(id="job", accelerators_requested=72)],
    )
    eng = _run(sc)
    power_kw = eng.node_state()["power_kw"][eng.node_ids.index("nvl72")]
    assert 120.0 <= power_kw <= 132.0
    assert eng.kpis()["mean_utilization"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("cooling", "lo", "hi"),
    [("air", 1.35, 1.6), ("dlc", 1.08, 1.25), ("immersion", 1.03, 1.10)],
)
def test_pue_emerges_by_cooling_type(cooling: str, lo: float, hi: float) -> None:
    kpis = _run(hall(cooling, racks=8)).kpis()
    assert lo <= kpis["pue"] <= hi
    assert kpis["facility_energy_mwh"] > kpis["it_energy_mwh"] > 0


def test_air_hall_spends_more_cooling_energy_than_liquid_for_the_same_work() -> None:
    air = _run(hall("air", racks=8)).kpis()
    imm = _run(hall("immersion", racks=8)).kpis()
    # Immersed servers run without their fans, 8 % of an air-cooled server's power (§3.2).
    assert imm["it_energy_mwh"] == pytest.approx(
        air["it_energy_mwh"] - air["server_fan_energy_mwh"], rel=1e-9
    )
    assert air["cooling_energy_mwh"] > 3 * imm["cooling_energy_mwh"]


def test_cooling_failure_heats_throttles_shuts_down_and_recovers() -> None:
    eng = _run(_cdu_outage(15.0))
    rec = eng.recorder
    t = rec.times_s
    temp = rec.series("max_temp_c")
    before = temp[t <= 3600.0].max()
    during = temp[(t > 3600.0) & (t <= 7200.0)]
    assert during.max() > before + 20.0
    kinds = [(e.kind, e.time_s) for e in eng.events if e.node_id == "rack"]
    throttle = [ts for k, ts in kinds if k == "thermal_throttle"]
    shutdown = [ts for k, ts in kinds if k == "shutdown"]
    assert throttle and shutdown
    assert 3600.0 < throttle[0] <= shutdown[0] < 7200.0
    up = rec.series("gpus_up")
    assert up[(t > shutdown[0]) & (t < 7200.0)].max() == 0.0
    assert up[-1] == up[0] > 0
    assert temp[-1] == pytest.approx(before, abs=0.5)
    assert STATUS_NAMES[int(eng.node_state()["status"][eng.node_ids.index("rack")])] == "up"
    job = eng.kpis()["jobs"][0]
    assert job["interruptions"] >= 1


def test_heat_wave_raises_chiller_power() -> None:
    base = hall("air", racks=8, settings={"horizon_s": 6 * 3600.0, "step_s": 600.0})
    wave = base.model_copy(
        update={"events": [ScheduledEvent(time_s=0.0, kind="heat_wave", magnitude=10.0)]}
    )
    cool_base = _run(base).kpis()["cooling_energy_mwh"]
    cool_wave = _run(wave).kpis()["cooling_energy_mwh"]
    assert cool_wave > cool_base * 1.05
