"""Node preset tables for the catalog: each field is ``(value, source)``.

Sources are URLs from docs/domain-reference.md or ``"estimate: <derivation>"``. Fields a preset
does not set fall back to the schema defaults. :mod:`aifactory_twin.catalog` turns these tables
into ``NodePreset`` objects; keep this module free of logic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Sourced = tuple[Any, str]
"""A catalog value and where it comes from (URL or ``"estimate: …"``)."""


@dataclass(frozen=True)
class PresetEntry:
    """A catalog preset: the node kind it makes, its name and the sourced field values."""

    kind: str
    label: str
    description: str
    fields: dict[str, Sourced]


# --- sources shared by several presets (domain-reference section in brackets) -----------------
_LATIF = (  # DGX/HGX H100 rated 10.2 kW, measured 8.4 kW max in training (§1.3, §2)
    "https://nyuscholars.nyu.edu/en/publications/"
    "single-node-power-demand-during-ai-training-measurements-on-an-8--2"
)
_RELIABILITY = "https://glennklockwood.com/garden/component-reliability"  # 2e-5 /GPU-h (§5.1)
_SWAP = "https://amcompute.com/blog/when-a-gpu-dies-in-production"  # 1–8 h, typ. 3 (§5.3)
_COLD_PLATE = "https://www.fibermall.com/blog/?p=18141"  # < 0.03 K/W (§3.2)
_AIR_RTH = "estimate: air heatsink 0.06–0.09 K/W back-solved from 700 W at 25 °C inlet (§3.4)"
_AIR_C = (
    "estimate: per-server τ 3–10 min (§3.6) × ṁ·c_p = 10.2 kW / 15 K = 680 W/K (§3.2) "
    "→ 120–410 kJ/K; upper end"
)
_LOOP_C = "estimate: 200 L secondary loop × 4.186 kJ/(L·K) ≈ 840 kJ/K (§3.6 liquid-loop example)"
_AS_BUILT = "estimate: the host figures describe the server as built for its native cooling, "
_SERVER_CAPEX = "estimate: 8 × GPU price + 30 % for CPUs/NICs/chassis (§1.2, +20–40 %)"
_UPTIME_AIR = "https://crac.services/blog/in-row-vs-perimeter-crac-high-density-racks"
_CDU = "https://resistancezero.com/cdu-selection-guide.html"
_CHILLER = "https://bearingsasia.com/blogs/2009/10/chiller-efficiency/"
_WUE = "https://www.yobitel.com/knowledge-base/wue-water-usage-effectiveness"
_ENERGY_STAR = "https://www.energystar.gov/node/18991"
_UPS_EFF = (
    "https://aidatacenterguide.com/part-15-sustainability-and-efficiency/"
    "15-2-energy-efficiency-cooling-free-cooling-setpoints-and-power-chain-losses"
)
_EIA_PRICE = (
    "https://www.statista.com/statistics/190680/"
    "us-industrial-consumer-price-estimates-for-retail-electricity-since-1970/"
)
_EIA_CARBON = "https://www.eia.gov/tools/faqs/faq.php?id=74&t=3"
_QM9700 = "https://docs.nvidia.com/networking/display/QM97X0PUB/Interfaces"
_Q3400 = "https://quantum-computing.news/what-is-nvidia-quantum-x800-how-it-works/"
_SPECTRUM_X = (
    "https://docs.nvidia.com/networking/display/kubernetes26100/spectrum-x/spectrum-x.html"
)
_ALPHA = "https://ttsugriy.github.io/distributed-training-book/foundations/04-alpha-beta-model"
_NVSWITCH = "https://catalogone.com/data-center-and-cloud-computing-nvlink-nvswitch"
_ATTRITION = "https://exobrain.co.uk/insights/ai-labs-fight-for-talent"  # §8, §9.7 0.14
_TECH_ATTRITION = "estimate: §9.7 DC technicians 0.15 (0.10–0.25)"
_FILL_TECH = "https://www.omnesgroup.com/time-to-hire-the-complete-guide"  # 45–60 d (§8)
_FILL_SENIOR = "estimate: §8 senior researcher / critical-facilities hire 90–120 d incl. notice"
_MLOPS_PAY = "estimate: §6.4 MLOps/infra engineer $200k × 1.35 fully loaded = $270k"
_FAC_PAY = (
    "https://automateamerica.com/beta/blog/data-center-critical-infrastructure-careers-2026"
    " ($130k × 1.35 loaded ≈ $175k, §9.6)"
)
_HEADCOUNT = "estimate: starting team size; scenes override it for their scale (§6.4 ratios)"


def _compute(
    accel: str,
    per_unit: int,
    rating_kw: Sourced,
    host_w: Sourced,
    host_idle_w: Sourced,
    capex: Sourced | None,
    accel_src: str,
    per_unit_src: str,
) -> dict[str, Sourced]:
    """Fields shared by the air-cooled 8-GPU-class servers."""
    fields: dict[str, Sourced] = {
        "accelerator": (accel, accel_src),
        "accelerators_per_unit": (per_unit, per_unit_src),
        "power_rating_kw": rating_kw,
        "host_overhead_w": host_w,
        "host_idle_w": host_idle_w,
        "cooling": ("air", "estimate: air-cooled chassis (§2 servers per rack, air)"),
        "host_power_cooling": ("air", _AS_BUILT + "air-cooled, fans included"),
        "liquid_heat_fraction": (0.0, "estimate: air-cooled, no cold plates"),
        "thermal_resistance_k_per_w": (0.07, _AIR_RTH),
        "heat_capacity_kj_per_k": (400.0, _AIR_C),
        "failure_rate_per_gpu_hour": (2.0e-5, _RELIABILITY),
        "repair_hours": (3.0, _SWAP),
    }
    if capex is not None:
        fields["capex_usd"] = capex
    return fields


def _cooler(
    cooling_type: str,
    capacity_kw: Sourced,
    fan_pump: Sourced,
    supply_c: Sourced,
    capex: Sourced | None,
    **extra: Sourced,
) -> dict[str, Sourced]:
    """A cooling preset; ``capex`` None = the type's catalog price (``COOLING_TYPE_CATALOG``)."""
    fields = {
        "cooling_type": (cooling_type, "estimate: schema cooling type for this preset"),
        "nominal_cooling_capacity_kw": capacity_kw,
        "fan_pump_power_fraction": fan_pump,
        "supply_temp_c": supply_c,
        **extra,
    }
    if capex is not None:
        fields["capex_usd"] = capex
    return fields


