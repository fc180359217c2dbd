"""Arranging and the context menus, as a user does it: keys, right-click menus, undo."""

from __future__ import annotations

from typing import Any

from editor_support import add_node, view_point
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from ui.canvas.scene import GRID
from ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def _x(window: MainWindow, node_id: str) -> float:
    return window.doc.node(node_id).position.x


def _y(window: MainWindow, node_id: str) -> float:
    return window.doc.node(node_id).position.y


def _menu_action(menu: QMenu, text: str) -> QAction:
    for action in menu.actions():
        if action.text().replace("&", "") == text:
            return action
        sub = next((m for m in menu.findChildren(QMenu) if m.menuAction() is action), None)
        if sub is not None:
            try:
                return _menu_action(sub, text)
            except LookupError:
                continue
    raise LookupError(text)


def _right_click(window: MainWindow, pos: QPoint) -> QMenu:
    window.view.customContextMenuRequested.emit(pos)
    menu = window.canvas_menu.last_menu
    assert menu is not None and menu.isVisible()
    return menu


def test_arrow_keys_nudge_and_repeated_presses_are_one_undo_step(
    qtbot: Any, window: MainWindow
) -> None:
    add_node(window, "pdu", "a", 0, 0)
    add_node(window, "pdu", "b", 400, 200)
    window.view.fit_all()
    window.scene.select_nodes(["a", "b"])
    steps = window.stack.count()
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    qtbot.keyClick(window.view, Qt.Key.Key_Right)
    qtbot.keyClick(window.view, Qt.Key.Key_Down, SHIFT)  # ten grid steps
    assert (_x(window, "a"), _y(window, "a")) == (2 * GRID, 10 * GRID)
    assert (_x(window, "b"), _y(window, "b")) == (400 + 2 * GRID, 200 + 10 * GRID)
    assert window.stack.count() == steps + 1  # one undo step for the run of nudges
    assert window.stack.undoText() == "Nudge 2 nodes"
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert (_x(window, "a"), _y(window, "a")) == (0, 0)


def test_align_and_distribute_from_the_context_menu_are_undoable(
    qtbot: Any, window: MainWindow
) -> None:
    add_node(window, "pdu", "a", 0, 0)
    add_node(window, "pdu", "b", 300, 80)
    add_node(window, "pdu", "c", 500, 260)
    window.view.fit_all()
    window.ops.select_all()
    menu = _right_click(window, view_point(window, "b"))
    assert window.scene.selected_node_ids() == ["a", "b", "c"]  # b was in the selection
    _menu_action(menu, "Align Top").trigger()
    menu.close()
    assert {_y(window, n) for n in "abc"} == {0}
    menu = _right_click(window, view_point(window, "b"))
    _menu_action(menu, "Distribute Horizontally").trigger()
    menu.close()
    assert [_x(window, n) for n in "abc"] == [0, 250, 500]
    window.stack.undo()
    assert _x(window, "b") == 300
    window.stack.undo()
    assert [_y(window, n) for n in "abc"] == [0, 80, 260]


def test_align_menu_entries_follow_the_selection_size(window: MainWindow) -> None:
    add_node(window, "pdu", "a", 0, 0)
    add_node(window, "pdu", "b", 300, 80)
    window.scene.select_nodes(["a"])
    assert not window.acts["align_left"].isEnabled()
    window.scene.select_nodes(["a", "b"])
    assert window.acts["align_left"].isEnabled()
    assert not window.acts["distribute_horizontal"].isEnabled()  # needs three
    window.acts["align_right"].trigger()
    assert _x(window, "a") == 300


def test_node_menu_has_the_common_actions_and_cut_paste_here(
    qtbot: Any, window: MainWindow
) -> None:
    add_node(window, "pdu", "pdu", 0, 0)
    add_node(window, "compute_rack", "rack", 300, 0)
    window.view.connect_requested.emit("pdu", "rack")
    window.view.fit_all()
    menu = _right_click(window, view_point(window, "pdu"))
    texts = [a.text().replace("&", "") for a in menu.actions() if a.text()]
    for expected in (
        "Cut",
        "Copy",
        "Paste Here",
        "Duplicate",
        "Delete",
        "Select Connected",
        "Align and Distribute",
        "Bring Selection into View",
        "Inject event",
    ):
        assert expected in texts, (expected, texts)
    assert window.scene.selected_node_ids() == ["pdu"]  # right-click selected it
    _menu_action(menu, "Select Connected").trigger()
    menu.close()
    assert window.scene.selected_node_ids() == ["pdu", "rack"]
    window.scene.select_nodes(["rack"])
    menu = _right_click(window, view_point(window, "rack"))
    _menu_action(menu, "Copy").trigger()
    menu.close()
    empty = window.view.mapFromScene(window.scene.node_items["rack"].pos()) + QPoint(0, 200)
    menu = _right_click(window, empty)
    texts = [a.text().replace("&", "") for a in menu.actions() if a.text()]
    assert {"Paste Here", "Select All", "Fit to View", "Inject event"} <= set(texts)
    _menu_action(menu, "Paste Here").trigger()
    menu.close()
    (pasted,) = window.scene.selected_node_ids()
    where = window.view.mapToScene(empty)
    assert abs(_x(window, pasted) - where.x()) < 1 and abs(_y(window, pasted) - where.y()) < 1
    assert window.last_status == "Pasted 1 node"


def test_ctrl_v_pastes_where_the_mouse_points(qtbot: Any, window: MainWindow) -> None:
    add_node(window, "pdu", "pdu", 0, 0)
    window.view.fit_all()
    window.scene.select_nodes(["pdu"])
    qtbot.keyClick(window.view, Qt.Key.Key_C, CTRL)
    point = view_point(window, "pdu") + QPoint(60, 140)
    qtbot.mouseMove(window.view.viewport(), point)
    qtbot.waitUntil(window.view.viewport().underMouse, timeout=2000)
    qtbot.keyClick(window.view, Qt.Key.Key_V, CTRL)
    (pasted,) = window.scene.selected_node_ids()
    where = window.view.mapToScene(point)
    assert abs(_x(window, pasted) - where.x()) < 1 and abs(_y(window, pasted) - where.y()) < 1
