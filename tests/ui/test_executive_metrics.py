"""Executive metrics (issue 14) in the report and the slides: values per variant and how each
is computed, investment per calendar year, operational cost reduction against the baseline."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from aifactory_twin.io import load_scenario
from aifactory_twin.kpi_registry import kpi_info
from aifactory_twin.resources import scenes_dir
from aifactory_twin.study import StudyOptions, compare
from ui.live.kpi_tiles import KpiTilesWidget
from ui.presentation.slides import Deck, Slide, draw_slide
from ui.report_content import EXECUTIVE_KPIS, executive_table
from ui.theme import LIGHT


@pytest.fixture(scope="module")
def compared() -> Any:
    scenario = load_scenario(scenes_dir() / "training-cluster-1k.aift.json")
    return scenario, compare(scenario, None, seed=0, options=StudyOptions(2 * 86400.0, 3600.0))


def test_executive_table_has_values_per_variant_and_how_each_is_computed(compared: Any) -> None:
    _, result = compared
    header, rows = executive_table(result, "base")
    assert header[:2] == ["metric", "base"] and header[-1] == "how it is computed"
    more = header.index("double annotators")
    by_name = {row[0]: row for row in rows}
    for key in EXECUTIVE_KPIS:
        info = kpi_info(key)
        assert by_name[info.caption][-1] == info.formula and info.formula
    invest = by_name["Invest. 2027"]
    assert invest[1].startswith("$") and invest[1] == invest[more]
    # Doubling the annotators costs their salaries: the opex "reduction" is negative.
    reduction = by_name[kpi_info("operational_cost_reduction_pct").caption]
    assert reduction[1] == "—" and reduction[more].startswith("−")


def test_the_executive_slide_is_in_the_deck_and_paints(qtbot: Any, compared: Any) -> None:
    scenario, result = compared
    deck = Deck(scenario, result, "base")
    assert Slide("executive") in deck.slides()
    image = QImage(1280, 720, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    draw_slide(painter, QRectF(0, 0, 1280, 720), deck, Slide("executive"), LIGHT)
    painter.end()
    dark = sum(
        1
        for x in range(0, 1280, 8)
        for y in range(200, 700, 8)
        if image.pixelColor(x, y).value() < 128
    )
    assert dark > 200  # the table's text is drawn


def test_the_capex_tile_shows_investment_per_year_when_deliveries_span_years(qtbot: Any) -> None:
    tiles = KpiTilesWidget()
    qtbot.addWidget(tiles)
    kpis = {"capex_usd": 3e6, "investment_by_year_usd": {"2027": 1e6, "2028": 2e6}}
    tiles.update_kpis(kpis, {})
    subtitle = tiles.tiles["capex"].sub.text()
    assert "2027 $1.00M" in subtitle and "2028 $2.00M" in subtitle
    assert "calendar year" in tiles.tiles["capex"].toolTip()
