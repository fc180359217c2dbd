"""Climate and economizers in the editor, as a user sets them: the scenario dock's climate combo
(each preset's tooltip names the place and its source), an EPW file picked beside the scenario
(saved relative to it, a bad file refused under the field) and a chiller's economizer option in
the inspector. Every edit is one undo step."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from editor_support import add_node, view_point
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFileDialog, QLineEdit, QToolButton

from aifactory_twin.sim.models.weather import CLIMATES
from ui.inspector.fields import NO_CLIMATE
from ui.main_window import MainWindow


def _choose(combo: Any, text: str) -> None:
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findText(text))
    combo.activated.emit(combo.currentIndex())


def _epw(bad_at: int | None = None) -> str:
    head = ["LOCATION,Test,,,,,0,0,0,0"] + ["X"] * 7
    rows = []
    for i in range(8760):
        t = 10.0 + 10.0 * math.sin(2 * math.pi * i / 8760)
        row = f"2001,1,1,{i % 24 + 1},60,X,{t:.1f},{t - 5:.1f},70,101325,0,0,0"
        rows.append("2001,1,1,1,60,X,?,5,70,101325" if i == bad_at else row)
    return "\n".join(head + rows) + "\n"


def test_pick_a_climate_preset_then_undo(qtbot: Any, window: MainWindow) -> None:
    window.scenario_dock.raise_()
    form = window.scenario_panel.settings_form
    assert form is not None
    combo = form.rows["ambient.climate"].editor
    assert isinstance(combo, QComboBox)
    assert combo.currentText() == NO_CLIMATE  # old files: the daily sine
    i = combo.findText("stockholm_se")
    tip = combo.itemData(i, Qt.ItemDataRole.ToolTipRole)
    assert "Stockholm" in tip and "SMHI" in tip
    assert combo.count() == len(CLIMATES) + 1
    steps = window.stack.count()
    _choose(combo, "phoenix_az")
    _choose(combo, "stockholm_se")  # consecutive edits of one field: one undo step
    assert window.doc.part("settings").ambient.climate == "stockholm_se"
    assert window.stack.count() == steps + 1
    window.stack.undo()
    assert window.doc.part("settings").ambient.climate is None
    assert combo.currentText() == NO_CLIMATE
    window.stack.redo()
    assert combo.currentText() == "stockholm_se"
    _choose(combo, NO_CLIMATE)
    assert window.doc.part("settings").ambient.climate is None


def test_weather_file_is_saved_beside_the_scenario_and_checked(
    qtbot: Any, window: MainWindow, tmp_path: Path, monkeypatch: Any
) -> None:
    (tmp_path / "site.epw").write_text(_epw(), encoding="utf-8")
    (tmp_path / "bad.epw").write_text(_epw(bad_at=3), encoding="utf-8")
    window.doc.source_dir = str(tmp_path)
    form = window.scenario_panel.settings_form
    assert form is not None
    row = form.rows["ambient.weather_file"]
    browse = row.findChild(QToolButton, "browse_file")
    assert browse is not None
    picked = [str(tmp_path / "bad.epw")]
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a: (picked[0], ""))
    qtbot.mouseClick(browse, Qt.MouseButton.LeftButton)
    # Refused under the field, naming the line; the document keeps no weather file.
    assert "line 12" in row.error.text() and not row.error.isHidden()
    assert window.doc.part("settings").ambient.weather_file is None
    picked[0] = str(tmp_path / "site.epw")
    qtbot.mouseClick(browse, Qt.MouseButton.LeftButton)
    assert row.error.isHidden()
    assert window.doc.part("settings").ambient.weather_file == "site.epw"  # relative
    editor = row.editor
    assert isinstance(editor, QLineEdit)
    qtbot.waitUntil(lambda: editor.text() == "site.epw")
    window.stack.undo()
    assert window.doc.part("settings").ambient.weather_file is None


def test_economizer_is_an_option_of_a_chiller_in_the_inspector(
    qtbot: Any, window: MainWindow
) -> None:
    add_node(window, "cooling_unit", "chiller", 0, 0, cooling_type="chiller")
    window.view.fit_all()
    qtbot.mouseClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, pos=view_point(window, "chiller")
    )
    qtbot.waitUntil(lambda: window.inspector.node_ids == ["chiller"])
    combo = window.inspector.rows["economizer"].editor
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "none", "water_side", "air_side", "evaporative",
    ]  # fmt: skip
    _choose(combo, "evaporative")
    assert window.doc.node("chiller").economizer == "evaporative"  # type: ignore[attr-defined]
    window.stack.undo()
    assert window.doc.node("chiller").economizer == "none"  # type: ignore[attr-defined]
