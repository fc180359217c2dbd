"""Hardware catalog: accelerator specs and node presets, every value with its source.

Accelerator numbers come from domain-reference §1 and §9.1; node presets (racks, cooling, fabric,
power, storage, staff, cloud) live in :mod:`aifactory_twin.catalog_data`. Each value is stored as
``(value, source)`` where the source is a URL from the domain reference or ``"estimate: <how>"``,
so the "every default is sourced" rule is structural and a test checks it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from aifactory_twin.catalog_data import (
    COOLING_TYPE_CATALOG,
    EMBODIED_KG_PER_ACCELERATOR,
    PDU_EMBODIED_KG,
    PRESET_TABLE,
    STORAGE_EMBODIED_KG_PER_PB,
    SWITCH_EMBODIED_KG,
    UPS_EMBODIED_KG,
    Sourced,
)
from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.paths import join_path
from aifactory_twin.schema.nodes import (
    NODE_CLASSES,
    AcceleratorSpec,
    ComputeRack,
    CoolingUnit,
    NetworkSwitch,
    NodeBase,
    Pdu,
    Storage,
    Ups,
)

# Sources used by several accelerators (domain-reference §1.1, §1.3, §9.1).
_KLOCKWOOD_H100 = "https://glennklockwood.com/garden/processors/h100"
_KLOCKWOOD_B200 = "https://glennklockwood.com/garden/processors/B200"
_NVLINK = "https://glennklockwood.com/garden/NVLink"
_MLPERF_B200 = (
    "https://raw.githubusercontent.com/mlcommons/inference_results_v6.0/main/closed/Nebius/"
    "systems/nebius_b200_n1.json"
)
_MLPERF_H200 = (
    "https://raw.githubusercontent.com/mlcommons/inference_results_v4.1/main/closed/NVIDIA/"
    "systems/H200-SXM-141GBx8_TRT_MaxQ.json"
)
_MLPERF_GB200 = (
    "https://raw.githubusercontent.com/mlcommons/inference_results_v6.1/main/closed/Crusoe/"
    "systems/GB200-NVL72_GB200-186GB_aarch64x16_Dynamo.json"
)
_MI300X = "https://www.jaredwatkins.com/research/ai-accelerators/amd-instinct/mi300-series/"
_TPU_V5P = "https://docs.cloud.google.com/tpu/docs/v5p?hl=ja"
_TPU_V6E = "https://docs.cloud.google.com/tpu/docs/v6e.md.txt"
_TRN2 = (
    "https://awsdocs-neuron.readthedocs-hosted.com/en/v2.29.0/_sources/about-neuron/arch/"
    "neuron-hardware/trainium2.rst"
)
_DECODE_H200 = "https://arxiv.org/html/2605.11999v1"
_KAPPA_TRAIN = (
    "estimate: dense pre-training runs GPUs near TDP, κ 0.80–0.95; node-level 76–82 % of rated "
    "(Latif/Newkirk, §1.3, §9.1)"
)
_KAPPA_ACCEL_E = "estimate: §9.1 κ_train 0.8 for non-NVIDIA accelerators without measurements"
_DECODE_E = "estimate: §9.1 κ_decode 0.4 for TPU/Trainium (no measurements published)"
_CLOUD_ONLY = "estimate: cloud-only part (§9.1), no purchase price; set capex_usd on the rack"

# id -> (label, {spec field: (value, source)}); the spec "name" is the label.
_ACCELERATOR_TABLE: dict[str, tuple[str, dict[str, Sourced]]] = {
    "h100_sxm": (
        "NVIDIA H100 SXM5 80 GB",
        {
            "tdp_w": (700.0, _KLOCKWOOD_H100),
            "idle_w": (75.0, "estimate: §9.1 bare idle 75 W (65–90) from H800 nvidia-smi 74.7 W"),
            "peak_bf16_tflops": (989.4, _KLOCKWOOD_H100),
            "peak_fp8_tflops": (1978.9, _KLOCKWOOD_H100),
            "hbm_gb": (80.0, _KLOCKWOOD_H100),
            "hbm_bw_gb_per_s": (3350.0, _KLOCKWOOD_H100),
            "price_usd": (28000.0, "https://huggingface.co/hardware/h100"),
            "scale_up_domain": (8, _NVLINK),
            "scale_up_bw_gbps_per_dir": (450.0, _NVLINK),
            "nic_gbps": (400.0, _MLPERF_B200),
            "kappa_train": (0.85, _KAPPA_TRAIN),
            "kappa_decode": (0.30, _DECODE_H200),
        },
    ),
    "h200": (
        "NVIDIA H200 SXM 141 GB",
        {
            "tdp_w": (700.0, _MLPERF_H200),
            "idle_w": (75.0, "estimate: §9.1, same GH100 die as H100 (75 W bare idle)"),
            "peak_bf16_tflops": (989.4, _KLOCKWOOD_H100 + " (same die as H100, §1.1)"),
            "peak_fp8_tflops": (1978.9, _KLOCKWOOD_H100 + " (same die as H100, §1.1)"),
            "hbm_gb": (141.0, _MLPERF_H200),
            "hbm_bw_gb_per_s": (4800.0, "https://www.aiminingco.com/gpu/h200/specs (§1.1)"),
            "price_usd": (32000.0, "https://huggingface.co/hardware/h200"),
            "scale_up_domain": (8, _NVLINK),
            "scale_up_bw_gbps_per_dir": (450.0, _NVLINK),
            "nic_gbps": (400.0, _MLPERF_B200),
            "kappa_train": (0.85, _KAPPA_TRAIN),
            "kappa_decode": (0.30, _DECODE_H200),
        },
    ),
    "b200": (
        "NVIDIA B200 (HGX, 1,000 W)",
        {
            "tdp_w": (1000.0, _MLPERF_B200),
            "idle_w": (120.0, "estimate: §9.1 B200 bare idle 120 W (100–150), ~12 % of TDP"),
            "peak_bf16_tflops": (2250.0, _KLOCKWOOD_B200),
            "peak_fp8_tflops": (4500.0, _KLOCKWOOD_B200),
            "hbm_gb": (180.0, _MLPERF_B200 + " (B200-SXM-180GB usable)"),
            "hbm_bw_gb_per_s": (8000.0, _KLOCKWOOD_B200 + " (~8 TB/s, §1.1)"),
            "price_usd": (
                37000.0,
                "https://digiterialabs.com/ai/insights/nvidia-blackwell-pricing-reshapes-inference-economics",
            ),
            "scale_up_domain": (8, _NVLINK),
            "scale_up_bw_gbps_per_dir": (900.0, _NVLINK),
            "nic_gbps": (400.0, _MLPERF_B200),
            "kappa_train": (0.85, _KAPPA_TRAIN),
            "kappa_decode": (0.30, "estimate: §9.1 κ_decode 0.30 carried over from H200"),
        },
    ),
    "gb200": (
        "NVIDIA B200 in GB200 (1,200 W)",
        {
            "tdp_w": (1200.0, _KLOCKWOOD_B200 + " (GB200 @1,200 W table)"),
            "idle_w": (150.0, "estimate: §9.1 GB200 bare idle 150 W, ~12 % of TDP"),
            "peak_bf16_tflops": (2500.0, _KLOCKWOOD_B200),
            "peak_fp8_tflops": (5000.0, _KLOCKWOOD_B200),
            "hbm_gb": (186.0, _MLPERF_GB200),
            "hbm_bw_gb_per_s": (8000.0, _KLOCKWOOD_B200 + " (~8 TB/s, §1.1)"),
            "price_usd": (
                42000.0,
                "estimate: NVL72 rack $3.0M (https://awesomeagents.ai/hardware/nvidia-gb200-nvl72)"
                " ÷ 72 GPUs, all-in (§9.1)",
            ),
            "scale_up_domain": (72, _NVLINK),
            "scale_up_bw_gbps_per_dir": (900.0, _NVLINK),
            "nic_gbps": (800.0, "estimate: §9.1 800 Gb/s per GPU (ConnectX-8, §4.1)"),
            "kappa_train": (0.85, _KAPPA_TRAIN),
            "kappa_decode": (0.30, "estimate: §9.1 κ_decode 0.30 carried over from H200"),
        },
    ),
    "mi300x": (
        "AMD Instinct MI300X (OAM)",
        {
            "tdp_w": (750.0, _MI300X),
            "idle_w": (110.0, "estimate: §9.1 MI300X bare idle 110 W (90–150)"),
            "peak_bf16_tflops": (1307.0, _MI300X),
            "peak_fp8_tflops": (2615.0, _MI300X),
            "hbm_gb": (192.0, _MI300X),
            "hbm_bw_gb_per_s": (5300.0, _MI300X),
            "price_usd": (13000.0, "https://awesomeagents.ai/hardware/amd-mi300x"),
            "scale_up_domain": (8, _MI300X + " (8-GPU xGMI mesh)"),
            "scale_up_bw_gbps_per_dir": (
                448.0,
                "estimate: §9.1 quotes conflict (448–896 GB/s per GPU); lower bound taken",
            ),
            "nic_gbps": (400.0, "estimate: §9.1 one 400 Gb/s NIC per GPU as on HGX"),
            "kappa_train": (0.85, "estimate: §9.1 κ_train 0.85 assumed like H100"),
            "kappa_decode": (0.30, "estimate: §9.1 κ_decode 0.30 assumed like H200"),
        },
    ),
    "tpu_v5p": (
        "Google TPU v5p",
        {
            "tdp_w": (400.0, "estimate: §9.1 not published; 400 W (350–450)"),
            "idle_w": (150.0, "estimate: §9.1 0.3–0.45·TDP (TPU v3 measured 47 %); 0.375 × 400 W"),
            "peak_bf16_tflops": (459.0, _TPU_V5P),
            "peak_fp8_tflops": (0.0, "estimate: no FP8 figure published (§9.1); 0 = not supported"),
            "hbm_gb": (95.0, _TPU_V5P),
            "hbm_bw_gb_per_s": (2765.0, _TPU_V5P),
            "price_usd": (0.0, _CLOUD_ONLY),
            "scale_up_domain": (6144, "https://docs.cloud.google.com/tpu/docs/v5p-training?hl=es"),
            "scale_up_bw_gbps_per_dir": (600.0, _TPU_V5P + " (ICI 4,800 Gbps/chip bidir.)"),
            "nic_gbps": (50.0, "estimate: DCN per host unknown; ≥ 2×100 Gb/s per host ÷ 4 chips"),
            "kappa_train": (0.8, _KAPPA_ACCEL_E),
            "kappa_decode": (0.4, _DECODE_E),
        },
    ),
    "tpu_v6e": (
        "Google TPU v6e (Trillium)",
        {
            "tdp_w": (300.0, "estimate: §9.1 not published; 300 W (250–350)"),
            "idle_w": (110.0, "estimate: §9.1 0.3–0.45·TDP; ~0.37 × 300 W"),
            "peak_bf16_tflops": (918.0, _TPU_V6E),
            "peak_fp8_tflops": (0.0, "estimate: only int8 1,836 TOPS published (§1.1); no FP8"),
            "hbm_gb": (32.0, _TPU_V6E),
            "hbm_bw_gb_per_s": (1640.0, _TPU_V6E),
            "price_usd": (0.0, _CLOUD_ONLY),
            "scale_up_domain": (256, _TPU_V6E),
            "scale_up_bw_gbps_per_dir": (400.0, _TPU_V6E + " (ICI 800 GB/s bidir.)"),
            "nic_gbps": (25.0, "estimate: ≥ v5e's 2×100 Gb/s per 8-chip host (§9.1) ÷ 8 chips"),
            "kappa_train": (0.8, _KAPPA_ACCEL_E),
            "kappa_decode": (0.4, _DECODE_E),
        },
    ),
    "trainium2": (
        "AWS Trainium2",
        {
            "tdp_w": (500.0, "estimate: §9.1 not published; ~500 W (400–600)"),
            "idle_w": (140.0, "estimate: §9.1 0.2–0.35·TDP; ~0.28 × 500 W"),
            "peak_bf16_tflops": (667.0, _TRN2),
            "peak_fp8_tflops": (1299.0, _TRN2),
            "hbm_gb": (103.1, _TRN2 + " (96 GiB = 103.1 GB)"),
            "hbm_bw_gb_per_s": (2900.0, _TRN2 + " (2.9 TB/s, §1.1)"),
            "price_usd": (0.0, _CLOUD_ONLY),
            "scale_up_domain": (16, _TRN2 + " (4×4 NeuronLink torus in trn2.48xlarge)"),
            "scale_up_bw_gbps_per_dir": (500.0, "estimate: §9.1 unknown, ~500 GB/s"),
            "nic_gbps": (200.0, "estimate: §9.1 EFA 200–400 Gb/s per chip; low end"),
            "kappa_train": (0.8, _KAPPA_ACCEL_E),
            "kappa_decode": (0.4, _DECODE_E),
        },
    ),
}


@dataclass(frozen=True)
class AcceleratorPreset:
    """A catalog accelerator: the spec, a display label and a source per spec field."""

    spec: AcceleratorSpec
    label: str
    sources: dict[str, str]


@dataclass(frozen=True)
class NodePreset:
    """Keyword values for the schema class of ``kind``, with a source per value."""

    id: str
    kind: str
    label: str
    description: str
    fields: dict[str, Any]
    sources: dict[str, str]


def _build_accelerators() -> dict[str, AcceleratorPreset]:
    out: dict[str, AcceleratorPreset] = {}
    for accel_id, (label, table) in _ACCELERATOR_TABLE.items():
        values = {name: value for name, (value, _src) in table.items()}
        spec = AcceleratorSpec(name=label, **values)
        sources = {name: src for name, (_value, src) in table.items()}
        out[accel_id] = AcceleratorPreset(spec=spec, label=label, sources=sources)
    return out


def _build_presets() -> dict[str, NodePreset]:
    out: dict[str, NodePreset] = {}
    for preset_id, entry in PRESET_TABLE.items():
        fields = {name: value for name, (value, _src) in entry.fields.items()}
        sources = {name: src for name, (_value, src) in entry.fields.items()}
        out[preset_id] = NodePreset(
            id=preset_id,
            kind=entry.kind,
            label=entry.label,
            description=entry.description,
            fields=fields,
            sources=sources,
        )
    return out


ACCELERATORS: dict[str, AcceleratorPreset] = _build_accelerators()
NODE_PRESETS: dict[str, NodePreset] = _build_presets()


def _known(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))


def accelerator_spec(ref: str | AcceleratorSpec) -> AcceleratorSpec:
    """The spec for a catalog id, or ``ref`` itself when it is already an inline spec."""
    if isinstance(ref, AcceleratorSpec):
        return ref
    preset = ACCELERATORS.get(ref)
    if preset is None:
        raise ScenarioError(
            [
                Problem(
                    path="accelerator",
                    message=f"unknown accelerator {ref!r}; known: {_known(ACCELERATORS)}",
                )
            ]
        )
    return preset.spec


def preset_node(preset_id: str, node_id: str, **overrides: Any) -> NodeBase:
    """A validated node of the preset's kind; ``overrides`` replace preset values by field name."""
    preset = NODE_PRESETS.get(preset_id)
    if preset is None:
        raise ScenarioError(
            [
                Problem(
                    path="preset",
                    message=f"unknown node preset {preset_id!r}; known: {_known(NODE_PRESETS)}",
                )
            ]
        )
    data: dict[str, Any] = {**preset.fields, "id": node_id, **overrides}
    data.setdefault("name", preset.label)
    try:
        return NODE_CLASSES[preset.kind].model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(
                path=join_path(err["loc"]) or preset_id,
                message=f"{err['msg']} (preset {preset_id!r}, node {node_id!r})",
            )
            for err in exc.errors()
        ]
        raise ScenarioError(problems) from exc


