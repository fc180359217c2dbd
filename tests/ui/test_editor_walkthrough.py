"""Frictions a first-time architect met building a factory from an empty document.

Each test drives the window as that user did (palette, canvas, inspector, keys) and pins the
expected behaviour.
"""

from __future__ import annotations

from typing import Any

from editor_support import add_node, view_point
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from ui.main_window import MainWindow


def _click(qtbot: Any, window: MainWindow, node_id: str) -> None:
    viewport = window.view.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=view_point(window, node_id))
    qtbot.waitUntil(lambda: window.inspector.node_ids == [node_id])


def test_typing_letters_outside_the_canvas_never_switches_the_tool(
    qtbot: Any, window: MainWindow
) -> None:
    add_node(window, "compute_rack", "rack-1", 0, 0)
    window.view.fit_all()
    _click(qtbot, window, "rack-1")
    connect = window.acts["connect_tool"]
    # The ID is read-only: a user who types a new id there must not toggle the Connect tool.
    id_field = window.inspector.rows["id"].editor
    assert isinstance(id_field, QLineEdit) and id_field.isReadOnly()
    assert "Name" in id_field.toolTip()  # says why it is fixed and what to change instead
    id_field.setFocus()
    qtbot.keyClicks(id_field, "rack-c")
    assert not connect.isChecked() and not window.view.connect_tool
    # Nor does type-ahead in the palette ("c" jumps to "Cooling unit").
    tree = window.palette_panel.tree
    tree.setFocus()
    qtbot.keyClicks(tree, "c")
    assert not connect.isChecked() and not window.view.connect_tool
    # On the canvas the letters are the tool shortcuts.
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_C)
    assert connect.isChecked() and window.view.connect_tool
    qtbot.keyClick(window.view, Qt.Key.Key_V)
    assert window.acts["select_tool"].isChecked() and not window.view.connect_tool


def test_a_new_training_job_asks_for_what_the_factory_has(qtbot: Any, window: MainWindow) -> None:
    for i in (1, 2):
        add_node(window, "compute_rack", f"rack-{i}", 0, 120 * i, accelerators_per_unit=8)
    window.scenario_dock.show()
    window.scenario_dock.raise_()
    qtbot.mouseClick(window.scenario_panel.add_training_button, Qt.MouseButton.LeftButton)
    (job,) = window.doc.scenario.workloads
    assert job.accelerators_requested == 16  # not the schema's 1,024
    window.validation.run_check()
    assert not [f for f in window.validation.findings if f.code == "job-exceeds-accelerators"]
    # A factory bigger than the default keeps the default.
    add_node(window, "compute_rack", "hall", 0, 600, accelerators_per_unit=8, count=500)
    qtbot.mouseClick(window.scenario_panel.add_training_button, Qt.MouseButton.LeftButton)
    assert window.doc.scenario.workloads[-1].accelerators_requested == 1024
