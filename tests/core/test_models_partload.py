"""Part-load functions: conversion losses, affinity laws and chiller part-load curves."""

from __future__ import annotations

import numpy as np
import pytest

from aifactory_twin.sim.models import partload as pl


def test_double_conversion_curve_has_the_published_shape() -> None:
    x = np.array([0.1, 0.25, 0.5, 0.75, 1.0])
    eff = pl.efficiency_at(x, 0.96, "double_conversion")
    assert eff[-1] == pytest.approx(0.96)
    assert np.all(np.diff(eff) > 0)  # efficiency rises with load
    assert 0.85 <= eff[0] <= 0.90  # WP 108 shape: high-80s % at 10 % load
    assert 0.92 <= eff[1] <= 0.94


def test_eco_mode_stays_high_down_to_ten_percent() -> None:
    eff = pl.efficiency_at(np.array([0.1, 0.5, 1.0]), 0.99, "eco")
    assert eff[-1] == pytest.approx(0.99)
    assert eff[0] > 0.97


def test_conversion_loss_extremes() -> None:
    shares = np.array([pl.LOSS_SHARES["double_conversion"]] * 3)
    loss = pl.conversion_loss_kw(
        np.array([0.0, 1000.0, 500.0]), np.array([1000.0, 1000.0, 0.0]), np.full(3, 0.96), shares
    )
    assert loss[0] == pytest.approx(1000.0 * (1 / 0.96 - 1) * 0.30)  # no-load loss at zero load
    assert loss[1] == pytest.approx(1000.0 * (1 / 0.96 - 1))  # full load: exactly the rating eff
    assert loss[2] == 0.0  # nothing up, nothing lost


def test_explicit_curve_interpolates_and_keeps_a_no_load_floor() -> None:
    lf = np.array([0.25, 0.5, 1.0])
    ef = np.array([0.90, 0.95, 0.97])
    assert pl.curve_loss_kw(500.0, 1000.0, lf, ef) == pytest.approx(500.0 * (1 / 0.95 - 1))
    assert pl.curve_loss_kw(750.0, 1000.0, lf, ef) == pytest.approx(750.0 * (1 / 0.96 - 1))
    floor = 250.0 * (1 / 0.90 - 1)
    assert pl.curve_loss_kw(0.0, 1000.0, lf, ef) == pytest.approx(floor)
    assert pl.curve_loss_kw(100.0, 1000.0, lf, ef) == pytest.approx(floor)
    assert pl.curve_loss_kw(1200.0, 1000.0, lf, ef) == pytest.approx(1200.0 * (1 / 0.97 - 1))
    assert pl.curve_loss_kw(100.0, 0.0, lf, ef) == 0.0


def test_affinity_law_cubic_with_minimum_speed() -> None:
    heat = np.array([100.0, 50.0, 10.0, 0.0, 30.0, 200.0])
    cap = np.array([100.0, 100.0, 100.0, 100.0, 0.0, 100.0])
    design = np.full(6, 5.0)
    p = pl.affinity_power_kw(heat, design, cap, np.full(6, 0.3))
    assert p[0] == pytest.approx(5.0)
    assert p[1] == pytest.approx(5.0 * 0.125)
    assert p[2] == pytest.approx(5.0 * 0.027)  # held at the minimum speed
    assert p[3] == pytest.approx(5.0 * 0.027)  # idle units still turn at minimum speed
    assert p[4] == 0.0  # no unit up
    assert p[5] == pytest.approx(5.0)  # never past rated speed
    constant = pl.affinity_power_kw(heat, design, cap, np.ones(6))
    assert np.allclose(constant[[0, 1, 2, 3, 5]], 5.0)  # constant-speed fans


def test_chiller_part_load_curves_from_the_reference_dataset() -> None:
    comp = np.array([0, 1], dtype=np.int8)
    full = pl.chiller_eir_fplr(np.ones(2), comp)
    assert np.allclose(full, 1.0, atol=0.002)  # curves are normalised at full load
    half = pl.chiller_eir_fplr(np.full(2, 0.5), comp)
    cop_ratio = 0.5 / half
    assert 1.0 < cop_ratio[0] < 1.1  # constant speed: a little better at half load
    assert cop_ratio[1] > 1.25  # VSD: much better at half load
    low = pl.chiller_eir_fplr(np.full(2, 0.05), comp)
    at_min = pl.chiller_eir_fplr(np.full(2, pl.CHILLER_MIN_PLR), comp)
    assert np.allclose(low, at_min * 0.05 / pl.CHILLER_MIN_PLR)  # cycling below minimum
    assert np.all(pl.chiller_eir_fplr(np.zeros(2), comp) == 0.0)


def test_chiller_staging_runs_few_units_near_full_load() -> None:
    cap = np.full(3, 1000.0)
    up = np.full(3, 4.0)
    cop = np.full(3, 5.0)
    comp = np.zeros(3, dtype=np.int8)
    p = pl.chiller_power_kw(np.array([1000.0, 1500.0, 0.0]), cap, up, cop, comp)
    assert p[0] == pytest.approx(1000.0 / 5.0 * pl.chiller_eir_fplr(np.ones(1), comp[:1])[0])
    # 1500 kW on 2 units at 75 % each, not 4 at 37.5 %.
    per_unit = pl.chiller_eir_fplr(np.array([0.75]), comp[:1])[0] * 200.0
    assert p[1] == pytest.approx(2 * per_unit)
    assert p[2] == 0.0


def test_nonlinear_losses_make_input_equal_output_plus_loss_at_every_node() -> None:
    from aifactory_twin.sim.models import power as pw

    # Nodes: 0 rack (load), 1 PDU, 2 UPS, 3 feed. Edges parent → child per level.
    load = np.array([300.0, 0.0, 0.0, 0.0])
    i64 = np.int64
    levels = [
        (np.array([1]), np.array([1], i64), np.array([0], i64), np.array([1.0])),
        (np.array([2]), np.array([2], i64), np.array([1], i64), np.array([1.0])),
        (np.array([3]), np.array([3], i64), np.array([2], i64), np.array([1.0])),
    ]
    eff = np.ones(4)
    noload = np.zeros(4)
    square = np.zeros(4)
    for node, e_full, mode in ((1, 0.985, "double_conversion"), (2, 0.96, "double_conversion")):
        eff[node], noload[node], square[node] = pl.conversion_params(e_full, mode)  # type: ignore[arg-type]
    rating = np.array([np.inf, 400.0, 1000.0, np.inf])
    node_in, out = pw.distribution_inputs(load, levels, eff)
    extra_in, extra_out = pl.nonlinear_losses(out, levels, eff, rating, noload, square, ())
    total_in, total_out = node_in + extra_in, out + extra_out
    shares = np.array([pl.LOSS_SHARES["double_conversion"]])
    for node, e_full in ((1, 0.985), (2, 0.96)):
        loss = pl.conversion_loss_kw(total_out[[node]], rating[[node]], np.array([e_full]), shares)[
            0
        ]
        assert total_in[node] == pytest.approx(total_out[node] + loss, rel=1e-12)
    assert total_out[2] == pytest.approx(total_in[1])  # the UPS feeds what the PDU draws
    assert total_in[3] == pytest.approx(total_in[2])  # the feed passes it on
    # With no load at all, the converters still draw their no-load losses.
    _zero_in, zero_out = pw.distribution_inputs(np.zeros(4), levels, eff)
    extra0, _ = pl.nonlinear_losses(zero_out, levels, eff, rating, noload, square, ())
    assert extra0[3] > 0.0
