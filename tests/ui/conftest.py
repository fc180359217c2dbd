"""Fixtures for the editor tests: isolated windows, and dialogs that never block.

Every window gets its own settings file and recovery folder under tmp_path, and QMessageBox's
static functions are replaced by a recorder so no test can hang on a modal dialog.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from editor_support import DialogRecorder, WindowFactory

from ui.main_window import MainWindow


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> DialogRecorder:
    recorder = DialogRecorder()
    recorder.install(monkeypatch)
    return recorder


@pytest.fixture
def make_window(qtbot: Any, tmp_path: Path, dialogs: DialogRecorder) -> Iterator[WindowFactory]:
    factory = WindowFactory(qtbot, tmp_path)
    yield factory
    factory.close_all()


@pytest.fixture
def window(make_window: WindowFactory) -> MainWindow:
    return make_window()
