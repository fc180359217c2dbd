"""Short quiet stretches take plain-loop paths; they must equal the array paths bit for bit.

``SMALL_K`` (``sim/models/sequential.py``) chooses: up to that many steps, ``quiet_span``,
``zero_draws`` and ``checkpoints`` go step by step (Python floats or one array addition per
step); longer stretches use one ``np.add.accumulate``. Setting it to 0 forces the array paths.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_quiet_stretches import DAY, _run, _with, assert_same_run

from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scene_templates
from aifactory_twin.sim import compile_scenario, quiet
from aifactory_twin.sim.models import sequential
from aifactory_twin.sim.models.sequential import repeated_sums


def _array_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sequential, "SMALL_K", 0)
    monkeypatch.setattr(quiet, "SMALL_K", 0)


@pytest.mark.parametrize("name", ["training-cluster-1k", "llama-scale-16k"])
def test_short_stretches_equal_the_array_paths_and_fixed_steps(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At 15 min a clock hour leaves 3-step stretches with a checkpoint at every step.
    sc = load_scenario(scene_templates()[name])
    c = compile_scenario(_with(sc, horizon_s=6 * DAY), step_s=900.0)
    fixed = _run(c, fast=False)
    short = _run(c, fast=True)
    _array_paths(monkeypatch)
    arrays = _run(c, fast=True)
    assert_same_run(fixed, short)
    assert_same_run(short, arrays)
    assert short.rng.bit_generator.state == arrays.rng.bit_generator.state


def test_checkpoint_replay_step_by_step_equals_by_segments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gen = np.random.default_rng(3)
    hits = 0
    for trial in range(300):
        n = int(gen.integers(1, 5))
        k = int(gen.integers(1, sequential.SMALL_K + 1))
        tau = gen.random(n) * 2000.0 + 1.0
        active = gen.random(n) * 900.0 * (gen.random(n) < 0.9)
        start = gen.random(n) * tau
        rate = gen.random(n) * 1e15
        progress = repeated_sums(gen.random(n) * 1e18, rate * active, k)
        max_hits = int(gen.integers(0, 4)) if trial % 3 == 0 else 64
        with monkeypatch.context() as m:
            step_by_step = sequential.checkpoints(start, active, tau, progress, rate, max_hits)
            m.setattr(sequential, "SMALL_K", 0)
            segments = sequential.checkpoints(start, active, tau, progress, rate, max_hits)
        k_a, since_a, ckpts_a = step_by_step
        k_b, since_b, ckpts_b = segments
        assert k_a == k_b
        assert np.array_equal(since_a[:k_a], since_b[:k_b])
        assert len(ckpts_a) == len(ckpts_b)
        hits += len(ckpts_a)
        for (i, over, flops), (j, over_b, flops_b) in zip(ckpts_a, ckpts_b, strict=True):
            assert i == j and np.array_equal(over, over_b) and np.array_equal(flops, flops_b)
    assert hits > 300  # the cases checkpoint, often several times a stretch


def test_zero_draws_short_path_equals_the_array_path(monkeypatch: pytest.MonkeyPatch) -> None:
    thresholds = [0.9, 0.97]
    for seed in range(200):
        k = 1 + seed % sequential.SMALL_K
        a = np.random.Generator(np.random.PCG64(seed))
        b = np.random.Generator(np.random.PCG64(seed))
        n_a = quiet.zero_draws(a, thresholds, k)
        with monkeypatch.context() as m:
            m.setattr(quiet, "SMALL_K", 0)
            n_b = quiet.zero_draws(b, thresholds, k)
        assert n_a == n_b
        assert a.bit_generator.state == b.bit_generator.state
