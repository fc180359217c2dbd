"""The live "Jobs" dock: the queue over time, a Gantt of the training jobs and the wait times.

Top: queue length and running jobs (left axis) with the site's accelerators allocated and up
(right axis), from the recorder's ``queue_length``, ``jobs_running``, ``gpus_allocated`` and
``gpus_up`` series. Below, time-linked: one row per training job in submit order, a light bar
from submission to first start (queued) and a solid bar from start to end (running, up to now
while it runs), coloured by team. A summary line reads the queue KPIs (waiting, running, done,
wait mean / P95, allocation) from ``engine.kpis()``.

Speed: the bars are drawn by two ``BarGraphItem`` per team colour (queued, running), each of
one colour, which pyqtgraph paints with a single ``drawRects`` call (no per-job item, no
QPicture), so hundreds or thousands of jobs cost a few array operations per refresh. The
live view refreshes the panel at its panel cadence (≤ 4 Hz), never per simulation step.

A bar narrower than ``MIN_BAR_PX`` on screen (a 0.9 h retraining job on a 120-day axis is a
hundredth of a pixel) is drawn that wide, so every job shows at any zoom; the job table is not
touched, only the drawn span, which is recomputed when the time axis zooms or the plot resizes.
It grows rightwards, or leftwards at the end of the drawn span so the plot's extent (and its
auto-range) stays that of the data.

Simplification: a job requeued after an interruption keeps one bar from its first start (the
engine records the first start and the end, not each stint).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QCursor, QFontMetrics
from PySide6.QtWidgets import QLabel, QToolTip, QVBoxLayout, QWidget

from aifactory_twin.formatting import format_money, format_quantity, format_span
from aifactory_twin.kpi_registry import format_kpi
from ui.charts.axes import TimeAxisItem, format_sim_time
from ui.theme import DARK, LIGHT, style_plots

TEAM_COLORS: tuple[str, ...] = (
    "#3B6FE0",
    "#E09400",
    "#13A37A",
    "#D6457F",
    "#7C4DDB",
    "#0FA3C0",
    "#8C6D1F",
    "#5F6B7A",
)
"""Team colours in order of the teams' names (more teams than colours share them)."""
QUEUED_ALPHA = 70  # of 255: the queued span is the team colour, faded
NO_TEAM = "(no team)"
QUEUE_SERIES: tuple[tuple[str, str, str, int], ...] = (
    # (series, label, colour, axis: 0 jobs, 1 accelerators)
    ("queue_length", "Queued", "#E0483E", 0),
    ("jobs_running", "Running", "#3B6FE0", 0),
    ("gpus_allocated", "GPUs allocated", "#13A37A", 1),
    ("gpus_up", "GPUs up", "#8A94A6", 1),
)
BAR_HEIGHT = 0.8  # of a row
MIN_BAR_PX = 3.0
"""Narrowest bar drawn, in screen pixels (shorter jobs are widened on screen only)."""
LEFT_AXIS_PX = 96
MAX_LEFT_AXIS_PX = 220
"""The left axes widen up to this for long job ids (``<job>-retrain-<k>``)."""

FloatArray = npt.NDArray[np.float64]


def _pen(color: str) -> Any:
    pen = pg.mkPen(color, width=1)
    pen.setCosmetic(True)
    return pen


def team_names(teams: tuple[str, ...]) -> list[str]:
    """The distinct teams, sorted (the colour order)."""
    return sorted({t or NO_TEAM for t in teams})


def team_color(teams: list[str], team: str) -> str:
    """The colour of ``team`` among ``teams`` (sorted names)."""
    return TEAM_COLORS[teams.index(team or NO_TEAM) % len(TEAM_COLORS)]


