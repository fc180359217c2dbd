"""The Tornado tab of the studio: decisions under uncertainty.

Latin-hypercube samples of the scenario's uncertain inputs for variants A and B (the same
draws for both); a tornado chart of what moves the chosen KPI most (each input at its P10 and
P90, the others at their medians, on variant A) and the probability that B beats A. Clicking a
bar selects its input: the detail line gives its P10/P90 values and the KPI at each, and
"Sweep this input" opens the Sweep tab on that field over its P10–P90 range, on variant A.
Inputs are declared here too (each Add/Remove is one undoable edit of the document's
``uncertain`` part), and "Declare for report" saves the samples and the A/B pair as the
scenario's ``studies.uncertainty`` (the tab opens on them).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
)

from aifactory_twin.commands import SetPart
from aifactory_twin.errors import TwinError, UsageError
from aifactory_twin.kpi_registry import format_kpi, kpi_info
from aifactory_twin.schema import Scenario, UncertainInput, UncertaintyStudy
from aifactory_twin.study import BASE_LABEL, FAN_SERIES, resolve_variants
from aifactory_twin.study.uncertainty import (
    NO_VALUE_TEXT,
    TIME_KPI,
    TORNADO_KPIS,
    TornadoBar,
    UncertaintyResult,
    check_inputs,
    input_text,
    parse_uncertain,
    uncertainty,
)
from ui.compare.study_tabs import (
    ResultTab,
    axis_title,
    declare_study,
    fill_table,
    labelled_row,
    study_inputs,
)
from ui.report_content import kpi_axis
from ui.report_studies import tie_share
from ui.report_study_charts import HIGH_COLOR, LOW_COLOR

if TYPE_CHECKING:
    from ui.compare.compare_view import CompareWindow

GRAY = QColor("#9A9A9A")
# KPIs offered in the tornado's box besides the cost ones the CLI defaults to.
TORNADO_EXTRA = ("energy_cost_usd", "pue", "availability", "carbon_t_co2")
# Values a "Sweep this input" fills in: this many from the input's P10 to its P90.
SWEEP_POINTS = 5


class TornadoBarItem(pg.BarGraphItem):  # type: ignore[misc]  # pyqtgraph ships no type hints
    """One end of a tornado bar; a left click selects its input (``row`` in the ranking)."""

    def __init__(self, row: int, on_click: Any, **opts: Any) -> None:
        super().__init__(**opts)
        self.row = row
        self._on_click = on_click

    def mouseClickEvent(self, ev: Any) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._on_click(self.row)


def _value(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def sweep_values_text(spec: UncertainInput, bar: TornadoBar) -> str:
    """What the Sweep tab's values box gets: every choice, or P10:P90:N for a number."""
    if spec.distribution == "choice":
        return ",".join(str(v) for v in spec.values)
    return f"{_value(bar.low_value)}:{_value(bar.high_value)}:{SWEEP_POINTS}"


