"""User-like gestures for the editor tests (fixtures live in conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QMessageBox

from aifactory_twin.commands import AddNodes, new_node
from aifactory_twin.schema import Position
from ui.main_window import MainWindow

Button = QMessageBox.StandardButton


class DialogRecorder:
    """Stands in for QMessageBox's static functions; answers are set per test."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.answers: dict[str, Any] = {
            "critical": Button.Ok,
            "warning": Button.Discard,
            "question": Button.No,
            "information": Button.Ok,
        }

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for name in ("critical", "warning", "question", "information"):
            monkeypatch.setattr(QMessageBox, name, self._fake(name))
        monkeypatch.setattr(QMessageBox, "about", self._fake("about"))

    def _fake(self, name: str) -> Any:
        def fake(_parent: Any, title: str, text: str, *_args: Any, **_kwargs: Any) -> Any:
            self.calls.append((name, title, text))
            return self.answers.get(name, Button.Ok)

        return staticmethod(fake)

    def of(self, name: str) -> list[tuple[str, str, str]]:
        return [c for c in self.calls if c[0] == name]


class WindowFactory:
    def __init__(self, qtbot: Any, tmp_path: Path) -> None:
        self.qtbot = qtbot
        self.tmp_path = tmp_path
        self.windows: list[MainWindow] = []

    def __call__(
        self, recovery: str = "recovery", first_run: bool = False, **kwargs: Any
    ) -> MainWindow:
        settings = QSettings(str(self.tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        if not first_run:  # the first-run tips card would cover part of the canvas
            settings.setValue("tips/seen", True)
        kwargs.setdefault("offer_recovery", False)
        window = MainWindow(settings=settings, recovery_dir=self.tmp_path / recovery, **kwargs)
        self.qtbot.addWidget(window)
        window.resize(1400, 900)
        window.show()
        self.qtbot.waitExposed(window)
        window.activateWindow()
        # Activation is asynchronous; shortcuts only reach the active window.
        self.qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        window.view.setFocus()
        self.windows.append(window)
        return window

    def close_all(self) -> None:
        for window in self.windows:
            window.stack.setClean()  # nothing to ask about
            window.close()


def add_node(
    window: MainWindow, kind: str, node_id: str, x: float, y: float, **fields: Any
) -> None:
    """Set up a node through the same command path the palette uses."""
    node = new_node(kind, node_id, name=node_id, position=Position(x=x, y=y), **fields)
    window.push(AddNodes([node]))


def view_point(window: MainWindow, node_id: str, where: str = "center") -> QPoint:
    """Viewport coordinates of a node's centre, or of its connect port."""
    item = window.scene.node_items[node_id]
    scene_point = item.pos() + item.port_center() if where == "port" else item.center()
    return window.view.mapFromScene(scene_point)


def drag(
    qtbot: Any,
    window: MainWindow,
    start: QPoint,
    end: QPoint,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    """Press, move in steps and release with the left button, like a hand on a mouse."""
    viewport = window.view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, modifier, start)
    steps = 6
    for i in range(1, steps + 1):
        point = start + (end - start) * i / steps
        qtbot.mouseMove(viewport, point)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, modifier, end)


def type_into(qtbot: Any, editor: Any, text: str) -> None:
    """Replace a line edit's text by typing, then Return (a form row commits)."""
    assert isinstance(editor, QLineEdit)
    editor.setFocus()
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def choose(combo: Any, text: str) -> None:
    """Pick ``text`` in a combo box as a click on the entry does (``activated`` fires)."""
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findText(text))
    combo.activated.emit(combo.currentIndex())


@contextmanager
def live_window(tmp_path: Path, scene: Path) -> Iterator[MainWindow]:
    """A shown 1400×900 editor window with ``scene`` open and its own settings; closed after.

    The document is marked clean before closing, so no Save/Discard question blocks the test.
    """
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings=settings, recovery_dir=tmp_path / "recovery", offer_recovery=False)
    win.resize(1400, 900)
    win.show()
    win.load_now(str(scene))
    try:
        yield win
    finally:
        win.stack.setClean()
        win.live.shutdown()
        win.close()
