"""Job mixes and traces in the Scenario dock, driven as a user: clicks, typing, undo, a variant.

The issue-12 story end to end: open the 1k-GPU factory, generate 200 jobs from three teams,
run a week and watch the queue; make an EASY-backfill variant and compare it with strict FCFS;
attach a public trace and replay its first day.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from editor_support import choose, live_window, type_into
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QFileDialog

from aifactory_twin.resources import scenes_dir
from aifactory_twin.schema import THREE_TEAM_MIX
from aifactory_twin.study import SerialRunner
from ui.compare import CompareWindow
from ui.main_window import MainWindow

DAY_S = 86400.0


@pytest.fixture
def window(tmp_path: Path) -> Iterator[MainWindow]:
    with live_window(tmp_path, scenes_dir() / "training-cluster-1k.aift.json") as win:
        yield win


def _click(qtbot: Any, button: Any) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_three_team_mix_in_a_few_clicks_then_undo(window: MainWindow, qtbot: Any) -> None:
    panel = window.scenario_panel
    box = panel.job_sources
    window.scenario_dock.raise_()
    steps = window.stack.count()
    _click(qtbot, box.sample_button)
    mixes = window.doc.part("job_mix")
    assert [m.team for m in mixes] == ["research", "product", "eval"]
    assert sum(m.jobs for m in mixes) == 200
    settings = window.doc.part("settings")
    # The 1k factory ran elastic (no queue): the sample switches it to strict FCFS.
    assert (settings.scheduler_policy, settings.backfill) == ("fcfs", "none")
    assert window.stack.count() == steps + 1  # one undo step
    assert box.list.count() == 3 and box.form is not None
    # The form edits the selected mix (the first added): fewer, bigger research jobs.
    type_into(qtbot, box.form.rows["jobs"].editor, "60")
    assert window.doc.part("job_mix")[0].jobs == 60
    assert box.list.item(0).text().startswith("research · 60 × 64–512 GPUs")
    type_into(qtbot, box.form.rows["accelerators_min"].editor, "1024")  # above the max: refused
    assert "exceeds accelerators_max" in box.form.rows["accelerators_min"].error.text()
    assert window.doc.part("job_mix")[0].accelerators_min == 64
    # Pick the eval mix in the list; rename its team to one already used: refused.
    box.list.setCurrentRow(2)
    type_into(qtbot, box.form.rows["team"].editor, "research")
    assert window.doc.part("job_mix")[2].team == "eval"
    _click(qtbot, box.remove_button)
    assert [m.team for m in window.doc.part("job_mix")] == ["research", "product"]
    window.stack.undo()  # remove
    window.stack.undo()  # jobs 60
    assert window.doc.part("job_mix") == list(THREE_TEAM_MIX)
    window.stack.undo()  # the sample
    assert window.doc.part("job_mix") == [] and box.list.count() == 0
    assert window.doc.part("settings").scheduler_policy == "elastic"
    window.stack.redo()
    assert box.list.count() == 3


def test_mix_a_week_live_then_easy_backfill_variant_in_the_compare_window(
    window: MainWindow, qtbot: Any
) -> None:
    panel = window.scenario_panel
    window.scenario_dock.raise_()
    # The 1k factory's own runs (the 1,024-GPU pre-training would hold every GPU, and the chat
    # fine-tune): remove them.
    panel.workload_list.setCurrentRow(0)
    qtbot.waitUntil(lambda: panel.selected_id == "train-70b")
    _click(qtbot, panel.remove_button)
    panel.workload_list.setCurrentRow(0)
    qtbot.waitUntil(lambda: panel.selected_id == "sft-chat")
    _click(qtbot, panel.remove_button)
    _click(qtbot, panel.job_sources.sample_button)
    type_into(qtbot, panel.settings_form.rows["horizon_s"].editor, "7 d")
    type_into(qtbot, panel.settings_form.rows["step_s"].editor, "10 min")

    # A week, then the Jobs dock shows the queue, the Gantt and the waits.
    lv = window.live
    lv.run_headless(7 * DAY_S)
    lv.jobs_dock.raise_()
    qtbot.waitUntil(lambda: lv.jobs.isVisible())
    engine = lv.controller.engine
    assert engine is not None and engine.time_s >= 7 * DAY_S - 1
    table = engine.job_table()
    assert len(table.ids) == 200
    assert lv.jobs.gantt.order.size == int((table.submit_s <= engine.time_s).sum())
    kpis = engine.kpis()
    assert kpis["queue_wait_mean_h"] > 1.0  # strict FCFS: a long queue
    assert "wait mean" in lv.jobs.summary.text()
    # Canvas by job: racks take their job's colour, the legend names the largest jobs.
    choose(lv.overlay_combo, "Job")
    assert lv.overlay_mode == "job" and lv.legend.entries
    assert lv.legend.entries[-1][0] == "idle"

    # A variant with EASY backfill, made in the Variants dock and edited in the settings form.
    window.variants_panel.prompt = lambda _title, _label, _text: "EASY backfill"
    _click(qtbot, window.variants_panel.new_button)
    assert window.variant_session.active == "EASY backfill"
    choose(panel.settings_form.rows["backfill"].editor, "easy")
    variant = next(v for v in window.doc.part("variants") if v.name == "EASY backfill")
    assert [(o.path, o.value) for o in variant.overrides] == [("backfill", "easy")]
    assert window.doc.part("settings").backfill == "none"  # the base stays strict

    window.findChild(QAction, "action_compare").trigger()
    studio = next(w for w in QApplication.topLevelWidgets() if isinstance(w, CompareWindow))
    qtbot.addWidget(studio)
    studio._runner_factory = lambda n: SerialRunner()
    studio.horizon_edit.setText("7d")
    studio.step_edit.setText("10m")
    studio.run_compare()
    qtbot.waitUntil(lambda: studio.result is not None and not studio.worker.busy, timeout=120_000)
    rows = studio.result.rows()
    base, easy = rows["base"], rows["EASY backfill"]
    assert easy["mean_allocation"] > base["mean_allocation"]
    assert easy["mean_utilization"] > base["mean_utilization"]
    assert easy["queue_wait_mean_h"] < base["queue_wait_mean_h"]
    table = studio.kpi_table  # KPI names are its row headers
    table_rows = {table.verticalHeaderItem(r).text() for r in range(table.rowCount())}
    assert {"Queue wait (mean)", "Queue wait (95th percentile)", "Mean allocation"} <= table_rows


HELIOS_HEADER = (
    "job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,duration,queue"
)


def _helios(path: Path, days: int = 3) -> None:
    """A small trace in the Helios cluster_log.csv format: 8 jobs a day over ``days`` days."""
    lines = [HELIOS_HEADER]
    for k in range(8 * days):
        day, slot = divmod(k, 8)
        stamp = f"2020-06-{10 + day:02d} {slot * 3:02d}:{day * 7:02d}:00"  # day 2 from 24 h 7 min
        gpus = (8, 64, 128, 256)[k % 4]
        lines.append(f"{k},u{k},vc{k % 3},{gpus},8,1,COMPLETED,{stamp},{stamp},{stamp},7200,0")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_attach_a_trace_and_replay_its_first_day(
    window: MainWindow, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The factory saved beside the trace, so the trace is referenced by a relative path.
    _helios(tmp_path / "cluster_log.csv")
    window.save_to(str(tmp_path / "factory.aift.json"))
    box = window.scenario_panel.job_sources
    monkeypatch.setattr(
        QFileDialog,
        "getOpenFileName",
        lambda *_a, **_k: (str(tmp_path / "cluster_log.csv"), ""),
    )
    _click(qtbot, box.add_trace_button)
    (trace,) = window.doc.part("job_traces")
    assert (trace.id, trace.path, trace.format) == ("trace", "cluster_log.csv", "helios")
    assert box.form is not None and "Format" in [r.label.text() for r in box.form.rows.values()]
    type_into(qtbot, box.form.rows["max_days"].editor, "1")
    assert window.doc.part("job_traces")[0].max_days == 1.0
    panel = window.scenario_panel
    for job_id in ("train-70b", "sft-chat"):  # the factory's own two training runs
        panel.workload_list.setCurrentRow(0)
        qtbot.waitUntil(lambda job_id=job_id: panel.selected_id == job_id)
        _click(qtbot, panel.remove_button)
    window.live.run_headless(DAY_S)
    engine = window.live.controller.engine
    assert engine is not None
    table = engine.job_table()
    assert len(table.ids) == 8 and all(i.startswith("trace-") for i in table.ids)
    assert set(table.teams) == {"vc0", "vc1", "vc2"}
    assert np.isfinite(table.start_s).all()
    window.stack.undo()  # the workload removals
    window.stack.undo()
    window.stack.undo()  # max days
    window.stack.undo()  # the trace
    assert window.doc.part("job_traces") == []


def test_a_generic_csv_trace_with_its_own_column_names(
    window: MainWindow, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = ["t,gpus,secs,grp"] + [f"{k * 3600},{8 * (1 + k % 4)},7200,g{k % 2}" for k in range(6)]
    (tmp_path / "jobs.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    window.save_to(str(tmp_path / "factory.aift.json"))
    box = window.scenario_panel.job_sources
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(tmp_path / "jobs.csv"), "")
    )
    _click(qtbot, box.add_trace_button)
    assert window.doc.part("job_traces")[0].format == "generic"
    steps = window.stack.count()
    # A misspelt field is refused with its name; the trace is unchanged.
    type_into(qtbot, box.columns_edit, "submit_s=t, acelerators=gpus")
    assert "'acelerators' is not one of" in box.problem.text()
    assert window.doc.part("job_traces")[0].columns == {}
    type_into(qtbot, box.columns_edit, "submit_s=t, accelerators=gpus, duration_s=secs, team=grp")
    assert window.doc.part("job_traces")[0].columns == {
        "submit_s": "t", "accelerators": "gpus", "duration_s": "secs", "team": "grp"
    }  # fmt: skip
    assert box.problem.isHidden() and window.stack.count() == steps + 1
    panel = window.scenario_panel
    for job_id in ("train-70b", "sft-chat"):  # the factory's own two training runs
        panel.workload_list.setCurrentRow(0)
        qtbot.waitUntil(lambda job_id=job_id: panel.selected_id == job_id)
        _click(qtbot, panel.remove_button)
    window.live.run_headless(DAY_S / 2)
    table = window.live.controller.engine.job_table()  # type: ignore[union-attr]
    assert list(table.accelerators) == [8.0, 16.0, 24.0, 32.0, 8.0, 16.0]
    assert set(table.teams) == {"g0", "g1"}
    window.stack.undo()  # the workload removals
    window.stack.undo()
    window.stack.undo()  # the columns
    assert window.doc.part("job_traces")[0].columns == {}
    assert box.columns_edit is not None and box.columns_edit.text() == ""
