"""The inspector as a user drives it: type a value, see it applied, undo it; bad input stays out."""

from __future__ import annotations

from typing import Any

from editor_support import add_node, choose, view_point
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit

from ui.inspector.fields import field_specs, parse_value
from ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


def _select(qtbot: Any, window: MainWindow, *node_ids: str) -> None:
    viewport = window.view.viewport()
    for i, node_id in enumerate(node_ids):
        modifier = CTRL if i else Qt.KeyboardModifier.NoModifier
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, modifier, view_point(window, node_id))
    qtbot.waitUntil(lambda: window.inspector.node_ids == list(node_ids))


def _type(qtbot: Any, editor: QLineEdit, text: str) -> None:
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def test_edit_a_field_then_undo(qtbot: Any, window: MainWindow) -> None:
    add_node(window, "compute_rack", "rack", 0, 0)
    window.view.fit_all()
    _select(qtbot, window, "rack")
    row = window.inspector.rows["power_rating_kw"]
    assert isinstance(row.editor, QLineEdit)
    assert row.editor.text() == "10.2"
    steps = window.stack.count()
    _type(qtbot, row.editor, "40")
    assert window.doc.node("rack").power_rating_kw == 40.0  # type: ignore[attr-defined]
    _type(qtbot, row.editor, "42.5")
    # Consecutive edits of one field are one undo step, named by the field's title.
    assert window.stack.count() == steps + 1
    assert window.stack.undoText() == "Set power rating"  # not "Set power rating kw"
    window.stack.undo()
    assert window.doc.node("rack").power_rating_kw == 10.2  # type: ignore[attr-defined]
    assert row.editor.text() == "10.2"  # the form follows the document


def test_invalid_input_is_shown_inline_and_never_reaches_the_document(
    qtbot: Any, window: MainWindow
) -> None:
    add_node(window, "compute_rack", "rack", 0, 0)
    window.view.fit_all()
    _select(qtbot, window, "rack")
    before = window.doc.node("rack")
    steps = window.stack.count()
    row = window.inspector.rows["power_rating_kw"]
    _type(qtbot, row.editor, "-5")
    assert not row.error.isHidden()
    assert row.error.text().startswith("must be greater than 0")
    _type(qtbot, row.editor, "lots")
    assert "not a number" in row.error.text()
    # The schema's cross-field rule is reported too: slowdown above shutdown.
    # A narrow inspector: the long cross-field message wraps over several lines.
    window.resizeDocks([window.inspector_dock], [300], Qt.Orientation.Horizontal)
    qtbot.wait(10)
    _type(qtbot, window.inspector.rows["slowdown_c"].editor, "99")
    error = window.inspector.rows["slowdown_c"].error
    assert "shutdown" in error.text()
    assert not error.text().startswith("Value error")  # plain words, not pydantic's
    window.inspector.form_area.ensureWidgetVisible(error)
    qtbot.waitUntil(lambda: error.height() >= error.heightForWidth(error.width()))  # not clipped
    assert window.doc.node("rack") == before
    assert window.stack.count() == steps
    _type(qtbot, row.editor, "12")  # fixing the value clears the error
    assert row.error.isHidden()
    assert window.doc.node("rack").power_rating_kw == 12.0  # type: ignore[attr-defined]


def test_multi_selection_edits_a_shared_field_on_all(qtbot: Any, window: MainWindow) -> None:
    add_node(window, "compute_rack", "a", 0, 0, count=2)
    add_node(window, "compute_rack", "b", 0, 200, count=5)
    window.view.fit_all()
    _select(qtbot, window, "a", "b")
    count = window.inspector.rows["count"].editor
    assert isinstance(count, QLineEdit)
    assert count.text() == "" and count.placeholderText() == "(mixed)"
    assert "position.x" not in window.inspector.rows  # per-node fields are hidden
    _type(qtbot, count, "16")
    assert [window.doc.node(n).count for n in "ab"] == [16, 16]
    window.stack.undo()
    assert [window.doc.node(n).count for n in "ab"] == [2, 5]


