"""Run controls: Simulate menu actions, the simulation toolbar and the status-bar clock.

Run/Pause (Space), Step, Run Until Next Alarm, Reset; speed as simulated time per real second;
horizon, step size, seed and variant (these are compile-time choices: they apply when the run
(re)starts, which the tooltips say); a progress bar toward the horizon and the simulated date
in the status bar.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QProgressBar,
    QSpinBox,
    QTextEdit,
    QToolBar,
    QWidget,
)

from aifactory_twin.errors import UsageError
from aifactory_twin.formatting import parse_duration
from ui.charts.axes import format_sim_time
from ui.live.alarms import ALARM_KINDS
from ui.sim_controller import FINISHED, RUNNING, SPEEDS_S_PER_S, SimController

HORIZON_CHOICES = ("1d", "7d", "30d", "90d", "1y")
STEP_CHOICES = ("15s", "1m", "5m", "15m", "1h")
SCENARIO_DEFAULT = "scenario"


def format_speed(s_per_s: float) -> str:
    """Simulated time per real second, in the largest unit that reads ≥ 1."""
    for size, unit in ((86400.0, "d"), (3600.0, "h"), (60.0, "min")):
        if s_per_s >= size:
            return f"{s_per_s / size:.1f} {unit}/s"
    return f"{s_per_s:.0f} s/s"


class SpaceTapFilter(QObject):
    """Run/pause on a tap of Space anywhere in ``window``, except while typing or panning.

    The canvas pans while Space is held with the mouse dragging; a tap (press and release with
    no mouse drag in between) toggles the run. Text fields, spin boxes, buttons and editable
    drop-downs keep Space. Events are observed, not consumed, so the canvas still sees its key
    presses; the one exception is a non-editable drop-down, which would open its list.
    """

    def __init__(self, window: QWidget, on_tap: Callable[[], None]) -> None:
        super().__init__(window)
        self.window = window
        self.on_tap = on_tap
        self._pressed = False
        self._dragged = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            key_event = event
            assert isinstance(key_event, QKeyEvent)
            if key_event.key() != Qt.Key.Key_Space or key_event.isAutoRepeat():
                return False
            if not self._applies(watched):
                return False
            if kind == QEvent.Type.KeyPress:
                self._pressed, self._dragged = True, False
            elif self._pressed:
                self._pressed = False
                if not self._dragged:
                    self.on_tap()
            # A drop-down opens its list on Space: swallow the key there so Space pauses
            # instead (the list still opens with Alt+Down or a click).
            return isinstance(watched, QComboBox)
        elif kind == QEvent.Type.MouseMove and self._pressed:
            self._dragged = True
        return False

    def _applies(self, watched: QObject) -> bool:
        # Key events are delivered to (and filtered on) the focus widget first; only act once,
        # for a focus widget inside our window that does not use Space itself.
        focus = QApplication.focusWidget()
        if focus is None or watched is not focus or focus.window() is not self.window:
            return False
        typing = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox, QAbstractButton)
        if isinstance(focus, typing):
            return False
        return not (isinstance(focus, QComboBox) and focus.isEditable())


class RunControls(QObject):
    """Actions and widgets bound to one SimController."""

    def __init__(self, controller: SimController, parent: QWidget) -> None:
        super().__init__(parent)
        self.controller = controller
        self.run_action = QAction("Run\tSpace", parent)
        self.run_action.setObjectName("action_sim_run")
        # Space is not a QAction shortcut: the canvas pans while Space is held, so a tap is
        # told from a hold-and-drag by SpaceTapFilter (the "\tSpace" only labels the menu).
        self.run_action.setToolTip("Run / pause the simulation (Space)")
        self.run_action.triggered.connect(controller.toggle)
        self.space_filter = SpaceTapFilter(parent, controller.toggle)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.space_filter)
        self.step_action = QAction("Step", parent)
        self.step_action.setObjectName("action_sim_step")
        self.step_action.setShortcut(QKeySequence("Ctrl+Right"))
        self.step_action.setToolTip("Advance one simulation step (Ctrl+Right)")
        self.step_action.triggered.connect(controller.step)
        self.until_alarm_action = QAction("Run Until Next Alarm", parent)
        self.until_alarm_action.setObjectName("action_sim_until_alarm")
        self.until_alarm_action.setIconText("To alarm")  # the toolbar's short name
        self.until_alarm_action.setShortcut(QKeySequence("Ctrl+Shift+Right"))
        self.until_alarm_action.setToolTip(
            "Run at full speed until the next warning or critical event, then pause "
            "(Ctrl+Shift+Right)"
        )
        self.until_alarm_action.triggered.connect(lambda: controller.run_until_alarm(ALARM_KINDS))
        self.reset_action = QAction("Reset", parent)
        self.reset_action.setObjectName("action_sim_reset")
        self.reset_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.reset_action.setToolTip(
            "Discard the run; the next Run starts from the factory as drawn"
        )
        self.reset_action.triggered.connect(controller.reset)

        self.speed = QComboBox()
        self.speed.setObjectName("sim_speed")
        self.speed.setToolTip(
            "Simulated time per real second (the run goes slower if the machine can't keep up)"
        )
        for seconds, label in SPEEDS_S_PER_S:
            self.speed.addItem(label, seconds)
        self.speed.setCurrentIndex([s for s, _ in SPEEDS_S_PER_S].index(controller.speed_s_per_s))
        self.speed.currentIndexChanged.connect(
            lambda _i: controller.set_speed(float(self.speed.currentData()))
        )
        self.horizon = self._duration_combo(HORIZON_CHOICES, "Horizon: how far the run goes")
        self.step_size = self._duration_combo(STEP_CHOICES, "Step size of the simulation")
        self.seed = QSpinBox()
        self.seed.setRange(-1, 2**31 - 1)
        self.seed.setSpecialValueText(SCENARIO_DEFAULT)
        self.seed.setValue(-1)
        self.seed.setToolTip(
            "Random seed (failures, attrition); 'scenario' uses settings.seed. Applies at restart."
        )
        self.variant = QComboBox()
        self.variant.setToolTip("Variant (what-if) to simulate. Applies at restart.")
        self.variant.currentIndexChanged.connect(self._on_choices_changed)
        self.seed.valueChanged.connect(self._on_choices_changed)
        self.progress = QProgressBar()
        self.progress.setObjectName("sim_progress")
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(160)
        self.progress.setMaximumHeight(16)
        self.progress.setFormat("%p %")
        self.progress.setToolTip("Progress toward the horizon")
        self.clock = QLabel("not running")
        self.clock.setObjectName("sim_clock")
        self.clock.setToolTip("Simulated date and elapsed time")
        controller.state_changed.connect(self._on_state_changed)
        controller.ticked.connect(self.update_clock)
        controller.engine_replaced.connect(lambda _e: self.update_clock())
        self._on_state_changed(controller.state)

    def _duration_combo(self, choices: tuple[str, ...], tip: str) -> QComboBox:
        combo = QComboBox()
        combo.setEditable(True)
        combo.addItem(SCENARIO_DEFAULT)
        combo.addItems(list(choices))
        combo.setToolTip(f"{tip} ('scenario' uses the scenario's settings). Applies at restart.")
        combo.setMinimumContentsLength(7)
        combo.currentTextChanged.connect(self._on_choices_changed)
        return combo

    def set_variants(self, names: list[str]) -> None:
        current = self.variant.currentData()
        self.variant.blockSignals(True)
        self.variant.clear()
        self.variant.addItem("Base", None)
        for name in names:
            self.variant.addItem(name, name)
        index = self.variant.findData(current)
        self.variant.setCurrentIndex(max(index, 0))
        self.variant.blockSignals(False)

    def _on_choices_changed(self, *_args: object) -> None:
        """Copy the choices into the controller; they take effect when the engine is rebuilt."""
        c = self.controller
        c.variant = self.variant.currentData()
        c.seed = None if self.seed.value() < 0 else self.seed.value()
        c.horizon_s = self._read(self.horizon, "horizon")
        c.step_s = self._read(self.step_size, "step")

    def _read(self, combo: QComboBox, name: str) -> float | None:
        text = combo.currentText().strip()
        if not text or text == SCENARIO_DEFAULT:
            combo.setStyleSheet("")
            return None
        try:
            value = parse_duration(text, name)
        except UsageError as exc:
            combo.setStyleSheet("QComboBox { color: #E0483E; }")
            combo.setToolTip(str(exc))
            return None
        combo.setStyleSheet("")
        return value

    def build_toolbar(self, parent: QWidget) -> QToolBar:
        bar = QToolBar("Simulation", parent)
        bar.setObjectName("simulation_toolbar")
        bar.addAction(self.run_action)
        bar.addAction(self.step_action)
        bar.addAction(self.until_alarm_action)
        bar.addAction(self.reset_action)
        bar.addSeparator()
        for label, widget in (
            ("Speed", self.speed),
            ("Horizon", self.horizon),
            ("Step", self.step_size),
            ("Seed", self.seed),
            ("Variant", self.variant),
        ):
            bar.addWidget(QLabel(f" {label} "))
            bar.addWidget(widget)
        bar.addSeparator()
        bar.addWidget(self.progress)
        return bar

    def populate_menu(self, menu: QMenu) -> None:
        menu.addAction(self.run_action)
        menu.addAction(self.step_action)
        menu.addAction(self.until_alarm_action)
        menu.addAction(self.reset_action)
        speed_menu = QMenu("Speed", menu)
        menu.addMenu(speed_menu)  # not addMenu(str): see events_menu.add_submenu
        for index, (_seconds, label) in enumerate(SPEEDS_S_PER_S):
            speed_menu.addAction(label, lambda i=index: self.speed.setCurrentIndex(i))

    def update_clock(self) -> None:
        c = self.controller
        if c.engine is None:
            self.clock.setText("not running")
            self.progress.setValue(0)
            return
        when = c.sim_datetime().strftime("%Y-%m-%d %H:%M")
        elapsed = format_sim_time(c.time_s)
        speed = ""
        if c.state == RUNNING and c.achieved_speed_s_per_s > 0:
            speed = f" · {format_speed(c.achieved_speed_s_per_s)}"
        self.clock.setText(f"{when} (+{elapsed}){speed}")
        self.progress.setValue(round(1000 * c.progress()))

    def _on_state_changed(self, state: str) -> None:
        running = state == RUNNING
        self.run_action.setText("Pause\tSpace" if running else "Run\tSpace")
        self.run_action.setIconText("Pause" if running else "Run")
        self.run_action.setToolTip(
            "Pause the simulation (Space)" if running else "Run the simulation (Space)"
        )
        self.run_action.setEnabled(state != FINISHED)
        self.until_alarm_action.setEnabled(state != FINISHED)
        self.update_clock()
