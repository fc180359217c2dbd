"""The live view inside the editor window, used as a person would: run, inject, click, save."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication

from aifactory_twin.commands import AddNodes, new_node
from aifactory_twin.resources import scenes_dir
from ui.live.live_view import LiveView, install_live_view
from ui.live.node_chart import NodeHistoryChart
from ui.main_window import MainWindow
from ui.sim_controller import PAUSED, RUNNING

DAY_S = 86400.0


@pytest.fixture
def window(qtbot, tmp_path: Path) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings, recovery_dir=tmp_path / "recovery", offer_recovery=False)
    # Not qtbot.addWidget: pytest-qt would close the window before this fixture marks the
    # document clean, and closing a modified document asks Save/Discard (a modal dialog).
    win.resize(1400, 900)
    win.show()
    win.load_now(str(scenes_dir() / "air-vs-liquid.aift.json"))
    yield win
    win.stack.setClean()  # closing must not ask to save
    live(win).shutdown()
    win.close()


def live(win: MainWindow) -> LiveView:
    view = getattr(win, "live", None)
    if view is None:
        view = install_live_view(win)
        win.live = view  # type: ignore[attr-defined]
    return view


def _prepare(win: MainWindow) -> LiveView:
    lv = live(win)
    lv.controls.variant.setCurrentIndex(lv.controls.variant.findData("air"))
    lv.controls.horizon.setCurrentText("1d")
    assert lv.controller.variant == "air" and lv.controller.horizon_s == DAY_S
    return lv


def test_cooling_failure_alarm_click_selects_node_and_moves_the_cursor(
    window: MainWindow,
) -> None:
    lv = _prepare(window)
    lv.controller.step()
    injected = lv.injector.inject("fail_unit", "main-cooling", 5.0)
    assert injected is not None
    lv.injector.inject("fail_unit", "aux-crah", 2.0)
    for _ in range(8):
        lv.controller.step()
    lv.refresh_panels(force=True)
    kinds = [e.kind for e in lv.alarms.model.events]
    assert "cooling_failure" in kinds and "thermal_throttle" in kinds
    groups = lv.alarms.shown_groups()
    row = next(i for i, g in enumerate(groups) if g.kind == "thermal_throttle")
    lv.alarms.activate_row(row)
    assert window.scene.selected_node_ids() == ["racks"]
    first = next(e for e in lv.alarms.model.events if e.kind == "thermal_throttle")
    assert lv.charts.cursor_s == first.time_s
    # The chart readouts and the KPI tiles show the engine's numbers.
    assert lv.tiles.values()["pue"] != "—"
    assert lv.charts.buffers.n == lv.controller.engine.recorder.n  # type: ignore[union-attr]


def test_failed_node_is_marked_on_the_canvas(window: MainWindow) -> None:
    lv = _prepare(window)
    lv.set_overlay_mode("status")
    lv.controller.step()
    lv.refresh_panels(force=True)
    item = window.scene.node_items["main-cooling"]
    before = getattr(item, "overlay_color", None)
    lv.injector.inject("fail_unit", "main-cooling", 5.0)
    lv.controller.step()
    lv.refresh_panels(force=True)
    if not hasattr(item, "set_overlay"):
        pytest.skip("canvas items have no overlay support yet")
    assert item.overlay_color != before and item.overlay_marked


def test_saving_injected_events_is_one_undoable_step(window: MainWindow) -> None:
    lv = _prepare(window)
    lv.controller.step()
    lv.injector.inject("heat_wave", "", 8.0, 3 * 3600.0)
    lv.injector.inject("fail_unit", "racks", 1.0)
    assert len(lv.injector.log) == 2
    events_before = list(window.doc.part("events"))
    assert lv.injector.save_into_scenario()
    saved = window.doc.part("events")
    assert len(saved) == len(events_before) + 2
    assert {e.kind for e in saved} >= {"heat_wave", "fail_unit"}
    assert all(e.time_s == 300.0 for e in saved[-2:])  # stamped with the simulated time
    window.stack.undo()
    assert list(window.doc.part("events")) == events_before


def test_space_tap_runs_and_pauses_but_space_drag_pans(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    lv = _prepare(window)
    window.view.setFocus()
    QApplication.processEvents()
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    assert lv.controller.state == RUNNING
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    assert lv.controller.state == PAUSED
    viewport = window.view.viewport()
    qtbot.keyPress(window.view, Qt.Key.Key_Space)
    qtbot.mouseMove(viewport, viewport.rect().center())
    qtbot.mouseMove(viewport, viewport.rect().center() + QPoint(40, 10))
    qtbot.keyRelease(window.view, Qt.Key.Key_Space)
    assert lv.controller.state == PAUSED  # a hold-and-drag pans; it does not toggle the run


def test_structural_edit_while_running_offers_restart(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    lv = _prepare(window)
    lv.controller.run()
    window.push(AddNodes([new_node("storage", "extra-storage")]))
    assert lv.controller.state == PAUSED
    prompt = lv.restart_prompt
    assert prompt.isVisible() and not prompt.isModal()
    restart = next(b for b in prompt.buttons() if b.text() == "Restart")
    qtbot.mouseClick(restart, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            lv.controller.engine is not None and "extra-storage" in lv.controller.engine.node_ids
        )
    )
    assert lv.controller.state == RUNNING
    lv.controller.pause()


def _inspector_chart(win: MainWindow) -> NodeHistoryChart:
    """The mini-chart found inside the inspector panel (not a dock of its own)."""
    chart = win.inspector.findChild(NodeHistoryChart)
    assert chart is not None, "the inspector holds no node mini-chart"
    return chart


def _same_series(chart: NodeHistoryChart, key: str, history: dict[str, np.ndarray]) -> bool:
    x, y = chart.curves[key].getData()
    if x is None or y is None:
        return False
    return np.array_equal(x, history["times_s"]) and np.array_equal(y, history[key])


def test_selected_node_shows_its_own_history(window: MainWindow) -> None:
    lv = _prepare(window)
    chart = _inspector_chart(window)
    window.scene.select_nodes(["racks"])
    assert not chart.isVisibleTo(window.inspector)  # selected, but no run yet: nothing to show
    for _ in range(4):
        lv.controller.step()
    lv.refresh_panels(force=True)
    engine = lv.controller.engine
    assert engine is not None
    history = engine.node_history("racks")
    assert chart.isVisibleTo(window.inspector)
    assert _same_series(chart, "temp_c", history) and _same_series(chart, "power_kw", history)
    assert "racks" in chart.title.text()
    # A rack gets its own throttle and shutdown lines, as compiled for this run.
    rack = int(np.flatnonzero(engine.compiled.racks.node == engine.compiled.index["racks"])[0])
    throttle_c = float(engine.compiled.racks.slowdown_c[rack])
    shutdown_c = float(engine.compiled.racks.shutdown_c[rack])
    assert chart.thresholds_c == (throttle_c, shutdown_c)
    assert chart.lines["throttle"].value() == throttle_c and chart.lines["throttle"].isVisible()
    assert chart.lines["shutdown"].value() == shutdown_c
    # A PDU has no temperature in the engine's view: power only, no threshold lines.
    window.scene.select_nodes([_first_of_kind(engine, "pdu")])
    assert chart.isVisibleTo(window.inspector) and chart.thresholds_c is None
    assert _same_series(chart, "power_kw", engine.node_history(chart.node_id))
    assert chart.curves["temp_c"].getData()[0] is None or not len(
        chart.curves["temp_c"].getData()[0]
    )
    # Several nodes, or a reset run: the chart goes away.
    window.scene.select_nodes(["racks", "main-cooling"])
    assert not chart.isVisibleTo(window.inspector)
    window.scene.select_nodes(["racks"])
    assert chart.isVisibleTo(window.inspector)
    lv.controller.reset()
    lv.refresh_panels(force=True)
    assert not chart.isVisibleTo(window.inspector)


def _first_of_kind(engine: object, kind: str) -> str:
    kinds = engine.node_kinds  # type: ignore[attr-defined]
    return str(engine.node_ids[int(np.flatnonzero(kinds == kind)[0])])  # type: ignore[attr-defined]


def test_rack_selected_during_a_run_shows_its_history_in_the_inspector(
    window: MainWindow, qtbot
) -> None:  # type: ignore[no-untyped-def]
    lv = _prepare(window)
    chart = _inspector_chart(window)
    lv.controller.run()
    qtbot.waitUntil(
        lambda: lv.controller.engine is not None and lv.controller.engine.recorder.n > 3
    )
    window.scene.select_nodes(["racks"])
    # The live view's refresh timer (not a per-step redraw) brings the chart up to date.
    qtbot.waitUntil(lambda: chart.isVisibleTo(window.inspector), timeout=5000)
    lv.controller.pause()
    engine = lv.controller.engine
    assert engine is not None
    qtbot.waitUntil(
        lambda: _same_series(chart, "temp_c", engine.node_history("racks")), timeout=5000
    )
    _x, y = chart.curves["temp_c"].getData()
    assert np.array_equal(y, engine.node_history("racks")["temp_c"]) and len(y) > 0
    # The inspector's form and the chart belong to the same node.
    qtbot.waitUntil(lambda: window.inspector.node_ids == ["racks"])  # the form follows (deferred)
    assert chart.isVisibleTo(window.inspector)  # rebuilding the form keeps the chart


def test_node_history_is_no_longer_a_dock_of_its_own(window: MainWindow) -> None:
    from PySide6.QtWidgets import QDockWidget

    names = {dock.objectName() for dock in window.findChildren(QDockWidget)}
    assert "node_history_dock" not in names and "inspector_dock" in names
    toggles = [a.text() for a in window.acts.view_docks_menu.actions()]
    assert "Node history" not in toggles and "Charts" in toggles


def test_space_in_a_text_field_types_instead_of_running(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLineEdit

    lv = _prepare(window)
    field = window.inspector.findChild(QLineEdit)
    assert field is not None
    field.setFocus()
    QApplication.processEvents()
    if not field.hasFocus():
        pytest.skip("the offscreen platform did not give the field focus")
    qtbot.keyClick(field, Qt.Key.Key_Space)
    assert lv.controller.state != RUNNING


def test_right_click_on_a_node_offers_fail_and_restore(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMenu

    lv = _prepare(window)
    item = window.scene.node_items["main-cooling"]
    window.view.centerOn(item)
    QApplication.processEvents()
    pos = window.view.mapFromScene(item.sceneBoundingRect().center())
    window.view.customContextMenuRequested.emit(pos)
    menus = [m for m in window.view.findChildren(QMenu) if m.isVisible()]
    assert menus, "no context menu shown"
    inject = next(a for a in menus[-1].actions() if a.text() == "Inject event").menu()
    texts = [a.text() for a in inject.actions()]
    assert any(t.startswith("Fail all 5 units (repaired after") for t in texts)
    assert "Restore failed units" in texts
    next(a for a in inject.actions() if a.text() == "Fail one unit until restored").trigger()
    assert lv.injector.log[-1].target == "main-cooling"
    menus[-1].close()
