"""The four live charts (power, heat, utilization, cost) with linked time axes and a crosshair.

Speed rules from issue 5: preallocated buffers (``SeriesBuffers``), one ``setData`` per curve per
redraw, redraw on a ≤ 30 Hz timer and only when the recorder has new rows, 1-px cosmetic pens
without antialiasing (a 2-px pen was measured 10× slower), clip to view and peak downsampling.
Secondary y axes live in extra ViewBoxes parented to their PlotItem, so an export of one chart
(PNG/SVG) includes every curve of that chart.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QToolTip, QVBoxLayout, QWidget

from ui.charts.axes import TimeAxisItem, format_sim_time, format_value
from ui.charts.buffers import RecorderLike, SeriesBuffers
from ui.charts.markers import Describer, EventLike, EventMarks, MarkerLayer
from ui.charts.scrubber import TimelineScrubber
from ui.charts.specs import CHART_SPECS, ChartSpec, CurveSpec, required_series
from ui.theme import DARK, LIGHT

REDRAW_INTERVAL_MS = 33  # ≤ 30 redraws per second
EMPTY_SPAN_S = 3600.0  # time shown before a run has data
HOVER_PX = 4.0  # an event marker this close to the mouse is "under" it
HOVER_MAX_EVENTS = 6
CHART_TIME_SHARE = 0.2
"""Redraw no more often than keeps data copying + painting under this share of wall time, so
on a slow machine or a huge run the charts update less often instead of starving input."""


class _TimedLayoutWidget(pg.GraphicsLayoutWidget):  # type: ignore[misc]  # pyqtgraph: untyped
    """Remembers how long its last paint took (the adaptive redraw rate needs it)."""

    last_paint_ms = 0.0

    def paintEvent(self, ev: Any) -> None:
        start = time.perf_counter()
        super().paintEvent(ev)
        self.last_paint_ms = (time.perf_counter() - start) * 1000.0


def _pen(color: str) -> pg.QtGui.QPen:
    pen = pg.mkPen(color, width=1)
    pen.setCosmetic(True)
    return pen


class ReadoutLabel(pg.LabelItem):  # type: ignore[misc]  # pyqtgraph ships no type hints
    """A label that wraps to the chart's width instead of widening the whole layout."""

    LINES = 2

    def updateMin(self) -> None:
        width = max(float(self.rect().width()), 80.0)
        self.item.setTextWidth(width)
        line_px = self.item.document().documentLayout().documentSize().height()
        height = min(line_px, 16.0 * self.LINES + 6.0)
        self.setMinimumWidth(0)
        self.setMinimumHeight(16.0 * self.LINES + 6.0)
        self.setMaximumHeight(16.0 * self.LINES + 6.0)
        self._sizeHint = {
            Qt.SizeHint.MinimumSize: (0, height),
            Qt.SizeHint.PreferredSize: (0, height),
            Qt.SizeHint.MaximumSize: (1e6, height),
            Qt.SizeHint.MinimumDescent: (0, 0),
        }


