"""The studio's Heat map, Tornado and Optimize tabs, driven as a user from the editor."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QApplication

from aifactory_twin.kpi_registry import format_kpi
from aifactory_twin.resources import scenes_dir
from aifactory_twin.study import SerialRunner

SCENE = scenes_dir() / "air-vs-liquid.aift.json"


def _studio(window, qtbot, action_name, horizon="7d"):
    from ui.compare import CompareWindow

    window.open_file(str(SCENE))
    qtbot.waitUntil(lambda: len(window.doc.nodes) > 5, timeout=30_000)
    window.findChild(QAction, action_name).trigger()
    studio = next(w for w in QApplication.topLevelWidgets() if isinstance(w, CompareWindow))
    qtbot.addWidget(studio)
    studio._runner_factory = lambda n: SerialRunner()
    studio.horizon_edit.setText(horizon)
    studio.step_edit.setText("1h")
    return studio


def test_tornado_ranks_inputs_and_says_how_likely_liquid_is_cheaper(window, qtbot):
    # 10 days: at the lead time's P90 the racks arrive late, yet training still finishes.
    studio = _studio(window, qtbot, "action_tornado", horizon="10d")
    tab = studio.tornado_tab
    assert studio.tabs.currentWidget() is tab
    assert tab.inputs.item(0).text().startswith("grid.price.flat_usd_per_kwh ~ triangular")
    tab.samples_box.setValue(12)
    tab.a_box.setCurrentText("air")
    tab.b_box.setCurrentText("liquid")
    tab.kpi_box.setCurrentText("energy_cost_usd")
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.result is not None, timeout=120_000)
    assert tab.result.labels == ["air", "liquid"]
    text = tab.readout.text()
    assert text.startswith("P(liquid beats air on energy cost) = ")
    assert "12 paired samples" in text
    # The electricity price moves energy cost most: it is the top bar.
    assert tab.bar_labels[0] == "grid.price.flat_usd_per_kwh"
    bars = [i for i in tab.plot.getPlotItem().items if i.objectName().startswith("tornado_bar_")]
    assert len(bars) == 2 * len(tab.bar_labels)
    assert tab.table.rowCount() == 2
    tab.kpi_box.setCurrentText("training_time_days")  # the training-time ranking
    assert tab.bar_labels[0] == "racks.delivery.lead_time_days"


def test_optimizer_finds_a_design_and_makes_it_an_undoable_variant(window, qtbot):
    studio = _studio(window, qtbot, "action_optimize")
    tab = studio.optimize_tab
    assert studio.tabs.currentWidget() is tab
    # The tab opens on the optimization the scene declares (the one its CLI report runs).
    declared = window.doc.scenario.studies.optimize
    assert tab.variables.specs() == declared.variables
    assert tab.constraints_edit.text() == "training_time_days<=6; availability>=0.98"
    assert tab.trials_box.value() == declared.trials == 16
    tab.variables.set_specs(["racks.count=int:24:40:8", "variant=choice:air,liquid"])
    tab.constraints_edit.setText("training_time_days<=5; availability>=0.98")
    tab.trials_box.setValue(8)
    # Declare for report: these settings become the scenario's declared optimization (undoable).
    qtbot.mouseClick(tab.declare_button, Qt.MouseButton.LeftButton)
    saved = window.doc.scenario.studies.optimize
    assert saved.variables == ["racks.count=int:24:40:8", "variant=choice:air,liquid"]
    assert saved.constraints == ["training_time_days<=5", "availability>=0.98"]
    assert saved.trials == 8
    window.findChild(QAction, "action_undo").trigger()
    assert window.doc.scenario.studies.optimize == declared
    tab.variables.set_specs(["racks.bogus=int:1:4"])
    qtbot.mouseClick(tab.declare_button, Qt.MouseButton.LeftButton)
    assert "racks.bogus" in studio.status.text()
    assert window.doc.scenario.studies.optimize == declared
    tab.variables.set_specs(["racks.count=int:24:40:8", "variant=choice:air,liquid"])
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.result is not None, timeout=120_000)
    best = tab.result.best
    assert best is not None and best.feasible
    assert tab.summary.text().startswith("Best of 8")
    assert tab.selected is best  # the best design is selected first
    front = tab.result.pareto()
    (curve,) = [c for c in tab.plot.getPlotItem().listDataItems() if c.name() == "Pareto front"]
    assert len(curve.xData) == len(front)
    assert math.isclose(curve.xData[0], front[0].kpis["training_time_days"])
    # Clicking a point of the scatter selects that design in the table.
    other = next(t for t in tab.result.trials if t.number != best.number and t.feasible)
    items = tab.plot.getPlotItem().items
    (dots,) = [
        i for i in items if isinstance(i, pg.ScatterPlotItem) and i.name() == "meets constraints"
    ]
    spot = next(p for p in dots.points() if p.data() == other.number)
    dots.sigClicked.emit(dots, [spot], None)
    assert tab.selected.number == other.number
    tab.select_trial(best.number)
    before = [v.name for v in window.doc.scenario.variants]
    qtbot.mouseClick(tab.variant_button, Qt.MouseButton.LeftButton)
    names = [v.name for v in window.doc.scenario.variants]
    assert names == [*before, "optimized 1"]
    made = window.doc.scenario.variants[-1]
    assert ("racks", "count", best.params["racks.count"]) in [
        (o.target, o.path, o.value) for o in made.overrides
    ]
    assert "optimized 1" in studio.chosen_variants()
    window.findChild(QAction, "action_undo").trigger()
    assert [v.name for v in window.doc.scenario.variants] == before


def test_heat_map_shows_a_kpi_over_two_parameters(window, qtbot):
    studio = _studio(window, qtbot, "action_heatmap")
    tab = studio.heatmap_tab
    tab.x_box.setCurrentText("racks.count")
    tab.x_values.setText("16,32")
    tab.y_box.setCurrentText("grid.price.flat_usd_per_kwh")
    tab.y_values.setText("0.05:0.15:3")
    tab.kpi_box.setCurrentText("energy_cost_usd")
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.result is not None, timeout=120_000)
    image = tab.image.image
    assert image.shape == (2, 3)
    assert image[1, 2] == image.max() and image[0, 0] == image.min()
    assert len(tab.labels) == 6
    # The colour bar carries values in the KPI's format, from the cheapest cell to the dearest.
    (ticks,) = tab.colorbar.axis._tickLevels
    assert ticks and all(text == format_kpi("energy_cost_usd", v) for v, text in ticks)
    assert all(image.min() <= v <= image.max() for v, _ in ticks)
    # Cell values read on their colour: black on the bright (dearest) cell, white on the dark.
    dearest, cheapest = tab.labels[1 * 3 + 2], tab.labels[0]
    assert dearest.color.name() == "#000000" and cheapest.color.name() == "#ffffff"
    tab.y_box.setCurrentText("grid.no_such_field")
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    assert "no_such_field" in studio.status.text()


def test_heat_map_sweeps_the_variant_the_user_picks_and_the_report_names_it(window, qtbot):
    studio = _studio(window, qtbot, "action_heatmap", horizon="2d")
    tab = studio.heatmap_tab
    box = tab.variant_box
    assert [box.itemText(i) for i in range(box.count())] == ["base", "air", "liquid"]
    # The tab opens on the 2-D sweep the scene declares (the one its CLI report runs).
    declared = window.doc.scenario.studies.sweep2d
    declared_opt = window.doc.scenario.studies.optimize
    assert (tab.x_box.currentText(), tab.y_box.currentText()) == (declared.x, declared.y)
    assert tab.x_values.text() == "0.3,0.35,0.4,0.45,0.5"
    assert tab.kpi_box.currentText() == declared.kpi and box.currentText() == "liquid"
    box.setFocus()
    qtbot.keyClicks(box, "base")
    assert box.currentText() == "base"
    tab.x_box.setCurrentText("racks.count")
    tab.x_values.setText("16,32")
    tab.y_box.setCurrentText("grid.price.flat_usd_per_kwh")
    tab.y_values.setText("0.05,0.15")
    tab.kpi_box.setCurrentText("facility_energy_mwh")
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.result is not None, timeout=120_000)
    base = tab.result
    assert base.variant is None
    # The user picks liquid from the drop-down with the keyboard, then runs the same grid.
    box.setFocus()
    qtbot.wait(QApplication.keyboardInputInterval() + 50)  # a new keyboard search
    qtbot.keyClicks(box, "liquid")
    assert box.currentText() == "liquid"
    tab.result = None
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.result is not None, timeout=120_000)
    liquid = tab.result
    assert liquid.variant == "liquid"
    # Cold plates and warm-water CDUs: every cell uses less facility energy than the base's.
    assert (liquid.grid("facility_energy_mwh") < base.grid("facility_energy_mwh")).all()
    assert " in liquid: " in tab.plot.titleLabel.text
    decisions = studio.decisions()
    assert decisions.title("heatmap").startswith("2-D sweep of liquid: racks.count × ")
    # Refreshing the variant lists (after an edit) keeps the pick.
    studio.refresh_variants()
    assert box.currentText() == "liquid"
    # Declare for report: the grid becomes the scenario's declared 2-D sweep; Undo restores.
    qtbot.mouseClick(tab.declare_button, Qt.MouseButton.LeftButton)
    grid = window.doc.scenario.studies.sweep2d
    assert (grid.x, grid.x_values, grid.y_values) == ("racks.count", [16, 32], [0.05, 0.15])
    assert grid.variant == "liquid" and grid.kpi == "facility_energy_mwh"
    assert window.doc.scenario.studies.optimize == declared_opt  # untouched
    window.findChild(QAction, "action_undo").trigger()
    assert window.doc.scenario.studies.sweep2d == declared


def test_declaring_an_input_uncertain_in_the_studio_is_an_undoable_edit(window, qtbot):
    studio = _studio(window, qtbot, "action_tornado")
    tab = studio.tornado_tab
    assert tab.inputs.count() == 3
    assert (
        tab.inputs.item(0).text() == "grid.price.flat_usd_per_kwh ~ triangular(0.05, 0.0806, 0.2)"
    )
    qtbot.keyClicks(tab.input_edit, "facilities.headcount ~ uniform(1, 4)")
    qtbot.keyClick(tab.input_edit, Qt.Key.Key_Return)
    assert "headcount" in studio.status.text()  # a whole number of people: not uniform
    tab.input_edit.clear()
    qtbot.keyClicks(tab.input_edit, "facilities.headcount ~ choice(1, 2, 4)")
    qtbot.keyClick(tab.input_edit, Qt.Key.Key_Return)
    labels = [u.label for u in window.doc.scenario.uncertain]
    assert labels[-1] == "facilities.headcount" and len(labels) == 4
    assert tab.inputs.count() == 4 and tab.input_edit.text() == ""
    qtbot.keyClicks(tab.input_edit, "facilities.bogus ~ uniform(1, 4)")
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    assert "facilities.bogus" in studio.status.text()
    assert len(window.doc.scenario.uncertain) == 4
    window.findChild(QAction, "action_undo").trigger()
    assert len(window.doc.scenario.uncertain) == 3 and tab.inputs.count() == 3
    tab.inputs.setCurrentRow(1)  # the MFU
    qtbot.mouseClick(tab.remove_button, Qt.MouseButton.LeftButton)
    assert [u.path for u in window.doc.scenario.uncertain] == [
        "price.flat_usd_per_kwh",
        "delivery.lead_time_days",
    ]


def test_an_input_that_leaves_no_model_trained_tops_the_tornado_hatched(window, qtbot):
    # 7 days: at the lead time's P90 the racks arrive so late that train-70b does not finish,
    # so cost per trained model has no value there. That input must not vanish from the chart.
    from aifactory_twin.study.uncertainty import NO_VALUE_TEXT

    studio = _studio(window, qtbot, "action_tornado", horizon="7d")
    tab = studio.tornado_tab
    tab.samples_box.setValue(4)
    tab.kpi_box.setCurrentText("cost_per_trained_model_usd")
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.result is not None, timeout=120_000)
    assert tab.bar_labels[0] == "racks.delivery.lead_time_days"
    assert len(tab.bar_labels) == 3  # every input has a bar
    items = {i.objectName(): i for i in tab.plot.getPlotItem().items if i.objectName()}
    late_end = items["tornado_bar_0_1"]  # the lead time at its P90
    assert late_end.opts["brush"].style() == Qt.BrushStyle.BDiagPattern
    assert NO_VALUE_TEXT in late_end.toolTip()
    assert isinstance(items["tornado_bar_0_0"].opts["brush"], QColor)  # a value: solid
    assert f"racks.delivery.lead_time_days: {NO_VALUE_TEXT}" in tab.readout.text()
