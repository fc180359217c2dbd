"""The rack's power cap in the inspector: a field with its unit and tooltip, typed and undone."""

from __future__ import annotations

from typing import Any

from editor_support import add_node, view_point
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from ui.main_window import MainWindow


def _type(qtbot: Any, editor: QLineEdit, text: str) -> None:
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def test_type_a_power_cap_then_clear_and_undo_it(qtbot: Any, window: MainWindow) -> None:
    add_node(window, "compute_rack", "rack", 0, 0)
    window.view.fit_all()
    viewport = window.view.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=view_point(window, "rack"))
    qtbot.waitUntil(lambda: window.inspector.node_ids == ["rack"])
    row = window.inspector.rows["power_limit_w"]
    assert isinstance(row.editor, QLineEdit)
    assert row.editor.text() == ""  # no cap in a new rack (and in every older file)
    assert row.spec.unit == "W"
    tip = row.editor.toolTip()
    assert "Power cap per accelerator" in tip and "Unit: W" in tip and "§1.3" in tip
    _type(qtbot, row.editor, "0")
    assert not row.error.isHidden()  # a cap must be positive
    assert window.doc.node("rack").power_limit_w is None  # type: ignore[attr-defined]
    _type(qtbot, row.editor, "350")
    assert row.error.isHidden()
    assert window.doc.node("rack").power_limit_w == 350.0  # type: ignore[attr-defined]
    assert window.stack.undoText() == "Set power limit"
    window.stack.undo()
    assert window.doc.node("rack").power_limit_w is None  # type: ignore[attr-defined]
    assert row.editor.text() == ""
    window.stack.redo()
    assert row.editor.text() == "350"
    _type(qtbot, row.editor, "")  # empty = no cap again
    assert window.doc.node("rack").power_limit_w is None  # type: ignore[attr-defined]
