"""Wire the live simulation view into the editor window.

``install_live_view(window)`` adds the Simulate menu entries, the simulation toolbar, the
chart / KPI / alarm docks, the selected node's mini-chart (in the inspector's footer slot), the
overlay selector and legend, and the canvas context menu for injected events. The editor's own
modules only need to call it (and ``shutdown`` / ``apply_theme``); everything live stays in
``ui/live`` and ``ui/charts``.

Refresh cadence: the charts redraw themselves at ≤ 30 Hz from the recorder; tiles, overlay,
alarms, node mini-chart and clock refresh at ``PANEL_REFRESH_MS`` when the engine has advanced
(the KPI dict and per-node state are computed on demand by the engine, so this bounds their
cost); the mini-chart also redraws when the selection changes, never per simulation step.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np
import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDockWidget,
    QFrame,
    QLabel,
    QMenu,
    QMessageBox,
    QScrollArea,
    QToolBar,
)

from aifactory_twin.sim import STATUS_NAMES
from ui.charts.axes import format_sim_time
from ui.charts.export import ask_and_export_all, install_context_menus
from ui.charts.panel import ChartsPanel
from ui.live.alarms import ALARM_KINDS, AlarmsPanel, describe_event
from ui.live.events_menu import EventInjector
from ui.live.jobs_panel import JobsPanel
from ui.live.kpi_tiles import KpiTilesWidget
from ui.live.node_chart import NodeHistoryChart
from ui.live.overlay import (
    MODE_LABELS,
    OVERLAY_MODES,
    Overlay,
    OverlayLegend,
    changed_indices,
    compute_overlay,
    to_qcolor,
)
from ui.live.run_controls import RunControls
from ui.menus import add_submenu
from ui.sim_controller import SimController

if TYPE_CHECKING:
    from ui.main_window import MainWindow

PANEL_REFRESH_MS = 250
HISTORY_OVERLAYS = frozenset({"temperature", "utilization", "power"})
"""Overlays the recorder keeps per-node history for (the timeline can show the past)."""
BIG_FACTORY_REFRESH_MS = 1000
PANEL_TIME_SHARE = 0.15  # at most this share of wall time on tiles, overlay and alarms


class LiveView(QObject):
    """Everything the live simulation adds to one MainWindow."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.controller = SimController(window.doc, self, session=window.variant_session)
        self.controls = RunControls(self.controller, window)
        self.charts = ChartsPanel()
        install_context_menus(self.charts, notify=window.status)
        self.tiles = KpiTilesWidget()
        self.alarms = AlarmsPanel()
        self.node_chart = NodeHistoryChart()
        self.jobs = JobsPanel()
        self.legend = OverlayLegend()
        self.injector = EventInjector(self.controller, window.doc, window.push, self)
        self.overlay_mode = "status"
        self._overlay: Overlay | None = None
        self._overlay_item_count = 0
        self.overlay_time_s: float | None = None
        """The recorded time the canvas colours show (None: the run now)."""
        self._dirty = False
        self._shut_down = False
        self._next_panel_s = 0.0
        self.panel_refresh_ms = 0.0  # last refresh's wall time, for the benchmark
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(PANEL_REFRESH_MS)
        self._timer.timeout.connect(self._on_refresh_timer)
        self._timer.start()
        self._connect()
        self._on_engine_replaced(None)

    # ------------------------------------------------------------ building
    def _build(self) -> None:
        w = self.window
        menu: QMenu = w.simulate_menu
        self.controls.populate_menu(menu)
        menu.addSeparator()
        overlay_menu = add_submenu(menu, "Colour canvas by")
        for mode in OVERLAY_MODES:
            overlay_menu.addAction(MODE_LABELS[mode], lambda m=mode: self.set_overlay_mode(m))
        menu.addSeparator()
        self.injector.populate_simulate_menu(menu)
        menu.addSeparator()
        export = menu.addAction(
            "Export charts…", lambda: ask_and_export_all(self.charts, w, notify=w.status)
        )
        export.setToolTip("Write every chart as PNG, SVG and CSV into a folder")
        self._add_to_file_menu(export)

        self.toolbar: QToolBar = self.controls.build_toolbar(w)
        self.overlay_combo = QComboBox()
        self.overlay_combo.setObjectName("overlay_mode")
        self.overlay_combo.setToolTip("Colour the canvas nodes by a live quantity")
        for mode in OVERLAY_MODES:
            self.overlay_combo.addItem(MODE_LABELS[mode], mode)
        self.overlay_combo.setCurrentIndex(OVERLAY_MODES.index(self.overlay_mode))
        self.overlay_combo.currentIndexChanged.connect(
            lambda _i: self.set_overlay_mode(str(self.overlay_combo.currentData()))
        )
        self.toolbar.addSeparator()
        self.toolbar.addWidget(QLabel(" Colour by "))
        self.toolbar.addWidget(self.overlay_combo)
        self.legend.setMinimumWidth(260)
        self.toolbar.addWidget(self.legend)
        w.addToolBarBreak()
        w.addToolBar(self.toolbar)
        w.statusBar().addPermanentWidget(self.controls.clock)

        self.charts_dock = w.add_dock("Charts", "charts_dock", self.charts, "bottom")
        self.alarms_dock = w.add_dock("Alarms", "alarms_dock", self.alarms, "bottom")
        self.jobs_dock = w.add_dock("Jobs", "jobs_dock", self.jobs, "bottom")
        # Tabbed behind the charts by the default layout (ui/layout.py), once the window shows.
        self.jobs_dock.visibilityChanged.connect(self._on_jobs_shown)
        self.jobs.job_clicked.connect(self._on_job_clicked)
        w.splitDockWidget(self.charts_dock, self.alarms_dock, Qt.Orientation.Horizontal)
        validation = getattr(w, "validation_dock", None)
        # Without a saved layout the default layout tabs them once the window shows (tabbing
        # before the first show leaves a ghost tab bar on the canvas in Qt 6.10).
        if isinstance(validation, QDockWidget) and w.settings.value("window_state") is not None:
            # One tab pair: validation while editing; alarms come forward when a run starts.
            w.tabifyDockWidget(self.alarms_dock, validation)
            validation.raise_()
        # In a scroll area: the tiles' fixed height would otherwise cap any tab group the KPI
        # dock joins (the default layout puts it behind the charts, ui/layout.py).
        holder = QScrollArea()
        holder.setObjectName("kpi_holder")
        holder.setWidgetResizable(True)
        holder.setFrameShape(QFrame.Shape.NoFrame)
        holder.setWidget(self.tiles)
        self.kpi_dock = w.add_dock("KPIs", "kpi_dock", holder, "bottom")
        w.removeDockWidget(self.kpi_dock)
        w.addDockWidget(Qt.DockWidgetArea.TopDockWidgetArea, self.kpi_dock)
        self.kpi_dock.show()
        # The node's mini-chart lives in the inspector, under its form (a dock of its own ended
        # up tabbed behind Variants, out of sight). The inspector only offers the slot.
        inspector = getattr(w, "inspector", None)
        if inspector is not None and hasattr(inspector, "set_node_footer"):
            inspector.set_node_footer(self.node_chart)
        # First start (no saved layout): once the window is laid out, charts get most of the
        # bottom area. A saved layout (QSettings "window_state") is left as the user made it.
        if w.settings.value("window_state") is None:
            QTimer.singleShot(0, self.size_docks)

        # "Inject event" joins the editor's canvas context menu (ui/canvas_menu.py).
        w.canvas_menu.add_section(self._context_section)

    def _add_to_file_menu(self, action: QAction) -> None:
        """Also offer chart export under File, after the editor's own export entries.

        The File menu is found with ``findChildren``: ``QAction.menu()`` in PySide6 6.10 hands
        back a wrapper that deletes the menu when collected (measured: File › Open Recent died).
        """
        menus = self.window.menuBar().findChildren(QMenu)
        file_menu = next((m for m in menus if m.title().replace("&", "") == "File"), None)
        if file_menu is None:
            return
        entries = file_menu.actions()
        after = next(
            (i for i, a in enumerate(entries) if a.objectName() == "action_export_graphml"), None
        )
        if after is not None and after + 1 < len(entries):
            file_menu.insertAction(entries[after + 1], action)
        else:
            file_menu.addAction(action)

    def size_docks(self) -> None:
        w = self.window
        width, height = max(w.width(), 800), max(w.height(), 600)
        w.resizeDocks([self.charts_dock], [int(height * 0.36)], Qt.Orientation.Vertical)
        w.resizeDocks(
            [self.charts_dock, self.alarms_dock],
            [int(width * 0.72), int(width * 0.28)],
            Qt.Orientation.Horizontal,
        )

    def _connect(self) -> None:
        c = self.controller
        c.engine_replaced.connect(self._on_engine_replaced)
        c.ticked.connect(self._on_ticked)
        c.state_changed.connect(lambda _s: self._on_ticked())
        c.error.connect(self.window.status)
        c.structure_changed.connect(self._on_structure_changed)
        c.alarm_reached.connect(self._on_alarm_reached)
        self.alarms.event_activated.connect(self._on_alarm_activated)
        self.charts.cursor_pinned.connect(self._on_time_pinned)
        self.charts.scrubber.event_picked.connect(self._on_timeline_event)
        self.window.doc.reset.connect(self._on_doc_reset)
        self.window.scene.selectionChanged.connect(self._show_selected_history)
        self.window.doc.part_changed.connect(self._on_doc_part_changed)
        self.window.variant_session.active_changed.connect(self._follow_editor_variant)
        self._on_doc_reset()

    def _follow_editor_variant(self, name: object) -> None:
        """The live view simulates the variant the editor shows (from the next restart)."""
        combo = self.controls.variant
        index = 0 if name is None else combo.findData(name)
        if index >= 0 and index != combo.currentIndex():
            combo.setCurrentIndex(index)

    # ------------------------------------------------------------ actions
    def set_overlay_mode(self, mode: str) -> None:
        if mode not in OVERLAY_MODES:
            return
        self.overlay_mode = mode
        index = OVERLAY_MODES.index(mode)
        if self.overlay_combo.currentIndex() != index:
            self.overlay_combo.setCurrentIndex(index)
        self.refresh_panels(force=True)

    def run_headless(self, duration_s: float) -> None:
        """Simulate ``duration_s`` now (screenshot mode) and show the result everywhere."""
        self.controller.run_for(duration_s)
        self.charts.refresh(force=True)
        self.refresh_panels(force=True)
        # Show the alarms tab once the window has settled (other docks raise themselves at start).
        QTimer.singleShot(0, self.alarms_dock.raise_)

    def apply_theme(self, dark: bool) -> None:
        self.charts.apply_theme(dark)
        self.jobs.set_dark(dark)
        self.node_chart.set_dark(dark)

    def shutdown(self) -> None:
        """Stop timers and the run; safe to call more than once."""
        if self._shut_down:
            return
        self._shut_down = True
        self.window.scene.selectionChanged.disconnect(self._show_selected_history)
        self.window.variant_session.active_changed.disconnect(self._follow_editor_variant)
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.controls.space_filter)
        self._timer.stop()
        self.controller.reset()
        self.charts.attach(None)

    # ------------------------------------------------------------ refresh
    def _on_ticked(self) -> None:
        self._dirty = True

    def _on_refresh_timer(self) -> None:
        now_s = time.perf_counter()
        if self._dirty and now_s >= self._next_panel_s:
            self.refresh_panels()
            # Like the charts: on a huge factory, refresh less often rather than starve input.
            cost_s = self.panel_refresh_ms / 1000.0
            # A recolour repaints the whole canvas (its cost is not in panel_refresh_ms): on a
            # factory drawn as an overview (thousands of nodes) recolour at most once a second.
            floor_s = (
                BIG_FACTORY_REFRESH_MS if self.window.scene.overview else PANEL_REFRESH_MS
            ) / 1000.0
            self._next_panel_s = now_s + max(floor_s, cost_s / PANEL_TIME_SHARE)

    def refresh_panels(self, force: bool = False) -> None:
        """Tiles, overlay, alarms, node chart and clock from the engine's current state."""
        start = time.perf_counter()
        self._dirty = False
        engine = self.controller.engine
        self.controls.update_clock()
        panel = getattr(self.window, "scenario_panel", None)
        if engine is None:
            if panel is not None:
                panel.show_accounting(None)
            self.tiles.clear()
            self.jobs.clear()
            self._apply_overlay(None)
            self.window.scene.set_wan_loads({})
            self._show_selected_history()  # hides the mini-chart: the run is gone
            return
        if force:
            self.charts.refresh()
        rec = engine.recorder
        latest = {name: float(rec.series(name)[-1]) for name in rec.names} if rec.n else {}
        kpis = engine.kpis()
        self.tiles.update_kpis(kpis, latest)
        if self.jobs.isVisible() or force:  # a tab behind the charts costs nothing
            self.jobs.refresh(engine, kpis)
        if panel is not None:
            # The selected workload's energy, carbon and cost follow the run (issue 10).
            panel.show_accounting(kpis.get("job_accounting"))
        self.alarms.sync(engine.events)
        self.charts.sync_events(engine.events, describe_event)
        state = self._node_state_at_cursor(engine)
        jobs = engine.job_table() if self.overlay_mode == "job" else None
        self._apply_overlay(
            compute_overlay(self.overlay_mode, state, STATUS_NAMES, engine.node_kinds, jobs)
        )
        self.window.scene.set_wan_loads(engine.wan_load())  # shared links fill up (issue 14)
        self._show_selected_history()
        self.panel_refresh_ms = (time.perf_counter() - start) * 1000.0

    def _on_jobs_shown(self, visible: bool) -> None:
        engine = self.controller.engine
        if visible and engine is not None:
            self.jobs.refresh(engine, engine.kpis())

    def _on_job_clicked(self, j: int) -> None:
        """A click on a Gantt bar selects the racks (and cloud bursts) the job holds now."""
        engine = self.controller.engine
        if engine is None:
            return
        job_id = engine.compiled.workloads.train_ids[j]
        present = [n for n in engine.job_nodes(j) if self.window.doc.has_node(n)]
        if present:
            self.window.focus_nodes(present)
            self.window.status(f"{job_id} runs on {', '.join(present)}")
        else:
            self.window.status(f"{job_id} holds no accelerator now (queued or done)")

    def _node_state_at_cursor(self, engine: Any) -> dict[str, np.ndarray]:
        """The canvas colours follow the timeline's cursor where the recorder has the history.

        The recorder samples temperature, power and utilization per node (status is not kept),
        so those overlays show the picked time; status, and no cursor, show the run now.
        """
        time_s = self.charts.cursor_s
        self.overlay_time_s = None
        if time_s is None or self.overlay_mode not in HISTORY_OVERLAYS:
            return dict(engine.node_state())
        snapshot = engine.recorder.node_snapshot(time_s)
        if snapshot is None:
            return dict(engine.node_state())
        n = len(engine.node_ids)
        self.overlay_time_s = float(snapshot.pop("time_s"))
        return {**snapshot, "status": np.zeros(n, dtype=np.int64)}

    def _on_time_pinned(self, time_s: float | None) -> None:
        self.refresh_panels(force=False)
        if time_s is not None and self.overlay_mode in HISTORY_OVERLAYS:
            self.window.status(
                f"Canvas coloured by {MODE_LABELS[self.overlay_mode].lower()} at "
                f"+{format_sim_time(time_s)} (Live or End follows the run again)"
            )

    def _show_selected_history(self) -> None:
        if not shiboken6.isValid(self.window.scene):  # the window is being destroyed
            return
        selected = self.window.scene.selected_node_ids()
        node_id = selected[0] if len(selected) == 1 else ""
        self.node_chart.show_node(node_id, self.controller.engine, self.charts.marks)

    def _apply_overlay(self, overlay: Overlay | None) -> None:
        """Recolour only the canvas items whose colour or mark changed since last time."""
        engine = self.controller.engine
        scene = self.window.scene
        items = scene.node_items
        if overlay is None or engine is None:
            if self._overlay is not None:
                for item in items.values():
                    item.set_overlay(None, False)
                scene.overlay_changed([])
            self._overlay = None
            self.legend.set_overlay("none" if overlay is None else overlay.mode)
            return
        # Big scenes create their items in idle batches: new items need their colour too.
        previous = self._overlay if len(items) == self._overlay_item_count else None
        node_ids = engine.node_ids
        changed = changed_indices(previous, overlay)
        for index in changed:
            node_item = items.get(node_ids[index])
            if node_item is not None:
                node_item.set_overlay(
                    to_qcolor(int(overlay.argb[index])), bool(overlay.marked[index])
                )
        if changed.size:
            scene.overlay_changed([node_ids[i] for i in np.flatnonzero(overlay.marked)])
        self._overlay = overlay
        self._overlay_item_count = len(items)
        self.legend.set_overlay(overlay.mode, overlay.scale_max, overlay.entries)

    # ------------------------------------------------------------ reactions
    def _on_engine_replaced(self, engine: Any) -> None:
        self.charts.attach(None if engine is None else engine.recorder)
        self.alarms.clear()
        self._apply_overlay(None)
        if engine is not None:
            compiled = engine.compiled
            self.alarms.set_start_time(compiled.start_time)
            self.charts.start_time = compiled.start_time
            self.charts.set_horizon(float(compiled.horizon_s))
            slow, stop = compiled.racks.slowdown_c, compiled.racks.shutdown_c
            supply = compiled.plant.rack_supply_c
            self.charts.set_thresholds(
                float(slow.min()) if len(slow) else None,
                float(stop.min()) if len(stop) else None,
                float(supply.min()) if len(supply) else None,
            )
        self.refresh_panels(force=True)
        if engine is not None:
            QTimer.singleShot(0, self.alarms_dock.raise_)
            scenario = engine.compiled.scenario
            if scenario.job_mix or scenario.job_traces:
                # A factory fed by a job mix or a trace: its queue is the story of the run.
                QTimer.singleShot(0, self.jobs_dock.raise_)

    def _on_structure_changed(self) -> None:
        self.window.status(
            "The factory's layout changed: the run is paused. Restart to simulate it."
        )
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Restart the simulation?")
        box.setText(
            "Nodes or connections were added or removed while simulating.\n"
            "Restart the run with the new layout? (Keep paused continues the old layout.)"
        )
        restart = box.addButton("Restart", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Keep paused", QMessageBox.ButtonRole.RejectRole)
        # Never block the window (or a test) on this question: a modeless box.
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(
            lambda button: self.controller.restart() if button is restart else None
        )
        self.restart_prompt = box
        box.show()

    def _on_alarm_activated(self, node_id: str, time_s: float) -> None:
        if node_id and self.window.doc.has_node(node_id):
            self.window.focus_nodes([node_id])
        self.charts.pin_time(time_s)
        self.charts_dock.raise_()

    def _on_alarm_reached(self, _time_s: float) -> None:
        """Run Until Next Alarm stopped: say what happened and show where."""
        engine = self.controller.engine
        if engine is None:
            return
        self.refresh_panels(force=True)
        alarm = next((e for e in reversed(engine.events) if e.kind in ALARM_KINDS), None)
        if alarm is None:
            self.window.status("Paused at an alarm (the event list is full; see the counts).")
            return
        self.window.status(f"Paused at the next alarm — {describe_event(alarm)[1]}")
        if alarm.node_id and self.window.doc.has_node(alarm.node_id):
            self.window.focus_nodes([alarm.node_id])
        self.alarms_dock.raise_()

    def _on_timeline_event(self, time_s: float) -> None:
        """A click on an event tick of the timeline: select the node it happened on."""
        engine = self.controller.engine
        if engine is None:
            return
        node_ids = [e.node_id for e in engine.events if e.time_s == time_s and e.node_id]
        present = [n for n in dict.fromkeys(node_ids) if self.window.doc.has_node(n)]
        if present:
            self.window.focus_nodes(present[:1])

    def _context_section(self, menu: QMenu, node_id: str | None) -> None:
        if node_id is not None:
            self.injector.populate_node_menu(menu, node_id)
        else:
            self.injector.populate_factory_menu(menu)

    def _on_doc_reset(self) -> None:
        self.controls.set_variants([v.name for v in self.window.doc.part("variants")])

    def _on_doc_part_changed(self, name: str, _old: Any, _new: Any) -> None:
        if name == "variants":
            self._on_doc_reset()


def install_live_view(window: MainWindow) -> LiveView:
    return LiveView(window)
