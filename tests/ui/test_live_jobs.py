"""The live Jobs dock driven as a user would: run a job mix, watch the queue, hover the Gantt."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from editor_support import live_window
from PySide6.QtCore import QPoint, QPointF, Qt

from aifactory_twin.resources import scenes_dir
from ui.live.jobs_panel import TEAM_COLORS
from ui.live.live_view import LiveView
from ui.main_window import MainWindow
from ui.sim_controller import RUNNING

DAY_S = 86400.0


def mix_scene(tmp_path: Path, policy: str = "fcfs", backfill: str = "none") -> Path:
    """training-cluster-1k without its 1,024-GPU job, fed by two teams' job mixes."""
    data = json.loads((scenes_dir() / "training-cluster-1k.aift.json").read_text())
    data["workloads"] = []
    data["settings"].update(
        scheduler_policy=policy, backfill=backfill, horizon_s=2 * DAY_S, step_s=600.0
    )
    data["job_mix"] = [
        {"team": "research", "jobs": 20, "mean_interarrival_s": 1800.0,
         "accelerators_min": 128, "accelerators_max": 512, "duration_median_s": 6 * 3600.0},
        {"team": "eval", "jobs": 20, "mean_interarrival_s": 1800.0,
         "accelerators_min": 8, "accelerators_max": 32, "duration_median_s": 3600.0},
    ]  # fmt: skip
    path = tmp_path / "mix.aift.json"
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def window(tmp_path: Path) -> Iterator[MainWindow]:
    with live_window(tmp_path, mix_scene(tmp_path)) as win:
        yield win


def test_running_a_job_mix_fills_the_queue_chart_and_the_gantt(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    lv: LiveView = window.live
    lv.controls.speed.setCurrentIndex(lv.controls.speed.count() - 1)  # fastest
    lv.controls.run_action.trigger()
    assert lv.controller.state == RUNNING
    # A job mix brings the Jobs tab forward once the run starts.
    qtbot.waitUntil(lambda: lv.jobs.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: lv.controller.time_s >= 0.5 * DAY_S, timeout=60000)
    lv.controls.run_action.trigger()  # pause
    qtbot.waitUntil(lambda: "queued" in lv.jobs.summary.text(), timeout=5000)
    lv.refresh_panels()
    engine = lv.controller.engine
    assert engine is not None
    table = engine.job_table()
    # The queue chart shows the recorder's series, the Gantt one bar per job submitted.
    x, y = lv.jobs.curves["queue_length"].getData()
    assert len(x) == engine.recorder.n and y.max() > 0
    bars = lv.jobs.gantt.bars()
    submitted = int((table.submit_s <= engine.time_s).sum())
    started = int((~np.isnan(table.start_s)).sum())
    assert sum(n for (_c, running), n in bars.items() if running) == started
    assert lv.jobs.gantt.order.size == submitted
    assert {color for color, _ in bars} == {TEAM_COLORS[0], TEAM_COLORS[1]}  # eval, research
    kpis = engine.kpis()
    assert f"{kpis['jobs_waiting']}</b> queued" in lv.jobs.summary.text()

    # Hovering a running bar tells which job it is, its team and its wait.
    j = int(np.flatnonzero(table.held > 0)[0])
    row = int(np.flatnonzero(lv.jobs.gantt.order == j)[0])
    t = float(table.start_s[j]) + 60.0
    qtbot.wait(50)  # let the plots take their new ranges
    scene_pos = lv.jobs.gantt_plot.vb.mapViewToScene(QPointF(t, row + 0.5))
    view_pos = lv.jobs.view.mapFromScene(scene_pos)
    pos = QPoint(view_pos.x(), view_pos.y())
    qtbot.mouseMove(lv.jobs.view.viewport(), pos)
    qtbot.waitUntil(lambda: table.ids[j] in lv.jobs.hover_text, timeout=3000)
    assert f"team {table.teams[j]}" in lv.jobs.hover_text
    assert "waited" in lv.jobs.hover_text
    # ... and what it has used so far (per-job accounting, issue 10).
    row = engine.kpis()["job_accounting"]["workloads"][j]
    assert row["id"] == table.ids[j] and row["energy_kwh"] > 0
    assert "Wh  ·  " in lv.jobs.hover_text and "GPU·h" in lv.jobs.hover_text
    # A click on it selects the racks the job holds on the canvas.
    qtbot.mouseClick(lv.jobs.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    racks = engine.job_nodes(j)
    assert racks and sorted(window.scene.selected_node_ids()) == sorted(racks)
    # Zoomed in on a few rows, the row axis names the jobs; zoomed out, it numbers rows.
    axis = lv.jobs.gantt_plot.getAxis("left")
    order = lv.jobs.gantt.order
    ((spacing, ticks),) = axis.tickValues(4.0, 0.0, 200.0)  # inverted axis: (max, min)
    assert spacing == 1.0 and ticks == [0.5, 1.5, 2.5, 3.5]
    assert axis.tickStrings(ticks[:2], 1.0, spacing) == [table.ids[order[0]], table.ids[order[1]]]
    wide = axis.tickValues(0.0, 40.0, 100.0)  # 2.5 px a row: plain row numbers
    assert wide and all(float(t).is_integer() for _spacing, values in wide for t in values)


def test_reset_clears_the_jobs_panel(window: MainWindow) -> None:
    lv: LiveView = window.live
    lv.run_headless(0.25 * DAY_S)
    assert lv.jobs.gantt.order.size > 0
    lv.controls.reset_action.trigger()
    assert lv.jobs.gantt.order.size == 0 and not lv.jobs.gantt.bars()
    assert "No run" in lv.jobs.summary.text()
