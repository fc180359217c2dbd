"""The sim controller and the charts against the real engine: ticks, pause/resume/reset, edits."""

from __future__ import annotations

import numpy as np
import pytest

from aifactory_twin.commands import AddNodes, SetField, UndoStack, new_node
from aifactory_twin.document import FactoryDocument
from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scenes_dir
from aifactory_twin.schema import ScheduledEvent
from aifactory_twin.sim import STATUS_NAMES
from ui.charts.panel import ChartsPanel
from ui.live.overlay import compute_overlay
from ui.sim_controller import IDLE, PAUSED, RUNNING, SimController

DAY_S = 86400.0


@pytest.fixture
def doc() -> FactoryDocument:
    return FactoryDocument(load_scenario(scenes_dir() / "air-vs-liquid.aift.json"))


@pytest.fixture
def controller(doc: FactoryDocument, qtbot) -> SimController:  # type: ignore[no-untyped-def]
    c = SimController(doc)
    c.variant = "air"
    c.horizon_s = DAY_S
    return c


def test_a_few_ticks_chart_data_equals_the_recorded_series(
    controller: SimController,
    qtbot,  # type: ignore[no-untyped-def]
) -> None:
    charts = ChartsPanel()
    qtbot.addWidget(charts)
    for _ in range(5):
        controller.step()
    engine = controller.engine
    assert engine is not None and engine.step_index == 5
    charts.attach(engine.recorder)
    rec = engine.recorder
    for key, chart in charts.charts.items():
        data = charts.chart_data(key)
        assert chart.curves, key
        np.testing.assert_array_equal(data["time_s"], rec.times_s)
        for series in chart.curves:
            if series in rec.names:
                np.testing.assert_array_equal(data[series], rec.series(series))
    # Five more ticks arrive at the next redraw, copied incrementally.
    for _ in range(5):
        controller.step()
    assert charts.refresh()
    np.testing.assert_array_equal(charts.chart_data("power")["pue"], rec.series("pue"))
    assert len(charts.chart_data("power")["pue"]) == 10


def test_pause_resume_reset(controller: SimController, qtbot) -> None:  # type: ignore[no-untyped-def]
    states: list[str] = []
    controller.state_changed.connect(states.append)
    controller.set_speed(86400.0)
    controller.run()
    assert controller.state == RUNNING
    qtbot.waitUntil(lambda: controller.engine is not None and controller.engine.step_index >= 3)
    controller.pause()
    assert controller.state == PAUSED
    engine = controller.engine
    assert engine is not None
    paused_at = engine.step_index
    qtbot.wait(80)
    assert engine.step_index == paused_at  # paused means paused
    controller.toggle()  # resume the same run
    qtbot.waitUntil(lambda: engine.step_index > paused_at)
    assert controller.engine is engine
    controller.reset()
    assert controller.engine is None and controller.state == IDLE
    assert states[:4] == [RUNNING, PAUSED, RUNNING, IDLE]


def test_frames_respect_the_time_budget_and_speed(
    controller: SimController,
    qtbot,  # type: ignore[no-untyped-def]
) -> None:
    controller.set_speed(60.0)  # 1 min/s with 5-min steps: about one step every 5 s
    controller.run()
    qtbot.wait(300)
    engine = controller.engine
    assert engine is not None
    assert engine.step_index <= 1  # it does not run ahead of the requested speed
    controller.pause()


def test_parameter_edit_mid_run_changes_the_next_ticks(
    controller: SimController, doc: FactoryDocument
) -> None:
    stack = UndoStack(doc)
    for _ in range(3):
        controller.step()
    engine = controller.engine
    assert engine is not None
    before_kw = engine.recorder.series("it_power_kw")[-1]
    racks = doc.node("racks")
    extra_w = 2000.0
    stack.push(SetField(doc, ["racks"], "host_overhead_w", racks.host_overhead_w + extra_w))  # type: ignore[attr-defined]
    controller.step()
    assert controller.engine is engine  # same run, new parameters
    after_kw = engine.recorder.series("it_power_kw")[-1]
    # All 32 racks train at full load, so the host power rises by 32 × 2 kW at the next tick.
    assert after_kw - before_kw == pytest.approx(racks.count * extra_w / 1000.0, rel=0.05)


