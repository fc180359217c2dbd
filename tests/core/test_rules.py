"""Validation rules: a clean factory has no findings; each rule fires alone on its own defect."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from strategies import scenarios

from aifactory_twin.catalog_models import MODEL_PRESETS
from aifactory_twin.rules import Finding, check, errors
from aifactory_twin.schema import (
    CloudBurst,
    ComputeRack,
    CoolingUnit,
    Edge,
    InferenceService,
    JobMix,
    ModelDescription,
    NetworkSwitch,
    Override,
    ParallelLayout,
    Pdu,
    PowerFeed,
    Scenario,
    StaffTeam,
    Storage,
    TrainingJob,
    Ups,
    Variant,
)


def _errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def _nodes() -> list[Any]:
    return [
        PowerFeed(id="feed", power_rating_kw=5000),
        Pdu(id="pdu", power_rating_kw=400),
        ComputeRack(id="r1", count=2, accelerators_per_unit=8, power_rating_kw=10.2),
        CoolingUnit(id="crah", cooling_type="crah", nominal_cooling_capacity_kw=150),
        NetworkSwitch(id="sw"),
        Storage(id="st"),
        StaffTeam(id="ops"),
    ]


def _edges() -> list[Edge]:
    spec = [
        ("p1", "power", "feed", "pdu"),
        ("p2", "power", "pdu", "r1"),
        ("p3", "power", "pdu", "crah"),
        ("p4", "power", "pdu", "sw"),
        ("p5", "power", "pdu", "st"),
        ("c1", "coolant", "crah", "r1"),
        ("n1", "network", "r1", "sw"),
        ("d1", "data", "st", "r1"),
        ("s1", "support", "ops", "crah"),
    ]
    return [Edge(id=i, kind=k, source=s, target=t) for i, k, s, t in spec]  # type: ignore[arg-type]


def _job(**fields: Any) -> TrainingJob:
    return TrainingJob(id="job", **{"accelerators_requested": 16, "placement": ["r1"], **fields})


def _scenario(
    nodes: list[Any] | None = None,
    edges: list[Edge] | None = None,
    workloads: list[Any] | None = None,
    variants: list[Variant] | None = None,
) -> Scenario:
    """The clean factory, or it with some parts swapped (unvalidated, as rules must cope)."""
    return Scenario.model_construct(
        nodes=_nodes() if nodes is None else nodes,
        edges=_edges() if edges is None else edges,
        workloads=[_job()] if workloads is None else workloads,
        variants=(
            [Variant(name="hot", overrides=[Override(target="r1", path="count", value=3)])]
            if variants is None
            else variants
        ),
    )


def _without_edge(edge_id: str) -> list[Edge]:
    return [e for e in _edges() if e.id != edge_id]


def _replace(node: Any, *more: Any) -> list[Any]:
    by_id = {x.id: x for x in (node, *more)}
    return [by_id.get(n.id, n) for n in _nodes()]


# The rack with cold plates, as a CDU needs (an air-cooled rack on a CDU is an error).
_DLC_RACK = ComputeRack(
    id="r1", count=2, accelerators_per_unit=8, power_rating_kw=10.2, cooling="direct_liquid"
)


def _codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def test_clean_factory_has_no_findings() -> None:
    assert check(_scenario()) == []


CASES: dict[str, tuple[Scenario, str, str, tuple[str, ...]]] = {
    # code: (scenario, expected severity, expected path, expected ids)
    "duplicate-node-id": (
        _scenario(nodes=[*_nodes(), NetworkSwitch(id="sw")]),
        "error",
        "nodes[7]",
        ("sw",),
    ),
    "duplicate-edge-id": (
        _scenario(edges=[*_edges(), Edge(id="p1", kind="support", source="ops", target="r1")]),
        "error",
        "edges[9]",
        ("p1",),
    ),
    "dangling-edge": (
        _scenario(edges=[*_edges(), Edge(id="x", kind="support", source="ops", target="ghost")]),
        "error",
        "edges[9]",
        ("x", "ops", "ghost"),
    ),
    "self-loop": (
        _scenario(edges=[*_edges(), Edge(id="x", kind="coolant", source="crah", target="crah")]),
        "error",
        "edges[9]",
        ("x", "crah", "crah"),
    ),
    "edge-not-allowed": (
        _scenario(edges=[*_edges(), Edge(id="x", kind="power", source="r1", target="pdu")]),
        "error",
        "edges[9]",
        ("x", "r1", "pdu"),
    ),
    "placement-missing-node": (
        _scenario(workloads=[_job(placement=["r1", "ghost"])]),
        "error",
        "workloads[0].placement[1]",
        ("job", "ghost"),
    ),
    "duplicate-workload-id": (
        _scenario(workloads=[_job(), InferenceService(id="job", placement=["r1"])]),
        "error",
        "workloads[1]",
        ("job",),
    ),
    "override-missing-target": (
        _scenario(
            variants=[Variant(name="v", overrides=[Override(target="gh", path="x", value=1)])]
        ),
        "error",
        "variants[0].overrides[0]",
        ("gh",),
    ),
    "rack-no-power": (_scenario(edges=_without_edge("p2")), "warning", "nodes[2]", ("r1",)),
    "rack-no-cooling": (_scenario(edges=_without_edge("c1")), "warning", "nodes[2]", ("r1",)),
    "collector-no-rejector": (
        _scenario(nodes=_replace(CoolingUnit(id="crah", cooling_type="cdu"), _DLC_RACK)),
        "warning",
        "nodes[3]",
        ("crah",),
    ),
    "cooling-below-heat": (
        # Two racks of 10.2 kW = 20.4 kW of rated heat against 2 × 10 kW of cooling.
        _scenario(nodes=_replace(CoolingUnit(id="crah", nominal_cooling_capacity_kw=10, count=2))),
        "warning",
        "nodes[3]",
        ("crah", "r1"),
    ),
    "power-rating-below-load": (
        # Load: racks 20.4 + CRAH fans 150 × 0.05 + switch 1.7 + storage 20 = 49.6 kW.
        _scenario(nodes=_replace(Pdu(id="pdu", power_rating_kw=49))),
        "warning",
        "nodes[1]",
        ("pdu",),
    ),
    "job-exceeds-accelerators": (
        _scenario(workloads=[_job(accelerators_requested=17)]),
        "warning",
        "workloads[0]",
        ("job",),
    ),
    "job-no-fabric": (
        _scenario(edges=_without_edge("n1")),
        "warning",
        "workloads[0]",
        ("job", "r1"),
    ),
    "layout-exceeds-hbm": (
        # Llama 3 405B on 16 H100s: 18 B per parameter alone is ~455 GB per GPU at ZeRO-3.
        _scenario(workloads=[_job(model=MODEL_PRESETS["llama3_405b"].model)]),
        "error",
        "workloads[0].layout",
        ("job",),
    ),
    "layout-indivisible": (
        _scenario(
            workloads=[
                _job(
                    model=MODEL_PRESETS["llama2_70b"].model,
                    layout=ParallelLayout(tensor=3),
                )
            ]
        ),
        "error",
        "workloads[0].layout",
        ("job",),
    ),
    "team-supports-nothing": (
        _scenario(edges=_without_edge("s1")),
        "warning",
        "nodes[6]",
        ("ops",),
    ),
    "storage-no-data": (_scenario(edges=_without_edge("d1")), "warning", "nodes[5]", ("st",)),
    "cooling-mode-mismatch": (
        # Air-cooled servers on a CDU with a chiller behind it: only the mode is wrong.
        _scenario(
            nodes=[
                *_replace(CoolingUnit(id="crah", cooling_type="cdu")),
                CoolingUnit(id="chiller", cooling_type="chiller", cop=6.1),
            ],
            edges=[*_edges(), Edge(id="w1", kind="coolant", source="chiller", target="crah")],
        ),
        "error",
        "nodes[2].cooling",
        ("r1", "crah"),
    ),
    "liquid-rack-no-cdu": (
        _scenario(nodes=_replace(_DLC_RACK)),
        "error",
        "nodes[2].cooling",
        ("r1", "crah"),
    ),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_rule_fires_alone(code: str) -> None:
    scenario, severity, path, ids = CASES[code]
    findings = check(scenario)
    assert _codes(findings) == [code]
    (finding,) = findings
    assert (finding.severity, finding.path, finding.ids) == (severity, path, ids)
    assert finding.message
    assert _errors(findings) == (findings if severity == "error" else [])
    assert errors(scenario) == _errors(findings)  # what loading checks, without the warnings


def test_errors_alone_are_the_errors_of_check_in_the_same_order() -> None:
    """Several errors and warnings at once: ``errors`` keeps check's order and skips nothing."""
    nodes = [*_nodes(), NetworkSwitch(id="sw"), ComputeRack(id="r2", cooling="immersion")]
    edges = [
        *_edges(),
        Edge(id="c2", kind="coolant", source="crah", target="r2"),
        Edge(id="x1", kind="power", source="pdu", target="gone"),
        Edge(id="x1", kind="network", source="sw", target="sw"),
    ]
    findings = check(_scenario(nodes=nodes, edges=edges))
    assert len(_errors(findings)) >= 4 and len(findings) > len(_errors(findings))
    assert errors(_scenario(nodes=nodes, edges=edges)) == _errors(findings)


