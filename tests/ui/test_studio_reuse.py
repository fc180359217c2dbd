"""F5 and File › Export Report present the open studio's results instead of re-running."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QFileDialog

from aifactory_twin.resources import scenes_dir
from aifactory_twin.study import SerialRunner
from ui.compare import CompareWindow
from ui.main_window import MainWindow

SCENE = scenes_dir() / "air-vs-liquid.aift.json"


def _studios() -> list[CompareWindow]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, CompareWindow)]


def _studio_with_all_studies(window: MainWindow, qtbot: Any) -> CompareWindow:
    """Simulate › Compare Variants…, then a compare, a Monte Carlo and a sweep in the studio."""
    window.findChild(QAction, "action_compare").trigger()
    studio = _studios()[-1]
    qtbot.addWidget(studio)
    studio._runner_factory = lambda n: SerialRunner()
    studio.horizon_edit.setText("6h")
    studio.step_edit.setText("1h")
    studio.run_compare()
    qtbot.waitUntil(lambda: studio.result is not None and not studio.worker.busy, timeout=60_000)
    studio.mc_tab.runs_box.setValue(3)
    studio.mc_tab.run()
    qtbot.waitUntil(lambda: studio.mc_tab.result is not None, timeout=60_000)
    qtbot.waitUntil(lambda: not studio.worker.busy, timeout=60_000)
    studio.sweep_tab.param_box.setCurrentText("racks.count")
    studio.sweep_tab.values_edit.setText("8,16")
    studio.sweep_tab.runs_box.setValue(1)
    studio.sweep_tab.run()
    qtbot.waitUntil(lambda: studio.sweep_tab.result is not None, timeout=60_000)
    qtbot.waitUntil(lambda: not studio.worker.busy, timeout=60_000)
    return studio


def test_f5_presents_the_open_studio_with_its_monte_carlo_and_sweep(
    window: MainWindow, qtbot: Any
) -> None:
    window.load_now(str(SCENE))
    studio = _studio_with_all_studies(window, qtbot)
    compared = studio.result
    count = len(_studios())
    window.findChild(QAction, "action_presentation").trigger()
    assert len(_studios()) == count, "F5 opened a second studio"
    assert not studio.worker.busy, "F5 re-ran the compare"
    assert studio.result is compared
    deck = studio.presentation.deck
    qtbot.addWidget(studio.presentation)
    assert deck.montecarlo is studio.mc_tab.result and deck.sweep is studio.sweep_tab.result
    kinds = [s.kind for s in deck.slides()]
    assert "montecarlo" in kinds and "sweep" in kinds
    studio.presentation.close()


def test_export_report_writes_the_studies_just_run_and_names_the_file(
    window: MainWindow, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.report

    window.load_now(str(SCENE))
    window.current_path = str(SCENE)
    studio = _studio_with_all_studies(window, qtbot)
    written: list[Any] = []
    real_export = ui.report.export_report

    def spy(data: Any, path: Any, *args: Any) -> int:
        written.append(data)
        return real_export(data, path, *args)

    monkeypatch.setattr(ui.report, "export_report", spy)
    pdf = tmp_path / "board.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(pdf), ""))
    window.findChild(QAction, "action_export_report").trigger()
    # Written at once from the studio's results: no new compare in the worker.
    assert pdf.read_bytes().startswith(b"%PDF")
    assert not studio.worker.busy and len(_studios()) == 1
    data = written[-1]
    assert data.montecarlo is studio.mc_tab.result and data.sweep is studio.sweep_tab.result
    assert data.source == str(SCENE)
    assert str(pdf) in window.last_status


def test_f5_after_an_edit_compares_again(window: MainWindow, qtbot: Any) -> None:
    from aifactory_twin.commands import AddNodes, new_node

    window.load_now(str(SCENE))
    window.findChild(QAction, "action_compare").trigger()
    studio = _studios()[-1]
    qtbot.addWidget(studio)
    studio._runner_factory = lambda n: SerialRunner()
    studio.horizon_edit.setText("3h")
    studio.step_edit.setText("1h")
    studio.run_compare()
    qtbot.waitUntil(lambda: studio.result is not None and not studio.worker.busy, timeout=60_000)
    assert studio.has_current_result()
    window.push(AddNodes([new_node("storage", "extra-storage")]))
    assert not studio.has_current_result()  # the shown compare no longer matches the factory
    first = studio.result
    window.findChild(QAction, "action_presentation").trigger()
    qtbot.waitUntil(lambda: studio.result is not first, timeout=60_000)
    qtbot.waitUntil(lambda: studio.presentation is not None, timeout=10_000)
    qtbot.addWidget(studio.presentation)
    studio.presentation.close()


def test_studio_and_slides_follow_the_app_theme(window: MainWindow, qtbot: Any) -> None:
    from ui.theme import DARK, LIGHT

    window.load_now(str(SCENE))
    window.apply_theme("light")
    window.findChild(QAction, "action_compare").trigger()
    studio = _studios()[-1]
    qtbot.addWidget(studio)

    def plot_backgrounds() -> set[str]:
        views = (studio.plot, studio.sweep_tab.plot, studio.mc_tab.fans, studio.mc_tab.hist)
        return {v.backgroundBrush().color().name().upper() for v in views}

    assert plot_backgrounds() == {LIGHT.background.upper()}
    axis = studio.plots[0].getAxis("left")
    assert axis.textPen().color().name().upper() == LIGHT.foreground.upper()
    # View › Theme › Dark: the open studio follows.
    next(a for a in window.findChildren(QAction) if a.text().replace("&", "") == "Dark").trigger()
    qtbot.waitUntil(lambda: plot_backgrounds() == {DARK.background.upper()})
    assert axis.textPen().color().name().upper() == DARK.foreground.upper()
    assert window.live.charts.view.backgroundBrush().color().name().upper() == DARK.background
    # Slides opened now start dark too.
    studio._runner_factory = lambda n: SerialRunner()
    studio.horizon_edit.setText("2h")
    studio.step_edit.setText("1h")
    studio.run_then("present")
    qtbot.waitUntil(lambda: studio.presentation is not None, timeout=60_000)
    qtbot.addWidget(studio.presentation)
    assert studio.presentation.theme is DARK
    studio.presentation.close()
    window.apply_theme("light")
