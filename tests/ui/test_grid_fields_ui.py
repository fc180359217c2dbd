"""The inspector shows a feed's price/carbon series with a file chooser, and the catalog value
an empty price or embodied-carbon field stands for (issue 10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from editor_support import add_node, view_point
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLineEdit, QToolButton

from ui.main_window import MainWindow


def _select(qtbot: Any, window: MainWindow, node_id: str) -> None:
    window.view.fit_all()
    point = view_point(window, node_id)
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: window.inspector.node_ids == [node_id])


def test_a_feeds_series_is_chosen_stored_beside_the_scenario_and_checked(
    qtbot: Any, window: MainWindow, tmp_path: Path, monkeypatch: Any
) -> None:
    (tmp_path / "grid.csv").write_text("hour,carbon_g_per_kwh\n0,50\n1,60\n", encoding="utf-8")
    (tmp_path / "bad.csv").write_text("hour,carbon_g_per_kwh\n0,50\n1,x\n", encoding="utf-8")
    window.doc.source_dir = str(tmp_path)
    add_node(window, "power_feed", "feed", 0, 0)
    _select(qtbot, window, "feed")
    row = window.inspector.rows["grid_series_path"]
    browse = row.findChild(QToolButton, "browse_file")
    assert browse is not None
    picked = [str(tmp_path / "bad.csv")]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a: (picked[0], ""))
    qtbot.mouseClick(browse, Qt.MouseButton.LeftButton)
    assert "line 3" in row.error.text() and not row.error.isHidden()
    assert window.doc.node("feed").grid_series_path is None  # type: ignore[attr-defined]
    picked[0] = str(tmp_path / "grid.csv")
    qtbot.mouseClick(browse, Qt.MouseButton.LeftButton)
    assert row.error.isHidden()
    assert window.doc.node("feed").grid_series_path == "grid.csv"  # type: ignore[attr-defined]
    window.stack.undo()
    assert window.doc.node("feed").grid_series_path is None  # type: ignore[attr-defined]


def test_an_empty_price_shows_the_catalog_price_of_the_type(qtbot: Any, window: MainWindow) -> None:
    add_node(window, "cooling_unit", "cool", 0, 0)
    _select(qtbot, window, "cool")
    price = window.inspector.rows["capex_usd"].editor
    carbon = window.inspector.rows["embodied_kg_co2e"].editor
    assert isinstance(price, QLineEdit) and isinstance(carbon, QLineEdit)
    assert price.text() == "" and price.placeholderText() == "catalog: $50.0k"
    assert carbon.placeholderText() == "catalog: 4,500"
    combo = window.inspector.rows["cooling_type"].editor
    combo.setCurrentText("cdu")  # type: ignore[attr-defined]
    combo.activated.emit(combo.currentIndex())  # type: ignore[attr-defined]
    qtbot.waitUntil(
        lambda: (
            window.inspector.rows["capex_usd"].editor.placeholderText()  # type: ignore[attr-defined]
            == "catalog: $250k"
        )
    )
    # A typed price is the user's own: the marker gives way to it.
    editor = window.inspector.rows["capex_usd"].editor
    assert isinstance(editor, QLineEdit)
    editor.setFocus()
    qtbot.keyClicks(editor, "70000")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert window.doc.node("cool").capex_usd == 70000.0  # type: ignore[attr-defined]
