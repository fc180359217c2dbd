"""A dataset on the canvas (issue 14): added like any node, edited in the inspector, undone."""

from __future__ import annotations

from typing import Any

from editor_support import add_node, view_point
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from ui.canvas.items import node_subtitle
from ui.main_window import MainWindow


def test_a_dataset_node_is_edited_in_the_inspector_and_undone(
    qtbot: Any, window: MainWindow
) -> None:
    add_node(window, "dataset", "prefs", 0, 0, labels_needed=1000.0)
    add_node(window, "storage", "lake", 300, 0)
    window.view.fit_all()
    qtbot.mouseClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, pos=view_point(window, "prefs")
    )
    qtbot.waitUntil(lambda: window.inspector.node_ids == ["prefs"])
    labels = window.inspector.rows["labels_needed"].editor
    assert isinstance(labels, QLineEdit)
    steps = window.stack.count()
    labels.setFocus()
    labels.selectAll()
    qtbot.keyClicks(labels, "60000")
    qtbot.keyClick(labels, Qt.Key.Key_Return)
    node = window.doc.node("prefs")
    assert node.labels_needed == 60000.0  # type: ignore[attr-defined]
    assert "60,000 labels" in node_subtitle(node)
    sensitivity = window.inspector.rows["sensitivity"].editor
    assert isinstance(sensitivity, QComboBox)
    sensitivity.setCurrentIndex(sensitivity.findText("gdpr"))
    sensitivity.activated.emit(sensitivity.currentIndex())
    assert window.doc.node("prefs").sensitivity == "gdpr"  # type: ignore[attr-defined]
    assert "GDPR" in node_subtitle(window.doc.node("prefs"))
    assert window.stack.count() == steps + 2
    window.stack.undo()
    window.stack.undo()
    assert window.doc.node("prefs").labels_needed == 1000.0  # type: ignore[attr-defined]
    assert window.doc.node("prefs").sensitivity == "internal"  # type: ignore[attr-defined]
