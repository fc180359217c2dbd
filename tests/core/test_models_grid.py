"""Grid price/carbon series: parsing, line-numbered errors, lookup and wrap-around."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from aifactory_twin.errors import ScenarioError
from aifactory_twin.sim.models import grid


def _year_csv() -> str:
    rows = ["hour,price_usd_per_kwh,carbon_g_per_kwh"]
    rows += [f"{h},{0.05 + 0.001 * (h % 24)},{100 + h % 24}" for h in range(8760)]
    return "\n".join(rows) + "\n"


def test_a_year_at_one_hour_parses_and_looks_up_by_hour_of_year() -> None:
    s = grid.parse_grid_csv(_year_csv(), "g.csv")
    assert s.rows == 8760 and s.step_s == 3600.0 and s.start_s == 0.0
    start = datetime(2027, 3, 1, 5, 0)
    soy = grid.seconds_of_year(start, 1800.0)
    hour = int(soy // 3600)
    assert s.index_at(soy) == hour
    assert s.carbon_g_per_kwh is not None and s.carbon_g_per_kwh[hour] == 100 + 5
    # The series repeats after a year.
    assert s.index_at(soy + 8760 * 3600.0) == hour


def test_any_regular_step_and_timestamps() -> None:
    text = "timestamp,carbon_g_per_kwh\n2023-06-01T00:00,50\n2023-06-01T00:15,60\n"
    s = grid.parse_grid_csv(text, "q.csv")
    assert s.step_s == 900.0 and s.price_usd_per_kwh is None
    june1 = grid.seconds_of_year(datetime(2027, 6, 1), 0.0)
    assert s.start_s == pytest.approx(june1 - 86400.0 * (2027 % 4 == 0))
    values = grid.feed_values([s, None], np.array([1.0, 2.0]), "carbon", s.start_s + 901.0)
    assert list(values) == [60.0, 2.0]
    # A column the series lacks falls back to the feed's constant.
    assert list(grid.feed_values([s], np.array([0.08]), "price", 0.0)) == [0.08]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "is empty"),
        ("hour,price\n0,1\n", "unknown column 'price'"),
        ("hour\n0\n", "price_usd_per_kwh and/or carbon_g_per_kwh"),
        ("price_usd_per_kwh\n0.1\n", "exactly one time column"),
        ("hour,carbon_g_per_kwh\n0,10\n1,x\n", "line 3: carbon_g_per_kwh 'x' is not a number"),
        ("hour,carbon_g_per_kwh\n0,10\n1,-4\n", "line 3: carbon_g_per_kwh must be"),
        ("hour,carbon_g_per_kwh\n0,10\n1,5\n3,5\n", "line 4: irregular step"),
        ("hour,carbon_g_per_kwh\n1,10\n0,5\n", "line 3: times must increase"),
        ("hour,carbon_g_per_kwh\n0,10,3\n", "line 2: has 3 fields"),
        ("hour,carbon_g_per_kwh\nnoon,10\n", "line 2: hour 'noon' is not a valid time"),
        ("hour,carbon_g_per_kwh\n", "no data rows"),
    ],
)
def test_errors_name_file_line_and_problem(text: str, needle: str) -> None:
    with pytest.raises(ScenarioError) as err:
        grid.parse_grid_csv(text, "feeds/fr.csv")
    assert "feeds/fr.csv" in str(err.value)
    assert needle in str(err.value)
