"""What-if studio UI: the PDF report, presentation mode and the compare window."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import Qt

from aifactory_twin.io import load_scenario
from aifactory_twin.resources import scenes_dir
from aifactory_twin.study import FAN_SERIES, SerialRunner, StudyOptions, compare, monte_carlo

SCENE = scenes_dir() / "air-vs-liquid.aift.json"
OPTIONS = StudyOptions(horizon_s=12 * 3600.0, step_s=3600.0)
_PAGE_RE = re.compile(rb"/Type\s*/Page(?!s)")


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(SCENE)


@pytest.fixture(scope="module")
def compared(scenario):
    return compare(scenario, None, seed=2, options=OPTIONS)


@pytest.fixture(scope="module")
def mc(scenario):
    options = StudyOptions(12 * 3600.0, 3600.0, series=FAN_SERIES, max_points=12)
    return monte_carlo(scenario, 4, options=options)


def _page_count(path) -> int:
    return len(_PAGE_RE.findall(path.read_bytes()))


def test_pdf_report_has_every_section_page(qapp, tmp_path, scenario, compared, mc):
    from ui.report import ReportInput, export_report

    plain = tmp_path / "plain.pdf"
    pages = export_report(ReportInput(scenario, compared, "air"), plain)
    data = plain.read_bytes()
    assert data.startswith(b"%PDF")
    assert _page_count(plain) == pages
    # Title, diagram, KPI table, charts, assumptions, overrides: at least one page each.
    assert pages >= 6
    with_mc = tmp_path / "mc.pdf"
    pages_mc = export_report(ReportInput(scenario, compared, "air", mc), with_mc)
    assert _page_count(with_mc) == pages_mc
    assert pages_mc >= pages + 2  # fan charts page + percentile table


def test_report_cli_renders_the_pdf_through_the_entry_point(tmp_path):
    out = tmp_path / "report.pdf"
    cmd = [
        sys.executable,
        "-m",
        "aifactory_twin",
        "report",
        str(SCENE),
        "--variants",
        "air,liquid",
        "--horizon",
        "6h",
        "--step",
        "1h",
        "--out",
        str(out),
    ]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [*cmd, "--samples", "0"], capture_output=True, text=True, timeout=180, env=env
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF")
    # The scene declares an optimization and a 2-D sweep: the report runs them headless
    # (progress on stderr), as the studio's tabs would.
    for study in ("optimize (16 runs)", "sweep2d (20 runs)"):
        assert f"{study}: 100%" in result.stderr
    assert "uncertainty" not in result.stderr  # --samples 0
    without_uncertainty = _page_count(out)
    assert without_uncertainty >= 8  # the six sections, the Pareto front and the heat map
    # And its uncertain inputs: 4 samples × 2 variants + P10/P90 of 3 inputs + all medians.
    result = subprocess.run(
        [*cmd, "--samples", "4"], capture_output=True, text=True, timeout=300, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "uncertainty (15 runs): 100%" in result.stderr
    assert _page_count(out) == without_uncertainty + 2  # the tornado and the fans
    bad = subprocess.run(
        [*cmd[:4], str(tmp_path / "missing.aift.json"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr


def test_report_names_a_bad_declared_study_before_running(tmp_path, scenario, capsys):
    from aifactory_twin.cli import main
    from aifactory_twin.io import save_scenario
    from aifactory_twin.schema import OptimizeStudy

    bad = scenario.studies.model_copy(
        update={"optimize": OptimizeStudy(variables=["racks.count=int:4:64", "racks.cont=int:1:2"])}
    )
    path = tmp_path / "bad.aift.json"
    save_scenario(scenario.model_copy(update={"studies": bad}), path)
    out = tmp_path / "r.pdf"
    assert main(["report", str(path), "--workers", "0", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: studies.optimize.variables[1]" in err
    assert "racks.cont" in err
    assert "Traceback" not in err
    assert not out.exists()
    assert main(["report", str(SCENE), "--compare", "air", "nope", "--out", str(out)]) == 2
    assert "'nope'" in capsys.readouterr().err


def test_report_says_when_samples_have_no_uncertain_inputs(tmp_path, capsys):
    from aifactory_twin.cli import main

    out = tmp_path / "r.pdf"
    scene = str(scenes_dir() / "hybrid-burst.aift.json")
    args = ["report", scene, "--samples", "3", "--horizon", "2h", "--step", "1h", "--workers", "0"]
    assert main([*args, "--out", str(out)]) == 0
    assert "declares no uncertain inputs" in capsys.readouterr().err
    assert out.read_bytes().startswith(b"%PDF")


def test_presentation_moves_with_arrows_and_leaves_with_esc(qtbot, scenario, compared, mc):
    from ui.presentation import PresentationWindow

    window = PresentationWindow(scenario, compared, "base", mc, dark=True)
    qtbot.addWidget(window)
    window.start()
    qtbot.waitExposed(window)
    kinds = [s.kind for s in window.slides]
    assert kinds == [
        "title", "variant", "variant", "variant", "comparison", "executive", "montecarlo"
    ]  # fmt: skip
    assert window.isFullScreen()
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert window.index == 2
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert window.index == 1
    qtbot.keyClick(window, Qt.Key.Key_End)
    assert window.index == len(window.slides) - 1
    qtbot.keyClick(window, Qt.Key.Key_Right)  # stays on the last slide
    assert window.index == len(window.slides) - 1
    image = window.grab().toImage()
    pixels = np.array(
        [
            image.pixel(x, y) & 0xFFFFFF
            for x in range(0, image.width(), 7)
            for y in range(0, image.height(), 7)
        ]
    )
    assert np.unique(pixels).size > 20  # something was drawn, not a blank slide
    qtbot.keyClick(window, Qt.Key.Key_T)
    assert window.theme.background == "#FFFFFF"
    with qtbot.waitSignal(window.closed, timeout=2000):
        qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_compare_window_runs_two_variants_in_worker_processes(qtbot, scenario):
    from ui.compare import CompareWindow

    window = CompareWindow(lambda: scenario)
    qtbot.addWidget(window)
    window.horizon_edit.setText("6h")
    window.step_edit.setText("1h")
    window.variant_list.item(0).setCheckState(Qt.CheckState.Unchecked)  # base off
    assert window.chosen_variants() == ["air", "liquid"]
    window.scheduler_edit.setText("")  # the default: a spawn process pool
    shown: list[str] = []  # the status line as each run finishes (after the window's update)
    window.worker.progressed.connect(lambda _d, _t: shown.append(window.status.text()))
    window.run_compare()
    qtbot.waitUntil(lambda: window.result is not None, timeout=90_000)
    assert list(window.result.runs) == ["air", "liquid"]
    assert window.progress.value() == 2
    # Half way the user is told how far and how long is left, from the pace so far.
    assert any(re.fullmatch(r"Running compare: 1 of 2 runs, .* left", t) for t in shown), shown
    header = [  # the KPI names are the row headers; long column names wrap
        window.kpi_table.horizontalHeaderItem(c).text().replace("\n", " ")
        for c in range(window.kpi_table.columnCount())
    ]
    assert header[:4] == ["unit", "air (baseline)", "liquid", "Δ liquid"]
    assert window.kpi_table.verticalHeaderItem(0).text() == "Total cost"
    assert window.kpi_table.rowCount() > 20
    power_plot = window.plots[0]
    assert len(power_plot.listDataItems()) == 4  # facility + IT per variant
    liquid_changes = window.changes.topLevelItem(1)
    # Each override, then what the CRAHs turned CDUs bring from the catalog (price, carbon).
    rows = [
        [liquid_changes.child(i).text(c) for c in range(3)]
        for i in range(liquid_changes.childCount())
    ]
    assert len(rows) == len(scenario.variants[1].overrides) + 2
    assert ["main-cooling.capex_usd", "$50.0k", "$250k (catalog)"] in rows


def test_compare_window_cancel_stops_a_monte_carlo(qtbot, scenario):
    from ui.compare import CompareWindow

    window = CompareWindow(lambda: scenario, runner_factory=lambda n: SerialRunner())
    qtbot.addWidget(window)
    window.horizon_edit.setText("1d")
    window.step_edit.setText("30m")
    window.mc_tab.runs_box.setValue(500)
    window.mc_tab.run()
    window.worker.cancel()
    qtbot.waitUntil(lambda: not window.worker.busy, timeout=60_000)
    # The worker thread's "failed" signal is queued to this thread: wait for it to arrive.
    qtbot.waitUntil(lambda: "cancelled" in window.status.text(), timeout=10_000)
    assert window.mc_tab.result is None
    assert window.run_button.isEnabled()


def _serial_window(qtbot, scenario):
    from ui.compare import CompareWindow

    window = CompareWindow(lambda: scenario, runner_factory=lambda n: SerialRunner())
    qtbot.addWidget(window)
    window.horizon_edit.setText("6h")
    window.step_edit.setText("1h")
    return window


def test_compare_then_export_writes_the_pdf(qtbot, tmp_path, scenario):
    window = _serial_window(qtbot, scenario)
    pdf = tmp_path / "from-window.pdf"
    window.run_then(str(pdf))
    qtbot.waitUntil(lambda: pdf.exists() and "Wrote" in window.status.text(), timeout=60_000)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_sweep_and_monte_carlo_tabs_run_and_plot(qtbot, scenario):
    window = _serial_window(qtbot, scenario)
    window.sweep_tab.param_box.setCurrentText("racks.count")
    window.sweep_tab.values_edit.setText("8:16:2")
    window.sweep_tab.runs_box.setValue(2)
    window.sweep_tab.run()
    qtbot.waitUntil(lambda: window.sweep_tab.result is not None, timeout=60_000)
    assert [(v, s) for v, s, _ in window.sweep_tab.result.rows] == [
        (8, 0),
        (8, 1),
        (16, 0),
        (16, 1),
    ]
    assert window.sweep_tab.plot.getPlotItem().listDataItems()
    window.sweep_tab.param_box.setCurrentText("racks.no_such_field")
    window.sweep_tab.run()
    assert "no_such_field" in window.status.text()
    window.mc_tab.runs_box.setValue(3)
    window.mc_tab.run()
    qtbot.waitUntil(lambda: window.mc_tab.result is not None, timeout=60_000)
    assert window.mc_tab.result.seeds == [0, 1, 2]
    assert window.mc_tab.table.rowCount() > 10
    assert all(plot.listDataItems() for plot in window.mc_tab.fan_plots)


def test_main_window_entry_points_follow_the_document(qtbot, scenario):
    from aifactory_twin.document import FactoryDocument
    from ui.compare import open_compare_window

    doc = FactoryDocument(scenario)
    window = open_compare_window(doc, None, tab="montecarlo")
    qtbot.addWidget(window)
    assert window.tabs.currentIndex() == 3
    assert window.chosen_variants() == ["base", "air", "liquid"]
    assert window.scenario().model_dump() == scenario.model_dump()
    assert window.sweep_tab.param_box.findText("racks.count") >= 0


def test_simulate_menu_opens_the_studio_on_the_open_document(window, qtbot):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QApplication

    from ui.compare import CompareWindow

    action = window.findChild(QAction, "action_montecarlo")
    assert action is not None and action in window.simulate_menu.actions()
    action.trigger()
    studios = [w for w in QApplication.topLevelWidgets() if isinstance(w, CompareWindow)]
    assert studios, "Simulate › Monte Carlo… opened no studio window"
    studio = studios[-1]
    qtbot.addWidget(studio)
    assert studio.tabs.currentIndex() == 3
    assert studio.scenario().model_dump() == window.doc.scenario.model_dump()
    assert window.findChild(QAction, "action_presentation").shortcut().toString() == "F5"
    assert window.findChild(QAction, "action_export_report") is not None


def test_time_left_follows_the_pace_so_far():
    from ui.compare.compare_view import time_left_text

    assert time_left_text(60.0, 10, 30) == "about 2 min left"  # 6 s a run, 20 to go
    assert time_left_text(1.0, 10, 30) == "less than 5 s left"
    assert time_left_text(3600.0, 1, 3) == "about 2.0 h left"
