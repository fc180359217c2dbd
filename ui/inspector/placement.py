"""PlacementModel: the checkable list of nodes a workload may run on.

A list model rather than one QListWidgetItem per node: frontier-scale has 9,472 racks, and
building that many items cost about half a second on every rebuild of the Scenario dock. The
model reports a tick as the new placement list (in node order, so files diff calmly); the panel
turns that into a command, and the document change flows back through ``set_chosen``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

_ROOT = QModelIndex()


class PlacementModel(QAbstractListModel):
    """Checkable node ids a workload may run on: a model, so 9,472 racks cost no widgets."""

    def __init__(
        self,
        candidates: list[tuple[str, str]],
        on_toggled: Callable[[list[str]], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.candidates = candidates  # (node id, node name)
        self.chosen: list[str] = []
        self._on_toggled = on_toggled

    def set_chosen(self, chosen: list[str]) -> None:
        if chosen != self.chosen:
            self.chosen = list(chosen)
            if self.candidates:
                last = self.index(len(self.candidates) - 1)
                self.dataChanged.emit(self.index(0), last, [Qt.ItemDataRole.CheckStateRole])

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.candidates)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        node_id, name = self.candidates[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{node_id}  ({name})" if name else node_id
        if role == Qt.ItemDataRole.CheckStateRole:
            on = node_id in self.chosen
            return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.UserRole:
            return node_id
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return super().flags(index) | Qt.ItemFlag.ItemIsUserCheckable

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = 0
    ) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        node_id = self.candidates[index.row()][0]
        on = Qt.CheckState(value) == Qt.CheckState.Checked
        # Keep file order stable: candidates' order, not click order.
        wanted = {*self.chosen, node_id} if on else set(self.chosen) - {node_id}
        self._on_toggled([nid for nid, _ in self.candidates if nid in wanted])
        return True