class JobRowAxis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph ships no type hints
    """The Gantt's left axis: row numbers, and the jobs' ids once a row is tall enough to read.

    Ticks sit in the middle of the rows (row ``k`` spans ``k`` to ``k + 1``).
    """

    ID_MIN_PX = 14.0  # a row this tall shows its job id

    def __init__(self) -> None:
        super().__init__(orientation="left")
        # One label per row may fill most of the axis (pyqtgraph's default drops labels past
        # 80 % of its length, i.e. every id once rows are 14–18 px).
        self.setStyle(textFillLimits=[(0, 0.98)])
        self.row_ids: list[str] = []

    def tickValues(self, lo: float, hi: float, size: float) -> list[tuple[float, list[float]]]:
        lo, hi = sorted((lo, hi))  # the Gantt's y axis is inverted: pyqtgraph passes (max, min)
        rows_px = size / max(hi - lo, 1e-9)
        if rows_px < self.ID_MIN_PX or not self.row_ids:
            return super().tickValues(lo, hi, size)  # type: ignore[no-any-return]
        first, last = max(int(np.floor(lo)), 0), min(int(np.ceil(hi)), len(self.row_ids))
        return [(1.0, [k + 0.5 for k in range(first, last)])]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if spacing != 1.0 or not self.row_ids:
            return super().tickStrings(values, scale, spacing)  # type: ignore[no-any-return]
        return [self.row_ids[int(v)] if 0 <= int(v) < len(self.row_ids) else "" for v in values]


