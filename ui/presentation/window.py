"""Presentation mode (View › Presentation, F5): full screen, one slide at a time, large type.

Arrow keys, Page Up/Down, Space and Home/End move; T switches light/dark; Esc leaves. The window
only paints the deck (ui.presentation.slides); it never runs the simulation itself.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QCloseEvent, QColor, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from aifactory_twin.schema import Scenario
from aifactory_twin.study import CompareResult, MonteCarloResult, SweepResult
from ui.presentation.slides import Deck, draw_slide
from ui.report_charts import font
from ui.report_studies import DecisionStudies
from ui.theme import DARK, LIGHT, Theme
from ui.theme import current as current_theme

_NEXT = {Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_PageDown, Qt.Key.Key_Space}
_PREV = {Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_PageUp, Qt.Key.Key_Backspace}


class PresentationWindow(QWidget):
    """A top-level window showing a Deck; ``closed`` fires when Esc leaves."""

    slide_changed = Signal(int)
    closed = Signal()

    def __init__(
        self,
        scenario: Scenario,
        compare: CompareResult,
        baseline: str | None = None,
        montecarlo: MonteCarloResult | None = None,
        *,
        dark: bool | None = None,
        parent: QWidget | None = None,
        sweep: SweepResult | None = None,
        sweep_kpi: str = "total_cost_usd",
        decisions: DecisionStudies | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(f"{scenario.meta.name} — presentation")
        self.deck = Deck(
            scenario,
            compare,
            baseline or next(iter(compare.runs)),
            montecarlo,
            sweep,
            sweep_kpi,
            decisions,
        )
        self.slides = self.deck.slides()
        self.index = 0
        # The slides open in the app's theme (T switches); ``dark`` overrides it.
        self.theme: Theme = current_theme() if dark is None else DARK if dark else LIGHT
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.BlankCursor)

    def start(self) -> None:
        """Show full screen on the current screen and take the keyboard."""
        self.showFullScreen()
        self.activateWindow()
        self.setFocus()

    def go_to(self, index: int) -> None:
        index = max(0, min(index, len(self.slides) - 1))
        if index != self.index:
            self.index = index
            self.slide_changed.emit(index)
            self.update()

    def toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme is DARK else DARK
        self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.close()
        elif key in _NEXT:
            self.go_to(self.index + 1)
        elif key in _PREV:
            self.go_to(self.index - 1)
        elif key == Qt.Key.Key_Home:
            self.go_to(0)
        elif key == Qt.Key.Key_End:
            self.go_to(len(self.slides) - 1)
        elif key == Qt.Key.Key_T:
            self.toggle_theme()
        else:
            super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit()
        super().closeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            rect = QRectF(self.rect())
            draw_slide(painter, rect, self.deck, self.slides[self.index], self.theme)
            painter.setFont(font(11 * rect.height() / 640.0))
            painter.setPen(QColor(self.theme.muted))
            margin = rect.height() * 0.03
            painter.drawText(
                rect.adjusted(margin, margin, -margin, -margin),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
                f"{self.index + 1} / {len(self.slides)}",
            )
        finally:
            painter.end()
