"""The timeline scrubber under the live charts: drag to move the time cursor, ticks at events.

The track spans the run's horizon; the part simulated so far is filled, events are ticks in
their severity colour. Pressing or dragging picks a time (clamped to what has been simulated);
a press within ``SNAP_PX`` of an event tick snaps to it, so the alarms can be stepped through
from the timeline. Left/Right move one pixel's worth of time (Shift: ten), Home goes to the
start, End or Escape returns to following the run live.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.charts.axes import format_sim_time
from ui.charts.markers import EventMarks

SNAP_PX = 5.0
_MARGIN_PX = 8.0


class TimelineScrubber(QWidget):
    """A horizontal timeline over simulated seconds with a draggable cursor."""

    time_picked = Signal(float)  # the user moved the cursor to this simulated time
    event_picked = Signal(float)  # … and it snapped to an event at this time
    live_requested = Signal()  # End / Escape: follow the run again

    def __init__(self, marks: EventMarks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.marks = marks
        self.span_s = 3600.0
        self.recorded_s = 0.0
        self.position_s: float | None = None
        self._dragging = False
        self.setObjectName("timeline_scrubber")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.setToolTip(
            "Timeline: drag to move the time cursor across the charts (and the canvas colours); "
            "ticks are events — a click near one jumps to it. End or Esc follows the run again."
        )

    def sizeHint(self) -> QSize:
        return QSize(400, 22)

    # ------------------------------------------------------------------ state
    def set_span(self, span_s: float) -> None:
        self.span_s = max(float(span_s), 1.0)
        self.update()

    def set_recorded(self, recorded_s: float) -> None:
        self.recorded_s = max(float(recorded_s), 0.0)
        self.update()

    def set_position(self, time_s: float | None) -> None:
        self.position_s = time_s
        self.update()

    # ---------------------------------------------------------------- mapping
    def _track(self) -> QRectF:
        return QRectF(_MARGIN_PX, 4.0, max(self.width() - 2 * _MARGIN_PX, 1.0), self.height() - 8.0)

    def x_of(self, time_s: float) -> float:
        track = self._track()
        return track.left() + track.width() * min(max(time_s / self.span_s, 0.0), 1.0)

    def xs_of(self, times_s: np.ndarray) -> np.ndarray:
        track = self._track()
        return track.left() + track.width() * np.clip(times_s / self.span_s, 0.0, 1.0)

    def time_at(self, x: float) -> float:
        track = self._track()
        time_s = (x - track.left()) / track.width() * self.span_s
        return min(max(time_s, 0.0), self.recorded_s)

    def _snap(self, x: float) -> float | None:
        times = self.marks.times_s
        visible = times[(times >= 0) & (times <= self.recorded_s)]
        if visible.size == 0:
            return None
        distance = np.abs(self.xs_of(visible) - x)
        nearest = int(np.argmin(distance))
        return float(visible[nearest]) if distance[nearest] <= SNAP_PX else None

    # ----------------------------------------------------------------- input
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.recorded_s <= 0:
            super().mousePressEvent(event)
            return
        self._dragging = True
        x = event.position().x()
        snapped = self._snap(x)
        if snapped is not None:
            self._pick(snapped)
            self.event_picked.emit(snapped)
        else:
            self._pick(self.time_at(x))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._dragging:
            self._pick(self.time_at(event.position().x()))
        else:
            x = event.position().x()
            self.setToolTip(self._hover_text(x) or self.toolTip())
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._dragging = False
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        px_s = self.span_s / max(self._track().width(), 1.0)
        step = px_s * (10 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1)
        here = self.position_s if self.position_s is not None else self.recorded_s
        if key == Qt.Key.Key_Left:
            self._pick(max(here - step, 0.0))
        elif key == Qt.Key.Key_Right:
            self._pick(min(here + step, self.recorded_s))
        elif key == Qt.Key.Key_Home:
            self._pick(0.0)
        elif key in (Qt.Key.Key_End, Qt.Key.Key_Escape):
            self.set_position(None)
            self.live_requested.emit()
        else:
            super().keyPressEvent(event)

    def _pick(self, time_s: float) -> None:
        self.set_position(time_s)
        self.time_picked.emit(time_s)

    def _hover_text(self, x: float) -> str:
        snapped = self._snap(x)
        if snapped is None:
            return ""
        texts = self.marks.near(snapped, 0.5 * SNAP_PX * self.span_s / self._track().width())
        return "\n".join(texts[:6])

    # ----------------------------------------------------------------- paint
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            pal = self.palette()
            track = self._track()
            painter.fillRect(track, pal.color(QPalette.ColorRole.AlternateBase))
            done = QRectF(
                track.left(), track.top(), self.x_of(self.recorded_s) - track.left(), track.height()
            )
            fill = QColor(pal.color(QPalette.ColorRole.Highlight))
            fill.setAlpha(60)
            painter.fillRect(done, fill)
            painter.setPen(QPen(pal.color(QPalette.ColorRole.Mid)))
            painter.drawRect(track)
            for color, times in self.marks.by_color().items():
                painter.setPen(QPen(QColor(color), 1))
                xs = np.unique(np.round(self.xs_of(times)))
                for x in xs:
                    painter.drawLine(QPointF(x, track.top() + 2), QPointF(x, track.bottom() - 2))
            if self.position_s is not None:
                x = self.x_of(self.position_s)
                painter.setPen(QPen(pal.color(QPalette.ColorRole.Text), 2))
                painter.drawLine(QPointF(x, 0), QPointF(x, self.height()))
                painter.setPen(pal.color(QPalette.ColorRole.Text))
                label = format_sim_time(self.position_s)
                flags = Qt.AlignmentFlag.AlignVCenter | (
                    Qt.AlignmentFlag.AlignLeft
                    if x < self.width() / 2
                    else Qt.AlignmentFlag.AlignRight
                )
                room = (
                    QRectF(x + 4, 0, self.width() - x - 4, self.height())
                    if x < self.width() / 2
                    else QRectF(0, 0, x - 4, self.height())
                )
                painter.drawText(room, flags, label)
        finally:
            painter.end()
