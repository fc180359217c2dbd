"""The problems list tells a user that nobody reviews their models before launch (issue 14)."""

from __future__ import annotations

from typing import Any

from editor_support import add_node
from PySide6.QtCore import Qt

from aifactory_twin.resources import scenes_dir
from ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


def _rows(window: MainWindow) -> list[str]:
    tree = window.validation.tree
    return [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]


def test_a_governance_team_clears_the_review_warning_and_undo_brings_it_back(
    qtbot: Any, window: MainWindow
) -> None:
    window.load_now(str(scenes_dir() / "air-vs-liquid.aift.json"))
    window.validation.run_check()
    assert any(
        "training runs (train-70b)" in row and "no model will launch" in row
        for row in _rows(window)
    )
    add_node(window, "staff_team", "reviewers", 0, 900, role="security_governance", headcount=3)
    window.validation.run_check()
    assert "no-governance-team" not in {f.code for f in window.validation.findings}
    qtbot.keyClick(window.view, Qt.Key.Key_Z, CTRL)
    window.validation.run_check()
    assert "no-governance-team" in {f.code for f in window.validation.findings}