def _switch(
    tech: str, speed: float, ports: int, src: str, latency: Sourced, power: Sourced, capex: Sourced
) -> dict[str, Sourced]:
    return {
        "technology": (tech, src),
        "port_speed_gbps": (speed, src),
        "ports": (ports, src),
        "latency_us": latency,
        "power_w": power,
        "capex_usd": capex,
        "repair_hours": (4.0, "estimate: §5.3 swap 1–8 h; switch/cable swap ~4 h"),
    }


def _team(
    role: str,
    headcount: int,
    salary: Sourced,
    attrition: Sourced,
    lead_days: Sourced,
    shift: str,
) -> dict[str, Sourced]:
    return {
        "role": (role, "estimate: schema staff role"),
        "headcount": (headcount, _HEADCOUNT),
        "salary_usd_per_year": salary,
        "annual_attrition": attrition,
        "hiring_lead_time_days": lead_days,
        "shift_coverage": (shift, "estimate: coverage the role needs (facilities/NOC 24×7)"),
    }


_H100_SRC = "https://glennklockwood.com/garden/processors/h100"
_HGX_8 = "https://glennklockwood.com/garden/NVLink (8 GPUs per HGX baseboard)"

COMPUTE_PRESETS: dict[str, PresetEntry] = {
    "dgx_h100": PresetEntry(
        "compute_rack",
        "DGX H100 (8× H100, air)",
        "8U air-cooled 8-GPU server; full dense training draws ≈ 0.80 × 10.2 kW rated.",
        _compute(
            "h100_sxm",
            8,
            (10.2, _LATIF),
            (3400.0, "estimate: 0.80 × 10,200 W measured/rated (§9.1) − 8 × 0.85 × 700 W GPUs"),
            (1200.0, "estimate: host idle ≈ 35 % of host full load (CPUs, NICs, fans at floor)"),
            (300000.0, "estimate: §1.2 8-GPU HGX/DGX H100 server all-in, typical $300k"),
            _H100_SRC,
            _HGX_8,
        ),
    ),
    "hgx_h200": PresetEntry(
        "compute_rack",
        "HGX H200 (8× H200, air)",
        "8-GPU H200 server; same 700 W parts and chassis power class as DGX H100.",
        _compute(
            "h200",
            8,
            (10.2, "estimate: same 700 W GPUs and chassis class as DGX H100 (10.2 kW, §2)"),
            (3400.0, "estimate: 0.80 × 10,200 W (§9.1) − 8 × 0.85 × 700 W GPUs"),
            (1200.0, "estimate: as DGX H100"),
            (332800.0, _SERVER_CAPEX + ": 8 × $32k × 1.3"),
            "https://huggingface.co/hardware/h200",
            _HGX_8,
        ),
    ),
    "dgx_b200": PresetEntry(
        "compute_rack",
        "DGX B200 (8× B200, air)",
        "10U air-cooled 8-GPU Blackwell server, ~14.3 kW rated.",
        _compute(
            "b200",
            8,
            (14.3, "https://wajnetpk.blogspot.com/2024/03/NVIDIA-DGX-B200.html"),
            (4640.0, "estimate: 0.80 × 14,300 W (§9.1) − 8 × 0.85 × 1,000 W GPUs"),
            (1600.0, "estimate: host idle ≈ 35 % of host full load"),
            (384800.0, _SERVER_CAPEX + ": 8 × $37k × 1.3"),
            "https://glennklockwood.com/garden/processors/B200",
            _HGX_8,
        ),
    ),
    "gb200_nvl72": PresetEntry(
        "compute_rack",
        "GB200 NVL72 rack (72× B200, liquid)",
        "One 72-GPU NVLink domain per rack, direct liquid cooling, 120–132 kW. Host overhead "
        "includes 36 Grace CPUs, 9 NVLink switch trays, NICs and power-shelf losses.",
        {
            "accelerator": ("gb200", "https://glennklockwood.com/garden/processors/B200"),
            "accelerators_per_unit": (72, "https://setloop.io/blog/gb200-nvl72-architecture"),
            "power_rating_kw": (
                132.0,
                "https://www.cudocompute.com/blog/ai-hardware-installation-maintenance",
            ),
            "host_overhead_w": (
                50000.0,
                "estimate: rack 120–132 kW at full training (§2, §9.2) − 72 × 0.85 × 1,200 W = "
                "73.4 kW GPUs → ~50 kW; full load 123.4 kW",
            ),
            "host_idle_w": (
                20000.0,
                "estimate: ~40 % of host overhead (CPUs, switch trays, pumps)",
            ),
            "cooling": ("direct_liquid", "https://setloop.io/blog/gb200-nvl72-architecture"),
            "host_power_cooling": ("direct_liquid", _AS_BUILT + "cold plates"),
            "liquid_heat_fraction": (0.85, "estimate: §9.2 NVL72 liquid fraction 0.85 (0.8–0.9)"),
            "thermal_resistance_k_per_w": (0.03, _COLD_PLATE),
            "heat_capacity_kj_per_k": (840.0, _LOOP_C),
            "failure_rate_per_gpu_hour": (2.0e-5, _RELIABILITY),
            "repair_hours": (3.0, _SWAP),
            "capex_usd": (3.0e6, "https://awesomeagents.ai/hardware/nvidia-gb200-nvl72"),
        },
    ),
    "mi300x_server": PresetEntry(
        "compute_rack",
        "MI300X server (8× MI300X, air)",
        "8-GPU OAM server; rated power from the §9.1 air overhead factor 1.8.",
        _compute(
            "mi300x",
            8,
            (10.8, "estimate: 8 × 750 W × 1.8 air HGX overhead factor (§9.1)"),
            (3540.0, "estimate: 0.80 × 10,800 W (§9.1) − 8 × 0.85 × 750 W GPUs"),
            (1200.0, "estimate: as DGX H100"),
            (135200.0, _SERVER_CAPEX + ": 8 × $13k × 1.3"),
            "https://www.jaredwatkins.com/research/ai-accelerators/amd-instinct/mi300-series/",
            "estimate: 8-GPU xGMI mesh per server (§1.1)",
        ),
    ),
    "trn2_server": PresetEntry(
        "compute_rack",
        "Trainium2 server (16× Trn2, air)",
        "trn2.48xlarge-class server. Cloud-only part: set capex_usd if you own one.",
        _compute(
            "trainium2",
            16,
            (14.4, "estimate: 16 × 500 W × 1.8 overhead factor (§9.1)"),
            (5120.0, "estimate: 0.80 × 14,400 W (§9.1) − 16 × 0.8 × 500 W chips"),
            (1800.0, "estimate: host idle ≈ 35 % of host full load"),
            None,
            "https://awsdocs-neuron.readthedocs-hosted.com/en/latest/training/best-practices.html",
            "https://awsdocs-neuron.readthedocs-hosted.com/en/v2.29.0/_sources/about-neuron/"
            "arch/neuron-hardware/trainium2.rst (16 chips in trn2.48xlarge)",
        ),
    ),
    "tpu_v5p_host": PresetEntry(
        "compute_rack",
        "TPU v5p host (4 chips)",
        "One v5p host of 4 chips. Cloud-only part: set capex_usd if you model ownership.",
        {
            **_compute(
                "tpu_v5p",
                4,
                (2.88, "estimate: 4 × 400 W × 1.8 overhead factor (§9.1)"),
                (1024.0, "estimate: 0.80 × 2,880 W (§9.1) − 4 × 0.8 × 400 W chips"),
                (400.0, "estimate: host idle ≈ 40 % of host full load"),
                None,
                "https://docs.cloud.google.com/tpu/docs/v5p?hl=ja",
                "https://docs.cloud.google.com/tpu/docs/v5p-training?hl=es (4 chips per host)",
            ),
            "cooling": ("direct_liquid", "estimate: recalled, TPU v4+ pods liquid-cooled; verify"),
            "host_power_cooling": ("direct_liquid", _AS_BUILT + "liquid-cooled"),
            "liquid_heat_fraction": (0.8, "estimate: §9.2 liquid fraction low end"),
            "thermal_resistance_k_per_w": (0.03, _COLD_PLATE),
        },
    ),
    "frontier_node": PresetEntry(
        "compute_rack",
        "Frontier-class node (4 GPUs, liquid)",
        "HPE Cray EX-style blade node. MI250X is not in the domain reference, so this uses "
        "4× MI300X as a stand-in; the shape (4 GPUs/node, 128 nodes/rack) is what matters.",
        {
            **_compute(
                "mi300x",
                4,
                (4.5, "estimate: 4 × 750 W × 1.5 liquid-rack overhead factor (§9.1 NVL72)"),
                (1050.0, "estimate: 0.80 × 4,500 W (§9.1) − 4 × 0.85 × 750 W GPUs"),
                (400.0, "estimate: host idle ≈ 40 % of host full load"),
                (67600.0, "estimate: 4 × $13k × 1.3 (§1.2)"),
                "estimate: MI300X stands in for MI250X (not in the domain reference)",
                "estimate: Frontier-style node of 4 GPUs (task brief; not in the reference)",
            ),
            "cooling": ("direct_liquid", "estimate: Cray EX cabinets are liquid-cooled; verify"),
            "host_power_cooling": ("direct_liquid", _AS_BUILT + "liquid-cooled"),
            "liquid_heat_fraction": (1.0, "estimate: fanless liquid-cooled blades; verify"),
            "thermal_resistance_k_per_w": (0.03, _COLD_PLATE),
        },
    ),
}

