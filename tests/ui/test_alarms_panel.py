"""Alarms grouped by kind and node, acknowledged and filtered as a user does it."""

from __future__ import annotations

from typing import Any

from live_fakes import FakeEvent
from PySide6.QtCore import Qt

from ui.live.alarms import AlarmsPanel


def _flood() -> list[FakeEvent]:
    """700 events from a few sources, like a long run with flaky racks."""
    events = []
    for i in range(300):
        events.append(FakeEvent(600.0 * (i + 1), "unit_failed", "racks", f"{i % 3 + 1} failed"))
        events.append(FakeEvent(600.0 * (i + 1) + 60, "unit_repaired", "racks", "1 back"))
    for i in range(100):
        events.append(FakeEvent(3600.0 * (i + 1), "thermal_throttle", "hall-b", "junction 90 °C"))
    events.append(FakeEvent(7200.0, "cooling_failure", "crah-1", "1 unit(s) failed"))
    return sorted(events, key=lambda e: e.time_s)


def _click_row(qtbot: Any, panel: AlarmsPanel, row: int, modifier: Any = None) -> None:
    rect = panel.table.visualRect(panel.proxy.index(row, 1))
    kwargs = {"pos": rect.center()}
    if modifier is not None:
        kwargs["modifier"] = modifier
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, **kwargs)


def test_a_flood_of_events_reads_as_a_few_groups_with_counts_and_times(qtbot: Any) -> None:
    panel = AlarmsPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 400)
    panel.show()
    events = _flood()
    assert panel.sync(events) == 701
    assert panel.proxy.rowCount() == 4  # (failed, racks), (repaired, racks), throttle, cooling
    groups = {(g.kind, g.node_id): g for g in panel.shown_groups()}
    failed = groups[("unit_failed", "racks")]
    assert (failed.count, failed.first_s, failed.last_s) == (300, 600.0, 180000.0)
    assert failed.message == "3 failed"  # the latest occurrence's message
    assert "701 events in 4 groups" in panel.count_label.text()
    # More events of a known group update it in place; no new row.
    panel.sync([*events, FakeEvent(200000.0, "unit_failed", "racks", "2 failed")])
    assert panel.proxy.rowCount() == 4 and groups[("unit_failed", "racks")].count == 301


def test_acknowledge_selected_and_all_and_a_new_occurrence_re_raises(qtbot: Any) -> None:
    panel = AlarmsPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 400)
    panel.show()
    qtbot.waitExposed(panel)
    events = _flood()
    panel.sync(events)
    row = next(i for i, g in enumerate(panel.shown_groups()) if g.kind == "cooling_failure")
    with qtbot.waitSignal(panel.event_activated) as blocker:
        _click_row(qtbot, panel, row)
    assert blocker.args == ["crah-1", 7200.0]
    qtbot.mouseClick(panel.ack_button, Qt.MouseButton.LeftButton)
    cooling = panel.shown_groups()[row]
    assert cooling.acknowledged
    assert "3 not acknowledged" in panel.count_label.text()
    assert panel.proxy.data(panel.proxy.index(row, 0)) == "✓"
    # Hide acknowledged ones.
    panel.show_acked.click()
    assert all(not g.acknowledged for g in panel.shown_groups())
    assert panel.proxy.rowCount() == 3
    # Acknowledge all shown; then the list is empty while acknowledged ones are hidden.
    qtbot.mouseClick(panel.ack_all_button, Qt.MouseButton.LeftButton)
    assert panel.proxy.rowCount() == 0
    assert "0 not acknowledged" in panel.count_label.text()
    # The cooling unit fails again: its group comes back, unacknowledged.
    panel.sync([*events, FakeEvent(9e5, "cooling_failure", "crah-1", "1 unit(s) failed")])
    panel._on_filter_changed()
    assert [g.kind for g in panel.shown_groups()] == ["cooling_failure"]


def test_filters_by_severity_and_kind(qtbot: Any) -> None:
    panel = AlarmsPanel()
    qtbot.addWidget(panel)
    panel.sync(_flood())
    panel.severity_filter.setCurrentText("Critical only")
    assert {g.kind for g in panel.shown_groups()} == {"unit_failed", "cooling_failure"}
    panel.severity_filter.setCurrentText("Warnings and critical")
    assert {g.kind for g in panel.shown_groups()} == {
        "unit_failed",
        "cooling_failure",
        "thermal_throttle",
    }
    panel.severity_filter.setCurrentText("All severities")
    panel.filter.setCurrentIndex(panel.filter.findData("unit_repaired"))
    assert [g.kind for g in panel.shown_groups()] == ["unit_repaired"]
