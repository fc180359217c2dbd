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
