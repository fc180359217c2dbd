"""JobSourcesBox: the Scenario dock's job mixes and job traces, every edit a SetPart command.

A job mix (``Scenario.job_mix``, one entry per team) and a job trace (``Scenario.job_traces``)
both expand into training jobs when the scenario is compiled (docs/workloads.md). They have no
id a variant's override could name, so like adding a workload every edit here changes the base,
which every variant sees; the scheduler policy a variant switches lives in the settings form.

"Three-team mix" adds ``THREE_TEAM_MIX`` (200 jobs, ``schema/job_mix.py``) in one undoable step
and, when the factory still runs the ``elastic`` policy (no queue), switches it to strict FCFS
(no backfill) so a queue forms and a variant can try EASY backfill against it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from aifactory_twin.commands import Command, Macro, SetPart
from aifactory_twin.document import FactoryDocument
from aifactory_twin.errors import ScenarioError
from aifactory_twin.schema import THREE_TEAM_MIX, JobMix, JobTrace
from aifactory_twin.variant_session import set_model_path
from ui.inspector.fields import FieldSpec
from ui.inspector.job_source_text import (
    TRACE_FIELDS,
    columns_text,
    describe_mix,
    describe_trace,
    guess_trace_format,
    parse_columns,
)
from ui.inspector.model_form import ModelForm

Push = Callable[[Command], None]
Selection = tuple[str, int]  # ("mix" | "trace", index in its list)


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    n = 2
    while f"{name}-{n}" in taken:
        n += 1
    return f"{name}-{n}"


class JobSourcesBox(QWidget):
    """List of the job mixes and traces, add/remove buttons and the selected entry's form."""

    def __init__(self, doc: FactoryDocument, push: Push, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("job_sources")
        self.doc = doc
        self._push = push
        self.selected: Selection | None = None
        self.form: ModelForm | None = None
        self.columns_edit: QLineEdit | None = None
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #E0483E; font-size: 11px;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.list = QListWidget()
        self.list.setObjectName("job_sources_list")
        self.list.setMaximumHeight(96)
        # Long entries elide instead of widening the dock (the tooltip has the whole text).
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.list.currentRowChanged.connect(self._on_row_changed)
        self._form_holder = QVBoxLayout()
        self._form_holder.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(QLabel("<b>Job mixes and traces</b>"))
        hint = QLabel(
            "<span style='color:gray'>Generated or replayed training jobs, queued by the "
            "scheduler policy above. They belong to the base: every variant sees them.</span>"
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addLayout(self._buttons())
        layout.addWidget(self.list)
        layout.addWidget(self.problem)
        layout.addLayout(self._form_holder)
        self._connected = False
        self.attach()
        self.rebuild()

    def _buttons(self) -> QVBoxLayout:
        rows = QVBoxLayout()
        rows.setSpacing(4)
        top, bottom = QHBoxLayout(), QHBoxLayout()
        rows.addLayout(top)
        rows.addLayout(bottom)
        self.add_mix_button = QPushButton("+ Mix")
        self.add_mix_button.setToolTip("Add one team's stream of generated training jobs")
        self.add_mix_button.clicked.connect(self.add_mix)
        self.sample_button = QPushButton("Three-team mix")
        self.sample_button.setObjectName("three_team_mix")
        self.sample_button.setToolTip(
            "Add 200 jobs from three teams (research 80 big, product 80 mid-sized at priority "
            "5, eval 40 small); switches an elastic factory to strict FCFS so the jobs queue"
        )
        self.sample_button.clicked.connect(self.add_three_team_mix)
        self.add_trace_button = QPushButton("+ Trace…")
        self.add_trace_button.setToolTip(
            "Replay a job trace file (Helios cluster_log.csv, PAI pai_task_table.csv, Philly "
            "cluster_job_log JSON, or a generic CSV) kept beside the scenario"
        )
        self.add_trace_button.clicked.connect(lambda: self.add_trace())
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected mix or trace")
        self.remove_button.clicked.connect(self.remove_selected)
        top.addWidget(self.add_mix_button)
        top.addWidget(self.sample_button)
        bottom.addWidget(self.add_trace_button)
        bottom.addWidget(self.remove_button)
        return rows

    def attach(self) -> None:
        if not self._connected:
            self.doc.part_changed.connect(self._on_part_changed)
            self.doc.reset.connect(self.rebuild)
            self._connected = True

    def detach(self) -> None:
        if self._connected:
            self.doc.part_changed.disconnect(self._on_part_changed)
            self.doc.reset.disconnect(self.rebuild)
            self._connected = False

    # ------------------------------------------------------------ reading
    def mixes(self) -> list[JobMix]:
        return list(self.doc.part("job_mix"))

    def traces(self) -> list[JobTrace]:
        return list(self.doc.part("job_traces"))

    def _entries(self) -> list[tuple[Selection, str]]:
        out: list[tuple[Selection, str]] = [
            (("mix", i), describe_mix(m)) for i, m in enumerate(self.mixes())
        ]
        out += [(("trace", i), describe_trace(t)) for i, t in enumerate(self.traces())]
        return out

    def _model(self, sel: Selection | None) -> BaseModel | None:
        if sel is None:
            return None
        items: list[Any] = self.mixes() if sel[0] == "mix" else self.traces()
        return items[sel[1]] if 0 <= sel[1] < len(items) else None

    # ------------------------------------------------------------ building
    def rebuild(self) -> None:
        """Refill the list; rebuild the form when the selected entry's kind changed."""
        entries = self._entries()
        keys = [key for key, _ in entries]
        if self.selected not in keys:
            self.selected = keys[-1] if keys else None
        self.list.blockSignals(True)
        self.list.clear()
        for key, text in entries:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(text)
            self.list.addItem(item)
            if key == self.selected:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.list.setVisible(bool(entries))
        self.remove_button.setEnabled(self.selected is not None)
        self._build_form()

    def _build_form(self) -> None:
        while self._form_holder.count():
            taken = self._form_holder.takeAt(0)
            widget = None if taken is None else taken.widget()
            if widget is not None:
                widget.deleteLater()
        self.form = None
        self.columns_edit = None
        model = self._model(self.selected)
        if model is None:
            return
        if isinstance(model, JobMix):
            self.form = ModelForm(JobMix, self._commit)
        else:
            # ``columns`` is a mapping: typed as ``field=column, …`` in its own row below.
            self.form = ModelForm(JobTrace, self._commit, skip={"columns"})
            browse = QPushButton("Choose trace file…")
            browse.setObjectName("choose_trace_file")
            browse.clicked.connect(self.choose_file_for_selected)
            self._form_holder.addWidget(browse)
        self.form.set_values(model)
        self._form_holder.addWidget(self.form)
        if isinstance(model, JobTrace):
            self._form_holder.addWidget(self._columns_row(model))

    def _columns_row(self, trace: JobTrace) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel("CSV columns")
        edit = QLineEdit(columns_text(trace.columns))
        edit.setObjectName("trace_columns")
        edit.setPlaceholderText("submit_s=submit, accelerators=gpus, duration_s=runtime")
        tip = (
            "Generic CSV traces: which column holds each of "
            f"{', '.join(TRACE_FIELDS)} (unnamed ones are read from columns of that name)"
        )
        label.setToolTip(tip)
        edit.setToolTip(tip)
        edit.editingFinished.connect(self._commit_columns)
        layout.addWidget(label)
        layout.addWidget(edit, 1)
        self.columns_edit = edit
        return row

    def _commit_columns(self) -> None:
        if self.columns_edit is None:
            return
        try:
            columns = parse_columns(self.columns_edit.text())
        except ValueError as exc:
            self._show_problem(f"CSV columns: {exc}")
            return
        spec = FieldSpec(path="columns", label="CSV columns", editor="text")
        self._show_problem(self._commit(spec, columns))

    def _show_problem(self, text: str | None) -> None:
        self.problem.setText(text or "")
        self.problem.setVisible(bool(text))

    # ------------------------------------------------------------ editing
    def _set(self, kind: str, items: list[Any], text: str) -> Command:
        return SetPart(self.doc, "job_mix" if kind == "mix" else "job_traces", items, text=text)

    def _commit(self, spec: FieldSpec, value: Any) -> str | None:
        sel, old = self.selected, self._model(self.selected)
        if sel is None or old is None:
            return None
        try:
            new = set_model_path(old, spec.path, value)
        except ScenarioError as exc:
            return "; ".join(p.message for p in exc.problems)
        if new == old:
            return None
        kind, index = sel
        items: list[Any] = self.mixes() if kind == "mix" else self.traces()
        clash = any(getattr(m, "team", None) == value for i, m in enumerate(items) if i != index)
        if kind == "mix" and spec.path == "team" and clash:
            return f"another mix already has team {value!r}"
        items[index] = new
        name = getattr(old, "team", None) or getattr(old, "id", "")
        self._push(self._set(kind, items, f"Set {spec.label.lower()} of {kind} {name}"))
        return None

    def add_mix(self) -> None:
        mixes = self.mixes()
        team = _unique("team", {m.team for m in mixes})
        self.selected = ("mix", len(mixes))
        self._push(self._set("mix", [*mixes, JobMix(team=team)], f"Add job mix {team}"))

    def add_three_team_mix(self) -> None:
        """Add THREE_TEAM_MIX (renaming teams already present); queue an elastic factory."""
        mixes = self.mixes()
        taken = {m.team for m in mixes}
        added: list[JobMix] = []
        for mix in THREE_TEAM_MIX:
            team = _unique(mix.team, taken)
            taken.add(team)
            added.append(mix.model_copy(update={"team": team}))
        commands: list[Command] = [self._set("mix", [*mixes, *added], "")]
        settings = self.doc.part("settings")
        if settings.scheduler_policy == "elastic":
            queued = settings.model_copy(update={"scheduler_policy": "fcfs", "backfill": "none"})
            commands.append(SetPart(self.doc, "settings", queued))
        self.selected = ("mix", len(mixes))
        self._push(Macro("Add three-team job mix (200 jobs)", commands))

    def ask_trace_file(self) -> str:
        """The file the user picks ('' when cancelled)."""
        start = self.doc.source_dir or ""
        path, _filter = QFileDialog.getOpenFileName(
            self, "Replay a job trace", start, "Job traces (*.csv *.json *.txt);;All files (*)"
        )
        return str(path)

    def _relative(self, path: str) -> str:
        """``path`` relative to the scenario's folder when it is inside it (as files store it)."""
        folder = self.doc.source_dir
        if folder:
            try:
                return Path(path).resolve().relative_to(Path(folder).resolve()).as_posix()
            except ValueError:
                pass
        return str(Path(path).resolve())

    def add_trace(self, path: str | None = None) -> None:
        """Attach a trace file (asks for it when ``path`` is None), format from its name."""
        chosen = self.ask_trace_file() if path is None else path
        if not chosen:
            return
        traces = self.traces()
        taken = (
            {t.id for t in traces}
            | set(self.doc.nodes)
            | {w.id for w in self.doc.part("workloads")}
        )
        trace_id = _unique("trace", taken)
        trace = JobTrace.model_validate(
            {"id": trace_id, "path": self._relative(chosen), "format": guess_trace_format(chosen)}
        )
        self.selected = ("trace", len(traces))
        self._push(self._set("trace", [*traces, trace], f"Add job trace {trace_id}"))

    def choose_file_for_selected(self) -> None:
        old = self._model(self.selected)
        if not isinstance(old, JobTrace) or self.selected is None:
            return
        chosen = self.ask_trace_file()
        if not chosen:
            return
        spec = FieldSpec(path="path", label="Path", editor="text")
        self._show_problem(self._commit(spec, self._relative(chosen)))

    def remove_selected(self) -> None:
        sel = self.selected
        model = self._model(sel)
        if sel is None or model is None:
            return
        kind, index = sel
        items: list[Any] = self.mixes() if kind == "mix" else self.traces()
        del items[index]
        name = getattr(model, "team", None) or getattr(model, "id", "")
        what = "job mix" if kind == "mix" else "job trace"
        self._push(self._set(kind, items, f"Remove {what} {name}"))

    # ------------------------------------------------------------ document events
    def _on_row_changed(self, row: int) -> None:
        item = self.list.item(row) if row >= 0 else None
        key: Selection | None = None
        if item is not None:
            kind, index = item.data(Qt.ItemDataRole.UserRole)
            key = (str(kind), int(index))
        if key != self.selected:
            self.selected = key
            self.remove_button.setEnabled(key is not None)
            self._build_form()

    def _on_part_changed(self, name: str, _old: Any, _new: Any) -> None:
        if name not in ("job_mix", "job_traces"):
            return
        structure = len(_old) != len(_new)
        if structure or self.form is None:
            self.rebuild()
            return
        # A value edit: same rows, new texts and values (the form keeps its focus).
        for i, (_key, text) in enumerate(self._entries()):
            item = self.list.item(i)
            if item is not None:
                item.setText(text)
                item.setToolTip(text)
        model = self._model(self.selected)
        if model is not None and self.form is not None:
            self.form.set_values(model)
        if isinstance(model, JobTrace) and self.columns_edit is not None:
            self.columns_edit.setText(columns_text(model.columns))
