"""Per-run memos of the step (issue 13, Monte Carlo step cost): each equals what it replaces.

The step keeps a few answers while their inputs hold: the clock hour (calendar and outdoor
air), the ledger's feed prices per (hour, multiplier, series rows), the seasons stage's plant
rates per plant block, the staff's plain attrition terms, the next inference and dataset times
of ``quiet_span``, and a scheduler gate set to what it already was. Each test compares a memo
with the computation it saves, fresh, on the inputs a run meets and on edge cases (odd start
times, ticks a microsecond from an hour's end, year and month ends, price spikes). Whole runs
are pinned against fixed stepping in ``test_quiet_stretches.py`` and against the
pre-memo engine by the baseline scenes (``/work/baseline/compare.sh``).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np
import pytest
from test_quiet_stretches import DAY, _run, _with, assert_same_run

from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scene_templates
from aifactory_twin.schema import ScheduledEvent
from aifactory_twin.sim import Engine, compile_scenario, quiet
from aifactory_twin.sim.engine_state import EngineState
from aifactory_twin.sim.models import economics as eco
from aifactory_twin.sim.models import reliability as rel
from aifactory_twin.sim.models import staff as stf
from aifactory_twin.sim.models import thermal as th
from aifactory_twin.sim.stages.ledger import Ledger


def _clock_by_datetime(s: EngineState, t: float) -> tuple[object, ...]:
    """The clock hour of ``t`` as the step computed it before the memo (datetimes)."""
    c = s.c
    st = c.start_time + timedelta(seconds=t)
    start = st.replace(minute=0, second=0, microsecond=0)
    end_s = (start + timedelta(hours=1) - c.start_time).total_seconds() - 1e-6
    amb = c.scenario.settings.ambient
    if c.weather is None:
        dry = eco.ambient_c(amb.mean_c, amb.daily_amplitude_c, amb.peak_hour, float(st.hour))
        outdoor: tuple[float, float] = (dry, dry - th.WET_BULB_DEPRESSION_K)
    else:
        year_start = start.replace(month=1, day=1, hour=0)
        outdoor = c.weather.at((start - year_start).total_seconds())
    return ((start - c.start_time).total_seconds(), end_s, st.hour, st.weekday(),
            (st.year, st.month), outdoor)  # fmt: skip


@pytest.mark.parametrize(
    ("scene", "start"),
    [
        ("starter-lab", datetime(2027, 12, 31, 22, 59, 59, 999_999)),
        ("starter-lab", datetime(2027, 1, 31, 23, 7, 30)),
        ("air-vs-liquid-climates", datetime(2027, 12, 31, 21, 0, 0)),
        ("air-vs-liquid-climates", datetime(2028, 2, 28, 23, 0, 0, 250_000)),
    ],
)
def test_clock_hour_equals_the_datetime_calendar(scene: str, start: datetime) -> None:
    sc = _with(load_scenario(scene_templates()[scene]), start_time=start)
    state = Engine(compile_scenario(sc, horizon_s=3 * DAY, step_s=60.0)).state
    gen = np.random.default_rng(7)
    # Times in order, as a run asks them: steps of odd lengths, hour ends ± a few µs.
    times = np.sort(np.concatenate([gen.random(400) * 3 * DAY, np.arange(0.0, 3 * DAY, 3600.0)]))
    first_end = _clock_by_datetime(state, 0.0)[1]
    assert isinstance(first_end, float)
    edges = [first_end + 3600.0 * h + d for h in range(70) for d in (-2e-6, -1e-6, 0.0, 1e-6, 2e-6)]
    for t in sorted([*times.tolist(), *edges, 0.0]):
        clock = state.clock_hour(t)
        start_s, end_s, hour, weekday, year_month, outdoor = _clock_by_datetime(state, t)
        assert (clock.start_s, clock.end_s, clock.hour, clock.weekday, clock.year_month) == (
            start_s, end_s, hour, weekday, year_month
        ), t  # fmt: skip
        if state.c.weather is None:
            assert clock.outdoor[0] == outdoor[0]  # the wet bulb follows the heat waves
        else:
            assert clock.outdoor == outdoor


def test_hour_steps_from_an_off_hour_start_match_fixed_stepping_at_1_s_and_1_h() -> None:
    sc = load_scenario(scene_templates()["starter-lab"])
    sc = _with(sc, start_time=datetime(2027, 3, 31, 23, 59, 59, 500_000))
    for step_s, horizon_s in ((1.0, 2 * 3600.0), (3600.0, 3 * DAY)):
        c = compile_scenario(sc, horizon_s=horizon_s, step_s=step_s)
        assert_same_run(_run(c, fast=False), _run(c, fast=True))


def test_feed_prices_kept_per_hour_and_multiplier_equal_a_fresh_ledger() -> None:
    sc = load_scenario(scene_templates()["training-cluster-1k"])
    c = compile_scenario(sc, horizon_s=2 * DAY, step_s=900.0)
    eng = Engine(c, seed=1)
    eng.inject(ScheduledEvent(time_s=0.0, kind="price_spike", target="", magnitude=3.0,
                              duration_s=5 * 3600.0))  # fmt: skip
    eng.run()
    ledger = eng.state.ledger
    assert len(ledger.cache.prices) >= 24 + 5  # each hour, and the spike's hours
    for (hour, mult, _rows), (prices, carbon, mean_p, mean_c) in ledger.cache.prices.items():
        fresh = Ledger(c, 0.0)._grid_now(0.0, int(hour), float(mult))
        assert np.array_equal(prices, fresh[0]) and np.array_equal(carbon, fresh[1])
        assert (mean_p, mean_c) == fresh[2:]
        assert not prices.flags.writeable and not carbon.flags.writeable


def test_seasons_rates_kept_per_plant_block_equal_a_fresh_computation() -> None:
    sc = load_scenario(scene_templates()["air-vs-liquid"])
    c = compile_scenario(sc, "air", horizon_s=3 * DAY, step_s=900.0)
    eng = Engine(c, seed=0)
    seasons = eng.state.seasons
    most_alive = 0
    chill = c.plant.is_chiller
    while not eng.done:
        eng.step()
        # The memo's references are weak: only the blocks the power stage still holds count.
        alive = [(ref(), *rest) for ref, *rest in seasons._rates.values() if ref() is not None]
        most_alive = max(most_alive, len(alive))
        for pb, free_share, econ_water, rates in alive:
            assert pb is not None
            heat = pb.unit_heat_kw
            kw = float(np.sum(heat[chill]))
            share = float(free_share[chill] @ heat[chill]) / kw if kw > 0 else 0.0
            econ = float(heat @ econ_water) if econ_water is not None else 0.0
            assert rates == (share, econ, float(heat @ seasons.tower_wue))
    assert most_alive > 1


def test_plain_attrition_draw_equals_the_model_draw() -> None:
    sc = load_scenario(scene_templates()["training-cluster-1k"])
    eng = Engine(compile_scenario(sc, horizon_s=DAY, step_s=900.0), seed=4)
    staff = eng.state.staff
    for seed in range(50):
        dt = (60.0, 900.0, 86400.0 * 30)[seed % 3]
        a = np.random.Generator(np.random.PCG64(seed))
        b = np.random.Generator(np.random.PCG64(seed))
        _key, people, p, mean = staff._plain_attrition(dt)
        mine = rel.draw_failures(a, people, p, mean)
        model = stf.departures(b, staff.headcount, eng.compiled.staff.attrition_per_s, dt)
        assert (mine is None) == (model is None)
        assert mine is None or np.array_equal(mine, model)
        assert a.bit_generator.state == b.bit_generator.state
        assert staff.departure_mean(dt) == mean


def test_next_time_kept_while_still_ahead_equals_a_fresh_search() -> None:
    sc = load_scenario(scene_templates()["starter-lab"])
    state = Engine(compile_scenario(sc, horizon_s=DAY, step_s=60.0)).state
    gen = np.random.default_rng(11)
    for _ in range(30):
        times = np.sort(gen.random(int(gen.integers(0, 6))) * 1000.0)
        times = np.concatenate([times, times[:1]])  # ties
        state.next_after = {}
        for t in np.sort(np.concatenate([gen.random(40) * 1200.0, times])).tolist():
            later = times[times > t]
            want = float(later.min()) if later.size else math.inf
            assert quiet._next_after(state, times, t) == want


def test_a_gate_set_to_what_it_was_keeps_the_scheduler_version() -> None:
    sc = load_scenario(scene_templates()["training-cluster-1k"])
    sched = Engine(compile_scenario(sc, horizon_s=DAY, step_s=900.0)).state.work.sched
    n = sched.start_ready.shape[0]
    ready = np.arange(n) % 2 == 0
    sched.set_gate("dataset", ready)
    version, combined = sched.version, sched.start_ready
    assert np.array_equal(combined, ready)
    sched.set_gate("dataset", ready.copy())
    assert sched.version == version and sched.start_ready is combined
    sched.set_gate("other", np.ones(n, dtype=bool))
    assert sched.version == version and np.array_equal(sched.start_ready, ready)
    sched.set_gate("dataset", np.ones(n, dtype=bool))
    assert sched.version == version + 1 and sched.start_ready.all()
