"""Finding things: a node by name or id (Ctrl+F), any action by name (Ctrl+Shift+P), the minimap,
the default layout and the first-run tips."""

from __future__ import annotations

from typing import Any

from editor_support import WindowFactory, add_node
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from aifactory_twin.resources import scenes_dir
from ui.main_window import MainWindow
from ui.minimap import MINIMAP_MIN_NODES
from ui.tips import SEEN_KEY, TIPS

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def test_find_a_node_by_name_or_id_in_the_frontier_scene(qtbot: Any, window: MainWindow) -> None:
    window.load_now(str(scenes_dir() / "frontier-scale.aift.json"))
    assert len(window.doc.nodes) == 9590
    window.view.fit_all()
    target = list(window.doc.nodes.values())[7000]
    qtbot.keyClick(window.view, Qt.Key.Key_F, CTRL)
    box = window.finder.box
    assert box.hasFocus()
    qtbot.keyClicks(box, target.id)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert window.scene.selected_node_ids() == [target.id]
    item = window.scene.node_items[target.id]
    centre = window.view.mapFromScene(item.sceneBoundingRect().center())
    assert window.view.viewport().rect().contains(centre)  # brought into view
    assert window.view.scale_factor >= 0.6  # readable, not a speck in the overview
    # By (part of) a name: every match in turn, Enter again for the next.
    named = next(n for n in window.doc.nodes.values() if n.name and n.name != n.id)
    box.selectAll()
    qtbot.keyClicks(box, named.name.upper())  # any case
    qtbot.keyClick(box, Qt.Key.Key_Return)
    first = window.scene.selected_node_ids()
    assert len(first) == 1
    assert named.name.casefold() in window.doc.node(first[0]).name.casefold()
    assert "Found" in window.last_status


def test_find_says_when_nothing_matches(qtbot: Any, window: MainWindow) -> None:
    add_node(window, "pdu", "pdu", 0, 0)
    qtbot.keyClick(window.view, Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(window.finder.box, "no-such-thing")
    qtbot.keyClick(window.finder.box, Qt.Key.Key_Return)
    assert window.last_status == "No node matches “no-such-thing”"


def test_command_palette_lists_every_menu_action_and_runs_one(
    qtbot: Any, window: MainWindow
) -> None:
    add_node(window, "pdu", "a", 0, 0)
    add_node(window, "pdu", "b", 300, 100)
    window.scene.select_nodes(["a", "b"])
    qtbot.keyClick(window.view, Qt.Key.Key_P, CTRL | SHIFT)
    palette = window.finder.palette
    assert palette is not None and palette.isVisible()
    everything = palette.visible_texts()
    for text in ("Save As", "Align Left", "Find Node", "Reset Layout", "Compare Variants"):
        assert text in everything, text
    assert len(everything) > 40
    qtbot.keyClicks(palette.query, "align top")
    assert palette.visible_texts() == ["Align Top"]
    qtbot.keyClick(palette.query, Qt.Key.Key_Return)
    assert not palette.isVisible()
    assert window.doc.node("b").position.y == 0  # Align Top ran
    assert window.stack.undoText() == "Align Top"


def test_minimap_shows_on_big_factories_and_moves_the_view(qtbot: Any, window: MainWindow) -> None:
    from aifactory_twin.commands import AddNodes, new_node
    from aifactory_twin.schema import Position

    add_node(window, "pdu", "lone", 0, 0)
    window.minimap.sync()
    assert not window.minimap.isVisible()  # a small factory needs none
    nodes = [
        new_node("compute_rack", f"r{i}", position=Position(x=(i % 20) * 200, y=(i // 20) * 100))
        for i in range(MINIMAP_MIN_NODES)
    ]
    window.push(AddNodes(nodes))
    qtbot.waitUntil(window.minimap.isVisible, timeout=3000)
    window.view.resetTransform()
    window.view.centerOn(0, 0)
    target = window.scene.node_items[f"r{MINIMAP_MIN_NODES - 1}"].sceneBoundingRect().center()
    point = window.minimap.visible_rect().center()  # somewhere inside the minimap
    scale, ox, oy = window.minimap._scale()
    point.setX(target.x() * scale + ox)
    point.setY(target.y() * scale + oy)
    qtbot.mouseClick(window.minimap, Qt.MouseButton.LeftButton, pos=point.toPoint())
    centre = window.view.mapToScene(window.view.viewport().rect().center())
    assert abs(centre.x() - target.x()) < 40 and abs(centre.y() - target.y()) < 40
    window.acts["minimap"].setChecked(False)  # View › Minimap
    assert not window.minimap.isVisible()


def test_default_layout_gives_the_canvas_most_of_the_window(
    qtbot: Any, make_window: WindowFactory
) -> None:
    window = make_window()
    window.resize(1440, 900)
    window.reset_layout()
    QApplication.processEvents()
    canvas = window.view.size()
    assert canvas.width() >= 800 and canvas.height() >= 450, canvas
    # Reset Layout brings closed panels back, in place.
    window.inspector_dock.close()
    window.acts["reset_layout"].trigger()
    QApplication.processEvents()
    assert window.inspector_dock.isVisible()
    assert window.view.width() >= 800


def test_tips_show_on_first_start_and_not_once_dismissed(
    qtbot: Any, make_window: WindowFactory
) -> None:
    window = make_window(first_run=True)
    qtbot.waitUntil(window.tips.isVisible, timeout=2000)
    assert "tip 1 of" in window.tips.title.text()
    qtbot.mouseClick(window.tips.next, Qt.MouseButton.LeftButton)
    assert TIPS[1][0] in window.tips.title.text()
    assert window.view.hasFocus() or not window.tips.next.hasFocus()  # it never took the keys
    qtbot.mouseClick(window.tips.close_button, Qt.MouseButton.LeftButton)
    assert not window.tips.isVisible()
    assert window.settings.value(SEEN_KEY, type=bool)
    again = make_window(first_run=True)  # same settings file: remembered
    QApplication.processEvents()
    assert not again.tips.isVisible()
    again.acts["tips"].trigger()  # Help › Tips
    assert again.tips.isVisible()
