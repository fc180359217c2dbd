"""Server fan power follows a rack's cooling mode (issue 10 leftover).

A rack's host figures are for ``host_power_cooling`` (the catalog presets' native mode, fans
included); a rack that runs in another mode draws P·(1 − f_built)/(1 − f_now): air 8 %, direct
liquid 2 %, immersion 0 (``catalog_data.SERVER_FAN_FRACTION``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_sim_builders import hall

from aifactory_twin.io import load_scenario
from aifactory_twin.io.migrations import migrate
from aifactory_twin.schema import Scenario
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.variants import apply_variant

AIR, DLC, IMMERSION = 0.08, 0.02, 0.0


def _with(sc: Scenario, node_id: str, **update: object) -> Scenario:
    nodes = [n.model_copy(update=update) if n.id == node_id else n for n in sc.nodes]
    return sc.model_copy(update={"nodes": nodes})


def _cold_plates(sc: Scenario) -> Scenario:
    """The air hall's DGX racks moved to cold plates on a CDU (the CRAH turned into one)."""
    sc = _with(sc, "crah", cooling_type="cdu", fan_pump_power_fraction=0.015)
    return _with(sc, "rack", cooling="direct_liquid", liquid_heat_fraction=0.8,
                 thermal_resistance_k_per_w=0.03)  # fmt: skip


def _immersed(sc: Scenario) -> Scenario:
    """The air hall's DGX racks in immersion tanks (the CRAH turned into one)."""
    sc = _with(sc, "crah", cooling_type="immersion_tank", fan_pump_power_fraction=0.01)
    return _with(sc, "rack", cooling="immersion", liquid_heat_fraction=1.0)


def _base(step_s: float, horizon_s: float, load: bool = True) -> Scenario:
    sc = hall("air", storage_gbs=None, fabric=False,
              settings={"horizon_s": horizon_s, "step_s": step_s})  # fmt: skip
    return sc if load else sc.model_copy(update={"workloads": []})


def _it_kw(sc: Scenario) -> np.ndarray:
    eng = Engine(compile_scenario(sc), seed=0)
    eng.run()
    return np.asarray(eng.recorder.series("it_power_kw"))


@pytest.mark.parametrize(("step_s", "horizon_s"), [(1.0, 1800.0), (3600.0, 2 * 86400.0)])
@pytest.mark.parametrize("load", [True, False])
def test_leaving_air_cooling_takes_the_fan_share_off_it_power(
    step_s: float, horizon_s: float, load: bool
) -> None:
    # Full training load and an idle hall, at 1 s and 1 h steps: the racks are the whole IT
    # load, so IT power falls by the fans' share every step (non-fan power is unchanged).
    air = _it_kw(_base(step_s, horizon_s, load))
    plates = _it_kw(_cold_plates(_base(step_s, horizon_s, load)))
    tank = _it_kw(_immersed(_base(step_s, horizon_s, load)))
    assert air.min() > 0
    np.testing.assert_allclose(plates, air * (1 - AIR) / (1 - DLC), rtol=1e-12)
    np.testing.assert_allclose(tank, air * (1 - AIR), rtol=1e-12)


def test_immersion_has_no_server_fans_and_energy_still_balances() -> None:
    sc = _immersed(_base(300.0, 86400.0))
    eng = Engine(compile_scenario(sc), seed=0)
    eng.run()
    k = eng.kpis()
    assert k["server_fan_energy_mwh"] == 0.0
    assert k["pue_fans_as_facility"] == k["pue"]
    # The heat the racks give off is their (smaller) power, and all of it is accounted for.
    s = eng.state.thermal
    stored = float(np.sum(s.heat_cap_node * (s.temp_c - s.temp0_c)))
    assert abs(s.heat_in_j - s.heat_removed_j - stored) / s.heat_in_j <= 1e-6
    assert s.heat_in_j / 3.6e9 == pytest.approx(k["it_energy_mwh"], rel=1e-9)


