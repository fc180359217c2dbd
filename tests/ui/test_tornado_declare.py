"""The Tornado tab opens on the scenario's declared uncertainty settings and declares its own."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication

from aifactory_twin.resources import scenes_dir
from aifactory_twin.schema import UncertaintyStudy


def test_tornado_tab_declares_samples_and_pair_for_the_report_undoably(window, qtbot):
    from ui.compare import CompareWindow

    window.open_file(str(scenes_dir() / "air-vs-liquid.aift.json"))
    qtbot.waitUntil(lambda: len(window.doc.nodes) > 5, timeout=30_000)
    window.findChild(QAction, "action_tornado").trigger()
    studio = next(w for w in QApplication.topLevelWidgets() if isinstance(w, CompareWindow))
    qtbot.addWidget(studio)
    tab = studio.tornado_tab
    declared = window.doc.scenario.studies.uncertainty
    assert declared == UncertaintyStudy(samples=100, compare=("air", "liquid"))
    # The first look shows what the report would run (the tab's own default is 200 samples).
    assert tab.samples_box.value() == 100
    assert (tab.a_box.currentText(), tab.b_box.currentText()) == ("air", "liquid")
    others = window.doc.scenario.studies.model_copy(update={"uncertainty": None})
    tab.samples_box.setValue(40)
    tab.a_box.setCurrentText("base")
    qtbot.mouseClick(tab.declare_button, Qt.MouseButton.LeftButton)
    studies = window.doc.scenario.studies
    assert studies.uncertainty == UncertaintyStudy(samples=40, compare=("base", "liquid"))
    assert studies.model_copy(update={"uncertainty": None}) == others  # the rest kept
    assert "aifactory-twin-cli report" in studio.status.text()
    window.findChild(QAction, "action_undo").trigger()
    assert window.doc.scenario.studies.uncertainty == declared
