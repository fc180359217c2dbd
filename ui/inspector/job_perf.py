"""JobPerfBox: a training job's model (a catalog preset) and what limits its step (issue 11).

Under a training job's form in the Scenario dock: a model chooser (no model = MFU as typed; a
preset = the performance model predicts the step from the model, the layout and the fabric the
job's racks reach) and the step-time breakdown as a stacked bar naming the bottleneck. The
breakdown is the compiler's (``CompiledScenario.perf``) for the scenario as shown, variant
applied; it is recomputed when the document or the shown variant changes, never per tick.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

from aifactory_twin.catalog_models import MODEL_PRESETS, ModelPreset
from aifactory_twin.errors import ScenarioError
from aifactory_twin.schema import Scenario, TrainingJob
from aifactory_twin.sim import compile_scenario
from ui.inspector.step_breakdown import StepBreakdownView

NO_MODEL = "None — MFU as typed (target MFU)"
CUSTOM = "Custom (from the file)"
# The job's new model and parameter count (None, None clears the model).
ChooseModel = Callable[[ModelPreset | None], None]


class JobPerfBox(QWidget):
    """Model chooser and step-time breakdown of one training job."""

    def __init__(self, on_choose: ChooseModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._on_choose = on_choose
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(QLabel("<b>Model and step time</b>"))
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("job_model_combo")
        self.model_combo.addItem(NO_MODEL, "")
        for pid, preset in MODEL_PRESETS.items():
            self.model_combo.addItem(preset.label, pid)
        self.model_combo.setToolTip(
            "A model description lets the performance model predict MFU and step time from the "
            "layout and the fabric (clear Target MFU to use the prediction)"
        )
        self.model_combo.activated.connect(self._chosen)
        layout.addWidget(self.model_combo)
        self.override_note = QLabel()
        self.override_note.setWordWrap(True)
        self.override_note.setStyleSheet("color: gray")
        layout.addWidget(self.override_note)
        self.view = StepBreakdownView()
        layout.addWidget(self.view)
        self._shown: tuple[Scenario, TrainingJob] | None = None
        # Any edit (a NIC, a switch, the job) may change the prediction: recompute once the
        # edits settle, not per keystroke of an undo burst.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self._refresh)
        self._source: Callable[[], tuple[Scenario, TrainingJob] | None] = lambda: None

    def follow(self, source: Callable[[], tuple[Scenario, TrainingJob] | None]) -> None:
        """Where ``schedule`` reads the scenario (as shown) and the job from."""
        self._source = source

    def schedule(self) -> None:
        """The document changed: show the job again shortly."""
        self._timer.start()

    def _refresh(self) -> None:
        found = self._source()
        if found is not None:
            self.show_job(*found)

    def _chosen(self, row: int) -> None:
        pid = str(self.model_combo.itemData(row) or "")
        if pid == CUSTOM:
            return
        self._on_choose(MODEL_PRESETS[pid] if pid else None)

    def show_job(self, scenario: Scenario, job: TrainingJob) -> None:
        """Show ``job`` of ``scenario`` (the scenario as shown, variant applied)."""
        self._select_model(job)
        if self._shown is not None and self._shown[0] is scenario and self._shown[1] == job:
            return
        self._shown = (scenario, job)
        self.override_note.setText("")
        if job.model is None:
            self.view.set_breakdown(
                None,
                "No model description: the job runs at its target MFU. Choose a model to "
                "predict the step time from the layout and the fabric.",
            )
            return
        try:
            compiled = compile_scenario(scenario)
        except ScenarioError as exc:
            self.view.set_breakdown(None, "; ".join(p.message for p in exc.problems))
            return
        j = compiled.workloads.train_ids.index(job.id)
        breakdown = compiled.perf.breakdown[j]
        self.view.set_breakdown(breakdown, "No layout fits this job.")
        if breakdown is not None and job.target_mfu is not None:
            self.override_note.setText(
                f"Target MFU {job.target_mfu:.3g} overrides the prediction; clear it to run at "
                f"the predicted {compiled.perf.predicted_mfu[j]:.3g} (on the 6·N·D basis the "
                "run uses)."
            )

    def _select_model(self, job: TrainingJob) -> None:
        combo = self.model_combo
        combo.blockSignals(True)
        custom = combo.findData(CUSTOM)
        if custom >= 0:
            combo.removeItem(custom)
        if job.model is None:
            combo.setCurrentIndex(0)
        else:
            match = next((p for p, m in MODEL_PRESETS.items() if m.model == job.model), None)
            if match is None:
                combo.addItem(CUSTOM, CUSTOM)
                combo.setCurrentIndex(combo.count() - 1)
            else:
                combo.setCurrentIndex(combo.findData(match))
        combo.blockSignals(False)
