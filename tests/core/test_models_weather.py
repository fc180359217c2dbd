"""Weather: psychrometric wet bulb, EPW reading with line-numbered errors, climate presets."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aifactory_twin.errors import ScenarioError
from aifactory_twin.sim.models import weather as wx


def _stull(t: float, rh: float) -> float:
    """Stull (2011, J. Appl. Meteor. Climatol. 50, 2267) sea-level wet bulb, for comparison."""
    return (
        t * math.atan(0.151977 * math.sqrt(rh + 8.313659))
        + math.atan(t + rh)
        - math.atan(rh - 1.676331)
        + 0.00391838 * rh**1.5 * math.atan(0.023101 * rh)
        - 4.686035
    )


@pytest.mark.parametrize(("t", "rh"), [(20.0, 50.0), (35.0, 20.0), (30.0, 80.0), (5.0, 70.0)])
def test_wet_bulb_agrees_with_stull_at_sea_level(t: float, rh: float) -> None:
    td = wx.dew_point_c(np.array([t]), np.array([rh]))
    tw = wx.wet_bulb_c(np.array([t]), td, np.array([101_325.0]))[0]
    assert tw == pytest.approx(_stull(t, rh), abs=0.7)  # Stull's stated error: −1 … +0.65 K
    assert td[0] <= tw <= t


def test_wet_bulb_extremes() -> None:
    t = np.array([25.0, 45.0, -10.0])
    sat = wx.wet_bulb_c(t, t, np.full(3, 101_325.0))
    assert np.allclose(sat, t, atol=1e-6)  # saturated air: wet bulb = dry bulb
    # Very dry desert air: large depression, still above the dew point.
    dry = wx.wet_bulb_c(np.array([45.0]), np.array([-20.0]), np.array([97_000.0]))[0]
    assert -20.0 < dry < 25.0
    # Lower pressure (altitude) evaporates more: lower wet bulb.
    hi = wx.wet_bulb_c(np.array([30.0]), np.array([10.0]), np.array([80_000.0]))[0]
    lo = wx.wet_bulb_c(np.array([30.0]), np.array([10.0]), np.array([101_325.0]))[0]
    assert hi < lo


def _epw(rows: int = 8760, bad: str | None = None, at: int = 0) -> str:
    head = ["LOCATION,Test,,,,,0,0,0,0"] + ["X"] * 7
    body = []
    for i in range(rows):
        month = 1 + min(11, i // 730)
        t = 10.0 + 10.0 * math.sin(2 * math.pi * i / 8760)
        line = f"2001,{month},1,{i % 24 + 1},60,X,{t:.1f},{t - 5:.1f},70,101325,0,0,0"
        body.append(bad if bad is not None and i == at else line)
    return "\n".join(head + body) + "\n"


def test_epw_reads_a_year_and_computes_wet_bulb() -> None:
    yw = wx.parse_epw(_epw(), "site.epw")
    assert yw.dry_c.size == 8760
    assert np.all(yw.wet_c <= yw.dry_c + 1e-9)
    assert np.all(yw.wet_c >= yw.dry_c - 5.0 - 1e-9)  # above the dew point
    dry, wet = yw.at(3600.0 * 100.5)
    assert dry == pytest.approx(0.5 * (yw.dry_c[100] + yw.dry_c[101]))
    assert wet <= dry


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("garbage\n", "line 1: is not an EPW weather file"),
        (_epw(bad="2001,1,1,1,60,X,abc,1,70,101325", at=3), "line 12: dry bulb, dew point"),
        (_epw(bad="2001,1,1,1,60,X,99.9,1,70,101325", at=0), "line 9: dry bulb 99.9 is missing"),
        (_epw(bad="2001,1,1", at=5), "line 14: has 3 fields"),
        (_epw(rows=100), "has 100 hourly rows"),
    ],
)
def test_epw_errors_name_file_and_line(text: str, needle: str) -> None:
    with pytest.raises(ScenarioError) as err:
        wx.parse_epw(text, "site.epw")
    assert "site.epw" in str(err.value) and needle in str(err.value)


def test_epw_missing_dew_point_falls_back_to_rh() -> None:
    text = _epw(bad="2001,1,1,1,60,X,20.0,99.9,50,999999", at=0)
    yw = wx.parse_epw(text, "site.epw")
    assert yw.wet_c[0] == pytest.approx(_stull(20.0, 50.0), abs=0.7)


@pytest.mark.parametrize("key", sorted(wx.CLIMATES))
def test_climate_presets_reproduce_their_monthly_normals(key: str) -> None:
    cl = wx.CLIMATES[key]
    yw = wx.climate_year(key)
    dry, wet = yw.monthly_mean_c()
    assert np.allclose(dry, cl.dry_c, atol=1.5)  # interpolation between mid-month values
    assert np.all(wet < dry)
    assert cl.source
    # Wet bulb swings less over a day than dry bulb.
    assert np.ptp(yw.wet_c[:24]) < np.ptp(yw.dry_c[:24])


def test_hot_desert_is_hotter_but_relatively_drier_than_dublin() -> None:
    phx, dub = wx.climate_year("phoenix_az"), wx.climate_year("dublin_ie")
    assert phx.dry_c.mean() > dub.dry_c.mean() + 10.0
    assert (phx.dry_c - phx.wet_c).mean() > 2.0 * (dub.dry_c - dub.wet_c).mean()
