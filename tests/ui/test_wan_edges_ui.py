"""WAN links on the canvas, as a user draws and edits them (issue 14)."""

from __future__ import annotations

from typing import Any

from editor_support import add_node, drag, type_into, view_point
from PySide6.QtCore import Qt
from test_edge_inspector import _click_edge

from aifactory_twin.commands import Connect
from aifactory_twin.resources import scenes_dir
from aifactory_twin.schema import WanLink
from ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


def test_draw_a_wan_edge_edit_its_latency_in_the_inspector_and_undo(
    qtbot: Any, window: MainWindow
) -> None:
    add_node(window, "site", "town", 0, 0)
    add_node(window, "site", "region", 400, 0)
    window.view.fit_all()
    drag(qtbot, window, view_point(window, "town", "port"), view_point(window, "region"))
    (edge,) = window.doc.edges.values()
    assert isinstance(edge, WanLink) and (edge.source, edge.target) == ("town", "region")
    assert "with a wan edge" in window.last_status
    assert window.scene.edge_items[edge.id].label == "10 ms · 10 Gb/s"
    form = _click_edge(qtbot, window, edge.id)
    assert form.values is not None
    row = form.values.rows["latency_ms"]
    assert row.label is not None and "Round-trip time across the link" in row.label.toolTip()
    assert "shared by every service" in form.values.rows["bandwidth_gbps"].label.toolTip()  # type: ignore[union-attr]
    type_into(qtbot, row.editor, "35")
    edited = window.doc.edge(edge.id)
    assert isinstance(edited, WanLink) and edited.latency_ms == 35.0
    assert window.doc.edge_index(edge.id) == 0  # same id, same place in the file
    # The canvas label follows, and the inspector still shows the (re-selected) edge.
    qtbot.waitUntil(lambda: window.scene.edge_items[edge.id].label == "35 ms · 10 Gb/s")
    qtbot.waitUntil(lambda: window.inspector.edge_form is not None)
    # A bad value is refused under the field, naming the problem; nothing is pushed.
    form = window.inspector.edge_form
    assert form is not None and form.values is not None
    depth = window.stack.count()
    type_into(qtbot, form.values.rows["bandwidth_gbps"].editor, "0")
    assert window.stack.count() == depth
    assert form.values.rows["bandwidth_gbps"].error.isVisible()
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    back = window.doc.edge(edge.id)
    assert isinstance(back, WanLink) and back.latency_ms == 10.0
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert not window.doc.edges


def test_a_wan_edge_to_a_rack_is_refused_naming_what_is_allowed(window: MainWindow) -> None:
    add_node(window, "site", "town", 0, 0)
    add_node(window, "compute_rack", "rack", 400, 0)
    window.view.connect_requested.emit("town", "rack")
    assert not window.doc.edges
    assert "Connection refused" in window.last_status


def test_copied_sites_paste_with_their_wan_edge_and_its_values(
    qtbot: Any, window: MainWindow
) -> None:
    add_node(window, "site", "town", 0, 0)
    add_node(window, "site", "region", 400, 0)
    link = WanLink(id="wan-1", source="town", target="region", latency_ms=35.0, bandwidth_gbps=0.1)
    window.push(Connect(window.doc, link))
    window.view.fit_all()
    window.scene.select_nodes(["town", "region"])
    qtbot.keyClick(window.view, Qt.Key.Key_C, CTRL)
    qtbot.keyClick(window.view, Qt.Key.Key_V, CTRL)
    pasted = [e for e in window.doc.edges.values() if e.id != "wan-1"]
    assert len(pasted) == 1 and isinstance(pasted[0], WanLink)
    assert (pasted[0].latency_ms, pasted[0].bandwidth_gbps) == (35.0, 0.1)
    assert {pasted[0].source, pasted[0].target}.isdisjoint({"town", "region"})


def test_with_a_variant_active_the_edge_shows_and_edits_its_overrides(
    qtbot: Any, window: MainWindow
) -> None:
    window.load_now(str(scenes_dir() / "edge-inference.aift.json"))
    link = "wan-site-north--site-south"
    window.variant_session.set_active("south on a 2 Mbps backhaul")
    window.view.fit_all()
    form = _click_edge(qtbot, window, link)
    assert form.values is not None
    bandwidth = form.values.rows["bandwidth_gbps"]
    assert bandwidth.overridden  # the variant's 2 Mb/s, marked against the base 1 Gb/s
    type_into(qtbot, form.values.rows["latency_ms"].editor, "30")
    variant = window.variant_session.variant()
    assert variant is not None
    mine = {(o.path, o.value) for o in variant.overrides if o.target == link}
    assert mine == {("bandwidth_gbps", 0.002), ("latency_ms", 30.0)}
    base = window.doc.edge(link)
    assert isinstance(base, WanLink) and (base.latency_ms, base.bandwidth_gbps) == (20.0, 1.0)
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    variant = window.variant_session.variant()
    assert variant is not None
    assert {o.path for o in variant.overrides if o.target == link} == {"bandwidth_gbps"}
