"""Talent market (issue 14): pay against the market rate moves attrition, hiring and repairs."""

from __future__ import annotations

import numpy as np
import pytest
from test_sim_builders import hall

from aifactory_twin.schema import Scenario
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.sim.models import staff as stf


def test_pay_below_market_raises_attrition_and_lengthens_hiring() -> None:
    assert stf.attrition_factor(1.0) == 1.0
    assert stf.attrition_factor(0.8) == pytest.approx(1.5625)  # (0.8)^−2
    assert stf.attrition_factor(1.25) == pytest.approx(0.64)
    assert stf.hiring_factor(0.8) == pytest.approx(1.25)
    assert stf.attrition_factor(0.0) == stf.attrition_factor(stf.PAY_RATIO_MIN)  # bounded


def _ops(market_usd: float | None) -> Scenario:
    # A stress test: 4x the failure rate of the engine tests' stressed hall on a small team.
    sc = hall(
        "air",
        racks=64,
        ops_headcount=6,
        settings={"horizon_s": 20 * 86400.0, "step_s": 1800.0, "automation_level": 0.0},
    )
    nodes = []
    for n in sc.nodes:
        if n.id == "rack":
            n = n.model_copy(update={"failure_rate_per_gpu_hour": 2e-3})
        if n.id == "ops":
            n = n.model_copy(
                update={
                    "annual_attrition": 0.3,
                    "salary_usd_per_year": 90000.0,
                    "market_salary_usd_per_year": market_usd,
                }
            )
        nodes.append(n)
    return sc.model_copy(update={"nodes": nodes})


def test_compiled_hazard_and_time_to_fill_follow_the_pay_ratio() -> None:
    at = compile_scenario(_ops(None)).staff
    below = compile_scenario(_ops(180000.0)).staff  # paid half the market rate
    k = int(np.flatnonzero(at.is_technician)[0])
    assert below.attrition_per_s[k] == pytest.approx(4.0 * at.attrition_per_s[k])
    assert below.hiring_lead_s[k] == pytest.approx(2.0 * at.hiring_lead_s[k])
    same = compile_scenario(_ops(90000.0)).staff  # at market = as before the talent market
    assert same.attrition_per_s[k] == at.attrition_per_s[k]


def _mttr_h(eng: Engine) -> float:
    rec = eng.recorder
    failed_unit_h = float(np.sum(rec.series("gpus_failed")) / 8.0 * eng.compiled.step_s / 3600.0)
    return failed_unit_h / max(eng.kpis()["incidents"], 1)


def test_pay_below_market_means_more_departures_lower_retention_and_slower_repairs() -> None:
    runs = {}
    for label, market in (("at", None), ("below", 270000.0)):  # a third of the market rate
        eng = Engine(compile_scenario(_ops(market)), seed=5)
        eng.run()
        runs[label] = eng
    at, below = runs["at"].kpis(), runs["below"].kpis()
    assert below["headcount_end"] <= at["headcount_end"] - 2
    assert below["talent_retention_annual"] < at["talent_retention_annual"] - 0.3
    assert _mttr_h(runs["below"]) > 1.3 * _mttr_h(runs["at"])
    assert below["availability"] < at["availability"] - 0.05