_CRAH_FAN = "estimate: CRAH fan power 4–6 % of heat moved; 0.05"
_UNIT_CAPEX = "estimate: order-of-magnitude equipment price, not in the reference"

FACILITY_PRESETS: dict[str, PresetEntry] = {
    "crah": PresetEntry(
        "cooling_unit",
        "CRAH (perimeter air handler)",
        "Chilled-water computer-room air handler; needs a chiller (or tower) behind it.",
        _cooler(
            "crah",
            (150.0, "estimate: large perimeter CRAH ≈ 150 kW sensible (not in the reference)"),
            (0.05, _CRAH_FAN),
            (24.0, "https://crac.services/blog/in-row-vs-perimeter-crac-high-density-racks"),
            None,  # the type's catalog price (COOLING_TYPE_CATALOG)
        ),
    ),
    "crac_legacy": PresetEntry(
        "cooling_unit",
        "CRAC/CRAH, constant-speed fans (legacy)",
        "Older perimeter unit whose fans run at full speed whatever the load.",
        _cooler(
            "crah",
            (150.0, "estimate: large perimeter CRAH ≈ 150 kW sensible (not in the reference)"),
            (0.08, "estimate: legacy fans with higher pressure drop, 8 % of rated capacity"),
            (20.0, "estimate: legacy setpoint below the §3.3 recommended 18–27 °C midpoint"),
            (40000.0, _UNIT_CAPEX),
            min_speed_fraction=(1.0, "estimate: constant-speed fans, no drive to slow them down"),
        ),
    ),
    "in_row": PresetEntry(
        "cooling_unit",
        "In-row cooler",
        "Row-level air cooler between racks with aisle containment (25–30 kW racks).",
        _cooler(
            "in_row",
            (60.0, "estimate: one in-row unit per two 25–30 kW racks (§2 containment/in-row)"),
            (0.04, "estimate: short air path, slightly below CRAH fan share"),
            (24.0, _UPTIME_AIR),
            None,  # the type's catalog price (COOLING_TYPE_CATALOG)
        ),
    ),
    "rear_door_hx": PresetEntry(
        "cooling_unit",
        "Rear-door heat exchanger",
        "Water coil on the rack door; one unit per rack.",
        _cooler(
            "rear_door_hx",
            (
                50.0,
                "https://heathertechnologies.com/pages/liquid-cooling-compared-rear-door-direct-to-chip-immersion",
            ),
            (0.02, "estimate: mostly passive coil, small assist fans"),
            (24.0, _UPTIME_AIR),
            None,  # the type's catalog price (COOLING_TYPE_CATALOG)
        ),
    ),
    "cdu": PresetEntry(
        "cooling_unit",
        "Row CDU (liquid)",
        "Coolant distribution unit feeding cold plates at 1.5 L/min per kW.",
        _cooler(
            "cdu",
            (1500.0, "estimate: row/facility CDU 500–2,600 kW (" + _CDU + "), mid value"),
            (0.015, "estimate: pump power 1–2 % of heat moved"),
            (32.0, "estimate: §9.3 DLC facility-water supply typical 32 °C"),
            None,  # the type's catalog price (COOLING_TYPE_CATALOG)
        ),
    ),
    "immersion_tank": PresetEntry(
        "cooling_unit",
        "Single-phase immersion tank",
        "Servers submerged in dielectric fluid; heat leaves through a water loop.",
        _cooler(
            "immersion_tank",
            (150.0, "https://www.yobitel.com/knowledge-base/immersion-cooling"),
            (0.01, "estimate: fluid pump only, no server fans"),
            (35.0, "estimate: warm-water loop between DLC 32 °C and NVIDIA 45 °C (§3.2)"),
            None,  # the type's catalog price (COOLING_TYPE_CATALOG)
        ),
    ),
    "chiller_water": PresetEntry(
        "cooling_unit",
        "Water-cooled chiller",
        "Centrifugal chiller, COP 6.1; pair it with a cooling tower for its condenser water.",
        _cooler(
            "chiller",
            (3500.0, "estimate: 1,000-ton chiller = 3,517 kW (COP conversion in " + _CHILLER + ")"),
            (0.02, "estimate: chilled-water pumps ≈ 2 % of heat moved"),
            (18.0, "estimate: §3.2 chilled facility water 18–27 °C; low end"),
            None,  # the type's catalog price (COOLING_TYPE_CATALOG)
            cop=(6.1, _CHILLER),
            free_cooling_below_c=(
                12.8,
                _ENERGY_STAR + " (waterside economizer below 12.8 °C wet-bulb; dry-bulb used)",
            ),
        ),
    ),
    "chiller_water_vsd": PresetEntry(
        "cooling_unit",
        "Water-cooled chiller, variable speed",
        "VSD centrifugal chiller, COP 6.1 at full load and better at part load; with a tower.",
        _cooler(
            "chiller",
            (3500.0, "estimate: 1,000-ton chiller = 3,517 kW (COP conversion in " + _CHILLER + ")"),
            (0.02, "estimate: chilled-water pumps ≈ 2 % of rated capacity"),
            (18.0, "estimate: §3.2 chilled facility water 18–27 °C; low end"),
            (1.4e6, _UNIT_CAPEX),
            cop=(6.1, _CHILLER),
            compressor=(
                "vsd",
                "https://github.com/NREL/EnergyPlus/blob/develop/datasets/Chillers.idf "
                "(Carrier 19XR VSD EIR-f-PLR; §3.2: VSD chillers peak at 50–70 % load)",
            ),
            free_cooling_below_c=(
                12.8,
                _ENERGY_STAR + " (waterside economizer below 12.8 °C wet-bulb; dry-bulb used)",
            ),
        ),
    ),
    "chiller_air": PresetEntry(
        "cooling_unit",
        "Air-cooled chiller",
        "Packaged air-cooled chiller, COP 3.2; no water use.",
        _cooler(
            "chiller",
            (1500.0, "estimate: large packaged air-cooled chiller ≈ 400 tons"),
            (0.02, "estimate: chilled-water pumps ≈ 2 % of heat moved"),
            (18.0, "estimate: §3.2 chilled facility water 18–27 °C; low end"),
            (500000.0, _UNIT_CAPEX),
            cop=(3.2, "estimate: §3.2 air-cooled chiller 1.1 kW/ton → COP 3.2"),
        ),
    ),
    "dry_cooler": PresetEntry(
        "cooling_unit",
        "Dry cooler",
        "Fan coil rejecting warm facility water (32–45 °C) to outside air; almost no water.",
        _cooler(
            "dry_cooler",
            (2000.0, "estimate: large adiabatic-ready dry cooler bank"),
            (0.02, "estimate: fan power ≈ 2 % of heat rejected"),
            (32.0, "estimate: §9.3 DLC facility-water supply typical 32 °C"),
            None,  # the type's catalog price (COOLING_TYPE_CATALOG)
            wue_l_per_kwh=(0.05, _WUE),
        ),
    ),
    "cooling_tower": PresetEntry(
        "cooling_unit",
        "Evaporative cooling tower",
        "Open evaporative tower; rejects heat cheaply but uses water (WUE ~0.8 L/kWh).",
        _cooler(
            "cooling_tower",
            (5000.0, "estimate: one large tower cell"),
            (0.01, "estimate: tower fans ≈ 1 % of heat rejected"),
            (29.0, "estimate: condenser water ≈ wet-bulb + 3–5 K approach on a warm day (§9.3)"),
            None,  # the type's catalog price (COOLING_TYPE_CATALOG)
            wue_l_per_kwh=(0.8, _WUE),
        ),
    ),
    "ib_ndr_switch": PresetEntry(
        "network_switch",
        "InfiniBand NDR switch (QM9700)",
        "64 × 400 Gb/s, 51.2 Tb/s; k = 64 fat tree: 2,048 hosts in 2 tiers.",
        _switch(
            "infiniband",
            400.0,
            64,
            _QM9700,
            (3.0, _ALPHA + " (IB 3–5 µs across racks)"),
            (1700.0, "estimate: 32 OSFP × 17 W (" + _QM9700 + ") + ~1.2 kW ASIC, fans, PSU"),
            (30000.0, _UNIT_CAPEX),
        ),
    ),
    "ib_xdr_switch": PresetEntry(
        "network_switch",
        "InfiniBand XDR switch (Q3400)",
        "Quantum-X800, 144 × 800 Gb/s; k = 144: 10,368 hosts in 2 tiers.",
        _switch(
            "infiniband",
            800.0,
            144,
            _Q3400,
            (3.0, _ALPHA + " (IB 3–5 µs across racks)"),
            (4700.0, "estimate: 144 ports × 15 W optics (§9.4) + ~2.5 kW ASIC, fans, PSU"),
            (100000.0, _UNIT_CAPEX),
        ),
    ),
    "roce_400": PresetEntry(
        "network_switch",
        "RoCE Ethernet switch 64×400G",
        "Lossless Ethernet (RoCEv2) leaf/spine.",
        _switch(
            "roce",
            400.0,
            64,
            _SPECTRUM_X,
            (5.0, "estimate: §9.4 α RoCE tuned 2–5 µs, upper"),
            (1560.0, "estimate: 64 × 15 W optics (§9.4) + ~0.6 kW ASIC, fans"),
            (25000.0, _UNIT_CAPEX),
        ),
    ),
    "roce_800": PresetEntry(
        "network_switch",
        "RoCE Ethernet switch 64×800G",
        "Spectrum-X class 800 GbE switch for multiplane 2-tier fabrics.",
        _switch(
            "roce",
            800.0,
            64,
            _SPECTRUM_X,
            (5.0, "estimate: §9.4 α RoCE tuned 2–5 µs, upper"),
            (2100.0, "estimate: 64 × 17 W optics (§4.1) + ~1 kW ASIC, fans"),
            (50000.0, _UNIT_CAPEX),
        ),
    ),
    "nvlink_switch": PresetEntry(
        "network_switch",
        "NVLink switch tray (2× NVLink5 ASIC)",
        "Scale-up switch tray; NVL72 racks already count theirs in host_overhead_w, so use "
        "this only for standalone NVLink switch systems.",
        _switch(
            "nvlink",
            800.0,
            144,
            _NVSWITCH + " (ASIC 72 × 800G; 2 ASICs per tray, 18 per NVL72)",
            (1.0, _ALPHA + " (NVLink ~1 µs)"),
            (1200.0, "estimate: two switch ASICs on copper, no optics"),
            (60000.0, _UNIT_CAPEX),
        ),
    ),
    "grid_feed": PresetEntry(
        "power_feed",
        "Grid feed (flat US industrial)",
        "Utility connection at the 2023 US industrial average price and grid carbon intensity.",
        {
            "power_rating_kw": (5000.0, "estimate: one 5 MW service; scenes size it"),
            "price": ({"flat_usd_per_kwh": 0.0806, "time_of_use": []}, _EIA_PRICE),
            "carbon_intensity_g_per_kwh": (367.0, _EIA_CARBON),
        },
    ),
    "grid_feed_tou": PresetEntry(
        "power_feed",
        "Grid feed (time-of-use)",
        "Night / day / evening-peak / late prices averaging ≈ 8.1 ¢/kWh over the day.",
        {
            "power_rating_kw": (5000.0, "estimate: one 5 MW service; scenes size it"),
            "price": (
                {
                    "flat_usd_per_kwh": 0.0806,
                    "time_of_use": [
                        {"start_hour": 0, "price_usd_per_kwh": 0.058},
                        {"start_hour": 7, "price_usd_per_kwh": 0.078},
                        {"start_hour": 14, "price_usd_per_kwh": 0.12},
                        {"start_hour": 20, "price_usd_per_kwh": 0.068},
                    ],
                },
                "estimate: periods chosen so the 24-h mean (0.081) ≈ US industrial 8.06 ¢ ("
                + _EIA_PRICE
                + "); peak within the 6.8–20 ¢ state range (§6.1)",
            ),
            "carbon_intensity_g_per_kwh": (367.0, _EIA_CARBON),
        },
    ),
    "ups": PresetEntry(
        "ups",
        "UPS (double conversion)",
        "1 MW double-conversion UPS, 96 % efficient.",
        {
            "ups_rating_kw": (1000.0, "estimate: 1 MW module; scenes use count for more"),
            "efficiency": (0.96, _UPS_EFF),
            "capex_usd": (300000.0, _UNIT_CAPEX),
        },
    ),
    "ups_eco": PresetEntry(
        "ups",
        "UPS (eco mode)",
        "1 MW UPS in eco / dynamic-online mode, 99 % efficient at rated load.",
        {
            "ups_rating_kw": (1000.0, "estimate: 1 MW module; scenes use count for more"),
            "efficiency": (0.99, _UPS_EFF + " (eco/dynamic-online 98–99 %)"),
            "mode": ("eco", "estimate: eco-mode loss shares, sim/models/partload.py"),
            "capex_usd": (320000.0, _UNIT_CAPEX),
        },
    ),
    "pdu": PresetEntry(
        "pdu",
        "PDU (floor)",
        "Floor power distribution unit feeding a row of racks.",
        {
            "power_rating_kw": (400.0, "estimate: floor PDU ≈ 400 kVA"),
            "efficiency": (0.985, "estimate: transformer-based PDU ≈ 98.5 %"),
            "capex_usd": (20000.0, _UNIT_CAPEX),
        },
    ),
}

