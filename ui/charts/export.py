"""Export one live chart as PNG, SVG or CSV (context menu and File › Export).

PNG and SVG go through pyqtgraph's exporters on the chart's PlotItem; the secondary-axis
ViewBoxes are children of that PlotItem, so their curves are in the file too. SVG export was
checked with the pinned pyqtgraph 0.14 + PySide6 6.10 (tests/ui/test_live_export.py parses the
file and counts its curve paths; pyproject notes PySide6 6.11 breaks it). CSV is written from the
chart's buffers at full resolution — never the downsampled points on screen.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pyqtgraph.exporters as pg_exporters
from PySide6.QtWidgets import QFileDialog, QWidget

from ui.charts.panel import ChartsPanel, LiveChart

FORMATS: tuple[str, ...] = ("png", "svg", "csv")
_FILTERS = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)", "csv": "CSV table (*.csv)"}
MIN_PNG_WIDTH_PX = 1200


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
    elif fmt == "svg":
        pg_exporters.SVGExporter(chart.plot).export(str(target))
    else:
        exporter = pg_exporters.ImageExporter(chart.plot)
        width_px = int(chart.plot.sceneBoundingRect().width())
        if width_px < MIN_PNG_WIDTH_PX:
            # The exporter keeps the aspect ratio; a small on-screen chart exports sharper.
            exporter.parameters()["width"] = MIN_PNG_WIDTH_PX
        exporter.export(str(target))
    return target


def export_all(panel: ChartsPanel, folder: str | Path) -> list[Path]:
    """Every chart in every format into ``folder`` as ``<chart>.<fmt>``."""
    out = Path(folder)
    return [
        export_chart(panel, key, out / f"{key}.{fmt}") for key in panel.charts for fmt in FORMATS
    ]


def _write_csv(panel: ChartsPanel, chart: LiveChart, target: Path) -> None:
    buffers = panel.buffers
    columns = [s.series for s in chart.spec.curves if buffers.has(s.series)]
    times_s = buffers.times_s
    data = [buffers.series(name) for name in columns]
    with target.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["time_s", *columns])
        for i in range(buffers.n):
            writer.writerow([repr(float(times_s[i])), *(repr(float(col[i])) for col in data)])


def install_context_menus(
    panel: ChartsPanel, on_error: Callable[[str], None] | None = None
) -> None:
    """Add "Export chart as PNG/SVG/CSV…" to each chart's right-click menu."""
    for key, chart in panel.charts.items():
        menu = chart.plot.vb.menu
        menu.addSeparator()
        for fmt in FORMATS:
            action = menu.addAction(f"Export {chart.spec.title.split(' (')[0]} as {fmt.upper()}…")
            action.triggered.connect(
                lambda _checked=False, k=key, f=fmt: ask_and_export(panel, k, f, on_error)
            )


def ask_and_export(
    panel: ChartsPanel,
    key: str,
    fmt: str,
    on_error: Callable[[str], None] | None = None,
    parent: QWidget | None = None,
) -> Path | None:
    """Ask for a file name, then export; errors go to ``on_error`` (status bar), not a crash."""
    path, _ = QFileDialog.getSaveFileName(
        parent or panel, f"Export chart as {fmt.upper()}", f"{key}.{fmt}", _FILTERS[fmt]
    )
    if not path:
        return None
    if not path.lower().endswith(f".{fmt}"):
        path += f".{fmt}"
    try:
        return export_chart(panel, key, path)
    except (OSError, ValueError) as exc:
        if on_error is not None:
            on_error(f"Export failed: {exc}")
        return None


def ask_and_export_all(panel: ChartsPanel, parent: QWidget | None = None) -> list[Path]:
    """File › Export › Charts: pick a folder, write every chart in every format."""
    folder = QFileDialog.getExistingDirectory(parent or panel, "Export all charts to folder")
    return export_all(panel, folder) if folder else []