def test_structural_edit_pauses_and_asks_for_restart(
    controller: SimController,
    doc: FactoryDocument,
    qtbot,  # type: ignore[no-untyped-def]
) -> None:
    controller.set_speed(3600.0)
    controller.run()
    with qtbot.waitSignal(controller.structure_changed, timeout=2000):
        UndoStack(doc).push(AddNodes([new_node("storage", "extra-storage")]))
    assert controller.state == PAUSED and controller.stale
    old = controller.engine
    controller.restart()
    assert controller.engine is not old and not controller.stale
    assert "extra-storage" in controller.engine.node_ids  # type: ignore[union-attr]
    controller.pause()


def test_injected_cooling_failure_raises_alarms_and_recolours_the_racks(
    controller: SimController,
) -> None:
    controller.step()
    engine = controller.engine
    assert engine is not None
    racks = engine.node_ids.index("racks")
    before = compute_overlay("status", engine.node_state(), STATUS_NAMES, engine.node_kinds)
    temp_before = compute_overlay(
        "temperature", engine.node_state(), STATUS_NAMES, engine.node_kinds
    )
    for target, units in (("main-cooling", 5.0), ("aux-crah", 2.0)):
        assert controller.inject(
            ScheduledEvent(time_s=0, kind="fail_unit", target=target, magnitude=units)
        )
    for _ in range(8):
        controller.step()
    kinds = {e.kind for e in engine.events}
    assert "cooling_failure" in kinds and "thermal_throttle" in kinds
    after = compute_overlay("status", engine.node_state(), STATUS_NAMES, engine.node_kinds)
    temp_after = compute_overlay(
        "temperature", engine.node_state(), STATUS_NAMES, engine.node_kinds
    )
    cooling = engine.node_ids.index("main-cooling")
    assert after.argb[cooling] != before.argb[cooling] and after.marked[cooling]
    assert after.argb[racks] != before.argb[racks]
    assert temp_after.argb[racks] != temp_before.argb[racks]


def test_bad_injection_is_refused_with_a_message(controller: SimController, qtbot) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(controller.error) as blocker:
        ok = controller.inject(ScheduledEvent(time_s=0, kind="fail_unit", target="no-such-node"))
    assert not ok
    assert "no-such-node" in blocker.args[0]


def test_node_menu_injects_a_timed_failure_that_is_repaired(
    controller: SimController,
    doc: FactoryDocument,
    qtbot,  # type: ignore[no-untyped-def]
) -> None:
    from PySide6.QtWidgets import QMenu

    from ui.live.events_menu import EventInjector

    injector = EventInjector(controller, doc, UndoStack(doc).push)
    menu = QMenu()
    injector.populate_node_menu(menu, "main-cooling")
    sub = menu.actions()[0].menu()
    labels = [a.text() for a in sub.actions()]
    repair_h = doc.node("main-cooling").repair_hours  # type: ignore[attr-defined]
    timed = next(a for a in sub.actions() if a.text().startswith("Fail all 5 units (repaired"))
    assert f"{repair_h:g} h" in timed.text() and "Restore failed units" in labels
    controller.step()
    timed.trigger()
    assert injector.log[-1].duration_s == repair_h * 3600.0
    engine = controller.engine
    assert engine is not None
    steps = int(repair_h * 3600.0 / engine.compiled.step_s) + 2
    for _ in range(steps):
        controller.step()
    kinds = [e.kind for e in engine.events if e.node_id == "main-cooling"]
    assert kinds.index("cooling_failure") < kinds.index("unit_repaired")
    cooling = engine.node_ids.index("main-cooling")
    assert engine.node_state()["units_failed"][cooling] == 0
