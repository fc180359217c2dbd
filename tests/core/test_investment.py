"""Investment per calendar year (issue 14): capex in the year of each delivery and build-out."""

from __future__ import annotations

import dataclasses
import math
from datetime import date, timedelta

import numpy as np
import pytest
from test_sim_builders import hall

from aifactory_twin.kpi_registry import kpi_info
from aifactory_twin.schema import Delivery
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.sim.kpis import investment_by_year
from aifactory_twin.study.runs import scalar_kpis


def test_deliveries_count_in_the_year_they_arrive() -> None:
    sc = hall(racks=4, settings={"horizon_s": 2 * 86400.0, "step_s": 3600.0})
    late = Delivery(delivery_date=date(2028, 3, 1))
    nodes = [n.model_copy(update={"delivery": late}) if n.id == "rack" else n for n in sc.nodes]
    eng = Engine(compile_scenario(sc.model_copy(update={"nodes": nodes})))
    eng.run()
    kpis = eng.kpis()
    by_year = kpis["investment_by_year_usd"]
    assert set(by_year) == {"2027", "2028"}
    # The racks (4 × the DGX H100 catalog capex) arrive in 2028, after the 2-day run.
    assert by_year["2028"] == pytest.approx(4 * eng.compiled.nodes.capex_per_unit_usd[0])
    # What arrived so far plus the build-out is the 2027 figure, i.e. the capex KPI.
    assert by_year["2027"] == pytest.approx(kpis["capex_usd"])
    row = scalar_kpis(kpis)
    assert row["investment_2028_usd"] == by_year["2028"]
    info = kpi_info("investment_2028_usd")
    assert (info.label, info.fmt) == ("Investment in 2028", "money")
    assert "delivered in 2028" in info.formula


def test_when_everything_arrived_the_years_add_up_to_the_capex() -> None:
    eng = Engine(compile_scenario(hall(racks=2)))
    eng.run()
    kpis = eng.kpis()
    assert sum(kpis["investment_by_year_usd"].values()) == pytest.approx(kpis["capex_usd"])


def test_years_add_each_nodes_spend_in_node_order() -> None:
    """Grouped by distinct arrival time, each year's sum is the node-by-node float sum."""
    compiled = compile_scenario(hall(racks=4))
    n = compiled.n_nodes
    rng = np.random.default_rng(2)
    arrival = rng.choice([0.0, 3e7, 3e7, 9e7, np.inf, 2e8], n)
    capex = rng.uniform(0, 1e6, n) * (rng.random(n) > 0.2)
    nodes = dataclasses.replace(compiled.nodes, arrival_s=arrival, capex_per_unit_usd=capex)
    c = dataclasses.replace(compiled, nodes=nodes)
    expected: dict[str, float] = {"2027": 5e6}
    spend = c.nodes.count * c.nodes.capex_per_unit_usd
    for i in range(n):
        if spend[i] > 0 and math.isfinite(arrival[i]):
            year = str((c.start_time + timedelta(seconds=float(arrival[i]))).year)
            expected[year] = expected.get(year, 0.0) + float(spend[i])
    assert investment_by_year(c, 5e6) == dict(sorted(expected.items()))
    assert len(expected) >= 3
