"""Files as a user meets them: save and reopen, a corrupt file, big files, crash recovery."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from editor_support import DialogRecorder, WindowFactory, add_node
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QImage
from PySide6.QtWidgets import QFileDialog, QMessageBox

from aifactory_twin.io import save_scenario
from aifactory_twin.resources import scenes_dir
from aifactory_twin.schema import Scenario
from ui import app
from ui.autosave import orphaned_sessions
from ui.main_window import MainWindow

REPO = Path(__file__).resolve().parents[2]
STARTER = scenes_dir() / "starter-lab.aift.json"


def _small_factory(window: MainWindow) -> None:
    add_node(window, "power_feed", "feed", 0, 0)
    add_node(window, "compute_rack", "rack", 300, 0, count=4)
    window.view.connect_requested.emit("feed", "rack")


def test_save_reopen_compare(
    qtbot: Any, make_window: WindowFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = make_window()
    _small_factory(first)
    assert first.isWindowModified()
    target = tmp_path / "mine"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), ""))
    )
    qtbot.keyClick(first.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved = tmp_path / "mine.aift.json"
    assert saved.is_file()
    assert not first.isWindowModified()
    assert "mine.aift.json" in first.windowTitle()
    second = make_window()
    second.open_file(str(saved))
    qtbot.waitUntil(lambda: len(second.doc.nodes) == 2)
    assert second.doc.scenario.model_dump() == first.doc.scenario.model_dump()
    assert second.current_path == str(saved)
    assert str(saved.resolve()) in second.settings.value("recent_files")
    assert not second.isWindowModified()


def test_corrupt_file_shows_the_field_and_keeps_the_document(
    qtbot: Any, window: MainWindow, dialogs: DialogRecorder, tmp_path: Path
) -> None:
    _small_factory(window)
    before = window.doc.scenario.model_dump()
    data = json.loads(STARTER.read_text())
    data["nodes"][1]["count"] = -3
    bad = tmp_path / "bad.aift.json"
    bad.write_text(json.dumps(data))
    dialogs.answers["warning"] = QMessageBox.StandardButton.Discard  # the unsaved-changes ask
    window.open_file(str(bad))
    (call,) = dialogs.of("critical")
    assert "nodes[1].count" in call[2]
    assert window.doc.scenario.model_dump() == before
    assert window.isWindowModified()
    assert window.current_path is None


def test_large_file_opens_in_a_worker_process_without_blocking(
    qtbot: Any, window: MainWindow, dialogs: DialogRecorder, tmp_path: Path
) -> None:
    window.loader.large_file_bytes = 0  # treat every file as large
    window.open_file(str(STARTER))
    assert window.loader.busy and window.busy.isVisible()  # returned at once, still loading
    qtbot.waitUntil(lambda: not window.loader.busy, timeout=60_000)
    assert len(window.doc.nodes) == 9 and not window.busy.isVisible()
    bad = tmp_path / "bad.aift.json"
    bad.write_text('{"format": "aifactory-twin-scenario", "schema_version": 1, "nodes": [{}]}')
    window.open_file(str(bad))
    qtbot.waitUntil(lambda: not window.loader.busy, timeout=60_000)
    (call,) = dialogs.of("critical")
    assert "nodes[0]" in call[2]
    assert len(window.doc.nodes) == 9


def test_autosave_writes_recovery_and_next_start_offers_it(
    qtbot: Any, make_window: WindowFactory, dialogs: DialogRecorder, tmp_path: Path
) -> None:
    crashed = make_window(autosave_interval_ms=50)
    _small_factory(crashed)
    recovery = crashed.autosave.scenario_path
    qtbot.waitUntil(recovery.is_file, timeout=5000)
    assert len(Scenario.model_validate_json(recovery.read_text()).nodes) == 2
    # While its window lives, nobody else may take it.
    assert orphaned_sessions(tmp_path / "recovery") == []
    crashed.autosave.lock.unlock()  # the process "dies": its lock goes stale
    crashed.autosave.timer.stop()
    dialogs.answers["question"] = QMessageBox.StandardButton.Yes
    fresh = make_window(offer_recovery=True)
    qtbot.waitUntil(lambda: len(fresh.doc.nodes) == 2)
    assert dialogs.of("question")
    assert fresh.isWindowModified()  # recovered work is not saved yet
    assert fresh.current_path is None
    assert not recovery.exists()  # taken over by the new session


def test_save_removes_the_recovery_file(qtbot: Any, window: MainWindow, tmp_path: Path) -> None:
    _small_factory(window)
    assert window.autosave.snapshot()
    assert window.autosave.scenario_path.is_file()
    assert window.save_to(str(tmp_path / "saved.aift.json"))
    assert not window.autosave.scenario_path.exists()


def test_unsaved_changes_cancel_keeps_the_window_open(
    qtbot: Any, window: MainWindow, dialogs: DialogRecorder
) -> None:
    _small_factory(window)
    dialogs.answers["warning"] = QMessageBox.StandardButton.Cancel
    assert not window.close()
    assert window.isVisible()
    assert dialogs.of("warning")[0][1] == "Unsaved changes"


def test_new_from_template_then_save_asks_for_a_path(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    window.empty_state.template_buttons[0].click()  # starter-lab
    qtbot.waitUntil(lambda: len(window.doc.nodes) == 9)
    assert window.current_path is None and "template" in window.windowTitle()
    asked: list[str] = []

    def fake_save(*args: Any, **kwargs: Any) -> tuple[str, str]:
        asked.append(args[2])
        return str(tmp_path / "lab.aift.json"), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake_save))
    assert window.save()
    assert [Path(a).name for a in asked] == ["starter-lab.aift.json"]  # in the documents folder
    assert (tmp_path / "lab.aift.json").is_file()


def test_screenshot_mode_writes_a_png(tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "ui.app", str(STARTER), "--screenshot", str(out), "--size",
         "1280x800"],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)
    assert out.stat().st_size > 10_000


def test_screenshot_of_a_broken_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.aift.json"
    bad.write_text("{not json")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "ui.app", str(bad), "--screenshot", str(tmp_path / "x.png")],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "bad.aift.json" in done.stderr


def test_missing_xcb_libraries_end_in_one_line_naming_every_package(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0"}
    monkeypatch.setattr(app, "_loadable", lambda soname: soname not in gone)
    assert app.missing_xcb_packages(None, "linux", app._loadable) == [
        "libxcb-cursor0",
        "libxcb-icccm4",
        "libxcb-keysyms1",
    ]
    assert app.missing_xcb_packages("xcb", "linux", lambda _s: True) == []
    assert not app.missing_xcb_packages("offscreen", "linux", app._loadable)
    assert not app.missing_xcb_packages(None, "darwin", app._loadable)
    monkeypatch.setattr(
        app, "missing_xcb_packages", lambda env, system=None: ["libxcb-icccm4", "libxcb-keysyms1"]
    )
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    assert app.main([]) == 1
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [app.xcb_advice(["libxcb-icccm4", "libxcb-keysyms1"])]
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in err


def test_the_readme_names_every_library_the_start_up_check_looks_for() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    line = next(ln for ln in readme.splitlines() if "apt-get install" in ln and "libxcb1" in ln)
    assert set(app.XCB_PACKAGES) <= set(line.replace("`", " ").split())


def test_no_display_ends_in_one_line_of_advice_not_a_qt_dump(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    env.pop("WAYLAND_DISPLAY", None)
    done = subprocess.run(
        [sys.executable, "-m", "ui.app", str(REPO / "scenes" / "starter-lab.aift.json")],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [app.NO_DISPLAY_ADVICE]


def test_qt_platform_failure_is_turned_into_one_line(tmp_path: Path) -> None:
    # An X display that does not exist: the pre-checks pass, Qt's own abort must not show.
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "DISPLAY": ":987"}
    done = subprocess.run(
        [sys.executable, "-m", "ui.app", str(REPO / "scenes" / "starter-lab.aift.json")],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("aifactory-twin: ")
    assert "Available platform plugins" not in done.stderr


def test_recent_files_menu_lists_saved_files(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    path = tmp_path / "one.aift.json"
    save_scenario(Scenario(), path)
    window.open_file(str(path))
    window.fill_recent_menu()
    menu = window.acts.recent_menu
    assert menu is not None
    assert [a.text() for a in menu.actions()] == ["one.aift.json"]


def test_opening_another_file_frees_the_previous_run(qtbot: Any, window: MainWindow) -> None:
    """No leak across opens: the previous file's engine is collected (gc.freeze must not pin it)."""
    import gc
    import weakref

    window.load_now(str(scenes_dir() / "air-vs-liquid.aift.json"))
    controller = window.live.controller
    controller.horizon_s = 86400.0
    controller.step()
    assert controller.engine is not None
    engine = weakref.ref(controller.engine)
    window.load_now(str(scenes_dir() / "starter-lab.aift.json"))
    qtbot.wait(10)  # anything the open left for the event loop
    gc.collect()
    assert controller.engine is None and engine() is None


