"""The canvas as a user drives it: place, connect, refuse, select, move, delete, copy, undo."""

from __future__ import annotations

from typing import Any

from editor_support import WindowFactory, add_node, drag, view_point
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from aifactory_twin.resources import scenes_dir
from ui.canvas.edge_item import HUB_FANOUT
from ui.canvas.view import PALETTE_MIME
from ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


def _palette_entry_point(window: MainWindow, spec: str) -> QPoint:
    entry = window.palette_panel.entry_for(spec)
    assert entry is not None, spec
    window.palette_panel.tree.scrollToItem(entry)
    return window.palette_panel.tree.visualItemRect(entry).center()


def test_double_click_in_palette_places_a_node(qtbot: Any, window: MainWindow) -> None:
    point = _palette_entry_point(window, "kind:compute_rack")
    tree = window.palette_panel.tree.viewport()
    # QTest's double click omits the first press that a real one has; send it as a mouse does.
    qtbot.mouseClick(tree, Qt.MouseButton.LeftButton, pos=point)
    qtbot.mouseDClick(tree, Qt.MouseButton.LeftButton, pos=point)
    nodes = list(window.doc.nodes.values())
    assert [n.kind for n in nodes] == ["compute_rack"]  # type: ignore[attr-defined]
    assert window.scene.selected_node_ids() == [nodes[0].id]
    assert window.stack.count() == 1
    # The inspector follows the selection.
    qtbot.waitUntil(lambda: "power_rating_kw" in window.inspector.rows)


def test_dropping_a_preset_places_it_where_it_was_dropped(qtbot: Any, window: MainWindow) -> None:
    viewport = window.view.viewport()
    mime = QMimeData()
    mime.setData(PALETTE_MIME, b"preset:dgx_h100")
    drop_at = QPointF(300, 200)
    enter = QDragEnterEvent(
        drop_at.toPoint(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        drop_at,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, drop)
    (node,) = window.doc.nodes.values()
    assert node.accelerator == "h100_sxm"  # type: ignore[attr-defined]
    center = window.scene.node_items[node.id].center()
    dropped = window.view.mapToScene(drop_at.toPoint())
    # Centred under the cursor, up to the 20-unit grid snap.
    assert abs(center.x() - dropped.x()) <= 20 and abs(center.y() - dropped.y()) <= 20


def test_drag_from_port_connects_with_the_allowed_kind(qtbot: Any, window: MainWindow) -> None:
    add_node(window, "power_feed", "feed", 0, 0)
    add_node(window, "ups", "ups", 400, 0)
    window.view.fit_all()
    drag(qtbot, window, view_point(window, "feed", "port"), view_point(window, "ups"))
    (edge,) = window.doc.edges.values()
    assert (edge.kind, edge.source, edge.target) == ("power", "feed", "ups")
    assert "power edge" in window.last_status
    window.stack.undo()
    assert not window.doc.edges


def test_shift_drag_from_a_load_to_its_source_connects_in_flow_direction(
    qtbot: Any, window: MainWindow
) -> None:
    add_node(window, "pdu", "pdu", 0, 0)
    add_node(window, "compute_rack", "rack", 400, 0)
    window.view.fit_all()
    # Dragged from the rack to the PDU: power still flows PDU → rack.
    drag(
        qtbot,
        window,
        view_point(window, "rack"),
        view_point(window, "pdu"),
        Qt.KeyboardModifier.ShiftModifier,
    )
    (edge,) = window.doc.edges.values()
    assert (edge.kind, edge.source, edge.target) == ("power", "pdu", "rack")
    # The plain drag that followed did not move the rack.
    assert window.doc.node("rack").position.x == 400


def test_refused_connection_explains_why_in_the_status_bar(qtbot: Any, window: MainWindow) -> None:
    add_node(window, "compute_rack", "rack-a", 0, 0)
    add_node(window, "compute_rack", "rack-b", 400, 0)
    window.view.fit_all()
    before = window.stack.count()
    drag(qtbot, window, view_point(window, "rack-a", "port"), view_point(window, "rack-b"))
    assert not window.doc.edges
    assert window.stack.count() == before
    message = window.statusBar().currentMessage()
    assert message.startswith("Connection refused")
    assert "Compute rack" in message and "Network switch" in message  # says what would work


def test_delete_node_with_edges_then_undo_restores_everything(
    qtbot: Any, window: MainWindow
) -> None:
    add_node(window, "power_feed", "feed", 0, 0)
    add_node(window, "pdu", "pdu", 300, 0)
    add_node(window, "compute_rack", "rack", 600, 0)
    window.view.fit_all()
    drag(qtbot, window, view_point(window, "feed", "port"), view_point(window, "pdu"))
    drag(qtbot, window, view_point(window, "pdu", "port"), view_point(window, "rack"))
    assert len(window.doc.edges) == 2
    before = window.doc.scenario.model_dump()
    qtbot.mouseClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, pos=view_point(window, "pdu")
    )
    assert window.scene.selected_node_ids() == ["pdu"]
    pdu_item = window.scene.node_items["pdu"]
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert set(window.doc.nodes) == {"feed", "rack"}
    assert not window.doc.edges and not window.scene.edge_items
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert window.doc.scenario.model_dump() == before
    assert len(window.scene.edge_items) == 2
    # The undo put the same card back (cheaper than a new one), unselected and linked; redo and
    # undo again do the same; moving the restored PDU drags its edges along.
    assert window.scene.node_items["pdu"] is pdu_item and not pdu_item.isSelected()
    window.stack.redo()
    assert set(window.scene.node_items) == {"feed", "rack"} and not window.scene.edge_items
    window.stack.undo()
    assert window.doc.scenario.model_dump() == before and len(window.scene.edge_items) == 2
    assert window.scene.node_items["pdu"] is pdu_item
    assert {e.edge_id for e in pdu_item.edges} == set(window.doc.edges)
    feed_edge = next(e.id for e in window.doc.edges.values() if e.target == "pdu")
    end_before = window.scene.edge_items[feed_edge].line_end
    start = view_point(window, "pdu")
    drag(qtbot, window, start, start + QPoint(0, 120))
    assert window.doc.node("pdu").position.y > 0
    assert window.scene.edge_items[feed_edge].line_end.y() > end_before.y()


