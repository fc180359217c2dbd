"""Compile part: compute racks and cloud-burst nodes, with their accelerators' specs.

Catalog accelerators are resolved here (``catalog.accelerator_spec``); a rack's capex defaults to
its accelerators' price × the server overhead when the node does not give one. A rack's host
power follows its cooling mode (``host_power_for_cooling``): the server fans of the mode its
host figures were given for are swapped for those of the mode it runs in.
"""

from __future__ import annotations

import math

import numpy as np

from aifactory_twin.catalog import accelerator_spec
from aifactory_twin.catalog_data import SERVER_FAN_FRACTION
from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.schema import AcceleratorSpec, CloudBurst, ComputeRack
from aifactory_twin.sim.compile.common import floats, ints
from aifactory_twin.sim.compiled import CloudParams, FloatArray, RackParams

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


def _fan_fraction(modes: list[str]) -> FloatArray:
    """Server-fan share of a server's power for each cooling mode (§3.2; estimates for liquid)."""
    share = {mode: float(src[0]) for mode, src in SERVER_FAN_FRACTION.items()}
    return floats([share[m] for m in modes])


def host_power_for_cooling(
    racks: list[tuple[int, ComputeRack]], specs: list[AcceleratorSpec], fan_now: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(host overhead W, host idle W) per unit for the cooling mode each rack runs in.

    A rack's host figures are for ``host_power_cooling`` (the server as built, fans included).
    Fans draw the share f of a server's power (``SERVER_FAN_FRACTION``) and the rest of it
    does not depend on how the server is cooled, so in a mode with share f' the server draws
    P' = P·(1 − f)/(1 − f'): the fans' difference P·(f − f')/(1 − f') leaves (or joins) the
    host power, at idle (P = accelerators' idle + host idle) and at full training load
    (P = accelerators' κ_train·TDP + host overhead); in between the host power interpolates as
    before. Racks in the mode of their figures keep them exactly; a host figure smaller than
    the fans it would lose goes to zero, not below.
    """
    rk = [x for _, x in racks]
    overhead_w = floats([x.host_overhead_w for x in rk])
    idle_w = floats([x.host_idle_w for x in rk])
    moved = np.flatnonzero([x.cooling != x.host_power_cooling for x in rk])
    if moved.size == 0:
        return overhead_w, idle_w
    fan_built = _fan_fraction([rk[r].host_power_cooling for r in moved])
    swap = (fan_built - fan_now[moved]) / (1.0 - fan_now[moved])
    n = floats([rk[r].accelerators_per_unit for r in moved])
    full_w = n * floats([specs[r].kappa_train * specs[r].tdp_w for r in moved]) + overhead_w[moved]
    floor_w = n * floats([specs[r].idle_w for r in moved]) + idle_w[moved]
    # Fans cannot draw more than the host figure they are part of: a host figure given
    # smaller than the fans it would lose already excludes them, and stays at zero.
    overhead_w[moved] = np.maximum(overhead_w[moved] - swap * full_w, 0.0)
    idle_w[moved] = np.maximum(idle_w[moved] - swap * floor_w, 0.0)
    return overhead_w, idle_w


def compile_racks(racks: list[tuple[int, ComputeRack]], specs: list[AcceleratorSpec]) -> RackParams:
    """Per-rack parameters (index r in the order of ``racks``)."""
    rk = [x for _, x in racks]
    fan_now = _fan_fraction([x.cooling for x in rk])
    host_overhead_w, host_idle_w = host_power_for_cooling(racks, specs, fan_now)
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
        host_overhead_w=host_overhead_w,
        host_idle_w=host_idle_w,
        max_operating_c=floats([x.max_operating_c for x in rk]),
        slowdown_c=floats([x.slowdown_c for x in rk]),
        shutdown_c=floats([x.shutdown_c for x in rk]),
        r_th_k_per_w=floats([x.thermal_resistance_k_per_w for x in rk]),
        heat_cap_j_per_k=floats([x.heat_capacity_kj_per_k * 1000.0 for x in rk]),
        rating_kw=floats([x.power_rating_kw for x in rk]),
        power_limit_w=floats(
            [math.inf if x.power_limit_w is None else x.power_limit_w for x in rk]
        ),
        fan_fraction=fan_now,
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
