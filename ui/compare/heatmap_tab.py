"""The Heat map tab of the studio: a KPI over two parameters (a 2-D sweep).

Two parameters (as in the Sweep tab: NODE_ID.FIELD with values or START:STOP:N), seeds per
point, on the base or a variant (as the Sweep tab); the map shows the chosen KPI's median across
seeds in each cell, with the value written in the cell, and a colour bar. Cells where the runs
report no value (a job that never finished) stay blank.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from aifactory_twin.errors import TwinError
from aifactory_twin.kpi_registry import format_kpi, kpi_info
from aifactory_twin.schema import Scenario, Sweep2DStudy
from aifactory_twin.study import BASE_LABEL, SweepParam, parse_param, parse_range, parse_values
from aifactory_twin.study.optimize import check_kpi
from aifactory_twin.study.params import check_param_values
from aifactory_twin.study.sweep2d import Sweep2DResult, sweep2d
from ui.compare.study_tabs import declare_study, suggested_params
from ui.report_charts import nice_ticks
from ui.report_content import SWEEP_KPIS
from ui.report_study_charts import text_on, viridis

if TYPE_CHECKING:
    from ui.compare.compare_view import CompareWindow


def _values(text: str, option: str) -> list[Any]:
    return parse_range(text, option) if ":" in text else parse_values(text, option)


class HeatmapTab(QWidget):
    def __init__(self, owner: CompareWindow) -> None:
        super().__init__(owner)
        self.owner = owner
        self.result: Sweep2DResult | None = None
        self.x_box, self.y_box = QComboBox(), QComboBox()
        for box in (self.x_box, self.y_box):
            box.setEditable(True)
            box.setMinimumWidth(240)
        self.x_values, self.y_values = QLineEdit(), QLineEdit()
        for edit in (self.x_values, self.y_values):
            edit.setPlaceholderText("1,2,4 or 8:64:8")
        self.runs_box = QSpinBox()
        self.runs_box.setRange(1, 1000)
        self.runs_box.setValue(1)
        self.variant_box = QComboBox()
        self.variant_box.setObjectName("heatmap_variant")
        self.variant_box.setToolTip("Sweep on top of this variant (base: the scenario as it is)")
        self.kpi_box = QComboBox()
        self.kpi_box.setEditable(True)
        self.kpi_box.addItems([*SWEEP_KPIS, "training_time_days"])
        self.kpi_box.currentTextChanged.connect(lambda _t: self._draw())
        self.run_button = QPushButton("Run 2-D sweep")
        self.run_button.clicked.connect(self.run)
        self.declare_button = QPushButton("Declare for report")
        self.declare_button.setToolTip(
            "Save this grid in the scenario (studies.sweep2d): aifactory-twin-cli report runs "
            "it and shows its heat map"
        )
        self.declare_button.clicked.connect(lambda: self.declare())
        row1, row2 = QHBoxLayout(), QHBoxLayout()
        for row, label, box, values in (
            (row1, "x", self.x_box, self.x_values),
            (row2, "y", self.y_box, self.y_values),
        ):
            row.addWidget(QLabel(label))
            row.addWidget(box)
            row.addWidget(QLabel("values"))
            row.addWidget(values, 1)
        row1.addWidget(QLabel("Seeds per point"))
        row1.addWidget(self.runs_box)
        row1.addWidget(QLabel("Variant"))
        row1.addWidget(self.variant_box)
        row2.addWidget(QLabel("KPI"))
        row2.addWidget(self.kpi_box)
        row2.addWidget(self.run_button)
        row2.addWidget(self.declare_button)
        self.view = pg.GraphicsLayoutWidget()
        self.plot = self.view.addPlot(row=0, col=0)
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(colorMap=pg.colormap.get("viridis"), interactive=False)
        self.colorbar.setImageItem(self.image, insert_in=self.plot)
        self.colorbar.axis.setWidth(72)  # room for "$1.23M"-wide tick values
        self.labels: list[pg.TextItem] = []
        layout = QVBoxLayout(self)
        layout.addLayout(row1)
        layout.addLayout(row2)
        layout.addWidget(self.view, 1)

    def refresh(self, scenario: Scenario) -> None:
        params = suggested_params(scenario)
        self.declare_button.setEnabled(self.owner.push_command is not None)
        # A first look shows the 2-D sweep the scenario declares (the report's), if any.
        declared = scenario.studies.sweep2d if not self.x_values.text() else None
        for box, pick in ((self.x_box, 0), (self.y_box, 1)):
            current = box.currentText()
            box.clear()
            box.addItems(params)
            box.setCurrentText(current or (params[pick] if len(params) > pick else ""))
        names = [BASE_LABEL, *(v.name for v in scenario.variants)]
        current = self.variant_box.currentText()
        self.variant_box.clear()
        self.variant_box.addItems(names)
        self.variant_box.setCurrentText(current if current in names else BASE_LABEL)
        if declared is not None:
            self.x_box.setCurrentText(declared.x)
            self.y_box.setCurrentText(declared.y)
            self.x_values.setText(",".join(str(v) for v in declared.x_values))
            self.y_values.setText(",".join(str(v) for v in declared.y_values))
            self.kpi_box.setCurrentText(declared.kpi)
            self.runs_box.setValue(declared.runs)
            if declared.variant in names:
                self.variant_box.setCurrentText(declared.variant)

    def _read(self, scenario: Scenario) -> tuple[SweepParam, list[Any], SweepParam, list[Any]]:
        """The two parameters and their values, checked on the chosen variant (TwinError)."""
        x = parse_param(scenario, self.x_box.currentText(), "x")
        y = parse_param(scenario, self.y_box.currentText(), "y")
        xv = _values(self.x_values.text(), "x values")
        yv = _values(self.y_values.text(), "y values")
        check_param_values(scenario, self.variant(), x, xv, "x")
        check_param_values(scenario, self.variant(), y, yv, "y")
        return x, xv, y, yv

    def variant(self) -> str | None:
        """The variant the grid is swept on (None: the base)."""
        name = self.variant_box.currentText()
        return None if name == BASE_LABEL else name

    def declare(self) -> bool:
        """Save the tab's grid in the scenario's studies (the report's heat map): undoable."""
        return declare_study(self.owner, "sweep2d", self._study, "2-D sweep")

    def _study(self, scenario: Scenario) -> Sweep2DStudy:
        x, xv, y, yv = self._read(scenario)
        kpi = check_kpi(self.kpi_box.currentText(), "KPI")
        return Sweep2DStudy.model_validate({
            "x": x.text, "x_values": xv, "y": y.text, "y_values": yv, "kpi": kpi,
            "runs": self.runs_box.value(), "variant": self.variant(),
        })  # fmt: skip

    def run(self) -> None:
        owner = self.owner
        try:
            scenario = owner.scenario()
            x, xv, y, yv = self._read(scenario)
            variant = self.variant()
            options = owner.options(series=())
        except TwinError as exc:
            owner.status.setText(f"Cannot sweep: {exc}")
            return
        runs, seed = self.runs_box.value(), owner.seed_box.value()

        def job(**kw: Any) -> Sweep2DResult:
            return sweep2d(scenario, x, xv, y, yv, runs=runs, seed=seed, variant=variant,
                           options=options, **kw)  # fmt: skip

        owner.start("sweep2d", len(xv) * len(yv) * runs, job)

    def show_result(self, result: Any) -> None:
        self.result = result
        self._draw()

    def _draw(self) -> None:
        for label in self.labels:
            self.plot.removeItem(label)
        self.labels = []
        result = self.result
        if result is None:
            return
        key = self.kpi_box.currentText()
        grid = result.grid(key)
        finite = grid[np.isfinite(grid)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if high <= low:
            high = low + (abs(low) * 0.01 or 1.0)
        self.image.setImage(np.where(np.isfinite(grid), grid, np.nan), levels=(low, high))
        self.colorbar.setLevels((low, high))
        # The colour bar's values in the KPI's own format ($12.0k, 99.2 %), like the cells.
        ticks = [t for t in nice_ticks(low, high, 5) if low <= t <= high]
        self.colorbar.axis.setTicks([[(t, format_kpi(key, t)) for t in ticks]])
        # Each value in black or white, whichever reads on its cell's colour.
        shades = viridis(np.clip((np.nan_to_num(grid, nan=low) - low) / (high - low), 0, 1).ravel())
        for i, _x in enumerate(result.x_values):
            for j, _y in enumerate(result.y_values):
                text = pg.TextItem(format_kpi(key, float(grid[i, j])), anchor=(0.5, 0.5),
                                   color=text_on(shades[i * len(result.y_values) + j]))  # fmt: skip
                text.setPos(i + 0.5, j + 0.5)
                self.plot.addItem(text)
                self.labels.append(text)
        self.plot.getAxis("bottom").setTicks(
            [[(i + 0.5, str(v)) for i, v in enumerate(result.x_values)]]
        )
        self.plot.getAxis("left").setTicks(
            [[(j + 0.5, str(v)) for j, v in enumerate(result.y_values)]]
        )
        self.plot.setLabel("bottom", result.x.text)
        self.plot.setLabel("left", result.y.text)
        self.plot.setTitle(
            f"{kpi_info(key).label} in {result.variant or BASE_LABEL}: median over "
            f"{len(result.seeds)} seed(s)"
        )
