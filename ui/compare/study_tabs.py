"""The Sweep and Monte Carlo tabs of the compare window.

Sweep: a parameter (suggested from the scenario: rack counts, electricity price, cooling type,
team headcount, attrition, delivery lead time… or typed as NODE_ID.FIELD), values or a range,
seeds per value; plots a chosen KPI against the value — P50 across seeds with a P10–P90 bar.
Monte Carlo: N seeds of the base or a variant; fan charts (P10–P90 band, P50 line) for cost,
energy, availability and delivered training compute, and the distribution of a chosen KPI.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from pydantic import BaseModel, ValidationError
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from aifactory_twin.commands import SetPart
from aifactory_twin.errors import TwinError
from aifactory_twin.kpi_registry import kpi_info
from aifactory_twin.schema import Scenario
from aifactory_twin.study import (
    BASE_LABEL,
    FAN_SERIES,
    MonteCarloResult,
    StudyOptions,
    SweepResult,
    monte_carlo,
    parse_param,
    parse_range,
    parse_values,
    sweep,
)
from aifactory_twin.study.params import check_param_values
from ui.report_charts import VARIANT_COLORS
from ui.report_content import (
    FAN_GROUPS,
    SWEEP_KPIS,
    kpi_axis,
    percentile_rows,
    sweep_percentiles,
    sweep_x,
    time_axis,
)

if TYPE_CHECKING:
    from ui.compare.compare_view import CompareWindow


def axis_title(key: str) -> str:
    """``Availability (%)``: the KPI's label and the unit its plotted values are in."""
    unit = kpi_axis(key)[0]
    label = kpi_info(key).label
    return f"{label} ({unit})" if unit != "value" else label


def study_inputs(owner: CompareWindow, **options: Any) -> tuple[Scenario, StudyOptions] | None:
    """The scenario and the studio's run length with ``options`` for a study about to run.

    None when a field cannot be read (the status line says which and why).
    """
    try:
        return owner.scenario(), owner.options(**options)
    except TwinError as exc:
        owner.status.setText(f"Cannot run: {exc}")
        return None


def labelled_row(
    pairs: Sequence[tuple[str, QWidget]],
    *tail: QWidget,
    grow: QWidget | None = None,
    stretch: bool = False,
) -> QHBoxLayout:
    """A tab's control row: each label before its widget, then ``tail`` (buttons).

    ``grow`` takes the spare width; ``stretch`` pushes everything to the left instead.
    """
    row = QHBoxLayout()
    for label, widget in pairs:
        row.addWidget(QLabel(label))
        row.addWidget(widget, 2 if widget is grow else 0)
    for widget in tail:
        row.addWidget(widget)
    if stretch:
        row.addStretch(1)
    return row


class ResultTab(QWidget):
    """A studio tab that keeps its study's last result and redraws ``plot`` from it.

    ``show_result`` takes the worker's result; ``redraw`` (also on a KPI change) clears the
    plot and calls ``paint`` when there is a result.
    """

    plot: pg.PlotWidget
    result: Any = None

    def show_result(self, result: Any) -> None:
        self.result = result
        self.redraw()

    def redraw(self) -> None:
        self.plot.clear()
        if self.result is not None:
            self.paint(self.result)

    def paint(self, result: Any) -> None:
        raise NotImplementedError


# A header line's length in characters before it wraps.
HEADER_CHARS = 14


