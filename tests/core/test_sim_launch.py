"""Launch pipeline and MLOps (issue 14): trained → evaluated → reviewed → launched."""

from __future__ import annotations

import pytest
from test_sim_builders import hall

from aifactory_twin.catalog import preset_node
from aifactory_twin.schema import NodeBase, Scenario, TrainingJob
from aifactory_twin.schema.dataset import Dataset
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.sim.models import launch as lch
from aifactory_twin.sim.models.data_pipeline import WORKING_SHARE
from aifactory_twin.sim.models.mlops import incident_automation_rate

DAY_S = 86400.0


def _team(preset: str, node_id: str, headcount: int) -> NodeBase:
    # No attrition: the teams stay as built, so the dates follow the formulas exactly.
    return preset_node(preset, node_id, headcount=headcount, annual_attrition=0.0)


def _factory(
    governance: int = 6,
    mlops: int = 4,
    annotators: int = 0,
    horizon_days: float = 30.0,
    dataset: Dataset | None = None,
) -> Scenario:
    teams = [_team("team_research", "research", 8)]
    if governance:
        teams.append(_team("team_security", "gov", governance))
    if dataset is not None:
        teams.append(_team("team_data_eng", "de", 4))
    if annotators:
        teams.append(_team("team_labeling", "lab", annotators))
    sc = hall(
        racks=8,
        settings={"horizon_s": horizon_days * DAY_S, "step_s": 3600.0},
        extra_nodes=teams,
    )
    # The hall's MLOps team, resized and without attrition.
    nodes = [
        n.model_copy(update={"headcount": mlops, "annual_attrition": 0.0}) if n.id == "mlops" else n
        for n in sc.nodes
    ]
    # A small fine-tuning run: about half a day on 64 H100s.
    job = TrainingJob(
        id="ft", parameters_b=7.0, tokens_t=0.02, accelerators_requested=64, dataset=dataset
    )
    return sc.model_copy(update={"nodes": nodes, "workloads": [job]})


def _run(sc: Scenario) -> Engine:
    eng = Engine(compile_scenario(sc), seed=1)
    eng.run()
    return eng


def _launch_s(eng: Engine) -> float:
    return eng.state.lifecycle.launched_s(0)


def test_a_finished_run_launches_within_a_30_day_horizon() -> None:
    eng = _run(_factory())
    kpis = eng.kpis()
    job = kpis["jobs"][0]
    assert job["completed"] and job["launched"]
    assert kpis["product_launches"] == 1
    assert kpis["product_launches_per_year"] == pytest.approx(365.0 / 30.0)
    # Lead time = eval + review + sign-off + deployment at the stated effort and team sizes.
    week = 1.0 / WORKING_SHARE
    auto = 1.0 - lch.AUTOMATION_EFFORT_CUT * 0.5
    expect_days = (
        lch.EVAL_FIXED_DAYS
        + lch.EVAL_PERSON_DAYS * auto * 8 / 4 * week / 24
        + lch.review_person_days(0) * 8 / 6 * week / 24
        + lch.REVIEW_SIGNOFF_S / DAY_S
        + lch.DEPLOY_FIXED_DAYS
        + lch.DEPLOY_PERSON_DAYS * auto * 8 / 4 * week / 24
    )
    assert kpis["launch_lead_time_mean_days"] == pytest.approx(expect_days)
    assert job["launch_date"] is not None
    assert any(e.kind == "model_launched" and e.node_id == "ft" for e in eng.events)


def test_a_smaller_governance_team_launches_later_and_none_never_launches() -> None:
    big, small = _run(_factory(governance=6)), _run(_factory(governance=2))
    # Review work of 35 person-days: 6 people take a third of what 2 take.
    review_big = lch.calendar_s(lch.review_person_days(0), 6)
    review_small = lch.calendar_s(lch.review_person_days(0), 2)
    assert _launch_s(small) - _launch_s(big) == pytest.approx(review_small - review_big)
    assert _launch_s(small) > _launch_s(big) + 10 * DAY_S
    assert big.kpis()["jobs"][0]["launched"]
    assert not small.kpis()["jobs"][0]["launched"]  # 2 reviewers need past day 30
    nobody = _run(_factory(governance=0)).kpis()
    assert nobody["jobs"][0]["completed"]
    assert nobody["jobs"][0]["launch_date"] is None
    assert nobody["product_launches"] == 0


def test_more_annotators_make_the_data_ready_sooner_and_the_model_launch_earlier() -> None:
    ds = Dataset(size_tb=5.0, modality="image", labels_needed=10000.0)
    few = _run(_factory(annotators=5, horizon_days=60, dataset=ds))
    many = _run(_factory(annotators=10, horizon_days=60, dataset=ds))
    ready = [float(e.compiled.workloads.dataset_ready_s[0]) for e in (few, many)]
    waits = [e.kpis()["jobs"][0]["wait_h"] for e in (few, many)]
    # Labeling 10000 / 45 accepted per person-hour: twice the annotators, half the time.
    saved_s = 10000 / 45 / 10 / WORKING_SHARE * 3600.0
    assert ready[0] - ready[1] == pytest.approx(saved_s)
    assert waits[0] - waits[1] == pytest.approx(saved_s / 3600.0, abs=1.0)
    assert _launch_s(few) - _launch_s(many) == pytest.approx(saved_s, abs=3600.0)
    assert many.kpis()["jobs"][0]["launch_date"] < few.kpis()["jobs"][0]["launch_date"]


def test_a_regulated_dataset_adds_audit_effort_and_compliance_cost() -> None:
    plain = _run(_factory(horizon_days=60, dataset=Dataset(size_tb=1.0))).kpis()
    gdpr_ds = Dataset(size_tb=1.0, sensitivity="gdpr", region="eu")
    gdpr = _run(_factory(horizon_days=60, dataset=gdpr_ds)).kpis()
    assert plain["compliance_cost_usd"] == 0.0
    year_share = 60 / 365
    assert gdpr["compliance_cost_usd"] == pytest.approx(
        lch.COMPLIANCE_USD_PER_REGULATED_DATASET_YEAR * year_share
    )
    extra_days = lch.calendar_s(lch.AUDIT_PERSON_DAYS_PER_REGULATED_DATASET, 6) / DAY_S
    assert gdpr["launch_lead_time_mean_days"] == pytest.approx(
        plain["launch_lead_time_mean_days"] + extra_days
    )
    assert gdpr["total_cost_usd"] > plain["total_cost_usd"]


def test_automation_rate_is_a_result_of_mlops_staffing_and_tooling() -> None:
    assert incident_automation_rate(0.5, 0, 1000) == 0.0
    assert incident_automation_rate(0.5, 1, 4000) == pytest.approx(0.25)
    assert incident_automation_rate(0.5, 4, 4000) == pytest.approx(0.5)
    rates = []
    for mlops in (1, 6):
        sc = _factory(mlops=mlops, horizon_days=10)
        racks = [
            n.model_copy(update={"count": 512, "failure_rate_per_gpu_hour": 1e-3})
            if n.id == "rack"
            else n
            for n in sc.nodes
        ]
        sc = sc.model_copy(update={"nodes": racks})
        rates.append(_run(sc).kpis()["automation_rate"])
    # 4,096 GPUs: one engineer keeps 2,000 of them automated (≈0.24 of incidents), six all.
    assert rates[0] == pytest.approx(0.5 * 2000 / 4096, abs=0.05)
    assert rates[1] == pytest.approx(0.5, abs=0.03)
