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
from ui.report_content import DRIFT_KPIS, EXECUTIVE_KPIS, executive_table
from ui.theme import LIGHT


@pytest.fixture(scope="module")
def compared() -> Any:
    scenario = load_scenario(scenes_dir() / "training-cluster-1k.aift.json")
    # 10 days: long enough for the drift variant's first retraining slot (one per 8 days).
    return scenario, compare(scenario, None, seed=0, options=StudyOptions(10 * 86400.0, 3600.0))


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


def test_drift_rows_appear_only_when_a_compared_run_monitors_drift(compared: Any) -> None:
    scenario, result = compared
    _, rows = executive_table(result, "base")
    by_name = {row[0]: row for row in rows}
    drift = [kpi_info(k).caption for k in DRIFT_KPIS]
    for caption, key in zip(drift, DRIFT_KPIS, strict=True):
        assert by_name[caption][-1] == kpi_info(key).formula
        assert by_name[caption][1] == "—"  # the base monitors nothing
    column = list(result.runs).index("drift 120 d") + 1
    assert by_name[drift[0]][column] == "0"  # monitored, no drift in 10 days
    plain = compare(
        scenario, ["base", "double annotators"], seed=0,
        options=StudyOptions(2 * 86400.0, 3600.0),
    )  # fmt: skip
    _, rows = executive_table(plain, "base")
    assert not set(drift) & {row[0] for row in rows}


def test_the_executive_slide_is_in_the_deck_and_paints(qtbot: Any, compared: Any) -> None:
    scenario, result = compared
    deck = Deck(scenario, result, "base")
    assert Slide("executive") in deck.slides()
    image = QImage(1280, 720, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    draw_slide(painter, QRectF(0, 0, 1280, 720), deck, Slide("executive"), LIGHT)
    painter.end()

    def dark(xs: range, ys: range) -> int:
        return sum(1 for x in xs for y in ys if image.pixelColor(x, y).value() < 128)

    assert dark(range(0, 1280, 8), range(200, 700, 8)) > 200  # the table's text is drawn
    # All six runs and the drift rows fit: nothing is drawn in the slide's bottom and right
    # margins (the table shrinks its text rather than run off the slide).
    assert dark(range(0, 1280, 2), range(704, 720)) == 0
    assert dark(range(1250, 1280), range(100, 720, 2)) == 0


def test_the_capex_tile_shows_investment_per_year_when_deliveries_span_years(qtbot: Any) -> None:
    tiles = KpiTilesWidget()
    qtbot.addWidget(tiles)
    kpis = {"capex_usd": 3e6, "investment_by_year_usd": {"2027": 1e6, "2028": 2e6}}
    tiles.update_kpis(kpis, {})
    subtitle = tiles.tiles["capex"].sub.text()
    assert "2027 $1.00M" in subtitle and "2028 $2.00M" in subtitle
    assert "calendar year" in tiles.tiles["capex"].toolTip()
