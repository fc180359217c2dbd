"""Event-driven stepping (issue 13): quiet stretches give exactly what fixed stepping gives.

``Engine.run`` repeats a quiet step many times in one call (``sim/quiet.py``). Every test here
runs the same compiled scenario and seed twice, with ``event_steps`` off (one ``step()`` per
tick) and on, and asks for bit-identical KPIs, recorded series, per-node samples, event log and
job table; and that the fast path did skip ticks, so the comparison means something.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import scenarios
from test_sim_builders import hall

from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scene_templates
from aifactory_twin.schema import Scenario, ScheduledEvent
from aifactory_twin.sim import Engine, compile_scenario, quiet
from aifactory_twin.sim.compile import CompiledScenario
from aifactory_twin.sim.models.sequential import Stretch, repeated_sums

DAY = 86400.0
SCENES = sorted(scene_templates())


class Counting:
    """Counts the steps ``repeat_quiet`` skipped and the stretches a random draw cut short."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.repeated = 0
        self.cut = 0
        repeat, draws = quiet.repeat_quiet, quiet.zero_draws

        def counted_repeat(*args: Any) -> tuple[int, float]:
            k, end = repeat(*args)
            self.repeated += k
            return k, end

        def counted_draws(rng: np.random.Generator, thresholds: list[float], k: int) -> int:
            n = draws(rng, thresholds, k)
            self.cut += n < k
            return n

        monkeypatch.setattr(quiet, "repeat_quiet", counted_repeat)
        monkeypatch.setattr(quiet, "zero_draws", counted_draws)


def _run(c: CompiledScenario, fast: bool, seed: int = 0) -> Engine:
    eng = Engine(c, seed=seed, event_steps=fast)
    eng.run()
    return eng


def assert_same_run(a: Engine, b: Engine) -> None:
    """Two runs are bit-identical in everything they report."""
    assert a.step_index == b.step_index and a.time_s == b.time_s
    ka = json.dumps(a.kpis(), sort_keys=True, default=repr)
    kb = json.dumps(b.kpis(), sort_keys=True, default=repr)
    assert ka == kb
    for name in a.recorder.names:
        assert np.array_equal(a.recorder.series(name), b.recorder.series(name)), name
    n = a.recorder.n_node_samples
    assert n == b.recorder.n_node_samples
    for node in (0, a.compiled.n_nodes - 1):
        ha, hb = a.recorder.node_history(node), b.recorder.node_history(node)
        for key, values in ha.items():
            assert np.array_equal(values, hb[key]), key
    assert a.events == b.events
    ta, tb = a.job_table(), b.job_table()
    for field in ("submit_s", "start_s", "end_s", "held"):
        assert np.array_equal(getattr(ta, field), getattr(tb, field), equal_nan=True), field
    assert a.state.thermal.heat_in_j == b.state.thermal.heat_in_j
    assert np.array_equal(a.state.work.jobs.ckpt_flops, b.state.work.jobs.ckpt_flops)
    assert np.array_equal(a.state.work.jobs.since_ckpt_s, b.state.work.jobs.since_ckpt_s)
    assert np.array_equal(
        a.state.availability.repair_progress_h, b.state.availability.repair_progress_h
    )
    assert np.array_equal(a.state.staff.load_h, b.state.staff.load_h)
    assert a.rng.bit_generator.state == b.rng.bit_generator.state


def _with(sc: Scenario, **settings: Any) -> Scenario:
    return sc.model_copy(update={"settings": sc.settings.model_copy(update=settings)})


