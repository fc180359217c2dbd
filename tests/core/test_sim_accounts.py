"""Per-job accounting (issue 10): energy, carbon, cost and GPU-hours of each workload.

Σ workloads + unassigned = the factory's IT energy, facility energy, carbon and cost, every
run; a workload's carbon is Σ over steps of its energy × the step's intensity.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_sim_builders import hall, with_inference

from aifactory_twin.schema import Scenario, ScheduledEvent, TrainingJob
from aifactory_twin.sim import Engine, compile_scenario


def _run(sc: Scenario) -> tuple[Engine, dict[str, Any]]:
    eng = Engine(compile_scenario(sc), seed=0)
    eng.run()
    return eng, eng.kpis()


def _two_jobs_and_a_service() -> Scenario:
    # 8 racks × 8 GPUs: a 32-GPU job, a 16-GPU job that starts at hour 6, a chat service, and
    # idle accelerators left over; two days at 10-minute steps.
    sc = with_inference(
        hall("air", racks=8, job_gpus=32, settings={"horizon_s": 2 * 86400.0, "step_s": 600.0})
    )
    late = TrainingJob(
        id="late", parameters_b=7.0, tokens_t=0.5, accelerators_requested=16, start_s=6 * 3600.0
    )
    return sc.model_copy(update={"workloads": [*sc.workloads, late]})


def _conservation(k: dict[str, Any]) -> None:
    acc = k["job_accounting"]
    rows, idle = acc["workloads"], acc["unassigned"]
    it = sum(r["it_energy_kwh"] for r in rows) + idle["it_energy_kwh"]
    assert it == pytest.approx(k["it_energy_mwh"] * 1000.0, rel=1e-12)
    fac = sum(r["energy_kwh"] for r in rows) + idle["energy_kwh"]
    assert fac == pytest.approx(k["facility_energy_mwh"] * 1000.0, rel=1e-12)
    carbon = sum(r["carbon_kg_co2"] for r in rows) + idle["carbon_kg_co2"]
    assert carbon == pytest.approx(k["carbon_t_co2"] * 1000.0, rel=1e-12)
    energy_usd = sum(r["energy_cost_usd"] for r in rows) + idle["energy_cost_usd"]
    assert energy_usd == pytest.approx(k["energy_cost_usd"], rel=1e-12)
    # Cloud accelerators are billed to their workload; nothing else is outside the site.
    cost = sum(r["cost_usd"] for r in rows) + idle["cost_usd"]
    assert cost == pytest.approx(k["total_cost_usd"], rel=1e-12)


def test_workloads_and_unassigned_add_up_to_the_factory() -> None:
    _eng, k = _run(_two_jobs_and_a_service())
    _conservation(k)
    rows = {r["id"]: r for r in k["job_accounting"]["workloads"]}
    assert set(rows) == {"train", "late", "chat"}
    assert rows["chat"]["kind"] == "inference" and rows["train"]["kind"] == "training"
    for r in rows.values():
        assert r["gpu_energy_kwh"] > 0 and r["host_energy_kwh"] > 0
        assert r["facility_share_kwh"] > 0
        assert r["energy_kwh"] == pytest.approx(r["it_energy_kwh"] + r["facility_share_kwh"])
    # Idle accelerators, switches and storage are left unassigned, not spread over the jobs.
    assert k["job_accounting"]["unassigned"]["it_energy_kwh"] > 0
    # GPU-hours are the accelerators held × time: the big job held 32 for 48 h (it does not
    # finish), the late one 16 from hour 6.
    assert rows["train"]["gpu_hours"] == pytest.approx(32 * 48.0)
    assert rows["late"]["gpu_hours"] == pytest.approx(16 * 42.0)
    # Training accelerators draw more per GPU-hour than half-loaded inference ones.
    per_h = {w: r["gpu_energy_kwh"] / r["gpu_hours"] for w, r in rows.items()}
    assert per_h["train"] > per_h["chat"]


def test_a_training_jobs_energy_matches_a_hand_count() -> None:
    # One 32-GPU job on 4 full DGX H100 (8 × H100 each): its accelerators draw κ_train × TDP
    # and the hosts their busy overhead; nothing throttles at these loads.
    sc = hall("air", racks=4, job_gpus=32, settings={"horizon_s": 6 * 3600.0, "step_s": 600.0})
    eng, k = _run(sc)
    rk = eng.compiled.racks
    gpu_w = float(rk.kappa_train[0] * rk.tdp_w[0])
    host_w = float(rk.host_overhead_w[0])
    row = k["job_accounting"]["workloads"][0]
    assert row["gpu_energy_kwh"] == pytest.approx(32 * gpu_w / 1000.0 * 6.0, rel=1e-12)
    assert row["host_energy_kwh"] == pytest.approx(4 * host_w / 1000.0 * 6.0, rel=1e-12)
    # All accelerators are the job's: only switches and storage are unassigned.
    c = eng.compiled
    static_kw = float(c.nodes.static_power_kw @ c.nodes.count)
    assert k["job_accounting"]["unassigned"]["it_energy_kwh"] == pytest.approx(
        static_kw * 6.0, rel=1e-12
    )
    _conservation(k)


def test_carbon_is_each_steps_energy_times_its_intensity() -> None:
    sc = _two_jobs_and_a_service()
    eng = Engine(compile_scenario(sc), seed=0)
    acc = eng.state.accounts
    expected = 0.0
    while not eng.done:
        before = acc.totals["gpu_kwh"] + acc.totals["host_kwh"] + acc.totals["facility_kwh"]
        eng.step()
        kwh = acc.totals["gpu_kwh"] + acc.totals["host_kwh"] + acc.totals["facility_kwh"] - before
        now = eng.state.ledger.grid
        assert now is not None
        expected += float(kwh[0]) * now.carbon_g_per_kwh / 1000.0
    row = eng.kpis()["job_accounting"]["workloads"][0]
    assert row["carbon_kg_co2"] == pytest.approx(expected, rel=1e-12)


def _hourly_csv(folder: Path) -> Path:
    # A grid that is clean at night (80 g) and dirty by day (480 g), two days of hours.
    rows = ["hour,carbon_g_per_kwh"]
    rows += [f"{h},{80 if h % 24 < 8 else 480}" for h in range(48)]
    path = folder / "carbon.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_an_hourly_carbon_csv_changes_each_jobs_carbon(tmp_path: Path) -> None:
    # The done-when of issue 10: load an hourly carbon CSV and see per-job carbon change.
    sc = _two_jobs_and_a_service()
    _e, flat = _run(sc)
    csv = _hourly_csv(tmp_path)
    feeds = [
        n.model_copy(update={"grid_series_path": csv.name}) if n.id == "feed" else n
        for n in sc.nodes
    ]
    hourly_sc = sc.model_copy(update={"nodes": feeds}).with_source_dir(str(tmp_path))
    eng = Engine(compile_scenario(hourly_sc), seed=0)
    acc = eng.state.accounts
    expected = [0.0, 0.0, 0.0]
    while not eng.done:
        before = acc.totals["gpu_kwh"] + acc.totals["host_kwh"] + acc.totals["facility_kwh"]
        eng.step()
        kwh = acc.totals["gpu_kwh"] + acc.totals["host_kwh"] + acc.totals["facility_kwh"] - before
        now = eng.state.ledger.grid
        assert now is not None
        for w in range(3):
            expected[w] += float(kwh[w]) * now.carbon_g_per_kwh / 1000.0
    hourly = eng.kpis()
    _conservation(hourly)
    before_rows = {r["id"]: r for r in flat["job_accounting"]["workloads"]}
    for w, row in enumerate(hourly["job_accounting"]["workloads"]):
        assert row["carbon_kg_co2"] == pytest.approx(expected[w], rel=1e-12)
        # Same energy (the grid does not change the physics), different carbon.
        assert row["energy_kwh"] == pytest.approx(before_rows[row["id"]]["energy_kwh"], rel=1e-12)
        assert row["carbon_kg_co2"] != pytest.approx(before_rows[row["id"]]["carbon_kg_co2"])
    # The late job runs from hour 6, mostly in the dirty hours: it pays more per kWh than the
    # one that also ran the first clean night.
    rows = {r["id"]: r for r in hourly["job_accounting"]["workloads"]}
    per_kwh = {w: r["carbon_kg_co2"] / r["energy_kwh"] for w, r in rows.items()}
    assert per_kwh["late"] > per_kwh["train"]


def test_a_failure_and_a_protective_shutdown_still_add_up() -> None:
    # A CRAH failure trips racks inside a step (their mean power over the step is booked) and
    # the job restarts; the accounts must still reconcile exactly.
    sc = _two_jobs_and_a_service()
    ev = ScheduledEvent(time_s=3 * 3600.0, kind="fail_unit", target="crah", magnitude=2)
    sc = sc.model_copy(update={"events": [ev]})
    eng, k = _run(sc)
    assert eng.event_counts["shutdown"] > 0 or eng.event_counts["thermal_throttle"] > 0
    _conservation(k)


def test_accounts_are_readable_mid_run() -> None:
    eng = Engine(compile_scenario(_two_jobs_and_a_service()), seed=0)
    eng.run(until_s=3 * 3600.0)
    early = eng.kpis()["job_accounting"]["workloads"][0]["energy_kwh"]
    _conservation(eng.kpis())
    eng.run()
    assert eng.kpis()["job_accounting"]["workloads"][0]["energy_kwh"] > early
