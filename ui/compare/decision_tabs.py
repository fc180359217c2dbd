"""The Optimize tab of the studio: goal seek (the Tornado tab is ui.compare.tornado_tab).

Design variables, one row each (ui.compare.variables_editor: a field path with a range or
choices, or which variant to start from), KPI constraints and an objective; optuna's trials as
a scatter of the objective against training time with the Pareto front drawn and the best
design starred. "Make variant" turns the selected design into a variant of the document (one
undoable edit).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
)

from aifactory_twin.commands import SetPart
from aifactory_twin.errors import ScenarioError, TwinError, UsageError
from aifactory_twin.kpi_registry import format_kpi
from aifactory_twin.schema import OptimizeStudy, Scenario
from aifactory_twin.study import BASE_LABEL
from aifactory_twin.study.optimize import (
    TIME_KPI,
    VARIANT_VARIABLE,
    Constraint,
    DesignVariable,
    OptimizeResult,
    Trial,
    check_kpi,
    check_variables,
    optimize,
    parse_constraint,
    parse_variable,
    variant_from_trial,
)
from ui.compare.study_tabs import (
    ResultTab,
    axis_title,
    declare_study,
    fill_table,
    labelled_row,
    suggested_params,
)
from ui.compare.variables_editor import VariablesEditor
from ui.report_charts import VARIANT_COLORS
from ui.report_content import kpi_axis
from ui.report_studies import FRONT_COLOR, GRAY

if TYPE_CHECKING:
    from ui.compare.compare_view import CompareWindow

OBJECTIVES = ("cost_per_trained_model_usd", "total_cost_usd", "cost_per_gpu_hour_usd", "pue")


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


class OptimizeTab(ResultTab):
    def __init__(self, owner: CompareWindow) -> None:
        super().__init__(owner)
        self.owner = owner
        self.result: OptimizeResult | None = None
        self.variables = VariablesEditor()
        self.variables.setToolTip(
            "One design variable a row: a field (NODE_ID.FIELD, settings.FIELD or variant), "
            "int LOW:HIGH[:STEP], float LOW:HIGH[:log] or choice A,B,…"
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
        self.declare_button = QPushButton("Declare for report")
        self.declare_button.setToolTip(
            "Save these variables, constraints and trials in the scenario (studies.optimize): "
            "aifactory-twin-cli report runs them"
        )
        self.declare_button.clicked.connect(lambda: self.declare())
        row1 = QHBoxLayout()
        row1.addWidget(QLabel("Variables"))
        row1.addWidget(self.variables, 1)
        row2 = labelled_row(
            [("Constraints", self.constraints_edit), ("Objective", self.objective_box),
             ("Trials", self.trials_box), ("Sampler", self.sampler_box)],
            self.run_button, self.variant_button, self.declare_button,
            grow=self.constraints_edit,
        )  # fmt: skip
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
        self.variables.set_fields([*suggested_params(scenario), VARIANT_VARIABLE])
        self.declare_button.setEnabled(self.owner.push_command is not None)
        if self.variables.specs():
            return  # the user's rows stay
        declared = scenario.studies.optimize
        if declared is None:
            self.variables.set_specs(suggested_variables(scenario))
            return
        # The optimization the scenario declares (what `aifactory-twin-cli report` runs).
        self.variables.set_specs(list(declared.variables))
        self.constraints_edit.setText("; ".join(declared.constraints))
        self.objective_box.setCurrentText(declared.objective)
        self.trials_box.setValue(declared.trials)
        self.sampler_box.setCurrentText(declared.sampler)

    def _parts(self, text: str) -> list[str]:
        return [p.strip() for p in text.split(";") if p.strip()]

    def _read(self, scenario: Scenario) -> tuple[list[DesignVariable], list[Constraint], str]:
        """The rows, constraints and objective, checked (TwinError naming what is wrong)."""
        variables = [parse_variable(scenario, s) for s in self.variables.specs()]
        if not variables:
            raise UsageError("add a design variable (Add variable)")
        check_variables(scenario, variables)  # a bad field is named before any run
        constraints = [parse_constraint(c) for c in self._parts(self.constraints_edit.text())]
        return variables, constraints, check_kpi(self.objective_box.currentText(), "Objective")

    def declare(self) -> bool:
        """Save the tab's optimization in the scenario's studies: one undoable edit."""
        return declare_study(self.owner, "optimize", self._study, "optimization")

    def _study(self, scenario: Scenario) -> OptimizeStudy:
        _variables, constraints, objective = self._read(scenario)
        return OptimizeStudy.model_validate({
            "variables": self.variables.specs(),
            "constraints": [c.text for c in constraints],
            "objective": objective,
            "trials": self.trials_box.value(),
            "sampler": self.sampler_box.currentText(),
        })  # fmt: skip

    def run(self) -> None:
        owner = self.owner
        try:
            scenario = owner.scenario()
            variables, constraints, objective = self._read(scenario)
            options = owner.options(series=(), max_points=None)
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

    def paint(self, result: OptimizeResult) -> None:
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
        self.plot.setLabel("bottom", axis_title(TIME_KPI))
        self.plot.setLabel("left", axis_title(key))
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