_STORE_E = "estimate: sized for a mid-size cluster; not in the reference"
_ML_PAY = "https://validgrad.com/blog/machine-learning-salary/ (~$240k × 1.35 loaded, §9.6)"
_GEN_PAY = "estimate: specialist engineers between facilities $175k and MLOps $270k loaded (§6.4)"

SERVICE_PRESETS: dict[str, PresetEntry] = {
    "lustre_pfs": PresetEntry(
        "storage",
        "Parallel file system (Lustre, flash)",
        "Training-data and checkpoint store; checkpoint stall = bytes / throughput (§5.4).",
        {
            "storage_type": ("parallel_fs", "estimate: schema storage type"),
            "capacity_pb": (20.0, _STORE_E),
            "throughput_gb_per_s": (
                500.0,
                "estimate: all-flash PFS ≈ 25 GB/s per PB; Llama 3 storage ~2 TB/s at 240 PB "
                "(§5.4, recalled)",
            ),
            "power_kw": (40.0, "estimate: ~700 × 30 TB SSD × 25 W + servers"),
            "capex_usd": (3.0e6, "estimate: flash ≈ $150k per usable PB"),
            "access_policy": ("rbac", "estimate: role-based access for a training cluster"),
        },
    ),
    "data_lake": PresetEntry(
        "storage",
        "Data lake (object storage, HDD)",
        "Raw and curated training corpora.",
        {
            "storage_type": ("data_lake", "estimate: schema storage type"),
            "capacity_pb": (100.0, _STORE_E),
            "throughput_gb_per_s": (200.0, "estimate: ~5,000 HDDs × 40 MB/s sustained"),
            "power_kw": (80.0, "estimate: ~5,000 HDDs × 8 W + servers"),
            "capex_usd": (2.5e6, "estimate: HDD ≈ $15/TB raw × 1.5 redundancy ≈ $25k per PB"),
            "access_policy": (
                "abac",
                "estimate: attribute-based access for mixed-sensitivity data",
            ),
        },
    ),
    "warehouse": PresetEntry(
        "storage",
        "Data warehouse",
        "Structured data and evaluation results.",
        {
            "storage_type": ("warehouse", "estimate: schema storage type"),
            "capacity_pb": (2.0, _STORE_E),
            "throughput_gb_per_s": (50.0, _STORE_E),
            "power_kw": (15.0, _STORE_E),
            "capex_usd": (1.0e6, _STORE_E),
            "access_policy": ("rbac", "estimate: role-based access"),
        },
    ),
    "team_facilities": PresetEntry(
        "staff_team",
        "Facilities team",
        "Mechanical/electrical engineers and technicians, 24×7 shifts.",
        _team(
            "facilities_ops",
            6,
            (175000.0, _FAC_PAY),
            (0.15, _TECH_ATTRITION),
            (105.0, _FILL_SENIOR),
            "24x7",
        ),
    ),
    "team_network_ops": PresetEntry(
        "staff_team",
        "Network operations team",
        "Fabric, cabling and transceiver work; network incidents are ~8 % of interruptions.",
        _team(
            "network_ops",
            4,
            (180000.0, "estimate: half DC technicians ($90k, §9.6), half engineers ($270k, §6.4)"),
            (0.15, _TECH_ATTRITION),
            (60.0, _FILL_TECH),
            "24x7",
        ),
    ),
    "team_mlops": PresetEntry(
        "staff_team",
        "MLOps / infrastructure team",
        "Schedulers, automation, node health and job restarts.",
        _team(
            "mlops", 6, (270000.0, _MLOPS_PAY), (0.14, _ATTRITION), (60.0, _FILL_TECH), "extended"
        ),
    ),
    "team_data_eng": PresetEntry(
        "staff_team",
        "Data engineering team",
        "Pipelines that feed storage and training jobs.",
        _team(
            "data_engineering",
            4,
            (270000.0, "estimate: paid in the MLOps/infra band, $200k × 1.35 (§6.4)"),
            (0.14, _ATTRITION),
            (60.0, _FILL_TECH),
            "business_hours",
        ),
    ),
    "team_research": PresetEntry(
        "staff_team",
        "Research team",
        "ML researchers and engineers who own the models and the runs.",
        _team(
            "ml_research",
            10,
            (320000.0, _ML_PAY),
            (0.14, _ATTRITION),
            (105.0, _FILL_SENIOR),
            "business_hours",
        ),
    ),
    "team_labeling": PresetEntry(
        "staff_team",
        "Labeling team",
        "Annotators producing supervised and preference data.",
        _team(
            "labeling",
            20,
            (60000.0, "estimate: annotators ≈ $45k × 1.35 loaded (below technician band, §6.4)"),
            (0.25, "estimate: high end of the §9.7 attrition range for high-turnover roles"),
            (30.0, "estimate: §9.7 time-to-fill low end"),
            "business_hours",
        ),
    ),
    "team_security": PresetEntry(
        "staff_team",
        "Security & governance team",
        "Access control, audits, incident response.",
        _team(
            "security_governance",
            3,
            (250000.0, _GEN_PAY),
            (0.14, _ATTRITION),
            (90.0, _FILL_TECH + " (60+ d for senior/security)"),
            "24x7",
        ),
    ),
    "team_domain_experts": PresetEntry(
        "staff_team",
        "Domain experts",
        "Subject-matter experts for evaluation and data curation.",
        _team(
            "domain_experts",
            4,
            (250000.0, _GEN_PAY),
            (0.14, _ATTRITION),
            (105.0, _FILL_SENIOR),
            "business_hours",
        ),
    ),
    "cloud_h100": PresetEntry(
        "cloud_burst",
        "Cloud H100 (burst)",
        "Rented H100s used when demand exceeds on-site capacity.",
        {
            "accelerator": (
                "h100_sxm",
                "https://costnimbus.com/article/gpu-cost-management-ml-teams",
            ),
            "max_accelerators": (256, "estimate: a reserved-on-demand quota of 32 nodes"),
            "price_usd_per_gpu_hour": (
                2.5,
                "https://compux.net/docs/guides/gpu-pricing-trends-2026 (§9.6 typical $2.5)",
            ),
            "availability": (0.95, "estimate: share of requests a provider fills at peak"),
        },
    ),
}

