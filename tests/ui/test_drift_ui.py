"""Drift monitoring in the Scenario dock and the Jobs dock, driven as a user would (issue 14).

In the 1k cluster without its 70B run, tick "Drift monitoring" on the chat fine-tune, type a
short mean time to drift, run two months: the drift is detected, a retraining job of the same
team is submitted, queues and runs, and shows in the job table, the Gantt and the event log.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from editor_support import live_window, type_into
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox

from aifactory_twin.resources import scenes_dir
from aifactory_twin.schema import TrainingJob
from ui.live.jobs_panel import MIN_BAR_PX, TEAM_COLORS
from ui.live.live_view import LiveView
from ui.main_window import MainWindow

DAY_S = 86400.0


def chat_scene(tmp_path: Path) -> Path:
    """training-cluster-1k with only its chat fine-tune, over 60 days at 1 h steps."""
    data = json.loads((scenes_dir() / "training-cluster-1k.aift.json").read_text())
    data["workloads"] = [w for w in data["workloads"] if w["id"] == "sft-chat"]
    data["variants"] = []
    data["settings"].update(horizon_s=60 * DAY_S, step_s=3600.0)
    path = tmp_path / "chat.aift.json"
    path.write_text(json.dumps(data))
    return path


def _job(window: MainWindow) -> TrainingJob:
    (job,) = window.doc.part("workloads")
    assert isinstance(job, TrainingJob)
    return job


def test_ticking_drift_monitoring_retrains_the_model_in_the_job_table(
    qtbot: Any, tmp_path: Path
) -> None:
    with live_window(tmp_path, chat_scene(tmp_path)) as window:
        _drive(qtbot, window)


def _drive(qtbot: Any, window: MainWindow) -> None:
    panel = window.scenario_panel
    panel.workload_list.setCurrentRow(0)
    qtbot.waitUntil(lambda: panel.workload_form is not None)
    form = panel.workload_form
    assert form is not None
    # The fields say what they do (tooltips from the schema).
    tip = form.rows["mean_time_to_drift_s"].editor.toolTip()
    assert "drift" in tip and "estimate" in tip
    assert "retraining job" in form.rows["drift_monitoring"].editor.toolTip()
    steps = window.stack.count()
    check = form.rows["drift_monitoring"].editor
    assert isinstance(check, QCheckBox) and not check.isChecked()
    # Click the box itself (the widget stretches across the form; the box sits at its left).
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton, pos=QPoint(8, check.height() // 2))
    assert _job(window).drift_monitoring
    type_into(qtbot, form.rows["mean_time_to_drift_s"].editor, "2 d")
    assert _job(window).mean_time_to_drift_s == 2 * DAY_S
    assert window.stack.count() == steps + 2

    lv: LiveView = window.live
    lv.run_headless(60 * DAY_S)
    engine = lv.controller.engine
    assert engine is not None
    table = engine.job_table()
    j = table.ids.index("sft-chat-retrain-1")
    # Submitted at run time, after the fine-tune's model launched and drifted; same team.
    assert table.submit_s[j] <= engine.time_s
    assert table.submit_s[j] > engine.state.lifecycle.launched_s(0)
    assert table.teams[j] == table.teams[0]
    assert not np.isnan(table.start_s[j])
    # The Gantt draws it as a row of its own; slots never submitted are not drawn.
    assert j in lv.jobs.gantt.order.tolist()
    assert lv.jobs.gantt.order.size == int(np.count_nonzero(table.submit_s <= engine.time_s))
    assert lv.jobs.gantt.order.size == int(np.count_nonzero(np.isfinite(table.submit_s)))
    assert f"of {lv.jobs.gantt.order.size} done" in lv.jobs.summary.text()
    # The row axis widens to name the retraining job (ids are long).
    qtbot.waitUntil(lambda: lv.jobs.gantt_plot.getAxis("left").width() > 96, timeout=3000)
    kinds = {g.kind for g in lv.alarms.shown_groups()}
    assert {"drift_detected", "retrain_submitted"} <= kinds
    kpis = engine.kpis()
    assert kpis["retrains_submitted"] >= 1
    assert any(row["retrain_of"] == "sft-chat" for row in kpis["jobs"] if "retrain_of" in row)
    # Undo takes the monitoring off again.
    window.stack.undo()
    window.stack.undo()
    assert not _job(window).drift_monitoring


def test_a_short_retraining_bar_is_visible_at_the_default_zoom(qtbot: Any, tmp_path: Path) -> None:
    """The 0.9 h retrain of "drift 120 d" is a few pixels wide on the 120-day Gantt, unzoomed."""
    scene = scenes_dir() / "training-cluster-1k.aift.json"
    with live_window(tmp_path, scene) as window:
        lv: LiveView = window.live
        lv.controls.variant.setCurrentIndex(lv.controls.variant.findData("drift 120 d"))
        lv.run_headless(120 * DAY_S)
        lv.jobs_dock.raise_()
        qtbot.waitUntil(lambda: lv.jobs.isVisible(), timeout=5000)
        lv.refresh_panels(force=True)
        engine = lv.controller.engine
        assert engine is not None
        table = engine.job_table()
        j = table.ids.index("sft-chat-retrain-1")
        start_s, end_s = float(table.start_s[j]), float(table.end_s[j])
        assert 0 < end_s - start_s < 2 * 3600.0
        gantt, vb = lv.jobs.gantt, lv.jobs.gantt_plot.vb
        lv.jobs.view.grab()  # the plot auto-ranges when it paints
        (lo_s, hi_s), _ = vb.viewRange()
        assert hi_s - lo_s > 100 * DAY_S  # the default zoom: the whole run
        px_s = float(vb.viewPixelSize()[0])
        assert (end_s - start_s) / px_s < 0.1  # its own width: a tenth of a pixel at most
        # The bar keeps the job's real span as data; only the drawn bar is widened.
        key, i = next(
            (k, int(np.flatnonzero(x0 == start_s)[0]))
            for k, (x0, _) in gantt.spans.items()
            if k[1] and np.any(x0 == start_s)
        )
        assert gantt.spans[key][1][i] == end_s
        item = gantt.items[key]
        assert (item.opts["x1"][i] - item.opts["x0"][i]) / px_s >= MIN_BAR_PX - 1e-6
        # And the screen shows it: the team colour fills the retrain's row from its start.
        row = int(np.flatnonzero(gantt.order == j)[0])
        at = vb.mapViewToScene(QPointF(start_s, row + 0.5))
        image = lv.jobs.view.grab().toImage()
        want = QColor(TEAM_COLORS[key[0]])
        hits = [
            dx
            for dx in range(-2, 6)
            if _near(image.pixelColor(int(at.x()) + dx, int(at.y())), want)
        ]
        assert len(hits) >= 2, hits
        # Zoomed in to a few hours, the bar is drawn at its own width again.
        vb.setXRange(start_s - 3600.0, end_s + 3600.0, padding=0)
        assert item.opts["x0"][i] == start_s and item.opts["x1"][i] == end_s


def _near(a: QColor, b: QColor) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < 30
