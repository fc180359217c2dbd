"""Datasets as canvas nodes (issue 14): jobs name them by id, data edges say where they are held."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from test_sim_builders import hall

from aifactory_twin import rules
from aifactory_twin.catalog import preset_node
from aifactory_twin.kinds import ALLOWED_CONNECTIONS
from aifactory_twin.schema import DatasetNode, Edge, Scenario, TrainingJob
from aifactory_twin.schema.dataset import Dataset
from aifactory_twin.sim import Engine, compile_scenario


def _two_jobs_one_dataset(**dataset: object) -> Scenario:
    teams = [
        preset_node("team_data_eng", "de", headcount=4),
        preset_node("team_labeling", "lab", headcount=10),
    ]
    node = DatasetNode(id="prefs", name="preferences", modality="text", **dataset)  # type: ignore[arg-type]
    sc = hall(
        racks=4, settings={"horizon_s": 5 * 86400.0, "step_s": 3600.0}, extra_nodes=[*teams, node]
    )
    jobs = [
        TrainingJob(id=f"ft-{k}", parameters_b=1.0, tokens_t=0.001, accelerators_requested=8,
                    dataset_id="prefs")
        for k in (1, 2)
    ]  # fmt: skip
    edge = Edge(id="dt-prefs", kind="data", source="prefs", target="pfs")
    return sc.model_copy(update={"workloads": jobs, "edges": [*sc.edges, edge]})


def test_jobs_naming_one_dataset_node_wait_for_one_pass_of_the_pipeline() -> None:
    sc = _two_jobs_one_dataset(size_tb=2.0, labels_needed=9000.0)
    eng = Engine(compile_scenario(sc))
    eng.run()
    ready = eng.compiled.workloads.dataset_ready_s
    assert ready is not None
    inline = compile_scenario(
        sc.model_copy(
            update={
                "workloads": [
                    sc.workloads[0].model_copy(
                        update={
                            "dataset_id": "",
                            "dataset": Dataset(size_tb=2.0, labels_needed=9000.0),
                        }
                    )
                ]
            }
        )
    ).workloads.dataset_ready_s
    assert inline is not None
    # The node's fields drive the pipeline exactly as the same dataset written inline.
    assert ready[0] == ready[1] == pytest.approx(float(inline[0]))
    waits = [job["wait_h"] for job in eng.kpis()["jobs"]]
    assert waits[0] == pytest.approx(ready[0] / 3600.0, abs=1.0)
    assert waits[1] == pytest.approx(waits[0], abs=1.0)


def test_a_dataset_node_links_to_storage_and_racks_by_data_edges() -> None:
    assert ("dataset", "storage") in ALLOWED_CONNECTIONS["data"]
    assert ("dataset", "compute_rack") in ALLOWED_CONNECTIONS["data"]
    assert ("storage", "dataset") not in ALLOWED_CONNECTIONS["data"]
    assert not [f for f in rules.check(_two_jobs_one_dataset()) if f.severity == "error"]


def test_a_missing_dataset_node_is_an_error_naming_job_and_id() -> None:
    sc = _two_jobs_one_dataset()
    sc = sc.model_copy(update={"nodes": [n for n in sc.nodes if n.id != "prefs"],
                               "edges": [e for e in sc.edges if e.source != "prefs"]})  # fmt: skip
    found = [f for f in rules.check(sc) if f.code == "dataset-missing"]
    assert [f.ids for f in found] == [("ft-1", "prefs"), ("ft-2", "prefs")]
    assert found[0].path == "workloads[0].dataset_id"


def test_a_gdpr_dataset_node_held_out_of_region_names_node_and_storage() -> None:
    sc = _two_jobs_one_dataset(sensitivity="gdpr", region="eu")
    sc = sc.model_copy(
        update={"nodes": [n.model_copy(update={"region": "eu"}) if n.id == "rack" else n
                          for n in sc.nodes]}
    )  # fmt: skip
    found = [f for f in rules.check(sc) if f.code == "data-residency"]
    assert {f.ids for f in found} == {("ft-1", "pfs"), ("ft-2", "pfs")}
    assert "'preferences'" in found[0].message and "'pfs'" in found[0].message


def test_a_job_cannot_have_both_an_inline_dataset_and_a_dataset_id() -> None:
    with pytest.raises(ValidationError, match="not both"):
        TrainingJob(id="j", dataset=Dataset(), dataset_id="prefs")


def test_dataset_sizes_show_in_terabytes() -> None:
    from aifactory_twin.formatting import field_title, field_unit

    assert (field_title("size_tb"), field_unit("size_tb")) == ("Size", "TB")


def test_a_dataset_node_waits_on_the_canvas_until_its_data_is_ready() -> None:
    from aifactory_twin.sim import STATUS_NAMES

    sc = _two_jobs_one_dataset(size_tb=2.0, labels_needed=9000.0)
    eng = Engine(compile_scenario(sc))
    ready_s = float(eng.compiled.workloads.dataset_ready_s[0])  # type: ignore[index]
    node = eng.node_ids.index("prefs")
    eng.run(until_s=ready_s - 3600.0)
    assert STATUS_NAMES[int(eng.node_state()["status"][node])] == "waiting_delivery"
    eng.run(until_s=ready_s + 3600.0)
    assert STATUS_NAMES[int(eng.node_state()["status"][node])] == "up"
