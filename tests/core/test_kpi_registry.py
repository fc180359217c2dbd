"""The KPI registry covers every KPI the engine and the studies produce, and formats them once."""

from __future__ import annotations

from test_sim_builders import hall

from aifactory_twin.formatting import MISSING
from aifactory_twin.kpi_registry import (
    KPI_INFO,
    KPIS,
    delta_is_better,
    format_kpi,
    format_kpi_delta,
    kpi_info,
    ordered_keys,
)
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.study.runs import scalar_kpis


def _kpis() -> dict[str, object]:
    eng = Engine(compile_scenario(hall(racks=2), None, horizon_s=6 * 3600.0), seed=1)
    eng.run()
    return eng.kpis()


def test_every_scalar_kpi_of_a_run_and_a_compare_has_an_entry() -> None:
    row = scalar_kpis(_kpis())
    # Per-job columns and investment per year get their entry from their key (kpi_info).
    keys = {k for k in row if not k.startswith(("job.", "investment_"))}
    # The compare adds operational cost and, per variant, its reduction against the baseline.
    keys |= {"operational_cost_usd", "operational_cost_reduction_pct"}
    missing = keys - set(KPI_INFO)
    assert not missing, f"KPIs without a registry entry: {sorted(missing)}"


def test_entries_are_complete() -> None:
    keys = [info.key for info in KPIS]
    assert len(keys) == len(set(keys))
    for info in KPIS:
        assert info.label and info.label[0].isupper(), info.key
        assert info.formula.endswith("."), info.key
        if info.key.endswith("_usd"):
            assert info.fmt == "money", info.key
        if info.fmt == "percent":
            assert info.unit == "", info.key  # shares are fractions, shown as percents


def test_values_format_by_kind() -> None:
    assert format_kpi("total_cost_usd", 218_450_123.0) == "$218M"
    assert format_kpi("availability", 0.99951) == "99.95 %"
    assert format_kpi("mean_utilization", 0.834) == "83.4 %"
    assert format_kpi("pue", 1.2346) == "1.235"
    assert format_kpi("facility_energy_mwh", 1234.5) == "1.23 GWh"
    assert format_kpi("max_temperature_c", 87.26) == "87.3 °C"
    assert format_kpi("operational_cost_reduction_pct", 4.2) == "+4.2 %"
    assert format_kpi("automation_rate", None) == MISSING
    assert format_kpi("interruptions", 3) == "3"
    assert format_kpi("job.llm.progress", 0.25) == "25.0 %"
    assert kpi_info("job.llm.training_time_h").label == "Job llm: training time"
    assert format_kpi("job.llm.training_time_h", 12.5) == "12.5 h"


def test_deltas_and_direction() -> None:
    assert format_kpi_delta("total_cost_usd", -1.5e6) == "−$1.50M"
    assert format_kpi_delta("total_cost_usd", 2e6, 4.26) == "+4.3 %"
    assert format_kpi_delta("pue", 0.0) == "±0"
    assert format_kpi_delta("pue", None) == MISSING
    assert delta_is_better("pue", -0.1) is True
    assert delta_is_better("availability", -0.01) is False
    assert delta_is_better("headcount_end", 3) is None


def test_order_follows_the_registry_and_keeps_unknown_keys() -> None:
    keys = ["seed", "job.a.progress", "pue", "total_cost_usd", "horizon_s"]
    assert ordered_keys(keys) == ["total_cost_usd", "pue", "job.a.progress"]
