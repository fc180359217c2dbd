"""Scenario builders shared by the engine tests (no tests here; imported as a module)."""

from __future__ import annotations

from typing import Any

from aifactory_twin.catalog import preset_node
from aifactory_twin.schema import (
    Edge,
    InferenceService,
    NodeBase,
    Scenario,
    ScheduledEvent,
    Settings,
    TrainingJob,
)


def edge(kind: str, src: str, dst: str) -> Edge:
    return Edge(id=f"{kind}-{src}-{dst}", kind=kind, source=src, target=dst)  # type: ignore[arg-type]


def hall(
    cooling: str = "air",
    racks: int = 4,
    job_gpus: int | None = None,
    settings: dict[str, Any] | None = None,
    events: list[ScheduledEvent] | None = None,
    ops_headcount: int | None = 6,
    storage_gbs: float | None = 500.0,
    fabric: bool = True,
    extra_nodes: list[NodeBase] | None = None,
) -> Scenario:
    """One hall of racks under one cooling chain, fed through UPS and PDU, training one job.

    ``cooling``: "air" (DGX H100 + CRAH + air-cooled chiller), "dlc" (NVL72 + CDU + dry cooler),
    "immersion" (DGX H100 in immersion tanks + dry cooler).
    """
    nodes: list[NodeBase] = []
    edges: list[Edge] = []
    if cooling == "air":
        rack = preset_node("dgx_h100", "rack", count=racks)
        per_unit_kw = 10.2
        collector = preset_node("crah", "crah", count=max(1, int(racks * per_unit_kw / 120) + 1))
        rejector = preset_node(
            "chiller_air", "chiller", count=max(1, int(racks * per_unit_kw / 1400) + 1)
        )
    elif cooling == "dlc":
        rack = preset_node("gb200_nvl72", "rack", count=racks)
        per_unit_kw = 132.0
        collector = preset_node("cdu", "cdu", count=max(1, int(racks * per_unit_kw / 1400) + 1))
        rejector = preset_node(
            "dry_cooler", "dry", count=max(1, int(racks * per_unit_kw / 1900) + 1)
        )
    else:
        rack = preset_node(
            "dgx_h100", "rack", count=racks, cooling="immersion", liquid_heat_fraction=1.0
        )
        per_unit_kw = 10.2
        collector = preset_node(
            "immersion_tank", "tank", count=max(1, int(racks * per_unit_kw / 140) + 1)
        )
        rejector = preset_node(
            "dry_cooler", "dry", count=max(1, int(racks * per_unit_kw / 1900) + 1)
        )
    it_kw = racks * per_unit_kw * 1.2
    feed = preset_node("grid_feed", "feed", power_rating_kw=max(5000.0, 3 * it_kw))
    # Immersion sites pair with eco-mode UPS (98–99 %, domain-reference §3.2).
    ups_eff = 0.99 if cooling == "immersion" else 0.96
    # Right-sized power path (1.5 × the rated-plus-20 % IT load): oversized converters run at
    # low load, where their no-load losses dominate (models/partload.py).
    # Storage (catalog parallel FS ≈ 40 kW) and switches sit on the same PDUs.
    path_kw = 1.5 * (it_kw + (60.0 if storage_gbs is not None or fabric else 0.0))
    n_ups = max(1, int(path_kw / 1000) + 1)
    n_pdu = max(1, int(path_kw / 400) + 1)
    ups = preset_node(
        "ups", "ups", count=n_ups, efficiency=ups_eff, ups_rating_kw=path_kw / n_ups,
        mode="eco" if cooling == "immersion" else "double_conversion",
    )  # fmt: skip
    pdu = preset_node("pdu", "pdu", count=n_pdu, power_rating_kw=path_kw / n_pdu)
    nodes += [rack, collector, rejector, feed, ups, pdu]
    edges += [
        edge("coolant", collector.id, rack.id),
        edge("coolant", rejector.id, collector.id),
        edge("power", feed.id, ups.id),
        edge("power", ups.id, pdu.id),
        edge("power", pdu.id, rack.id),
        edge("power", pdu.id, collector.id),
        edge("power", feed.id, rejector.id),
    ]
    if fabric:
        # Two-tier fat tree: 64-port switches, k/3 host ports each (§4.2).
        gpus_total = racks * getattr(rack, "accelerators_per_unit", 8)
        sw = preset_node("ib_ndr_switch", "ib", count=max(1, -(-gpus_total * 3 // 64)))
        nodes.append(sw)
        edges += [edge("network", rack.id, sw.id), edge("power", pdu.id, sw.id)]
    if storage_gbs is not None:
        st = preset_node("lustre_pfs", "pfs", throughput_gb_per_s=storage_gbs)
        nodes.append(st)
        edges += [edge("data", st.id, rack.id), edge("power", pdu.id, st.id)]
    if ops_headcount is not None:
        team = preset_node("team_facilities", "ops", headcount=ops_headcount)
        mlops = preset_node("team_mlops", "mlops")
        nodes += [team, mlops]
        edges += [edge("support", team.id, rack.id), edge("support", team.id, collector.id)]
    nodes += extra_nodes or []
    gpus = racks * getattr(rack, "accelerators_per_unit", 8)
    jobs = [
        TrainingJob(
            id="train",
            name="70B run",
            parameters_b=70.0,
            tokens_t=1.4,
            accelerators_requested=job_gpus if job_gpus is not None else gpus,
        )
    ]
    return Scenario(
        settings=Settings(**(settings or {"horizon_s": 86400.0, "step_s": 300.0})),
        nodes=nodes,
        edges=edges,
        workloads=jobs,
        events=events or [],
    )


def with_inference(sc: Scenario) -> Scenario:
    svc = InferenceService(id="chat", peak_demand_tokens_per_s=20000.0, daily_profile=[0.5] * 24)
    return sc.model_copy(update={"workloads": [*sc.workloads, svc]})
