"""Export one live chart as PNG, SVG or CSV (context menu and File › Export).

PNG and SVG go through pyqtgraph's exporters on the chart's PlotItem; the secondary-axis
ViewBoxes are children of that PlotItem, so their curves are in the file too. SVG export was
checked with the pinned pyqtgraph 0.14 + PySide6 6.10 (tests/ui/test_live_export.py parses the
file and counts its curve paths; pyproject notes PySide6 6.11 breaks it). CSV is written from the
chart's buffers at full resolution — never the downsampled points on screen.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pyqtgraph as pg
import pyqtgraph.exporters as pg_exporters
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from ui.charts.panel import ChartsPanel, LiveChart
from ui.theme import DARK, LIGHT

FORMATS: tuple[str, ...] = ("png", "svg", "csv")
_FILTERS = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)", "csv": "CSV table (*.csv)"}
EXPORT_WIDTH_PX = 1200
EXPORT_HEIGHT_PX = 700


def export_chart(panel: ChartsPanel, key: str, path: str | Path) -> Path:
    """Write chart ``key`` to ``path``; the format comes from the suffix (.png, .svg, .csv)."""
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"{target}: unknown export format {fmt!r} (use .png, .svg or .csv)")
    chart = panel.charts[key]
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        _write_csv(panel, chart, target)
        return target
    with _export_copy(panel, key) as copy:
        if fmt == "svg":
            pg_exporters.SVGExporter(copy.plot).export(str(target))
        else:
            exporter = pg_exporters.ImageExporter(copy.plot)
            exporter.parameters()["width"] = EXPORT_WIDTH_PX
            exporter.export(str(target))
    return target


@contextmanager
def _export_copy(panel: ChartsPanel, key: str) -> Iterator[LiveChart]:
    """A stand-alone copy of chart ``key`` at file size, with a title and a legend.

    On screen the title and values live in the readout label above the plot and the axes have
    fixed widths (so the four charts line up); a file stands alone, so the copy gets its own
    title, a legend naming every curve with its unit, axes sized to their titles, 2-px lines,
    and the time span the user is looking at. The copy is never shown on screen and the
    on-screen chart is left as it was.
    """
    chart = panel.charts[key]
    theme = DARK if chart.dark else LIGHT
    view = pg.GraphicsLayoutWidget()
    view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    view.resize(EXPORT_WIDTH_PX, EXPORT_HEIGHT_PX)
    view.setBackground(theme.background)
    view.ci.setContentsMargins(12, 8, 12, 8)
    copy = LiveChart(chart.spec, view.ci, 0, 0)
    view.ci.removeItem(copy.label)  # the readout is a live thing; the file has a title instead
    copy.plot.setTitle(chart.spec.title, size="13pt", color=theme.foreground)
    for axis in copy.axes:
        axis.setPen(theme.muted)
        axis.setTextPen(theme.foreground)
        axis.setWidth(None)  # sized to its tick labels and title
    copy.plot.getAxis("bottom").setPen(theme.muted)
    copy.plot.getAxis("bottom").setTextPen(theme.foreground)
    copy.set_curves(panel.buffers.names)
    for series, curve in copy.curves.items():
        curve.setPen(pg.mkPen(copy.curve_specs[series].color, width=2))
    copy.redraw(panel.buffers)
    copy.set_thresholds(chart.threshold_lines)
    copy.markers.show(panel.marks.by_color())
    legend = pg.LegendItem(offset=(-10, 10), labelTextSize="9pt", labelTextColor=theme.foreground)
    legend.setParentItem(copy.plot.vb)
    fill = pg.mkColor(theme.background)
    fill.setAlpha(215)
    legend.setBrush(fill)
    legend.setPen(theme.grid)
    for series, curve in copy.curves.items():
        spec = copy.curve_specs[series]
        legend.addItem(curve, f"{spec.label} ({_legend_unit(spec.unit)})")
    view.show()
    QApplication.processEvents()  # lay the copy out at file size
    copy.plot.vb.setXRange(*chart.plot.vb.viewRange()[0], padding=0)
    if chart.manual_y:  # the user's zoom, axis by axis
        for mine, theirs in zip(copy.view_boxes, chart.view_boxes, strict=True):
            mine.setYRange(*theirs.viewRange()[1], padding=0)
    QApplication.processEvents()
    try:
        yield copy
    finally:
        view.close()
        view.deleteLater()


def _legend_unit(unit: str) -> str:
    return {"ratio": "ratio", "count": "count", "USD": "$", "USD/h": "$/h"}.get(unit, unit)


def export_all(panel: ChartsPanel, folder: str | Path) -> list[Path]:
    """Every chart in every format into ``folder`` as ``<chart>.<fmt>``."""
    out = Path(folder)
    return [
        export_chart(panel, key, out / f"{key}.{fmt}") for key in panel.charts for fmt in FORMATS
    ]


def _write_csv(panel: ChartsPanel, chart: LiveChart, target: Path) -> None:
    """Full-resolution rows, the time three ways, then the chart's series in engine units.

    Time columns: ISO 8601 date-time (when the run's start is known), elapsed hours, seconds.
    """
    buffers = panel.buffers
    columns = [s.series for s in chart.spec.curves if buffers.has(s.series)]
    times_s = buffers.times_s
    data = [buffers.series(name) for name in columns]
    start = panel.start_time
    with target.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        clock = ["time"] if start is not None else []
        writer.writerow([*clock, "elapsed_h", "time_s", *columns])
        for i in range(buffers.n):
            t_s = float(times_s[i])
            when = [(start + timedelta(seconds=t_s)).isoformat()] if start is not None else []
            writer.writerow(
                [*when, repr(t_s / 3600.0), repr(t_s), *(repr(float(col[i])) for col in data)]
            )


def install_context_menus(panel: ChartsPanel, notify: Callable[[str], None] | None = None) -> None:
    """Add "Export chart as PNG/SVG/CSV…" to each chart's right-click menu.

    ``notify`` (the status bar) hears where the file went, or why it could not be written.
    """
    for key, chart in panel.charts.items():
        menu = chart.plot.vb.menu
        menu.addSeparator()
        for fmt in FORMATS:
            action = menu.addAction(f"Export {chart.spec.title.split(' (')[0]} as {fmt.upper()}…")
            action.triggered.connect(
                lambda _checked=False, k=key, f=fmt: ask_and_export(panel, k, f, notify)
            )


def ask_and_export(
    panel: ChartsPanel,
    key: str,
    fmt: str,
    notify: Callable[[str], None] | None = None,
    parent: QWidget | None = None,
) -> Path | None:
    """Ask for a file name, then export; the outcome goes to ``notify`` (status bar)."""
    path, _ = QFileDialog.getSaveFileName(
        parent or panel, f"Export chart as {fmt.upper()}", f"{key}.{fmt}", _FILTERS[fmt]
    )
    if not path:
        return None
    if not path.lower().endswith(f".{fmt}"):
        path += f".{fmt}"
    try:
        written = export_chart(panel, key, path)
    except (OSError, ValueError) as exc:
        if notify is not None:
            notify(f"Export failed: {exc}")
        return None
    if notify is not None:
        notify(f"Exported {panel.charts[key].spec.title} chart to {written}")
    return written


def ask_and_export_all(
    panel: ChartsPanel, parent: QWidget | None = None, notify: Callable[[str], None] | None = None
) -> list[Path]:
    """File › Export › Charts: pick a folder, write every chart in every format."""
    folder = QFileDialog.getExistingDirectory(parent or panel, "Export all charts to folder")
    if not folder:
        return []
    try:
        paths = export_all(panel, folder)
    except OSError as exc:
        if notify is not None:
            notify(f"Export failed: {exc}")
        return []
    if notify is not None:
        notify(f"Exported {len(paths)} chart files (PNG, SVG, CSV) to {folder}")
    return paths
