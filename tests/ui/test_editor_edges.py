"""Edges as a user sees and draws them: ports, direction, selection, and the rules behind them."""

from __future__ import annotations

from typing import Any

from editor_support import add_node, drag, view_point
from PySide6.QtGui import QImage

from ui.main_window import MainWindow


def _grab(window: MainWindow) -> QImage:
    window.view.viewport().repaint()
    return window.view.viewport().grab().toImage()


def _differing_pixels(a: QImage, b: QImage) -> int:
    step = 2
    return sum(
        a.pixel(x, y) != b.pixel(x, y)
        for x in range(0, a.width(), step)
        for y in range(0, a.height(), step)
    )


def test_edge_leaves_the_output_port_and_enters_the_input_port_whatever_the_layout(
    window: MainWindow,
) -> None:
    add_node(window, "pdu", "pdu", 600, 300)  # the source sits right of and below its racks
    add_node(window, "compute_rack", "rack", 0, 0)
    window.view.connect_requested.emit("pdu", "rack")
    (edge,) = window.doc.edges.values()
    assert (edge.source, edge.target) == ("pdu", "rack")
    item = window.scene.edge_items[edge.id]
    pdu, rack = window.scene.node_items["pdu"], window.scene.node_items["rack"]
    assert item.line_start == pdu.out_anchor()  # the PDU's right-hand output port
    assert item.line_end == rack.in_anchor()  # the rack's left-hand input port


def test_a_selected_edge_is_a_thin_line_not_a_filled_wedge(qtbot: Any, window: MainWindow) -> None:
    # In a hall: its frame is painted just before the edge and leaves a brush behind.
    add_node(window, "pdu", "pdu", 400, 0, group="hall")
    add_node(window, "compute_rack", "rack", 0, 250, group="hall")  # a loop back to the left
    window.view.connect_requested.emit("pdu", "rack")
    window.view.resetTransform()
    window.view.centerOn(window.scene.content_rect().center())
    qtbot.wait(20)
    (item,) = window.scene.edge_items.values()
    for selected in (False, True):
        item.setSelected(selected)
        item.hide()
        without = _grab(window)
        item.show()
        changed = _differing_pixels(without, _grab(window))
        # A line changes a few px along the curve (sampled every 2 px in both directions); the
        # filled loop between the curve and its chord changed thousands.
        assert 0 < changed < 1500, (selected, changed)


def test_dragging_from_a_rack_to_a_pdu_connects_in_the_physical_direction(
    qtbot: Any, window: MainWindow
) -> None:
    add_node(window, "pdu", "pdu", 400, 0)
    add_node(window, "compute_rack", "rack", 0, 0)
    window.view.fit_all()
    drag(qtbot, window, view_point(window, "rack", "port"), view_point(window, "pdu"))
    (edge,) = window.doc.edges.values()
    assert (edge.kind, edge.source, edge.target) == ("power", "pdu", "rack")
    assert "other way" in window.last_status and "from pdu to rack" in window.last_status


def test_dragging_from_an_input_port_makes_the_drop_target_the_source(
    qtbot: Any, window: MainWindow
) -> None:
    add_node(window, "pdu", "pdu", 0, 0)
    add_node(window, "ups", "ups", 400, 0)
    window.view.fit_all()
    rack_in = window.scene.node_items["pdu"]
    start = window.view.mapFromScene(rack_in.in_anchor())
    drag(qtbot, window, start, view_point(window, "ups"))
    (edge,) = window.doc.edges.values()
    assert (edge.source, edge.target) == ("ups", "pdu")
    assert "other way" not in window.last_status


def test_a_rack_fed_straight_from_the_grid_is_warned_about(qtbot: Any, window: MainWindow) -> None:
    add_node(window, "power_feed", "grid", 0, 0)
    add_node(window, "compute_rack", "rack", 400, 0)
    window.view.fit_all()
    drag(qtbot, window, view_point(window, "grid", "port"), view_point(window, "rack"))
    window.validation.run_check()
    codes = {f.code: f for f in window.validation.findings}
    assert codes["rack-fed-from-feed"].ids == ("rack", "grid")
    assert window.scene.node_items["rack"].severity == "warning"


def test_validation_warns_about_an_empty_factory_and_a_factory_with_no_work(
    window: MainWindow,
) -> None:
    window.validation.run_check()
    assert [f.code for f in window.validation.findings] == ["empty-factory"]
    assert "1 warning" in window.validation.summary.text()
    add_node(window, "compute_rack", "rack", 0, 0)
    window.validation.run_check()
    assert "no-workload" in {f.code for f in window.validation.findings}
    tree = window.validation.tree
    texts = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert any("0 % utilization" in t for t in texts)
