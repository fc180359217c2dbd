"""Per-job price and carbon follow the feeds behind each job's racks (issue 10 leftover)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from test_sim_accounts import _conservation
from test_sim_builders import edge, hall

from aifactory_twin.catalog import preset_node
from aifactory_twin.schema import PriceSchedule, Scenario, TrainingJob
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.sim.models.feed_share import feed_draw, feed_mix

CLEAN = {"carbon_intensity_g_per_kwh": 20.0, "price": PriceSchedule(flat_usd_per_kwh=0.04)}
"""A wind PPA (estimate)."""


def _two_halves(feed_b: dict[str, Any], step_s: float = 600.0) -> Scenario:
    """The air hall split in two: racks 'rack' behind the grid feed, 'rack-b' behind feed B.

    Each half trains its own identical job; the cooling plant stays on the grid feed.
    """
    sc = hall("air", racks=4, settings={"horizon_s": 12 * 3600.0, "step_s": step_s})
    rack = next(n for n in sc.nodes if n.id == "rack")
    extra = [
        rack.model_copy(update={"id": "rack-b"}),
        preset_node("grid_feed", "feed-b", **feed_b),
        preset_node("ups", "ups-b", ups_rating_kw=80.0),
        preset_node("pdu", "pdu-b", power_rating_kw=80.0),
    ]
    links = (
        ("power", "feed-b", "ups-b"), ("power", "ups-b", "pdu-b"), ("power", "pdu-b", "rack-b"),
        ("coolant", "crah", "rack-b"), ("network", "rack-b", "ib"), ("data", "pfs", "rack-b"),
        ("support", "ops", "rack-b"),
    )  # fmt: skip
    edges = [edge(kind, src, dst) for kind, src, dst in links]
    jobs = [
        TrainingJob(id=j, parameters_b=70.0, tokens_t=1.4, accelerators_requested=32,
                    placement=[r])
        for j, r in (("job-a", "rack"), ("job-b", "rack-b"))
    ]  # fmt: skip
    return sc.model_copy(
        update={"nodes": [*sc.nodes, *extra], "edges": [*sc.edges, *edges], "workloads": jobs}
    )


def _rows(sc: Scenario) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    eng = Engine(compile_scenario(sc), seed=0)
    eng.run()
    k = eng.kpis()
    _conservation(k)
    return {r["id"]: r for r in k["job_accounting"]["workloads"]}, k


def test_the_feed_draw_follows_splits_and_efficiencies() -> None:
    # feed 0 → ups (η .96) → pdu (η .98) → load 3; load 4 on that pdu and on feed 1 directly.
    kinds = np.array(["power_feed", "ups", "pdu", "compute_rack", "compute_rack", "power_feed"])
    parent = np.array([0, 1, 2, 2, 5])
    child = np.array([1, 2, 3, 4, 4])
    split = np.array([1.0, 1.0, 1.0, 0.5, 0.5])
    eff = np.array([1.0, 0.96, 0.98, 1.0, 1.0, 1.0])
    draw = feed_draw(kinds, np.array([0, 5]), parent, child, split, eff)
    loss = 1.0 / (0.96 * 0.98)
    np.testing.assert_allclose(draw[3], [loss, 0.0], rtol=1e-15)
    np.testing.assert_allclose(draw[4], [0.5 * loss, 0.5], rtol=1e-15)
    np.testing.assert_allclose(feed_mix(draw)[4], [loss / (loss + 1), 1 / (loss + 1)])
    assert feed_mix(draw)[0].tolist() == [1.0, 0.0]


@pytest.mark.parametrize("step_s", [60.0, 3600.0])
def test_a_job_behind_a_clean_feed_pays_that_feeds_price_and_carbon(step_s: float) -> None:
    rows, k = _rows(_two_halves(CLEAN, step_s))
    a, b = rows["job-a"], rows["job-b"]
    # Twin jobs on twin racks: the same energy, IT and facility share alike.
    assert a["it_energy_kwh"] == pytest.approx(b["it_energy_kwh"], rel=1e-12)
    assert a["energy_kwh"] == pytest.approx(b["energy_kwh"], rel=1e-12)
    # Their IT power comes through equal chains from different feeds; the rest of their energy
    # (cooling on the grid feed, misc, losses) is billed alike. So the difference is exactly
    # their IT energy × the difference of the two feeds' intensities and prices.
    it_kwh = a["it_energy_kwh"]
    assert a["carbon_kg_co2"] - b["carbon_kg_co2"] == pytest.approx(
        it_kwh * (367.0 - 20.0) / 1000.0, rel=1e-9
    )
    assert a["energy_cost_usd"] - b["energy_cost_usd"] == pytest.approx(
        it_kwh * (0.0806 - 0.04), rel=1e-9
    )
    # The clean job's facility share is billed at the site's remaining mix, which is mostly
    # the grid here (the plant is on it): above the PPA's 20 g, below the grid's 367 g.
    b_rest_g = b["carbon_kg_co2"] * 1000.0 - it_kwh * 20.0
    assert 20.0 < b_rest_g / b["facility_share_kwh"] < 367.0
    # Per feed, the factory's carbon is Σ energy × intensity, exactly as before.
    feeds = {f["id"]: f for f in k["feeds"]}
    assert feeds["feed-b"]["carbon_g_per_kwh"] == pytest.approx(20.0, rel=1e-12)


def test_equal_feeds_bill_jobs_exactly_as_one_feed_does() -> None:
    same = {"carbon_intensity_g_per_kwh": 367.0, "price": PriceSchedule(flat_usd_per_kwh=0.0806)}
    rows, _k = _rows(_two_halves(same))
    for r in rows.values():
        assert r["carbon_kg_co2"] == pytest.approx(r["energy_kwh"] * 0.367, rel=1e-12)
        assert r["energy_cost_usd"] == pytest.approx(r["energy_kwh"] * 0.0806, rel=1e-12)


def test_idle_factory_on_two_feeds_still_adds_up() -> None:
    sc = _two_halves(CLEAN)
    rows, k = _rows(sc.model_copy(update={"workloads": []}))
    assert rows == {}
    assert k["job_accounting"]["unassigned"]["carbon_kg_co2"] == pytest.approx(
        k["carbon_t_co2"] * 1000.0, rel=1e-12
    )