def test_feed_and_ups_ratings_are_checked_against_the_load_they_carry() -> None:
    nodes = [*_nodes(), Ups(id="ups", ups_rating_kw=40)]
    nodes[0] = PowerFeed(id="feed", power_rating_kw=45)
    edges = [e for e in _edges() if e.id != "p1"] + [
        Edge(id="u1", kind="power", source="feed", target="ups"),
        Edge(id="u2", kind="power", source="ups", target="pdu"),
    ]
    findings = check(_scenario(nodes=nodes, edges=edges))
    assert [(f.code, f.ids) for f in findings] == [
        ("power-rating-below-load", ("feed",)),
        ("power-rating-below-load", ("ups",)),
    ]


def test_load_shared_between_two_pdus_in_proportion_to_rating() -> None:
    # 49.6 kW of load over two 30 kW PDUs: 24.8 kW each, within rating.
    nodes = [*_replace(Pdu(id="pdu", power_rating_kw=30)), Pdu(id="pdu-b", power_rating_kw=30)]
    edges = [*_edges(), Edge(id="b1", kind="power", source="feed", target="pdu-b")] + [
        Edge(id=f"b{t}", kind="power", source="pdu-b", target=t) for t in ("r1", "crah", "sw", "st")
    ]
    assert check(_scenario(nodes=nodes, edges=edges)) == []
    # Shrink pdu-b: it now takes 10/40 of the load (12.4 kW) and is over its 10 kW.
    nodes[-1] = Pdu(id="pdu-b", power_rating_kw=10)
    assert [(f.code, f.ids) for f in check(_scenario(nodes=nodes, edges=edges))] == [
        ("power-rating-below-load", ("pdu",)),
        ("power-rating-below-load", ("pdu-b",)),
    ]