_LEAD_OMDIA = (  # H100 server lead times 8-52 weeks (§8, §9.7)
    "https://www.tomshardware.com/tech-industry/nvidia-ai-and-hpc-gpu-sales-reportedly-"
    "approached-half-a-million-units-in-q3-thanks-to-meta-facebook"
)
_LEAD_DELL = (  # Apr 2024: 8-12 weeks Dell, ~20 weeks HPE (§8)
    "https://klse.i3investor.com/web/blog/detail/future_tech/"
    "2024-04-12-story-h-183863938-Dell_shaves_months_off_lead_times_for_GPU_powered_AI_servers"
)

SUPPLY_PRESETS: dict[str, PresetEntry] = {
    "vendor_gpu_oem": PresetEntry(
        "vendor",
        "GPU server OEM",
        "An accelerated-server OEM: 16-week median lead time, long tail to a year.",
        {
            "lead_time_median_days": (112.0, f"{_LEAD_OMDIA} (§9.7 typical 16 wk)"),
            "lead_time_spread": (
                0.5,
                "estimate: σ of ln(days) that puts §9.7's 8 wk near P8 and 52 wk near P99",
            ),
            "capacity_units_per_quarter": (0, "estimate: unlimited unless allocation binds"),
            "disruption_rate_per_year": (
                0.5,
                f"estimate: CoWoS/allocation shortfalls of 2023 ({_LEAD_OMDIA}) about every 2 y",
            ),
            "disruption_length_days": (
                60.0,
                f"estimate: Dell cut lead times by months in 2024 ({_LEAD_DELL})",
            ),
        },
    ),
    "vendor_second_source": PresetEntry(
        "vendor",
        "Second-source OEM",
        "A second qualified server vendor: slower (20-week median) but independent of the first.",
        {
            "lead_time_median_days": (140.0, f"{_LEAD_DELL} (HPE ~20 wk in Apr 2024)"),
            "lead_time_spread": (0.5, "estimate: as the primary OEM"),
            "capacity_units_per_quarter": (0, "estimate: unlimited unless allocation binds"),
            "disruption_rate_per_year": (0.5, "estimate: as the primary OEM"),
            "disruption_length_days": (60.0, "estimate: as the primary OEM"),
        },
    ),
}

