"""KPI comparison tables with six variants: the studio's KPIs tab, the PDF page and the slide."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QAction, QColor, QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import QApplication

from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scenes_dir
from aifactory_twin.study import SerialRunner, StudyOptions, compare
from ui.presentation.slides import Deck, Slide, draw_slide
from ui.report_charts import font, metrics, unit
from ui.report_content import kpi_table
from ui.report_table import TableStyle, fit_table
from ui.theme import LIGHT

SCENE = scenes_dir() / "training-cluster-1k.aift.json"


@pytest.fixture(scope="module")
def six() -> Any:
    scenario = load_scenario(SCENE)
    result = compare(scenario, None, seed=0, options=StudyOptions(2 * 86400.0, 3600.0))
    assert len(result.runs) == 6
    return scenario, result


def test_pdf_kpi_table_fits_the_page_with_every_number_and_label_whole(qapp, six) -> None:
    _, result = six
    header, rows = kpi_table(result, "base")
    image = QImage(3508, 2480, QImage.Format.Format_ARGB32)  # A4 landscape at 300 dpi
    image.setDotsPerMeterX(11811)
    image.setDotsPerMeterY(11811)
    painter = QPainter(image)
    try:
        width = 3200.0
        style = TableStyle(weights=(3.2, 0.7) + (1.0,) * (len(header) - 2))
        widths, size, heights = fit_table(painter, width, header, rows, style)
        body = metrics(painter, font(size))
        head = metrics(painter, font(size, bold=True))
        pad = 10 * unit(painter)
    finally:
        painter.end()
    assert sum(widths) <= width + 0.5  # nothing runs off the page's right edge
    for i in range(2, len(header)):
        assert max(body.horizontalAdvance(r[i]) for r in rows) + pad <= widths[i] + 0.5
        # Long variant names wrap at spaces: each word fits its column.
        assert all(head.horizontalAdvance(w) + pad <= widths[i] + 0.5 for w in header[i].split())
    # The KPI names are shown whole, not "Operational cost…".
    assert max(body.horizontalAdvance(r[0]) for r in rows) + pad <= widths[0] + 0.5
    assert heights[0] > heights[1]  # the header row is taller: it holds the wrapped names


def test_comparison_slide_table_stays_inside_its_band(qapp, six) -> None:
    scenario, result = six
    image = QImage(1280, 720, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    draw_slide(painter, QRectF(0, 0, 1280, 720), Deck(scenario, result, "base"),
               Slide("comparison"), LIGHT)  # fmt: skip
    painter.end()
    band = QColor(LIGHT.grid)
    # The header band is as wide as the table; find its row and its right end.
    y = next(y for y in range(90, 300) if image.pixelColor(60, y) == band)
    right = max(x for x in range(0, 1280) if image.pixelColor(x, y) == band)
    assert right > 640  # the table took more of the slide for six variants

    def dark(xs: range, ys: range) -> int:
        return sum(1 for x in xs for yy in ys if image.pixelColor(x, yy).value() < 128)

    # No number runs past the band into the gap before the charts (it did by ~14 px).
    assert dark(range(right + 2, right + 18), range(y, y + 300)) == 0
    assert dark(range(0, right), range(y + 60, y + 250)) > 200  # the rows are drawn


def test_studio_kpis_tab_keeps_names_in_view_and_headers_readable(window, qtbot) -> None:
    from ui.compare import CompareWindow

    window.open_file(str(SCENE))
    qtbot.waitUntil(lambda: len(window.doc.nodes) > 5, timeout=30_000)
    window.findChild(QAction, "action_compare").trigger()
    studio = next(w for w in QApplication.topLevelWidgets() if isinstance(w, CompareWindow))
    qtbot.addWidget(studio)
    studio._runner_factory = lambda n: SerialRunner()
    studio.resize(1400, 900)
    studio.horizon_edit.setText("2d")
    studio.step_edit.setText("1h")
    qtbot.mouseClick(studio.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: studio.result is not None, timeout=120_000)
    assert len(studio.result.runs) == 6
    bar = studio.tabs.tabBar()
    kpis = next(i for i in range(bar.count()) if bar.tabText(i) == "KPIs")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(kpis).center())
    table = studio.kpi_table
    assert studio.tabs.currentIndex() == kpis
    # KPI names are the row headers: they stay in view when the table scrolls sideways.
    names = [table.verticalHeaderItem(r).text() for r in range(table.rowCount())]
    assert names[0] == "Total cost" and "Queue wait (mean)" in names
    table.horizontalScrollBar().setValue(table.horizontalScrollBar().maximum())
    qtbot.wait(10)
    assert table.verticalHeader().isVisible()
    assert table.verticalHeader().width() >= QFontMetrics(table.font()).horizontalAdvance(
        "Operational cost reduction vs baseline"
    )
    # Headers wrap onto short lines (the whole name in the tooltip), each line shown whole.
    header_fm = QFontMetrics(table.horizontalHeader().font())
    for c in range(table.columnCount()):
        item = table.horizontalHeaderItem(c)
        lines = item.text().split("\n")
        assert " ".join(lines) == item.toolTip()
        width = table.horizontalHeader().sectionSize(c)
        assert all(header_fm.horizontalAdvance(line) < width for line in lines)
    texts = [table.horizontalHeaderItem(c).toolTip() for c in range(table.columnCount())]
    assert texts[:3] == ["unit", "base (baseline)", "salaries -20 percent"]
    assert "\n" in table.horizontalHeaderItem(texts.index("Δ half on order - dual sourced")).text()