def sources_for(preset_or_accelerator_id: str) -> dict[str, str]:
    """Field → source URL or ``"estimate: …"`` for a node preset or an accelerator id."""
    if preset_or_accelerator_id in NODE_PRESETS:
        return dict(NODE_PRESETS[preset_or_accelerator_id].sources)
    if preset_or_accelerator_id in ACCELERATORS:
        return dict(ACCELERATORS[preset_or_accelerator_id].sources)
    raise ScenarioError(
        [
            Problem(
                path="preset",
                message=(
                    f"unknown preset or accelerator {preset_or_accelerator_id!r}; known: "
                    f"{_known([*NODE_PRESETS, *ACCELERATORS])}"
                ),
            )
        ]
    )


def catalog_capex_usd(cooling_type: str) -> float:
    """The catalog price of one cooling unit of ``cooling_type``."""
    return float(COOLING_TYPE_CATALOG[cooling_type]["capex_usd"][0])


def unit_capex_usd(unit: CoolingUnit) -> float:
    """A cooling unit's price: its own, else its type's catalog price (``capex_usd`` None)."""
    return unit.capex_usd if unit.capex_usd is not None else catalog_capex_usd(unit.cooling_type)


def catalog_embodied_kg(node: NodeBase) -> tuple[float, str]:
    """(kgCO2e per unit, source) the catalog gives a node for what it is; 0 for non-equipment.

    Racks: per accelerator slot; cooling: by type; storage: per PB of capacity by type.
    """
    if isinstance(node, ComputeRack):
        kg, src = EMBODIED_KG_PER_ACCELERATOR
        return float(kg) * node.accelerators_per_unit, src
    if isinstance(node, CoolingUnit):
        kg, src = COOLING_TYPE_CATALOG[node.cooling_type]["embodied_kg_co2e"]
        return float(kg), src
    if isinstance(node, Storage):
        kg, src = STORAGE_EMBODIED_KG_PER_PB[node.storage_type]
        return float(kg) * node.capacity_pb, src
    for kind, (kg, src) in (
        (NetworkSwitch, SWITCH_EMBODIED_KG),
        (Ups, UPS_EMBODIED_KG),
        (Pdu, PDU_EMBODIED_KG),
    ):
        if isinstance(node, kind):
            return float(kg), src
    return 0.0, ""


__all__ = [
    "ACCELERATORS",
    "NODE_PRESETS",
    "AcceleratorPreset",
    "NodePreset",
    "accelerator_spec",
    "catalog_capex_usd",
    "catalog_embodied_kg",
    "preset_node",
    "sources_for",
    "unit_capex_usd",
]