class LiveChart:
    """One PlotItem with up to three y axes, its curves, a cursor line and a readout label."""

    def __init__(self, spec: ChartSpec, layout: pg.GraphicsLayout, row: int, col: int) -> None:
        self.spec = spec
        self.label = ReadoutLabel(justify="left", size="8pt")
        layout.addItem(self.label, row=row, col=col)
        self.plot = pg.PlotItem(axisItems={"bottom": TimeAxisItem()})
        layout.addItem(self.plot, row=row + 1, col=col)
        self.plot.setMenuEnabled(True)
        # No grid: measured on the four charts offscreen, grid lines took paint time from 27 to
        # 63 ms per redraw; the crosshair readout gives exact values instead.
        self.plot.setClipToView(True)
        self.plot.setDownsampling(auto=True, mode="peak")
        self.plot.hideButtons()
        self.view_boxes: list[pg.ViewBox] = [self.plot.vb]
        self.axes: list[pg.AxisItem] = [self.plot.getAxis("left")]
        for index, axis_spec in enumerate(spec.axes):
            if index == 0:
                axis = self.plot.getAxis("left")
            elif index == 1:
                self.plot.showAxis("right")
                axis = self.plot.getAxis("right")
                self._add_view_box(axis)
            else:
                axis = pg.AxisItem("right")
                self.plot.layout.addItem(axis, 2, 3 + index - 2)
                # Room between the previous axis's label and this axis's line.
                self.plot.layout.setColumnSpacing(2 + index - 2, 12)
                self._add_view_box(axis)
            axis.setLabel(axis_spec.label, units=axis_spec.units)
            axis.setScale(axis_spec.scale)
            axis.enableAutoSIPrefix(axis_spec.si_prefix)
            axis.setWidth(52 if index == 0 else 66)
            if index == 0:
                continue
            self.axes.append(axis)
        self.markers = MarkerLayer(self.plot)
        self.plot.vb.sigResized.connect(self._sync_view_boxes)
        # Axes that scale from zero (or a fixed range) manage their y range themselves until
        # the user zooms that chart by hand.
        self.manual_y = False
        for vb in self.view_boxes:
            vb.sigRangeChangedManually.connect(self._on_manual_range)
        self.reset_ranges()
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.curve_specs: dict[str, CurveSpec] = {c.series: c for c in spec.curves}
        self.cursor = pg.InfiniteLine(angle=90, movable=False, pen=_pen("#8A94A6"))
        self.cursor.setZValue(10)
        self.cursor.hide()
        self.plot.addItem(self.cursor, ignoreBounds=True)
        self.thresholds: list[pg.InfiniteLine] = []
        self.threshold_lines: list[tuple[float, str, str, bool]] = []
        self.dark = False

    def reset_ranges(self) -> None:
        """Forget zooms and the last run's ranges: time from 0, y axes as the spec says.

        Called when the chart starts over (Reset, Open, a new run), so a new run never opens on
        the previous run's week of time or its megawatts.
        """
        self.manual_y = False
        for index, vb in enumerate(self.view_boxes):
            axis_spec = self.spec.axes[min(index, len(self.spec.axes) - 1)]
            managed = axis_spec.include_zero or axis_spec.fixed_range is not None
            vb.enableAutoRange(axis=pg.ViewBox.YAxis, enable=not managed)
            if axis_spec.fixed_range:
                vb.setYRange(*axis_spec.fixed_range, padding=0)
            elif managed:
                vb.setYRange(0.0, 1.0, padding=0)
        self.plot.vb.setXRange(0.0, EMPTY_SPAN_S, padding=0)
        self.plot.vb.enableAutoRange(axis=pg.ViewBox.XAxis, enable=True)

    def _add_view_box(self, axis: pg.AxisItem) -> None:
        vb = pg.ViewBox(enableMenu=False)
        vb.setParentItem(self.plot)  # a child, so exporting the plot exports its curves too
        vb.setXLink(self.plot.vb)
        axis.linkToView(vb)
        self.view_boxes.append(vb)

    def _sync_view_boxes(self) -> None:
        rect = self.plot.vb.geometry()
        for vb in [*self.view_boxes[1:], self.markers.vb]:
            vb.setGeometry(rect)
            vb.linkedViewChanged(self.plot.vb, vb.XAxis)

    def set_curves(self, available: tuple[str, ...]) -> None:
        """Create curves for the series the recorder has; drop the others."""
        for series, curve in list(self.curves.items()):
            if series not in available:
                curve.getViewBox().removeItem(curve)
                del self.curves[series]
        for spec in self.spec.curves:
            if spec.series in available and spec.series not in self.curves:
                curve = pg.PlotDataItem(pen=_pen(spec.color), antialias=False, name=spec.label)
                curve.setClipToView(True)
                curve.setDownsampling(auto=True, method="peak")
                self.view_boxes[min(spec.axis, len(self.view_boxes) - 1)].addItem(curve)
                self.curves[spec.series] = curve

    def redraw(self, buffers: SeriesBuffers) -> None:
        times_s = buffers.times_s
        for series, curve in self.curves.items():
            curve.setData(times_s, buffers.series(series))
        if not self.manual_y:
            self._zero_based_ranges(buffers)

    def _zero_based_ranges(self, buffers: SeriesBuffers) -> None:
        for index, axis_spec in enumerate(self.spec.axes):
            if not axis_spec.include_zero or axis_spec.fixed_range or index >= len(self.view_boxes):
                continue
            hi, lo = 0.0, 0.0
            for spec in self.spec.curves:
                if spec.axis == index and spec.series in self.curves and buffers.n:
                    values = buffers.series(spec.series)
                    hi = max(hi, float(np.nanmax(values)))
                    lo = min(lo, float(np.nanmin(values)))
            if hi == lo:
                hi = lo + 1.0
            self.view_boxes[index].setYRange(lo, hi * 1.08 if hi > 0 else hi, padding=0)

    def _on_manual_range(self, *_args: object) -> None:
        self.manual_y = True

    def set_thresholds(self, lines: list[tuple[float, str, str, bool]]) -> None:
        """Horizontal reference lines on the left axis: (value, label, colour, label above)."""
        for line in self.thresholds:
            self.plot.removeItem(line)
        self.thresholds = []
        self.threshold_lines = list(lines)
        for k, (value, text, color, above) in enumerate(lines):
            pen = _pen(color)
            pen.setStyle(Qt.PenStyle.DashLine)
            line = pg.InfiniteLine(
                pos=value,
                angle=0,
                pen=pen,
                label=text,
                # Staggered along the line so close thresholds (89 / 92 °C) don't overprint.
                labelOpts={
                    "position": 0.02 + 0.3 * k,
                    "color": color,
                    # A line at the bottom of the range labels itself above (not clipped).
                    "anchors": [(0, 1), (0, 1)] if above else [(0, 0), (0, 0)],
                },
            )
            self.plot.addItem(line)
            self.thresholds.append(line)

    def readout(self, buffers: SeriesBuffers, index: int | None) -> str:
        """HTML: the title, the time, and every curve's value at row ``index`` (latest if None)."""
        parts = [f"<b>{self.spec.title}</b>"]
        if buffers.n:
            i = buffers.n - 1 if index is None else int(np.clip(index, 0, buffers.n - 1))
            parts.append(f"t = {format_sim_time(float(buffers.times_s[i]))}")
            for spec in self.spec.curves:
                if spec.series in self.curves:
                    value = format_value(float(buffers.series(spec.series)[i]), spec.unit)
                    parts.append(f"<span style='color:{spec.color}'>■</span> {spec.label} {value}")
        else:
            parts.append("no data yet — press Run")
        return "&nbsp;&nbsp;".join(parts)


