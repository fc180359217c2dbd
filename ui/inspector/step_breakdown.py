"""StepBreakdownView: a training job's step time as a stacked bar, with the bottleneck named.

Shown under a training job's form when the job has a model description (issue 11). The numbers
come from the performance model at compile time (``aifactory_twin.perf.breakdown``): compute,
pipeline bubble, exposed communication per parallel dimension, optimizer, data feed and
checkpoint stalls; the widget only draws them. Without a prediction it says why (no model
description, or no layout fits) instead of drawing an empty bar.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from aifactory_twin.perf.breakdown import LABELS, PARTS, StepBreakdown

PART_COLORS: dict[str, str] = {
    "compute": "#3B6FE0",
    "bubble": "#9AA5B1",
    "tp": "#7C4DDB",
    "pp": "#B07CE8",
    "dp": "#E5671B",
    "cp": "#0FA3C0",
    "ep": "#D6457F",
    "optimizer": "#C9820A",
    "data_feed": "#13A37A",
    "stalls": "#E0483E",
}


class _Bar(QWidget):
    """The stacked bar itself: one segment per non-zero part, in ``PARTS`` order."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shares: list[tuple[str, float]] = []
        self.setFixedHeight(22)

    def sizeHint(self) -> QSize:
        return QSize(240, 22)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        x = rect.left()
        for key, share in self.shares:
            width = share * rect.width()
            painter.fillRect(QRectF(x, rect.top(), width, rect.height()), QColor(PART_COLORS[key]))
            x += width
        painter.setPen(QColor("#555555"))
        painter.drawRect(rect)
        painter.end()


class StepBreakdownView(QWidget):
    """Headline (step, MFU, bottleneck), the stacked bar, and a legend with seconds and shares."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.bar = _Bar()
        self.legend = QGridLayout()
        self.legend.setHorizontalSpacing(8)
        self.legend.setVerticalSpacing(1)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setStyleSheet("color: gray")
        layout.addWidget(self.headline)
        layout.addWidget(self.bar)
        layout.addLayout(self.legend)
        layout.addWidget(self.detail)
        self.breakdown: StepBreakdown | None = None
        self.set_breakdown(None, "")

    def set_breakdown(self, breakdown: StepBreakdown | None, note: str) -> None:
        """Show ``breakdown``, or ``note`` (why there is none) when it is None."""
        self.breakdown = breakdown
        while self.legend.count():
            item = self.legend.takeAt(0)
            if item is not None and (w := item.widget()) is not None:
                w.deleteLater()
        if breakdown is None:
            self.headline.setText(note)
            self.bar.shares = []
            self.bar.setVisible(False)
            self.detail.setText("")
            return
        b = breakdown
        bottleneck = b.bottleneck
        self.headline.setText(f"<b>{b.summary()}</b>")
        self.bar.shares = [(k, b.share(k)) for k, _ in PARTS if b.share(k) > 0.0]
        self.bar.setVisible(True)
        self.bar.update()
        row = 0
        for key, label in PARTS:
            seconds = b.parts_s.get(key, 0.0)
            if seconds <= 0.0:
                continue
            swatch = QLabel()
            swatch.setFixedSize(10, 10)
            swatch.setStyleSheet(f"background: {PART_COLORS[key]}; border: 1px solid #555")
            name = QLabel(f"<b>{label}</b>" if key == bottleneck else label)
            name.setObjectName(f"part-{key}")
            value = QLabel(f"{seconds:.3g} s")
            share = QLabel(f"{100 * b.share(key):.1f} %")
            for col, widget in enumerate((swatch, name, value, share)):
                align = Qt.AlignmentFlag.AlignRight if col >= 2 else Qt.AlignmentFlag.AlignLeft
                self.legend.addWidget(widget, row, col, align)
            row += 1
        memory = ", ".join(f"{k} {v:.1f}" for k, v in b.memory_gb.items())
        self.detail.setText(
            f"{b.layout}. HFU {100 * b.hfu:.1f} %. Memory per GPU (GB): {memory} "
            f"of {b.usable_gb:.0f} usable. Bottleneck: {LABELS[bottleneck].lower()}."
        )
