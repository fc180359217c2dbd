"""Per-step shortcuts (fast paths, memos) give bit-identical results to the full computation."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scenes_dir
from aifactory_twin.schema import ScheduledEvent
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.sim.models import thermal as th
from aifactory_twin.sim.recorder import SERIES
from aifactory_twin.sim.stages import power, thermal
from aifactory_twin.sim.stages.handoff import N_STEP_ARRAYS

N_RACKS = 6
_temps = arrays(np.float64, N_RACKS, elements=st.floats(10.0, 120.0))
_watts = arrays(np.float64, N_RACKS, elements=st.floats(0.0, 2e5))


@settings(max_examples=200, deadline=None)
@given(temp=_temps, q_in=_watts, cap=_watts, scale=st.floats(0.5, 20.0), dt=st.floats(1.0, 7200.0))
def test_rc_step_matches_every_regime_evaluated(
    temp: np.ndarray, q_in: np.ndarray, cap: np.ndarray, scale: float, dt: float
) -> None:
    supply = np.full(N_RACKS, 25.0)
    heat_cap = np.full(N_RACKS, 4e5)
    # Scale the capacity so some cases sit all in the proportional regime (the fast path) and
    # others mix saturated, cold and implicit (infinite) racks.
    cap_w = cap * scale
    cap_w[0] = np.inf
    new, removed = th.rc_step(temp, q_in, cap_w, supply, heat_cap, dt)
    finite = np.isfinite(cap_w)
    cap0 = np.where(finite, cap_w, 0.0)
    t_star = np.where(finite, supply + (cap0 - q_in) / (heat_cap / th.RACK_TAU_S), np.inf)
    ref_new, ref_removed = th.rc_step_general(temp, q_in, cap0, t_star, supply, heat_cap, dt)
    assert np.array_equal(new, ref_new)
    assert np.array_equal(removed, ref_removed)


@settings(max_examples=200, deadline=None)
@given(
    rack_t=arrays(np.float64, N_RACKS, elements=st.floats(20.0, 60.0)),
    gpu_w=arrays(np.float64, N_RACKS, elements=st.floats(0.0, 1500.0)),
    prev=arrays(np.int8, N_RACKS, elements=st.sampled_from([0, 0, 0, 1, 2])),
    prev_hard=arrays(np.bool_, N_RACKS),
)
def test_junction_status_matches_every_rule_evaluated(
    rack_t: np.ndarray, gpu_w: np.ndarray, prev: np.ndarray, prev_hard: np.ndarray
) -> None:
    r_th = np.full(N_RACKS, 0.03)
    supply = np.full(N_RACKS, 25.0)
    max_op, slow, shut = np.full(N_RACKS, 85.0), np.full(N_RACKS, 90.0), np.full(N_RACKS, 95.0)
    got = th.junction_status(rack_t, gpu_w, r_th, supply, max_op, slow, shut, prev, prev_hard)
    tj = rack_t + gpu_w * r_th
    ref = th.junction_status_general(tj, rack_t, supply, max_op, slow, shut, prev, prev_hard)
    pairs: list[tuple[np.ndarray, np.ndarray]] = list(zip(got, ref, strict=True))
    for a, b in pairs:
        assert a.dtype == b.dtype
        assert np.array_equal(a, b)


def _run_cluster(seed: int) -> tuple[Engine, dict[str, Any]]:
    scenario = load_scenario(scenes_dir() / "training-cluster-1k.aift.json")
    events = [
        # A chiller outage and a heat wave move the plant off its fixed point and back.
        ScheduledEvent(time_s=86400.0, kind="fail_unit", target="chiller", duration_s=6 * 3600.0),
        ScheduledEvent(time_s=1.5 * 86400.0, kind="heat_wave", magnitude=8.0, duration_s=43200.0),
    ]
    scenario = scenario.model_copy(update={"events": list(scenario.events) + events})
    eng = Engine(compile_scenario(scenario, horizon_s=3 * 86400.0, step_s=900.0), seed=seed)
    eng.run()
    out: dict[str, Any] = {name: eng.recorder.series(name).copy() for name in SERIES}
    out["kpis"] = eng.kpis()
    out["nodes"] = [eng.node_history(i) for i in eng.node_ids]
    out["events"] = list(eng.events)
    return eng, out


@pytest.mark.parametrize("seed", [0, 5])
def test_memoized_run_is_bit_identical_to_recomputing(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    eng, memoized = _run_cluster(seed)
    # The memos were really used (otherwise this test would compare a run with itself).
    grant, plant = eng.state.thermal.cache.grant, eng.state.power.cache.plant_memo
    assert (grant is not None and grant.entries) or (plant is not None and plant.entries)
    assert len(eng.state.thermal.cache.weather) > 1
    monkeypatch.setattr(thermal, "GRANT_MEMO_MAX", 0)
    monkeypatch.setattr(thermal, "WEATHER_MEMO_MAX", 0)
    monkeypatch.setattr(power, "PLANT_MEMO_MAX", 0)
    plain_eng, plain = _run_cluster(seed)
    grant, plant = plain_eng.state.thermal.cache.grant, plain_eng.state.power.cache.plant_memo
    assert grant is None or not grant.entries
    assert plant is None or not plant.entries
    assert memoized["kpis"] == plain["kpis"]
    assert memoized["events"] == plain["events"]
    for name in SERIES:
        assert np.array_equal(memoized[name], plain[name]), name
    for a, b in zip(memoized["nodes"], plain["nodes"], strict=True):
        for key in a:
            assert np.array_equal(a[key], b[key]), key


def test_arrays_handed_between_stages_refuse_in_place_writes() -> None:
    """The memos trust that a handed-over array is replaced, never edited: editing one fails."""
    eng, _ = _run_cluster(0)
    s = eng.state
    placement = s.work.placement
    cap = s.work.cache.capacity
    rack_block = s.it_power.cache.rack
    heat_block = s.thermal.cache.heat
    assert placement is not None and cap is not None and rack_block is not None
    assert heat_block is not None and s.view_inputs is not None
    handed = {
        "units up": s.availability.up(),
        "arrived": s.availability.arrived,
        "headcount": s.staff.headcount,
        "capacity free": cap.free,
        "placement": placement.train,
        "placement entries": placement.train_racks.gpus,
        "placement racks": placement.train_racks.rack,
        "rack power": rack_block.rack_kw,
        "rack pace": rack_block.slow,
        "rack temperature": s.thermal.temp_c,
        "junction temperature": s.thermal.tj_c,
        "thermal status": s.thermal.status,
        "COP now": s.thermal.cop_now,
        "collector heat": heat_block.col_heat_j,
        "supply factor": s.power.supply_factor,
        "fabric bandwidth": s.work.rack_bw,
        "job wants": s.work.jobs.wants(eng.time_s, 0)[0],
        **{f"view input {k}": a for k, a in enumerate(s.view_inputs[:N_STEP_ARRAYS])},
        "node values": s.values()[0],
    }
    for name, arr in handed.items():
        assert arr.size, name
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = arr[0]
        with pytest.raises(ValueError, match="read-only"):
            arr += 0
    # Owners still edit their own arrays (through the writable base), and readers see it.
    before = float(s.staff.headcount[0])
    assert s.staff.lose(0, 1.0, eng.time_s)
    assert s.staff.headcount[0] == before - 1.0
    # node_state() hands out copies the caller may edit.
    state = eng.node_state()
    state["units_up"][0] = -1.0
    assert s.availability.up()[0] != -1.0
