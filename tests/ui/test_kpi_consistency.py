"""A KPI reads the same on the live tile, in the CLI table, in the report and on the slides."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from aifactory_twin.cli.run_cmd import kpi_table_lines
from aifactory_twin.io import load_scenario
from aifactory_twin.kpi_registry import format_kpi, kpi_info
from aifactory_twin.resources import scenes_dir
from aifactory_twin.study import StudyOptions, compare
from ui.live.kpi_tiles import KpiTilesWidget
from ui.presentation.slides import Deck, Slide, draw_slide
from ui.report_charts import font, metrics
from ui.report_content import kpi_table
from ui.report_table import TableStyle, fit_table
from ui.theme import LIGHT

# Tile key → the KPI its headline shows.
TILED = {
    "capex": "capex_usd",
    "pue": "pue",
    "energy": "facility_energy_mwh",
    "gpu_hour": "cost_per_gpu_hour_usd",
    "retention": "talent_retention",
}


@pytest.fixture(scope="module")
def compared() -> Any:
    scenario = load_scenario(scenes_dir() / "air-vs-liquid.aift.json")
    # A year: the dollar figures reach hundreds of millions on the bigger variant.
    return compare(scenario, None, seed=2, options=StudyOptions(365 * 86400.0, 6 * 3600.0))


def test_tile_cli_and_report_show_the_same_label_and_value(qtbot: Any, compared: Any) -> None:
    label = "air"
    kpis = compared.runs[label].kpis
    tiles = KpiTilesWidget()
    qtbot.addWidget(tiles)
    tiles.update_kpis(kpis, {})
    cli = kpi_table_lines(kpis)
    header, rows = kpi_table(compared, "base")
    report = {row[0]: row[header.index(label)] for row in rows}
    for tile_key, key in TILED.items():
        info = kpi_info(key)
        text = format_kpi(key, kpis[key])
        assert tiles.tiles[tile_key].title.text() == info.caption.upper()
        assert tiles.values()[tile_key] == text
        assert report[info.label] == text, key
        if key in ("pue", "facility_energy_mwh", "cost_per_gpu_hour_usd"):
            assert any(info.label in line and line.endswith(text) for line in cli), key
    # Shares are percents everywhere, money compact with a suffix, never e-notation.
    assert tiles.values()["retention"].endswith(" %")
    assert report[kpi_info("availability").label].endswith(" %")
    for row in rows:
        assert not any("e+" in cell or "e-" in cell for cell in row[2:]), row


def test_comparison_slide_shows_every_dollar_figure_whole(qtbot: Any, compared: Any) -> None:
    """Slide 5 read "$218…": numbers are never elided, the table fits them instead."""
    scenario = load_scenario(scenes_dir() / "air-vs-liquid.aift.json")
    deck = Deck(scenario, compared, "base")
    assert deck.slides()[4] == Slide("comparison")
    image = QImage(1280, 720, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    draw_slide(painter, QRectF(0, 0, 1280, 720), deck, deck.slides()[4], LIGHT)
    # The table as the slide lays it out: every value cell fits its column at the chosen size.
    labels = list(compared.runs)
    header = ["KPI", *labels]
    body = [
        [kpi_info(k).caption, *(format_kpi(k, compared.rows()[x].get(k)) for x in labels)]
        for k in (
            "total_cost_usd",
            "cost_per_gpu_hour_usd",
            "facility_energy_mwh",
            "delivered_pflops_mean",
            "carbon_t_co2",
        )
    ]
    assert all(cell.startswith("$") for cell in body[0][1:])
    style = TableStyle(weights=(2.6,) + (1.0,) * len(labels))
    width = (1280 - 2 * 28 * 720 / 640) * 0.44
    widths, size, _ = fit_table(painter, width, header, body, style, 720 / 640 * 1.35)
    fm = metrics(painter, font(size * 720 / 640 * 1.35))
    advances = [[fm.horizontalAdvance(cell) for cell in row] for row in body]
    painter.end()
    for row, advance in zip(body, advances, strict=True):
        for i in range(1, len(row)):
            assert advance[i] <= widths[i], (row[i], widths[i])
