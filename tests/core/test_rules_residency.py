"""Data residency and sensitivity (issue 14): a GDPR dataset stays in its region, HIPAA on
encrypted, audited storage; a violation is a validation error naming the dataset and the site."""

from __future__ import annotations

import pytest
from test_sim_builders import hall

from aifactory_twin import rules
from aifactory_twin.catalog import preset_node
from aifactory_twin.errors import ScenarioError
from aifactory_twin.io import dumps_scenario, loads_scenario
from aifactory_twin.schema import Edge, Scenario, TrainingJob
from aifactory_twin.schema.dataset import Dataset


def _regional(dataset: Dataset, rack_region: str = "eu", store_region: str = "eu") -> Scenario:
    sc = hall(racks=2)
    nodes = [
        n.model_copy(update={"region": rack_region})
        if n.id == "rack"
        else n.model_copy(update={"region": store_region})
        if n.id == "pfs"
        else n
        for n in sc.nodes
    ]
    job = sc.workloads[0]
    assert isinstance(job, TrainingJob)
    job = job.model_copy(update={"dataset": dataset})
    return sc.model_copy(update={"nodes": nodes, "workloads": [job]})


def _residency(sc: Scenario) -> list[rules.Finding]:
    return [f for f in rules.check(sc) if f.code == "data-residency"]


PATIENTS = Dataset(name="patient-notes", size_tb=1.0, sensitivity="gdpr", region="eu")


def test_a_gdpr_dataset_cannot_be_placed_out_of_region() -> None:
    assert _residency(_regional(PATIENTS)) == []
    (bad,) = _residency(_regional(PATIENTS, rack_region="us"))
    assert bad.severity == "error"
    assert "'patient-notes'" in bad.message and "'rack'" in bad.message
    assert "'eu'" in bad.message and "'us'" in bad.message
    assert bad.ids == ("train", "rack")
    assert bad.path == "workloads[0].dataset"
    # Storage holding it out of region is named too; a site with no region is out of region.
    (store,) = _residency(_regional(PATIENTS, store_region=""))
    assert "'pfs'" in store.message and "no region" in store.message


def test_placement_inside_the_region_resolves_it() -> None:
    sc = _regional(PATIENTS)
    us_rack = preset_node("dgx_h100", "rack-us", region="us")
    sc = sc.model_copy(update={"nodes": [*sc.nodes, us_rack]})
    (bad,) = _residency(sc)
    assert "'rack-us'" in bad.message
    job = sc.workloads[0].model_copy(update={"placement": ["rack"]})
    assert _residency(sc.model_copy(update={"workloads": [job]})) == []


def test_a_gdpr_violation_refuses_the_file_with_both_names() -> None:
    text = dumps_scenario(_regional(PATIENTS, rack_region="us"))
    with pytest.raises(ScenarioError) as err:
        loads_scenario(text, source="factory.aift.json")
    assert "patient-notes" in str(err.value) and "rack" in str(err.value)


def test_a_hipaa_dataset_needs_encrypted_audited_storage() -> None:
    hipaa = Dataset(name="scans", size_tb=1.0, sensitivity="hipaa")
    sc = _regional(hipaa)
    assert _residency(sc) == []
    plain = preset_node("lustre_pfs", "scratch", encryption_at_rest=False, audit_logging=False)
    edge = Edge(id="dt-scratch", kind="data", source="scratch", target="rack")
    sc = sc.model_copy(update={"nodes": [*sc.nodes, plain], "edges": [*sc.edges, edge]})
    (bad,) = _residency(sc)
    assert "'scans'" in bad.message and "'scratch'" in bad.message
    assert "encryption at rest and no audit logging" in bad.message


def test_a_gdpr_dataset_needs_a_region() -> None:
    (bad,) = _residency(_regional(Dataset(name="x", sensitivity="gdpr")))
    assert bad.path == "workloads[0].dataset.region"
