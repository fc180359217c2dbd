"""MainWindow: canvas in the centre, docks around it, every edit a command on the undo stack.

The window wires views to the document (which they only mirror) and turns requests from the
canvas, palette and inspector into core commands. File handling lives in ``WindowFilesMixin``
and menus/toolbar in ``ui.actions``, so this module stays about the editing.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QUndoView,
    QWidget,
)

from aifactory_twin.commands import Command, MoveNodes
from aifactory_twin.document import AFTER_VIEWS, FactoryDocument
from aifactory_twin.variant_session import VariantSession
from ui import actions
from ui.autosave import AUTOSAVE_INTERVAL_MS, Autosaver, default_recovery_dir
from ui.canvas.items import NODE_H, NODE_W
from ui.canvas.scene import FactoryScene
from ui.canvas.view import FactoryView
from ui.canvas_menu import CanvasMenu
from ui.editor_context import EditorContext, EditorOps
from ui.empty_state import EmptyStateWidget
from ui.file_ops import FileLoader
from ui.finder import NodeFinder
from ui.inspector.panel import InspectorPanel
from ui.layout import apply_default_layout
from ui.live.live_view import install_live_view
from ui.minimap import Minimap
from ui.palette import PalettePanel
from ui.scenario_panel import ScenarioPanel
from ui.theme import THEME_CHOICES, apply_palette, resolve
from ui.tips import TipsCard
from ui.undo import DocumentUndoStack
from ui.validation_dock import ValidationPanel, badges_by_node
from ui.variants_panel import VariantsPanel
from ui.window_files import WindowFilesMixin

APP_TITLE = "AI Factory Twin"
STATUS_MS = 8000


class MainWindow(WindowFilesMixin, QMainWindow):
    """The editor window."""

    def __init__(
        self,
        settings: QSettings | None = None,
        recovery_dir: Path | None = None,
        autosave_interval_ms: int = AUTOSAVE_INTERVAL_MS,
        offer_recovery: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings or QSettings()
        self.doc = FactoryDocument()
        self.stack = DocumentUndoStack(self.doc, self)
        self.current_path: str | None = None
        self.template_name = ""
        self.last_status = ""
        self._shut_down = False
        self.setObjectName("main_window")
        self.setAcceptDrops(True)
        self.setWindowTitle(APP_TITLE)

        # Which variant the editor shows (core); the canvas, panels and simulation follow it.
        self.variant_session: VariantSession = VariantSession(self.doc)
        self.scene: FactoryScene = FactoryScene(self.doc, self, variants=self.variant_session)
        self.view: FactoryView = FactoryView(self.scene, self)
        self.setCentralWidget(self.view)
        self.empty_state = EmptyStateWidget(self.view)
        self.loader = FileLoader(self)

        # The collaborators panels and operations get explicitly (no window lookups).
        self.context = EditorContext(
            self.doc, self.stack, self.scene, self.view, self.push, self.status
        )
        self.ops = EditorOps(self.context)
        # Not ``self.palette``: that would shadow QWidget.palette().
        self.palette_panel = PalettePanel()
        self.inspector: InspectorPanel = InspectorPanel(
            self.doc, self.push, variants=self.variant_session, canvas=self.scene
        )
        self.validation: ValidationPanel = ValidationPanel(self.doc)
        self.validation.defer = lambda: self.scene.pending_count > 0
        self.undo_view = QUndoView(self.stack)
        self.undo_view.setEmptyLabel("<opened>")
        self.palette_dock = self._dock("Palette", "palette_dock", self.palette_panel, "left")
        self.inspector_dock = self._dock("Inspector", "inspector_dock", self.inspector, "right")
        self.validation_dock = self._dock(
            "Validation", "validation_dock", self.validation, "bottom"
        )
        self.history_dock = self._dock("History", "history_dock", self.undo_view, "left")
        self.tabifyDockWidget(self.palette_dock, self.history_dock)
        self.palette_dock.raise_()

        self._build_status_bar()
        self.minimap = Minimap(self.view, self.scene)
        self.tips = TipsCard(self.view, self.settings)
        self.finder = NodeFinder(self.ops, self.menuBar(), self)
        self.acts = actions.build(self)
        self.simulate_menu: QMenu = self.acts.simulate_menu
        self.acts.toolbar.addSeparator()  # type: ignore[union-attr]
        self.acts.toolbar.addWidget(self.finder.box)  # type: ignore[union-attr]
        self.canvas_menu: CanvasMenu = CanvasMenu(
            self.ops, self.acts.__getitem__, self._refresh_actions
        )
        # The inspector follows the canvas selection on the next event-loop turn: a selection
        # change can come from inside a widget's own signal (the inspector's edge-kind combo
        # re-types an edge, the re-added item is reselected), and the inspector must not
        # rebuild that widget while its signal runs. One document edit is one batch, so this
        # timer no longer coalesces document changes, only selection bursts.
        self._selection_timer = QTimer(self, singleShot=True, interval=0)
        self._connect_signals()
        # The live simulation (ui/live): Simulate menu, run toolbar, charts, KPIs, alarms.
        self.live = install_live_view(self)
        # Scenario settings/workloads (a tab beside the inspector) and variants (below it).
        self.scenario_panel = ScenarioPanel(self.doc, self.push, self.variant_session)
        self.variants_panel = VariantsPanel(self.ops, self.variant_session, self.statusBar())
        self.scenario_dock = self.add_dock(
            "Scenario", "scenario_dock", self.scenario_panel, "right"
        )
        self.variants_dock = self.add_dock(
            "Variants", "variants_dock", self.variants_panel, "right"
        )
        if self.settings.value("window_state") is None:
            # Lay out once shown: Qt 6.10 leaves a ghost tab bar on screen for every tab group
            # after the first that is made before the window is first shown. Hidden until then,
            # so four stacked right-hand docks do not stretch the window's minimum height.
            self.scenario_dock.hide()
            self.variants_dock.hide()
            QTimer.singleShot(0, self.reset_layout)
        if not self.tips.seen:
            QTimer.singleShot(0, lambda: self.tips.show_tip(0))

        self.recovery_dir = recovery_dir or default_recovery_dir()
        self.autosave: Autosaver = Autosaver(
            self.doc, self.stack, self.recovery_dir, autosave_interval_ms, self
        )
        self.theme_choice = str(self.settings.value("theme", "system"))
        self.apply_theme(self.theme_choice)
        self.restore_window_state()
        self._update_title()
        self._update_counts()
        self.validation.schedule()
        if offer_recovery:
            QTimer.singleShot(0, self.offer_recovery)

    # ------------------------------------------------------------ building
    def _dock(self, title: str, name: str, widget: QWidget, area: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        areas = {
            "left": Qt.DockWidgetArea.LeftDockWidgetArea,
            "right": Qt.DockWidgetArea.RightDockWidgetArea,
            "bottom": Qt.DockWidgetArea.BottomDockWidgetArea,
        }
        self.addDockWidget(areas[area], dock)
        return dock

    def reset_layout(self) -> None:
        """View › Reset Layout (and the first start): every panel in its default place."""
        apply_default_layout(self)

    def show_tips(self) -> None:
        self.tips.show_tip(0)

    def set_connect_tool(self, on: bool) -> None:
        self.view.connect_tool = on
        if on:
            self.status("Connect tool: drag from one node to another")

    def set_snap(self, on: bool) -> None:
        self.scene.snap_grid = 20.0 if on else 0.0
        self.settings.setValue("snap", on)

    def add_dock(self, title: str, name: str, widget: QWidget, area: str = "bottom") -> QDockWidget:
        """Extra docks (simulation charts, comparisons) join the layout and the View menu."""
        dock = self._dock(title, name, widget, area)
        self.acts.view_docks_menu.addAction(dock.toggleViewAction())
        return dock

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(140)
        self.busy.setMaximumHeight(14)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.counts_label = QLabel()
        self.zoom_label = QLabel("100 %")
        self.zoom_label.setMinimumWidth(52)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bar.addPermanentWidget(self.busy)
        bar.addPermanentWidget(self.counts_label)
        bar.addPermanentWidget(self.zoom_label)

    def _connect_signals(self) -> None:
        self.view.connect_requested.connect(self.ops.connect)
        self.view.move_finished.connect(self._on_view_move_finished)
        self.view.palette_dropped.connect(self._on_view_palette_dropped)
        self.view.files_dropped.connect(self._on_files_dropped)
        self.view.zoom_changed.connect(lambda s: self.zoom_label.setText(f"{s * 100:.0f} %"))
        self.palette_panel.place_requested.connect(self.ops.place_at_center)
        self.scene.selectionChanged.connect(self._selection_timer.start)
        # At once, not after the timer: a shortcut pressed right after a click must work.
        self.scene.selectionChanged.connect(self._refresh_actions)
        self._selection_timer.timeout.connect(self._on_selection_settled)
        self.validation.findings_changed.connect(
            lambda findings: self.scene.apply_findings(badges_by_node(findings))
        )
        self.validation.focus_requested.connect(self.focus_nodes)
        self.stack.cleanChanged.connect(self._on_stack_clean_changed)
        self.doc.changed.connect(self._on_doc_changed, priority=AFTER_VIEWS)
        self.empty_state.template_chosen.connect(self.new_from_template)
        self.empty_state.open_requested.connect(self.open_dialog)
        self.loader.started.connect(self._on_loader_started)
        self.loader.loaded.connect(self._on_loader_loaded)
        self.loader.failed.connect(self._on_loader_failed)
        self.loader.finished.connect(self._on_loader_finished)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_system_scheme_changed)

    # ------------------------------------------------------------ commands
    def push(self, command: Command) -> None:
        """The one write path: every edit is a core command on the undo stack."""
        self.stack.push_command(command)

    def status(self, message: str, timeout_ms: int = STATUS_MS) -> None:
        self.last_status = message
        self.statusBar().showMessage(message, timeout_ms)

    def _on_view_move_finished(self, moves: dict) -> None:  # type: ignore[type-arg]
        self.push(MoveNodes(moves))

    def _on_view_palette_dropped(self, spec: str, scene_pos: QPointF) -> None:
        self.place(spec, scene_pos.x() - NODE_W / 2, scene_pos.y() - NODE_H / 2)

    def place(self, spec: str, x: float, y: float) -> None:
        self.ops.place(spec, x, y)

    def focus_nodes(self, node_ids: list[str]) -> None:
        self.ops.focus_nodes(node_ids)

    def _on_selection_settled(self) -> None:
        self.inspector.set_selection(self.scene.selected_node_ids())

    def _refresh_actions(self) -> None:
        self.acts.refresh(self)

    # ------------------------------------------------------------ look
    def _update_title(self) -> None:
        if self.current_path:
            name = Path(self.current_path).name
        elif self.template_name:
            # The scene's own name ("GB200 campus"), not its file name title-cased.
            title = self.doc.part("meta").name or self.template_name
            name = f"{title} (template)"
        else:
            name = "Untitled"
        self.setWindowTitle(f"{name}[*] — {APP_TITLE}")
        self.setWindowModified(not self.stack.isClean())

    def _update_counts(self) -> None:
        nodes, edges = self.doc.node_count, self.doc.edge_count
        self.counts_label.setText(f"{nodes:,} nodes · {edges:,} edges")
        self.empty_state.setVisible(nodes == 0)
        self.empty_state.reposition()

    def apply_theme(self, choice: str) -> None:
        if choice not in THEME_CHOICES:
            choice = "system"
        self.theme_choice = choice
        theme = resolve(choice)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_palette(app, theme)
        self.scene.set_theme(theme)
        self.live.apply_theme(theme.is_dark)
        self.view.resetCachedContent()
        actions.recolor_icons(self, theme.tool_stroke)
        self.settings.setValue("theme", choice)

    def _on_system_scheme_changed(self, _scheme: object) -> None:
        if self.theme_choice == "system":
            self.apply_theme("system")

    def restore_window_state(self) -> None:
        geometry = self.settings.value("geometry")
        state = self.settings.value("window_state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1440, 900)
        if state is not None:
            self.restoreState(state)
        else:
            self.resizeDocks(
                [self.palette_dock, self.inspector_dock], [260, 330], Qt.Orientation.Horizontal
            )
            self.resizeDocks([self.validation_dock], [150], Qt.Orientation.Vertical)
        self.scene.snap_grid = 20.0 if self.settings.value("snap", True, type=bool) else 0.0

    def save_window_state(self) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState())
        self.settings.setValue("snap", bool(self.scene.snap_grid))
        self.settings.sync()

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self.empty_state.reposition()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Stop timers and workers, drop recovery files, forget the document's signals."""
        if self._shut_down:
            return
        self._shut_down = True
        self.live.shutdown()
        self.save_window_state()
        self.autosave.close()
        self.loader.shutdown()
        self.validation.detach()
        self.inspector.detach()
        self.scenario_panel.detach()
        self.variants_panel.detach()
        self.variant_session.detach()
        self.scene.detach()
        self.doc.changed.disconnect(self._on_doc_changed)

    def _on_stack_clean_changed(self, _clean: bool) -> None:
        self._update_title()

    def _on_doc_changed(self) -> None:
        # Once per edit (commands run in a document batch), after the views have mirrored it.
        self._update_counts()
