"""The selected node's own mini-chart, shown inside the inspector below the node's form.

Reads ``engine.node_history(node_id)``: the recorder keeps per-node series at a coarser stride
than the aggregates, so this chart is as detailed as the recorder chose to be. The live view
owns the widget and calls ``show_node`` on selection changes and on its panel-refresh timer
(never per simulation step); the inspector only gives it a place (``set_node_footer``).

Only racks and cooling units have a temperature in the engine's per-node view (racks: junction
temperature, cooling units: supply set-point; every other kind records 0), so the temperature
curve and its axis are shown for those kinds only. Racks also get their throttle and shutdown
lines (the rack's own ``slowdown_c`` / ``shutdown_c``, as compiled).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.charts.axes import TimeAxisItem, format_value
from ui.charts.markers import EventMarks, MarkerLayer
from ui.theme import DARK, LIGHT, style_plots

TEMP_COLOR = "#E0483E"
POWER_COLOR = "#2F6FDE"  # blue: amber is taken by the throttle line
THROTTLE_COLOR = "#E5A100"
SHUTDOWN_COLOR = "#B0102A"
PLOT_MIN_HEIGHT_PX = 80
PLOT_HEIGHT_PX = 100  # initial height; the inspector's splitter lets the user change it
_Y_HEADROOM = 1.08  # the top of each axis sits 8 % above its highest value


def _pen(color: str, dashed: bool = False) -> Any:
    # 1-px cosmetic pens, as in the big charts (issue 5: wider pens were measured 10× slower).
    pen = pg.mkPen(color, width=1)
    pen.setCosmetic(True)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def _padded(lo: float, hi: float) -> tuple[float, float]:
    if not np.isfinite(lo) or not np.isfinite(hi):
        return 0.0, 1.0
    if hi <= lo:
        return lo - 1.0, hi + 1.0
    return lo - 0.04 * (hi - lo), hi * _Y_HEADROOM if hi > 0 else hi + 0.04 * (hi - lo)


class NodeHistoryChart(QWidget):
    """A compact chart of one node's recorded temperature (°C, left) and power (kW, right)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("node_history_chart")
        self.node_id = ""
        self.thresholds_c: tuple[float, float] | None = None  # (throttle, shutdown) for racks
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size: 8pt;")
        self.plot_widget = pg.PlotWidget(axisItems={"bottom": TimeAxisItem()})
        self.plot_widget.setMinimumHeight(PLOT_MIN_HEIGHT_PX)
        plot = self.plot_widget.getPlotItem()
        plot.hideButtons()
        plot.setMenuEnabled(False)
        # A mini-chart in a scrolling form: the wheel scrolls the form, it does not zoom.
        plot.setMouseEnabled(x=False, y=False)
        plot.vb.disableAutoRange()
        plot.getAxis("left").setLabel("°C")
        plot.showAxis("right")
        plot.getAxis("right").setLabel("kW")
        self._right = pg.ViewBox(enableMenu=False, enableMouse=False)
        self._right.disableAutoRange()
        self._right.setParentItem(plot)
        self._right.setXLink(plot.vb)
        plot.getAxis("right").linkToView(self._right)
        self.markers = MarkerLayer(plot)
        plot.vb.sigResized.connect(self._sync)
        self.curves: dict[str, pg.PlotDataItem] = {
            "temp_c": pg.PlotDataItem(pen=_pen(TEMP_COLOR), name="Temp"),
            "power_kw": pg.PlotDataItem(pen=_pen(POWER_COLOR), name="Power"),
        }
        plot.vb.addItem(self.curves["temp_c"])
        self._right.addItem(self.curves["power_kw"])
        self.lines = {
            "throttle": pg.InfiniteLine(angle=0, movable=False, pen=_pen(THROTTLE_COLOR, True)),
            "shutdown": pg.InfiniteLine(angle=0, movable=False, pen=_pen(SHUTDOWN_COLOR, True)),
        }
        for line in self.lines.values():
            plot.vb.addItem(line, ignoreBounds=True)
            line.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.plot_widget)
        self.set_dark(False)
        self.setVisible(False)

    def sizeHint(self) -> QSize:
        # pyqtgraph's own hint is a 640×480 plot; a splitter would hand the chart that much.
        title_px = self.title.sizeHint().height()
        return QSize(super().sizeHint().width(), title_px + PLOT_HEIGHT_PX + 8)

    def _sync(self) -> None:
        plot = self.plot_widget.getPlotItem()
        for vb in (self._right, self.markers.vb):
            vb.setGeometry(plot.vb.geometry())
            vb.linkedViewChanged(plot.vb, vb.XAxis)

    def set_dark(self, dark: bool) -> None:
        theme = DARK if dark else LIGHT
        style_plots(self.plot_widget, [self.plot_widget.getPlotItem()], theme)

    def show_node(self, node_id: str, engine: Any | None, marks: EventMarks | None = None) -> None:
        """Plot ``node_id``'s history from ``engine``; hidden when there is nothing to plot.

        Nothing to plot: no node (or several) selected, no engine, a node the running engine
        does not know (added after the run started), or no recorded sample yet. ``marks``
        (the live charts' events) puts this node's events on the chart.
        """
        self.markers.show(marks.by_color(node_id) if marks is not None and node_id else {})
        self.node_id = node_id
        history: dict[str, np.ndarray] = {}
        if engine is not None and node_id and node_id in engine.compiled.index:
            history = engine.node_history(node_id)
        times_s = history.get("times_s")
        if engine is None or times_s is None or len(times_s) == 0:
            for curve in self.curves.values():
                curve.setData([], [])
            self.setVisible(False)
            return
        compiled = engine.compiled
        index = compiled.index[node_id]
        racks = np.flatnonzero(compiled.racks.node == index)
        has_temp = racks.size > 0 or bool(np.any(compiled.plant.unit_node == index))
        self.thresholds_c = (
            (float(compiled.racks.slowdown_c[racks[0]]), float(compiled.racks.shutdown_c[racks[0]]))
            if racks.size
            else None
        )
        self._plot(history, times_s, has_temp)
        self._set_title(history, has_temp)
        self.setVisible(True)

    def _plot(self, history: dict[str, np.ndarray], times_s: np.ndarray, has_temp: bool) -> None:
        plot = self.plot_widget.getPlotItem()
        power = history["power_kw"]
        self.curves["power_kw"].setData(times_s, power)
        temp = history["temp_c"]
        if has_temp:
            self.curves["temp_c"].setData(times_s, temp)
        else:
            self.curves["temp_c"].setData([], [])
        plot.getAxis("left").setStyle(showValues=has_temp)
        plot.getAxis("left").setLabel("°C" if has_temp else "")
        # Ranges are set here rather than auto-ranged: the temperature axis must reach the
        # shutdown line so the headroom is visible, and a fixed range costs nothing per refresh.
        start_s, end_s = float(times_s[0]), float(times_s[-1])
        plot.vb.setXRange(start_s, end_s if end_s > start_s else start_s + 1.0, padding=0)
        self._right.setYRange(*_padded(0.0, float(np.nanmax(power))), padding=0)
        if has_temp:
            lo, hi = float(np.nanmin(temp)), float(np.nanmax(temp))
            if self.thresholds_c is not None:
                hi = max(hi, self.thresholds_c[1])
            plot.vb.setYRange(*_padded(lo, hi), padding=0)
        for key, value in zip(("throttle", "shutdown"), self.thresholds_c or (), strict=False):
            self.lines[key].setValue(value)
        for line in self.lines.values():
            line.setVisible(self.thresholds_c is not None)

    def _set_title(self, history: dict[str, np.ndarray], has_temp: bool) -> None:
        parts = [f"<b>{self.node_id}</b> history"]
        if has_temp:
            reading = format_value(float(history["temp_c"][-1]), "°C")
            parts.append(f"<span style='color:{TEMP_COLOR}'>■</span> {reading}")
        reading = format_value(float(history["power_kw"][-1]), "kW")
        parts.append(f"<span style='color:{POWER_COLOR}'>■</span> {reading}")
        util = history.get("utilization")
        if util is not None and len(util):
            parts.append(f"util {format_value(float(util[-1]), '%')}")
        if self.thresholds_c is not None:
            throttle_c, shutdown_c = self.thresholds_c
            lines = (
                f"<br><span style='color:{THROTTLE_COLOR}'>╌╌</span> throttle {throttle_c:g} °C"
                f"&nbsp;&nbsp;<span style='color:{SHUTDOWN_COLOR}'>╌╌</span> shutdown "
                f"{shutdown_c:g} °C"
            )
        else:
            lines = ""
        self.title.setText("&nbsp;&nbsp;".join(parts) + lines)