def test_choices_checkboxes_and_presets(qtbot: Any, window: MainWindow) -> None:
    add_node(window, "storage", "store", 0, 0)
    add_node(window, "compute_rack", "rack", 0, 300)
    window.view.fit_all()
    _select(qtbot, window, "store")
    combo = window.inspector.rows["storage_type"].editor
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findText("data_lake"))
    combo.activated.emit(combo.currentIndex())
    assert window.doc.node("store").storage_type == "data_lake"  # type: ignore[attr-defined]
    check = window.inspector.rows["encryption_at_rest"].editor
    assert isinstance(check, QCheckBox)
    # Click the box itself (the widget stretches across the form; the box sits at its left).
    qtbot.mouseClick(check, Qt.MouseButton.LeftButton, pos=QPoint(8, check.height() // 2))
    assert window.doc.node("store").encryption_at_rest is False  # type: ignore[attr-defined]
    _select(qtbot, window, "rack")
    presets = window.inspector.preset_combo
    assert presets is not None
    index = presets.findData("gb200_nvl72")
    presets.activated.emit(index)
    rack = window.doc.node("rack")
    assert rack.accelerator == "gb200" and rack.name == "rack"  # type: ignore[attr-defined]
    window.stack.undo()
    assert window.doc.node("rack").accelerator == "h100_sxm"  # type: ignore[attr-defined]


def test_unknown_accelerator_is_refused_inline(qtbot: Any, window: MainWindow) -> None:
    add_node(window, "compute_rack", "rack", 0, 0)
    window.view.fit_all()
    _select(qtbot, window, "rack")
    combo = window.inspector.rows["accelerator"].editor
    assert isinstance(combo, QComboBox) and combo.lineEdit() is not None
    _type(qtbot, combo.lineEdit(), "h9000")
    assert "unknown accelerator" in window.inspector.rows["accelerator"].error.text()
    assert window.doc.node("rack").accelerator == "h100_sxm"  # type: ignore[attr-defined]


def test_field_specs_follow_the_schema() -> None:
    from aifactory_twin.schema import ComputeRack

    specs = {s.path: s for s in field_specs(ComputeRack)}
    power = specs["power_rating_kw"]
    assert (power.editor, power.unit, power.minimum, power.min_exclusive) == (
        "float",
        "kW",
        0,
        True,
    )
    assert "nameplate" in power.description.lower()
    assert specs["cooling"].choices == ("air", "direct_liquid", "immersion")
    assert specs["capex_usd"].optional
    assert specs["delivery.lead_time_days"].section == "Delivery"
    assert (specs["delivery.lead_time_days"].label, specs["delivery.lead_time_days"].unit) == (
        "Lead time",
        "d",
    )
    assert specs["thermal_resistance_k_per_w"].label == "Thermal resistance"
    assert parse_value(specs["count"], "1,024") == 1024
    assert parse_value(specs["capex_usd"], "") is None


def test_apply_preset_renames_a_node_still_named_after_its_old_preset(
    qtbot: Any, window: MainWindow
) -> None:
    window.place("preset:dgx_h100", 0, 0)
    (node_id,) = window.doc.nodes
    assert window.doc.node(node_id).name == "DGX H100 (8× H100, air)"
    window.view.fit_all()
    _select(qtbot, window, node_id)
    presets = window.inspector.preset_combo
    assert presets is not None
    presets.activated.emit(presets.findData("hgx_h200"))
    node = window.doc.node(node_id)
    assert node.name == "HGX H200 (8× H200, air)"
    assert node.accelerator == "h200"  # type: ignore[attr-defined]
    window.stack.undo()
    assert window.doc.node(node_id).name == "DGX H100 (8× H100, air)"


def test_order_racks_from_a_vendor_chosen_from_the_vendor_nodes(
    qtbot: Any, window: MainWindow
) -> None:
    add_node(window, "compute_rack", "rack", 0, 0)
    add_node(window, "vendor", "oem", 400, 0)
    window.view.fit_all()
    _select(qtbot, window, "oem")
    median = window.inspector.rows["lead_time_median_days"]
    assert isinstance(median.editor, QLineEdit)
    assert "Unit: d" in median.editor.toolTip()
    _type(qtbot, median.editor, "60")
    assert window.doc.node("oem").lead_time_median_days == 60.0  # type: ignore[attr-defined]
    assert window.inspector.rows["capacity_units_per_quarter"].spec.unit == "units/quarter"
    _select(qtbot, window, "rack")
    vendor = window.inspector.rows["delivery.vendor"].editor
    assert isinstance(vendor, QComboBox)
    assert [vendor.itemText(i) for i in range(vendor.count())] == ["", "oem"]
    choose(vendor, "oem")
    assert window.doc.node("rack").delivery.vendor == "oem"  # type: ignore[attr-defined]
    window.validation.run_check()
    assert not any(f.code == "bad-vendor-order" for f in window.validation.findings)
    window.stack.undo()
    assert window.doc.node("rack").delivery.vendor == ""  # type: ignore[attr-defined]
    assert vendor.currentText() == ""  # the form follows the document
