"""Drive the engine from the GUI thread: a QTimer steps it within a per-frame time budget.

Each timer frame (~60 per second) adds ``speed × real seconds elapsed`` of simulated time to a
debt and pays it in engine steps until the debt is below one step or the frame budget is spent,
so the event loop always gets the rest of the frame for input and painting (issue 5: input
answered within 50 ms while frontier-scale runs). When the engine cannot keep up, the run simply
goes slower than asked; ``achieved_speed`` says how fast it really goes. The engine never emits
Qt signals; this controller does.

Edits while running (architecture doc, "Engine isolation"): a parameter edit — of the base, or
of the overrides of the variant being simulated — is swapped in with ``engine.update_parameters``
at the next frame; a structural edit (node or edge added/removed, or a change the engine refuses
as structural) pauses the run and emits ``structure_changed`` so the window can offer a restart.
Which edits are which is decided in the core (``aifactory_twin.variant_session.RunFeed``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, QTimer, Signal

from aifactory_twin.document import FactoryDocument
from aifactory_twin.errors import TwinError
from aifactory_twin.schema import ScheduledEvent
from aifactory_twin.sim import Engine, compile_scenario
from aifactory_twin.variant_session import RunFeed, VariantSession

# Simulated seconds per real second offered in the UI: 1 min/s … 1 week/s.
SPEEDS_S_PER_S: tuple[tuple[float, str], ...] = (
    (60.0, "1 min/s"),
    (600.0, "10 min/s"),
    (3600.0, "1 h/s"),
    (6 * 3600.0, "6 h/s"),
    (86400.0, "1 day/s"),
    (7 * 86400.0, "1 week/s"),
)
DEFAULT_SPEED_S_PER_S = 3600.0
FRAME_INTERVAL_MS = 16
FRAME_BUDGET_MS = 10.0
"""Stepping time per frame; the rest of the ~16 ms frame is for input, charts and the canvas."""
MAX_CATCH_UP_S = 0.25
"""After a stall (window dragged, big redraw) do not try to make up more than this real time."""

IDLE, RUNNING, PAUSED, FINISHED = "idle", "running", "paused", "finished"


class SimController(QObject):
    """Run / pause / step / reset a simulation of the document's scenario."""

    state_changed = Signal(str)
    ticked = Signal()  # the engine advanced (once per frame at most)
    engine_replaced = Signal(object)  # a new Engine after (re)start, or None after reset
    structure_changed = Signal()  # structural edit during a run: offer a restart
    alarm_reached = Signal(float)  # Run Until Next Alarm stopped at this simulated time
    error = Signal(str)

    def __init__(
        self,
        doc: FactoryDocument,
        parent: QObject | None = None,
        frame_budget_ms: float = FRAME_BUDGET_MS,
        session: VariantSession | None = None,
    ) -> None:
        super().__init__(parent)
        self.doc = doc
        # The editor's variant session (the window's); a private one when run on its own.
        self.session = session or VariantSession(doc)
        self.feed: RunFeed | None = None  # the running engine's view of the document's edits
        self.engine: Engine | None = None
        self.state = IDLE
        self.speed_s_per_s = DEFAULT_SPEED_S_PER_S
        self.frame_budget_ms = frame_budget_ms
        self.variant: str | None = None
        self.seed: int | None = None  # None → the scenario's settings.seed
        self.horizon_s: float | None = None  # None → the scenario's settings.horizon_s
        self.step_s: float | None = None
        self._alarm_kinds: frozenset[str] | None = None
        """Set while Run Until Next Alarm seeks an event of these kinds."""
        self._alarms_before = 0
        self._debt_s = 0.0
        self._last_wall_s = 0.0
        self.achieved_speed_s_per_s = 0.0
        self.last_frame_ms = 0.0
        self.frames = 0
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_INTERVAL_MS)
        self._timer.timeout.connect(self._on_frame)
        doc.reset.connect(self._on_doc_reset)

    @property
    def stale(self) -> bool:
        """The document's topology changed since the engine was compiled."""
        return self.feed is not None and self.feed.stale

    # ------------------------------------------------------------ properties
    @property
    def time_s(self) -> float:
        return float(self.engine.time_s) if self.engine is not None else 0.0

    @property
    def effective_horizon_s(self) -> float:
        if self.engine is not None:
            return float(self.engine.compiled.horizon_s)
        return self.horizon_s or float(self.doc.part("settings").horizon_s)

    def progress(self) -> float:
        """Fraction of the horizon simulated, 0…1."""
        return min(self.time_s / max(self.effective_horizon_s, 1e-9), 1.0)

    def sim_datetime(self) -> datetime:
        # The engine's own start time: cheap, and right even if the document changed since.
        start = (
            self.engine.compiled.start_time
            if self.engine is not None
            else self.doc.part("settings").start_time
        )
        return start + timedelta(seconds=self.time_s)

    # ------------------------------------------------------------- commands
    def ensure_engine(self) -> Engine | None:
        """The running engine, or a fresh one compiled from the document; None on bad input.

        A stale engine (topology edited since it started) keeps running the factory as it was;
        ``restart`` compiles the new one.
        """
        if self.engine is not None:
            return self.engine
        try:
            compiled = compile_scenario(
                self.doc.scenario, self.variant, horizon_s=self.horizon_s, step_s=self.step_s
            )
            seed = self.seed if self.seed is not None else int(self.doc.scenario.settings.seed)
            engine = Engine(compiled, seed=seed)
        except (TwinError, ValueError, KeyError) as exc:
            self.error.emit(f"Cannot simulate: {exc}")
            return None
        self.engine = engine
        self._drop_feed()
        self.feed = RunFeed(self.session, self.variant)
        self.feed.structure_changed.connect(self._structure_changed)
        self.engine_replaced.emit(engine)
        return engine

    def run(self) -> None:
        engine = self.ensure_engine()
        if engine is None or engine.done:
            return
        self._debt_s = 0.0
        self._last_wall_s = time.perf_counter()
        self._timer.start()
        self._set_state(RUNNING)

    def pause(self) -> None:
        self._alarm_kinds = None
        if self.state == RUNNING:
            self._timer.stop()
            self._set_state(PAUSED)

    def toggle(self) -> None:
        self.pause() if self.state == RUNNING else self.run()

    def step(self) -> None:
        """One engine step (pauses a running simulation first)."""
        self.pause()
        engine = self.ensure_engine()
        if engine is None or engine.done:
            return
        self._apply_pending_parameters(engine)
        engine.step()
        self.ticked.emit()
        self._set_state(FINISHED if engine.done else PAUSED)

    def reset(self) -> None:
        """Discard the run; the next Run compiles the document as it is now."""
        self._timer.stop()
        self._alarm_kinds = None
        self.engine = None
        self._drop_feed()
        self.engine_replaced.emit(None)
        self._set_state(IDLE)

    def restart(self) -> None:
        self.reset()
        self.run()

    def run_for(self, duration_s: float, progress: Callable[[float], None] | None = None) -> None:
        """Simulate ``duration_s`` more at once, blocking (screenshot mode, tests)."""
        engine = self.ensure_engine()
        if engine is None:
            return
        self._apply_pending_parameters(engine)
        until_s = min(engine.time_s + duration_s, float(engine.compiled.horizon_s))
        engine.run(until_s=until_s, progress=progress)
        self.ticked.emit()
        self._set_state(FINISHED if engine.done else PAUSED)

    def inject(self, event: ScheduledEvent) -> bool:
        """Hand an event to the engine (it applies at the next tick); False if refused."""
        engine = self.ensure_engine()
        if engine is None:
            return False
        try:
            engine.inject(event)
        except (TwinError, ValueError, KeyError) as exc:
            self.error.emit(f"Cannot inject {event.kind}: {exc}")
            return False
        if self.state == IDLE:
            self._set_state(PAUSED)
        return True

    def run_until_alarm(self, kinds: frozenset[str]) -> None:
        """Run (as fast as frames allow) until an event of ``kinds`` is logged, then pause.

        Counted with the engine's per-kind totals, so it stops even after the event list is
        full. At the horizon the run finishes as usual.
        """
        engine = self.ensure_engine()
        if engine is None or engine.done:
            return
        self._alarm_kinds = kinds
        self._alarms_before = self._alarm_count(engine)
        self.run()

    def _alarm_count(self, engine: Engine) -> int:
        kinds = self._alarm_kinds or frozenset()
        return sum(engine.event_counts.get(kind, 0) for kind in kinds)

    def set_speed(self, speed_s_per_s: float) -> None:
        self.speed_s_per_s = max(float(speed_s_per_s), 1.0)

    # ------------------------------------------------------------- the frame
    def _on_frame(self) -> None:
        engine = self.engine
        if engine is None:
            self._timer.stop()
            return
        start_s = time.perf_counter()
        elapsed_s = min(start_s - self._last_wall_s, MAX_CATCH_UP_S)
        self._last_wall_s = start_s
        self._apply_pending_parameters(engine)
        if self.engine is not engine or self.state != RUNNING:
            return
        step_s = float(engine.compiled.step_s)
        self._debt_s = min(
            self._debt_s + self.speed_s_per_s * elapsed_s,
            self.speed_s_per_s * MAX_CATCH_UP_S + step_s,
        )
        deadline_s = start_s + self.frame_budget_ms / 1000.0
        steps = 0
        sim_before_s = engine.time_s
        seeking = self._alarm_kinds is not None
        reached = False
        # Seeking the next alarm runs as fast as the frame budget allows, not at the set speed.
        while (seeking or self._debt_s >= step_s) and not engine.done:
            engine.step()
            steps += 1
            self._debt_s = max(self._debt_s - step_s, 0.0)
            if seeking and self._alarm_count(engine) > self._alarms_before:
                reached = True
                break
            if time.perf_counter() >= deadline_s:
                break
        now_s = time.perf_counter()
        self.last_frame_ms = (now_s - start_s) * 1000.0
        self.frames += 1
        if elapsed_s > 0:
            # Exponential moving average over ~30 frames of the simulated speed really achieved.
            rate = (engine.time_s - sim_before_s) / elapsed_s
            self.achieved_speed_s_per_s += (rate - self.achieved_speed_s_per_s) / 30.0
        if steps:
            self.ticked.emit()
        if reached:
            self._alarm_kinds = None
            self._timer.stop()
            self._set_state(PAUSED)
            self.alarm_reached.emit(engine.time_s)
        elif engine.done:
            self._alarm_kinds = None
            self._timer.stop()
            self._set_state(FINISHED)

    def _apply_pending_parameters(self, engine: Engine) -> None:
        feed = self.feed
        if feed is None:
            return
        try:
            scenario = feed.take_parameters()
            if scenario is None:
                return
            # The engine recompiles without a variant: it gets the variant already applied.
            engine.update_parameters(scenario)
        except ValueError:
            feed.mark_stale()
            self._structure_changed()
        except TwinError as exc:
            # An invalid combination (e.g. a rule the compiler enforces): keep the old parameters.
            self.error.emit(f"Edit not applied to the running simulation: {exc}")

    def _drop_feed(self) -> None:
        if self.feed is not None:
            self.feed.structure_changed.disconnect(self._structure_changed)
            self.feed.detach()
            self.feed = None

    # ------------------------------------------------------- document events
    def _structure_changed(self) -> None:
        if self.engine is None:
            return
        was_running = self.state == RUNNING
        self.pause()
        if was_running or self.state in (PAUSED, FINISHED):
            self.structure_changed.emit()

    def _on_doc_reset(self) -> None:
        self.reset()

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)