@pytest.mark.parametrize("name", SCENES)
def test_every_sample_scene_runs_the_same_with_and_without_quiet_stretches(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sc = load_scenario(scene_templates()[name])
    # Long enough for failures, repairs, deliveries and job ends in most scenes, short enough
    # for the suite (the 1-year scenes run 10 days).
    c = compile_scenario(_with(sc, horizon_s=min(sc.settings.horizon_s, 10 * DAY)))
    fixed = _run(c, fast=False)
    seen = Counting(monkeypatch)
    fast = _run(c, fast=True)
    assert_same_run(fixed, fast)
    if c.step_s < 3600.0:  # hourly steps each start a new clock hour: nothing repeats
        assert seen.repeated > fast.step_index // 4


def test_frontier_at_15_s_cuts_stretches_at_failures_on_the_same_tick(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Frontier-scale fails a unit every hour or so: many quiet stretches end at a random draw,
    # and the failure must land on the tick fixed stepping gives it.
    sc = load_scenario(scene_templates()["frontier-scale"])
    c = compile_scenario(sc, horizon_s=12 * 3600.0, step_s=15.0)
    fixed = _run(c, fast=False)
    seen = Counting(monkeypatch)
    fast = _run(c, fast=True)
    assert_same_run(fixed, fast)
    assert seen.cut >= 3
    assert seen.repeated > 0.8 * fast.step_index
    failures = [e.time_s for e in fast.events if e.kind == "unit_failed"]
    assert failures and failures == [e.time_s for e in fixed.events if e.kind == "unit_failed"]


@pytest.mark.parametrize("step_s", [1.0, 300.0, 3600.0])
@pytest.mark.parametrize("jobs", [True, False])
def test_total_cooling_loss_and_zero_load_at_1_s_to_1_h(step_s: float, jobs: bool) -> None:
    # Every CRAH lost for good after one hour; with no workloads the racks idle (zero load).
    sc = hall("air", racks=4, settings={"horizon_s": 12 * 3600.0, "step_s": step_s})
    ev = ScheduledEvent(time_s=3600.0, kind="fail_unit", target="crah", magnitude=99)
    sc = sc.model_copy(update={"events": [ev], "workloads": sc.workloads if jobs else []})
    if step_s == 1.0:
        sc = _with(sc, horizon_s=1.5 * 3600.0)
    c = compile_scenario(sc)
    assert_same_run(_run(c, fast=False), _run(c, fast=True))


def test_timed_failure_price_spike_and_heat_wave_end_on_their_tick() -> None:
    sc = load_scenario(scene_templates()["training-cluster-1k"])
    events = [
        ScheduledEvent(time_s=0.3 * DAY, kind="price_spike", magnitude=3.0, duration_s=5000.0),
        ScheduledEvent(time_s=0.7 * DAY, kind="heat_wave", magnitude=8.0, duration_s=7777.0),
        ScheduledEvent(
            time_s=1.1 * DAY,
            kind="fail_unit",
            target="hall-a-row-1-crah",
            magnitude=2,
            duration_s=0.4 * DAY,
        ),
    ]
    sc = _with(sc.model_copy(update={"events": events}), horizon_s=2 * DAY, step_s=60.0)
    c = compile_scenario(sc)
    assert_same_run(_run(c, fast=False, seed=3), _run(c, fast=True, seed=3))


def test_run_in_pieces_with_single_steps_and_an_injected_event_matches_fixed_stepping() -> None:
    # The live view steps one tick at a time, runs to a time, and injects events between.
    sc = load_scenario(scene_templates()["starter-lab"])
    c = compile_scenario(_with(sc, horizon_s=2 * DAY))
    engines = [Engine(c, seed=1, event_steps=False), Engine(c, seed=1)]
    for eng in engines:
        eng.run(until_s=0.25 * DAY)
        for _ in range(5):
            eng.step()
        eng.inject(ScheduledEvent(time_s=0.0, kind="price_spike", magnitude=2.0, duration_s=3e4))
        eng.run(until_s=DAY + 17.0)
        eng.step()
        eng.run()
    assert_same_run(*engines)


def test_progress_is_reported_as_time_moves() -> None:
    sc = load_scenario(scene_templates()["starter-lab"])
    eng = Engine(compile_scenario(_with(sc, horizon_s=2 * DAY)))
    seen: list[float] = []
    eng.run(progress=seen.append)
    assert len(seen) >= 40  # at least once a simulated hour
    assert seen == sorted(seen) and seen[-1] == eng.time_s


def test_ambient_holds_its_value_through_each_clock_hour() -> None:
    sc = load_scenario(scene_templates()["starter-lab"])
    c = compile_scenario(_with(sc, horizon_s=DAY, step_s=300.0))
    eng = _run(c, fast=False)
    amb = eng.recorder.series("ambient_c")
    starts = eng.recorder.times_s - 300.0
    hours = np.floor(starts / 3600.0).astype(int)
    a = sc.settings.ambient
    for h in range(24):
        values = amb[hours == h]
        want = a.mean_c + a.daily_amplitude_c * math.cos(2 * math.pi * (h - a.peak_hour) / 24)
        assert np.all(values == values[0]) and values[0] == pytest.approx(want)
    assert np.ptp(amb) == pytest.approx(2 * a.daily_amplitude_c, rel=0.05)


def test_zero_draws_are_one_double_below_the_threshold_like_numpy() -> None:
    # A Poisson of mean < 10 is 0 exactly when the first double is ≤ e^-mean; a binomial(n, p)
    # with p ≤ 0.5 and n·p ≤ 30 when it is ≤ (1 − p)^n. Either way, one double is used.
    gen = np.random.default_rng(7)
    zeros = 0
    for trial in range(3000):
        mean = float(gen.choice([1e-4, 0.01, 0.3, 2.0, 9.5]) * gen.random())
        n, p = int(gen.integers(1, 40)), float(gen.choice([1e-3, 0.0165, 0.3, 0.5]))
        for kind in ("poisson", "binomial"):
            a, b = np.random.default_rng(trial), np.random.default_rng(trial)
            if kind == "poisson":
                count = int(a.poisson(mean))
                threshold = quiet.poisson_zero(mean)[0]
            else:
                count = int(a.binomial(np.array([n]), p)[0])
                threshold = math.exp(n * math.log(1.0 - p))
            u = b.random()
            assert (count == 0) == (u <= threshold)
            if count == 0:
                zeros += 1
                assert a.bit_generator.state == b.bit_generator.state
    assert zeros > 1000


def test_zero_draws_rewinds_to_the_step_that_draws_something() -> None:
    thresholds = [0.9, 0.95]
    for seed in range(50):
        a, b = np.random.default_rng(seed), np.random.default_rng(seed)
        n = quiet.zero_draws(a, thresholds, 40)
        # Step by step: every step before n draws zeros, step n (if any) does not.
        for _ in range(n):
            assert all(b.random() <= x for x in thresholds)
        assert a.bit_generator.state == b.bit_generator.state
        if n < 40:
            assert not all(b.random() <= x for x in thresholds)


def test_repeated_sums_are_one_addition_at_a_time() -> None:
    gen = np.random.default_rng(0)
    start = gen.normal(size=7) * 1e6
    step = gen.random(7) * np.array([1e-9, 1e-3, 1.0, 3.3, 1e3, 1e9, 0.1])
    seq = repeated_sums(start, step, 500)
    total = start.copy()
    for i in range(500):
        total = total + step
        assert np.array_equal(seq[i], total)
    # Not what a pairwise sum gives: the order matters at this size.
    assert not np.array_equal(seq[-1], start + np.sum(np.tile(step, (500, 1)), axis=0))
    totals = {"a": 0.1, "b": 1e16}
    arr = np.array([0.7, 1e-3])
    stretch = Stretch(1000)
    stretch.totals(totals, {"a": 0.1, "b": 1.0})
    stretch.arrays([arr], [np.array([0.1, 1e-7])])
    stretch.run()
    a, b, x = 0.1, 1e16, np.array([0.7, 1e-3])
    for _ in range(1000):
        a, b, x = a + 0.1, b + 1.0, x + np.array([0.1, 1e-7])
    assert totals == {"a": a, "b": b} and np.array_equal(arr, x)


def test_exp_of_an_array_equals_exp_of_each_element() -> None:
    # The repair load decays by exp(-gap / window) per step; a stretch takes the factors of all
    # its steps in one call.
    gaps = np.random.default_rng(1).random(10_000) * 3600.0
    window = 30.0 * 86400.0
    together = np.exp(-gaps / window)
    assert all(together[i] == np.exp(-float(g) / window) for i, g in enumerate(gaps))


def test_a_five_minute_grid_series_and_an_off_hour_start(tmp_path: Path) -> None:
    # Price and carbon rows every 5 min (a stretch must stop at each new row), a run starting
    # at 00:07:30 with 90 s steps (hour boundaries fall inside steps' spans).
    rows = ["hour,price_usd_per_kwh,carbon_g_per_kwh"]
    rows += [f"{i / 12:.12f},{0.03 + 0.001 * (i % 7):.4f},{100 + 9 * (i % 11)}" for i in range(600)]
    (tmp_path / "grid.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    sc = hall("air", racks=4, settings={"horizon_s": 30 * 3600.0, "step_s": 90.0})
    nodes = [
        n.model_copy(update={"grid_series_path": "grid.csv"}) if n.id == "feed" else n
        for n in sc.nodes
    ]
    start = sc.settings.start_time.replace(minute=7, second=30)
    sc = _with(sc.model_copy(update={"nodes": nodes}), start_time=start)
    c = compile_scenario(sc.with_source_dir(str(tmp_path)))
    fixed, fast = _run(c, fast=False), _run(c, fast=True)
    assert_same_run(fixed, fast)
    price = fast.recorder.series("energy_price_usd_per_kwh")
    assert len(np.unique(price)) == 7


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sc=scenarios(),
    seed=st.integers(0, 2**31 - 1),
    step_s=st.sampled_from([30.0, 240.0, 700.0]),
)
def test_random_scenarios_run_the_same_with_and_without_quiet_stretches(
    sc: Scenario, seed: int, step_s: float
) -> None:
    events = [
        ScheduledEvent(time_s=2000.0, kind="heat_wave", magnitude=5.0, duration_s=3000.0),
        ScheduledEvent(time_s=5000.0, kind="price_spike", magnitude=2.0, duration_s=1000.0),
    ]
    c = compile_scenario(
        sc.model_copy(update={"events": events}), horizon_s=6 * 3600.0, step_s=step_s
    )
    assert_same_run(_run(c, fast=False, seed=seed), _run(c, fast=True, seed=seed))
