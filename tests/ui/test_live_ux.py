"""Live view details a user notices: Space on a drop-down, fresh chart ranges, honest heat."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
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
    assert {"Hottest GPU", "Heat produced (all)", "Rack heat"} <= labels
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