def test_save_as_starts_in_the_documents_folder_or_beside_the_file(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QStandardPaths
    from PySide6.QtWidgets import QFileDialog

    asked: list[str] = []

    def fake_save(_parent: object, _title: str, start: str, _filter: str) -> tuple[str, str]:
        asked.append(start)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake_save))
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    window.acts["save_as"].trigger()  # a new factory: the user's documents folder
    assert Path(asked[-1]) == Path(documents or Path.home()) / "factory.aift.json"
    folder = tmp_path / "projects"
    folder.mkdir()
    saved = folder / "lab.aift.json"
    assert window.save_to(str(saved))
    window.acts["export_graphml"].trigger()  # beside the document, not the working folder
    assert Path(asked[-1]) == folder / "lab.graphml"
    window.acts["save_as"].trigger()
    assert Path(asked[-1]) == saved


def test_a_template_is_titled_by_its_scene_name(qtbot: Any, window: MainWindow) -> None:
    from aifactory_twin.resources import scene_templates

    path = str(scene_templates()["gb200-campus"])
    window.new_from_template(path)
    qtbot.waitUntil(lambda: len(window.doc.nodes) > 0, timeout=10000)
    assert window.windowTitle().startswith("GB200 campus (template)")
    button_texts = [b.text() for b in window.empty_state.template_buttons]
    assert "GB200 campus" in button_texts and "Gb200 Campus" not in button_texts
    templates = [a.text() for a in window.menuBar().findChildren(QAction) if a.toolTip() == path]
    assert templates == ["GB200 campus"]
