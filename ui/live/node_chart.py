"""The selected node's own mini-chart (temperature, power, utilization) for the inspector.

Reads ``engine.node_history(node_id)``: the recorder keeps per-node series at a coarser stride
than the aggregates, so this chart is as detailed as the recorder chose to be.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.charts.axes import TimeAxisItem, format_value

_SERIES: tuple[tuple[str, str, str, str, int], ...] = (
    # (history key, label, colour, readout unit, view: 0 = left °C, 1 = right kW)
    ("temp_c", "Temp", "#E0483E", "°C", 0),
    ("power_kw", "Power", "#E09400", "kW", 1),
)


class NodeHistoryChart(QWidget):
    """A 140-px tall chart of one node's recorded history."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.node_id = ""
        self.title = QLabel("Select a node to see its history while simulating")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size: 8pt;")
        self.plot_widget = pg.PlotWidget(axisItems={"bottom": TimeAxisItem()})
        self.plot_widget.setMinimumHeight(120)
        self.plot_widget.setMaximumHeight(170)
        plot = self.plot_widget.getPlotItem()
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.getAxis("left").setLabel("°C")
        plot.showAxis("right")
        plot.getAxis("right").setLabel("kW")
        self._right = pg.ViewBox(enableMenu=False)
        self._right.setParentItem(plot)
        self._right.setXLink(plot.vb)
        plot.getAxis("right").linkToView(self._right)
        plot.vb.sigResized.connect(self._sync)
        self.curves: dict[str, pg.PlotDataItem] = {}
        for key, label, color, _unit, view in _SERIES:
            pen = pg.mkPen(color, width=1)
            curve = pg.PlotDataItem(pen=pen, name=label)
            (plot.vb if view == 0 else self._right).addItem(curve)
            self.curves[key] = curve
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.plot_widget)
        self.set_dark(False)

    def _sync(self) -> None:
        plot = self.plot_widget.getPlotItem()
        self._right.setGeometry(plot.vb.geometry())
        self._right.linkedViewChanged(plot.vb, self._right.XAxis)

    def set_dark(self, dark: bool) -> None:
        self.plot_widget.setBackground("#1B1E23" if dark else "#FFFFFF")

    def show_node(self, node_id: str, engine: Any | None) -> None:
        """Plot ``node_id``'s history from ``engine`` (None or unknown id clears the chart)."""
        self.node_id = node_id
        history: dict[str, np.ndarray] = {}
        if engine is not None and node_id and node_id in engine.node_ids:
            history = engine.node_history(node_id)
        times_s = history.get("times_s")
        if times_s is None or len(times_s) == 0:
            for curve in self.curves.values():
                curve.setData([], [])
            self.title.setText(
                f"{node_id}: no history yet — press Run" if node_id else "No node selected"
            )
            return
        parts = [f"<b>{node_id}</b>"]
        for key, label, color, unit, _view in _SERIES:
            values = history.get(key)
            if values is None:
                self.curves[key].setData([], [])
                continue
            self.curves[key].setData(times_s, values)
            reading = format_value(float(values[-1]), unit)
            parts.append(f"<span style='color:{color}'>■</span> {label} {reading}")
        util = history.get("utilization")
        if util is not None and len(util):
            parts.append(f"util {format_value(float(util[-1]), '%')}")
        self.title.setText("&nbsp;&nbsp;".join(parts))