_AWS_EGRESS = "https://aws.amazon.com/ec2/pricing/on-demand/"  # internet egress $0.09/GB

SITE_PRESETS: dict[str, PresetEntry] = {
    "site_edge": PresetEntry(
        "site",
        "Edge site",
        "A small site near its users, a technician drive away (link it with wan edges).",
        {
            "egress_usd_per_gb": (0.0, "estimate: a private WAN at a flat rate"),
            "technician_travel_hours": (2.0, "estimate: a regional field team's drive"),
        },
    ),
    "site_cloud_region": PresetEntry(
        "site",
        "Cloud region",
        "A public-cloud region: pays egress on what leaves it (link it with wan edges).",
        {
            "egress_usd_per_gb": (0.09, f"{_AWS_EGRESS} (internet egress, first 10 TB/month)"),
            "technician_travel_hours": (0.0, "estimate: the provider repairs its own hardware"),
        },
    ),
}

PRESET_TABLE: dict[str, PresetEntry] = {
    **COMPUTE_PRESETS,
    **FACILITY_PRESETS,
    **SERVICE_PRESETS,
    **SUPPLY_PRESETS,
    **SITE_PRESETS,
}
"""Every node preset by stable snake_case id."""

# --- catalog values per unit: price and embodied carbon ---------------------------------------
# A cooling unit whose ``capex_usd`` (or any unit whose ``embodied_kg_co2e``) is None takes the
# catalog's value for what it is: its cooling type, switch technology, storage type. Changing the
# type in a variant then changes the price, as buying the other unit would.
_EMB_MASS = (
    "estimate: unit mass × ≈3 kgCO2e per kg of fabricated steel/copper/aluminium equipment "
    "(not in the reference)"
)
_CHIEN = (
    "https://dl.acm.org/doi/pdf/10.1145/3604930.3605705 (Chien et al., HotCarbon '23: "
    "318 kgCO2e per GPU = 1/8 of an 8-GPU server with its CPUs, DRAM and storage; "
    "measured for A100, an estimate for other accelerators)"
)
_TANNU = "https://arxiv.org/abs/2207.10793 (Tannu & Nair, HotCarbon '22"

