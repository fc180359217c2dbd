"""Generate the sample scenes in ``scenes/*.aift.json`` from catalog presets.

Run ``.venv/bin/python tools/build_scenes.py`` (optionally with scene names) after changing the
catalog or the schema; the output is the canonical save format (two-space indent, sorted keys),
so regenerating an unchanged scene gives identical bytes. Sizes (switch counts, cooling units,
PDUs) are derived in comments from the catalog ratings so the rules report no warnings.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aifactory_twin.catalog import preset_node
from aifactory_twin.catalog_models import MODEL_PRESETS
from aifactory_twin.schema import (
    THREE_TEAM_MIX,
    CheckpointPolicy,
    DatasetNode,
    Edge,
    InferenceService,
    Meta,
    OptimizeStudy,
    Override,
    ParallelLayout,
    Scenario,
    Settings,
    Studies,
    Sweep2DStudy,
    TrainingJob,
    UncertainInput,
    UncertaintyStudy,
    Variant,
    WanLink,
    make_edge,
)

SCENES_DIR = Path(__file__).resolve().parent.parent / "scenes"
DAY_S = 86400.0
# Node cards on the canvas are ~172 px wide and ~50 px tall: columns 210 px apart, rows 110.
STEP_X_PX = 210.0
STEP_Y_PX = 110.0
_EDGE_ABBR = {
    "power": "pw",
    "coolant": "cl",
    "network": "nw",
    "data": "dt",
    "support": "sp",
    "wan": "wan",
}


def dumps(scenario: Scenario) -> str:
    """The canonical file text (the io package's writer when present, same format either way)."""
    try:
        from aifactory_twin.io import dumps_scenario
    except ImportError:
        data = scenario.model_dump(mode="json")
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return dumps_scenario(scenario)


class SceneBuilder:
    """Collects nodes, edges and workloads; ids of edges derive from their ends."""

    def __init__(self, name: str, description: str, **settings: Any) -> None:
        self.meta = Meta(name=name, description=description, author="tools/build_scenes.py")
        self.settings = Settings(**settings)
        self.nodes: list[Any] = []
        self.edges: list[Edge] = []
        self.workloads: list[Any] = []
        self.variants: list[Variant] = []
        self.uncertain: list[UncertainInput] = []
        self.studies = Studies()

    def add(self, preset: str, node_id: str, col: float, row: float, **fields: Any) -> str:
        """Add a preset node at grid cell (col, row) of STEP_X_PX × STEP_Y_PX cells."""
        position = {"x": col * STEP_X_PX, "y": row * STEP_Y_PX}
        self.nodes.append(preset_node(preset, node_id, position=position, **fields))
        return node_id

    def link(self, kind: str, source: str, targets: str | list[str]) -> None:
        for target in [targets] if isinstance(targets, str) else targets:
            edge_id = f"{_EDGE_ABBR[kind]}-{source}--{target}"
            self.edges.append(make_edge(edge_id, kind, source, target))

    def wan(self, source: str, target: str, latency_ms: float, bandwidth_gbps: float) -> str:
        """A WAN link between two sites (or a site and a switch); returns its id."""
        edge_id = f"wan-{source}--{target}"
        link = WanLink(
            id=edge_id,
            source=source,
            target=target,
            latency_ms=latency_ms,
            bandwidth_gbps=bandwidth_gbps,
        )
        self.edges.append(link)
        return edge_id

    def scenario(self, *, laid_out: bool = False) -> Scenario:
        """The scene; ``laid_out`` replaces the grid positions by the editor's auto-layout."""
        scenario = Scenario(
            meta=self.meta,
            settings=self.settings,
            nodes=self.nodes,
            edges=self.edges,
            workloads=self.workloads,
            variants=self.variants,
            uncertain=self.uncertain,
            studies=self.studies,
        )
        return auto_laid_out(scenario) if laid_out else scenario


def auto_laid_out(scenario: Scenario) -> Scenario:
    """The scenario with every node where the editor's auto-layout (Ctrl-L) puts it.

    The scenes with one hall read better this way (power, coolant and network edges left to
    right, fewer crossings). The scenes laid out as a map or a campus grid keep their hand
    layout: edge-inference and hybrid-burst show their sites and WAN links side by side, and
    auto-layout would stack the halls of llama-scale-16k, gb200-campus and frontier-scale into
    one tall column. Positions only: results do not change.
    """
    from aifactory_twin.document import FactoryDocument
    from ui.edit_ops import layout_positions  # the editor's own layout, so Ctrl-L is a no-op

    positions = layout_positions(FactoryDocument(scenario))
    nodes = [n.model_copy(update={"position": positions[n.id]}) for n in scenario.nodes]
    return scenario.model_copy(update={"nodes": nodes})


# Business-day demand curve, hour 0..23 (estimate: diurnal chat/API traffic, trough at night).
DIURNAL = [0.25, 0.2, 0.18, 0.18, 0.2, 0.25, 0.35, 0.5, 0.65, 0.8, 0.9, 0.95]
DIURNAL += [1.0, 1.0, 1.0, 0.98, 0.95, 0.9, 0.85, 0.75, 0.6, 0.45, 0.35, 0.3]


def starter_lab() -> Scenario:
    b = SceneBuilder(
        "Starter lab",
        "Four DGX H100 (32 GPUs), one CRAH and an air-cooled chiller, a small facilities team "
        "and a 7B model trained on 0.1T tokens (~4 days at MFU 0.40).",
        horizon_s=7 * DAY_S,
        step_s=300.0,
    )
    # Rated: 4 × 10.2 = 40.8 kW racks + 1.7 kW switch + 5 kW storage behind the PDU.
    b.add("grid_feed", "grid", 0, 0, power_rating_kw=150.0)
    b.add("ups", "ups", 0, 1, ups_rating_kw=100.0)
    b.add("pdu", "pdu", 0, 2, power_rating_kw=60.0)
    b.add("dgx_h100", "dgx", 2, 2, count=4, group="lab")
    b.add("ib_ndr_switch", "ib-switch", 2, 1, group="lab")
    b.add("lustre_pfs", "scratch", 2, 3, capacity_pb=1.0, throughput_gb_per_s=20.0, power_kw=5.0)
    b.add("crah", "crah", 4, 2, nominal_cooling_capacity_kw=50.0, group="lab")
    b.add("chiller_air", "chiller", 4, 0, nominal_cooling_capacity_kw=60.0)
    b.add("team_facilities", "facilities", 4, 4, headcount=2)
    b.link("power", "grid", ["ups", "crah", "chiller"])
    b.link("power", "ups", "pdu")
    b.link("power", "pdu", ["dgx", "ib-switch", "scratch"])
    b.link("coolant", "chiller", "crah")
    b.link("coolant", "crah", "dgx")
    b.link("network", "dgx", "ib-switch")
    b.link("network", "scratch", "ib-switch")
    b.link("data", "scratch", "dgx")
    b.link("support", "facilities", ["dgx", "crah", "chiller", "ups", "pdu", "grid", "ib-switch"])
    # 6·7e9·0.1e12 = 4.2e21 FLOP / (32 × 989.4 TFLOPS × 0.40) ≈ 3.8 days (domain-reference §7).
    b.workloads.append(
        TrainingJob(
            id="train-7b",
            name="7B pilot",
            parameters_b=7.0,
            tokens_t=0.1,
            accelerators_requested=32,
            target_mfu=0.40,
            placement=["dgx"],
        )
    )
    return b.scenario(laid_out=True)


def _h100_rows(
    b: SceneBuilder,
    hall: str,
    rows: int,
    col0: float,
    servers: int,
    crahs: int,
    pdus: int,
    leaves: int,
    aggs: int = 0,
) -> list[str]:
    """Rows of DGX H100, each with CRAHs, PDUs, leaf (and aggregation) switches; returns row ids.

    Row column layout, top to bottom: aggregation, leaf, rack row, CRAHs, PDUs.
    """
    ids = []
    for r in range(1, rows + 1):
        row = f"{hall}-row-{r}"
        col = col0 + 1.5 * (r - 1)
        b.add("dgx_h100", row, col, 3, count=servers, group=hall)
        b.add("crah", f"{row}-crah", col, 4, count=crahs, group=hall)
        b.add("pdu", f"{row}-pdu", col, 5, count=pdus, group=hall)
        b.add("ib_ndr_switch", f"{row}-leaf", col, 2, count=leaves, group=hall)
        b.link("coolant", f"{row}-crah", row)
        b.link("power", f"{row}-pdu", [row, f"{row}-crah", f"{row}-leaf"])
        b.link("network", row, f"{row}-leaf")
        if aggs:
            b.add("ib_ndr_switch", f"{row}-agg", col, 1, count=aggs, group=hall)
            b.link("network", f"{row}-leaf", f"{row}-agg")
            b.link("power", f"{row}-pdu", f"{row}-agg")
        ids.append(row)
    return ids


def _row_parts(rows: list[str], *parts: str) -> list[str]:
    return [f"{row}-{part}" for row in rows for part in parts]


def training_cluster_1k() -> Scenario:
    b = SceneBuilder(
        "Training cluster 1k",
        "1,024 H100 (128 DGX in 8 rows) on a 2-tier InfiniBand NDR fat tree, CRAHs on a "
        "water-cooled chiller, Lustre, and a 70B model on 2T tokens (~4 weeks at MFU 0.40).",
        horizon_s=35 * DAY_S,
        step_s=600.0,
    )
    # Per row: 16 × 10.2 = 163.2 kW rated against 2 CRAHs = 300 kW. Fat tree k = 64 (§4.2):
    # 1,024 hosts use half a 2-tier tree, 32 leaves (32 down, 32 up) and 16 spines, so 4 leaves
    # per 128-GPU row. The 400 kW PDU carries 163.2 + 6.8 (leaves) + 15 (CRAH fans) kW.
    rows = _h100_rows(b, "hall-a", 8, 2, servers=16, crahs=2, pdus=1, leaves=4)
    b.add("ib_ndr_switch", "spine", 7, 0, count=16)
    b.link("network", "spine", _row_parts(rows, "leaf"))
    b.add("lustre_pfs", "lustre", 14, 1)
    b.link("network", "lustre", "spine")
    b.link("data", "lustre", rows)
    # 2 × 3,500 kW chillers (N+1) serve 8 × 300 kW of CRAHs; the tower takes condenser heat.
    b.add("chiller_water", "chiller", 15, 4, count=2)
    b.add("cooling_tower", "tower", 15, 6)
    b.link("coolant", "tower", "chiller")
    b.link("coolant", "chiller", _row_parts(rows, "crah"))
    # UPS 2 × 1 MW carries 8 × 185 kW of PDU load + spine 27 kW + storage 40 kW; the feed adds
    # the chillers (2 × 3,500 / 6.1 = 1,148 kW) and the tower fans.
    b.add("grid_feed", "grid", 0, 7, power_rating_kw=3000.0)
    b.add("ups", "ups", 0, 5, count=2)
    b.link("power", "grid", ["ups", "chiller", "tower"])
    b.link("power", "ups", [*_row_parts(rows, "pdu"), "spine", "lustre"])
    b.add("team_facilities", "facilities", 4, 7, headcount=8)
    b.add("team_mlops", "mlops", 7, 7)
    b.add("team_research", "research", 10, 7)
    # Issue 14: the data pipeline feeding the chat fine-tune, and the governance team whose
    # review gates (bias/fairness, red-teaming, legal) every model passes before launch.
    b.add("team_data_eng", "data-eng", 13, 7)
    b.add("team_labeling", "labeling", 16, 7, headcount=8)
    b.add("team_security", "governance", 19, 7, headcount=6)
    # Talent market (issue 14): each team is paid the market rate of its role (the preset's
    # salary), so the "salaries -20 percent" variant pays 0.8 of market.
    teams = ("facilities", "mlops", "research")
    b.nodes = [
        n.model_copy(update={"market_salary_usd_per_year": n.salary_usd_per_year})
        if n.id in teams
        else n
        for n in b.nodes
    ]
    pay = {n.id: n.salary_usd_per_year for n in b.nodes if n.id in teams}
    b.variants.append(
        Variant(
            name="salaries -20 percent",
            description="Every team paid 20 % below its market rate: more departures (and more "
            "load on those who stay), slower hiring, slower repairs.",
            overrides=[
                Override(target=team, path="salary_usd_per_year", value=0.8 * usd)
                for team, usd in pay.items()
            ],
        )
    )
    plant = ["grid", "ups", "chiller", "tower", *_row_parts(rows, "crah", "pdu")]
    b.link("support", "facilities", plant)
    b.link("support", "mlops", [*rows, *_row_parts(rows, "leaf"), "spine", "lustre"])
    b.link("support", "research", "mlops")
    b.link("support", "data-eng", "lustre")
    b.link("support", "labeling", "lustre")
    b.link("support", "governance", "lustre")
    # The chat fine-tune's labeled data, held on the Lustre file system: EU users' conversations,
    # so GDPR keeps it (and the racks that train on it) in the EU — the site is in the EU; a rack
    # or storage set to another region is a validation error naming the dataset and the site.
    b.nodes.append(
        DatasetNode(
            id="chat-prefs",
            name="Chat preference pairs",
            position={"x": 17 * STEP_X_PX, "y": 1 * STEP_Y_PX},
            size_tb=2.0,
            modality="text",
            labels_needed=50000.0,
            sensitivity="gdpr",
            region="eu",
        )
    )
    b.link("data", "chat-prefs", "lustre")
    b.nodes = [
        n.model_copy(update={"region": "eu"}) if n.kind in ("compute_rack", "storage") else n
        for n in b.nodes
    ]
    # 6·70e9·2e12 = 8.4e23 FLOP / (1,024 × 989.4 TFLOPS × 0.40) = 24 days of compute.
    b.workloads.append(
        TrainingJob(
            id="train-70b",
            name="70B pre-training",
            parameters_b=70.0,
            tokens_t=2.0,
            accelerators_requested=1024,
            target_mfu=0.40,
        )
    )
    # A chat fine-tune that waits for its labeled data: 50,000 preference labels at 150 × 0.9
    # accepted per annotator-hour = 370 person-hours, ~8 days for 8 annotators on a 40-hour
    # week; then ~9 h on 64 GPUs (6·7e9·2e10 FLOP at MFU 0.40), evaluation, governance review
    # with a GDPR audit, deployment: launched around day 32 (sim/models/launch.py).
    b.workloads.append(
        TrainingJob(
            id="sft-chat",
            name="7B chat fine-tune",
            parameters_b=7.0,
            tokens_t=0.02,
            accelerators_requested=64,
            target_mfu=0.40,
            priority=5,
            dataset_id="chat-prefs",
        )
    )
    # Supply risk (issue 14): in the base every row is in place. The variants order the second
    # half of the rows from an in-stock reseller (scene value: 14-day median, §9.7's 16-week
    # OEM lead time is for new builds) whose random disruptions stop it twice a year; dual
    # sourcing adds a slower second vendor at a 5 % premium. Monte Carlo seeds vary deliveries.
    b.add("vendor_gpu_oem", "oem", 1, 8, lead_time_median_days=14.0, disruption_rate_per_year=2.0,
          disruption_length_days=21.0)  # fmt: skip
    b.add("vendor_second_source", "second-source", 2, 8, lead_time_median_days=21.0)
    late = rows[4:]
    b.variants.append(
        Variant(
            name="half on order",
            description="Rows 5–8 ordered from the reseller at the start (lognormal lead time, "
            "random disruptions): the job waits for them or runs short.",
            overrides=[Override(target=row, path="delivery.vendor", value="oem") for row in late],
        )
    )
    b.variants.append(
        Variant(
            name="half on order - dual sourced",
            description="As 'half on order' with a second qualified vendor at a 5 % premium: "
            "each order ships from whichever vendor delivers first.",
            overrides=[
                Override(target=row, path=f"delivery.{part}", value=vendor)
                for part, vendor in (("vendor", "oem"), ("second_vendor", "second-source"))
                for row in late
            ],
        )
    )
    # Drift monitoring (issue 14): the chat model's production traffic drifts (fast-moving chat
    # use: mean 30 days after launch, estimate); MLOps detects it (automated alerts for the
    # share its tooling covers, else a monthly review, then triage) and submits a retraining job
    # (a tenth of the fine-tune) that queues on the cluster, then is evaluated, reviewed and
    # launched again. Over 120 days, so the relaunch falls inside the run.
    b.variants.append(
        Variant(
            name="drift 120 d",
            description="The chat model is watched for drift (mean 30 days after launch): a "
            "detected drift queues a retraining job that relaunches the model. 120-day run.",
            overrides=[
                Override(target="sft-chat", path="drift_monitoring", value=True),
                Override(target="sft-chat", path="mean_time_to_drift_s", value=30 * DAY_S),
                Override(target="settings", path="horizon_s", value=120 * DAY_S),
            ],
        )
    )
    b.variants.append(
        Variant(
            name="double annotators",
            description="16 annotators instead of 8: the chat data is ready ~4 days sooner.",
            overrides=[Override(target="labeling", path="headcount", value=16)],
        )
    )
    return b.scenario(laid_out=True)


def shared_cluster_1k() -> Scenario:
    """The 1k cluster shared by three teams' generated jobs, queued; backfill as variants."""
    sc = training_cluster_1k()
    settings = sc.settings.model_copy(
        update={
            "horizon_s": 7 * DAY_S,
            "step_s": 600.0,
            "scheduler_policy": "fcfs",
            "backfill": "none",
        }
    )
    meta = sc.meta.model_copy(
        update={
            "name": "Shared cluster 1k",
            "description": "The 1,024-H100 training cluster shared by three teams: 200 generated "
            "jobs (research 80 big and long, product 80 mid-sized at priority 5, eval 40 small "
            "and short) in a strict FCFS queue for a week. Variants: EASY backfill, and "
            "shortest-job-first with EASY backfill. Open the Jobs dock while it runs.",
        }
    )

    def backfill(policy: str) -> list[Override]:
        easy = Override(target="settings", path="backfill", value="easy")
        if policy == "fcfs":
            return [easy]
        return [Override(target="settings", path="scheduler_policy", value=policy), easy]

    variants = [
        Variant(
            name="EASY backfill",
            description="Small jobs may start ahead if they do not delay the head's reservation",
            overrides=backfill("fcfs"),
        ),
        Variant(
            name="SJF with EASY backfill",
            description="Shortest estimated job first, with EASY backfill",
            overrides=backfill("sjf"),
        ),
    ]
    return sc.model_copy(
        update={
            "meta": meta,
            "settings": settings,
            "workloads": [],
            "job_mix": list(THREE_TEAM_MIX),
            "variants": variants,
        }
    )


def llama_scale_16k() -> Scenario:
    b = SceneBuilder(
        "Llama scale 16k",
        "16,384 H100 in 4 halls training a 405B model on 15.6T tokens at MFU 0.41 (the "
        "domain-reference §7 worked example): 63–71 days of pure compute, ~78 with failures.",
        horizon_s=90 * DAY_S,
        step_s=900.0,
    )
    b.add("grid_feed", "grid", 0, 7, power_rating_kw=35000.0)
    # Per row 128 DGX = 1,024 GPUs = one k = 64 pod (32 leaves, 32 aggregation switches);
    # 16 pods need (16 × 32 × 32) / 64 = 256 core switches (3-tier fat tree, §4.2).
    # Row: 1,305.6 kW rated vs 10 CRAHs = 1,500 kW; 4 PDUs = 1,600 kW for racks + CRAH fans
    # (75 kW) + 64 switches (108.8 kW) = 1,489 kW.
    all_rows: list[str] = []
    for h in range(1, 5):
        hall, col0 = f"hall-{h}", 2 + (h - 1) * 8.5
        rows = _h100_rows(b, hall, 4, col0, servers=128, crahs=10, pdus=4, leaves=32, aggs=32)
        all_rows += rows
        # Hall plant: 3 chillers (N+1: 7,000 kW with one down) behind 6,000 kW of CRAHs — with
        # only 2, one chiller failure throttles the hall. UPS 7 × 1 MW carries the rows' 5,958 kW.
        b.add("chiller_water", f"{hall}-chiller", col0 + 6, 4, count=3, group=hall)
        b.add("cooling_tower", f"{hall}-tower", col0 + 6, 3, count=2, group=hall)
        b.add("ups", f"{hall}-ups", col0 + 6, 5, count=7, group=hall)
        b.link("coolant", f"{hall}-tower", f"{hall}-chiller")
        b.link("coolant", f"{hall}-chiller", _row_parts(rows, "crah"))
        b.link("power", f"{hall}-ups", _row_parts(rows, "pdu"))
        b.link("power", "grid", [f"{hall}-ups", f"{hall}-chiller", f"{hall}-tower"])
    b.add("ib_ndr_switch", "core", 17, -1, count=256)
    b.link("network", "core", _row_parts(all_rows, "agg"))
    # Storage: 12 × 20 PB ≈ the 240 PB Llama 3 used (§5.4, recalled); 12 × 500 GB/s ≥ 2 TB/s.
    b.add("lustre_pfs", "storage", 20, -1, count=12)
    b.link("network", "storage", "core")
    b.link("data", "storage", all_rows)
    # Core 435 kW + storage 480 kW on their own UPS; feed: 4 × 5,958 + chillers 12 × 574 +
    # towers 8 × 50 + 915 ≈ 32 MW (rated 35 MW).
    b.add("ups", "ups-core", 23, -1)
    b.link("power", "ups-core", ["core", "storage"])
    b.link("power", "grid", "ups-core")
    b.add("team_facilities", "facilities", 4, 8, headcount=30)
    b.add("team_network_ops", "network-ops", 8, 8, headcount=8)
    b.add("team_mlops", "mlops", 12, 8, headcount=12)
    b.add("team_data_eng", "data-eng", 16, 8, headcount=6)
    b.add("team_research", "research", 20, 8, headcount=40)
    halls = [f"hall-{h}" for h in range(1, 5)]
    plant = [f"{h}-{p}" for h in halls for p in ("chiller", "tower", "ups")]
    b.link("support", "facilities", ["grid", "ups-core", *plant])
    b.link("support", "facilities", _row_parts(all_rows, "crah", "pdu"))
    b.link("support", "network-ops", ["core", *_row_parts(all_rows, "leaf", "agg")])
    b.link("support", "mlops", [*all_rows, "storage"])
    b.link("support", "data-eng", "storage")
    b.link("support", "research", "mlops")
    # The model and the published layout (Llama 3 paper Table 4: TP8 PP16, so DP128 on 16,384
    # GPUs); micro-batch, interleave and recompute are left to the search. Clearing target_mfu
    # (the "predicted MFU" variant) lets the performance model predict it (docs/perf-model.md).
    b.workloads.append(
        TrainingJob(
            id="llama-405b",
            name="405B pre-training (Llama 3.1 scale)",
            parameters_b=405.0,
            tokens_t=15.6,
            accelerators_requested=16384,
            target_mfu=0.41,
            model=MODEL_PRESETS["llama3_405b"].model,
            layout=ParallelLayout(tensor=8, pipeline=16, context=1),
        )
    )
    predicted = Override(target="llama-405b", path="target_mfu", value=None)
    b.variants.append(
        Variant(
            name="predicted MFU",
            description="target_mfu cleared: MFU predicted from the model, layout and fabric.",
            overrides=[predicted],
        )
    )
    b.variants.append(
        Variant(
            name="200G NICs",
            description="Predicted MFU with 200 Gb/s NICs per GPU instead of 400 Gb/s.",
            overrides=[
                predicted,
                *(Override(target=row, path="nic_gbps", value=200.0) for row in all_rows),
            ],
        )
    )
    return b.scenario()


def gb200_campus() -> Scenario:
    b = SceneBuilder(
        "GB200 campus",
        "101,952 GB200 GPUs in 1,416 NVL72 racks across 24 halls delivered in six 3-week "
        "phases; CDUs on dry coolers, a 3-tier XDR fabric, time-of-use power, a 1T-parameter "
        "training run once 16 halls are in and an inference service on the last 8.",
        horizon_s=150 * DAY_S,
        step_s=900.0,
    )
    b.add("grid_feed_tou", "grid-a", -4, 0, power_rating_kw=120000.0)
    b.add("grid_feed_tou", "grid-b", -4, 2, power_rating_kw=120000.0)
    racks: list[str] = []
    for h in range(24):
        hall = f"hall-{h + 1:02d}"
        c, r = (h % 6) * 5.0, (h // 6) * 7.0
        rack = f"{hall}-racks"
        # Phase = 4 halls every 21 days (supply chain, §8: allocation-limited Blackwell).
        b.add(
            "gb200_nvl72",
            rack,
            c + 2,
            r + 2,
            count=59,
            group=hall,
            delivery={"lead_time_days": 21.0 * (h // 4)},
        )
        racks.append(rack)
        # 59 × 132 = 7,788 kW rated; 5 CDUs (7,500 kW liquid) + 9 CRAHs (1,350 kW air).
        b.add("cdu", f"{hall}-cdu", c + 1, r + 3, count=5, group=hall)
        b.add("crah", f"{hall}-crah", c + 3, r + 3, count=9, group=hall)
        b.add("dry_cooler", f"{hall}-dry", c + 1, r + 4, count=4, group=hall)
        b.add("chiller_air", f"{hall}-chiller", c + 3, r + 4, group=hall)
        # k = 144 XDR (§4.2): one 72-down leaf per rack, as many aggregation switches.
        b.add("ib_xdr_switch", f"{hall}-leaf", c + 2, r + 1, count=59, group=hall)
        b.add("ib_xdr_switch", f"{hall}-spine", c + 2, r, count=59, group=hall)
        # PDUs 22 × 400 kW carry racks 7,788 + switches 554.6 + CDU pumps 112.5 + CRAH fans
        # 67.5 = 8,523 kW; the UPS 9 × 1 MW sits in front of them.
        b.add("pdu", f"{hall}-pdu", c + 2, r + 4, count=22, group=hall)
        b.add("ups", f"{hall}-ups", c + 2, r + 5, count=9, group=hall)
        b.link("coolant", f"{hall}-cdu", rack)
        b.link("coolant", f"{hall}-crah", rack)
        b.link("coolant", f"{hall}-dry", f"{hall}-cdu")
        b.link("coolant", f"{hall}-chiller", f"{hall}-crah")
        b.link("network", rack, f"{hall}-leaf")
        b.link("network", f"{hall}-leaf", f"{hall}-spine")
        parts = ["racks", "cdu", "crah", "leaf", "spine"]
        b.link("power", f"{hall}-pdu", [f"{hall}-{p}" for p in parts])
        b.link("power", f"{hall}-ups", f"{hall}-pdu")
        # Halls 1–12 on feed A (with the core), 13–24 on feed B: ≤ 114 MW each.
        feed = "grid-a" if h < 12 else "grid-b"
        b.link("power", feed, [f"{hall}-ups", f"{hall}-dry", f"{hall}-chiller"])
    # Core: 24 × 59 × 72 aggregation uplinks / 144 ports = 708 switches (3-tier, §4.2).
    b.add("ib_xdr_switch", "core", -4, 6, count=708)
    b.link("network", "core", [f"hall-{h:02d}-spine" for h in range(1, 25)])
    b.add("data_lake", "data-lake", -4, 8, count=5)
    b.add("lustre_pfs", "lustre", -4, 10, count=8)
    b.link("network", "data-lake", "core")
    b.link("network", "lustre", "core")
    b.link("data", "data-lake", "lustre")
    b.link("data", "lustre", racks)
    # Core 3,328 kW + storage 720 kW.
    b.add("ups", "ups-core", -4, 4, count=5)
    b.link("power", "grid-a", "ups-core")
    b.link("power", "ups-core", ["core", "data-lake", "lustre"])
    teams = [
        ("team_facilities", "facilities", 60),
        ("team_network_ops", "network-ops", 20),
        ("team_mlops", "mlops", 30),
        ("team_data_eng", "data-eng", 20),
        ("team_security", "security", 10),
        ("team_research", "research", 150),
    ]
    for i, (preset, team_id, heads) in enumerate(teams):
        b.add(preset, team_id, -8, 2 * i, headcount=heads)
    halls = [f"hall-{h:02d}" for h in range(1, 25)]
    fac = [f"{h}-{p}" for h in halls for p in ("cdu", "crah", "dry", "chiller", "pdu", "ups")]
    b.link("support", "facilities", ["grid-a", "grid-b", "ups-core", *fac])
    net = [f"{h}-{p}" for h in halls for p in ("leaf", "spine")]
    b.link("support", "network-ops", ["core", *net])
    b.link("support", "mlops", [*racks, "lustre"])
    b.link("support", "data-eng", ["data-lake", "lustre"])
    b.link("support", "security", ["data-lake", "lustre"])
    b.link("support", "research", "mlops")
    # 6·1e12·20e12 = 1.2e26 FLOP / (65,536 × 2,500 TFLOPS × 0.38) ≈ 22 days; starts when the
    # fourth phase lands (day 63: 16 halls = 67,968 GPUs). MFU 0.38: §1.4 degrades with scale.
    b.workloads.append(
        TrainingJob(
            id="frontier-1t",
            name="1T dense pre-training",
            parameters_b=1000.0,
            tokens_t=20.0,
            accelerators_requested=65536,
            target_mfu=0.38,
            start_s=63 * DAY_S,
            # At 65k GPUs the job MTTF is 1 / (65,536 × 2e-5 /h) ≈ 46 min (§5.4), so restarts
            # dominate; assume automated restart on spares in 5 min (§9.5 low, §5.3).
            checkpoint=CheckpointPolicy(restart_s=300.0),
            placement=racks[:16],
        )
    )
    # 12M tokens/s at peak at 1,000 tokens/s per GPU (§6.5 estimate) = 12,000 GPUs; starts when
    # halls 17–20 (16,992 GPUs) arrive on day 84.
    b.workloads.append(
        InferenceService(
            id="assistant-api",
            name="Assistant API",
            model_parameters_b=400.0,
            peak_demand_tokens_per_s=12.0e6,
            daily_profile=DIURNAL,
            placement=racks[16:],
            start_s=84 * DAY_S,
        )
    )
    # Per-job carbon and price follow the feed behind each workload's racks (issue 10): the
    # training job sits on halls 1–16 (feed A and B), the API on halls 17–24 (feed B only).
    b.variants.append(
        Variant(
            name="feed B clean",
            description=(
                "Feed B (halls 13–24) is a hydro/nuclear supply contract at 30 g/kWh and a flat "
                "0.06 $/kWh (§9.6 low ends); the API behind it pays less per kWh than the "
                "training job, which draws on both feeds."
            ),
            overrides=[
                Override(target="grid-b", path="carbon_intensity_g_per_kwh", value=30.0),
                Override(target="grid-b", path="price.time_of_use", value=[]),
                Override(target="grid-b", path="price.flat_usd_per_kwh", value=0.06),
            ],
        )
    )
    return b.scenario()


def air_vs_liquid() -> Scenario:
    b = SceneBuilder(
        "Air vs liquid",
        "One hall of 32 racks (3 DGX H100 each, 768 GPUs): variant 'air' keeps perimeter "
        "CRAHs on a chiller; variant 'liquid' turns the racks to cold plates (80 % of heat to "
        "liquid, most server fans gone) and the main units into CDUs with warm-water free cooling.",
        horizon_s=7 * DAY_S,
        step_s=300.0,
    )
    # A rack of 3 DGX H100 (§2: 2–4 per rack): 3 × the dgx_h100 per-server values.
    b.add(
        "dgx_h100",
        "racks",
        3,
        3,
        count=32,
        group="hall",
        name="Rack of 3× DGX H100",
        accelerators_per_unit=24,
        host_overhead_w=10200.0,
        host_idle_w=3600.0,
        power_rating_kw=30.6,
        capex_usd=900000.0,
        heat_capacity_kj_per_k=1200.0,
    )
    # 32 × 30.6 = 979.2 kW rated vs 5 + 2 CRAHs = 1,050 kW.
    b.add("crah", "main-cooling", 2, 4, count=5, group="hall")
    b.add("crah", "aux-crah", 4, 4, count=2, group="hall")
    b.add("chiller_water", "chiller", 3, 6, nominal_cooling_capacity_kw=1200.0)
    b.add("cooling_tower", "tower", 3, 7, nominal_cooling_capacity_kw=1500.0)
    b.link("coolant", "tower", "chiller")
    b.link("coolant", "chiller", ["main-cooling", "aux-crah"])
    b.link("coolant", "main-cooling", "racks")
    b.link("coolant", "aux-crah", "racks")
    # 768 GPUs on k = 64: 24 leaves (32 down each) + 12 spines.
    b.add("ib_ndr_switch", "leaf", 3, 2, count=24, group="hall")
    b.add("ib_ndr_switch", "spine", 3, 1, count=12, group="hall")
    b.add("lustre_pfs", "lustre", 5, 1, capacity_pb=5.0)
    b.link("network", "racks", "leaf")
    b.link("network", "leaf", "spine")
    b.link("network", "lustre", "spine")
    b.link("data", "lustre", "racks")
    # PDUs 3 × 400 kW: racks 979.2 + switches 61.2 + CRAH fans 52.5 = 1,093 kW.
    b.add("grid_feed", "grid", 0, 7, power_rating_kw=2500.0)
    b.add("ups", "ups", 0, 5, count=2)
    b.add("pdu", "pdu", 0, 4, count=3)
    b.link("power", "grid", ["ups", "chiller", "tower"])
    b.link("power", "ups", ["pdu", "lustre"])
    b.link("power", "pdu", ["racks", "main-cooling", "aux-crah", "leaf", "spine"])
    b.add("team_facilities", "facilities", 6, 6)
    b.add("team_mlops", "mlops", 6, 3, headcount=4)
    b.link("support", "facilities", ["main-cooling", "aux-crah", "chiller", "tower", "ups", "pdu"])
    b.link("support", "mlops", ["racks", "leaf", "spine", "lustre"])
    # 6·70e9·0.3e12 = 1.26e23 FLOP / (768 × 989.4 TFLOPS × 0.40) ≈ 4.8 days.
    b.workloads.append(
        TrainingJob(
            id="train-70b",
            name="70B continued pre-training",
            parameters_b=70.0,
            tokens_t=0.3,
            accelerators_requested=768,
            target_mfu=0.40,
        )
    )

    def ov(target: str, path: str, value: Any) -> Override:
        return Override(target=target, path=path, value=value)

    b.variants.append(Variant(name="air", description="As built: perimeter CRAHs.", overrides=[]))
    b.variants.append(
        Variant(
            name="liquid",
            description=(
                "Cold plates take 80 % of the heat (§9.2); the servers' fans shrink from 8 % "
                "of their power (air, §3.2) to 2 % (estimate), which the engine takes off the "
                "host power by itself; main units become CDUs at 32 °C supply (§9.3) so the "
                "chiller free-cools below 25 °C (estimate)."
            ),
            overrides=[
                ov("racks", "cooling", "direct_liquid"),
                ov("racks", "liquid_heat_fraction", 0.8),
                ov("racks", "thermal_resistance_k_per_w", 0.03),
                ov("main-cooling", "cooling_type", "cdu"),
                ov("main-cooling", "nominal_cooling_capacity_kw", 250.0),
                ov("main-cooling", "fan_pump_power_fraction", 0.015),
                ov("main-cooling", "supply_temp_c", 32.0),
                ov("chiller", "free_cooling_below_c", 25.0),
            ],
        )
    )
    # What is uncertain (all ranges are estimates): the electricity price around the feed's
    # flat 0.0806 $/kWh, from a cheap PPA to a tight market; the MFU around the job's 0.40
    # (§1.4); and how late the racks arrive (median 1 day, long tail).
    b.uncertain += [
        UncertainInput(target="grid", path="price.flat_usd_per_kwh", distribution="triangular",
                       low=0.05, mode=0.0806, high=0.20),
        UncertainInput(target="train-70b", path="target_mfu", distribution="normal", mean=0.40,
                       sd=0.04, low=0.25, high=0.55),
        UncertainInput(target="racks", path="delivery.lead_time_days", distribution="lognormal",
                       median=1.0, sigma=0.8),
    ]  # fmt: skip
    # What `aifactory-twin-cli report` runs besides the uncertainty study: the cheapest design
    # (rack count × cooling) that trains the model within the 6-day deadline at ≥ 98 %
    # availability, and cost per trained model over MFU × electricity price for liquid.
    b.studies = Studies(
        # 100 paired samples of the three uncertain inputs: air against liquid (the tornado
        # and P(liquid beats air) of the report; --samples/--compare override).
        uncertainty=UncertaintyStudy(samples=100, compare=("air", "liquid")),
        optimize=OptimizeStudy(
            variables=["racks.count=int:24:48:4", "variant=choice:air,liquid"],
            constraints=["training_time_days<=6", "availability>=0.98"],
            trials=16,
        ),
        sweep2d=Sweep2DStudy(
            x="train-70b.target_mfu",
            x_values=[0.3, 0.35, 0.4, 0.45, 0.5],
            y="grid.price.flat_usd_per_kwh",
            y_values=[0.05, 0.08, 0.12, 0.2],
            kpi="cost_per_trained_model_usd",
            variant="liquid",
        ),
    )
    return b.scenario(laid_out=True)


def air_vs_liquid_climates() -> Scenario:
    """The air-vs-liquid hall for a year in a cool and a hot climate (issue 10)."""
    base = air_vs_liquid()
    liquid = next(v for v in base.variants if v.name == "liquid").overrides
    # Hourly steps over a year; a run longer than the year (0.3 T → 23 T tokens ≈ 53 weeks on
    # 768 GPUs) keeps the hall loaded through the seasons.
    job = next(w for w in base.workloads if w.id == "train-70b")
    settings = base.settings.model_copy(
        update={
            "horizon_s": 365 * 86400.0,
            "step_s": 3600.0,
            "ambient": base.settings.ambient.model_copy(update={"climate": "stockholm_se"}),
        }
    )
    phoenix = Override(target="settings", path="ambient.climate", value="phoenix_az")
    variants = [
        Variant(
            name="air Stockholm", description="As built, in Stockholm (the base).", overrides=[]
        ),
        Variant(
            name="liquid Stockholm", description="Cold plates, in Stockholm.", overrides=liquid
        ),
        Variant(name="air Phoenix", description="As built, in Phoenix.", overrides=[phoenix]),
        Variant(
            name="liquid Phoenix",
            description="Cold plates, in Phoenix.",
            overrides=[*liquid, phoenix],
        ),
    ]
    return base.model_copy(
        update={
            "meta": base.meta.model_copy(
                update={
                    "name": "Air vs liquid, a year in two climates",
                    "description": (
                        "The air-vs-liquid hall run for a year at hourly steps in Stockholm and "
                        "Phoenix (climate presets: monthly normals with a seasonal + daily "
                        "model): compare the seasonal PUE (monthly.csv, the PUE chart), the "
                        "free-cooling hours, the tower water and the capex of the four variants."
                    ),
                }
            ),
            "settings": settings,
            "workloads": [job.model_copy(update={"tokens_t": 23.0})],
            "variants": variants,
            # The studies name variants 'air'/'liquid' this scene renames, and a year per run
            # makes them long: its report runs the uncertainty study only.
            "studies": Studies(),
        }
    )


def hybrid_burst() -> Scenario:
    b = SceneBuilder(
        "Hybrid burst",
        "256 on-site H100 serve a 70B chat model whose afternoon peak (400k tokens/s ≈ 400 "
        "GPUs) exceeds the site; the overflow bursts to rented cloud H100s.",
        horizon_s=7 * DAY_S,
        step_s=300.0,
    )
    b.add("dgx_h100", "cluster", 3, 3, count=32, group="site")
    b.add("roce_400", "leaf", 3, 2, count=8, group="site")
    b.add("roce_400", "spine", 5, 1, count=4)
    # Sites (issue 14): the cloud H100s sit in a cloud region 35 ms round trip from the users'
    # site over a 100 Gb/s interconnect (estimates: a regional cloud 20–40 ms), and every token
    # they stream out pays its egress, $0.09/GB (AWS internet egress, first 10 TB a month:
    # https://aws.amazon.com/ec2/pricing/on-demand/).
    b.add("cloud_h100", "cloud", 8, 1, group="cloud-region")
    b.add("site_edge", "site", 1, 1, name="Campus", group="site")
    b.add("site_cloud_region", "cloud-region", 8, 0, group="cloud-region")
    cloud_link = b.wan("site", "cloud-region", latency_ms=35.0, bandwidth_gbps=100.0)
    b.link("network", "cluster", "leaf")
    b.link("network", "leaf", "spine")
    b.link("network", "cloud", "spine")
    # 32 × 10.2 = 326.4 kW rated vs 3 CRAHs = 450 kW.
    b.add("crah", "crah", 3, 4, count=3, group="site")
    b.add("chiller_air", "chiller", 3, 6, nominal_cooling_capacity_kw=500.0)
    b.link("coolant", "chiller", "crah")
    b.link("coolant", "crah", "cluster")
    # PDU: 326.4 + switches 18.7 + CRAH fans 22.5 = 367.6 kW; feed adds chiller 156 kW.
    b.add("grid_feed", "grid", 0, 6, power_rating_kw=1000.0)
    b.add("ups", "ups", 0, 5)
    b.add("pdu", "pdu", 0, 4)
    b.link("power", "grid", ["ups", "chiller"])
    b.link("power", "ups", "pdu")
    b.link("power", "pdu", ["cluster", "leaf", "spine", "crah"])
    b.add("team_facilities", "facilities", 6, 5, headcount=4)
    b.add("team_mlops", "mlops", 6, 3, headcount=4)
    b.link("support", "facilities", ["crah", "chiller", "grid", "ups", "pdu"])
    b.link("support", "mlops", ["cluster", "leaf", "spine", "cloud"])
    b.workloads.append(
        InferenceService(
            id="chat-70b",
            name="Chat 70B",
            model_parameters_b=70.0,
            peak_demand_tokens_per_s=400000.0,
            daily_profile=DIURNAL,
            placement=["cluster", "cloud"],
            users_site="site",
        )
    )
    # The afternoon overflow (~150k tokens/s ≈ 240 Mb/s at 200 B per token) through a 100 Mb/s
    # VPN: the link saturates and caps what the cloud can serve.
    b.variants.append(
        Variant(
            name="cloud over a 100 Mbps VPN",
            description="The cloud region over a 100 Mb/s VPN instead of an interconnect: the "
            "link saturates at the afternoon peak and the overflow goes unserved.",
            overrides=[Override(target=cloud_link, path="bandwidth_gbps", value=0.1)],
        )
    )
    return b.scenario()


def edge_inference() -> Scenario:
    b = SceneBuilder(
        "Edge inference",
        "Three small edge sites (1–2 air-cooled servers each) serving a 70B model to local "
        "users over a metro WAN (a site within 25 ms helps a busy neighbour), looked after by "
        "one field team that drives to each site.",
        horizon_s=7 * DAY_S,
        step_s=300.0,
    )
    sites = [("north", "hgx_h200", 2), ("south", "hgx_h200", 1), ("east", "mi300x_server", 2)]
    # Sites and the WAN (issue 14, all estimates): a metro fibre ring of 1 Gb/s links, 18–22 ms
    # round trip between sites; the field team drives 1.5–3 h to each site before a repair.
    travel = {"north": 1.5, "south": 3.0, "east": 2.5}
    # Peak demand per GPU of the site, at 1,000 tokens/s per GPU (§6.5, estimate): the south
    # site's users ask for 1.5× its one server; north and east have room to spare.
    load = {"north": 600.0, "south": 1500.0, "east": 600.0}
    all_servers = [f"{site}-servers" for site, _, _ in sites]
    for i, (site, preset, servers) in enumerate(sites):
        c, g = 5.0 * i, f"site-{site}"
        # The site nodes stand above their halls, south raised so the WAN ring reads as one.
        b.add("site_edge", g, c + 2, -1.2 - 1.2 * (site == "south"), name=f"{site.title()} site",
              technician_travel_hours=travel[site])  # fmt: skip
        b.add(preset, f"{site}-servers", c + 1, 2, count=servers, group=g)
        b.add("roce_400", f"{site}-switch", c + 1, 1, group=g)
        # ≤ 2 × 10.8 = 21.6 kW rated vs a 30 kW in-row unit on a 40 kW air-cooled chiller.
        b.add("in_row", f"{site}-cooler", c + 2, 2, nominal_cooling_capacity_kw=30.0, group=g)
        b.add("chiller_air", f"{site}-chiller", c + 2, 3, nominal_cooling_capacity_kw=40.0, group=g)
        b.add("grid_feed", f"{site}-grid", c, 4, power_rating_kw=60.0, group=g)
        b.add("ups", f"{site}-ups", c, 3, ups_rating_kw=30.0, group=g)
        b.add("pdu", f"{site}-pdu", c, 2, power_rating_kw=40.0, group=g)
        b.link("network", f"{site}-servers", f"{site}-switch")
        b.link("coolant", f"{site}-chiller", f"{site}-cooler")
        b.link("coolant", f"{site}-cooler", f"{site}-servers")
        b.link("power", f"{site}-grid", [f"{site}-ups", f"{site}-chiller"])
        b.link("power", f"{site}-ups", f"{site}-pdu")
        b.link("power", f"{site}-pdu", [f"{site}-servers", f"{site}-switch", f"{site}-cooler"])
        gpus = 8 * servers
        b.workloads.append(
            InferenceService(
                id=f"{site}-assistant",
                name=f"Assistant ({site})",
                model_parameters_b=70.0,
                peak_demand_tokens_per_s=load[site] * gpus,
                daily_profile=DIURNAL,
                # Any site within 25 ms of the users may serve them (site pairs are 18–22 ms).
                latency_target_ms=25.0,
                users_site=g,
                placement=all_servers,
            )
        )
    ring = [
        b.wan("site-north", "site-south", latency_ms=20.0, bandwidth_gbps=1.0),
        b.wan("site-south", "site-east", latency_ms=22.0, bandwidth_gbps=1.0),
        b.wan("site-north", "site-east", latency_ms=18.0, bandwidth_gbps=1.0),
    ]
    b.add("team_facilities", "field-ops", 5, 6, headcount=3, shift_coverage="extended")
    b.add("team_mlops", "mlops", 9, 6, headcount=2)
    kit = ("cooler", "chiller", "grid", "ups", "pdu")
    b.link("support", "field-ops", [f"{s}-{k}" for s, _, _ in sites for k in kit])
    b.link("support", "mlops", [f"{s}-{k}" for s, _, _ in sites for k in ("servers", "switch")])
    b.variants.append(
        Variant(
            name="local only",
            description="A 15 ms latency target: no site can help another, so the south site's "
            "afternoon peak goes unserved.",
            overrides=[
                Override(target=f"{site}-assistant", path="latency_target_ms", value=15.0)
                for site, _, _ in sites
            ],
        )
    )
    # South's overflow at its peak is ~4,000 tokens/s ≈ 6.4 Mb/s at 200 B per token.
    b.variants.append(
        Variant(
            name="south on a 2 Mbps backhaul",
            description="The south site's two links are a 2 Mb/s radio backhaul: its users' "
            "overflow saturates them and part of its peak goes unserved.",
            overrides=[
                Override(target=link, path="bandwidth_gbps", value=0.002)
                for link in ring
                if "south" in link
            ],
        )
    )
    return b.scenario()


def frontier_scale() -> Scenario:
    b = SceneBuilder(
        "Frontier scale",
        "9,472 four-GPU nodes as separate nodes (74 racks × 128), 25 CDUs on cooling towers, a "
        "PDU per rack and 8 switch groups: the engine and canvas benchmark shape.",
        horizon_s=7 * DAY_S,
        step_s=300.0,
    )
    racks, per_rack = 74, 128
    b.add("grid_feed", "grid", -8, 0, power_rating_kw=60000.0)
    # UPS 50 × 1 MW: PDUs 74 × 576 kW + switches ≈ 3,045 kW = 45.7 MW.
    b.add("ups", "ups", -8, 2, count=50)
    b.link("power", "grid", "ups")
    # Core tier sized non-blocking for the machine: 37,888 NICs × 400G over 64-port 400G
    # switches = 592 switches (3-tier fat tree, §4.2; Frontier's own fabric is a dragonfly with
    # comparable global bandwidth). A thinner core makes cross-group jobs all-reduce bound.
    b.add("ib_ndr_switch", "core", 40, -5, count=592, technology="ethernet")
    b.link("power", "ups", "core")
    rack_nodes: list[list[str]] = []
    for r in range(racks):
        group = f"rack-{r + 1:02d}"
        bc, br = (r % 10) * 10.0, (r // 10) * 18.0
        ids = []
        for k in range(per_rack):
            node_id = f"n{r + 1:02d}-{k + 1:03d}"
            b.add("frontier_node", node_id, bc + k % 8, br + k // 8, group=group)
            ids.append(node_id)
        rack_nodes.append(ids)
        # 128 × 4.5 kW = 576 kW per rack.
        pdu = b.add("pdu", f"pdu-{r + 1:02d}", bc + 8.5, br, power_rating_kw=600.0, group=group)
        b.link("power", "ups", pdu)
        b.link("power", pdu, ids)
    # Switch group g is a 2-tier k = 64 tree for racks 10g-9..10g: 3k/2 = 96 switches per
    # 2,048 NICs (§4.2), so 5,120 NICs need 240; the core joins the groups (oversubscribed).
    for g in range(8):
        sw = b.add("roce_400", f"sw-{g + 1}", g * 12.0, -3, count=240, technology="ethernet")
        b.link("power", "ups", sw)
        b.link("network", sw, "core")
        for ids in rack_nodes[10 * g : 10 * g + 10]:
            b.link("network", sw, ids)
    # CDU i serves 3 racks: 3 × 576 = 1,728 kW against 1,800 kW (within the 500–2,600 kW
    # row-CDU range, §3.2); tower t (2 × 5 MW) serves 5 CDUs (9 MW).
    for t in range(5):
        tower = b.add("cooling_tower", f"tower-{t + 1}", -6, 2.0 + 5 * t, count=2)
        b.link("power", "grid", tower)
    for i in range(25):
        cdu = b.add("cdu", f"cdu-{i + 1:02d}", -4, float(i), nominal_cooling_capacity_kw=1800.0)
        b.link("power", "grid", cdu)
        b.link("coolant", f"tower-{i // 5 + 1}", cdu)
        for ids in rack_nodes[3 * i : 3 * i + 3]:
            b.link("coolant", cdu, ids)
    b.add("team_facilities", "facilities", -10, 0, headcount=20)
    b.add("team_network_ops", "network-ops", -10, 2, headcount=6)
    b.add("team_mlops", "mlops", -10, 4, headcount=10)
    plant = ["grid", "ups", *(f"tower-{t + 1}" for t in range(5))]
    plant += [f"cdu-{i + 1:02d}" for i in range(25)] + [f"pdu-{r + 1:02d}" for r in range(racks)]
    b.link("support", "facilities", plant)
    b.link("support", "network-ops", ["core", *(f"sw-{g + 1}" for g in range(8))])
    b.link("support", "mlops", [n for ids in rack_nodes for n in ids])
    # 6·175e9·0.5e12 = 5.25e23 FLOP / (8,192 × 1,307 TFLOPS × 0.35) ≈ 1.6 days. 8,192 GPUs, not
    # the whole machine: with a 4M-token global batch a bigger job is all-reduce bound.
    b.workloads.append(
        TrainingJob(
            id="science-175b",
            name="175B science model",
            parameters_b=175.0,
            tokens_t=0.5,
            accelerators_requested=8192,
            target_mfu=0.35,
        )
    )
    return b.scenario()


SCENES: dict[str, Callable[[], Scenario]] = {
    "starter-lab": starter_lab,
    "training-cluster-1k": training_cluster_1k,
    "shared-cluster-1k": shared_cluster_1k,
    "llama-scale-16k": llama_scale_16k,
    "gb200-campus": gb200_campus,
    "air-vs-liquid": air_vs_liquid,
    "air-vs-liquid-climates": air_vs_liquid_climates,
    "hybrid-burst": hybrid_burst,
    "edge-inference": edge_inference,
    "frontier-scale": frontier_scale,
}


def main(argv: list[str]) -> int:
    names = argv or list(SCENES)
    unknown = [n for n in names if n not in SCENES]
    if unknown:
        print(f"unknown scene(s): {', '.join(unknown)}; known: {', '.join(SCENES)}")
        return 2
    SCENES_DIR.mkdir(exist_ok=True)
    for name in names:
        path = SCENES_DIR / f"{name}.aift.json"
        text = dumps(SCENES[name]())
        path.write_text(text, encoding="utf-8")
        print(f"{path.name}: {len(text) / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
