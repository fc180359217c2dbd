"""Compare view (Simulate › Compare variants…): run variants with one seed, overlay, tabulate.

Pick variants (the base counts as one), a pinned baseline, seed, horizon and step; Run sends
one run per variant to worker processes (progress bar, Cancel). Results: the charts (power,
heat, utilization, cost, PUE) with one colour per variant, a KPI table with absolute values
and deltas against the baseline (including the operational cost reduction), and a "what
changed" list of overrides. The Sweep and Monte Carlo tabs run those studies on the same
scenario; Heat map sweeps two parameters, Tornado ranks the uncertain inputs and compares two
variants under them, and Optimize searches designs and turns one into a variant of the
document.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from aifactory_twin.commands import Command
from aifactory_twin.errors import TwinError
from aifactory_twin.formatting import format_duration, format_span, parse_duration
from aifactory_twin.schema import Scenario
from aifactory_twin.study import (
    BASE_LABEL,
    CompareResult,
    MonteCarloResult,
    StudyOptions,
    SweepResult,
    compare,
    resolve_variants,
)
from aifactory_twin.study.assumptions import override_rows
from ui.compare.decision_tabs import OptimizeTab
from ui.compare.heatmap_tab import HeatmapTab
from ui.compare.study_tabs import MonteCarloTab, SweepTab, fill_table
from ui.compare.tornado_tab import TornadoTab
from ui.compare.worker import RunnerFactory, StudyWorker, default_runner_factory
from ui.report_charts import VARIANT_COLORS
from ui.report_content import CHART_GROUPS, kpi_table, time_axis
from ui.report_studies import DecisionStudies
from ui.theme import Theme, style_plots
from ui.theme import current as current_theme

ScenarioSource = Callable[[], Scenario]


def time_left_text(elapsed_s: float, done: int, total: int) -> str:
    """``about 1 min left`` from the pace so far (the runs of a study take alike long)."""
    left_s = elapsed_s / done * (total - done)
    return "less than 5 s left" if left_s < 5 else f"about {format_span(left_s)} left"


class CompareWindow(QWidget):
    """The what-if studio window; ``scenario_source`` returns the current scenario snapshot."""

    def __init__(
        self,
        scenario_source: ScenarioSource,
        parent: QWidget | None = None,
        runner_factory: RunnerFactory | None = None,
        source_name: Callable[[], str] | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Compare variants")
        self.resize(1400, 900)
        self._source = scenario_source
        self._source_name = source_name or (lambda: "")
        settings = QSettings()
        self._runner_factory = runner_factory
        self.result: CompareResult | None = None
        self._running: tuple[str, float] | None = None
        """The study running now and when it started (monotonic s), for the time left."""
        self.document: Any = None
        """The editor document this studio belongs to (one studio per document)."""
        self.push_command: Callable[[Command], None] | None = None
        """The editor's undoable write path (set when opened from the editor): Make variant."""
        self.result_scenario: Scenario | None = None
        """The scenario snapshot the shown compare ran on (presenting checks it is current)."""
        self._running_scenario: Scenario | None = None
        # What to do when the next compare finishes: "present", or a PDF path to export.
        self._then: str | None = None
        self.presentation: QWidget | None = None
        self.worker = StudyWorker(self)
        self.worker.progressed.connect(self._on_worker_progressed)
        self.worker.finished.connect(self._on_worker_finished)
        self.worker.failed.connect(self._on_worker_failed)
        scenario = self._source()

        self.variant_list = QListWidget()
        self.variant_list.setMaximumHeight(84)
        self.baseline_box = QComboBox()
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, 2**31 - 1)
        self.seed_box.setValue(scenario.settings.seed)
        self.horizon_edit = QLineEdit(format_duration(scenario.settings.horizon_s))
        self.step_edit = QLineEdit(format_duration(scenario.settings.step_s))
        for edit in (self.horizon_edit, self.step_edit):
            edit.setMaximumWidth(70)
        self.scheduler_edit = QLineEdit(str(settings.value("study/scheduler", "") or ""))
        self.scheduler_edit.setPlaceholderText("process pool (or: local, tcp://host:8786)")
        self.scheduler_edit.setToolTip(
            "Empty: worker processes on this machine. 'local': a Dask cluster on 127.0.0.1. "
            "An address: a Dask scheduler — only over TLS or a private network, it runs "
            "pickled code."
        )
        self.run_button = QPushButton("Run compare")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.present_button = QPushButton("Present (F5)")
        self.report_button = QPushButton("Export report…")
        self.progress = QProgressBar()
        self.status = QLabel("Pick variants and press Run.")
        self.run_button.clicked.connect(self.run_compare)
        self.cancel_button.clicked.connect(self.worker.cancel)
        self.present_button.clicked.connect(self.present)
        self.report_button.clicked.connect(self._on_report_clicked)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.present)

        controls = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(QLabel("Variants"))
        left.addWidget(self.variant_list)
        controls.addLayout(left, 2)
        form = QVBoxLayout()
        for label, widget in (
            ("Baseline", self.baseline_box),
            ("Seed", self.seed_box),
            ("Horizon", self.horizon_edit),
            ("Step", self.step_edit),
        ):
            row = QHBoxLayout()
            row.addWidget(QLabel(label))
            row.addWidget(widget)
            form.addLayout(row)
        controls.addLayout(form, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.scheduler_edit)
        for b in (self.run_button, self.cancel_button, self.present_button, self.report_button):
            buttons.addWidget(b)
        controls.addLayout(buttons, 1)

        self.plot = pg.GraphicsLayoutWidget()
        self.plots: list[pg.PlotItem] = []
        for i, (title, unit, _series, _scale) in enumerate(CHART_GROUPS):
            item = self.plot.addPlot(row=i // 2, col=i % 2, title=f"{title} ({unit})")
            item.showGrid(x=True, y=True, alpha=0.25)
            item.addLegend(offset=(8, 8))
            if self.plots:
                item.setXLink(self.plots[0])
            self.plots.append(item)
        self.kpi_table = QTableWidget()
        self.kpi_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.changes = QTreeWidget()
        self.changes.setHeaderLabels(["variant / field", "base value", "variant value"])
        self.changes.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        kpi_split = QSplitter(Qt.Orientation.Vertical)
        kpi_split.addWidget(self.kpi_table)
        kpi_split.addWidget(self.changes)
        kpi_split.setSizes([600, 200])
        self.sweep_tab = SweepTab(self)
        self.mc_tab = MonteCarloTab(self)
        self.heatmap_tab = HeatmapTab(self)
        self.tornado_tab = TornadoTab(self)
        self.optimize_tab = OptimizeTab(self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.plot, "Charts")
        self.tabs.addTab(kpi_split, "KPIs")
        self.tabs.addTab(self.sweep_tab, "Sweep")
        self.tabs.addTab(self.mc_tab, "Monte Carlo")
        self.tabs.addTab(self.heatmap_tab, "Heat map")
        self.tabs.addTab(self.tornado_tab, "Tornado")
        self.tabs.addTab(self.optimize_tab, "Optimize")

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        bar = QHBoxLayout()
        bar.addWidget(self.progress, 1)
        bar.addWidget(self.status, 2)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)
        self.refresh_variants()
        self.apply_theme(current_theme())

    # ----------------------------------------------------------------- look
    def apply_theme(self, theme: Theme) -> None:
        """Plots in the app's theme (the widgets follow the app palette by themselves)."""
        self.theme = theme
        style_plots(self.plot, self.plots, theme)
        style_plots(self.sweep_tab.plot, [self.sweep_tab.plot.getPlotItem()], theme)
        style_plots(self.mc_tab.fans, self.mc_tab.fan_plots, theme)
        style_plots(self.mc_tab.hist, [self.mc_tab.hist.getPlotItem()], theme)
        style_plots(self.heatmap_tab.view, [self.heatmap_tab.plot], theme)
        self.heatmap_tab.colorbar.axis.setTextPen(theme.foreground)
        for tab in (self.tornado_tab, self.optimize_tab):
            style_plots(tab.plot, [tab.plot.getPlotItem()], theme)

    def changeEvent(self, event: QEvent) -> None:
        # The editor switched light/dark: the new application palette reaches us here.
        if event.type() == QEvent.Type.PaletteChange:
            theme = current_theme()
            if theme is not getattr(self, "theme", None):
                self.apply_theme(theme)
        super().changeEvent(event)

    # ---------------------------------------------------------------- inputs
    def scenario(self) -> Scenario:
        return self._source()

    def refresh_variants(self) -> None:
        """List the base and every variant of the current scenario, all checked."""
        scenario = self._source()
        self.variant_list.clear()
        self.baseline_box.clear()
        for name in [BASE_LABEL, *(v.name for v in scenario.variants)]:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.variant_list.addItem(item)
            self.baseline_box.addItem(name)
        for tab in (self.sweep_tab, self.mc_tab, self.heatmap_tab, self.tornado_tab,
                    self.optimize_tab):  # fmt: skip
            tab.refresh(scenario)

    def chosen_variants(self) -> list[str]:
        return [
            self.variant_list.item(i).text()
            for i in range(self.variant_list.count())
            if self.variant_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def options(self, **kwargs: Any) -> StudyOptions:
        """Horizon and step from the fields (UsageError names the field when unreadable)."""
        return StudyOptions(
            horizon_s=parse_duration(self.horizon_edit.text(), "Horizon"),
            step_s=parse_duration(self.step_edit.text(), "Step"),
            **kwargs,
        )

    def runner_factory(self) -> RunnerFactory:
        if self._runner_factory is not None:
            return self._runner_factory
        scheduler = self.scheduler_edit.text().strip()
        QSettings().setValue("study/scheduler", scheduler)
        return default_runner_factory(scheduler)

    # ------------------------------------------------------------------ runs
    def start(self, kind: str, n_runs: int, job: Callable[..., Any]) -> None:
        """Run a study job in the worker; the tabs call this too."""
        if self.worker.busy:
            self.status.setText("A study is already running.")
            return
        self.progress.setRange(0, max(n_runs, 1))
        self.progress.setValue(0)
        self.status.setText(f"Running {kind}: {n_runs} run{'s' if n_runs != 1 else ''}…")
        self._running = (kind, time.monotonic())
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.worker.start(kind, n_runs, job, self.runner_factory())

    def run_compare(self) -> None:
        try:
            scenario = self._source()
            names = self.chosen_variants()
            if not names:
                raise TwinError("check at least one variant")
            chosen = resolve_variants(scenario, names)
            options = self.options(max_points=4000)
        except TwinError as exc:
            self.status.setText(f"Cannot run: {exc}")
            return
        seed = self.seed_box.value()

        def job(**kw: Any) -> CompareResult:
            return compare(scenario, names, seed=seed, options=options, **kw)

        self._running_scenario = scenario
        self.start("compare", len(chosen), job)

    def _on_worker_progressed(self, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)
        if self._running is not None and 0 < done < total:
            kind, started = self._running
            self.status.setText(
                f"Running {kind}: {done:,} of {total:,} runs, "
                f"{time_left_text(time.monotonic() - started, done, total)}"
            )

    def _on_worker_finished(self, kind: str, result: object) -> None:
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.status.setText(f"{kind} finished.")
        if kind == "compare" and isinstance(result, CompareResult):
            self.show_compare(result)
            self.result_scenario = self._running_scenario
            then, self._then = self._then, None
            if then == "present":
                self.presentation = self.present()
            elif then:
                self.write_report(then)
        elif kind == "sweep":
            self.sweep_tab.show_result(result)
        elif kind == "montecarlo":
            self.mc_tab.show_result(result)
        elif kind == "sweep2d":
            self.heatmap_tab.show_result(result)
        elif kind == "uncertainty":
            self.tornado_tab.show_result(result)
        elif kind == "optimize":
            self.optimize_tab.show_result(result)

    def run_then(self, action: str) -> None:
        """Run a compare, then ``present`` or export the PDF to ``action`` (a path)."""
        self._then = action
        self.run_compare()

    def _on_worker_failed(self, kind: str, message: str) -> None:
        self._then = None
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.status.setText(f"{kind} {message}" if message == "cancelled" else message)

    # --------------------------------------------------------------- results
    def baseline(self) -> str:
        if self.result is None:
            return BASE_LABEL
        chosen = self.baseline_box.currentText()
        return chosen if chosen in self.result.runs else next(iter(self.result.runs))

    def show_compare(self, result: CompareResult) -> None:
        """Overlay curves (one colour per variant), fill the KPI table and the change list."""
        self.result = result
        labels = list(result.runs)
        for plot, (_title, _unit, series, scale) in zip(self.plots, CHART_GROUPS, strict=True):
            plot.clear()
            for i, label in enumerate(labels):
                run = result.runs[label]
                x, x_label = time_axis(run.times_s)
                plot.setLabel("bottom", x_label)
                color = QColor(VARIANT_COLORS[i % len(VARIANT_COLORS)])
                for name, dashed, suffix in series:
                    if name not in run.series:
                        continue
                    pen = pg.mkPen(
                        color,
                        width=2,
                        style=Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine,
                    )
                    curve = plot.plot(
                        x, np.asarray(run.series[name]) / scale, pen=pen, name=label + suffix
                    )
                    curve.setClipToView(True)
                    curve.setDownsampling(auto=True, method="peak")
        header, rows = kpi_table(result, self.baseline())
        fill_table(self.kpi_table, header, rows, first_numeric_column=1, row_labels=True)
        self.changes.clear()
        scenario = self._source()
        for label, overrides in result.overrides.items():
            top = QTreeWidgetItem([label + ("" if overrides else " (no overrides)"), "", ""])
            for row in override_rows(scenario, overrides):
                top.addChild(
                    QTreeWidgetItem([f"{row.target}.{row.path}", row.base_value, row.value])
                )
            self.changes.addTopLevelItem(top)
            top.setExpanded(True)

    # ---------------------------------------------------- presentation/report
    def montecarlo(self) -> MonteCarloResult | None:
        return self.mc_tab.result

    def sweep(self) -> SweepResult | None:
        return self.sweep_tab.result

    def decisions(self) -> DecisionStudies | None:
        """The Tornado, Optimize and Heat map results for the report and slides (None: none)."""
        opt, unc, grid = self.optimize_tab, self.tornado_tab, self.heatmap_tab
        if opt.result is None and unc.result is None and grid.result is None:
            return None
        return DecisionStudies(
            optimize=opt.result,
            optimize_trial=opt.selected.number if opt.selected is not None else None,
            sweep2d=grid.result,
            sweep2d_kpi=grid.kpi_box.currentText(),
            uncertainty=unc.result,
            uncertainty_kpi=unc.kpi_box.currentText(),
        )

    def has_current_result(self) -> bool:
        """A compare has run on the scenario as it is now (no edit since)."""
        return self.result is not None and self.result_scenario == self._source()

    def present_or_run(self) -> None:
        """F5: present what this studio has; run the compare first only when it has none."""
        if self.has_current_result():
            self.presentation = self.present()
        else:
            self.run_then("present")

    def report_or_run(self, path: str) -> None:
        """File › Export Report: write this studio's results; run the compare if it has none."""
        if self.has_current_result():
            self.write_report(path)
        else:
            self.run_then(path)

    def write_report(self, path: str) -> None:
        """Export the PDF and say where it went (here and in the editor's status bar)."""
        try:
            pages = self.export_pdf(path)
        except (OSError, TwinError) as exc:
            self._tell(f"Report not written: {exc}")
            return
        self._tell(f"Wrote report {path} ({pages} pages).")

    def present(self) -> QWidget | None:
        if self.result is None:
            self.status.setText("Run a compare first; presentation shows its results.")
            return None
        from ui.presentation import PresentationWindow

        window = PresentationWindow(
            self._source(),
            self.result,
            self.baseline(),
            self.montecarlo(),
            parent=self,
            sweep=self.sweep(),
            sweep_kpi=self.sweep_tab.kpi_box.currentText(),
            decisions=self.decisions(),
        )
        window.start()
        return window

    def export_pdf(self, path: str) -> int:
        from ui.report import ReportInput, export_report

        if self.result is None:
            raise TwinError("run a compare first")
        data = ReportInput(
            self._source(),
            self.result,
            self.baseline(),
            self.montecarlo(),
            source=self._source_name(),
            sweep=self.sweep(),
            sweep_kpi=self.sweep_tab.kpi_box.currentText(),
            decisions=self.decisions(),
        )
        return export_report(data, path)

    def _tell(self, message: str) -> None:
        self.status.setText(message)
        owner = self.parent()
        if owner is not None and hasattr(owner, "status"):
            owner.status(message)

    def _on_report_clicked(self) -> None:
        if self.result is None:
            self.status.setText("Run a compare first; the report shows its results.")
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export report", "report.pdf", "PDF (*.pdf)")
        if path:
            self.write_report(path)

    def closeEvent(self, event: Any) -> None:
        self.worker.cancel()
        self.worker.wait(60000)
        super().closeEvent(event)


_TABS = {
    "charts": 0,
    "kpis": 1,
    "sweep": 2,
    "montecarlo": 3,
    "heatmap": 4,
    "tornado": 5,
    "optimize": 6,
}


def open_compare_window(
    doc: Any, parent: QWidget | None = None, tab: str | None = "charts"
) -> CompareWindow:
    """Simulate › Compare variants… / Sweep… / Monte Carlo…: the window on the live document.

    One studio per document: an open one is brought forward (with its results) rather than a
    second one started. ``tab`` is one of charts, kpis, sweep, montecarlo, or None to keep the
    studio's current tab.
    """
    window = _open_studio(doc, parent)
    if window is None:
        window = CompareWindow(
            lambda: doc.scenario, parent, source_name=lambda: _document_path(parent)
        )
        window.document = doc
        window.push_command = getattr(parent, "push", None)
        _follow_document(doc, window)
        window.refresh_variants()  # the input editor is enabled now that edits can be pushed
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if tab is not None:
        window.tabs.setCurrentIndex(_TABS.get(tab, 0))
    window.show()
    window.raise_()
    window.activateWindow()
    return window


def _follow_document(doc: Any, window: CompareWindow) -> None:
    """Refresh the studio's lists when variants or inputs change in the document (until closed).

    An edit in the editor, Make variant, an uncertain input added here, Undo: all land here.
    """

    def on_part(name: str, _old: Any, _new: Any) -> None:
        if name in ("variants", "uncertain") and shiboken6.isValid(window):
            window.refresh_variants()

    doc.part_changed.connect(on_part)
    window.destroyed.connect(lambda *_: doc.part_changed.disconnect(on_part))


def _open_studio(doc: Any, parent: QWidget | None) -> CompareWindow | None:
    if parent is None:
        return None
    for window in parent.findChildren(CompareWindow):
        if getattr(window, "document", None) is doc and shiboken6.isValid(window):
            return window
    return None


def _document_path(parent: QWidget | None) -> str:
    """The scenario file the editor has open ('' for an unsaved document)."""
    return str(getattr(parent, "current_path", None) or "")


def present_document(doc: Any, parent: QWidget | None = None) -> CompareWindow:
    """View › Presentation (F5): present the open studio's results.

    The compare, Monte Carlo and sweep just run are shown; with no studio or no compare of the
    factory as it is now, every variant is compared first.
    """
    window = open_compare_window(doc, parent, tab=None)
    window.present_or_run()
    return window


def export_report_for_document(doc: Any, parent: QWidget | None = None) -> CompareWindow | None:
    """File › Export report…: ask for a path; write the open studio's results there.

    The compare, Monte Carlo and sweep just run go into the PDF; a compare of every variant
    runs first only when the studio has none for the factory as it is now.
    """
    path, _ = QFileDialog.getSaveFileName(parent, "Export report", "report.pdf", "PDF (*.pdf)")
    if not path:
        return None
    window = open_compare_window(doc, parent, tab=None)
    window.report_or_run(path)
    return window