COOLING_TYPE_CATALOG: dict[str, dict[str, Sourced]] = {
    "crah": {
        "capex_usd": (50000.0, _UNIT_CAPEX),
        "embodied_kg_co2e": (4500.0, _EMB_MASS + "; perimeter CRAH ≈ 1.5 t"),
    },
    "in_row": {
        "capex_usd": (25000.0, _UNIT_CAPEX),
        "embodied_kg_co2e": (1500.0, _EMB_MASS + "; in-row cooler ≈ 0.5 t"),
    },
    "rear_door_hx": {
        "capex_usd": (15000.0, _UNIT_CAPEX),
        "embodied_kg_co2e": (600.0, _EMB_MASS + "; rear-door coil ≈ 0.2 t"),
    },
    "cdu": {
        "capex_usd": (250000.0, _UNIT_CAPEX),
        "embodied_kg_co2e": (6000.0, _EMB_MASS + "; row CDU ≈ 2 t"),
    },
    "immersion_tank": {
        "capex_usd": (60000.0, _UNIT_CAPEX),
        "embodied_kg_co2e": (5000.0, _EMB_MASS + "; tank ≈ 1 t steel plus its dielectric fluid"),
    },
    "chiller": {
        "capex_usd": (1.2e6, _UNIT_CAPEX),
        "embodied_kg_co2e": (45000.0, _EMB_MASS + "; 1,000-ton centrifugal chiller ≈ 15 t"),
    },
    "dry_cooler": {
        "capex_usd": (150000.0, _UNIT_CAPEX),
        "embodied_kg_co2e": (18000.0, _EMB_MASS + "; dry-cooler bank ≈ 6 t"),
    },
    "cooling_tower": {
        "capex_usd": (300000.0, _UNIT_CAPEX),
        "embodied_kg_co2e": (25000.0, _EMB_MASS + "; tower cell ≈ 8 t"),
    },
}
"""Per cooling type: the catalog price and embodied carbon of one unit."""

