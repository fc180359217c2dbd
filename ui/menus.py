"""Small menu helpers shared by the editor and the live view."""

from __future__ import annotations

from PySide6.QtWidgets import QMenu


def add_submenu(menu: QMenu, title: str) -> QMenu:
    """A submenu parented to ``menu`` on the C++ side.

    PySide6 6.10 deletes the QMenu returned by ``QMenu.addMenu(str)`` once its Python wrapper
    is collected (measured: the submenu's actions vanish), so build it explicitly.
    """
    sub = QMenu(title, menu)
    menu.addMenu(sub)
    return sub
