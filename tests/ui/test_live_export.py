"""Chart export: PNG, SVG and CSV files that are not empty and hold what the chart shows."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from live_fakes import ramp_recorder
from PySide6.QtGui import QImage

from ui.charts.export import FORMATS, export_all, export_chart
from ui.charts.panel import ChartsPanel

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def panel(qtbot) -> ChartsPanel:  # type: ignore[no-untyped-def]
    charts = ChartsPanel()
    qtbot.addWidget(charts)
    charts.resize(1200, 600)
    charts.show()
    rec = ramp_recorder(rows=300)
    rec.n = 300
    charts.attach(rec)
    qtbot.waitExposed(charts)
    return charts


def test_every_chart_exports_png_svg_and_csv(panel: ChartsPanel, tmp_path: Path) -> None:
    paths = export_all(panel, tmp_path)
    assert len(paths) == len(panel.charts) * len(FORMATS)
    for path in paths:
        assert path.stat().st_size > 500, path
    image = QImage(str(tmp_path / "power.png"))
    assert image.width() >= 1200 and not image.isNull()


def test_svg_is_valid_and_holds_both_axes_curves(panel: ChartsPanel, tmp_path: Path) -> None:
    # pyqtgraph 0.14 + PySide6 6.10 (pinned; 6.11 broke this): a real, parseable SVG whose
    # paths include the right-axis PUE curve (its ViewBox is a child of the chart).
    path = export_chart(panel, "power", tmp_path / "power.svg")
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG_NS}svg"
    text = path.read_text(encoding="utf-8").lower()
    assert "#d6457f" in text  # the PUE curve's colour
    assert "#3b6fe0" in text  # the IT power curve's colour
    assert sum(1 for e in root.iter() if e.tag in (f"{SVG_NS}path", f"{SVG_NS}polyline")) > 5


def test_csv_has_full_resolution_rows(panel: ChartsPanel, tmp_path: Path) -> None:
    panel.start_time = datetime(2027, 1, 1)
    path = export_chart(panel, "cost", tmp_path / "cost.csv")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["time", "elapsed_h", "time_s", "energy_cost_usd_cum"]
    assert "burn_rate_usd_per_h" in header
    assert len(body) == 300
    times = np.array([float(r[2]) for r in body])
    np.testing.assert_array_equal(times, panel.buffers.times_s)
    # ISO date-time and elapsed hours of the same instant as the seconds column.
    assert body[0][0] == "2027-01-01T00:05:00"  # the ramp's first row is t = 300 s
    np.testing.assert_allclose([float(r[1]) for r in body], times / 3600.0)
    assert datetime.fromisoformat(body[-1][0]) == datetime(2027, 1, 1) + timedelta(
        seconds=float(times[-1])
    )


def test_csv_without_a_start_date_still_has_hours_and_seconds(
    panel: ChartsPanel, tmp_path: Path
) -> None:
    path = export_chart(panel, "power", tmp_path / "power.csv")
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:2] == ["elapsed_h", "time_s"]


def test_png_and_svg_carry_title_legend_and_unit_axis_titles(
    panel: ChartsPanel, tmp_path: Path
) -> None:
    svg = export_chart(panel, "power", tmp_path / "power.svg").read_text(encoding="utf-8")
    assert "Power" in svg  # the chart title
    for legend_entry in ("IT (kW)", "Cooling (kW)", "Facility (kW)", "PUE (ratio)"):
        assert legend_entry in svg, legend_entry
    assert "(MW)" in svg or "(kW)" in svg  # axis title with its unit
    # The on-screen chart is left as it was: no title, no legend, fixed axis widths.
    chart = panel.charts["power"]
    assert not chart.plot.titleLabel.isVisible()
    assert not any(isinstance(i, pg.LegendItem) for i in chart.plot.vb.childItems())
    assert [a.width() for a in chart.axes] == [52, 66]
    # In the PNG the right axis title is inside the picture: its column of pixels is not blank.
    png = export_chart(panel, "power", tmp_path / "power.png")
    image = QImage(str(png))
    right = image.copy(image.width() - 24, 0, 24, image.height())
    background = right.pixel(0, 0)
    assert any(
        right.pixel(x, y) != background for x in range(right.width()) for y in range(right.height())
    )


def test_export_from_the_chart_menu_reports_the_path(
    panel: ChartsPanel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    from ui.charts.export import ask_and_export, ask_and_export_all

    target = tmp_path / "out" / "heat"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    messages: list[str] = []
    written = ask_and_export(panel, "heat", "png", messages.append)
    assert written == target.with_suffix(".png") and written.exists()
    assert messages == [f"Exported Temperature and heat chart to {written}"]
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path / "all"))
    paths = ask_and_export_all(panel, notify=messages.append)
    assert len(paths) == 12 and str(tmp_path / "all") in messages[-1]


def test_unknown_format_is_refused(panel: ChartsPanel, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        export_chart(panel, "power", tmp_path / "power.bmp")
