"""Fabric model: tiers reached through network edges, leaf/spine limits, scaling efficiency."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_sim_builders import edge, hall

from aifactory_twin.catalog import preset_node
from aifactory_twin.schema import Scenario
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.sim.models import network as net

NIC = 400.0


def _two_tier(
    racks: int, leaf_units: float, spine_units: float, oversub: float = 1.0
) -> tuple[net.Fabric, np.ndarray, np.ndarray]:
    """``racks`` racks of ``gpus`` accelerators, each on its own 64-port leaf, one spine node."""
    spine = racks
    fab = net.build_fabric(
        [(r, r) for r in range(racks)],
        [(r, spine) for r in range(racks)],
        np.ones(racks + 1, dtype=bool),
        np.full(racks + 1, 3.0),
        np.asarray([leaf_units] * racks + [spine_units]),
        racks,
    )
    ports = np.asarray([leaf_units] * racks + [spine_units]) * 64 * NIC
    over = np.asarray([oversub] * racks + [1.0])
    return fab, ports, over


def test_non_blocking_two_tier_gives_full_nic_bandwidth() -> None:
    # 4 leaves × 32 down / 32 up; 2 spines × 64 ports = 128 = the leaves' uplinks (§4.2).
    fab, ports, over = _two_tier(4, 1, 2)
    assert fab.tier.tolist() == [1, 1, 1, 1, 2]
    bw, local = net.fabric_bandwidth(fab, ports, over, np.full(4, 32.0), np.full(4, NIC))
    np.testing.assert_allclose(bw, NIC)
    np.testing.assert_allclose(local, NIC)


def test_undersized_spine_and_oversubscribed_leaves_share_bandwidth() -> None:
    fab, ports, over = _two_tier(4, 1, 1)
    bw, local = net.fabric_bandwidth(fab, ports, over, np.full(4, 32.0), np.full(4, NIC))
    np.testing.assert_allclose(bw, NIC / 2)  # 64 spine ports for 128 uplinks
    np.testing.assert_allclose(local, NIC)  # inside a leaf the spine does not matter
    # 3:1 leaves: 48 down, 16 up ⇒ 16 of 32 accelerators' traffic leaves the leaf.
    fab, ports, over = _two_tier(4, 1, 2, oversub=3.0)
    bw, _ = net.fabric_bandwidth(fab, ports, over, np.full(4, 32.0), np.full(4, NIC))
    np.testing.assert_allclose(bw, NIC / 2)


def test_idle_racks_leave_the_fabric_free() -> None:
    fab, ports, over = _two_tier(4, 1, 1)
    bw, _ = net.fabric_bandwidth(fab, ports, over, np.asarray([32.0, 32, 0, 0]), np.full(4, NIC))
    np.testing.assert_allclose(bw, NIC)


def test_three_tiers_and_latency_follow_the_path() -> None:
    # racks 0,1 → leaves 0,1 → agg 2 → core 3 (latency 5 µs at the core).
    fab = net.build_fabric(
        [(0, 0), (1, 1)],
        [(0, 2), (2, 1), (3, 2)],
        np.ones(4, dtype=bool),
        np.asarray([1.0, 1.0, 2.0, 5.0]),
        np.ones(4),
        2,
    )
    assert fab.tier.tolist() == [1, 1, 2, 3]
    np.testing.assert_allclose(fab.rack_alpha_us, 5.0)
    np.testing.assert_allclose(fab.rack_alpha_local_us, 1.0)
    assert fab.rack_leaf.tolist() == [0, 1]
    ports = np.asarray([1.0, 1.0, 1.0, 0.25]) * 64 * NIC
    bw, _ = net.fabric_bandwidth(fab, ports, np.ones(4), np.full(2, 32.0), np.full(2, NIC))
    # Agg: 32 down / 32 up for 64 arriving ⇒ ½; core 16 ports for the 32 passed up ⇒ ½ again.
    np.testing.assert_allclose(bw, NIC / 4)


@settings(max_examples=60, deadline=None)
@given(
    racks=st.integers(1, 6),
    leaf_units=st.integers(0, 4),
    spine_units=st.integers(0, 4),
    extra=st.integers(0, 4),
    oversub=st.floats(1.0, 8.0),
    gpus=st.lists(st.floats(0.0, 256.0), min_size=6, max_size=6),
)
def test_bandwidth_is_bounded_and_grows_with_the_spine(
    racks: int, leaf_units: int, spine_units: int, extra: int, oversub: float,
    gpus: list[float],
) -> None:  # fmt: skip
    fab, ports, over = _two_tier(racks, leaf_units, spine_units, oversub)
    demand, nic = np.asarray(gpus[:racks]), np.full(racks, NIC)
    bw, local = net.fabric_bandwidth(fab, ports, over, demand, nic)
    assert np.all(np.isfinite(bw)) and np.all(bw > 0) and np.all(bw <= NIC + 1e-9)
    assert np.all(bw <= local + 1e-9)
    more = ports.copy()
    more[-1] += extra * 64 * NIC
    bw_more, _ = net.fabric_bandwidth(fab, more, over, demand, nic)
    assert np.all(bw_more >= bw - 1e-9)


def _leaf_spine_hall(spine_units: int, job_gpus: int | None = None) -> Scenario:
    """128 DGX H100 (1,024 GPUs) → 32 leaves (32 down / 32 up) → ``spine_units`` spines."""
    sc = hall("air", racks=128, fabric=False, job_gpus=job_gpus)
    leaf = preset_node("ib_ndr_switch", "leaf", count=32)
    spine = preset_node("ib_ndr_switch", "spine", count=spine_units)
    edges = [
        *sc.edges,
        edge("network", "rack", "leaf"),
        edge("network", "leaf", "spine"),
        edge("power", "pdu", "leaf"),
        edge("power", "pdu", "spine"),
    ]
    return sc.model_copy(update={"nodes": [*sc.nodes, leaf, spine], "edges": edges})


def _run(sc: Scenario) -> Engine:
    eng = Engine(compile_scenario(sc, horizon_s=6 * 3600.0, step_s=600.0), seed=0)
    eng.run()
    return eng


def test_sized_leaf_spine_runs_at_full_nic_rate_and_a_short_spine_slows_the_job() -> None:
    full = _run(_leaf_spine_hall(16))
    np.testing.assert_allclose(full.state.work.rack_bw, 400.0)
    # One spine: 64 ports for the leaves' 1,024 uplinks ⇒ 1/16 of the NIC rate.
    short = _run(_leaf_spine_hall(1))
    assert float(short.state.work.rack_bw[0]) == pytest.approx(400.0 * 64 / 1024)
    p_full = full.kpis()["jobs"][0]["progress"]
    p_short = short.kpis()["jobs"][0]["progress"]
    assert p_short < 0.9 * p_full
    # The sized fabric is as good as no limit at all: scaling efficiency 1 (module doc).
    wl = full.compiled.workloads
    nominal = 1024 * full.compiled.racks.peak_bf16_tflops[0] * 1e12 * wl.mfu[0]
    assert full.state.work.jobs.rate_flops[0] == pytest.approx(nominal, rel=0.05)


def test_only_a_single_unit_leaf_keeps_a_job_local() -> None:
    # Rack 0 on a one-unit leaf, rack 1 on a 4-unit leaf node, rack 2 on both leaves.
    fab = net.build_fabric(
        [(0, 0), (1, 1), (0, 2), (1, 2)],
        [(0, 3), (1, 3)],
        np.ones(4, dtype=bool),
        np.full(4, 3.0),
        np.asarray([1.0, 4.0, 1.0, 2.0]),
        3,
    )
    assert fab.rack_leaf.tolist() == [0, -1, -1]
    np.testing.assert_allclose(fab.leaf_weight, [1.0, 0.5, 1.0, 0.5])
