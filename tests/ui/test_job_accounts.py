"""A workload's energy, carbon, cost and GPU-hours in the Scenario dock follow the live run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from aifactory_twin.formatting import format_money, format_quantity
from aifactory_twin.resources import scenes_dir
from ui.inspector.job_accounts import NO_RUN
from ui.live.live_view import LiveView, install_live_view
from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path: Path) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings, recovery_dir=tmp_path / "recovery", offer_recovery=False)
    win.resize(1400, 900)
    win.show()
    win.load_now(str(scenes_dir() / "starter-lab.aift.json"))
    yield win
    win.stack.setClean()
    view: LiveView | None = getattr(win, "live", None)
    if view is not None:
        view.shutdown()
    win.close()


def test_selected_job_shows_its_energy_during_and_after_a_run(window: MainWindow) -> None:
    panel = window.scenario_panel
    panel.workload_list.setCurrentRow(0)
    box = panel.job_accounts
    assert box is not None
    assert box.note.isVisibleTo(panel) and box.note.text() == NO_RUN
    assert box.texts()["energy_kwh"] == ""
    lv = install_live_view(window)
    window.live = lv  # type: ignore[attr-defined]
    for _ in range(6):
        lv.controller.step()
    lv.refresh_panels(force=True)
    engine = lv.controller.engine
    assert engine is not None
    row = engine.kpis()["job_accounting"]["workloads"][0]
    box = panel.job_accounts
    assert box is not None and not box.note.isVisibleTo(panel)
    assert row["energy_kwh"] > 0
    shown = box.texts()
    assert shown["energy_kwh"] == format_quantity(row["energy_kwh"], "kWh")
    assert shown["carbon_kg_co2"] == format_quantity(row["carbon_kg_co2"], "kg CO₂")
    assert shown["cost_usd"] == format_money(row["cost_usd"])
    assert shown["gpu_hours"] == format_quantity(row["gpu_hours"], "GPU·h")
    first = row["energy_kwh"]
    # More steps: the numbers grow; a rebuilt form (another edit) keeps showing them.
    for _ in range(6):
        lv.controller.step()
    lv.refresh_panels(force=True)
    later = engine.kpis()["job_accounting"]["workloads"][0]["energy_kwh"]
    assert later > first
    panel.rebuild()
    box = panel.job_accounts
    assert box is not None
    assert box.texts()["energy_kwh"] == format_quantity(later, "kWh")
