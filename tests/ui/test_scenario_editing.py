"""Scenario-level editing as a user does it: settings, workloads and what-if variants.

Settings and workloads are edited in the "Scenario" dock, variants in the "Variants" dock; while
a variant is active the inspector's edits become that variant's overrides and the base stays as
it was. Every edit is one undo step and bad input never reaches the document.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from editor_support import add_node, choose, type_into, view_point
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from aifactory_twin.commands import UndoStack
from aifactory_twin.document import FactoryDocument
from aifactory_twin.paths import get_path
from aifactory_twin.resources import scenes_dir
from aifactory_twin.schema import Override, Scenario, TrainingJob
from aifactory_twin.variant_session import VariantSession, set_model_path
from aifactory_twin.variants import apply_variant
from ui.main_window import MainWindow


def _select(qtbot: Any, window: MainWindow, node_id: str) -> None:
    window.view.fit_all()
    point = view_point(window, node_id)
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: window.inspector.node_ids == [node_id])


def _new_variant(qtbot: Any, window: MainWindow, name: str) -> None:
    window.variants_panel.prompt = lambda _title, _label, _text: name
    qtbot.mouseClick(window.variants_panel.new_button, Qt.MouseButton.LeftButton)


def _variant(window: MainWindow, name: str) -> Any:
    return next(v for v in window.doc.part("variants") if v.name == name)


def test_edit_the_horizon_in_the_settings_form_then_undo(qtbot: Any, window: MainWindow) -> None:
    window.scenario_dock.raise_()
    form = window.scenario_panel.settings_form
    assert form is not None
    row = form.rows["horizon_s"]
    assert row.editor.text() == "7 d"  # type: ignore[attr-defined]  # a duration, not seconds
    steps = window.stack.count()
    type_into(qtbot, row.editor, "86,400")  # bare seconds still work
    assert window.doc.part("settings").horizon_s == 86400.0
    type_into(qtbot, row.editor, "30 d")
    assert window.doc.part("settings").horizon_s == 30 * 86400.0
    assert row.editor.text() == "30 d"  # type: ignore[attr-defined]
    type_into(qtbot, form.rows["step_s"].editor, "15 min")
    assert window.doc.part("settings").step_s == 900.0
    assert form.rows["step_s"].editor.text() == "15 min"  # type: ignore[attr-defined]
    type_into(qtbot, row.editor, "2 fortnights")
    assert "not a duration" in row.error.text()
    type_into(qtbot, row.editor, "172800")
    type_into(qtbot, row.editor, "2 d")  # consecutive edits of one field: one undo step
    # Horizon edits merge; the step edit between them is its own step.
    assert window.stack.count() == steps + 3
    type_into(qtbot, row.editor, "-3")  # refused inline, the document keeps the last good value
    assert "greater than 0" in row.error.text() and not row.error.isHidden()
    assert window.doc.part("settings").horizon_s == 172800.0
    type_into(qtbot, row.editor, "172800")
    assert row.error.isHidden()
    for _ in range(3):
        window.stack.undo()
    assert window.doc.part("settings").horizon_s == 604800.0
    assert row.editor.text() == "7 d"  # type: ignore[attr-defined]
    # A nested section and a date-time field come from the schema too.
    ambient = form.rows["ambient.mean_c"]
    type_into(qtbot, ambient.editor, "31")
    assert window.doc.part("settings").ambient.mean_c == 31.0
    type_into(qtbot, form.rows["start_time"].editor, "2028-06-01 08:00")
    assert window.doc.part("settings").start_time.year == 2028


def test_add_a_training_job_edit_it_and_undo(qtbot: Any, window: MainWindow) -> None:
    add_node(window, "compute_rack", "rack-a", 0, 0)
    add_node(window, "compute_rack", "rack-b", 0, 200)
    panel = window.scenario_panel
    steps = window.stack.count()
    qtbot.mouseClick(panel.add_training_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.workload_form is not None)
    (job,) = window.doc.part("workloads")
    assert isinstance(job, TrainingJob) and job.id == "train-1"
    form = panel.workload_form
    assert form is not None and "kind" not in form.rows
    type_into(qtbot, form.rows["parameters_b"].editor, "405")
    type_into(qtbot, form.rows["tokens_t"].editor, "15")
    type_into(qtbot, form.rows["target_mfu"].editor, "1.5")  # above 1: refused inline
    assert "less than or equal to 1" in form.rows["target_mfu"].error.text()
    choose(form.rows["precision"].editor, "fp8")
    type_into(qtbot, form.rows["checkpoint.interval_s"].editor, "1800")
    placement = panel.placement_model
    assert placement is not None and placement.rowCount() == 2  # the two racks
    # What the list view does when the user ticks the second rack's box.
    placement.setData(placement.index(1), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    job = window.doc.part("workloads")[0]
    assert (job.parameters_b, job.tokens_t, job.target_mfu, job.precision) == (405, 15, 0.4, "fp8")
    assert job.checkpoint.interval_s == 1800.0 and job.placement == ["rack-b"]
    assert window.stack.count() == steps + 6  # add + five different fields
    window.stack.undo()  # placement
    assert window.doc.part("workloads")[0].placement == []
    assert placement.data(placement.index(1), Qt.ItemDataRole.CheckStateRole) == (
        Qt.CheckState.Unchecked
    )
    for _ in range(4):
        window.stack.undo()
    assert window.doc.part("workloads")[0].parameters_b == 70.0
    assert form.rows["parameters_b"].editor.text() == "70"  # type: ignore[attr-defined]
    window.stack.undo()
    assert window.doc.part("workloads") == []
    qtbot.waitUntil(lambda: panel.workload_form is None)


def test_inference_profile_edits_as_text_and_remove_undoes(qtbot: Any, window: MainWindow) -> None:
    panel = window.scenario_panel
    qtbot.mouseClick(panel.add_inference_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.workload_form is not None)
    form = panel.workload_form
    assert form is not None
    profile = form.rows["daily_profile"]
    type_into(qtbot, profile.editor, "0.5, 1")
    assert "24 hourly values" in profile.error.text()
    type_into(qtbot, profile.editor, ", ".join(["0.5"] * 12 + ["1"] * 12))
    assert window.doc.part("workloads")[0].daily_profile == [0.5] * 12 + [1.0] * 12
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert window.doc.part("workloads") == []
    window.stack.undo()
    assert window.doc.part("workloads")[0].id == "serve-1"


def test_variant_overrides_a_rack_while_the_base_stays(qtbot: Any, window: MainWindow) -> None:
    add_node(window, "compute_rack", "rack", 0, 0)
    _new_variant(qtbot, window, "liquid")
    assert window.variant_session.active == "liquid"
    assert window.variants_panel.status_label.text() == "Variant: liquid"
    assert window.live.controls.variant.currentData() == "liquid"  # the run simulates it too
    _select(qtbot, window, "rack")
    assert window.inspector.banner is not None and "liquid" in window.inspector.banner.text()
    row = window.inspector.rows["cooling"]
    choose(row.editor, "direct_liquid")
    type_into(qtbot, window.inspector.rows["liquid_heat_fraction"].editor, "0.8")
    assert _variant(window, "liquid").overrides == [
        Override(target="rack", path="cooling", value="direct_liquid"),
        Override(target="rack", path="liquid_heat_fraction", value=0.8),
    ]
    assert window.doc.node("rack").cooling == "air"  # type: ignore[attr-defined]
    assert row.overridden and row.label is not None and row.label.font().bold()
    assert row.reset_button.isVisibleTo(window.inspector)
    assert not window.inspector.rows["power_rating_kw"].overridden
    # The canvas item shows the variant's rack.
    item = window.scene.node_items["rack"]
    qtbot.waitUntil(lambda: item.node.cooling == "direct_liquid")  # type: ignore[attr-defined]
    # ↺ hands the field back to the base: its override goes, the other stays.
    qtbot.mouseClick(row.reset_button, Qt.MouseButton.LeftButton)
    assert [o.path for o in _variant(window, "liquid").overrides] == ["liquid_heat_fraction"]
    assert not row.overridden and row.editor.currentText() == "air"  # type: ignore[attr-defined]
    window.stack.undo()
    assert len(_variant(window, "liquid").overrides) == 2 and row.overridden
    # Back to the base: the base values, nothing marked.
    window.variants_panel.list.setCurrentRow(0)
    assert window.variant_session.active is None and window.inspector.banner is None
    assert window.inspector.rows["cooling"].editor.currentText() == "air"  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: item.node.cooling == "air")  # type: ignore[attr-defined]


def test_base_edits_flow_into_the_variant(qtbot: Any, window: MainWindow) -> None:
    add_node(window, "compute_rack", "rack", 0, 0)
    _new_variant(qtbot, window, "bigger")
    _select(qtbot, window, "rack")
    type_into(qtbot, window.inspector.rows["count"].editor, "8")
    # The canvas card shows the variant's count badge.
    qtbot.waitUntil(lambda: window.scene.node_items["rack"]._badge == "×8")
    window.variants_panel.list.setCurrentRow(0)  # the base
    qtbot.waitUntil(lambda: window.inspector.rows["count"].editor.text() == "1")  # type: ignore[attr-defined]
    type_into(qtbot, window.inspector.rows["power_rating_kw"].editor, "40")
    assert window.doc.node("rack").power_rating_kw == 40.0  # type: ignore[attr-defined]
    window.variants_panel.list.setCurrentRow(1)  # the variant again
    rows = window.inspector.rows
    assert rows["power_rating_kw"].editor.text() == "40"  # type: ignore[attr-defined]
    assert not rows["power_rating_kw"].overridden  # inherited from the base
    assert rows["count"].editor.text() == "8" and rows["count"].overridden  # type: ignore[attr-defined]
    shown = apply_variant(window.doc.scenario, "bigger").node_by_id()["rack"]
    assert (shown.count, shown.power_rating_kw) == (8, 40.0)  # type: ignore[attr-defined]
    # Position is layout, not a what-if: it moves the base node even in a variant.
    type_into(qtbot, rows["position.x"].editor, "100")
    assert window.doc.node("rack").position.x == 100.0


def test_settings_edit_in_a_variant_is_an_override(qtbot: Any, window: MainWindow) -> None:
    _new_variant(qtbot, window, "expensive power")
    form = window.scenario_panel.settings_form
    assert form is not None
    row = form.rows["default_price_usd_per_kwh"]
    type_into(qtbot, row.editor, "0.16")
    assert window.doc.part("settings").default_price_usd_per_kwh == 0.0806
    assert _variant(window, "expensive power").overrides == [
        Override(target="settings", path="default_price_usd_per_kwh", value=0.16)
    ]
    assert row.overridden and row.editor.text() == "0.16"  # type: ignore[attr-defined]
    qtbot.mouseClick(row.reset_button, Qt.MouseButton.LeftButton)
    assert _variant(window, "expensive power").overrides == []


def test_names_rename_duplicate_delete(qtbot: Any, window: MainWindow) -> None:
    panel = window.variants_panel
    steps = window.stack.count()
    _new_variant(qtbot, window, "bad/name")
    assert not panel.error.isHidden() and "letters, digits" in panel.error.text()
    assert window.doc.part("variants") == [] and window.stack.count() == steps
    _new_variant(qtbot, window, "a")
    _new_variant(qtbot, window, "a")
    assert "exists already" in panel.error.text()
    panel.prompt = lambda *_args: "b"
    qtbot.mouseClick(panel.rename_button, Qt.MouseButton.LeftButton)
    assert [v.name for v in window.doc.part("variants")] == ["b"]
    assert window.variant_session.active == "b"  # the active variant follows its new name
    window.stack.undo()
    assert window.variant_session.active == "a"
    panel.prompt = lambda *_args: "a copy"
    qtbot.mouseClick(panel.duplicate_button, Qt.MouseButton.LeftButton)
    assert window.variant_session.active == "a copy"
    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    assert [v.name for v in window.doc.part("variants")] == ["a"]
    assert window.variant_session.active is None
    assert [panel.list.item(i).text() for i in range(panel.list.count())] == [
        "● Base (as built)",
        "a",
    ]


def test_save_and_reopen_keeps_the_variants(
    qtbot: Any, make_window: Any, window: MainWindow, tmp_path: Path
) -> None:
    add_node(window, "compute_rack", "rack", 0, 0)
    _new_variant(qtbot, window, "liquid")
    _select(qtbot, window, "rack")
    choose(window.inspector.rows["cooling"].editor, "immersion")
    path = tmp_path / "variants.aift.json"
    assert window.save_to(str(path))
    second = make_window("recovery-2")
    second.load_now(str(path))
    assert second.doc.part("variants") == window.doc.part("variants")
    names = [second.variants_panel.list.item(i).text() for i in range(2)]
    assert names == ["● Base (as built)", "liquid"]
    second.variants_panel.list.setCurrentRow(1)
    assert second.variant_session.shown_node("rack").cooling == "immersion"  # type: ignore[attr-defined]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from(["parameters_b", "tokens_t", "target_mfu", "checkpoint.restart_s"]),
            st.floats(min_value=0.01, max_value=1.0),
        ),
        max_size=6,
    )
)
def test_override_command_makes_the_variant_show_the_edit(
    qapp: Any, edits: list[tuple[str, float]]
) -> None:
    """Property: after any edits, base + overrides == the edited object, and the base is kept."""
    base_job = TrainingJob(id="job")
    doc = FactoryDocument(Scenario(workloads=[base_job], variants=[{"name": "v"}]))  # type: ignore[list-item]
    stack = UndoStack(doc)
    context = VariantSession(doc)
    context.set_active("v")
    expected = base_job
    for path, value in edits:
        expected = set_model_path(expected, path, value)
        stack.push(context.override_command({"job": expected}, f"set {path}"))
    assert apply_variant(doc.scenario, "v").workloads[0] == expected
    assert doc.part("workloads") == [base_job]
    overrides = doc.part("variants")[0].overrides
    # Only differing fields are stored, each once.
    assert len({o.path for o in overrides}) == len(overrides)
    assert all(o.value != get_path(base_job, o.path) for o in overrides)
    while stack.undo():
        pass
    assert doc.part("variants")[0].overrides == []
    context.detach()


def test_an_override_edit_of_the_running_variant_applies_at_the_next_tick(
    qtbot: Any, window: MainWindow
) -> None:
    """Like a base edit: the live run swaps the variant's new values in before its next step."""
    window.load_now(str(scenes_dir() / "air-vs-liquid.aift.json"))
    window.variants_panel.list.setCurrentRow(2)  # "liquid"; the run toolbar follows
    assert window.variant_session.active == "liquid"
    controller = window.live.controller
    assert controller.variant == "liquid"
    controller.horizon_s = 86400.0
    for _ in range(3):
        controller.step()
    engine = controller.engine
    assert engine is not None
    before_kw = engine.recorder.series("it_power_kw")[-1]
    _select(qtbot, window, "racks")
    row = window.inspector.rows["host_overhead_w"]
    assert not row.overridden  # "liquid" keeps the as-built figure; the engine takes the fans off
    type_into(qtbot, row.editor, "12200")  # 10,200 W as built, +2 kW per rack
    assert window.inspector.rows["host_overhead_w"].overridden
    assert window.doc.node("racks").host_overhead_w == 10200.0  # type: ignore[attr-defined]
    controller.step()
    assert controller.engine is engine and not controller.stale  # same run, new parameters
    after_kw = engine.recorder.series("it_power_kw")[-1]
    racks = window.variant_session.shown_node("racks")
    # The 2 kW are as built for air; on cold plates their fans' share (8 % → 2 %) stays off.
    kept = (1 - 0.08) / (1 - 0.02)
    assert after_kw - before_kw == pytest.approx(racks.count * 2.0 * kept, rel=0.01)  # type: ignore[attr-defined]
    window.stack.setClean()
