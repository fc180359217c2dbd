"""Event markers on the live charts: a thin vertical line at each event, coloured by severity.

The markers live in a ViewBox of their own per chart (x linked to the chart, y fixed to 0…1),
so they span the plot's full height whatever its y range, never widen the chart's auto-range,
and are drawn as one pair-connected curve per colour (thousands of events stay one draw call).
``EventMarks`` keeps the events' times, colours and descriptions, taking in only the events
logged since the last call, like the alarms list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import Qt

from ui.charts.specs import FloatArray

MARKER_ALPHA = 120  # of 255: visible, but the curves stay readable over them


class EventLike(Protocol):
    """What the markers and the alarms list read from ``aifactory_twin.sim.EventRecord``."""

    @property
    def time_s(self) -> float: ...
    @property
    def kind(self) -> str: ...
    @property
    def node_id(self) -> str: ...
    @property
    def message(self) -> str: ...


Describer = Callable[[EventLike], tuple[str, str]]
"""An event → (marker colour, one-line description for the hover text)."""


class EventMarks:
    """Times, colours and descriptions of the events shown on the charts (append-only)."""

    def __init__(self) -> None:
        self.times_s: FloatArray = np.empty(0)
        self.palette: list[str] = []
        self.codes: npt.NDArray[np.int16] = np.empty(0, dtype=np.int16)
        """Each event's colour as an index into ``palette``."""
        self.texts: list[str] = []
        self.node_codes: npt.NDArray[np.int32] = np.empty(0, dtype=np.int32)
        """Each event's node as an index into ``_nodes`` (the node mini-chart's markers)."""
        self._nodes: dict[str, int] = {}
        self._seen: list[EventLike] = []

    def clear(self) -> None:
        self.times_s = np.empty(0)
        self.codes = np.empty(0, dtype=np.int16)
        self.node_codes = np.empty(0, dtype=np.int32)
        self.palette, self.texts, self._seen, self._nodes = [], [], [], {}

    def sync(self, events: Sequence[EventLike], describe: Describer) -> bool:
        """Take in events logged since the last call (a new run starts over); True if changed."""
        seen = self._seen
        restarted = len(events) < len(seen) or (seen and events[len(seen) - 1] is not seen[-1])
        if restarted:
            self.clear()
            seen = self._seen
        new = events[len(seen) :]
        if not new:
            return bool(restarted)
        styled = [describe(e) for e in new]
        codes = []
        for color, _text in styled:
            if color not in self.palette:
                self.palette.append(color)
            codes.append(self.palette.index(color))
        self.times_s = np.concatenate([self.times_s, [float(e.time_s) for e in new]])
        self.codes = np.concatenate([self.codes, np.asarray(codes, dtype=np.int16)])
        nodes = [self._nodes.setdefault(e.node_id, len(self._nodes)) for e in new]
        self.node_codes = np.concatenate([self.node_codes, np.asarray(nodes, dtype=np.int32)])
        self.texts += [text for _, text in styled]
        seen.extend(new)
        return True

    def near(self, time_s: float, tolerance_s: float) -> list[str]:
        """Descriptions of the events within ``tolerance_s`` of ``time_s`` (nearest first)."""
        if self.times_s.size == 0:
            return []
        lo = int(np.searchsorted(self.times_s, time_s - tolerance_s, side="left"))
        hi = int(np.searchsorted(self.times_s, time_s + tolerance_s, side="right"))
        order = sorted(range(lo, hi), key=lambda i: abs(self.times_s[i] - time_s))
        return [self.texts[i] for i in order]

    def by_color(self, node_id: str | None = None) -> dict[str, FloatArray]:
        """Event times per marker colour (of one node's events when ``node_id`` is given)."""
        if node_id is None:
            return {color: self.times_s[self.codes == k] for k, color in enumerate(self.palette)}
        code = self._nodes.get(node_id)
        if code is None:
            return {}
        mine = self.node_codes == code
        out = {
            color: self.times_s[mine & (self.codes == k)] for k, color in enumerate(self.palette)
        }
        return {color: times for color, times in out.items() if times.size}


class MarkerLayer:
    """The markers of one chart: a ViewBox over the plot area with one curve per colour."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.vb = pg.ViewBox(enableMenu=False)
        self.vb.setParentItem(plot)
        self.vb.setXLink(plot.vb)
        self.vb.setMouseEnabled(x=False, y=False)
        self.vb.setYRange(0.0, 1.0, padding=0)
        self.vb.enableAutoRange(axis=pg.ViewBox.YAxis, enable=False)
        self.vb.setZValue(-100)  # under the chart's curves
        self.vb.setAcceptHoverEvents(False)
        self.curves: dict[str, pg.PlotCurveItem] = {}

    def show(self, groups: dict[str, FloatArray]) -> None:
        for color, curve in list(self.curves.items()):
            if color not in groups:
                self.vb.removeItem(curve)
                del self.curves[color]
        for color, times_s in groups.items():
            curve = self.curves.get(color)
            if curve is None:
                rgba = pg.mkColor(color)
                rgba.setAlpha(MARKER_ALPHA)
                # Dotted, so a marker never reads as a data curve.
                pen = pg.mkPen(rgba, width=1, style=Qt.PenStyle.DotLine)
                pen.setCosmetic(True)
                curve = pg.PlotCurveItem(pen=pen, antialias=False)
                self.vb.addItem(curve, ignoreBounds=True)
                self.curves[color] = curve
            x = np.repeat(times_s, 2)
            y = np.tile(np.array([0.0, 1.0]), times_s.size)
            curve.setData(x, y, connect="pairs")

    def count(self) -> int:
        """Markers drawn (tests)."""
        total = 0
        for curve in self.curves.values():
            x, _y = curve.getData()
            total += 0 if x is None else len(x) // 2
        return total