def test_moving_a_multi_selection_is_one_undo_step(qtbot: Any, window: MainWindow) -> None:
    add_node(window, "compute_rack", "a", 0, 0)
    add_node(window, "compute_rack", "b", 0, 200)
    add_node(window, "compute_rack", "c", 400, 100)
    window.view.fit_all()
    viewport = window.view.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=view_point(window, "a"))
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, CTRL, view_point(window, "b"))
    assert window.scene.selected_node_ids() == ["a", "b"]
    steps = window.stack.count()
    start = view_point(window, "a")
    drag(qtbot, window, start, start + QPoint(120, 60))
    a, b, c = (window.doc.node(n).position for n in "abc")
    assert a.x > 0 and a.y > 0
    assert (b.x - a.x, b.y - a.y) == (0, 200)  # moved together
    assert (c.x, c.y) == (400, 100)
    assert window.stack.count() == steps + 1
    window.stack.undo()
    assert (window.doc.node("a").position.x, window.doc.node("b").position.y) == (0, 200)


def test_copy_paste_gives_fresh_ids_and_keeps_internal_edges(
    qtbot: Any, window: MainWindow
) -> None:
    add_node(window, "pdu", "pdu-1", 0, 0)
    add_node(window, "compute_rack", "rack-1", 300, 0)
    add_node(window, "network_switch", "switch-1", 600, 0)
    window.view.fit_all()
    drag(qtbot, window, view_point(window, "pdu-1", "port"), view_point(window, "rack-1"))
    drag(qtbot, window, view_point(window, "rack-1", "port"), view_point(window, "switch-1"))
    viewport = window.view.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=view_point(window, "pdu-1"))
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, CTRL, view_point(window, "rack-1"))
    qtbot.keyClick(window.view, Qt.Key.Key_C, CTRL)
    qtbot.keyClick(window.view, Qt.Key.Key_V, CTRL)
    assert set(window.doc.nodes) == {"pdu-1", "rack-1", "switch-1", "pdu-2", "rack-2"}
    pasted = [e for e in window.doc.edges.values() if e.source == "pdu-2"]
    assert [(e.kind, e.target) for e in pasted] == [("power", "rack-2")]
    # The rack→switch edge left the copied set, so it was not pasted.
    assert len(window.doc.edges) == 3
    assert window.scene.selected_node_ids() == ["pdu-2", "rack-2"]
    # Pasted as a group (at the pointer when it is over the canvas, else beside the copies).
    x = {n: window.doc.node(n).position.x for n in ("pdu-1", "rack-1", "pdu-2", "rack-2")}
    assert x["rack-2"] - x["pdu-2"] == x["rack-1"] - x["pdu-1"]
    assert x["pdu-2"] != x["pdu-1"]
    qtbot.keyClick(window.view, Qt.Key.Key_D, CTRL)  # duplicate the pasted pair
    assert len(window.doc.nodes) == 7
    window.stack.undo()
    window.stack.undo()
    assert set(window.doc.nodes) == {"pdu-1", "rack-1", "switch-1"}


