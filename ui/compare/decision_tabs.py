"""The Tornado and Optimize tabs of the studio: decisions under uncertainty, and goal seek.

Tornado: Latin-hypercube samples of the scenario's uncertain inputs for variants A and B (the
same draws for both); a tornado chart of what moves the chosen KPI most (each input at its P10
and P90, the others at their medians, on variant A) and the probability that B beats A.
Optimize: design variables (field paths with a range or choices, or which variant to start
from), KPI constraints and an objective; optuna's trials as a scatter of the objective against
training time with the Pareto front drawn and the best design starred. "Make variant" turns the
selected design into a variant of the document (one undoable edit).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from aifactory_twin.commands import SetPart
from aifactory_twin.errors import ScenarioError, TwinError, UsageError
from aifactory_twin.kpi_registry import format_kpi, kpi_info
from aifactory_twin.schema import Scenario, UncertainInput
from aifactory_twin.study import BASE_LABEL
from aifactory_twin.study.optimize import (
    TIME_KPI,
    OptimizeResult,
    Trial,
    optimize,
    parse_constraint,
    parse_variable,
    variant_from_trial,
)
from aifactory_twin.study.uncertainty import (
    TORNADO_KPIS,
    UncertaintyResult,
    check_inputs,
    input_text,
    parse_uncertain,
    uncertainty,
)
from ui.compare.study_tabs import fill_table
from ui.report_charts import VARIANT_COLORS
from ui.report_content import kpi_axis

if TYPE_CHECKING:
    from ui.compare.compare_view import CompareWindow

LOW_COLOR = QColor(VARIANT_COLORS[0])
HIGH_COLOR = QColor(VARIANT_COLORS[1])
FRONT_COLOR = QColor(VARIANT_COLORS[5])
GRAY = QColor("#9A9A9A")
# KPIs offered in the tornado's box besides the cost ones the CLI defaults to.
TORNADO_EXTRA = ("energy_cost_usd", "pue", "availability", "carbon_t_co2")
OBJECTIVES = ("cost_per_trained_model_usd", "total_cost_usd", "cost_per_gpu_hour_usd", "pue")


def _title(key: str) -> str:
    unit = kpi_axis(key)[0]
    return f"{kpi_info(key).label} ({unit})" if unit != "value" else kpi_info(key).label


class TornadoTab(QWidget):
    def __init__(self, owner: CompareWindow) -> None:
        super().__init__(owner)
        self.owner = owner
        self.result: UncertaintyResult | None = None
        self.samples_box = QSpinBox()
        self.samples_box.setRange(1, 100_000)
        self.samples_box.setValue(200)
        self.a_box = QComboBox()
        self.b_box = QComboBox()
        self.kpi_box = QComboBox()
        self.kpi_box.setEditable(True)
        self.kpi_box.addItems(list(dict.fromkeys([*TORNADO_KPIS[:1], TIME_KPI, *TORNADO_KPIS,
                                                  *TORNADO_EXTRA])))  # fmt: skip
        self.kpi_box.currentTextChanged.connect(lambda _t: self._draw())
        self.run_button = QPushButton("Run uncertainty")
        self.run_button.clicked.connect(self.run)
        top = QHBoxLayout()
        for label, widget in (
            ("Samples", self.samples_box),
            ("A", self.a_box),
            ("B", self.b_box),
            ("KPI", self.kpi_box),
        ):
            top.addWidget(QLabel(label))
            top.addWidget(widget)
        top.addWidget(self.run_button)
        top.addStretch(1)
        self.inputs = QListWidget()
        self.inputs.setObjectName("uncertain_inputs")
        self.inputs.setMaximumHeight(80)
        self.input_edit = QLineEdit()
        self.input_edit.setPlaceholderText(
            "grid.price.flat_usd_per_kwh ~ triangular(0.05, 0.08, 0.2)  (normal, lognormal, "
            "triangular, uniform, choice)"
        )
        self.input_edit.returnPressed.connect(lambda: self.add_input())
        self.add_button = QPushButton("Add input")
        self.add_button.clicked.connect(lambda: self.add_input())
        self.remove_button = QPushButton("Remove input")
        self.remove_button.clicked.connect(self.remove_input)
        editor = QHBoxLayout()
        editor.addWidget(QLabel("Uncertain inputs"))
        editor.addWidget(self.input_edit, 1)
        editor.addWidget(self.add_button)
        editor.addWidget(self.remove_button)
        self.readout = QLabel("Run to see which inputs matter most and how sure the choice is.")
        self.readout.setObjectName("tornado_readout")
        self.readout.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.plot = pg.PlotWidget()
        self.plot.showGrid(x=True, y=False, alpha=0.25)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.plot)
        split.addWidget(self.table)
        split.setSizes([700, 400])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(editor)
        layout.addWidget(self.inputs)
        layout.addWidget(self.readout)
        layout.addWidget(split, 1)

    def refresh(self, scenario: Scenario) -> None:
        names = [BASE_LABEL, *(v.name for v in scenario.variants)]
        for box, pick in ((self.a_box, 1), (self.b_box, 2)):
            current = box.currentText()
            box.clear()
            box.addItems(names)
            box.setCurrentText(current if current in names else names[min(pick, len(names) - 1)])
        self.inputs.clear()
        self.inputs.addItems([input_text(u) for u in scenario.uncertain])
        editable = self.owner.push_command is not None
        for widget in (self.input_edit, self.add_button, self.remove_button):
            widget.setEnabled(editable)
        self.input_edit.setToolTip("" if editable else "Open the studio from the editor to edit")

    def add_input(self) -> UncertainInput | None:
        """Declare the typed input uncertain: one undoable edit of the document."""
        owner = self.owner
        if owner.push_command is None:
            return None
        try:
            scenario = owner.scenario()
            spec = parse_uncertain(scenario, self.input_edit.text(), "Uncertain input")
            check_inputs(scenario.model_copy(update={"uncertain": [spec]}), [None])
        except TwinError as exc:
            owner.status.setText(f"Cannot add: {exc}")
            return None
        kept = [u for u in scenario.uncertain if u.label != spec.label]
        owner.push_command(
            SetPart(owner.document, "uncertain", [*kept, spec], text=f"Uncertain {spec.label}")
        )
        self.input_edit.clear()
        owner.refresh_variants()
        owner.status.setText(f"{input_text(spec)} is uncertain now.")
        return spec

    def remove_input(self) -> None:
        owner = self.owner
        row = self.inputs.currentRow()
        scenario = owner.scenario()
        if owner.push_command is None or not 0 <= row < len(scenario.uncertain):
            return
        gone = scenario.uncertain[row]
        kept = [u for i, u in enumerate(scenario.uncertain) if i != row]
        owner.push_command(SetPart(owner.document, "uncertain", kept, text=f"Certain {gone.label}"))
        owner.refresh_variants()

    def run(self) -> None:
        owner = self.owner
        a, b = self.a_box.currentText(), self.b_box.currentText()
        variants = [a] if a == b else [a, b]
        try:
            scenario = owner.scenario()
            options = owner.options(series=(), max_points=None)
        except TwinError as exc:
            owner.status.setText(f"Cannot run: {exc}")
            return
        n, seed = self.samples_box.value(), owner.seed_box.value()
        total = n * len(variants) + 2 * len(scenario.uncertain) + 1

        def job(**kw: Any) -> UncertaintyResult:
            return uncertainty(scenario, n, variants=variants, seed=seed, options=options, **kw)

        owner.start("uncertainty", total, job)

    def show_result(self, result: Any) -> None:
        self.result = result
        self._draw()

    def _draw(self) -> None:
        self.plot.clear()
        result = self.result
        if result is None:
            return
        key = self.kpi_box.currentText()
        scale = kpi_axis(key)[1]
        bars = [b for b in result.tornado(key) if np.isfinite(b.swing)]
        center = result.tornado_center.get(key, math.nan)
        n = len(bars)
        for row, bar in enumerate(bars):
            y = n - 1 - row  # largest swing on top
            mid = center if math.isfinite(center) else (bar.kpi_at_low + bar.kpi_at_high) / 2
            for end, value, color in (
                (0, bar.kpi_at_low, LOW_COLOR),
                (1, bar.kpi_at_high, HIGH_COLOR),
            ):
                left, right = sorted((mid / scale, value / scale))
                item = pg.BarGraphItem(
                    x0=[left], width=[max(right - left, 1e-12)], y=[y], height=0.6,
                    brush=color, pen=pg.mkPen(color.darker(130)),
                )  # fmt: skip
                item.setObjectName(f"tornado_bar_{row}_{end}")
                self.plot.addItem(item)
        if math.isfinite(center):
            self.plot.addItem(pg.InfiniteLine(center / scale, angle=90, pen=pg.mkPen(GRAY)))
        self.bar_labels = [b.label for b in bars]
        axis = self.plot.getAxis("left")
        axis.setTicks([[(n - 1 - i, label) for i, label in enumerate(self.bar_labels)]])
        self.plot.setLabel("bottom", _title(key))
        self.plot.setTitle("Each input at its P10 (blue) and P90 (orange), others at medians")
        lines = []
        if len(result.labels) == 2:
            a, b = result.labels
            try:
                p = result.probability_better(a, b, key)
            except UsageError:
                p = math.nan
            chance = "—" if not math.isfinite(p) else f"{p * 100:.0f} %"
            lines.append(
                f"P({b} beats {a} on {kpi_info(key).label.lower()}) = {chance} "
                f"over {len(result.seeds)} paired samples"
            )
        missing = [b.label for b in result.tornado(key) if not np.isfinite(b.swing)]
        if missing:
            lines.append(f"no {kpi_info(key).label.lower()} at an end of {', '.join(missing)}")
        self.readout.setText(
            "; ".join(lines) or f"{len(result.seeds)} samples of {result.labels[0]}"
        )
        header = ["variant", "P10", "P50", "P90"]
        rows = []
        for label in result.labels:
            p10, p50, p90 = result.percentiles(label).get(key, (math.nan,) * 3)
            rows.append([label, *(format_kpi(key, v) for v in (p10, p50, p90))])
        fill_table(self.table, header, rows, first_numeric_column=1)


# Design variables offered when the tab opens: (node kind, field, domain builder).
def suggested_variables(scenario: Scenario) -> list[str]:
    out: list[str] = []
    for node in scenario.nodes:
        count = getattr(node, "count", None)
        if node.kind == "compute_rack" and isinstance(count, int):
            low, high = max(1, count // 2), count * 2
            step = max(1, (high - low) // 8)
            out.append(f"{node.id}.count=int:{low}:{high}:{step}")
        elif node.kind == "staff_team":
            out.append(
                f"{node.id}.headcount=int:1:{max(2, 2 * int(getattr(node, 'headcount', 4)))}"
            )
    if scenario.variants:
        names = ",".join([BASE_LABEL, *(v.name for v in scenario.variants)])
        out.append(f"variant=choice:{names}")
    return out[:6]


class OptimizeTab(QWidget):
    def __init__(self, owner: CompareWindow) -> None:
        super().__init__(owner)
        self.owner = owner
        self.result: OptimizeResult | None = None
        self.vars_edit = QLineEdit()
        self.vars_edit.setPlaceholderText("racks.count=int:16:64:8; variant=choice:air,liquid")
        self.vars_edit.setToolTip(
            "Design variables, separated by ';': PATH=int:LOW:HIGH[:STEP], "
            "PATH=float:LOW:HIGH[:log], PATH=choice:A,B or variant=choice:V1,V2"
        )
        self.constraints_edit = QLineEdit("training_time_days<=60; availability>=0.99")
        self.constraints_edit.setToolTip("KPI bounds separated by ';', e.g. availability>=0.99")
        self.objective_box = QComboBox()
        self.objective_box.setEditable(True)
        self.objective_box.addItems(list(OBJECTIVES))
        self.trials_box = QSpinBox()
        self.trials_box.setRange(1, 10_000)
        self.trials_box.setValue(40)
        self.sampler_box = QComboBox()
        self.sampler_box.addItems(["tpe", "nsga2"])
        self.sampler_box.setToolTip("TPE: one objective. NSGA-II: objective and training time.")
        self.run_button = QPushButton("Optimize")
        self.run_button.clicked.connect(self.run)
        self.variant_button = QPushButton("Make variant")
        self.variant_button.setToolTip("Add the selected design to the document as a variant")
        self.variant_button.clicked.connect(lambda: self.make_variant())
        self.variant_button.setEnabled(False)
        row1 = QHBoxLayout()
        row1.addWidget(QLabel("Variables"))
        row1.addWidget(self.vars_edit, 1)
        row2 = QHBoxLayout()
        for label, widget in (
            ("Constraints", self.constraints_edit),
            ("Objective", self.objective_box),
            ("Trials", self.trials_box),
            ("Sampler", self.sampler_box),
        ):
            row2.addWidget(QLabel(label))
            row2.addWidget(widget, 2 if widget is self.constraints_edit else 0)
        row2.addWidget(self.run_button)
        row2.addWidget(self.variant_button)
        self.summary = QLabel("Set variables and constraints, then Optimize.")
        self.summary.setObjectName("optimize_summary")
        self.summary.setStyleSheet("font-size: 14px; font-weight: 600;")
        self.plot = pg.PlotWidget()
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.addLegend(offset=(8, 8))
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.itemSelectionChanged.connect(self._on_selection)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.plot)
        split.addWidget(self.table)
        split.setSizes([700, 500])
        layout = QVBoxLayout(self)
        layout.addLayout(row1)
        layout.addLayout(row2)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        self.selected: Trial | None = None

    def refresh(self, scenario: Scenario) -> None:
        if not self.vars_edit.text().strip():
            self.vars_edit.setText("; ".join(suggested_variables(scenario)))

    def _parts(self, text: str) -> list[str]:
        return [p.strip() for p in text.split(";") if p.strip()]

    def run(self) -> None:
        owner = self.owner
        try:
            scenario = owner.scenario()
            variables = [parse_variable(scenario, s) for s in self._parts(self.vars_edit.text())]
            constraints = [parse_constraint(c) for c in self._parts(self.constraints_edit.text())]
            options = owner.options(series=(), max_points=None)
            objective = self.objective_box.currentText().strip()
        except TwinError as exc:
            owner.status.setText(f"Cannot optimize: {exc}")
            return
        n, seed, sampler = (
            self.trials_box.value(),
            owner.seed_box.value(),
            self.sampler_box.currentText(),
        )

        def job(**kw: Any) -> OptimizeResult:
            return optimize(
                scenario, variables, objective=objective, constraints=constraints, n_trials=n,
                seed=seed, sampler=sampler, options=options, **kw,  # type: ignore[arg-type]
            )  # fmt: skip

        owner.start("optimize", n, job)

    def show_result(self, result: Any) -> None:
        self.result = result
        self._draw()

    def _draw(self) -> None:
        self.plot.clear()
        result = self.result
        if result is None:
            return
        key = result.objective
        scale = kpi_axis(key)[1]
        usable = [t for t in result.trials if math.isfinite(t.objective)
                  and math.isfinite(t.kpis.get(TIME_KPI, math.nan))]  # fmt: skip
        for feasible, color, name in ((True, QColor(VARIANT_COLORS[0]), "meets constraints"),
                                      (False, GRAY, "breaks a constraint")):  # fmt: skip
            pts = [t for t in usable if t.feasible is feasible]
            if pts:
                scatter = pg.ScatterPlotItem(
                    x=[t.kpis[TIME_KPI] for t in pts], y=[t.objective / scale for t in pts],
                    data=[t.number for t in pts], brush=color, pen=None, size=8, name=name,
                    hoverable=True, tip=None,
                )  # fmt: skip
                scatter.sigClicked.connect(self._on_points_clicked)
                self.plot.addItem(scatter)
        front = result.pareto()
        if front:
            self.plot.plot(
                [t.kpis[TIME_KPI] for t in front], [t.objective / scale for t in front],
                pen=pg.mkPen(FRONT_COLOR, width=2), symbol="o", symbolSize=11,
                symbolBrush=FRONT_COLOR, name="Pareto front",
            )  # fmt: skip
        best = result.best
        if best is not None and math.isfinite(best.kpis.get(TIME_KPI, math.nan)):
            self.plot.plot(
                [best.kpis[TIME_KPI]], [best.objective / scale], pen=None, symbol="star",
                symbolSize=22, symbolBrush=QColor("#F0C000"), name="best design",
            )  # fmt: skip
        self.plot.setLabel("bottom", _title(TIME_KPI))
        self.plot.setLabel("left", _title(key))
        n_ok = sum(t.feasible for t in result.trials)
        if best is None:
            self.summary.setText(
                f"{len(result.trials)} designs tried; none meets every constraint."
            )
        else:
            params = ", ".join(f"{k} = {v}" for k, v in best.params.items())
            self.summary.setText(
                f"Best of {len(result.trials)} ({n_ok} feasible): {params} → "
                f"{format_kpi(key, best.objective)}, "
                f"{format_kpi(TIME_KPI, best.kpis.get(TIME_KPI))}"
            )
        self._fill_table(result)

    def _fill_table(self, result: OptimizeResult) -> None:
        """Front first (best on top), then every other trial by objective."""
        front = {t.number for t in result.pareto()}
        sign = 1.0 if result.direction == "minimize" else -1.0
        order = sorted(
            result.trials,
            key=lambda t: (not t.feasible, t.number not in front,
                           sign * t.objective if math.isfinite(t.objective) else math.inf),
        )  # fmt: skip
        best = result.best
        self._rows = order
        header = [
            "trial",
            *(v.name for v in result.variables),
            result.objective,
            TIME_KPI,
            "status",
        ]
        rows = []
        for t in order:
            status = "best" if t is best else "front" if t.number in front else ""
            status = status if t.feasible else ("front, " if status else "") + "breaks constraint"
            rows.append([
                str(t.number), *(str(t.params[v.name]) for v in result.variables),
                format_kpi(result.objective, t.objective),
                format_kpi(TIME_KPI, t.kpis.get(TIME_KPI)), status,
            ])  # fmt: skip
        fill_table(self.table, header, rows, first_numeric_column=len(header) - 3)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        if order:
            self.table.selectRow(0)

    def _on_points_clicked(self, _item: Any, points: Any, *_: Any) -> None:
        """A click on a trial's point selects its row (then Make variant takes it)."""
        if len(points):
            self.select_trial(int(points[0].data()))

    def select_trial(self, number: int) -> None:
        for row, trial in enumerate(self._rows):
            if trial.number == number:
                self.table.selectRow(row)
                self.table.scrollTo(self.table.model().index(row, 0))
                return

    def _on_selection(self) -> None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        self.selected = self._rows[rows[0].row()] if rows else None
        self.variant_button.setEnabled(
            self.selected is not None and self.owner.push_command is not None
        )

    def make_variant(self, name: str | None = None) -> str | None:
        """Add the selected design as a variant (one undoable edit); its name, or None."""
        owner, result, trial = self.owner, self.result, self.selected
        if result is None or trial is None or owner.push_command is None:
            return None
        doc = owner.document
        scenario = owner.scenario()
        names = {v.name for v in scenario.variants}
        if name is None:
            k = 1
            while f"optimized {k}" in names:
                k += 1
            name = f"optimized {k}"
        try:
            variant = variant_from_trial(scenario, result, trial, name)
        except ScenarioError as exc:
            owner.status.setText(f"Cannot make a variant: {exc}")
            return None
        variants = [*doc.part("variants"), variant]
        owner.push_command(
            SetPart(doc, "variants", variants, text=f"New variant {name} (optimizer)")
        )
        owner.refresh_variants()
        owner.status.setText(f"Added variant {name!r}: {variant.description}")
        return name
