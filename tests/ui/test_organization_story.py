"""Issue 14's story driven as a user: data and people change when a model trains and launches.

Open the 1k-GPU factory, add a dataset and a labeling team, point the 70B pre-training at the
dataset, watch the run wait for its data, then double the new team in a variant and compare
launch dates and cost per trained model in the compare window. (The salary cut's effect on
retention, repairs and availability is a seed-averaged property, tested in
``tests/core/test_sim_talent.py``.)
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from editor_support import add_node, choose, live_window, type_into, view_point
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication

from aifactory_twin.resources import scenes_dir
from aifactory_twin.study import SerialRunner
from ui.compare import CompareWindow
from ui.main_window import MainWindow

DAY_S = 86400.0


@pytest.fixture
def window(tmp_path: Path) -> Iterator[MainWindow]:
    with live_window(tmp_path, scenes_dir() / "training-cluster-1k.aift.json") as win:
        yield win


def _select_workload(qtbot: Any, window: MainWindow, job_id: str) -> None:
    panel = window.scenario_panel
    window.scenario_dock.raise_()
    ids = [panel.workload_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(2)]
    panel.workload_list.setCurrentRow(ids.index(job_id) if job_id in ids else 0)
    qtbot.waitUntil(lambda: panel.selected_id == job_id)


def test_a_dataset_gates_the_run_and_more_labelers_launch_it_sooner(
    window: MainWindow, qtbot: Any
) -> None:
    # A code dataset to label, and a contract labeling team beside the factory's own.
    add_node(window, "dataset", "code-corpus", 2600, 0, labels_needed=30000.0, size_tb=5.0)
    add_node(window, "staff_team", "code-labelers", 2600, 300, role="labeling", headcount=4)
    # The 70B pre-training now needs that dataset: the Scenario dock offers the dataset nodes.
    _select_workload(qtbot, window, "train-70b")
    panel = window.scenario_panel

    def dataset_choices() -> list[str]:
        box = panel.workload_form.rows["dataset_id"].editor
        return [box.itemText(i) for i in range(box.count())]

    # The open form lists the dataset added a moment ago (its combo is rebuilt).
    qtbot.waitUntil(lambda: dataset_choices() == ["", "chat-prefs", "code-corpus"])
    dataset_box = panel.workload_form.rows["dataset_id"].editor
    choose(dataset_box, "code-corpus")
    job = next(w for w in window.doc.part("workloads") if w.id == "train-70b")
    assert job.dataset_id == "code-corpus"

    # Two days live: the run has not started — its data is still being labeled.
    live = window.live
    live.run_headless(2 * DAY_S)
    engine = live.controller.engine
    assert engine is not None
    table = engine.job_table()
    row = table.ids.index("train-70b")
    assert math.isnan(table.start_s[row])
    live.run_headless(6 * DAY_S)
    table = engine.job_table()
    started_day = table.start_s[row] / DAY_S
    assert 2.0 < started_day < 6.0

    # A variant with the new team doubled, edited in the inspector after a click on the canvas.
    window.variants_panel.prompt = lambda _title, _label, _text: "more labelers"
    qtbot.mouseClick(window.variants_panel.new_button, Qt.MouseButton.LeftButton)
    assert window.variant_session.active == "more labelers"
    window.view.fit_all()
    qtbot.mouseClick(
        window.view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=view_point(window, "code-labelers"),
    )
    qtbot.waitUntil(lambda: window.inspector.node_ids == ["code-labelers"])
    type_into(qtbot, window.inspector.rows["headcount"].editor, "8")
    variant = next(v for v in window.doc.part("variants") if v.name == "more labelers")
    assert [(o.target, o.path, o.value) for o in variant.overrides] == [
        ("code-labelers", "headcount", 8)
    ]

    window.findChild(QAction, "action_compare").trigger()
    studio = next(w for w in QApplication.topLevelWidgets() if isinstance(w, CompareWindow))
    qtbot.addWidget(studio)
    studio._runner_factory = lambda n: SerialRunner()
    for i in range(studio.variant_list.count()):
        item = studio.variant_list.item(i)
        checked = item.text() in ("base", "more labelers")
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
    studio.step_edit.setText("1h")
    studio.run_compare()
    qtbot.waitUntil(lambda: studio.result is not None and not studio.worker.busy, timeout=120_000)
    result = studio.result
    assert result is not None
    rows = result.rows()
    base, more = rows["base"], rows["more labelers"]
    # Four more labelers cost their salaries: a trained model costs more, not less.
    assert more["cost_per_trained_model_usd"] > base["cost_per_trained_model_usd"]
    jobs = {name: {j["id"]: j for j in run.kpis["jobs"]} for name, run in result.runs.items()}
    # 30,000 text labels at 150/h with 10 % rework, 40 of 168 h a week: 12 labelers take
    # 77.8 h, 16 take 58.3 h — the data wait shrinks by ≈ 19.4 h (1 h steps).
    saved_h = jobs["base"]["train-70b"]["wait_h"] - jobs["more labelers"]["train-70b"]["wait_h"]
    assert 18.0 <= saved_h <= 21.0
    # Both runs launch earlier: the factory's labelers reach the chat data sooner as well.
    for job_id in ("train-70b", "sft-chat"):
        assert jobs["more labelers"][job_id]["launch_day"] < jobs["base"][job_id]["launch_day"]