class TornadoTab(ResultTab):
    def __init__(self, owner: CompareWindow) -> None:
        super().__init__(owner)
        self.owner = owner
        self.result: UncertaintyResult | None = None
        self.bars: list[TornadoBar] = []
        self.bar_labels: list[str] = []
        self.selected: TornadoBar | None = None
        self.samples_box = QSpinBox()
        self.samples_box.setRange(1, 100_000)
        self.samples_box.setValue(200)
        self.a_box = QComboBox()
        self.b_box = QComboBox()
        self.kpi_box = QComboBox()
        self.kpi_box.setEditable(True)
        self.kpi_box.addItems(list(dict.fromkeys([*TORNADO_KPIS[:1], TIME_KPI, *TORNADO_KPIS,
                                                  *TORNADO_EXTRA])))  # fmt: skip
        self.kpi_box.currentTextChanged.connect(lambda _t: self.redraw())
        self.run_button = QPushButton("Run uncertainty")
        self.run_button.clicked.connect(self.run)
        self.declare_button = QPushButton("Declare for report")
        self.declare_button.setToolTip(
            "Save these samples and the A/B pair in the scenario (studies.uncertainty): "
            "aifactory-twin-cli report samples the uncertain inputs this way"
        )
        self.declare_button.clicked.connect(lambda: self.declare())
        self._declared_shown = False
        top = labelled_row(
            [("Samples", self.samples_box), ("A", self.a_box), ("B", self.b_box),
             ("KPI", self.kpi_box)],
            self.run_button, self.declare_button, stretch=True,
        )  # fmt: skip
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
        self.detail = QLabel("Click a bar to see that input's values and effect.")
        self.detail.setObjectName("tornado_detail")
        self.detail.setWordWrap(True)
        self.sweep_button = QPushButton("Sweep this input")
        self.sweep_button.setToolTip("Open the Sweep tab on the selected input's P10–P90 range")
        self.sweep_button.setEnabled(False)
        self.sweep_button.clicked.connect(lambda: self.sweep_selected())
        detail_row = QHBoxLayout()
        detail_row.addWidget(self.detail, 1)
        detail_row.addWidget(self.sweep_button)
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
        layout.addLayout(detail_row)
        layout.addWidget(split, 1)

    def refresh(self, scenario: Scenario) -> None:
        names = [BASE_LABEL, *(v.name for v in scenario.variants)]
        for box, pick in ((self.a_box, 1), (self.b_box, 2)):
            current = box.currentText()
            box.clear()
            box.addItems(names)
            box.setCurrentText(current if current in names else names[min(pick, len(names) - 1)])
        # A first look shows the settings the scenario declares (the report's), if any.
        declared = scenario.studies.uncertainty if not self._declared_shown else None
        self._declared_shown = True
        if declared is not None:
            self.samples_box.setValue(declared.samples)
            for box, name in zip((self.a_box, self.b_box), declared.compare or (), strict=False):
                if name in names:
                    box.setCurrentText(name)
        self.declare_button.setEnabled(self.owner.push_command is not None)
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

    def declare(self) -> bool:
        """Save the samples and the A/B pair as the scenario's studies.uncertainty: undoable."""
        return declare_study(self.owner, "uncertainty", self._study, "uncertainty study")

    def _study(self, scenario: Scenario) -> UncertaintyStudy:
        pair = (self.a_box.currentText(), self.b_box.currentText())
        resolve_variants(scenario, list(pair))
        return UncertaintyStudy(samples=self.samples_box.value(), compare=pair)

    def run(self) -> None:
        owner = self.owner
        a, b = self.a_box.currentText(), self.b_box.currentText()
        variants = [a] if a == b else [a, b]
        # The fan series give the report and slides P10/P50/P90 bands over time.
        inputs = study_inputs(owner, series=FAN_SERIES, max_points=240)
        if inputs is None:
            return
        scenario, options = inputs
        n, seed = self.samples_box.value(), owner.seed_box.value()
        total = n * len(variants) + 2 * len(scenario.uncertain) + 1

        def job(**kw: Any) -> UncertaintyResult:
            return uncertainty(scenario, n, variants=variants, seed=seed, options=options, **kw)

        owner.start("uncertainty", total, job)

    def paint(self, result: UncertaintyResult) -> None:
        key = self.kpi_box.currentText()
        scale = kpi_axis(key)[1]
        self.bars = [b for b in result.tornado(key) if np.isfinite(b.swing) or b.one_end_missing]
        center = result.tornado_center.get(key, math.nan)
        n = len(self.bars)
        chosen = self.selected.label if self.selected is not None else None
        far = self._no_value_end(key, center)
        for row, bar in enumerate(self.bars):
            y = n - 1 - row  # largest effect on top
            ends = [v for v in (bar.kpi_at_low, bar.kpi_at_high) if math.isfinite(v)]
            mid = center if math.isfinite(center) else sum(ends) / len(ends)
            outline = (
                pg.mkPen(self.palette().text().color(), width=3) if bar.label == chosen else None
            )
            bar_ends = ((0, bar.kpi_at_low, LOW_COLOR), (1, bar.kpi_at_high, HIGH_COLOR))
            # A missing end first, so a value on the same side is drawn over its hatching.
            for end, value, color in sorted(bar_ends, key=lambda e: math.isfinite(e[1])):
                # No value (nothing trained within the horizon): hatched, out to the worse side.
                brush = color if math.isfinite(value) else QBrush(color, Qt.BrushStyle.BDiagPattern)
                left, right = sorted(
                    (mid / scale, (value if math.isfinite(value) else far) / scale)
                )
                item = TornadoBarItem(
                    row, self.select_row, x0=[left], width=[max(right - left, 1e-12)], y=[y],
                    height=0.6, brush=brush, pen=outline or pg.mkPen(color.darker(130)),
                )  # fmt: skip
                item.setObjectName(f"tornado_bar_{row}_{end}")
                if not math.isfinite(value):
                    item.setToolTip(f"{bar.label} at its {('P10', 'P90')[end]}: {NO_VALUE_TEXT}")
                self.plot.addItem(item)
        if math.isfinite(center):
            self.plot.addItem(pg.InfiniteLine(center / scale, angle=90, pen=pg.mkPen(GRAY)))
        self.bar_labels = [b.label for b in self.bars]
        axis = self.plot.getAxis("left")
        axis.setTicks([[(n - 1 - i, label) for i, label in enumerate(self.bar_labels)]])
        self.plot.setLabel("bottom", axis_title(key))
        self.plot.setTitle("Each input at its P10 (blue) and P90 (orange), others at medians")
        self.readout.setText(self._readout(result, key))
        header = ["variant", "P10", "P50", "P90"]
        rows = []
        for label in result.labels:
            p10, p50, p90 = result.percentiles(label).get(key, (math.nan,) * 3)
            rows.append([label, *(format_kpi(key, v) for v in (p10, p50, p90))])
        fill_table(self.table, header, rows, first_numeric_column=1)
        self._show_detail(key)

    def _no_value_end(self, key: str, center: float) -> float:
        """Where a bar end without a value stops: past every value, on the KPI's worse side."""
        values = [
            v for b in self.bars for v in (b.kpi_at_low, b.kpi_at_high, center) if math.isfinite(v)
        ]
        if not values:
            return 1.0
        lo, hi = min(values), max(values)
        pad = (hi - lo) * 0.5 or abs(hi) * 0.1 or 1.0
        return lo - pad if kpi_info(key).better == "higher" else hi + pad

    def _readout(self, result: UncertaintyResult, key: str) -> str:
        lines = []
        if len(result.labels) == 2:
            a, b = result.labels
            try:
                p = result.probability_better(a, b, key)
            except UsageError:
                p = math.nan
            chance = "—" if not math.isfinite(p) else f"{p * 100:.0f} %"
            ties = tie_share(result, key) if math.isfinite(p) else 0.0
            lines.append(
                f"P({b} beats {a} on {kpi_info(key).label.lower()}) = {chance} "
                f"over {len(result.seeds)} paired samples"
                + (f" ({ties * 100:.0f} % ties)" if ties > 0 else "")
            )
        missing = [b.label for b in result.tornado(key) if b.one_end_missing]
        if missing:
            lines.append(f"{', '.join(missing)}: {NO_VALUE_TEXT} at one end (hatched bar)")
        neither = [
            b.label
            for b in result.tornado(key)
            if not b.one_end_missing and not math.isfinite(b.swing)
        ]
        if neither:
            lines.append(f"no {kpi_info(key).label.lower()} at either end of {', '.join(neither)}")
        return "; ".join(lines) or f"{len(result.seeds)} samples of {result.labels[0]}"

    # ------------------------------------------------------------------ selection
    def select_row(self, row: int) -> None:
        """Select the input of bar ``row`` (0 = largest swing): detail line, Sweep this input."""
        if 0 <= row < len(self.bars):
            self.selected = self.bars[row]
            self.redraw()

    def _show_detail(self, key: str) -> None:
        """The selected input's P10/P90 values and the KPI at each (it follows the KPI box)."""
        result = self.result
        label = self.selected.label if self.selected is not None else None
        bar = next((b for b in self.bars if b.label == label), None)
        self.selected = bar
        self.sweep_button.setEnabled(bar is not None)
        if bar is None or result is None:
            self.detail.setText("Click a bar to see that input's values and effect.")
            return
        center = result.tornado_center.get(key, math.nan)
        self.detail.setText(
            f"{bar.label}: P10 {_value(bar.low_value)} → {kpi_info(key).label.lower()} "
            f"{format_kpi(key, bar.kpi_at_low)}; P90 {_value(bar.high_value)} → "
            f"{format_kpi(key, bar.kpi_at_high)}; swing {format_kpi(key, bar.swing)} "
            f"(all inputs at medians: {format_kpi(key, center)}, on {result.labels[0]})"
        )

    def sweep_selected(self) -> bool:
        """Open the Sweep tab on the selected input's field, over its P10–P90 range."""
        result, bar = self.result, self.selected
        if result is None or bar is None:
            return False
        spec = next(s for s in result.inputs if s.label == bar.label)
        sweep_tab = self.owner.sweep_tab
        sweep_tab.param_box.setCurrentText(bar.label)
        sweep_tab.values_edit.setText(sweep_values_text(spec, bar))
        sweep_tab.variant_box.setCurrentText(result.labels[0])  # the tornado's variant
        key = self.kpi_box.currentText()
        if sweep_tab.kpi_box.findText(key) < 0:
            sweep_tab.kpi_box.addItem(key)
        sweep_tab.kpi_box.setCurrentText(key)
        self.owner.tabs.setCurrentWidget(sweep_tab)
        self.owner.status.setText(f"Sweep {bar.label} over its P10–P90 range: press Run sweep.")
        return True