EMBODIED_KG_PER_ACCELERATOR: Sourced = (318.0, _CHIEN)
"""A rack's embodied carbon per accelerator slot, server share included."""
SWITCH_EMBODIED_KG: Sourced = (
    800.0,
    "estimate: a 1–2U switch ≈ a small server's manufacturing footprint (not in the reference)",
)
UPS_EMBODIED_KG: Sourced = (15000.0, _EMB_MASS + "; 1 MW UPS with batteries ≈ 5 t")
PDU_EMBODIED_KG: Sourced = (500.0, _EMB_MASS + "; floor PDU with transformer ≈ 0.2 t")
STORAGE_EMBODIED_KG_PER_PB: dict[str, Sourced] = {
    "parallel_fs": (160000.0, _TANNU + ": flash 0.16 kgCO2e/GB; newer drives may be lower)"),
    "data_lake": (20000.0, _TANNU + ": HDD ≈ 20 kgCO2e/TB)"),
    "warehouse": (160000.0, _TANNU + ": flash 0.16 kgCO2e/GB; flash assumed, estimate)"),
}
"""Per storage type: embodied carbon per PB of capacity (the drives dominate)."""

SERVER_FAN_FRACTION: dict[str, Sourced] = {
    "air": (
        0.08,
        "https://schoolofweb.pages.dev/en/posts/hardware-advanced-6-datacenter-cooling-hot-cold-"
        "aisle-racks/ (server fans 5–15 % of server power, typical 8–10 %, §3.2; low end)",
    ),
    "direct_liquid": (
        0.02,
        "estimate: cold plates take the GPU/CPU heat; small fans remain for DIMMs, NICs, PSUs",
    ),
    "immersion": (0.0, "estimate: immersed servers run with their fans removed"),
}
"""Share of a server's power its own fans draw, by the rack's cooling mode (IT power, §3.1)."""