def header_lines(text: str, width_chars: int = HEADER_CHARS) -> str:
    """``text`` broken at spaces into lines of about ``width_chars`` (a long variant name)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width_chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def fill_table(
    table: QTableWidget,
    header: list[str],
    rows: list[list[str]],
    first_numeric_column: int,
    *,
    row_labels: bool = False,
) -> None:
    """Replace ``table``'s contents; columns from ``first_numeric_column`` on align right.

    Headers wrap onto lines (the whole text in the tooltip), so six variants' columns are as
    wide as their numbers. ``row_labels``: the first column becomes the row headers, which stay
    in view while the table scrolls sideways.
    """
    table.clear()
    skip = 1 if row_labels else 0
    table.setColumnCount(len(header) - skip)
    table.setRowCount(len(rows))
    for c, text in enumerate(header[skip:]):
        item = QTableWidgetItem(header_lines(text))
        item.setToolTip(text)
        table.setHorizontalHeaderItem(c, item)
    if row_labels:
        table.setVerticalHeaderLabels([cells[0] if cells else "" for cells in rows])
        table.verticalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells[skip:]):
            item = QTableWidgetItem(text)
            if c + skip >= first_numeric_column:
                item.setTextAlignment(right)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


# (node kind, field) pairs worth sweeping, offered first in the parameter box.
_SUGGESTED = (
    ("compute_rack", "count"),
    ("compute_rack", "delivery.lead_time_days"),
    ("cooling_unit", "cooling_type"),
    ("power_feed", "price.flat_usd_per_kwh"),
    ("staff_team", "headcount"),
    ("staff_team", "annual_attrition"),
)


def suggested_params(scenario: Scenario) -> list[str]:
    out = [
        f"{n.id}.{field}" for kind, field in _SUGGESTED for n in scenario.nodes if n.kind == kind
    ][:40]
    return [*out, "settings.default_price_usd_per_kwh", "settings.automation_level"]


class SweepTab(ResultTab):
    def __init__(self, owner: CompareWindow) -> None:
        super().__init__(owner)
        self.owner = owner
        self.result: SweepResult | None = None
        self.param_box = QComboBox()
        self.param_box.setEditable(True)
        self.param_box.setMinimumWidth(280)
        self.values_edit = QLineEdit()
        self.values_edit.setPlaceholderText("1,2,4  or  8:64:8 (START:STOP:N)")
        self.runs_box = QSpinBox()
        self.runs_box.setRange(1, 1000)
        self.runs_box.setValue(3)
        self.variant_box = QComboBox()
        self.variant_box.setToolTip("Sweep on top of this variant (base: the scenario as it is)")
        self.kpi_box = QComboBox()
        self.kpi_box.addItems(list(SWEEP_KPIS))
        self.kpi_box.setEditable(True)
        self.kpi_box.currentTextChanged.connect(lambda _t: self.redraw())
        run = QPushButton("Run sweep")
        run.clicked.connect(self.run)
        top = labelled_row(
            [("Parameter", self.param_box), ("Values", self.values_edit),
             ("Seeds per value", self.runs_box), ("Variant", self.variant_box),
             ("KPI", self.kpi_box)],
            run, grow=self.values_edit,
        )  # fmt: skip
        self.plot = pg.PlotWidget()
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)

    def refresh(self, scenario: Scenario) -> None:
        self.param_box.clear()
        self.param_box.addItems(suggested_params(scenario))
        names = [BASE_LABEL, *(v.name for v in scenario.variants)]
        current = self.variant_box.currentText()
        self.variant_box.clear()
        self.variant_box.addItems(names)
        self.variant_box.setCurrentText(current if current in names else BASE_LABEL)

    def run(self) -> None:
        owner = self.owner
        try:
            scenario = owner.scenario()
            param = parse_param(scenario, self.param_box.currentText(), "Parameter")
            text = self.values_edit.text()
            values = parse_range(text, "Values") if ":" in text else parse_values(text, "Values")
            name = self.variant_box.currentText()
            variant = None if name == BASE_LABEL else name
            check_param_values(scenario, variant, param, values, "Parameter")
            options = owner.options(series=())
        except TwinError as exc:
            owner.status.setText(f"Cannot sweep: {exc}")
            return
        runs, seed = self.runs_box.value(), owner.seed_box.value()

        def job(**kw: Any) -> SweepResult:
            return sweep(scenario, param, values, runs=runs, seed=seed, variant=variant,
                         options=options, **kw)  # fmt: skip

        owner.start("sweep", len(values) * runs, job)

    def paint(self, result: SweepResult) -> None:
        key = self.kpi_box.currentText()
        x, numeric = sweep_x(result)
        scale = kpi_axis(key)[1]  # shares plot in %
        p10, p50, p90 = (p / scale for p in sweep_percentiles(result, key))
        color = QColor(VARIANT_COLORS[0])
        self.plot.plot(x, p50, pen=pg.mkPen(color, width=2), symbol="o", symbolBrush=color)
        bars = pg.ErrorBarItem(x=x, y=p50, top=p90 - p50, bottom=p50 - p10, beam=0.0, pen=color)
        self.plot.addItem(bars)
        self.plot.setLabel("left", axis_title(key))
        self.plot.setLabel("bottom", result.param.text)
        if not numeric:
            axis = self.plot.getAxis("bottom")
            axis.setTicks([[(i, str(v)) for i, v in enumerate(result.values)]])


class MonteCarloTab(QWidget):
    def __init__(self, owner: CompareWindow) -> None:
        super().__init__(owner)
        self.owner = owner
        self.result: MonteCarloResult | None = None
        self.runs_box = QSpinBox()
        self.runs_box.setRange(1, 100000)
        self.runs_box.setValue(200)
        self.variant_box = QComboBox()
        self.kpi_box = QComboBox()
        self.kpi_box.currentTextChanged.connect(lambda _t: self._histogram())
        run = QPushButton("Run Monte Carlo")
        run.clicked.connect(self.run)
        top = labelled_row(
            [("Seeds", self.runs_box), ("Variant", self.variant_box),
             ("Distribution of", self.kpi_box)],
            run, stretch=True,
        )  # fmt: skip
        self.fans = pg.GraphicsLayoutWidget()
        self.fan_plots: list[pg.PlotItem] = []
        for i, (title, unit, _name, _scale) in enumerate(FAN_GROUPS):
            item = self.fans.addPlot(row=i // 2, col=i % 2, title=f"{title} ({unit})")
            item.showGrid(x=True, y=True, alpha=0.25)
            if self.fan_plots:
                item.setXLink(self.fan_plots[0])
            self.fan_plots.append(item)
        self.hist = pg.PlotWidget()
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        bottom = QHBoxLayout()
        bottom.addWidget(self.hist, 1)
        bottom.addWidget(self.table, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.fans, 3)
        layout.addLayout(bottom, 2)

    def refresh(self, scenario: Scenario) -> None:
        self.variant_box.clear()
        self.variant_box.addItems([BASE_LABEL, *(v.name for v in scenario.variants)])

    def run(self) -> None:
        owner = self.owner
        inputs = study_inputs(owner, series=FAN_SERIES, max_points=240)
        if inputs is None:
            return
        scenario, options = inputs
        name = self.variant_box.currentText()
        variant = None if name == BASE_LABEL else name
        n, seed = self.runs_box.value(), owner.seed_box.value()

        def job(**kw: Any) -> MonteCarloResult:
            return monte_carlo(scenario, n, seed=seed, variant=variant, options=options, **kw)

        owner.start("montecarlo", n, job)

    def show_result(self, result: Any) -> None:
        self.result = result
        x, x_label = time_axis(result.times_s)
        color = QColor(VARIANT_COLORS[0])
        fill = QColor(color)
        fill.setAlphaF(0.25)
        for plot, (_title, _unit, name, scale) in zip(self.fan_plots, FAN_GROUPS, strict=True):
            plot.clear()
            plot.setLabel("bottom", x_label)
            if name not in result.bands:
                continue
            p10, p50, p90 = (result.bands[name][i] / scale for i in range(3))
            lo = plot.plot(x, p10, pen=pg.mkPen(fill))
            hi = plot.plot(x, p90, pen=pg.mkPen(fill))
            plot.addItem(pg.FillBetweenItem(lo, hi, brush=fill))
            plot.plot(x, p50, pen=pg.mkPen(color, width=2))
        header = ["KPI", "unit", "P10", "P50", "P90"]
        fill_table(self.table, header, percentile_rows(result), first_numeric_column=2)
        current = self.kpi_box.currentText()
        self.kpi_box.blockSignals(True)
        self.kpi_box.clear()
        self.kpi_box.addItems(list(result.kpis))
        self.kpi_box.setCurrentText(current if current in result.kpis else "total_cost_usd")
        self.kpi_box.blockSignals(False)
        self._histogram()

    def _histogram(self) -> None:
        self.hist.clear()
        result = self.result
        key = self.kpi_box.currentText()
        if result is None or key not in result.kpis:
            return
        values = result.kpis[key][np.isfinite(result.kpis[key])] / kpi_axis(key)[1]
        if values.size == 0:
            return
        counts, edges = np.histogram(values, bins=min(30, max(5, values.size // 5)))
        width = float(edges[1] - edges[0]) if len(edges) > 1 else 1.0
        bars = pg.BarGraphItem(
            x0=edges[:-1], width=width or 1.0, height=counts, brush=QColor(VARIANT_COLORS[0])
        )
        self.hist.addItem(bars)
        self.hist.setLabel("bottom", axis_title(key))
        self.hist.setLabel("left", "runs")


def declare_study(
    owner: CompareWindow, field: str, build: Callable[[Scenario], BaseModel], what: str
) -> bool:
    """Save the study a tab builds as the scenario's ``studies.<field>``: one undoable edit.

    ``what`` names it in the undo text and the status line ("optimization", "2-D sweep"); a
    setting the study refuses leaves the document as it was and says why.
    """
    if owner.push_command is None:
        return False
    try:
        scenario = owner.scenario()
        study = build(scenario)
    except (TwinError, ValidationError) as exc:
        owner.status.setText(f"Cannot declare: {exc}")
        return False
    studies = scenario.studies.model_copy(update={field: study})
    owner.push_command(SetPart(owner.document, "studies", studies, text=f"Declare {what}"))
    said = f"{what[:1].upper()}{what[1:]}"
    owner.status.setText(f"{said} declared: aifactory-twin-cli report runs it.")
    return True