def test_cdu_with_a_rejector_behind_it_is_fine() -> None:
    nodes = [
        *_replace(CoolingUnit(id="crah", cooling_type="cdu"), _DLC_RACK),
        CoolingUnit(id="chiller", cooling_type="chiller", cop=6.1),
    ]
    edges = [*_edges(), Edge(id="w1", kind="coolant", source="chiller", target="crah")]
    assert check(_scenario(nodes=nodes, edges=edges)) == []


def test_cloud_burst_counts_toward_a_job_placed_anywhere() -> None:
    nodes = [*_nodes(), CloudBurst(id="cloud", max_accelerators=100)]
    job = _job(accelerators_requested=116, placement=["any"])
    assert check(_scenario(nodes=nodes, workloads=[job])) == []
    job = _job(accelerators_requested=117, placement=["any"])
    assert _codes(check(_scenario(nodes=nodes, workloads=[job]))) == ["job-exceeds-accelerators"]


def test_findings_sorted_errors_first_then_natural_path_order() -> None:
    edges = _without_edge("s1") + [
        Edge(id=f"x{i}", kind="support", source="ops", target="ghost") for i in range(11)
    ]
    findings = check(_scenario(edges=edges))
    paths = [f.path for f in findings]
    assert paths[:11] == [f"edges[{i}]" for i in range(8, 19)]
    assert [f.severity for f in findings] == ["error"] * 11 + ["warning"]
    assert len(_errors(findings)) == 11


