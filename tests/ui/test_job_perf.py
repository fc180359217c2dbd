"""A training job's model and step-time breakdown in the Scenario dock, as a user sees them.

Opening llama-scale-16k shows its 405B job with the Llama 3 preset and a stacked bar naming the
bottleneck; clearing Target MFU lets the prediction drive the run; choosing no model removes the
breakdown and undo brings it back; the "200G NICs" variant predicts a slower step.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from aifactory_twin.resources import scenes_dir
from aifactory_twin.schema import TrainingJob
from ui.main_window import MainWindow

LLAMA = scenes_dir() / "llama-scale-16k.aift.json"


def _job(window: MainWindow) -> TrainingJob:
    (job,) = window.doc.part("workloads")
    assert isinstance(job, TrainingJob)
    return job


def test_llama_job_shows_its_step_breakdown_and_bottleneck(qtbot: Any, window: MainWindow) -> None:
    window.open_file(str(LLAMA))
    panel = window.scenario_panel
    qtbot.waitUntil(lambda: panel.job_perf is not None)
    box = panel.job_perf
    assert box is not None
    assert box.model_combo.currentText() == "Llama 3 405B"
    view = box.view
    assert view.breakdown is not None and view.bar.isVisibleTo(box)
    assert view.breakdown.bottleneck == "tp"
    assert "tensor-parallel comm" in view.headline.text()
    # The typed 0.41 overrides the prediction, and the box says what the prediction is.
    assert "overrides the prediction" in box.override_note.text()
    # Clear Target MFU: the prediction is used, the note goes; one undo step.
    steps = window.stack.count()
    edit = panel.workload_form.rows["target_mfu"].editor  # type: ignore[union-attr]
    assert isinstance(edit, QLineEdit)
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert _job(window).target_mfu is None
    assert window.stack.count() == steps + 1
    qtbot.waitUntil(lambda: panel.job_perf is not None and not panel.job_perf.override_note.text())


def test_choosing_no_model_removes_the_breakdown_and_undo_restores_it(
    qtbot: Any, window: MainWindow
) -> None:
    window.open_file(str(LLAMA))
    panel = window.scenario_panel
    qtbot.waitUntil(lambda: panel.job_perf is not None)
    combo = panel.job_perf.model_combo  # type: ignore[union-attr]
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(0)
    combo.activated.emit(0)
    assert _job(window).model is None
    qtbot.waitUntil(lambda: panel.job_perf is not None and panel.job_perf.view.breakdown is None)
    assert "No model description" in panel.job_perf.view.headline.text()  # type: ignore[union-attr]
    window.stack.undo()
    assert _job(window).model is not None
    qtbot.waitUntil(
        lambda: panel.job_perf is not None and panel.job_perf.view.breakdown is not None
    )
    # Choosing a preset also sets its published parameter count.
    combo = panel.job_perf.model_combo  # type: ignore[union-attr]
    row = combo.findText("Llama 2 70B")
    combo.setCurrentIndex(row)
    combo.activated.emit(row)
    assert _job(window).parameters_b == 70.0


def test_slower_nics_in_a_variant_predict_a_slower_step(qtbot: Any, window: MainWindow) -> None:
    window.open_file(str(LLAMA))
    panel = window.scenario_panel
    qtbot.waitUntil(lambda: panel.job_perf is not None)
    base = panel.job_perf.view.breakdown  # type: ignore[union-attr]
    window.variant_session.set_active("200G NICs")
    qtbot.waitUntil(
        lambda: (
            panel.job_perf is not None
            and panel.job_perf.view.breakdown is not None
            and panel.job_perf.view.breakdown != base
        )
    )
    slow = panel.job_perf.view.breakdown  # type: ignore[union-attr]
    assert base is not None and slow is not None
    assert slow.step_s > base.step_s and slow.mfu < base.mfu
    assert slow.parts_s["dp"] > base.parts_s["dp"]
