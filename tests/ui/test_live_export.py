"""Chart export: PNG, SVG and CSV files that are not empty and hold what the chart shows."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
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
    path = export_chart(panel, "cost", tmp_path / "cost.csv")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    assert header[:2] == ["time_s", "energy_cost_usd_cum"]
    assert "burn_rate_usd_per_h" in header
    assert len(body) == 300
    times = np.array([float(r[0]) for r in body])
    np.testing.assert_array_equal(times, panel.buffers.times_s)


def test_unknown_format_is_refused(panel: ChartsPanel, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        export_chart(panel, "power", tmp_path / "power.bmp")
