"""Keyboard paths a user takes in the editor: undo from a form field, select all, escape."""

from __future__ import annotations

from typing import Any

from editor_support import add_node, view_point
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from aifactory_twin.commands import AddNodes, new_node
from aifactory_twin.schema import Position
from ui.canvas.scene import OVERVIEW_MIN_NODES
from ui.canvas.view import WHEEL_PAN_PX
from ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


def _select_by_click(qtbot: Any, window: MainWindow, node_id: str) -> None:
    qtbot.mouseClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, pos=view_point(window, node_id)
    )
    qtbot.waitUntil(lambda: window.inspector.node_ids == [node_id])


def test_ctrl_z_and_ctrl_y_in_an_inspector_field_undo_the_document(
    qtbot: Any, window: MainWindow
) -> None:
    add_node(window, "compute_rack", "rack", 0, 0)
    window.view.fit_all()
    _select_by_click(qtbot, window, "rack")
    editor = window.inspector.rows["power_rating_kw"].editor
    assert isinstance(editor, QLineEdit)
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, "40")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert window.doc.node("rack").power_rating_kw == 40.0  # type: ignore[attr-defined]
    assert editor.hasFocus()
    qtbot.keyClick(editor, Qt.Key.Key_Z, CTRL)  # the cursor is still in the field
    assert window.doc.node("rack").power_rating_kw == 10.2  # type: ignore[attr-defined]
    assert editor.text() == "10.2"
    qtbot.keyClick(editor, Qt.Key.Key_Y, CTRL)
    assert window.doc.node("rack").power_rating_kw == 40.0  # type: ignore[attr-defined]
    assert editor.text() == "40"


def test_ctrl_z_while_typing_reverts_only_the_typing(qtbot: Any, window: MainWindow) -> None:
    add_node(window, "compute_rack", "rack", 0, 0)
    window.view.fit_all()
    _select_by_click(qtbot, window, "rack")
    steps = window.stack.count()
    editor = window.inspector.rows["power_rating_kw"].editor
    assert isinstance(editor, QLineEdit)
    editor.setFocus()
    editor.end(False)
    qtbot.keyClicks(editor, "5")
    assert editor.text() == "10.25"
    qtbot.keyClick(editor, Qt.Key.Key_Z, CTRL)
    assert editor.text() == "10.2"  # the field's own undo; nothing was committed
    assert window.stack.count() == steps
    assert window.doc.node("rack").power_rating_kw == 10.2  # type: ignore[attr-defined]


def _big_factory(window: MainWindow, n: int) -> None:
    nodes = [
        new_node("compute_rack", f"r{i}", position=Position(x=(i % 60) * 200, y=(i // 60) * 100))
        for i in range(n)
    ]
    window.push(AddNodes(nodes))


def test_select_all_selects_every_node_when_zoomed_out_on_a_big_factory(
    qtbot: Any, window: MainWindow
) -> None:
    _big_factory(window, OVERVIEW_MIN_NODES + 100)
    window.view.fit_all()
    assert window.scene.overview  # far out: the cards are drawn as one block each
    qtbot.keyClick(window.view, Qt.Key.Key_A, CTRL)
    assert len(window.scene.selected_node_ids()) == OVERVIEW_MIN_NODES + 100
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)  # Escape deselects
    assert window.scene.selected_node_ids() == []


def test_escape_cancels_a_connection_first_then_deselects(qtbot: Any, window: MainWindow) -> None:
    add_node(window, "pdu", "pdu", 0, 0)
    window.view.fit_all()
    window.scene.select_nodes(["pdu"])
    viewport = window.view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=view_point(window, "pdu", "port"))
    qtbot.mouseMove(viewport, view_point(window, "pdu", "port") + QPoint(80, 40))
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    assert window.scene.selected_node_ids() == ["pdu"]  # only the rubber line went
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=view_point(window, "pdu"))
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    assert window.scene.selected_node_ids() == []


def _wheel(view: Any, delta_y: int, modifiers: Qt.KeyboardModifier) -> None:
    center = QPointF(view.viewport().rect().center())
    event = QWheelEvent(
        center,
        view.viewport().mapToGlobal(center),
        QPoint(),
        QPoint(0, delta_y),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), event)


def test_shift_wheel_pans_sideways_by_a_small_step(window: MainWindow) -> None:
    add_node(window, "pdu", "pdu", 0, 0)
    add_node(window, "pdu", "far", 6000, 0)
    window.view.resetTransform()
    bar = window.view.horizontalScrollBar()
    bar.setValue((bar.minimum() + bar.maximum()) // 2)
    before, scale = bar.value(), window.view.scale_factor
    _wheel(window.view, -120, Qt.KeyboardModifier.ShiftModifier)  # one notch
    assert bar.value() - before == WHEEL_PAN_PX  # a line, not a page (pageStep is the width)
    assert bar.pageStep() > 5 * WHEEL_PAN_PX
    assert window.view.scale_factor == scale  # no zoom


def test_cut_says_cut(qtbot: Any, window: MainWindow) -> None:
    add_node(window, "pdu", "pdu", 0, 0)
    window.view.fit_all()
    window.scene.select_nodes(["pdu"])
    qtbot.keyClick(window.view, Qt.Key.Key_X, CTRL)
    assert not window.doc.nodes
    assert window.last_status == "Cut 1 node"
    assert window.stack.undoText() == "Cut 1 node"