def test_cold_plates_keep_a_small_fan_share_and_the_cdu_takes_the_heat() -> None:
    air = Engine(compile_scenario(_base(300.0, 86400.0)), seed=0)
    air.run()
    plates = Engine(compile_scenario(_cold_plates(_base(300.0, 86400.0))), seed=0)
    plates.run()
    ka, kp = air.kpis(), plates.kpis()
    assert kp["server_fan_energy_mwh"] / kp["it_energy_mwh"] == pytest.approx(DLC)
    # The non-fan server energy is the same in both modes: only the fans changed.
    assert kp["it_energy_mwh"] - kp["server_fan_energy_mwh"] == pytest.approx(
        ka["it_energy_mwh"] - ka["server_fan_energy_mwh"], rel=1e-12
    )
    assert kp["cooling_energy_mwh"] < ka["cooling_energy_mwh"]


def test_host_figures_declared_for_the_running_mode_stay_as_given() -> None:
    # A user who measured the liquid server says so: the figures are taken as they stand.
    sc = _cold_plates(_base(300.0, 3600.0))
    mine = _with(sc, "rack", host_overhead_w=2900.0, host_idle_w=1000.0,
                 host_power_cooling="direct_liquid")  # fmt: skip
    c = compile_scenario(mine)
    assert c.racks.host_overhead_w[0] == 2900.0 and c.racks.host_idle_w[0] == 1000.0
    # Declared for air, the same figures lose the fans' difference at full and idle load.
    air_built = compile_scenario(_with(mine, "rack", host_power_cooling="air"))
    full_w = 8 * 0.85 * 700.0 + 2900.0
    idle_w = 8 * 75.0 + 1000.0
    share = (AIR - DLC) / (1 - DLC)
    assert air_built.racks.host_overhead_w[0] == pytest.approx(2900.0 - share * full_w)
    assert air_built.racks.host_idle_w[0] == pytest.approx(1000.0 - share * idle_w)


def test_host_power_smaller_than_the_fans_it_would_lose_stops_at_zero() -> None:
    # A file that loads must run: a host figure that cannot hold the fans already excludes them.
    sc = _with(_immersed(_base(300.0, 3600.0)), "rack", host_idle_w=50.0, host_overhead_w=0.0)
    c = compile_scenario(sc)
    assert c.racks.host_idle_w[0] == 0.0 and c.racks.host_overhead_w[0] == 0.0
    eng = Engine(c, seed=0)
    eng.run()
    assert np.isfinite(eng.kpis()["it_energy_mwh"]) and eng.kpis()["it_energy_mwh"] > 0


def test_version_2_files_keep_their_host_power_in_every_variant() -> None:
    # Version 2 took host power as given in any mode: the golden v2 file's 'liquid-everywhere'
    # variant moves an air rack to cold plates and must draw what it drew then.
    raw = {
        "nodes": [{"kind": "compute_rack", "id": "r", "cooling": "direct_liquid"},
                  {"kind": "compute_rack", "id": "a"}],
        "variants": [{"name": "v", "overrides": [{"target": "a", "path": "cooling",
                                                 "value": "immersion"}]}],
    }  # fmt: skip
    out = migrate(raw, 2)  # migrate gives the step a copy: the caller's dict stays as it was
    assert [n["host_power_cooling"] for n in out["nodes"]] == ["direct_liquid", "air"]
    assert out["variants"][0]["overrides"][1] == {
        "target": "a",
        "path": "host_power_cooling",
        "value": "immersion",
    }
    assert "host_power_cooling" not in raw["nodes"][0]  # the input is left alone
    golden = load_scenario(Path(__file__).resolve().parent.parent / "data/scenario_v2.aift.json")
    for name in (None, "liquid-everywhere"):
        sc = apply_variant(golden, name)
        c = compile_scenario(sc)
        racks = [n for n in sc.nodes if n.kind == "compute_rack"]
        assert list(c.racks.host_overhead_w) == [r.host_overhead_w for r in racks]
        assert list(c.racks.host_idle_w) == [r.host_idle_w for r in racks]
