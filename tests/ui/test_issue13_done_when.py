"""Issue 13's Done-when, tried as a new user would, in one walk through the studio.

On air-vs-liquid (here without its declared inputs, so the user declares them): declare the
electricity price, the MFU and the GPU lead time uncertain, run the samples (40 rather than
1,000 to keep the suite quick), read the tornado chart and the probability that liquid is
cheaper, click the top bar and sweep that input; ask the optimizer for the cheapest design that
trains within a deadline, open it as a variant, undo.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QPushButton

from aifactory_twin.io import load_scenario, save_scenario
from aifactory_twin.kpi_registry import format_kpi
from aifactory_twin.resources import scenes_dir
from aifactory_twin.study import SerialRunner

INPUTS = (
    "grid.price.flat_usd_per_kwh ~ triangular(0.05, 0.08, 0.2)",
    "train-70b.target_mfu ~ normal(0.4, 0.04, 0.25, 0.55)",
    "racks.delivery.lead_time_days ~ lognormal(1, 0.8)",
)
PRICE, MFU, LEAD = (text.split(" ~ ")[0] for text in INPUTS)
COST, TIME = "cost_per_trained_model_usd", "training_time_days"


def _type(qtbot, widget, text: str) -> None:
    """Select what the field holds and type over it, as a user does."""
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)


def _click_bar(qtbot, tab, row: int) -> None:
    """Click the middle of the P90 end of tornado bar ``row`` (0 = the top, largest swing)."""
    bar = tab.bars[row]
    center = tab.result.tornado_center[tab.kpi_box.currentText()]
    x = (center + bar.kpi_at_high) / 2 if bar.kpi_at_high != center else center
    view = tab.plot.getPlotItem().getViewBox()
    # The view fits its range to the bars when it next paints; a user sees the painted chart.
    QApplication.processEvents()
    view.updateAutoRange()
    scene_point = view.mapViewToScene(QPointF(x, len(tab.bars) - 1 - row))
    qtbot.mouseClick(
        tab.plot.viewport(), Qt.MouseButton.LeftButton, pos=tab.plot.mapFromScene(scene_point)
    )


def _button(widget, text: str) -> QPushButton:
    return next(b for b in widget.findChildren(QPushButton) if b.text() == text)


def test_issue_13_done_when_uncertainty_tornado_and_optimizer(window, qtbot, tmp_path):
    from ui.compare import CompareWindow

    scene = tmp_path / "air-vs-liquid.aift.json"
    plain = load_scenario(scenes_dir() / "air-vs-liquid.aift.json")
    save_scenario(plain.model_copy(update={"uncertain": []}), scene)
    window.open_file(str(scene))
    qtbot.waitUntil(lambda: len(window.doc.nodes) > 5, timeout=30_000)
    window.findChild(QAction, "action_tornado").trigger()  # Simulate › Tornado…
    studio = next(w for w in QApplication.topLevelWidgets() if isinstance(w, CompareWindow))
    qtbot.addWidget(studio)
    qtbot.waitExposed(studio)
    studio._runner_factory = lambda n: SerialRunner()
    # Ten days at hourly steps: every sample's training job finishes, so each has a cost per
    # trained model and a training time.
    _type(qtbot, studio.horizon_edit, "10d")
    _type(qtbot, studio.step_edit, "1h")
    tab = studio.tornado_tab
    assert studio.tabs.currentWidget() is tab and tab.inputs.count() == 0

    # 1. Declare the three inputs uncertain: each Return is one undoable edit.
    for text in INPUTS:
        _type(qtbot, tab.input_edit, text)
        qtbot.keyClick(tab.input_edit, Qt.Key.Key_Return)
    assert [u.label for u in window.doc.scenario.uncertain] == [PRICE, MFU, LEAD]
    assert tab.inputs.count() == 3

    # 2. Run 40 paired samples of air (A) and liquid (B).
    assert (tab.a_box.currentText(), tab.b_box.currentText()) == ("air", "liquid")
    _type(qtbot, tab.samples_box.lineEdit(), "40")
    assert tab.samples_box.value() == 40
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.result is not None, timeout=300_000)
    result = tab.result
    assert result.labels == ["air", "liquid"] and len(result.seeds) == 40

    # 3. Read the tornado and the probability that liquid is cheaper per trained model.
    assert tab.kpi_box.currentText() == COST
    p = result.probability_better("air", "liquid", COST)
    assert math.isfinite(p)
    assert tab.readout.text().startswith(
        f"P(liquid beats air on cost per trained model) = {p * 100:.0f} % over 40 paired samples"
    )
    assert sorted(tab.bar_labels) == sorted([PRICE, MFU, LEAD])
    price = next(b for b in tab.bars if b.label == PRICE)
    assert price.kpi_at_high > price.kpi_at_low  # dearer power, dearer model
    # Training time: the price cannot move it; the lead time and the MFU do.
    tab.kpi_box.setCurrentText(TIME)
    swings = {b.label: b.swing for b in tab.bars}
    assert swings[PRICE] == 0 and swings[LEAD] > 0 and swings[MFU] > 0
    assert tab.bar_labels[-1] == PRICE
    tab.kpi_box.setCurrentText(COST)

    # 4. Click the top bar: its input's P10/P90 and the KPI at each; then sweep that input.
    qtbot.waitUntil(lambda: tab.plot.isVisible(), timeout=5_000)
    top = tab.bars[0]
    assert tab.selected is None and not tab.sweep_button.isEnabled()
    _click_bar(qtbot, tab, 0)
    assert tab.selected is not None and tab.selected.label == top.label
    detail = tab.detail.text()
    assert detail.startswith(f"{top.label}: P10 ")
    for value in (top.kpi_at_low, top.kpi_at_high):
        assert format_kpi(COST, value) in detail
    assert tab.sweep_button.isEnabled()
    qtbot.mouseClick(tab.sweep_button, Qt.MouseButton.LeftButton)
    sweep = studio.sweep_tab
    assert studio.tabs.currentWidget() is sweep
    assert sweep.param_box.currentText() == top.label
    assert sweep.variant_box.currentText() == "air"  # the tornado ran on A
    assert sweep.values_edit.text() == f"{top.low_value:.4g}:{top.high_value:.4g}:5"
    _type(qtbot, sweep.runs_box.lineEdit(), "1")
    qtbot.mouseClick(_button(sweep, "Run sweep"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: sweep.result is not None, timeout=120_000)
    assert sweep.result.param.text == top.label and len(sweep.result.values) == 5
    assert math.isclose(sweep.result.values[0], float(f"{top.low_value:.4g}"))
    qtbot.waitUntil(lambda: not studio.worker.busy, timeout=30_000)

    # 5. The cheapest design that trains within six days, opened as a variant; Undo removes it.
    window.findChild(QAction, "action_optimize").trigger()  # Simulate › Optimize…
    opt = studio.optimize_tab
    assert studio.tabs.currentWidget() is opt
    # The design variables, one row each: the tab suggests some from the scenario; keep the rack
    # count and the variant (air or liquid), narrow their ranges, drop the others.
    rows = opt.variables
    fields = [spec.split("=")[0] for spec in rows.specs()]
    assert "racks.count" in fields and "variant" in fields
    for row in reversed(range(len(fields))):
        if fields[row] not in ("racks.count", "variant"):
            qtbot.mouseClick(rows.remove_button(row), Qt.MouseButton.LeftButton)
    _type(qtbot, rows.values_edit(0), "24:40:8")
    _type(qtbot, rows.values_edit(1), "air,liquid")
    assert rows.specs() == ["racks.count=int:24:40:8", "variant=choice:air,liquid"]
    # A mistyped field is named before anything runs; its row's Remove drops it.
    qtbot.mouseClick(rows.add_button, Qt.MouseButton.LeftButton)
    _type(qtbot, rows.field_box(2).lineEdit(), "racks.bogus")
    _type(qtbot, rows.values_edit(2), "1:4")
    qtbot.mouseClick(opt.run_button, Qt.MouseButton.LeftButton)
    assert "racks.bogus" in studio.status.text() and opt.result is None
    qtbot.mouseClick(rows.remove_button(2), Qt.MouseButton.LeftButton)
    assert len(rows.specs()) == 2
    _type(qtbot, opt.constraints_edit, "training_time_days<=6")
    _type(qtbot, opt.trials_box.lineEdit(), "8")
    qtbot.mouseClick(opt.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: opt.result is not None, timeout=120_000)
    best = opt.result.best
    assert best is not None and best.kpis[TIME] <= 6
    assert best.objective == min(t.objective for t in opt.result.trials if t.feasible)
    assert opt.selected is best and opt.summary.text().startswith("Best of 8")
    before = [v.name for v in window.doc.scenario.variants]
    qtbot.mouseClick(opt.variant_button, Qt.MouseButton.LeftButton)
    made = window.doc.scenario.variants[-1]
    assert [v.name for v in window.doc.scenario.variants] == [*before, "optimized 1"]
    assert ("racks", "count", best.params["racks.count"]) in [
        (o.target, o.path, o.value) for o in made.overrides
    ]
    # The report and slides now carry these studies.
    assert studio.decisions().kinds() == ["tornado", "uncertainty_fans", "optimize"]
    window.findChild(QAction, "action_undo").trigger()  # Edit › Undo
    assert [v.name for v in window.doc.scenario.variants] == before
    assert len(window.doc.scenario.uncertain) == 3  # the inputs stay declared
