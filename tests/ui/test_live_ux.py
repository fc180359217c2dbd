"""Live view details a user notices: Space on a drop-down, fresh chart ranges, honest heat."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication

from aifactory_twin.resources import scenes_dir
from ui.live.live_view import LiveView
from ui.main_window import MainWindow
from ui.sim_controller import PAUSED, RUNNING

SCENE = scenes_dir() / "air-vs-liquid.aift.json"


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> Iterator[MainWindow]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings, recovery_dir=tmp_path / "recovery", offer_recovery=False)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    win.load_now(str(SCENE))
    yield win
    win.stack.setClean()
    win.live.shutdown()
    win.close()


def _live(win: MainWindow) -> LiveView:
    lv = win.live
    lv.controls.horizon.setCurrentText("2d")
    return lv


def test_space_on_a_focused_drop_down_pauses_instead_of_opening_it(
    window: MainWindow, qtbot: Any
) -> None:
    lv = _live(window)
    combo = lv.controls.speed  # a non-editable drop-down in the run toolbar
    window.activateWindow()
    combo.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is combo)
    qtbot.keyClick(combo, Qt.Key.Key_Space)
    assert lv.controller.state == RUNNING
    assert not combo.view().isVisible(), "Space opened the drop-down"
    qtbot.keyClick(combo, Qt.Key.Key_Space)
    assert lv.controller.state == PAUSED
    assert not combo.view().isVisible()
    # The overlay drop-down too.
    lv.overlay_combo.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is lv.overlay_combo)
    qtbot.keyClick(lv.overlay_combo, Qt.Key.Key_Space)
    assert lv.controller.state == RUNNING and not lv.overlay_combo.view().isVisible()
    lv.controller.pause()


def test_chart_ranges_start_over_after_reset_and_open(window: MainWindow, qtbot: Any) -> None:
    lv = _live(window)
    power = lv.charts.charts["power"]
    for _ in range(40):
        lv.controller.step()
    lv.charts.refresh(force=True)
    QApplication.processEvents()  # pyqtgraph applies auto-range lazily
    # The user zooms the power chart by hand (a mouse-wheel zoom is a manual range change).
    power.plot.vb.scaleBy((0.5, 0.5))
    power.plot.vb.sigRangeChangedManually.emit(power.plot.vb.state["mouseEnabled"])
    assert power.manual_y
    old_x = power.plot.vb.viewRange()[0]
    old_y = power.plot.vb.viewRange()[1]
    assert old_x[1] > 2 * 3600 and old_y[1] > 100  # hours of time, hundreds of kW
    window.findChild(type(lv.controls.reset_action), "action_sim_reset").trigger()
    assert lv.controller.engine is None
    for chart in lv.charts.charts.values():
        assert not chart.manual_y
        x0, x1 = chart.plot.vb.viewRange()[0]
        assert x0 == pytest.approx(0.0, abs=1.0) and x1 <= 3600.0 + 1.0, chart.spec.key
    assert power.plot.vb.viewRange()[1][1] < 2.0  # not the last run's hundreds of kW
    # A new run after the reset scales to its own data again (the zoom is gone).
    lv.controller.step()
    lv.controller.step()
    lv.charts.refresh(force=True)
    QApplication.processEvents()
    facility = lv.charts.buffers.series("facility_power_kw")
    assert power.plot.vb.viewRange()[1][1] == pytest.approx(float(facility.max()) * 1.08)
    # Opening a file starts the charts over as well.
    for _ in range(20):
        lv.controller.step()
    lv.charts.refresh(force=True)
    window.load_now(str(scenes_dir() / "starter-lab.aift.json"))
    QApplication.processEvents()
    for chart in lv.charts.charts.values():
        assert chart.plot.vb.viewRange()[0][1] <= 3600.0 + 1.0


def test_heat_chart_names_gpu_junction_and_counts_every_heat_source(window: MainWindow) -> None:
    lv = _live(window)
    for _ in range(12):
        lv.controller.step()
    lv.charts.refresh(force=True)
    heat = lv.charts.charts["heat"]
    assert "junction" in heat.axes[0].labelText.lower()
    labels = {heat.curve_specs[s].label for s in heat.curves}
    assert {"Max GPU", "All heat", "Rack heat"} <= labels
    rec = lv.controller.engine.recorder
    produced = lv.charts.buffers.series("heat_produced_kw")
    # Heat produced = every electrical load but the cooling plant: racks plus switches,
    # storage, conversion losses and misc loads — more than the racks alone.
    expected = rec.series("facility_power_kw") - rec.series("cooling_power_kw")
    np.testing.assert_allclose(produced, expected)
    assert np.all(produced > rec.series("heat_in_kw"))
    assert np.all(produced >= rec.series("it_power_kw") - 1e-9)
    # The rack inlet (coolant supply) temperature is drawn as a reference line.
    texts = [line.label.format for line in heat.thresholds]
    assert any(t.startswith("rack inlet") for t in texts)


def test_investment_reads_the_same_after_a_mid_run_count_edit_and_after_reset(
    window: MainWindow, qtbot: Any
) -> None:
    from editor_support import view_point
    from PySide6.QtWidgets import QLineEdit

    lv = _live(window)
    for _ in range(6):
        lv.controller.step()
    window.view.fit_all()
    qtbot.mouseClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, pos=view_point(window, "racks")
    )
    qtbot.waitUntil(lambda: window.inspector.node_ids == ["racks"])
    editor = window.inspector.rows["count"].editor
    assert isinstance(editor, QLineEdit)
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, "16")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert window.doc.node("racks").count == 16
    for _ in range(6):
        lv.controller.step()  # the edit reaches the running engine at its next frame
    lv.refresh_panels(force=True)
    mid_run = lv.tiles.values()["capex"]
    mid_run_usd = lv.controller.engine.kpis()["capex_usd"]
    window.findChild(type(lv.controls.reset_action), "action_sim_reset").trigger()
    for _ in range(12):
        lv.controller.step()
    lv.refresh_panels(force=True)
    assert lv.tiles.values()["capex"] == mid_run
    assert lv.controller.engine.kpis()["capex_usd"] == pytest.approx(mid_run_usd, rel=1e-12)


def _cooling_failure_run(window: MainWindow) -> LiveView:
    lv = _live(window)
    lv.controller.step()
    lv.injector.inject("fail_unit", "main-cooling", 5.0)
    lv.injector.inject("fail_unit", "aux-crah", 2.0)
    for _ in range(12):
        lv.controller.step()
    lv.charts.refresh(force=True)
    lv.refresh_panels(force=True)
    QApplication.processEvents()
    return lv


def test_events_are_marked_on_every_chart_and_hovering_one_says_what_happened(
    window: MainWindow, qtbot: Any
) -> None:
    lv = _cooling_failure_run(window)
    events = lv.controller.engine.events
    assert events
    for chart in lv.charts.charts.values():
        assert chart.markers.count() == len(events), chart.spec.key
    # Hover the power chart at the time of the cooling failure.
    failure = next(e for e in events if e.kind == "cooling_failure")
    chart = lv.charts.charts["power"]
    vb = chart.plot.vb
    y_mid = sum(vb.viewRange()[1]) / 2
    scene_pos = vb.mapViewToScene(pg.Point(failure.time_s, y_mid))
    view_pos = lv.charts.view.mapFromScene(scene_pos)
    qtbot.mouseMove(lv.charts.view.viewport(), view_pos)
    qtbot.waitUntil(lambda: "Cooling failure" in lv.charts.hover_event_text, timeout=2000)
    assert "main-cooling" in lv.charts.hover_event_text
    # Away from any event, no text.
    far = vb.mapViewToScene(pg.Point(vb.viewRange()[0][0] + 1.0, y_mid))
    qtbot.mouseMove(lv.charts.view.viewport(), lv.charts.view.mapFromScene(far))
    qtbot.waitUntil(lambda: lv.charts.hover_event_text == "", timeout=2000)


def test_dragging_the_timeline_moves_the_cursor_and_recolours_the_canvas(
    window: MainWindow, qtbot: Any
) -> None:
    lv = _cooling_failure_run(window)
    lv.set_overlay_mode("temperature")
    scrubber = lv.charts.scrubber
    item = window.scene.node_items["racks"]
    now_color = item.overlay_color
    # Drag from the start of the run to just after the failure, as a user would.
    start = QPoint(int(scrubber.x_of(0.0)) + 2, scrubber.height() // 2)
    before_failure = QPoint(int(scrubber.x_of(600.0)) + 1, scrubber.height() // 2)
    qtbot.mousePress(scrubber, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(scrubber, before_failure)
    qtbot.mouseRelease(scrubber, Qt.MouseButton.LeftButton, pos=before_failure)
    picked = lv.charts.cursor_s
    assert picked is not None and 600.0 <= picked < 1200.0
    for chart in lv.charts.charts.values():
        assert chart.cursor.isVisible() and chart.cursor.value() == picked
    # The canvas shows the racks' temperature back then (cool), not now (hot).
    assert lv.overlay_time_s is not None and lv.overlay_time_s <= picked
    assert item.overlay_color != now_color
    # End follows the run again: the canvas shows now.
    scrubber.setFocus()
    qtbot.keyClick(scrubber, Qt.Key.Key_End)
    assert lv.charts.cursor_s is None and lv.overlay_time_s is None
    assert item.overlay_color == now_color


def test_clicking_an_event_tick_on_the_timeline_selects_its_node(
    window: MainWindow, qtbot: Any
) -> None:
    lv = _cooling_failure_run(window)
    scrubber = lv.charts.scrubber
    failure = next(e for e in lv.controller.engine.events if e.kind == "cooling_failure")
    x = round(scrubber.x_of(failure.time_s))
    qtbot.mouseClick(scrubber, Qt.MouseButton.LeftButton, pos=QPoint(x + 2, scrubber.height() // 2))
    assert lv.charts.cursor_s == failure.time_s
    assert window.scene.selected_node_ids()  # the node of an event at that time


def test_run_until_next_alarm_stops_at_the_first_alarm(window: MainWindow, qtbot: Any) -> None:
    from PySide6.QtGui import QAction

    from ui.live.alarms import ALARM_KINDS

    lv = _live(window)
    lv.controller.step()
    lv.injector.inject("fail_unit", "main-cooling", 5.0)
    action = window.findChild(QAction, "action_sim_until_alarm")
    assert action in window.simulate_menu.actions()
    assert action.shortcut().toString() == "Ctrl+Shift+Right"
    window.view.setFocus()
    qtbot.keyClick(
        window.view,
        Qt.Key.Key_Right,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: lv.controller.state == PAUSED, timeout=20_000)
    engine = lv.controller.engine
    alarms = [e for e in engine.events if e.kind in ALARM_KINDS]
    assert alarms, "stopped without an alarm"
    # It stopped in the step that logged the first alarm, not later.
    assert engine.time_s - alarms[0].time_s <= engine.compiled.step_s
    assert "next alarm" in window.last_status
    # Again: runs on to the next alarm (or to the horizon).
    count = len(alarms)
    action.trigger()
    qtbot.waitUntil(lambda: lv.controller.state != RUNNING, timeout=30_000)
    later = [e for e in engine.events if e.kind in ALARM_KINDS]
    assert len(later) > count or engine.done


def test_the_selected_nodes_mini_chart_marks_its_own_events(window: MainWindow) -> None:
    lv = _cooling_failure_run(window)
    window.focus_nodes(["main-cooling"])
    lv.refresh_panels(force=True)
    mine = [e for e in lv.controller.engine.events if e.node_id == "main-cooling"]
    assert mine and lv.node_chart.isVisible()
    assert lv.node_chart.markers.count() == len(mine)
    window.focus_nodes(["racks"])
    lv.refresh_panels(force=True)
    racks = [e for e in lv.controller.engine.events if e.node_id == "racks"]
    assert lv.node_chart.markers.count() == len(racks)