class ChartsPanel(QWidget):
    """Four linked live charts reading one engine recorder."""

    cursor_moved = Signal(float)  # simulated seconds under the mouse
    cursor_pinned = Signal(object)  # the timeline picked a time (float), or None to follow live

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = _TimedLayoutWidget()
        self.view.ci.setSpacing(2)
        self.view.ci.layout.setHorizontalSpacing(14)
        for col in (0, 1):
            self.view.ci.layout.setColumnStretchFactor(col, 1)
        self.view.ci.setContentsMargins(4, 2, 4, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.view, 1)
        self.marks = EventMarks()
        self.scrubber = TimelineScrubber(self.marks)
        self.live_button = QToolButton()
        self.live_button.setText("Live")
        self.live_button.setObjectName("timeline_live")
        self.live_button.setToolTip("Follow the run again (the time cursor leaves the timeline)")
        self.live_button.clicked.connect(lambda: self.pin_time(None))
        row = QHBoxLayout()
        row.setContentsMargins(6, 0, 6, 2)
        row.addWidget(QLabel("Timeline"))
        row.addWidget(self.scrubber, 1)
        row.addWidget(self.live_button)
        layout.addLayout(row)
        self.scrubber.time_picked.connect(self.pin_time)
        self.scrubber.live_requested.connect(lambda: self.pin_time(None))
        self.charts: dict[str, LiveChart] = {}
        for i, spec in enumerate(CHART_SPECS):
            self.charts[spec.key] = LiveChart(spec, self.view.ci, (i // 2) * 2, i % 2)
        # Linked time axes, synced by value: pyqtgraph's setXLink lines stacked plots up pixel
        # by pixel, so a chart with a third y axis (narrower plot area) showed less time.
        self._syncing_x = False
        for chart in self.charts.values():
            chart.plot.vb.sigXRangeChanged.connect(self._on_x_range_changed)
        self.buffers = SeriesBuffers(required_series())
        self.hover_event_text = ""
        """What the event markers under the mouse say ('' when none is near)."""
        self.recorder: RecorderLike | None = None
        self.start_time: datetime | None = None
        """Simulated date-time at t = 0 (CSV export writes ISO date-times from it)."""
        self.cursor_s: float | None = None
        self._hover_s: float | None = None
        self.last_refresh_ms = 0.0
        self._next_redraw_s = 0.0
        self._mouse_proxy = pg.SignalProxy(
            self.view.scene().sigMouseMoved, rateLimit=30, slot=self._on_mouse_moved
        )
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer)
        self.apply_theme(dark=False)
        self._update_readouts()

    # ------------------------------------------------------------------ data
    def attach(self, recorder: RecorderLike | None) -> None:
        """Read from ``recorder`` (a new engine after reset); None detaches and clears."""
        self.recorder = recorder
        self.buffers.clear()
        self.marks.clear()
        for chart in self.charts.values():
            chart.markers.show({})
        for chart in self.charts.values():
            chart.reset_ranges()
        self._hover_s = None
        self.set_time_cursor(None)
        self.refresh(force=True)
        if recorder is None:
            self._timer.stop()
        else:
            self._timer.start()

    def _on_timer(self) -> None:
        now_s = time.perf_counter()
        if now_s < self._next_redraw_s:
            return
        if self.refresh():
            cost_ms = self.last_refresh_ms + self.view.last_paint_ms
            gap_s = max(REDRAW_INTERVAL_MS / 1000.0, cost_ms / 1000.0 / CHART_TIME_SHARE)
            self._next_redraw_s = now_s + gap_s

    def refresh(self, force: bool = False) -> bool:
        """Redraw if the recorder has new rows; returns True when the charts were redrawn."""
        start_s = time.perf_counter()
        if self.recorder is None:
            changed = self.buffers.n != 0
            self.buffers.clear()
        else:
            names_before = self.buffers.names
            changed = self.buffers.sync(self.recorder)
            if self.buffers.names != names_before or force:
                for chart in self.charts.values():
                    chart.set_curves(self.buffers.names)
        if not (changed or force):
            return False
        for chart in self.charts.values():
            if self.recorder is None:
                chart.set_curves(())
            chart.redraw(self.buffers)
        self.scrubber.set_recorded(float(self.buffers.times_s[-1]) if self.buffers.n else 0.0)
        self._update_readouts()
        self.last_refresh_ms = (time.perf_counter() - start_s) * 1000.0
        return True

    def chart_data(self, key: str) -> dict[str, np.ndarray]:
        """The x and y data each curve of chart ``key`` currently shows (tests, CSV export)."""
        out: dict[str, np.ndarray] = {}
        for series, curve in self.charts[key].curves.items():
            x, y = curve.getOriginalDataset()
            out["time_s"] = np.asarray(x if x is not None else [])
            out[series] = np.asarray(y if y is not None else [])
        return out

    # ------------------------------------------------------------- decorations
    def sync_events(self, events: Sequence[EventLike], describe: Describer) -> bool:
        """Mark the events logged since the last call on every chart; True if any were new."""
        if not self.marks.sync(events, describe):
            return False
        groups = self.marks.by_color()
        for chart in self.charts.values():
            chart.markers.show(groups)
        self.scrubber.update()
        return True

    def set_thresholds(
        self, throttle_c: float | None, shutdown_c: float | None, supply_c: float | None = None
    ) -> None:
        """Reference lines on the junction axis; ``supply_c`` is the racks' coolant inlet."""
        lines: list[tuple[float, str, str, bool]] = []
        if throttle_c is not None:
            lines.append((throttle_c, f"throttle {throttle_c:g} °C", "#E5A100", False))
        if shutdown_c is not None:
            lines.append((shutdown_c, f"shutdown {shutdown_c:g} °C", "#E0483E", False))
        if supply_c is not None:
            lines.append((supply_c, f"rack inlet {supply_c:g} °C", "#0FA3C0", True))
        self.charts["heat"].set_thresholds(lines)

    def set_time_cursor(self, time_s: float | None) -> None:
        """Pin the crosshair at ``time_s`` (an alarm's time), or None to follow the latest."""
        self.cursor_s = time_s
        self.scrubber.set_position(time_s)
        self.live_button.setEnabled(time_s is not None)
        self._show_cursor()

    def pin_time(self, time_s: float | None) -> None:
        """The user picked a time on the timeline (None: follow the run): tell the window too."""
        self.set_time_cursor(time_s)
        self.cursor_pinned.emit(time_s)

    def set_horizon(self, horizon_s: float) -> None:
        """The run's length: the timeline spans it."""
        self.scrubber.set_span(horizon_s)

    def _show_cursor(self) -> None:
        time_s = self._hover_s if self._hover_s is not None else self.cursor_s
        for chart in self.charts.values():
            if time_s is None:
                chart.cursor.hide()
            else:
                chart.cursor.setPos(time_s)
                chart.cursor.show()
        self._update_readouts()

    def apply_theme(self, dark: bool) -> None:
        theme = DARK if dark else LIGHT
        background, text = theme.background, theme.foreground
        self.view.setBackground(background)
        for chart in self.charts.values():
            chart.dark = dark
            for name in ("left", "bottom", "right"):
                axis = chart.plot.getAxis(name)
                axis.setPen(_pen(text))
                axis.setTextPen(_pen(text))
            for axis in chart.axes:
                axis.setPen(_pen(text))
                axis.setTextPen(_pen(text))
            chart.label.setAttr("color", text)
        self._update_readouts()

    def _on_x_range_changed(self, source: pg.ViewBox, x_range: tuple[float, float]) -> None:
        if self._syncing_x:
            return
        self._syncing_x = True
        try:
            for chart in self.charts.values():
                if chart.plot.vb is not source:
                    chart.plot.vb.setXRange(*x_range, padding=0)
        finally:
            self._syncing_x = False

    # ------------------------------------------------------------- crosshair
    def _index_at(self, time_s: float | None) -> int | None:
        if time_s is None or self.buffers.n == 0:
            return None
        index = int(np.searchsorted(self.buffers.times_s, time_s))
        return min(index, self.buffers.n - 1)

    def _update_readouts(self) -> None:
        index = self._index_at(self._hover_s if self._hover_s is not None else self.cursor_s)
        for chart in self.charts.values():
            chart.label.setText(chart.readout(self.buffers, index))

    def _on_mouse_moved(self, event: tuple[QPointF]) -> None:
        pos = event[0]
        for chart in self.charts.values():
            if chart.plot.sceneBoundingRect().contains(pos):
                time_s = float(chart.plot.vb.mapSceneToView(pos).x())
                self._hover_s = time_s
                self._show_cursor()
                self._show_events_near(chart, time_s)
                self.cursor_moved.emit(time_s)
                return

    def _show_events_near(self, chart: LiveChart, time_s: float) -> None:
        """Hovering an event marker shows what happened there (a tooltip at the mouse)."""
        px_s = float(chart.plot.vb.viewPixelSize()[0])
        texts = self.marks.near(time_s, HOVER_PX * px_s)
        shown = texts[:HOVER_MAX_EVENTS]
        if len(texts) > len(shown):
            shown.append(f"… and {len(texts) - len(shown):,} more events here")
        text = "\n".join(shown)
        if text == self.hover_event_text:
            return
        self.hover_event_text = text
        if text:
            QToolTip.showText(QCursor.pos(), text, self.view)
        else:
            QToolTip.hideText()

    def leaveEvent(self, event: object) -> None:
        # Back to the pinned time (or "latest") when the mouse leaves, so readouts follow the run.
        self._hover_s = None
        self.hover_event_text = ""
        self._show_cursor()
        super().leaveEvent(event)  # type: ignore[arg-type]
