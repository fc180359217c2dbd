"""Right-click menus on the canvas: the common editing actions, then sections other parts add.

On a node: cut, copy, paste here, duplicate, delete, select connected, align and distribute,
bring into view; right-clicking a node outside the selection selects just that node first, as
file managers do. On empty canvas: paste here, select all, fit. Other parts (the live view's
"Inject event") register a section with ``add_section``; it is called with the menu and the
node id under the pointer (or None).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from ui.arrange import ALIGNMENTS, DISTRIBUTIONS
from ui.editor_context import EditorOps
from ui.menus import add_submenu

Section = Callable[[QMenu, str | None], None]


class CanvasMenu:
    """Builds and shows the canvas context menu for one editor window."""

    def __init__(
        self,
        ops: EditorOps,
        actions: Callable[[str], QAction],
        refresh_actions: Callable[[], None],
    ) -> None:
        self.ops = ops
        self.action = actions
        self.refresh_actions = refresh_actions  # enable/disable for the selection just made
        self.sections: list[Section] = []
        self.last_menu: QMenu | None = None
        view = ops.ctx.view
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self.show_at)

    def add_section(self, section: Section) -> None:
        """Add entries after the editor's own (called every time the menu opens)."""
        self.sections.append(section)

    def build(self, pos: QPoint) -> QMenu:
        ctx = self.ops.ctx
        scene_pos = ctx.view.mapToScene(pos)
        item = ctx.scene.node_item_at(scene_pos)
        node_id = item.node_id if item is not None else None
        if item is not None and not item.isSelected():
            ctx.scene.select_nodes([item.node_id])
        self.refresh_actions()
        menu = QMenu(ctx.view)
        menu.setObjectName("canvas_menu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        paste_here = QAction("Paste &Here", menu)
        paste_here.setObjectName("action_paste_here")
        paste_here.triggered.connect(lambda: self.ops.paste(at=scene_pos))
        if node_id is not None:
            for name in ("cut", "copy"):
                menu.addAction(self.action(name))
            menu.addAction(paste_here)
            for name in ("duplicate", "delete"):
                menu.addAction(self.action(name))
            menu.addSeparator()
            menu.addAction(self.action("select_connected"))
            arrange = add_submenu(menu, "A&lign and Distribute")
            for how in ALIGNMENTS:
                arrange.addAction(self.action(f"align_{how}"))
            arrange.addSeparator()
            for axis in DISTRIBUTIONS:
                arrange.addAction(self.action(f"distribute_{axis}"))
            menu.addAction(self.action("bring_into_view"))
        else:
            menu.addAction(paste_here)
            menu.addAction(self.action("select_all"))
            menu.addAction(self.action("fit"))
        for section in self.sections:
            menu.addSeparator()
            section(menu, node_id)
        self.last_menu = menu
        return menu

    def show_at(self, pos: QPoint) -> None:
        menu = self.build(pos)
        menu.popup(self.ops.ctx.view.viewport().mapToGlobal(pos))