def test_auto_layout_is_one_undoable_command(qtbot: Any, window: MainWindow) -> None:
    for i, kind in enumerate(["compute_rack", "power_feed", "ups", "pdu"]):
        add_node(window, kind, f"n{i}", 0, 0)
    steps = window.stack.count()
    window.acts["auto_layout"].trigger()
    assert window.stack.count() == steps + 1
    xs = {n.kind: n.position.x for n in window.doc.nodes.values()}  # type: ignore[attr-defined]
    assert xs["power_feed"] < xs["ups"] < xs["pdu"] < xs["compute_rack"]
    window.stack.undo()
    assert all(n.position.x == 0 for n in window.doc.nodes.values())


def test_auto_layout_keeps_flows_left_to_right_across_halls(qtbot: Any, window: MainWindow) -> None:
    # llama-scale-16k keeps its hand layout (82 of 95 power edges run right to left or
    # straight down); its grid feed and UPS sit outside the four halls, the PDUs inside.
    window.load_now(str(scenes_dir() / "llama-scale-16k.aift.json"))
    before = {n.id: n.position for n in window.doc.nodes.values()}
    steps = window.stack.count()
    window.acts["auto_layout"].trigger()
    assert window.stack.count() == steps + 1
    doc = window.doc
    power = [e for e in doc.edges.values() if e.kind == "power"]
    assert any(doc.node(e.source).group != doc.node(e.target).group for e in power)
    for edge in power:  # feed → UPS → PDU → loads, whichever block each end is in
        assert doc.node(edge.source).position.x < doc.node(edge.target).position.x, edge.id
    window.stack.undo()
    assert {n.id: n.position for n in window.doc.nodes.values()} == before


def test_shipped_air_vs_liquid_is_already_auto_laid_out(qtbot: Any, window: MainWindow) -> None:
    # tools/build_scenes.py lays the one- and two-hall scenes out with the editor's own layout.
    window.load_now(str(scenes_dir() / "air-vs-liquid.aift.json"))
    steps = window.stack.count()
    window.acts["auto_layout"].trigger()
    assert window.stack.count() == steps  # nothing to move
    doc = window.doc
    for edge in (e for e in doc.edges.values() if e.kind == "power"):
        assert doc.node(edge.source).position.x < doc.node(edge.target).position.x, edge.id


def test_hub_edges_are_stubs_until_the_hub_is_selected(qtbot: Any, window: MainWindow) -> None:
    add_node(window, "network_switch", "fabric", 0, 0)
    racks = HUB_FANOUT + 2
    for i in range(racks):
        add_node(window, "compute_rack", f"r{i}", 400, i * 80)
    for i in range(racks):
        window.view.connect_requested.emit(f"r{i}", "fabric")
    items = list(window.scene.edge_items.values())
    assert len(items) == racks
    assert all(item.is_stub for item in items)
    window.scene.select_nodes(["fabric"])
    assert not any(item.is_stub for item in items)


def test_undo_everything_returns_to_an_empty_factory(qtbot: Any, window: MainWindow) -> None:
    for spec in ("kind:power_feed", "kind:ups", "kind:pdu", "kind:compute_rack"):
        window.place(spec, 0, 0)
    window.view.connect_requested.emit("feed-1", "ups-1")
    window.view.connect_requested.emit("ups-1", "pdu-1")
    window.view.connect_requested.emit("pdu-1", "rack-1")
    assert len(window.doc.edges) == 3
    assert window.isWindowModified()
    while window.stack.canUndo():
        qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert not window.doc.nodes and not window.doc.edges
    assert not window.isWindowModified()
    assert window.empty_state.isVisible()


def test_validation_findings_badge_nodes_and_focus_them(qtbot: Any, window: MainWindow) -> None:
    add_node(window, "compute_rack", "lonely", 0, 0)
    add_node(window, "power_feed", "feed", 400, 0)
    window.validation.run_check()
    codes = {f.code for f in window.validation.findings}
    assert "rack-no-power" in codes
    assert window.scene.node_items["lonely"].severity == "warning"
    assert window.scene.node_items["feed"].severity == ""
    tree = window.validation.tree
    row = next(
        tree.topLevelItem(i)
        for i in range(tree.topLevelItemCount())
        if "no power path" in tree.topLevelItem(i).text(0)
    )
    point = tree.visualItemRect(row).center()
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert window.scene.selected_node_ids() == ["lonely"]
    # Connecting the feed fixes it; the dock follows after its debounce.
    window.view.connect_requested.emit("feed", "lonely")
    qtbot.waitUntil(
        lambda: "rack-no-power" not in {f.code for f in window.validation.findings}, timeout=3000
    )


def test_window_layout_theme_and_snap_persist(qtbot: Any, make_window: WindowFactory) -> None:
    first = make_window()
    first.apply_theme("dark")
    first.acts["snap"].setChecked(False)
    first.history_dock.hide()
    first.close()
    second = make_window()
    assert second.theme_choice == "dark" and second.scene.theme.is_dark
    assert second.scene.snap_grid == 0.0
    assert second.history_dock.isHidden()
