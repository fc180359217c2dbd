"""Live-view building blocks that need no engine: formatting, buffers, overlay, tiles, alarms."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from live_fakes import FakeEvent, ramp_recorder

from ui.charts.axes import format_sim_time, format_value
from ui.charts.buffers import SeriesBuffers
from ui.charts.specs import BURN_RATE, derive_burn_rate, required_series
from ui.live.overlay import (
    DEFAULT_STATUS_NAMES,
    STATUS_COLORS,
    changed_indices,
    colormap,
    compute_overlay,
)


def test_sim_time_and_values_read_like_a_person_writes_them() -> None:
    assert format_sim_time(0) == "00:00"
    assert format_sim_time(3 * 86400 + 4 * 3600 + 30 * 60) == "3d 04:30"
    assert format_sim_time(2 * 86400, spacing_s=86400) == "2d"
    assert format_sim_time(86400 + 6 * 3600, spacing_s=6 * 3600) == "1d 06h"
    assert format_value(12345.0, "kW") == "12.3 MW"
    assert format_value(950.0, "kW") == "950 kW"
    assert format_value(4_100_000.0, "USD") == "$4.10M"
    assert format_value(1500.0, "USD/h") == "$1.50k/h"
    assert format_value(0.834, "%") == "83.4 %"
    assert format_value(float("nan"), "kW") == "—"


def test_buffers_copy_only_new_rows_and_match_the_recorder() -> None:
    rec = ramp_recorder(rows=5000)
    buffers = SeriesBuffers(required_series())
    for n in (0, 1, 7, 4096, 4097, 5000):  # crosses the initial capacity (growth path)
        rec.n = n
        buffers.sync(rec)
        assert buffers.n == n
        np.testing.assert_array_equal(buffers.times_s, rec.times_s)
        for name in rec.names:
            np.testing.assert_array_equal(buffers.series(name), rec.series(name))
    assert not buffers.sync(rec)  # nothing new → no redraw needed
    # The burn rate computed incrementally equals the one computed in one go.
    expected = derive_burn_rate(rec.times_s, rec.series("total_cost_usd_cum"))
    np.testing.assert_allclose(buffers.series(BURN_RATE), expected)
    # A new run (fewer rows than before) starts the buffers over.
    rec.n = 3
    assert buffers.sync(rec)
    assert buffers.n == 3


def test_burn_rate_is_the_slope_of_total_cost_per_hour() -> None:
    t = np.array([300.0, 600.0, 900.0])
    cost = np.array([10.0, 20.0, 40.0])
    np.testing.assert_allclose(derive_burn_rate(t, cost), [120.0, 120.0, 240.0])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3) | st.just(float("nan")), min_size=1, max_size=50))
def test_colormap_is_opaque_for_numbers_and_empty_for_nan(values: list[float]) -> None:
    arr = np.array(values)
    argb = colormap(arr, ((0.0, "#000000"), (1.0, "#FFFFFF")))
    assert ((argb >> 24) == 0xFF).tolist() == np.isfinite(arr).tolist()
    assert (argb[~np.isfinite(arr)] == 0).all()


def test_overlay_modes_follow_the_node_state() -> None:
    state = {
        "temp_c": np.array([25.0, 92.0, np.nan]),
        "utilization": np.array([0.0, 1.0, 0.5]),
        "power_kw": np.array([10.0, 40.0, 0.0]),
        "status": np.array([0, 2, 5]),
        "units_up": np.array([4.0, 0.0, 1.0]),
        "units_failed": np.array([0.0, 4.0, 0.0]),
    }
    status = compute_overlay("status", state, DEFAULT_STATUS_NAMES)
    assert status.marked.tolist() == [False, True, False]
    assert (status.argb[1] & 0xFFFFFF) == int(STATUS_COLORS["failed"][1:], 16)
    temp = compute_overlay("temperature", state)
    assert temp.argb[0] != temp.argb[1] and temp.argb[2] == 0  # no temperature → no colour
    kinds = np.array(["compute_rack", "storage", "cooling_unit"])
    by_kind = compute_overlay("temperature", state, DEFAULT_STATUS_NAMES, kinds)
    assert by_kind.argb[0] == temp.argb[0] and by_kind.argb[1] == 0  # storage has no temperature
    power = compute_overlay("power", state)
    assert power.scale_max == 40.0 and power.argb[2] == 0
    assert compute_overlay("none", state).argb.tolist() == [0, 0, 0]
    assert changed_indices(status, status).size == 0
    assert changed_indices(status, temp).tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="unknown overlay mode"):
        compute_overlay("sparkle", state)


def test_kpi_tiles_show_engine_numbers_and_dash_for_missing(qtbot) -> None:  # type: ignore[no-untyped-def]
    from ui.live.kpi_tiles import TILE_SPECS, KpiTilesWidget

    tiles = KpiTilesWidget()
    qtbot.addWidget(tiles)
    kpis = {
        "capex_usd": 2.5e8,
        "pue": 1.234,
        "cost_per_gpu_hour_usd": 2.1,
        "jobs": [{"name": "llm", "completed": False, "progress": 0.25, "eta_h": 100.0}],
    }
    tiles.update_kpis(kpis, {"delivered_pflops": 12.5})
    values = tiles.values()
    assert values["capex"] == "$250M"
    assert values["pue"] == "1.234"
    assert values["pflops"] == "12.5 PFLOP/s"
    assert values["jobs"] == "25 % · ETA 4.2 d"
    assert tiles.tiles["jobs"].sub.text() == "llm"
    assert values["automation"] == "—"  # not reported → not invented
    assert all(t.tooltip for t in TILE_SPECS)
    assert len(TILE_SPECS) == 9
    # Many jobs that queued: the tile counts jobs and says how long they waited.
    queue = {
        "jobs": [{"completed": True}, {"completed": False}, {"completed": False}],
        "queue_length_max": 2,
        "jobs_waiting": 1,
        "queue_wait_mean_h": 3.0,
        "queue_wait_p95_h": 7.5,
    }
    tiles.update_kpis(queue, {})
    assert tiles.values()["jobs"] == "1 of 3 done"
    sub = tiles.tiles["jobs"].sub.text()
    assert sub.startswith("1 queued · wait mean 3") and "P95 7.5" in sub


def test_alarms_append_and_activate(qtbot) -> None:  # type: ignore[no-untyped-def]
    from ui.live.alarms import AlarmsPanel

    panel = AlarmsPanel()
    qtbot.addWidget(panel)
    events = [FakeEvent(600.0, "cooling_failure", "cdu-1", "CDU failed")]
    assert panel.sync(events) == 1
    events.append(FakeEvent(900.0, "thermal_throttle", "racks", "throttling"))
    assert panel.sync(events) == 1
    assert panel.sync(events) == 0
    assert panel.model.rowCount() == 2
    panel.filter.setCurrentIndex(panel.filter.findData("thermal_throttle"))
    assert panel.proxy.rowCount() == 1
    with qtbot.waitSignal(panel.event_activated) as blocker:
        panel.activate_row(0)
    assert blocker.args == ["racks", 900.0]
    panel.sync([])  # a new run: the list starts over
    assert panel.model.rowCount() == 0


def test_time_axis_minor_ticks_divide_the_major_ones(qtbot) -> None:  # type: ignore[no-untyped-def]
    from ui.charts.axes import TimeAxisItem

    axis = TimeAxisItem()
    for span_days in (0.01, 0.5, 2, 9, 60, 400, 3000):
        spacing = axis.tickSpacing(0.0, span_days * 86400.0, 400.0)
        major, minor = spacing[0][0], spacing[1][0]
        assert major * 400.0 / (span_days * 86400.0) >= 90.0 or span_days > 1000
        assert (major / minor) == pytest.approx(round(major / minor))
