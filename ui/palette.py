"""The palette: every node kind and every catalog preset, searchable, draggable onto the canvas.

Entries carry a spec string, ``kind:<node kind>`` or ``preset:<preset id>``; dragging puts it in
the palette MIME type and double-clicking asks the window to place it at the view's centre.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import (
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from aifactory_twin.catalog import NODE_PRESETS
from aifactory_twin.kinds import kind_info, kind_label
from aifactory_twin.schema import NODE_CLASSES, NODE_KINDS
from ui.canvas.view import PALETTE_MIME
from ui.resources import kind_icon

SPEC_ROLE = Qt.ItemDataRole.UserRole + 1


def kind_description(kind: str) -> str:
    doc = NODE_CLASSES[kind].__doc__ or ""
    return " ".join(doc.split())


class PaletteTree(QTreeWidget):
    """A tree that starts a palette drag carrying the item's spec."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setDragEnabled(True)
        self.setRootIsDecorated(True)
        self.setIndentation(14)
        self.setUniformRowHeights(True)
        self.setAnimated(True)

    def startDrag(self, supportedActions: Qt.DropAction) -> None:  # noqa: N803 (Qt name)
        item = self.currentItem()
        spec = item.data(0, SPEC_ROLE) if item is not None else None
        if not spec:
            return
        mime = QMimeData()
        mime.setData(PALETTE_MIME, spec.encode("utf-8"))
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.setPixmap(item.icon(0).pixmap(32, 32))
        drag.exec(Qt.DropAction.CopyAction)


class PalettePanel(QWidget):
    """Search box over the kinds and presets."""

    place_requested = Signal(str)  # spec

    def sizeHint(self) -> QSize:
        return QSize(260, 600)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search kinds and presets…")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip("Filter the palette by name, kind or description")
        self.tree = PaletteTree(self)
        self.tree.setToolTip("Drag onto the canvas, or double-click to place at the centre")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self._populate()
        self.search.textChanged.connect(self._on_search_changed)
        self.tree.itemDoubleClicked.connect(self._on_item_double_clicked)

    def _populate(self) -> None:
        kinds_root = QTreeWidgetItem(self.tree, ["Node kinds"])
        presets_by_kind: dict[str, list[str]] = {}
        for preset in NODE_PRESETS.values():
            presets_by_kind.setdefault(preset.kind, []).append(preset.id)
        for kind in NODE_KINDS:
            info = kind_info(kind)
            entry = QTreeWidgetItem(kinds_root, [info.label])
            entry.setIcon(0, kind_icon(kind))
            entry.setData(0, SPEC_ROLE, f"kind:{kind}")
            entry.setToolTip(0, f"{info.label} ({info.layer}): {kind_description(kind)}")
        presets_root = QTreeWidgetItem(self.tree, ["Catalog presets"])
        for kind in NODE_KINDS:
            for preset_id in presets_by_kind.get(kind, []):
                preset = NODE_PRESETS[preset_id]
                entry = QTreeWidgetItem(presets_root, [preset.label])
                entry.setIcon(0, kind_icon(kind))
                entry.setData(0, SPEC_ROLE, f"preset:{preset_id}")
                entry.setToolTip(
                    0, f"<b>{preset.label}</b> ({kind_label(kind)})<br>{preset.description}"
                )
        for root in (kinds_root, presets_root):
            root.setFlags(root.flags() & ~Qt.ItemFlag.ItemIsDragEnabled)
            root.setExpanded(True)

    def roots(self) -> list[QTreeWidgetItem]:
        """The top-level groups of the tree."""
        tops = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [root for root in tops if root is not None]

    def entries(self) -> list[QTreeWidgetItem]:
        out: list[QTreeWidgetItem] = []
        for root in self.roots():
            out += [c for c in (root.child(j) for j in range(root.childCount())) if c is not None]
        return out

    def entry_for(self, spec: str) -> QTreeWidgetItem | None:
        for entry in self.entries():
            if entry.data(0, SPEC_ROLE) == spec:
                return entry
        return None

    def _on_search_changed(self, text: str) -> None:
        needle = text.strip().lower()
        for root in self.roots():
            visible = 0
            for j in range(root.childCount()):
                entry = root.child(j)
                if entry is None:
                    continue
                haystack = f"{entry.text(0)} {entry.data(0, SPEC_ROLE)} {entry.toolTip(0)}"
                hide = bool(needle) and needle not in haystack.lower()
                entry.setHidden(hide)
                visible += not hide
            root.setHidden(visible == 0)

    def _on_item_double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        spec = item.data(0, SPEC_ROLE)
        if spec:
            self.place_requested.emit(spec)
