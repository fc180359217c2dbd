"""The inspector's node form in foldable sections, with labels that are never clipped."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from aifactory_twin.document import FactoryDocument
from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scenes_dir
from ui.inspector import sections
from ui.inspector.panel import InspectorPanel


@pytest.fixture
def panel(qtbot: Any) -> InspectorPanel:
    doc = FactoryDocument(load_scenario(scenes_dir() / "air-vs-liquid.aift.json"))
    inspector = InspectorPanel(doc, lambda _command: None)
    qtbot.addWidget(inspector)
    inspector.resize(300, 1100)
    inspector.show()
    qtbot.waitExposed(inspector)
    return inspector


def _form(panel: InspectorPanel) -> Any:
    from ui.inspector.model_form import ModelForm

    return panel.findChild(ModelForm)


def test_rack_fields_sit_in_named_sections(panel: InspectorPanel) -> None:
    panel.set_selection(["racks"])
    form = _form(panel)
    titles = list(form.sections)
    assert titles[:2] == ["General", "Specification"]
    assert {"Power", "Cooling", "Thermal limits", "Reliability", "Cost", "Position"} <= set(titles)
    where = {
        path: title
        for title, box in form.sections.items()
        for path in form.rows
        if form.rows[path].parent() is box.body
    }
    assert where["count"] == "General" and where["shutdown_c"] == "Thermal limits"
    assert where["power_rating_kw"] == "Power" and where["repair_hours"] == "Reliability"
    assert where["capex_usd"] == "Cost" and where["position.x"] == "Position"


def test_folding_a_section_hides_its_rows_and_stays_folded(
    panel: InspectorPanel, qtbot: Any
) -> None:
    panel.set_selection(["racks"])
    thermal = _form(panel).sections["Thermal limits"]
    row = _form(panel).rows["shutdown_c"]
    assert row.isVisible()
    qtbot.mouseClick(thermal.header, Qt.MouseButton.LeftButton)
    assert not thermal.expanded and not row.isVisible()
    # Another node, then back: the user's fold is kept; Position starts folded.
    panel.set_selection(["main-cooling"])
    panel.set_selection(["racks"])
    QApplication.processEvents()
    form = _form(panel)
    assert not form.sections["Thermal limits"].expanded
    assert not form.rows["shutdown_c"].isVisible()
    qtbot.mouseClick(form.sections["Thermal limits"].header, Qt.MouseButton.LeftButton)
    assert form.rows["shutdown_c"].isVisible()
    sections._collapsed.discard("Thermal limits")


def test_labels_are_not_clipped_in_a_narrow_dock(panel: InspectorPanel, qtbot: Any) -> None:
    panel.resize(230, 1100)
    panel.set_selection(["racks"])
    QApplication.processEvents()
    for path, row in _form(panel).rows.items():
        label = row.label
        if label is None or not label.isVisible():
            continue
        assert label.width() >= label.sizeHint().width(), path
        # The field is not squeezed to nothing beside it either.
        assert row.width() >= 60, path