def test_large_factory_is_checked_correctly() -> None:
    """A frontier-sized scene (thousands of nodes): no findings, and one broken rack found."""
    nodes: list[Any] = [PowerFeed(id="feed", power_rating_kw=1e6), StaffTeam(id="ops")]
    edges: list[Edge] = [Edge(id="s0", kind="support", source="ops", target="feed")]
    for hall in range(400):
        pdu, crah = f"pdu{hall}", f"crah{hall}"
        nodes += [
            Pdu(id=pdu, power_rating_kw=2000),
            CoolingUnit(id=crah, nominal_cooling_capacity_kw=1000),
        ]
        edges += [
            Edge(id=f"{pdu}-in", kind="power", source="feed", target=pdu),
            Edge(id=f"{crah}-p", kind="power", source=pdu, target=crah),
        ]
        for r in range(20):
            rack = f"r{hall}-{r}"
            nodes.append(ComputeRack(id=rack))
            if (hall, r) == (399, 19):
                continue  # the one unpowered, uncooled rack
            edges += [
                Edge(id=f"{rack}-p", kind="power", source=pdu, target=rack),
                Edge(id=f"{rack}-c", kind="coolant", source=crah, target=rack),
            ]
    findings = check(_scenario(nodes=nodes, edges=edges, workloads=[], variants=[]))
    assert [(f.code, f.ids) for f in findings] == [
        ("rack-no-cooling", ("r399-19",)),
        ("rack-no-power", ("r399-19",)),
        ("no-workload", ()),  # workloads=[]: a run would idle
    ]


def test_an_empty_factory_and_one_without_work_are_flagged() -> None:
    empty = check(_scenario(nodes=[], edges=[], workloads=[], variants=[]))
    assert [(f.severity, f.code, f.path) for f in empty] == [("warning", "empty-factory", "nodes")]
    idle = check(_scenario(workloads=[], variants=[]))
    assert [(f.code, f.path) for f in idle] == [("no-workload", "workloads")]
    assert "0 % utilization" in idle[0].message
    # A job mix (or a trace) is work: it expands into training jobs at compile time.
    mixed = check(
        _scenario(workloads=[], variants=[]).model_copy(update={"job_mix": [JobMix(team="t")]})
    )
    assert "no-workload" not in {f.code for f in mixed}


def test_a_rack_fed_straight_from_the_grid_is_flagged() -> None:
    edges = [*_without_edge("p2"), Edge(id="g1", kind="power", source="feed", target="r1")]
    findings = check(_scenario(edges=edges))
    assert [(f.code, f.ids) for f in findings] == [("rack-fed-from-feed", ("r1", "feed"))]
    # Fed from the grid and through a PDU (a second cord): distribution exists, no warning.
    assert check(_scenario(edges=[*_edges(), edges[-1]])) == []


@settings(max_examples=100, deadline=None)
@given(scenarios())
def test_generated_scenarios_have_no_errors_and_findings_are_well_formed(
    scenario: Scenario,
) -> None:
    findings = check(scenario)
    assert _errors(findings) == []
    node_ids = {n.id for n in scenario.nodes} | {w.id for w in scenario.workloads}
    for finding in findings:
        assert finding.severity == "warning"
        if finding.code in ("empty-factory", "no-workload"):  # about the whole factory
            assert finding.ids == () and finding.path in ("nodes", "workloads")
            continue
        assert finding.ids and set(finding.ids) <= node_ids
        assert finding.path.startswith(("nodes[", "workloads["))


def test_layout_errors_name_the_job_and_what_does_not_fit() -> None:
    job = _job(model=MODEL_PRESETS["llama3_405b"].model)
    (finding,) = check(_scenario(workloads=[job]))
    assert "'job'" in finding.message
    for part in ("weights", "gradients", "optimizer", "activations", "GB"):
        assert part in finding.message
    # A 13B model (Llama-2-13B shape) on 16 GPUs fits once the search may shard it.
    model = ModelDescription(
        layers=40, hidden_size=5120, attention_heads=40, ffn_hidden_size=13824, gated_mlp=True
    )
    assert check(_scenario(workloads=[_job(model=model)])) == []
    # TP2 without pipeline or sharding: 13e9 × 18 B / 2 ≈ 117 GB per GPU, and the message says so.
    tight = _job(model=model, layout=ParallelLayout(tensor=2, pipeline=1, zero_stage=0))
    (finding,) = check(_scenario(workloads=[tight]))
    assert finding.code == "layout-exceeds-hbm"
    assert "TP2 PP1" in finding.message and "ZeRO-0" in finding.message
