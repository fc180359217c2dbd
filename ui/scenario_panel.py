"""ScenarioPanel: the "Scenario" dock — run settings and workloads, every edit a SetPart command.

The settings form and the workload forms are generated from the pydantic fields (ModelForm over
``field_specs``), like the inspector. A value is validated into a new schema object before any
command exists, so a refused value shows under its field and never reaches the document. While a
variant is active the forms show the variant's values and value edits become its overrides
(VariantSession); adding or removing a workload is structural and always edits the base, which
every variant then sees.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from aifactory_twin.catalog_models import ModelPreset
from aifactory_twin.commands import Command, Macro, SetPart
from aifactory_twin.document import FactoryDocument
from aifactory_twin.errors import ScenarioError
from aifactory_twin.kinds import WORKLOAD_HOST_KINDS
from aifactory_twin.paths import get_path
from aifactory_twin.schema import (
    CloudBurst,
    ComputeRack,
    InferenceService,
    Scenario,
    Settings,
    TrainingJob,
)
from aifactory_twin.sim.compile.weather import read_weather_file
from aifactory_twin.variant_session import VariantSession, set_model_path
from aifactory_twin.variants import SETTINGS_TARGET
from ui.inspector.fields import FieldSpec
from ui.inspector.job_accounts import JobAccountBox
from ui.inspector.job_perf import JobPerfBox
from ui.inspector.job_sources import JobSourcesBox
from ui.inspector.model_form import REFERENCED_KINDS, ModelForm, node_choices
from ui.inspector.panel import BANNER_STYLE
from ui.inspector.placement import PlacementModel

# Node kinds a workload can be placed on (the rules count these as capacity, rules.py _jobs).
WORKLOAD_CLASSES: dict[str, type[BaseModel]] = {
    "training": TrainingJob,
    "inference": InferenceService,
}
SKIP = frozenset({"kind", "placement"})


WEATHER_FILE = "ambient.weather_file"


def _problem_text(exc: ScenarioError) -> str:
    return "; ".join(p.message for p in exc.problems)


class ScenarioPanel(QScrollArea):
    """Settings form on top, then the workload list with add/remove and the selected one's form."""

    def __init__(
        self,
        doc: FactoryDocument,
        push: Callable[[Command], None],
        variants: VariantSession,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.doc = doc
        self._push = push
        self.variants = variants
        self.selected_id: str | None = None
        self.settings_form: ModelForm | None = None
        self.workload_form: ModelForm | None = None
        self.job_perf: JobPerfBox | None = None
        self.job_accounts: JobAccountBox | None = None
        self._accounting: dict[str, Any] | None = None
        """The last run's ``kpis["job_accounting"]`` (live view), None before a run."""
        self.workload_list = QListWidget()
        self.placement_list: QListView | None = None
        self.placement_model: PlacementModel | None = None
        self.banner = QLabel()
        self.placement_error = QLabel()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Pastes and undo bursts emit one signal per item: rebuild once afterwards.
        self._rebuild_timer = QTimer(self)
        self._rebuild_timer.setSingleShot(True)
        self._rebuild_timer.setInterval(0)
        self._rebuild_timer.timeout.connect(self.rebuild)
        self._connected = False
        # Mixes and traces keep their own widget across rebuilds (moved into each new body).
        self.job_sources = JobSourcesBox(doc, push)
        self.attach()
        self.rebuild()

    def attach(self) -> None:
        if not self._connected:
            self.doc.part_changed.connect(self._on_doc_part_changed)
            self.doc.reset.connect(self._on_doc_reset)
            self.doc.changed.connect(self._on_doc_changed)
            self.doc.node_added.connect(self._on_doc_node_added_or_removed)
            self.doc.node_removed.connect(self._on_doc_node_added_or_removed)
            self.variants.active_changed.connect(self._on_variants_active_changed)
            self.job_sources.attach()
            self._connected = True

    def detach(self) -> None:
        if self._connected:
            self.doc.part_changed.disconnect(self._on_doc_part_changed)
            self.doc.reset.disconnect(self._on_doc_reset)
            self.doc.changed.disconnect(self._on_doc_changed)
            self.doc.node_added.disconnect(self._on_doc_node_added_or_removed)
            self.doc.node_removed.disconnect(self._on_doc_node_added_or_removed)
            self.variants.active_changed.disconnect(self._on_variants_active_changed)
            self.job_sources.detach()
            self._connected = False
        self._rebuild_timer.stop()

    # ------------------------------------------------------------ building
    def rebuild(self) -> None:
        """Rebuild every form (structure changed: variant, workload list, candidate nodes)."""
        self._rebuild_timer.stop()
        workloads = self._workloads()
        if self.selected_id not in {w.id for w in workloads}:
            self.selected_id = workloads[0].id if workloads else None
        scroll = self.verticalScrollBar().value()
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        self.banner = QLabel()
        self.banner.setObjectName("scenario_variant_banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        layout.addWidget(self.banner)
        self._update_banner()
        layout.addWidget(QLabel("<b>Run settings and economics</b>"))
        self.settings_form = ModelForm(Settings, self._commit_setting, self._reset_setting)
        layout.addWidget(self.settings_form)
        self.job_sources.setParent(None)  # out of the old body before it is deleted
        layout.addWidget(self.job_sources)
        layout.addWidget(self._workloads_header())
        self.workload_list = QListWidget()
        self.workload_list.setObjectName("workload_list")
        self.workload_list.setMaximumHeight(110)
        self.workload_list.currentRowChanged.connect(self._on_workload_row_changed)
        layout.addWidget(self.workload_list)
        self._fill_workload_list()
        self.workload_form = None
        self.job_perf = None
        self.job_accounts = None
        self.placement_list = None
        self.placement_model = None
        selected = self._shown_workload(self.selected_id) if self.selected_id else None
        if selected is not None:
            self._build_workload_form(layout, selected)
        layout.addStretch(1)
        self.setWidget(body)
        self.refresh_values()
        self.verticalScrollBar().setValue(scroll)

    def _update_banner(self) -> None:
        name = self.variants.active
        self.banner.setVisible(name is not None)
        self.banner.setText(
            f"Variant <b>{name}</b>: value edits become its overrides; adding or removing a "
            "workload changes the base."
        )

    def _workloads_header(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 8, 0, 0)
        column.addWidget(QLabel("<b>Workloads</b>"))
        row = QHBoxLayout()
        row.setSpacing(4)
        column.addLayout(row)
        self.add_training_button = QPushButton("+ Training")
        self.add_training_button.setToolTip("Add a training job (6·N·D FLOPs) to the base")
        self.add_training_button.clicked.connect(lambda: self.add_workload("training"))
        self.add_inference_button = QPushButton("+ Inference")
        self.add_inference_button.setToolTip("Add an inference service to the base")
        self.add_inference_button.clicked.connect(lambda: self.add_workload("inference"))
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip(
            "Remove the selected workload (and variants' overrides of it)"
        )
        self.remove_button.clicked.connect(self.remove_selected)
        for button in (self.add_training_button, self.add_inference_button, self.remove_button):
            row.addWidget(button)
        return box

    def _fill_workload_list(self) -> None:
        self.workload_list.blockSignals(True)
        self.workload_list.clear()
        for work in self._shown_workloads():
            what = "training" if isinstance(work, TrainingJob) else "inference"
            item = QListWidgetItem(f"{work.name or work.id}  ·  {what}")
            item.setData(Qt.ItemDataRole.UserRole, work.id)
            item.setToolTip(work.id)
            self.workload_list.addItem(item)
            if work.id == self.selected_id:
                self.workload_list.setCurrentItem(item)
        self.workload_list.blockSignals(False)
        self.remove_button.setEnabled(self.selected_id is not None)

    def _build_workload_form(self, layout: QVBoxLayout, work: BaseModel) -> None:
        kind = str(getattr(work, "kind"))  # noqa: B009 - both workload classes have a kind
        title = "Training job" if kind == "training" else "Inference service"
        work_id = str(getattr(work, "id"))  # noqa: B009
        layout.addWidget(QLabel(f"<b>{title}</b> <span style='color:gray'>{work_id}</span>"))
        self.workload_form = ModelForm(
            WORKLOAD_CLASSES[kind],
            self._commit_workload,
            self._reset_workload,
            skip=SKIP,
            text_lists={"daily_profile"},
            choices_of=lambda path: node_choices(self.doc.scenario, path),
        )
        layout.addWidget(self.workload_form)
        if kind == "training":
            self.job_perf = JobPerfBox(self._choose_model)
            self.job_perf.follow(self._shown_job)
            layout.addWidget(self.job_perf)
        self.job_accounts = JobAccountBox(work_id)
        self.job_accounts.show_accounting(self._accounting)
        layout.addWidget(self.job_accounts)
        layout.addWidget(QLabel("<b>Placement</b>"))
        hint = QLabel(
            "<span style='color:gray'>Tick the racks or cloud bursts it may run on; none "
            "ticked = anywhere.</span>"
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        candidates = [
            (node.id, node.name)
            for node in self.doc.nodes.values()
            if node.kind in WORKLOAD_HOST_KINDS
        ]
        self.placement_model = PlacementModel(candidates, self._on_placement_toggled, self)
        self.placement_model.set_chosen(list(getattr(work, "placement", [])))
        self.placement_list = QListView()
        self.placement_list.setObjectName("placement_list")
        self.placement_list.setMaximumHeight(120)
        self.placement_list.setUniformItemSizes(True)
        # Lay out rows in batches: 9,472 racks must not stall the window on every rebuild.
        self.placement_list.setLayoutMode(QListView.LayoutMode.Batched)
        self.placement_list.setBatchSize(200)
        self.placement_list.setModel(self.placement_model)
        layout.addWidget(self.placement_list)
        self.placement_error.setStyleSheet("color: #E0483E; font-size: 11px;")
        self.placement_error.hide()
        layout.addWidget(self.placement_error)

    def show_accounting(self, accounting: dict[str, Any] | None) -> None:
        """The run's per-workload energy, carbon and cost (live view; None: no run)."""
        self._accounting = accounting
        if self.job_accounts is not None:
            self.job_accounts.show_accounting(accounting)

    # ------------------------------------------------------------ reading
    def _workloads(self) -> list[Any]:
        return list(self.doc.part("workloads"))

    def _shown_workloads(self) -> list[Any]:
        if self.variants.active is None:
            return self._workloads()
        return list(self.variants.shown().workloads)

    def _shown_workload(self, workload_id: str | None) -> Any:
        return next((w for w in self._shown_workloads() if w.id == workload_id), None)

    def refresh_values(self) -> None:
        """Show the current values (base or variant) and mark what the variant overrides."""
        active = self.variants.active is not None
        if self.settings_form is not None:
            base = self.doc.part("settings")
            self.settings_form.set_values(self.variants.shown_settings(), base if active else None)
        work = self._shown_workload(self.selected_id)
        if self.workload_form is not None and work is not None:
            base_work = next((w for w in self._workloads() if w.id == work.id), None)
            self.workload_form.set_values(work, base_work if active else None)
        if self.placement_model is not None and work is not None:
            self.placement_model.set_chosen(list(work.placement))
        if self.job_perf is not None and isinstance(work, TrainingJob):
            self.job_perf.show_job(self.variants.shown(), work)

    # ------------------------------------------------------------ editing
    def _edit_command(self, target: str, new: BaseModel, label: str) -> Command:
        if self.variants.active is not None:
            return self.variants.override_command({target: new}, f"{self.variants.active}: {label}")
        if target == SETTINGS_TARGET:
            return SetPart(self.doc, "settings", new, text=label)
        workloads = [new if w.id == target else w for w in self._workloads()]
        return SetPart(self.doc, "workloads", workloads, text=label)

    def _commit_setting(self, spec: FieldSpec, value: Any) -> str | None:
        old = self.variants.shown_settings()
        try:
            if spec.path == WEATHER_FILE and value:
                value = self._weather_file(str(value))
            new = set_model_path(old, spec.path, value)
            if new == old:
                return None
            self._push(self._edit_command(SETTINGS_TARGET, new, f"Set {spec.label.lower()}"))
        except ScenarioError as exc:
            return _problem_text(exc)
        return None

    def _weather_file(self, name: str) -> str:
        """``name`` as saved: relative to the scenario's folder when inside it.

        The file is read first, so a bad file shows its line and problem under the field.
        """
        folder = self.doc.source_dir
        path = Path(name)
        if path.is_absolute() and folder and path.resolve().is_relative_to(Path(folder)):
            name = path.resolve().relative_to(Path(folder)).as_posix()
        read_weather_file(name, folder)
        return name

    def _reset_setting(self, spec: FieldSpec) -> str | None:
        return self._commit_setting(spec, get_path(self.doc.part("settings"), spec.path))

    def _commit_workload(self, spec: FieldSpec, value: Any) -> str | None:
        old = self._shown_workload(self.selected_id)
        if old is None or self.selected_id is None:
            return None
        try:
            new = set_model_path(old, spec.path, value)
            if new == old:
                return None
            label = f"Set {spec.label.lower()} of {self.selected_id}"
            self._push(self._edit_command(self.selected_id, new, label))
        except ScenarioError as exc:
            return _problem_text(exc)
        return None

    def _choose_model(self, preset: ModelPreset | None) -> None:
        """Give the selected training job a catalog model (and its parameter count), or none."""
        old = self._shown_workload(self.selected_id)
        if not isinstance(old, TrainingJob) or self.selected_id is None:
            return
        update: dict[str, Any] = {"model": None if preset is None else preset.model}
        if preset is not None:
            update["parameters_b"] = preset.parameters_b
        new = TrainingJob.model_validate({**dict(old), **update})
        if new != old:
            label = f"Set model of {self.selected_id}"
            self._push(self._edit_command(self.selected_id, new, label))

    def _reset_workload(self, spec: FieldSpec) -> str | None:
        base = next((w for w in self._workloads() if w.id == self.selected_id), None)
        return None if base is None else self._commit_workload(spec, get_path(base, spec.path))

    def _on_placement_toggled(self, chosen: list[str]) -> None:
        spec = FieldSpec(path="placement", label="Placement", editor="list")
        problem = self._commit_workload(spec, chosen)
        self.placement_error.setText(problem or "")
        self.placement_error.setVisible(bool(problem))

    def fresh_workload_id(self, prefix: str) -> str:
        """An id used by no workload and no node (override targets share one namespace)."""
        taken = {w.id for w in self._workloads()} | set(self.doc.nodes)
        n = 1
        while f"{prefix}-{n}" in taken:
            n += 1
        return f"{prefix}-{n}"

    def add_workload(self, kind: str) -> str:
        """Add a training job or inference service with schema defaults to the base; its id."""
        work: TrainingJob | InferenceService
        if kind == "training":
            work = TrainingJob(id=self.fresh_workload_id("train"), name="New training job")
            # The schema's 1,024 accelerators on a 16-GPU lab is a warning before the first
            # edit: a new job asks for what this factory can give it, at most that default.
            available = self._accelerators_available()
            if 0 < available < work.accelerators_requested:
                work = work.model_copy(update={"accelerators_requested": available})
        else:
            work = InferenceService(id=self.fresh_workload_id("serve"), name="New inference")
        self.selected_id = work.id
        text = f"Add {'training job' if kind == 'training' else 'inference service'}"
        self._push(SetPart(self.doc, "workloads", [*self._workloads(), work], text=text))
        return str(self.selected_id)

    def _accelerators_available(self) -> int:
        """Accelerators on site plus what cloud bursts may add (what a job could be given)."""
        total = 0
        for node in self.doc.nodes.values():
            if isinstance(node, ComputeRack):
                total += node.accelerators_per_unit * node.count
            elif isinstance(node, CloudBurst):
                total += node.max_accelerators
        return total

    def remove_selected(self) -> None:
        target = self.selected_id
        if target is None:
            return
        commands: list[Command] = [
            SetPart(self.doc, "workloads", [w for w in self._workloads() if w.id != target])
        ]
        variants = list(self.doc.part("variants"))
        if any(o.target == target for v in variants for o in v.overrides):
            # Overrides of a removed workload would dangle; they go (and come back on undo).
            trimmed = [
                v.model_copy(update={"overrides": [o for o in v.overrides if o.target != target]})
                for v in variants
            ]
            commands.append(SetPart(self.doc, "variants", trimmed))
        self._push(Macro(f"Remove workload {target}", commands))

    # ------------------------------------------------------------ document events
    def _on_workload_row_changed(self, row: int) -> None:
        item = self.workload_list.item(row) if row >= 0 else None
        new_id = None if item is None else str(item.data(Qt.ItemDataRole.UserRole))
        if new_id != self.selected_id:
            self.selected_id = new_id
            self._rebuild_timer.start()

    def _on_doc_part_changed(self, name: str, old: Any, new: Any) -> None:
        if name == "workloads" and [(w.id, w.kind) for w in old] != [(w.id, w.kind) for w in new]:
            self._rebuild_timer.start()
        elif name == "variants" and self.variants.active is None:
            return
        elif name in ("settings", "workloads", "variants"):
            self._fill_workload_list()
            self.refresh_values()

    def _on_doc_changed(self) -> None:
        if self.job_perf is not None:
            self.job_perf.schedule()

    def _shown_job(self) -> tuple[Scenario, TrainingJob] | None:
        work = self._shown_workload(self.selected_id)
        return (self.variants.shown(), work) if isinstance(work, TrainingJob) else None

    def _on_doc_reset(self) -> None:
        self._rebuild_timer.start()

    def _on_doc_node_added_or_removed(self, node: Any) -> None:
        # Hosts fill the placement list and datasets or sites the reference combos.
        relevant = node.kind in WORKLOAD_HOST_KINDS or node.kind in REFERENCED_KINDS
        if relevant and self.workload_form is not None:
            self._rebuild_timer.start()

    def _on_variants_active_changed(self, _name: object) -> None:
        # A variant never changes structure: same rows, other values (no rebuild, which costs
        # a second with the 9,472-rack placement list of frontier-scale).
        self._update_banner()
        self._fill_workload_list()
        self.refresh_values()
