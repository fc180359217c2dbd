"""The inspector for a selected edge, driven as a user would: click the edge, re-type it, undo."""

from __future__ import annotations

from typing import Any

import pytest
from editor_support import add_node
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox

from aifactory_twin.commands import Connect
from aifactory_twin.schema import Edge, allowed_edge_kinds
from aifactory_twin.schema import edges as schema_edges
from ui.inspector.edge_form import EdgeForm
from ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


def _connect(window: MainWindow, kind: str, source: str, target: str, edge_id: str) -> None:
    edge = Edge(id=edge_id, kind=kind, source=source, target=target)  # type: ignore[arg-type]
    window.push(Connect(window.doc, edge))


def _two_nodes(window: MainWindow, source_kind: str, target_kind: str, kind: str) -> None:
    # Side by side: the curve's midpoint is the midpoint of its ends (symmetric control points).
    add_node(window, source_kind, "src", 0, 0)
    add_node(window, target_kind, "dst", 400, 0)
    _connect(window, kind, "src", "dst", "e1")
    window.view.fit_all()


def _click_edge(qtbot: Any, window: MainWindow, edge_id: str) -> EdgeForm:
    item = window.scene.edge_items[edge_id]
    middle = (item.line_start + item.line_end) / 2
    point: QPoint = window.view.mapFromScene(middle)
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: window.inspector.edge_form is not None)
    form = window.inspector.edge_form
    assert form is not None
    return form


def _combo_kinds(combo: QComboBox) -> list[str]:
    return [str(combo.itemData(i)) for i in range(combo.count())]


def test_clicking_an_edge_shows_it_in_the_inspector(qtbot: Any, window: MainWindow) -> None:
    _two_nodes(window, "power_feed", "pdu", "power")
    form = _click_edge(qtbot, window, "e1")
    assert window.scene.selected_edge_ids() == ["e1"]
    assert form.edge.id == "e1" and form.edge.kind == "power"
    assert "src" in form.source_label.text() and "dst" in form.target_label.text()
    assert not form.swatch.pixmap().isNull()
    # Today's schema allows exactly one kind from a feed to a PDU: the selector says so.
    assert _combo_kinds(form.kind_combo) == allowed_edge_kinds("power_feed", "pdu") == ["power"]
    assert not form.kind_combo.isEnabled()


def test_clicking_an_end_selects_that_node(qtbot: Any, window: MainWindow) -> None:
    _two_nodes(window, "power_feed", "pdu", "power")
    form = _click_edge(qtbot, window, "e1")
    form.target_label.linkActivated.emit("dst")  # what a click on the link emits
    qtbot.waitUntil(lambda: window.inspector.node_ids == ["dst"])
    assert window.scene.selected_node_ids() == ["dst"]
    assert window.inspector.edge_form is None


def test_changing_the_kind_is_one_undoable_step(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The shipped schema allows one kind per ordered pair of node kinds, so to exercise the
    # selector the test allows a second one (storage → switch as data as well as network).
    table = schema_edges.ALLOWED_CONNECTIONS
    monkeypatch.setitem(table, "data", table["data"] | {("storage", "network_switch")})
    _two_nodes(window, "storage", "network_switch", "network")
    form = _click_edge(qtbot, window, "e1")
    assert _combo_kinds(form.kind_combo) == allowed_edge_kinds("storage", "network_switch")
    assert set(_combo_kinds(form.kind_combo)) == {"network", "data"}
    steps = window.stack.count()
    combo = form.kind_combo
    assert combo.isEnabled() and combo.currentData() == "network"
    combo.setFocus()
    # Pick "data" with the arrow keys, as a user would ("data" follows "network" in EDGE_KINDS).
    key = Qt.Key.Key_Down if combo.findData("data") > combo.currentIndex() else Qt.Key.Key_Up
    qtbot.keyClick(combo, key)
    assert window.doc.edge("e1").kind == "data"
    assert window.doc.edge("e1").source == "src" and window.doc.edge("e1").target == "dst"
    assert window.stack.count() == steps + 1
    # The inspector keeps showing the re-typed edge, and its new item stays selected.
    qtbot.waitUntil(
        lambda: (
            window.inspector.edge_form is not None
            and window.inspector.edge_form.edge.kind == "data"
        )
    )
    assert window.scene.selected_edge_ids() == ["e1"]
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    assert window.doc.edge("e1").kind == "network"
    qtbot.waitUntil(
        lambda: (
            window.inspector.edge_form is not None
            and window.inspector.edge_form.edge.kind == "network"
        )
    )


def test_delete_button_removes_the_edge_and_undo_brings_it_back(
    qtbot: Any, window: MainWindow
) -> None:
    _two_nodes(window, "power_feed", "pdu", "power")
    form = _click_edge(qtbot, window, "e1")
    qtbot.mouseClick(form.delete_button, Qt.MouseButton.LeftButton)
    assert not window.doc.has_edge("e1")
    qtbot.waitUntil(lambda: window.inspector.edge_form is None)
    window.stack.undo()
    assert window.doc.edge("e1").kind == "power"
