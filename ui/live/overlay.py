"""Canvas overlays: colour every node by temperature, utilization, power, status or job; a legend.

Colours are computed vectorised over all nodes (numpy → one ARGB integer per node) so the
9,472-node frontier scene costs a few array operations per refresh; the canvas then touches only
the items whose colour actually changed (``changed_indices``). Scales are fixed (temperature
20–95 °C, utilization 0–100 %) so a colour means the same thing all run long; power is relative
to the most power-hungry node at that moment, which the legend states. The job overlay colours
each rack (and cloud burst) by the training job holding most of its accelerators now
(``Engine.job_table().node_job``), idle ones grey; the legend names the largest jobs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from aifactory_twin.formatting import format_quantity
from aifactory_twin.kinds import TEMPERATURE_KINDS, WORKLOAD_HOST_KINDS
from aifactory_twin.sim import STATUS_NAMES, JobTable

OVERLAY_MODES: tuple[str, ...] = ("none", "status", "temperature", "utilization", "power", "job")
MODE_LABELS = {
    "none": "No overlay",
    "status": "Status",
    "temperature": "Temperature",
    "utilization": "Utilization",
    "power": "Power",
    "job": "Job",
}

# Engine status codes (aifactory_twin.sim STATUS_NAMES order) → colour. Failed and shutdown are
# the two red tones so a failed unit reads as an alarm at any zoom level.
STATUS_COLORS: dict[str, str] = {
    "up": "#22A55B",
    "throttled": "#E5A100",
    "failed": "#E0483E",
    "waiting_delivery": "#8A94A6",
    "unstaffed": "#A05CD6",
    "idle": "#B8C0CC",
    "shutdown": "#8E1B14",
}
# The engine's own status order (its int codes index this tuple).
DEFAULT_STATUS_NAMES: tuple[str, ...] = STATUS_NAMES
FAILED_STATUSES = frozenset({"failed", "shutdown"})

COLOR_LEVELS = 31
TEMP_RANGE_C = (20.0, 95.0)
# Continuous maps as (position 0..1, colour) stops.
_TEMP_STOPS = (
    (0.0, "#2C7BE5"),
    (0.45, "#22A55B"),
    (0.8, "#E5C100"),
    (0.92, "#E5671B"),
    (1.0, "#C81E1E"),
)
_UTIL_STOPS = ((0.0, "#D7DCE4"), (0.5, "#6FA0E8"), (1.0, "#1F3FA8"))
_POWER_STOPS = ((0.0, "#FFF1C9"), (0.5, "#F2A93B"), (1.0, "#B5530E"))

JOB_COLORS: tuple[str, ...] = (
    "#3B6FE0", "#E09400", "#13A37A", "#D6457F", "#7C4DDB", "#0FA3C0",
    "#C0392B", "#8C6D1F", "#2E8B57", "#B05CC8", "#E5671B", "#1F3FA8",
)  # fmt: skip
"""Job colours by job index (neighbours in submit order differ); more jobs share them."""
IDLE_HOST_COLOR = "#D7DCE4"
LEGEND_JOBS = 5  # jobs the legend names (the largest by racks coloured)

UIntArray = npt.NDArray[np.uint32]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Overlay:
    """Per-node result: ARGB colour (0 = leave the item's own colour) and the failed mark."""

    mode: str
    argb: UIntArray
    marked: npt.NDArray[np.bool_]
    scale_max: float = 0.0
    """Top of the power scale, kW (the legend shows it)."""
    entries: tuple[tuple[str, str], ...] = ()
    """Job overlay: (label, colour) of the jobs the legend names, then the rest and idle."""


def _hex_rgb(color: str) -> tuple[int, int, int]:
    c = QColor(color)
    return c.red(), c.green(), c.blue()


def colormap(values: FloatArray, stops: tuple[tuple[float, str], ...]) -> UIntArray:
    """Piecewise-linear colours for ``values`` in [0, 1] (clipped); NaN → 0 (no colour)."""
    positions = np.array([p for p, _ in stops])
    rgb = np.array([_hex_rgb(c) for _, c in stops], dtype=np.float64)
    finite = np.isfinite(values)
    # 32 levels: small drifts (a rack warming by 0.1 K) keep their colour, so the canvas only
    # repaints nodes whose colour visibly changes.
    v = np.round(np.clip(np.where(finite, values, 0.0), 0.0, 1.0) * COLOR_LEVELS) / COLOR_LEVELS
    channels = [np.interp(v, positions, rgb[:, k]).round().astype(np.uint32) for k in range(3)]
    argb = np.uint32(0xFF000000) | (channels[0] << 16) | (channels[1] << 8) | channels[2]
    return np.where(finite, argb, np.uint32(0)).astype(np.uint32)


def compute_overlay(
    mode: str,
    state: dict[str, np.ndarray],
    status_names: tuple[str, ...] = DEFAULT_STATUS_NAMES,
    kinds: np.ndarray | None = None,
    jobs: JobTable | None = None,
) -> Overlay:
    """Colours for ``engine.node_state()`` in ``mode`` (one of OVERLAY_MODES).

    ``kinds`` (``engine.node_kinds``) limits the temperature map to racks and cooling units, the
    nodes the engine gives a temperature (racks: GPU junction; cooling: supply temperature), and
    the job map's idle grey to the nodes that host workloads. ``jobs`` (``engine.job_table()``)
    feeds the job map.
    """
    if mode not in OVERLAY_MODES:
        raise ValueError(f"unknown overlay mode {mode!r}; choose from {', '.join(OVERLAY_MODES)}")
    status = np.asarray(state["status"], dtype=np.int64)
    n = len(status)
    failed_codes = [i for i, name in enumerate(status_names) if name in FAILED_STATUSES]
    marked = np.isin(status, failed_codes)
    if "units_failed" in state:
        marked |= np.asarray(state["units_failed"]) > 0
    scale_max = 0.0
    if mode == "job":
        argb, entries = _job_colors(n, kinds, jobs)
        return Overlay(mode, argb, marked, 0.0, entries)
    if mode == "none":
        argb = np.zeros(n, dtype=np.uint32)
    elif mode == "status":
        table = np.array(
            [
                0xFF000000 | _pack(_hex_rgb(STATUS_COLORS.get(name, "#808080")))
                for name in status_names
            ],
            dtype=np.uint32,
        )
        argb = table[np.clip(status, 0, len(table) - 1)]
    elif mode == "temperature":
        lo, hi = TEMP_RANGE_C
        temp_c = np.asarray(state["temp_c"], dtype=np.float64)
        if kinds is not None:
            temp_c = np.where(np.isin(kinds, list(TEMPERATURE_KINDS)), temp_c, np.nan)
        argb = colormap((temp_c - lo) / (hi - lo), _TEMP_STOPS)
    elif mode == "utilization":
        argb = colormap(np.asarray(state["utilization"], dtype=np.float64), _UTIL_STOPS)
    else:
        power_kw = np.asarray(state["power_kw"], dtype=np.float64)
        finite = power_kw[np.isfinite(power_kw)]
        scale_max = float(finite.max()) if finite.size else 0.0
        rel = power_kw / scale_max if scale_max > 0 else np.full(n, np.nan)
        # Nodes that draw nothing (teams, cloud) keep their own colour instead of "cold".
        argb = colormap(np.where(power_kw > 0, rel, np.nan), _POWER_STOPS)
    return Overlay(mode, argb.astype(np.uint32), marked, scale_max)


def _job_colors(
    n: int, kinds: np.ndarray | None, jobs: JobTable | None
) -> tuple[UIntArray, tuple[tuple[str, str], ...]]:
    """Per node: its job's colour, idle hosts grey, other nodes 0; and the legend entries."""
    argb = np.zeros(n, dtype=np.uint32)
    if kinds is not None:
        hosts = np.isin(kinds, list(WORKLOAD_HOST_KINDS))
        argb[hosts] = 0xFF000000 | _pack(_hex_rgb(IDLE_HOST_COLOR))
    if jobs is None or len(jobs.node_job) != n:
        return argb, ()
    table = np.array([0xFF000000 | _pack(_hex_rgb(c)) for c in JOB_COLORS], dtype=np.uint32)
    busy = jobs.node_job >= 0
    argb[busy] = table[jobs.node_job[busy] % len(JOB_COLORS)]
    shown = np.bincount(jobs.node_job[busy], minlength=len(jobs.ids))
    top = [int(j) for j in np.argsort(-shown, kind="stable")[:LEGEND_JOBS] if shown[j] > 0]
    entries = [
        (f"{jobs.ids[j]} ({jobs.held[j]:,.0f})", JOB_COLORS[j % len(JOB_COLORS)]) for j in top
    ]
    rest = int((shown > 0).sum()) - len(top)
    if rest > 0:
        entries.append((f"+{rest} more", ""))
    entries.append(("idle", IDLE_HOST_COLOR))
    return argb, tuple(entries)


def _pack(rgb: tuple[int, int, int]) -> int:
    return (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]


def changed_indices(previous: Overlay | None, current: Overlay) -> npt.NDArray[np.intp]:
    """Node indices whose colour or mark changed (all of them when there is no previous)."""
    if previous is None or len(previous.argb) != len(current.argb):
        return np.arange(len(current.argb))
    diff = (previous.argb != current.argb) | (previous.marked != current.marked)
    return np.flatnonzero(diff)


def to_qcolor(argb: int) -> QColor | None:
    return QColor.fromRgba(int(argb)) if argb else None


class OverlayLegend(QWidget):
    """A small legend: a gradient bar with its range, or status swatches."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = "none"
        self.scale_max = 0.0
        self.entries: tuple[tuple[str, str], ...] = ()
        self.setMinimumHeight(34)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_overlay(
        self, mode: str, scale_max: float = 0.0, entries: tuple[tuple[str, str], ...] = ()
    ) -> None:
        if (mode, scale_max, entries) != (self.mode, self.scale_max, self.entries):
            self.mode, self.scale_max, self.entries = mode, scale_max, entries
            self.setToolTip(self.describe())
            self.update()

    def describe(self) -> str:
        if self.mode == "temperature":
            return (
                f"Temperature, {TEMP_RANGE_C[0]:g}–{TEMP_RANGE_C[1]:g} °C: racks by GPU junction, "
                "cooling units by supply temperature"
            )
        if self.mode == "utilization":
            return "Accelerator utilization, 0–100 %"
        if self.mode == "power":
            largest = format_quantity(self.scale_max, "kW")
            return f"Power relative to the largest node now (0 – {largest})"
        if self.mode == "job":
            named = ", ".join(label for label, _ in self.entries) or "no job running"
            return (
                "Racks coloured by the training job holding most of their accelerators "
                f"(accelerators held): {named}"
            )
        if self.mode == "status":
            return "Node status: " + ", ".join(n.replace("_", " ") for n in STATUS_COLORS)
        return "No overlay: nodes show their kind colour"

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        text_color = self.palette().windowText().color()
        painter.setPen(text_color)
        rect = QRectF(self.rect()).adjusted(6, 4, -6, -4)
        if self.mode == "job":
            self._paint_swatches(painter, rect, self.entries)
        elif self.mode == "status":
            x = rect.left()
            for name, color in STATUS_COLORS.items():
                painter.fillRect(QRectF(x, rect.top() + 4, 10, 10), QColor(color))
                label = name.replace("waiting_delivery", "awaiting delivery").replace("_", " ")
                painter.drawText(
                    QRectF(x + 14, rect.top(), 200, 18), Qt.AlignmentFlag.AlignLeft, label
                )
                x += 22 + painter.fontMetrics().horizontalAdvance(label)
        elif self.mode in ("temperature", "utilization", "power"):
            stops, lo, hi = {
                "temperature": (_TEMP_STOPS, f"{TEMP_RANGE_C[0]:g} °C", f"{TEMP_RANGE_C[1]:g} °C"),
                "utilization": (_UTIL_STOPS, "0 %", "100 %"),
                "power": (_POWER_STOPS, "0 kW", format_quantity(self.scale_max, "kW")),
            }[self.mode]
            bar = QRectF(rect.left() + 60, rect.top() + 3, max(rect.width() - 140, 40), 10)
            gradient = QLinearGradient(bar.topLeft(), bar.topRight())
            for pos, color in stops:
                gradient.setColorAt(pos, QColor(color))
            painter.fillRect(bar, gradient)
            painter.drawText(
                QRectF(rect.left(), rect.top(), 56, 18), Qt.AlignmentFlag.AlignRight, lo
            )
            painter.drawText(
                QRectF(bar.right() + 4, rect.top(), 80, 18), Qt.AlignmentFlag.AlignLeft, hi
            )
        else:
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft, self.describe())
        painter.end()

    @staticmethod
    def _paint_swatches(
        painter: QPainter, rect: QRectF, entries: tuple[tuple[str, str], ...]
    ) -> None:
        x = rect.left()
        for label, color in entries or (("no job running", IDLE_HOST_COLOR),):
            if color:
                painter.fillRect(QRectF(x, rect.top() + 4, 10, 10), QColor(color))
                x += 14
            painter.drawText(QRectF(x, rect.top(), 300, 18), Qt.AlignmentFlag.AlignLeft, label)
            x += 10 + painter.fontMetrics().horizontalAdvance(label)
