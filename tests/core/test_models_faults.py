"""Fault physics: trip time inside a step, energy balance with a trip, room-air sharing."""

from __future__ import annotations

import numpy as np
import pytest

from aifactory_twin.sim.models import faults as ft
from aifactory_twin.sim.models.thermal import rc_step

C = np.array([4.0e5])
SUP = np.array([24.0])


def _a(x: float) -> np.ndarray:
    return np.array([x])


def test_time_to_reach_matches_the_trajectory_in_each_regime() -> None:
    # Saturated (no cooling): linear heating at Q/C.
    t = ft.time_to_reach(_a(30.0), _a(8000.0), _a(0.0), SUP, C, _a(50.0))
    assert t[0] == pytest.approx(20.0 * 4.0e5 / 8000.0)
    new, _ = rc_step(_a(30.0), _a(8000.0), _a(0.0), SUP, C, float(t[0]))
    assert new[0] == pytest.approx(50.0)
    # Cold rack, too little capacity: exponential to T*, then linear; check by stepping.
    t = ft.time_to_reach(_a(10.0), _a(8000.0), _a(6000.0), SUP, C, _a(40.0))
    assert np.isfinite(t[0])
    new, _ = rc_step(_a(10.0), _a(8000.0), _a(6000.0), SUP, C, float(t[0]))
    assert new[0] == pytest.approx(40.0, abs=1e-6)
    # Enough capacity: never reaches a target above the supply.
    assert np.isinf(ft.time_to_reach(_a(30.0), _a(8000.0), _a(9000.0), SUP, C, _a(50.0))[0])
    # Implicit plant (infinite capacity): never.
    assert np.isinf(ft.time_to_reach(_a(30.0), _a(8000.0), _a(np.inf), SUP, C, _a(50.0))[0])
    # Already past the target: now.
    assert ft.time_to_reach(_a(60.0), _a(8000.0), _a(0.0), SUP, C, _a(50.0))[0] == 0.0


@pytest.mark.parametrize("dt", [1.0, 600.0, 3600.0])
def test_trip_bounds_the_temperature_at_any_step_and_conserves_energy(dt: float) -> None:
    temp = _a(49.0)
    q, q_sb = _a(130_000.0), _a(1_600.0)
    c = _a(6.4e6)
    new, removed, heat_in, tripped = ft.rc_step_with_trip(
        temp, q, q_sb, _a(0.0), SUP, c, dt, _a(50.0)
    )
    assert abs(heat_in[0] - removed[0] - c[0] * (new[0] - temp[0])) < 1e-6 * heat_in[0]
    if dt >= 60.0:
        assert tripped[0]
        # Past the trip only standby heat: at most 1.6 kW × dt more.
        assert new[0] <= 50.0 + 1_600.0 * dt / c[0] + 1e-9
        assert heat_in[0] < q[0] * dt
    else:
        assert not tripped[0]
        assert heat_in[0] == pytest.approx(q[0] * dt)


def test_no_trip_is_exactly_rc_step() -> None:
    temp, q, cap = np.array([24.0, 30.0]), np.array([8000.0, 8000.0]), np.array([9e3, 9e3])
    sup, c = np.full(2, 24.0), np.full(2, 4e5)
    new, removed, heat_in, tripped = ft.rc_step_with_trip(
        temp, q, q * 0.01, cap, sup, c, 300.0, np.full(2, 50.0)
    )
    ref_t, ref_r = rc_step(temp, q, cap, sup, c, 300.0)
    assert not tripped.any()
    assert np.array_equal(new, ref_t) and np.array_equal(removed, ref_r)
    assert np.array_equal(heat_in, q * 300.0)


def test_leak_only_for_starved_racks_above_supply() -> None:
    leak = ft.leak_w(
        np.array([40.0, 40.0, 20.0]), np.full(3, 24.0), np.full(3, 10.0),
        np.array([True, False, True]),
    )  # fmt: skip
    assert leak[0] == pytest.approx(ft.LEAK_W_PER_K_PER_KW * 10.0 * 16.0)
    assert leak[1] == 0.0 and leak[2] == 0.0


def test_room_share_absorbs_within_spare_and_no_more() -> None:
    unmet = np.array([100.0, 0.0, 0.0, 50.0])
    rack_room = np.array([0, 0, 0, -1])
    spare = np.array([0.0, 30.0, 30.0, 500.0])
    col_room = np.array([0, 0, 0, -1])
    extra, col_extra = ft.room_share(unmet, rack_room, spare, col_room, 1)
    # The room would carry half the unmet 100 W but has only 60 W spare.
    assert extra[0] == pytest.approx(min(ft.ROOM_AIR_SHARE * 100.0, 60.0))
    assert extra[3] == 0.0  # not in a room
    assert col_extra.sum() == pytest.approx(extra.sum())  # heat moved = heat taken
    assert col_extra[3] == 0.0
    big = ft.room_share(unmet, rack_room, spare * 10.0, col_room, 1)[0]
    assert big[0] == pytest.approx(ft.ROOM_AIR_SHARE * 100.0)


def test_may_reach_covers_every_rack_that_reaches_its_target_in_the_step() -> None:
    # rc_step_with_trip evaluates the closed form only where may_reach holds: any rack with
    # time_to_reach < dt outside that set would miss its trip.
    rng = np.random.default_rng(7)
    n = 20_000
    temp = rng.uniform(0.0, 120.0, n)
    q_in = rng.choice([0.0, 1e3, 8e3, 4e4, 1e5], n) * rng.uniform(0.5, 1.5, n)
    cap = rng.choice([0.0, 1e3, 8e3, 4e4, np.inf], n) * rng.uniform(0.5, 1.5, n)
    cap = np.where(rng.random(n) < 0.2, q_in * rng.uniform(0.9, 1.1, n), cap)
    sup = rng.uniform(10.0, 50.0, n)
    heat_cap = rng.choice([1e3, 1e5, 1e6], n) * rng.uniform(0.5, 2.0, n)
    target = rng.uniform(20.0, 110.0, n)
    for dt in (1.0, 15.0, 300.0, 3600.0):
        t = ft.time_to_reach(temp, q_in, cap, sup, heat_cap, target)
        may = ft.may_reach(temp, q_in, cap, sup, heat_cap, target, dt)
        assert (t < dt).sum() > 100
        assert not ((t < dt) & ~may).any()
        assert (~may).sum() > 100