class JobGantt:
    """The Gantt plot: rows of queued and running bars, two bar items per team colour."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.items: dict[tuple[int, bool], pg.BarGraphItem] = {}
        self.spans: dict[tuple[int, bool], tuple[FloatArray, FloatArray]] = {}
        """The (start, end) of each item's bars as the job table gives them (not widened)."""
        self.table: Any = None
        self.accounting: dict[str, Any] | None = None
        """The run's ``kpis["job_accounting"]`` (training jobs first, in ``table.ids`` order)."""
        self.now_s = 0.0
        self.order: npt.NDArray[np.intp] = np.zeros(0, dtype=np.intp)
        """Job index shown on each row (rows are jobs in submit order)."""
        self.teams: list[str] = []
        self._colors: tuple[tuple[str, ...], npt.NDArray[np.int64]] | None = None
        """(teams of the table, colour index per job): the teams of a run never change."""
        plot.invertY(True)
        plot.getAxis("left").setLabel("Jobs (submit order)")
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.vb.sigXRangeChanged.connect(self._widen)
        plot.vb.sigResized.connect(self._widen)

    def _min_span_s(self) -> float:
        """``MIN_BAR_PX`` in seconds at the current zoom (0 before the plot has a size)."""
        px_s = float(self.plot.vb.viewPixelSize()[0])
        return MIN_BAR_PX * px_s if np.isfinite(px_s) and px_s > 0 else 0.0

    def drawn(self, x0: FloatArray, x1: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Spans ``x0``–``x1`` widened to ``MIN_BAR_PX`` on screen, inside the data's extent."""
        w = self._min_span_s()
        if w <= 0 or x0.size == 0:
            return x0, x1
        lo, hi = float(np.min(x0)), float(np.max(x1))
        for spans in self.spans.values():  # the extent of every bar, not just this item's
            if spans[0].size:
                lo, hi = min(lo, float(spans[0].min())), max(hi, float(spans[1].max()))
        w = min(w, hi - lo)
        end = np.minimum(np.maximum(x1, x0 + w), hi)
        return np.minimum(x0, end - w), end

    def _widen(self, *_args: Any) -> None:
        for key, (x0, x1) in self.spans.items():
            item = self.items[key]
            d0, d1 = self.drawn(x0, x1)
            if not (np.array_equal(d0, item.opts["x0"]) and np.array_equal(d1, item.opts["x1"])):
                item.setOpts(x0=d0, x1=d1)

    def _item(self, color: int, running: bool) -> pg.BarGraphItem:
        key = (color, running)
        item = self.items.get(key)
        if item is None:
            fill = QColor(TEAM_COLORS[color])
            if not running:
                fill.setAlpha(QUEUED_ALPHA)
            empty = np.zeros(0)
            item = pg.BarGraphItem(x0=empty, x1=empty, y0=empty, height=empty, pen=None,
                                   brush=fill)  # fmt: skip
            self.plot.addItem(item)
            self.items[key] = item
        return item

    def show(self, table: Any, now_s: float) -> None:
        """Draw the jobs submitted by ``now_s`` from ``engine.job_table()`` (None clears)."""
        self.table, self.now_s = table, now_s
        if table is None or len(table.ids) == 0:
            for key, item in self.items.items():
                item.setOpts(x0=np.zeros(0), x1=np.zeros(0), y0=np.zeros(0), height=np.zeros(0))
                self.spans[key] = (np.zeros(0), np.zeros(0))
            self.order = np.zeros(0, dtype=np.intp)
            self._set_row_ids([])
            return
        if self._colors is None or self._colors[0] is not table.teams:
            self.teams = team_names(table.teams)
            index = {team: k % len(TEAM_COLORS) for k, team in enumerate(self.teams)}
            per_job = np.array([index[t or NO_TEAM] for t in table.teams], dtype=np.int64)
            self._colors = (table.teams, per_job)
        color = self._colors[1]
        seen = np.flatnonzero(table.submit_s <= now_s)
        self.order = seen[np.lexsort((seen, table.submit_s[seen]))]
        self._set_row_ids([table.ids[j] for j in self.order])
        rows = np.empty(len(table.ids), dtype=np.float64)
        rows[self.order] = np.arange(self.order.size, dtype=np.float64)
        start = np.where(np.isnan(table.start_s), now_s, np.minimum(table.start_s, now_s))
        end = np.where(np.isnan(table.end_s), now_s, np.minimum(table.end_s, now_s))
        rows_of: dict[tuple[int, bool], npt.NDArray[np.intp]] = {}
        for k in range(len(TEAM_COLORS)):
            mine = self.order[color[self.order] == k]
            if mine.size == 0 and (k, False) not in self.items:
                continue
            waited = mine[start[mine] > table.submit_s[mine]]
            ran = mine[~np.isnan(table.start_s[mine])]
            self.spans[(k, False)] = (table.submit_s[waited], start[waited])
            self.spans[(k, True)] = (start[ran], end[ran])
            rows_of[(k, False)], rows_of[(k, True)] = waited, ran
        # Widen after every span is known: the widening stays inside all the bars' extent.
        for key, jobs in rows_of.items():
            x0, x1 = self.drawn(*self.spans[key])
            self._item(*key).setOpts(
                x0=x0, x1=x1, y0=rows[jobs] + (1 - BAR_HEIGHT) / 2,
                height=np.full(jobs.size, BAR_HEIGHT),
            )  # fmt: skip

    def _set_row_ids(self, ids: list[str]) -> None:
        axis = self.plot.getAxis("left")
        if isinstance(axis, JobRowAxis) and axis.row_ids != ids:
            axis.row_ids = ids
            axis.picture = None  # redraw the ticks
            axis.update()

    def job_at(self, time_s: float, y: float) -> int | None:
        """Index of the job whose bar (queued or running) is at (``time_s``, row ``y``)."""
        row = int(np.floor(y))
        if self.table is None or not 0 <= row < self.order.size:
            return None
        j = int(self.order[row])
        end = self.table.end_s[j]
        last = self.now_s if np.isnan(end) else min(float(end), self.now_s)
        first = float(self.table.submit_s[j])
        # A bar widened on screen answers over its drawn width too.
        slack = max(self._min_span_s() - (last - first), 0.0)
        return j if first - slack <= time_s <= last + slack else None

    def describe(self, j: int) -> str:
        """Tooltip text of job ``j``: id, team, accelerators, wait, run."""
        t = self.table
        lines = [f"{t.ids[j]}  ·  team {t.teams[j] or NO_TEAM}"]
        held = float(t.held[j])
        gpus = f"{t.accelerators[j]:,.0f} accelerators requested"
        if held > 0 and np.isnan(t.end_s[j]):
            gpus += f", {held:,.0f} held now"
        lines.append(gpus)
        lines.append(f"submitted +{format_sim_time(float(t.submit_s[j]))}")
        if np.isnan(t.start_s[j]):
            lines.append(f"queued for {format_span(self.now_s - float(t.submit_s[j]))} so far")
        else:
            lines.append(f"waited {format_span(float(t.start_s[j] - t.submit_s[j]))}")
            if np.isnan(t.end_s[j]):
                lines.append(f"running for {format_span(self.now_s - float(t.start_s[j]))}")
            else:
                lines.append(f"ran {format_span(float(t.end_s[j] - t.start_s[j]))}, done")
        rows = (self.accounting or {}).get("workloads") or []
        if j < len(rows) and rows[j]["id"] == t.ids[j]:
            row = rows[j]  # issue 10: what the job has used so far
            lines.append(
                f"{format_quantity(row['energy_kwh'], 'kWh')}  ·  "
                f"{format_quantity(row['carbon_kg_co2'], 'kg CO₂')}  ·  "
                f"{format_money(row['cost_usd'])}  ·  {format_quantity(row['gpu_hours'], 'GPU·h')}"
            )
        return "\n".join(lines)

    def bars(self) -> dict[tuple[str, bool], int]:
        """Bars drawn per (team colour, running) — what the plot shows (tests)."""
        out: dict[tuple[str, bool], int] = {}
        for (k, running), item in self.items.items():
            n = len(item.opts["x0"])
            if n:
                out[(TEAM_COLORS[k], running)] = n
        return out


class JobsPanel(QWidget):
    """Queue chart, Gantt and summary of the training jobs of the live run."""

    job_clicked = Signal(int)  # a click on a job's bar: its index in the job table

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("jobs_panel")
        self.summary = QLabel()
        self.summary.setObjectName("jobs_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.view = pg.GraphicsLayoutWidget()
        self.view.ci.setContentsMargins(4, 2, 4, 2)
        self.queue_plot: pg.PlotItem = self.view.addPlot(
            row=0, col=0, axisItems={"bottom": TimeAxisItem()}
        )
        self.gantt_plot: pg.PlotItem = self.view.addPlot(
            row=1, col=0, axisItems={"bottom": TimeAxisItem(), "left": JobRowAxis()}
        )
        self.view.ci.layout.setRowStretchFactor(0, 2)
        self.view.ci.layout.setRowStretchFactor(1, 5)
        self.gantt_plot.setXLink(self.queue_plot)
        self.gantt = JobGantt(self.gantt_plot)
        self._build_queue_plot()
        self.hover_text = ""
        self.view.scene().sigMouseClicked.connect(self._on_mouse_clicked)
        self._mouse_proxy = pg.SignalProxy(
            self.view.scene().sigMouseMoved, rateLimit=30, slot=self._on_mouse_moved
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(2)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        self.set_dark(False)
        self.clear()

    def _build_queue_plot(self) -> None:
        plot = self.queue_plot
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.getAxis("left").setLabel("Jobs")
        plot.showAxis("right")
        plot.getAxis("right").setLabel("Accelerators")
        self._right = pg.ViewBox(enableMenu=False)
        self._right.setParentItem(plot)
        self._right.setXLink(plot.vb)
        plot.getAxis("right").linkToView(self._right)
        plot.vb.sigResized.connect(self._sync_right)
        self.curves: dict[str, pg.PlotDataItem] = {}
        for series, label, color, axis in QUEUE_SERIES:
            curve = pg.PlotDataItem(pen=_pen(color), antialias=False, name=label)
            curve.setDownsampling(auto=True, method="peak")
            (plot.vb if axis == 0 else self._right).addItem(curve)
            self.curves[series] = curve
        # Both plots' left axes the same width, so the linked time axes line up; wide enough
        # for a job id ("research-123") on the Gantt's rows when zoomed in.
        self._longest_id = ""
        for p in (self.queue_plot, self.gantt_plot):
            p.getAxis("left").setWidth(LEFT_AXIS_PX)
        self.gantt_plot.showAxis("right")
        self.gantt_plot.getAxis("right").setStyle(showValues=False)
        self.gantt_plot.getAxis("right").setWidth(plot.getAxis("right").width())

    def _sync_right(self) -> None:
        self._right.setGeometry(self.queue_plot.vb.sceneBoundingRect())
        self._right.linkedViewChanged(self.queue_plot.vb, self._right.XAxis)

    def set_dark(self, dark: bool) -> None:
        style_plots(self.view, [self.queue_plot, self.gantt_plot], DARK if dark else LIGHT)

    def clear(self) -> None:
        for curve in self.curves.values():
            curve.setData([], [])
        self.gantt.show(None, 0.0)
        self._longest_id = ""
        for p in (self.queue_plot, self.gantt_plot):
            p.getAxis("left").setWidth(LEFT_AXIS_PX)
        self.summary.setText("<span style='color:gray'>No run: press Run to see the queue.</span>")

    def refresh(self, engine: Any, kpis: dict[str, Any]) -> None:
        """Redraw from ``engine`` (its recorder and job table) and its ``kpis``."""
        rec = engine.recorder
        times_s = np.array(rec.times_s)
        for series, curve in self.curves.items():
            curve.setData(times_s, np.array(rec.series(series)))
        self._right.enableAutoRange(axis=pg.ViewBox.YAxis)
        table = engine.job_table()
        self.gantt.accounting = kpis.get("job_accounting")
        self.gantt.show(table, float(engine.time_s))
        self._fit_left_axes(table)
        self.summary.setText(self._summary(table, kpis))

    def _fit_left_axes(self, table: Any) -> None:
        """Widen both left axes (kept equal: the time axes line up) to the longest row id."""
        longest = max((table.ids[j] for j in self.gantt.order), key=len, default="")
        if len(longest) <= len(self._longest_id):
            return
        self._longest_id = longest
        px = QFontMetrics(self.font()).horizontalAdvance(longest) + 16
        for p in (self.queue_plot, self.gantt_plot):
            p.getAxis("left").setWidth(int(min(max(LEFT_AXIS_PX, px), MAX_LEFT_AXIS_PX)))

    def _summary(self, table: Any, kpis: dict[str, Any]) -> str:
        # Retraining jobs drift monitoring has not submitted (submit time inf) are not jobs yet.
        n = int(np.count_nonzero(np.isfinite(table.submit_s)))
        if n == 0:
            return "<span style='color:gray'>No training jobs in this scenario.</span>"
        done = int(np.count_nonzero(~np.isnan(table.end_s)))
        running = int(np.count_nonzero((table.held > 0) & np.isnan(table.end_s)))
        parts = [
            f"<b>{format_kpi('jobs_waiting', kpis.get('jobs_waiting'))}</b> queued",
            f"<b>{running}</b> running",
            f"<b>{done}</b> of {n} done",
            f"wait mean <b>{format_kpi('queue_wait_mean_h', kpis.get('queue_wait_mean_h'))}</b>"
            f", P95 <b>{format_kpi('queue_wait_p95_h', kpis.get('queue_wait_p95_h'))}</b>",
            f"allocation <b>{format_kpi('mean_allocation', kpis.get('mean_allocation'))}</b>",
            f"utilization <b>{format_kpi('mean_utilization', kpis.get('mean_utilization'))}</b>",
        ]
        teams = team_names(table.teams)
        shares = kpis.get("team_gpu_share") or {}
        curves = [f"<span style='color:{c}'>━</span> {label}" for _, label, c, _ in QUEUE_SERIES]
        legend = [
            f"<span style='color:{team_color(teams, team)}'>■</span> {team}"
            + (f" {shares[team] * 100:.0f} %" if team in shares else "")
            for team in teams
        ]
        return (
            " · ".join(parts)
            + "<br>Queue chart: "
            + "&nbsp;&nbsp;".join(curves)
            + "&nbsp;&nbsp;&nbsp;&nbsp;Gantt by team (light = queued, GPU-hour share): "
            + "&nbsp;&nbsp;".join(legend)
        )

    def _job_under(self, pos: QPointF) -> int | None:
        if not self.gantt_plot.sceneBoundingRect().contains(pos):
            return None
        point = self.gantt_plot.vb.mapSceneToView(pos)
        return self.gantt.job_at(float(point.x()), float(point.y()))

    def _on_mouse_clicked(self, event: Any) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        j = self._job_under(event.scenePos())
        if j is not None:
            self.job_clicked.emit(j)

    def _on_mouse_moved(self, event: tuple[QPointF]) -> None:
        j = self._job_under(event[0])
        text = "" if j is None else self.gantt.describe(j) + "\n(click: select its racks)"
        if text == self.hover_text:
            return
        self.hover_text = text
        if text:
            QToolTip.showText(QCursor.pos(), text, self.view)
        else:
            QToolTip.hideText()
