"""Per-accelerator power cap (issue 10): ComputeRack.power_limit_w along the DVFS curve (§1.3).

A cap below what the accelerator draws lowers its power to the cap and training throughput by
((cap − P_idle)/(κ·TDP − P_idle))^(1/3); throughput falls less than power, so perf/W improves.
A cap at or above the draw changes nothing, bit for bit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_sim_builders import hall, with_inference

from aifactory_twin.cli import main
from aifactory_twin.io import save_scenario
from aifactory_twin.rules import check
from aifactory_twin.schema import Scenario
from aifactory_twin.sim import Engine, compile_scenario

HOURS = 6


def _capped(sc: Scenario, limit_w: float | None) -> Scenario:
    nodes = [
        n.model_copy(update={"power_limit_w": limit_w}) if n.id == "rack" else n for n in sc.nodes
    ]
    return sc.model_copy(update={"nodes": nodes})


def _run(sc: Scenario) -> tuple[Engine, dict[str, Any]]:
    eng = Engine(compile_scenario(sc), seed=0)
    eng.run()
    return eng, eng.kpis()


def _base() -> Scenario:
    return hall("air", racks=4, settings={"horizon_s": HOURS * 3600.0, "step_s": 600.0})


def test_a_350_w_cap_on_h100_lowers_power_by_the_cap_and_throughput_by_less() -> None:
    e0, k0 = _run(_base())
    _e1, k1 = _run(_capped(_base(), 350.0))
    rk = e0.compiled.racks
    idle, peak = float(rk.idle_w[0]), float(rk.kappa_train[0] * rk.tdp_w[0])
    assert (idle, peak) == pytest.approx((75.0, 595.0))  # H100: §9.1 κ 0.85 × 700 W, 75 W idle
    gpus = 4 * 8
    # Every accelerator trains at the cap instead of κ·TDP; the hosts draw as before.
    saved_kw = gpus * (peak - 350.0) / 1000.0
    assert k0["mean_it_power_kw"] - k1["mean_it_power_kw"] == pytest.approx(saved_kw, rel=1e-9)
    row0 = k0["job_accounting"]["workloads"][0]
    row1 = k1["job_accounting"]["workloads"][0]
    assert row1["gpu_energy_kwh"] == pytest.approx(gpus * 0.350 * HOURS, rel=1e-12)
    assert row0["gpu_energy_kwh"] - row1["gpu_energy_kwh"] == pytest.approx(saved_kw * HOURS)
    # Throughput along the f³ curve: ((350 − 75)/(595 − 75))^(1/3) = 0.809.
    pace = ((350.0 - idle) / (peak - idle)) ** (1.0 / 3.0)
    assert pace == pytest.approx(0.8087, abs=1e-4)
    ratio = k1["delivered_pflops_mean"] / k0["delivered_pflops_mean"]
    assert ratio == pytest.approx(pace, rel=1e-9)
    # Perf per watt of the accelerators improves: throughput falls less than GPU power.
    gpu_power_ratio = 350.0 / peak
    assert ratio > gpu_power_ratio
    assert ratio / gpu_power_ratio == pytest.approx(1.375, abs=1e-3)
    # The capped factory is cooler and its facility power lower too.
    assert k1["max_temperature_c"] < k0["max_temperature_c"]
    assert k1["facility_energy_mwh"] < k0["facility_energy_mwh"]


@pytest.mark.parametrize("limit_w", [595.0, 700.0, 1000.0])
def test_a_cap_at_or_above_the_draw_changes_nothing_bit_for_bit(limit_w: float) -> None:
    sc = with_inference(_base())
    e0, k0 = _run(sc)
    e1, k1 = _run(_capped(sc, limit_w))
    assert k1 == k0
    for name in e0.recorder.names:
        assert np.array_equal(e0.recorder.series(name), e1.recorder.series(name)), name


def test_a_cap_below_decode_power_caps_inference_power_only() -> None:
    # Decode is memory-bound (§1.3: caps rarely bind); a cap under its draw lowers the power of
    # serving accelerators, not the tokens they serve.
    sc = with_inference(hall("air", racks=4, job_gpus=8, settings={"horizon_s": 7200.0}))
    _e0, k0 = _run(sc)
    _e1, k1 = _run(_capped(sc, 100.0))
    assert k1["inference_tokens"] == k0["inference_tokens"]
    svc0 = k0["job_accounting"]["workloads"][1]
    svc1 = k1["job_accounting"]["workloads"][1]
    assert svc1["gpu_energy_kwh"] < svc0["gpu_energy_kwh"]


def test_a_cap_at_or_below_idle_power_is_an_error_naming_the_rack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sc = _capped(_base(), 60.0)  # H100 idles at 75 W (§1.3)
    found = [f for f in check(sc) if f.code == "power-limit-below-idle"]
    assert len(found) == 1 and found[0].severity == "error"
    rack = next(i for i, n in enumerate(sc.nodes) if n.id == "rack")
    assert found[0].path == f"nodes[{rack}].power_limit_w" and found[0].ids == ("rack",)
    assert "60 W" in found[0].message and "75 W" in found[0].message
    assert not [f for f in check(_capped(_base(), 350.0)) if f.code == "power-limit-below-idle"]
    path = tmp_path / "capped.aift.json"
    save_scenario(sc, path)
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "power_limit_w" in err
