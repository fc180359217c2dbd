"""Per-rack incremental updates (issue 13) give exactly what recomputing every rack gives.

On a failure, a recovery or a repair the rack stages recompute only the racks whose inputs
changed (``sim/stages/incremental.py``). Every test here runs the same compiled scenario twice,
once with every stage's incremental path switched off (``incremental = False``: all racks,
every step) and once with it on, records the arrays each step hands on (rack block, heat
block, plant block, temperatures and status) and asks for them bit for bit, plus everything
the run reports; and checks that the incremental path did run on a subset of racks, so the
comparison means something.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from test_quiet_stretches import assert_same_run
from test_sim_builders import edge

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
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.sim.engine_state import EngineState
from aifactory_twin.sim.models.placement import Placer
from aifactory_twin.sim.stages import incremental as inc
from aifactory_twin.sim.stages.it_power import ItPower
from aifactory_twin.sim.stages.power import Power
from aifactory_twin.sim.stages.rack_heat import RackHeat
from aifactory_twin.sim.stages.work import Work

INCREMENTAL = (ItPower, RackHeat, Power, Work, Placer)
"""The classes whose ``incremental`` switch the tests turn off for the reference run."""


def rows(
    n_rows: int = 4,
    per_row: int = 12,
    *,
    job_gpus: int = 64,
    failure_rate: float = 2e-3,
    inference: bool = True,
    cdu_kw: float = 130.0,
    settings: dict[str, Any] | None = None,
    events: list[ScheduledEvent] | None = None,
) -> Scenario:
    """A small Frontier-shaped hall: rows of four-GPU nodes, a PDU per row, CDUs on a tower."""
    nodes: list[NodeBase] = [
        preset_node("grid_feed", "grid", power_rating_kw=5000.0),
        preset_node("ups", "ups", count=4),
        preset_node("roce_400", "sw", count=8, technology="ethernet"),
        preset_node("cooling_tower", "tower", count=1),
    ]
    edges: list[Edge] = []

    def link(kind: str, src: str, dst: str) -> None:
        edges.append(edge(kind, src, dst))

    link("power", "grid", "ups")
    link("power", "ups", "sw")
    link("power", "grid", "tower")
    n_cdus = (n_rows + 1) // 2
    for i in range(n_cdus):
        nodes.append(preset_node("cdu", f"cdu-{i}", nominal_cooling_capacity_kw=cdu_kw))
        link("power", "grid", f"cdu-{i}")
        link("coolant", "tower", f"cdu-{i}")
    for r in range(n_rows):
        nodes.append(preset_node("pdu", f"pdu-{r}", power_rating_kw=60.0))
        link("power", "ups", f"pdu-{r}")
        for k in range(per_row):
            node_id = f"n{r}-{k}"
            nodes.append(
                preset_node("frontier_node", node_id, failure_rate_per_gpu_hour=failure_rate)
            )
            link("power", f"pdu-{r}", node_id)
            link("network", "sw", node_id)
            link("coolant", f"cdu-{r // 2}", node_id)
    workloads: list[Any] = []
    if job_gpus:
        workloads.append(
            TrainingJob(
                id="train",
                name="run",
                parameters_b=70.0,
                tokens_t=1.4,
                accelerators_requested=job_gpus,
            )
        )
    if inference:
        workloads.append(
            InferenceService(id="chat", peak_demand_tokens_per_s=20000.0, daily_profile=[0.5] * 24)
        )
    return Scenario(
        settings=Settings(**(settings or {"horizon_s": 86400.0, "step_s": 60.0})),
        nodes=nodes,
        edges=edges,
        workloads=workloads,
        events=events or [],
    )


def _digest(s: EngineState) -> str:
    """A hash of every array the rack stages handed on in the last step."""
    h = hashlib.sha256()
    rb = s.it_power.cache.rack
    assert rb is not None and rb.acct is not None
    arrays: list[npt.NDArray[Any]] = [rb.rack_kw, rb.busy, rb.slow, rb.q_in, rb.gpu_w_now]
    arrays.append(rb.gpus_inf)
    arrays += [*rb.acct.per_gpu_kw, rb.acct.unassigned_kw, rb.acct.train_active]
    if rb.inf_slow is not None:
        arrays.append(rb.inf_slow)
    th = s.thermal
    arrays += [th.temp_c, th.tj_c, th.status, th.hard, th.derate, th.new_shutdown]
    hb = th.cache.heat
    assert hb is not None
    arrays += [hb.col_heat_j, hb.rej_heat_j]
    if hb.rack_kw is not None:
        arrays.append(hb.rack_kw)
    pb = s.power.cache.plant
    assert pb is not None
    arrays += [pb.cool_kw, pb.cool_in, pb.feed_in, pb.unit_heat_kw, s.power.supply_factor]
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    scalars = (
        rb.inf_it_kw, rb.rack_heat_kw, rb.busy_gpus, rb.gpus_up, rb.throttled, rb.allocated,
        rb.inf_alloc, hb.removed_j, hb.heat_in_j, hb.max_t, hb.implicit_rack_j, pb.it_kw,
        pb.facility_kw, pb.cooling_kw, th.version, s.power.version,
    )  # fmt: skip
    h.update(repr(scalars).encode())
    return h.hexdigest()


def _run(
    sc: Scenario, incremental: bool, monkeypatch: pytest.MonkeyPatch, fast: bool = True
) -> tuple[Engine, list[str], int]:
    """A run, the digest of every full step, and how many steps recomputed a subset of racks."""
    for cls in INCREMENTAL:
        monkeypatch.setattr(cls, "incremental", incremental)
    digests: list[str] = []
    subsets = [0]
    advance, put = EngineState.advance, inc.put

    def recorded(self: EngineState, *args: Any) -> None:
        advance(self, *args)
        digests.append(_digest(self))

    def counted(full: Any, idx: Any, part: Any) -> Any:
        subsets[0] += 1
        return put(full, idx, part)

    monkeypatch.setattr(EngineState, "advance", recorded)
    monkeypatch.setattr(inc, "put", counted)
    eng = Engine(compile_scenario(sc), seed=3, event_steps=fast)
    eng.run()
    monkeypatch.undo()
    return eng, digests, subsets[0]


def assert_same_as_full(sc: Scenario, monkeypatch: pytest.MonkeyPatch, fast: bool = True) -> int:
    """Incremental and full recomputation agree bit for bit; the steps that used a subset."""
    full, full_digests, full_subsets = _run(sc, False, monkeypatch, fast)
    part, part_digests, subsets = _run(sc, True, monkeypatch, fast)
    assert full_subsets == 0
    assert len(full_digests) == len(part_digests)
    for i, (a, b) in enumerate(zip(full_digests, part_digests, strict=True)):
        assert a == b, f"step {i} differs"
    assert_same_run(full, part)
    return subsets


def test_failures_recoveries_and_repairs_match_full_recompute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sc = rows(settings={"horizon_s": 2 * 86400.0, "step_s": 60.0})
    subsets = assert_same_as_full(sc, monkeypatch)
    assert subsets > 20
    # Fixed stepping (every tick a full step) agrees as well.
    sc = rows(failure_rate=5e-3, settings={"horizon_s": 12 * 3600.0, "step_s": 60.0})
    assert assert_same_as_full(sc, monkeypatch, fast=False) > 5


@pytest.mark.parametrize("step_s", [1.0, 300.0, 3600.0])
@pytest.mark.parametrize("job_gpus", [0, 64])
def test_total_cooling_loss_and_zero_load_at_1_s_to_1_h(
    step_s: float, job_gpus: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both CDUs and the tower fail for 3 hours: every rack heats, throttles, shuts down and
    # comes back; with no job (and no inference) the racks sit idle.
    horizon, at, lasts = (
        (1800.0, 300.0, 900.0) if step_s == 1.0 else (12 * 3600.0, 3600.0, 3 * 3600)
    )
    events = [
        ScheduledEvent(time_s=at, kind="fail_unit", target=t, magnitude=99, duration_s=lasts)
        for t in ("cdu-0", "cdu-1", "tower")
    ]
    sc = rows(
        job_gpus=job_gpus,
        inference=bool(job_gpus),
        failure_rate=2e-4 if step_s == 1.0 else 2e-3,
        settings={"horizon_s": horizon, "step_s": step_s},
        events=events,
    )
    subsets = assert_same_as_full(sc, monkeypatch)
    assert subsets > 0


def test_one_rack_failing_heats_only_its_row(monkeypatch: pytest.MonkeyPatch) -> None:
    # One CDU of five lost: its two rows heat up over many steps (a subset moves every step)
    # while the others sit at their fixed point.
    events = [
        ScheduledEvent(time_s=1800.0, kind="fail_unit", target="cdu-1", magnitude=1),
        ScheduledEvent(time_s=3 * 3600.0, kind="restore_unit", target="cdu-1", magnitude=1),
        ScheduledEvent(time_s=4 * 3600.0, kind="fail_unit", target="n0-3", magnitude=1),
    ]
    sc = rows(
        10, 8, failure_rate=0.0, settings={"horizon_s": 8 * 3600.0, "step_s": 15.0}, events=events
    )
    subsets = assert_same_as_full(sc, monkeypatch)
    assert subsets > 50


def test_undersized_cdus_share_their_capacity_as_racks_fail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 10 rows of 8 nodes, a CDU per two rows sized below their heat: every CDU grants its racks
    # the same share of their demand (about a quarter at times), and each failure or repair
    # moves that share for all of them.
    sc = rows(
        10, 8, cdu_kw=50.0, failure_rate=5e-3,
        settings={"horizon_s": 12 * 3600.0, "step_s": 60.0},
    )  # fmt: skip
    assert assert_same_as_full(sc, monkeypatch) > 20
