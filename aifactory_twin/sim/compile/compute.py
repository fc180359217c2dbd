"""Compile part: compute racks and cloud-burst nodes, with their accelerators' specs.

Catalog accelerators are resolved here (``catalog.accelerator_spec``); a rack's capex defaults to
its accelerators' price × the server overhead when the node does not give one.
"""

from __future__ import annotations

import math

from aifactory_twin.catalog import accelerator_spec
from aifactory_twin.catalog_data import SERVER_FAN_FRACTION
from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.schema import AcceleratorSpec, CloudBurst, ComputeRack
from aifactory_twin.sim.compile.common import floats, ints
from aifactory_twin.sim.compiled import CloudParams, RackParams

# Server all-in price over the accelerators alone (CPUs, NICs, chassis): +20–40 % (§1.2, [E]).
SERVER_OVERHEAD_ON_GPU_PRICE = 1.3


def rack_specs(racks: list[tuple[int, ComputeRack]]) -> list[AcceleratorSpec]:
    """The accelerator spec of each rack; an unknown catalog name names the rack's field.

    The server's own NIC rate and scale-up domain replace the accelerator's where it gives them.
    """
    specs = []
    # Racks naming the same catalog accelerator and server figures share one spec object:
    # a big factory has hundreds of thousands of racks and a handful of distinct servers.
    known: dict[tuple[str, float | None, int | None], AcceleratorSpec] = {}
    for i, rack in racks:
        key = None
        if isinstance(rack.accelerator, str):
            key = (rack.accelerator, rack.nic_gbps, rack.scale_up_domain)
            found = known.get(key)
            if found is not None:
                specs.append(found)
                continue
        try:
            spec = accelerator_spec(rack.accelerator)
        except ScenarioError as exc:
            raise ScenarioError(
                [Problem(f"nodes[{i}].accelerator", p.message) for p in exc.problems]
            ) from exc
        server = {"nic_gbps": rack.nic_gbps, "scale_up_domain": rack.scale_up_domain}
        given = {k: v for k, v in server.items() if v is not None}
        spec = spec.model_copy(update=given) if given else spec
        if key is not None:
            known[key] = spec
        specs.append(spec)
    return specs


def rack_capex_usd(rack: ComputeRack, spec: AcceleratorSpec) -> float:
    """Capex per unit of a rack: its own figure, else accelerators × price × server overhead."""
    if rack.capex_usd is not None:
        return rack.capex_usd
    return spec.price_usd * rack.accelerators_per_unit * SERVER_OVERHEAD_ON_GPU_PRICE


def compile_racks(racks: list[tuple[int, ComputeRack]], specs: list[AcceleratorSpec]) -> RackParams:
    """Per-rack parameters (index r in the order of ``racks``)."""
    rk = [x for _, x in racks]
    return RackParams(
        node=ints([i for i, _ in racks]),
        gpus_per_unit=floats([x.accelerators_per_unit for x in rk]),
        tdp_w=floats([s.tdp_w for s in specs]),
        idle_w=floats([s.idle_w for s in specs]),
        kappa_train=floats([s.kappa_train for s in specs]),
        kappa_decode=floats([s.kappa_decode for s in specs]),
        peak_bf16_tflops=floats([s.peak_bf16_tflops for s in specs]),
        peak_fp8_tflops=floats([s.peak_fp8_tflops or s.peak_bf16_tflops for s in specs]),
        hbm_gb=floats([s.hbm_gb for s in specs]),
        scale_up_domain=floats([s.scale_up_domain for s in specs]),
        nic_gbps=floats([s.nic_gbps for s in specs]),
        host_overhead_w=floats([x.host_overhead_w for x in rk]),
        host_idle_w=floats([x.host_idle_w for x in rk]),
        max_operating_c=floats([x.max_operating_c for x in rk]),
        slowdown_c=floats([x.slowdown_c for x in rk]),
        shutdown_c=floats([x.shutdown_c for x in rk]),
        r_th_k_per_w=floats([x.thermal_resistance_k_per_w for x in rk]),
        heat_cap_j_per_k=floats([x.heat_capacity_kj_per_k * 1000.0 for x in rk]),
        rating_kw=floats([x.power_rating_kw for x in rk]),
        power_limit_w=floats(
            [math.inf if x.power_limit_w is None else x.power_limit_w for x in rk]
        ),
        fan_fraction=floats([float(SERVER_FAN_FRACTION[x.cooling][0]) for x in rk]),
    )


def compile_cloud(clouds: list[tuple[int, CloudBurst]]) -> CloudParams:
    """Per cloud-burst node (index c in the order of ``clouds``)."""
    specs = [accelerator_spec(x.accelerator) for _, x in clouds]
    return CloudParams(
        node=ints([i for i, _ in clouds]),
        max_gpus=floats([x.max_accelerators * x.availability for _, x in clouds]),
        price_usd_per_gpu_h=floats([x.price_usd_per_gpu_hour for _, x in clouds]),
        peak_bf16_tflops=floats([s.peak_bf16_tflops for s in specs]),
        peak_fp8_tflops=floats([s.peak_fp8_tflops or s.peak_bf16_tflops for s in specs]),
    )
