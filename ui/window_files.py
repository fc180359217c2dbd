"""File handling of the main window: new, open (worker process), save, recent, recovery.

A failed open shows a dialog naming the field paths and leaves the open document exactly as it
was. Closing with unsaved changes asks Save / Discard / Cancel. Recovery files left by a crashed
session are offered at start; a recovered document is marked modified, and the user's own file
is only written on Save.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths, Qt, QTimer
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from aifactory_twin.errors import ScenarioError
from aifactory_twin.io import save_scenario
from aifactory_twin.io.export import write_graphml
from aifactory_twin.schema import Scenario
from ui.autosave import orphaned_sessions, remove_entry
from ui.file_ops import (
    SCENARIO_SUFFIX,
    add_recent_file,
    error_text,
    recent_files,
    with_suffix,
)
from ui.load_worker import load_for_editor

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMainWindow, QProgressBar

    from aifactory_twin.document import FactoryDocument
    from ui.actions import Actions
    from ui.autosave import Autosaver
    from ui.canvas.scene import FactoryScene
    from ui.canvas.view import FactoryView
    from ui.file_ops import FileLoader
    from ui.inspector.panel import InspectorPanel
    from ui.undo import DocumentUndoStack
    from ui.validation_dock import ValidationPanel

    _WindowBase = QMainWindow
else:
    _WindowBase = object

FILE_FILTER = "Factory scenarios (*.aift.json *.json);;All files (*)"


class WindowFilesMixin(_WindowBase):
    """Mixed into MainWindow (a QMainWindow); ``self`` is the window.

    For mypy the mixin is a QMainWindow that declares what it uses of the window below; at run
    time it is a plain mixin (``_WindowBase`` is ``object``), so the window's bases are unchanged.
    """

    _pending_template: bool = False
    _load_started_s: float = 0.0

    if TYPE_CHECKING:
        # What the file handling uses of the window (MainWindow sets them up).
        doc: FactoryDocument
        stack: DocumentUndoStack
        settings: QSettings
        scene: FactoryScene
        view: FactoryView
        inspector: InspectorPanel
        validation: ValidationPanel
        autosave: Autosaver
        loader: FileLoader
        acts: Actions
        busy: QProgressBar
        current_path: str | None
        template_name: str
        recovery_dir: Path

        def status(self, message: str, timeout_ms: int = ...) -> None: ...
        def _update_title(self) -> None: ...
        def _update_counts(self) -> None: ...

    # ------------------------------------------------------------ new / open
    def new_blank(self) -> None:
        if not self.maybe_save():
            return
        self._install(Scenario(), path=None)

    def new_from_template(self, path: str) -> None:
        if not self.maybe_save():
            return
        self._pending_template = True
        self.loader.open(path)

    def open_dialog(self) -> None:
        start = str(self.start_folder())
        path, _ = QFileDialog.getOpenFileName(self, "Open factory", start, FILE_FILTER)
        if path:
            self.open_file(path)

    def open_file(self, path: str) -> None:
        """Open ``path`` after asking about unsaved changes; large files load in a worker."""
        if self.loader.busy or not self.maybe_save():
            return
        self._pending_template = False
        self.loader.open(path)

    def load_now(self, path: str) -> None:
        """Load synchronously (screenshot mode, benchmarks); raises ScenarioError."""
        self._install(load_for_editor(path), path)

    def _on_loader_started(self, path: str) -> None:
        self._load_started_s = time.perf_counter()
        self.busy.show()
        self.status(f"Opening {Path(path).name}…", 0)
        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)

    def _on_loader_finished(self) -> None:
        self.busy.hide()
        QApplication.restoreOverrideCursor()

    def _on_loader_loaded(self, path: str, scenario: Scenario) -> None:
        if self._pending_template:
            self._pending_template = False
            self._install(scenario, path=None, template=Path(path).name.removesuffix(".aift.json"))
        else:
            self._install(scenario, path=path)
        took = time.perf_counter() - self._load_started_s
        self.status(f"Opened {Path(path).name}: {len(scenario.nodes):,} nodes in {took:.2f} s")

    def _on_loader_failed(self, path: str, error: ScenarioError) -> None:
        self._pending_template = False
        self.status(f"Could not open {Path(path).name}")
        QMessageBox.critical(
            self,
            "Cannot open file",
            f"{Path(path).name} is not a valid factory file. Nothing was changed.\n\n"
            f"{error_text(error)}",
        )

    def _install(self, scenario: Scenario, path: str | None, template: str = "") -> None:
        self.scene.clearSelection()
        self.doc.load(scenario)
        self.stack.clear()
        self.stack.setClean()
        self.current_path = path
        self.template_name = template
        self.autosave.original_path = path or ""
        self.autosave.discard()
        if path:
            add_recent_file(self.settings, path)
        self._update_title()
        self._update_counts()
        self.view.fit_all()
        self.inspector.set_selection([])
        self.validation.schedule()
        # After the first paint, not before it: collecting the previous file costs 0.1-0.3 s.
        QTimer.singleShot(0, _refreeze)

    # ------------------------------------------------------------ save
    def save(self) -> bool:
        if not self.current_path:
            return self.save_as()
        return self.save_to(self.current_path)

    def start_folder(self) -> Path:
        """Where file dialogs open: the document's folder, else the user's documents folder.

        Never the working folder the app happened to be started in.
        """
        if self.current_path:
            return Path(self.current_path).resolve().parent
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        return Path(documents) if documents else Path.home()

    def suggested_path(self, suffix: str = SCENARIO_SUFFIX) -> str:
        """The file a Save As / Export dialog proposes: this document's name in its folder."""
        if self.current_path:
            stem = Path(self.current_path).name.removesuffix(SCENARIO_SUFFIX)
        else:
            stem = self.template_name or "factory"
        return str(self.start_folder() / f"{stem}{suffix}")

    def save_as(self) -> bool:
        start = self.current_path or self.suggested_path()
        path, _ = QFileDialog.getSaveFileName(self, "Save factory as", start, FILE_FILTER)
        if not path:
            return False
        return self.save_to(with_suffix(path))

    def save_to(self, path: str) -> bool:
        try:
            save_scenario(self.doc.scenario, path)
        except (ScenarioError, OSError) as exc:
            QMessageBox.critical(self, "Cannot save", f"Saving {path} failed:\n\n{exc}")
            return False
        self.current_path = path
        # Job traces named by relative path now resolve beside the saved file.
        self.doc.source_dir = str(Path(path).resolve().parent)
        self.template_name = ""
        self.autosave.original_path = path
        self.stack.setClean()
        add_recent_file(self.settings, path)
        self._update_title()
        self.status(f"Saved {Path(path).name}")
        return True

    def export_graphml(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export GraphML", self.suggested_path(".graphml"), "GraphML (*.graphml)"
        )
        if not path:
            return
        try:
            write_graphml(self.doc.scenario, path)
        except (ScenarioError, OSError) as exc:
            QMessageBox.critical(self, "Cannot export", f"Exporting {path} failed:\n\n{exc}")
            return
        self.status(f"Exported {Path(path).name}")

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current document (saved, discarded or clean)."""
        if self.stack.isClean():
            return True
        answer = QMessageBox.warning(
            self,
            "Unsaved changes",
            "The factory has unsaved changes. Save them first?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    # ------------------------------------------------------------ recent / drop
    def fill_recent_menu(self) -> None:
        menu = self.acts.recent_menu
        if menu is None:
            return
        menu.clear()
        files = recent_files(self.settings)
        for path in files:
            action = QAction(Path(path).name, menu)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.setEnabled(Path(path).is_file())
            action.triggered.connect(lambda _c=False, p=path: self.open_file(p))
            menu.addAction(action)
        if not files:
            empty = menu.addAction("No recent files")
            empty.setEnabled(False)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        self._on_files_dropped(files)

    def _on_files_dropped(self, files: list[str]) -> None:
        if files:
            self.open_file(files[0])

    # ------------------------------------------------------------ recovery
    def offer_recovery(self) -> bool:
        """Offer the newest recovery file of a crashed session; True if one was recovered."""
        for entry in orphaned_sessions(self.recovery_dir):
            if entry.session == self.autosave.session:
                continue
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.saved_at))
            origin = entry.original_path or "an unsaved factory"
            answer = QMessageBox.question(
                self,
                "Recover unsaved work?",
                f"AI Factory Twin did not close cleanly. Unsaved changes to {origin} "
                f"(“{entry.title}”, autosaved {when}) can be recovered.\n\nRecover them?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.Yes,
            )
            if answer != QMessageBox.StandardButton.Yes:
                remove_entry(entry)
                continue
            try:
                scenario = load_for_editor(str(entry.scenario_path))
            except ScenarioError as exc:
                QMessageBox.critical(self, "Cannot recover", error_text(exc))
                remove_entry(entry)
                continue
            self._install(scenario, path=entry.original_path or None)
            remove_entry(entry)
            # Recovered work is not on disk in the user's file yet: mark it modified.
            self.stack.resetClean()
            self.autosave.mark_dirty()
            self._update_title()
            self.status("Recovered unsaved work — save it to keep it")
            return True
        return False


def _refreeze() -> None:
    """Collect the previous file's garbage once, then freeze what is alive (the new file).

    The loaded scenario is long-lived: frozen, it is out of the cyclic GC's reach. Without
    this, full collections over the 9,590-node frontier scene stalled the idle canvas build
    for 100-250 ms each (measured in bench_ui). But a freeze pins cyclic garbage for good: a
    freeze at the next open (before this one's objects were dropped) kept the previous run's
    engine alive forever. So unfreeze, collect once (0.1-0.3 s on frontier-scale, measured),
    and freeze again, on the event-loop turn after the open.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()
