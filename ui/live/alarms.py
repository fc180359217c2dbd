"""Alarms dock: the engine's event log with simulated timestamps; click → node + time cursor.

The model only appends (``sync`` copies the events added since the last call), so a long run with
thousands of failures costs one ``beginInsertRows`` per refresh, not a rebuilt table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.charts.axes import format_sim_time

AnyIndex = QModelIndex | QPersistentModelIndex

KIND_LABELS: dict[str, str] = {
    "thermal_throttle": "Thermal throttle",
    "shutdown": "Shutdown",
    "overload": "Over capacity",
    "cooling_failure": "Cooling failure",
    "unit_failed": "Unit failed",
    "unit_repaired": "Unit repaired",
    "job_interrupted": "Job interrupted",
    "job_finished": "Job finished",
    "delivery_arrived": "Delivery arrived",
    "staff_left": "Staff left",
    "injected": "Injected",
}
# Severity colour per kind: red = lost capacity, amber = degraded, green = good news.
KIND_COLORS: dict[str, str] = {
    "thermal_throttle": "#E5A100",
    "shutdown": "#C81E1E",
    "overload": "#E5671B",
    "cooling_failure": "#C81E1E",
    "unit_failed": "#E0483E",
    "unit_repaired": "#22A55B",
    "job_interrupted": "#E5671B",
    "job_finished": "#22A55B",
    "delivery_arrived": "#3B6FE0",
    "staff_left": "#A05CD6",
    "injected": "#5F6B7A",
}
COLUMNS = ("Time", "Date", "Event", "Node", "Message")


class EventLike(Protocol):
    """What the list reads from ``aifactory_twin.sim.EventRecord`` (read-only)."""

    @property
    def time_s(self) -> float: ...
    @property
    def kind(self) -> str: ...
    @property
    def node_id(self) -> str: ...
    @property
    def message(self) -> str: ...


class AlarmsModel(QAbstractTableModel):
    """Rows are events in the order the engine logged them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.events: list[EventLike] = []
        self.start_time: datetime | None = None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.events)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        event = self.events[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return format_sim_time(event.time_s)
            if col == 1:
                if self.start_time is None:
                    return ""
                return (self.start_time + timedelta(seconds=event.time_s)).strftime(
                    "%Y-%m-%d %H:%M"
                )
            if col == 2:
                return KIND_LABELS.get(event.kind, event.kind)
            if col == 3:
                return event.node_id
            return event.message
        if role == Qt.ItemDataRole.ForegroundRole and col == 2:
            return QColor(KIND_COLORS.get(event.kind, "#5F6B7A"))
        if role == Qt.ItemDataRole.ToolTipRole:
            return event.message
        if role == Qt.ItemDataRole.UserRole:
            return event
        return None

    def sync(self, events: Sequence[EventLike]) -> int:
        """Append the events logged since the last call; returns how many were added."""
        if len(events) < len(self.events) or (
            self.events and events[len(self.events) - 1] is not self.events[-1]
        ):
            self.reset_events()
        new = len(events) - len(self.events)
        if new > 0:
            first = len(self.events)
            self.beginInsertRows(QModelIndex(), first, first + new - 1)
            self.events.extend(events[first:])
            self.endInsertRows()
        return max(new, 0)

    def reset_events(self) -> None:
        self.beginResetModel()
        self.events = []
        self.endResetModel()


class _KindFilter(QSortFilterProxyModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = ""

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if not self.kind:
            return True
        model = self.sourceModel()
        assert isinstance(model, AlarmsModel)
        return model.events[source_row].kind == self.kind


class AlarmsPanel(QWidget):
    """The alarms list with a kind filter; activating a row emits (node id, simulated time)."""

    event_activated = Signal(str, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AlarmsModel(self)
        self.proxy = _KindFilter(self)
        self.proxy.setSourceModel(self.model)
        self.filter = QComboBox()
        self.filter.addItem("All events", "")
        for kind, label in KIND_LABELS.items():
            self.filter.addItem(label, kind)
        self.filter.currentIndexChanged.connect(self._on_filter_changed)
        self.count_label = QLabel("0 events")
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(20)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for col, width in enumerate((76, 118, 118, 120)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(col, width)
        self.table.clicked.connect(self._on_table_clicked)
        self.table.activated.connect(self._on_table_clicked)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.filter)
        top.addStretch(1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.table)

    def set_start_time(self, start_time: datetime | None) -> None:
        self.model.start_time = start_time

    def sync(self, events: Sequence[EventLike]) -> int:
        at_bottom = self._scrolled_to_bottom()
        added = self.model.sync(events)
        if added:
            self.count_label.setText(f"{len(self.model.events):,} events")
            if at_bottom:
                self.table.scrollToBottom()
        return added

    def clear(self) -> None:
        self.model.reset_events()
        self.count_label.setText("0 events")

    def activate_row(self, row: int) -> None:
        """Act as if the user clicked proxy row ``row`` (keyboard, tests)."""
        self._on_table_clicked(self.proxy.index(row, 0))

    def _scrolled_to_bottom(self) -> bool:
        bar = self.table.verticalScrollBar()
        return bool(bar.value() >= bar.maximum() - 2)

    def _on_filter_changed(self) -> None:
        self.proxy.beginFilterChange()
        self.proxy.kind = str(self.filter.currentData() or "")
        self.proxy.endFilterChange()

    def _on_table_clicked(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        event = self.proxy.data(index, Qt.ItemDataRole.UserRole)
        if event is not None:
            self.event_activated.emit(str(event.node_id or ""), float(event.time_s))
