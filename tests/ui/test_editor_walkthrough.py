"""Frictions a first-time architect met building a factory from an empty document.

Each test drives the window as that user did (palette, canvas, inspector, keys) and pins the
expected behaviour.
"""

from __future__ import annotations

from typing import Any

from editor_support import add_node, drag, view_point
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from ui.canvas.view import PALETTE_MIME
from ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


def _click(qtbot: Any, window: MainWindow, node_id: str) -> None:
    viewport = window.view.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=view_point(window, node_id))
    qtbot.waitUntil(lambda: window.inspector.node_ids == [node_id])


def _drop(window: MainWindow, spec: str, x: float, y: float) -> str:
    """Drag ``spec`` from the palette and drop it at viewport (x, y); the new node's id."""
    mime = QMimeData()
    mime.setData(PALETTE_MIME, spec.encode())
    at = QPointF(x, y)
    none = Qt.KeyboardModifier.NoModifier
    copy, left = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton
    viewport = window.view.viewport()
    QApplication.sendEvent(viewport, QDragEnterEvent(at.toPoint(), copy, mime, left, none))
    QApplication.sendEvent(viewport, QDropEvent(at, copy, mime, left, none))
    return list(window.doc.nodes)[-1]


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


def test_palette_names_delete_duplicate_and_layout_say_what_happened(
    qtbot: Any, window: MainWindow
) -> None:
    ups, pdu = _drop(window, "kind:ups", 150, 150), _drop(window, "kind:pdu", 450, 150)
    # Acronyms keep their capitals ("Ups 1" read as a typo).
    assert [window.doc.node(n).name for n in (ups, pdu)] == ["UPS 1", "PDU 1"]
    assert window.doc.node(_drop(window, "kind:power_feed", 150, 350)).name == "Feed 1"
    drag(qtbot, window, view_point(window, ups, "port"), view_point(window, pdu))
    assert len(window.doc.edges) == 1
    _click(qtbot, window, ups)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert ups not in window.doc.nodes and not window.doc.edges
    # The edge went with the node: the status line says so, and how to get both back.
    assert window.last_status == "Deleted 1 node and 1 edge (Ctrl+Z brings them back)"
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert ups in window.doc.nodes and len(window.doc.edges) == 1
    _click(qtbot, window, pdu)
    qtbot.keyClick(window.view, Qt.Key.Key_D, CTRL)
    assert window.last_status == "Duplicated 1 node"  # not "Pasted"
    qtbot.keyClick(window.view, Qt.Key.Key_L, CTRL)
    assert window.stack.undoText() == "Auto-layout"
    assert window.last_status.startswith("Auto-layout moved ")
