"""Alarms dock: the engine's events grouped by kind and node, with severity, filters, acknowledge.

A long run logs thousands of events (every unit failure and repair); one row per (kind, node)
with its count and first/last simulated time keeps the list readable. A group can be
acknowledged (selected rows or all shown rows); a new occurrence of an acknowledged group raises
it again. Activating a row emits (node id, first time) so the window selects the node and moves
the charts' time cursor there.

The model only grows (``sync`` reads the events added since the last call), so a refresh costs
O(new events): new groups are inserted rows, changed groups one ``dataChanged``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.charts.axes import format_sim_time
from ui.charts.markers import EventLike

AnyIndex = QModelIndex | QPersistentModelIndex

KIND_LABELS: dict[str, str] = {
    "thermal_throttle": "Thermal throttle",
    "shutdown": "Shutdown",
    "overload": "Over capacity",
    "cooling_failure": "Cooling failure",
    "unit_failed": "Unit failed",
    "unit_repaired": "Unit repaired",
    "job_interrupted": "Job interrupted",
    "job_requeued": "Job requeued",
    "job_finished": "Job finished",
    "delivery_arrived": "Delivery arrived",
    "staff_left": "Staff left",
    "model_launched": "Model launched",
    "drift_detected": "Drift detected",
    "retrain_submitted": "Retraining submitted",
    "wan_saturated": "WAN link saturated",
    "injected": "Injected",
}
# Colour per kind: red = lost capacity, amber = degraded, green = good news.
KIND_COLORS: dict[str, str] = {
    "thermal_throttle": "#E5A100",
    "shutdown": "#C81E1E",
    "overload": "#E5671B",
    "cooling_failure": "#C81E1E",
    "unit_failed": "#E0483E",
    "unit_repaired": "#22A55B",
    "job_interrupted": "#E5671B",
    "job_requeued": "#E5A100",
    "job_finished": "#22A55B",
    "delivery_arrived": "#3B6FE0",
    "staff_left": "#A05CD6",
    "model_launched": "#22A55B",
    "drift_detected": "#E5A100",
    "retrain_submitted": "#3B6FE0",
    "wan_saturated": "#E5A100",
    "injected": "#5F6B7A",
}
CRITICAL, WARNING, INFO = "critical", "warning", "info"
SEVERITIES = (CRITICAL, WARNING, INFO)
# Critical: capacity is lost now. Warning: degraded or at risk. Info: news, nothing to act on.
KIND_SEVERITY: dict[str, str] = {
    "shutdown": CRITICAL,
    "cooling_failure": CRITICAL,
    "unit_failed": CRITICAL,
    "overload": WARNING,
    "thermal_throttle": WARNING,
    "job_interrupted": WARNING,
    "job_requeued": WARNING,
    "staff_left": WARNING,
    "wan_saturated": WARNING,
    "unit_repaired": INFO,
    "job_finished": INFO,
    "delivery_arrived": INFO,
    "model_launched": INFO,
    "drift_detected": WARNING,
    "retrain_submitted": INFO,
    "injected": INFO,
}
SEVERITY_COLORS = {CRITICAL: "#C81E1E", WARNING: "#E5A100", INFO: "#5F6B7A"}
ALARM_KINDS = frozenset(k for k, s in KIND_SEVERITY.items() if s in (CRITICAL, WARNING))
"""Kinds that count as an alarm (Simulate › Run Until Next Alarm stops on these)."""
_ACKED_COLOR = "#9AA3AF"

COLUMNS = ("", "Event", "Node", "Count", "First", "Last", "Latest message")
# Severity filter choices: label → severities shown.
SEVERITY_FILTERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("All severities", frozenset(SEVERITIES)),
    ("Warnings and critical", frozenset({CRITICAL, WARNING})),
    ("Critical only", frozenset({CRITICAL})),
)


def severity(kind: str) -> str:
    return KIND_SEVERITY.get(kind, INFO)


def describe_event(event: EventLike) -> tuple[str, str]:
    """(marker colour, one line) for an event marked on the charts and the timeline."""
    label = KIND_LABELS.get(event.kind, event.kind)
    where = f" · {event.node_id}" if event.node_id else ""
    text = f"{label}{where} at +{format_sim_time(event.time_s)}: {event.message}"
    return SEVERITY_COLORS[severity(event.kind)], text


@dataclass
class AlarmGroup:
    """Every event of one kind on one node."""

    kind: str
    node_id: str
    count: int
    first_s: float
    last_s: float
    message: str
    acked_count: int = 0

    @property
    def acknowledged(self) -> bool:
        return self.acked_count >= self.count

    @property
    def severity(self) -> str:
        return severity(self.kind)


class AlarmsModel(QAbstractTableModel):
    """One row per (kind, node) group, in the order each group first occurred."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.events: list[EventLike] = []
        self.groups: list[AlarmGroup] = []
        self._index: dict[tuple[str, str], int] = {}
        self.start_time: datetime | None = None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.groups)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def when(self, time_s: float) -> str:
        """Simulated date-time of ``time_s`` (elapsed time when the start date is unknown)."""
        if self.start_time is None:
            return format_sim_time(time_s)
        return (self.start_time + timedelta(seconds=time_s)).strftime("%Y-%m-%d %H:%M")

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        group = self.groups[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(group, col)
        if role == Qt.ItemDataRole.ForegroundRole:
            if group.acknowledged:
                return QColor(_ACKED_COLOR)
            if col == 0:
                return QColor(SEVERITY_COLORS[group.severity])
            if col == 1:
                return QColor(KIND_COLORS.get(group.kind, "#5F6B7A"))
            return None
        if role == Qt.ItemDataRole.FontRole and group.acknowledged:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            state = "acknowledged" if group.acknowledged else "not acknowledged"
            return (
                f"{group.severity.capitalize()} · {KIND_LABELS.get(group.kind, group.kind)} on "
                f"{group.node_id or 'the factory'}: {group.count:,} time(s), first "
                f"{self.when(group.first_s)} (+{format_sim_time(group.first_s)}), last "
                f"{self.when(group.last_s)} ({state}). Latest: {group.message}"
            )
        if role == Qt.ItemDataRole.UserRole:
            return group
        return None

    def _text(self, group: AlarmGroup, col: int) -> str:
        if col == 0:
            return "✓" if group.acknowledged else "●"
        if col == 1:
            return KIND_LABELS.get(group.kind, group.kind)
        if col == 2:
            return group.node_id
        if col == 3:
            return f"{group.count:,}"
        if col == 4:
            return self.when(group.first_s)
        if col == 5:
            return self.when(group.last_s)
        return group.message

    def sync(self, events: Sequence[EventLike]) -> int:
        """Take in the events logged since the last call; returns how many were added."""
        if len(events) < len(self.events) or (
            self.events and events[len(self.events) - 1] is not self.events[-1]
        ):
            self.reset_events()
        first = len(self.events)
        new = events[first:]
        if not new:
            return 0
        self.events.extend(new)
        added: list[AlarmGroup] = []
        changed: list[int] = []
        for event in new:
            key = (event.kind, event.node_id)
            row = self._index.get(key)
            if row is None:
                self._index[key] = len(self.groups) + len(added)
                added.append(
                    AlarmGroup(
                        event.kind, event.node_id, 1, event.time_s, event.time_s, event.message
                    )
                )
                continue
            group = added[row - len(self.groups)] if row >= len(self.groups) else self.groups[row]
            group.count += 1
            group.last_s = max(group.last_s, event.time_s)
            group.message = event.message
            if row < len(self.groups):
                changed.append(row)
        if changed:
            self.dataChanged.emit(
                self.index(min(changed), 0), self.index(max(changed), len(COLUMNS) - 1)
            )
        if added:
            start = len(self.groups)
            self.beginInsertRows(QModelIndex(), start, start + len(added) - 1)
            self.groups.extend(added)
            self.endInsertRows()
        return len(new)

    def acknowledge(self, rows: Sequence[int]) -> int:
        """Mark the groups at ``rows`` acknowledged; returns how many changed."""
        changed = [r for r in rows if 0 <= r < len(self.groups) and not self.groups[r].acknowledged]
        for r in changed:
            self.groups[r].acked_count = self.groups[r].count
        if changed:
            self.dataChanged.emit(
                self.index(min(changed), 0), self.index(max(changed), len(COLUMNS) - 1)
            )
        return len(changed)

    def unacknowledged(self) -> int:
        return sum(1 for g in self.groups if not g.acknowledged)

    def reset_events(self) -> None:
        self.beginResetModel()
        self.events = []
        self.groups = []
        self._index = {}
        self.endResetModel()


class _AlarmFilter(QSortFilterProxyModel):
    """Rows by kind (or all), severity set, and whether acknowledged groups are shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = ""
        self.severities: frozenset[str] = frozenset(SEVERITIES)
        self.show_acknowledged = True

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        assert isinstance(model, AlarmsModel)
        group = model.groups[source_row]
        if self.kind and group.kind != self.kind:
            return False
        if group.severity not in self.severities:
            return False
        return self.show_acknowledged or not group.acknowledged


class AlarmsPanel(QWidget):
    """Grouped alarms with severity and kind filters and acknowledge; rows emit (node, time)."""

    event_activated = Signal(str, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AlarmsModel(self)
        self.proxy = _AlarmFilter(self)
        self.proxy.setSourceModel(self.model)
        self.severity_filter = QComboBox()
        self.severity_filter.setObjectName("alarm_severity_filter")
        self.severity_filter.setToolTip("Show alarms of these severities")
        for label, _severities in SEVERITY_FILTERS:
            self.severity_filter.addItem(label)
        self.severity_filter.currentIndexChanged.connect(self._on_filter_changed)
        self.filter = QComboBox()
        self.filter.setObjectName("alarm_kind_filter")
        self.filter.setToolTip("Show one kind of event")
        self.filter.addItem("All kinds", "")
        for kind, label in KIND_LABELS.items():
            self.filter.addItem(label, kind)
        self.filter.currentIndexChanged.connect(self._on_filter_changed)
        for combo in (self.severity_filter, self.filter):
            # Narrow docks: the drop-downs shrink (their lists still show whole names).
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(8)
        self.show_acked = QCheckBox("Acknowledged")
        self.show_acked.setToolTip("Also list the alarms already acknowledged (greyed)")
        self.show_acked.setChecked(True)
        self.show_acked.toggled.connect(self._on_filter_changed)
        self.ack_button = QPushButton("Acknowledge")
        self.ack_button.setObjectName("alarm_acknowledge")
        self.ack_button.setToolTip("Acknowledge the selected alarms (a new occurrence re-raises)")
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.ack_all_button = QPushButton("Acknowledge all")
        self.ack_all_button.setObjectName("alarm_acknowledge_all")
        self.ack_all_button.setToolTip("Acknowledge every alarm the filters show")
        self.ack_all_button.clicked.connect(self.acknowledge_all)
        self.count_label = QLabel()
        self.count_label.setMinimumWidth(60)  # elides rather than widening the dock
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(20)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for col, width in enumerate((22, 112, 110, 52, 120, 120)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(col, width)
        self.table.clicked.connect(self._on_table_clicked)
        self.table.activated.connect(self._on_table_clicked)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_context_menu)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.severity_filter)
        top.addWidget(self.filter)
        top.addWidget(self.show_acked)
        top.addStretch(1)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(self.count_label, 1)
        bottom.addWidget(self.ack_button)
        bottom.addWidget(self.ack_all_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addLayout(bottom)
        self._update_count()

    def set_start_time(self, start_time: datetime | None) -> None:
        self.model.start_time = start_time

    def sync(self, events: Sequence[EventLike]) -> int:
        at_bottom = self._scrolled_to_bottom()
        rows_before = self.model.rowCount()
        added = self.model.sync(events)
        if added:
            self._update_count()
            if at_bottom and self.model.rowCount() > rows_before:
                self.table.scrollToBottom()
        return added

    def clear(self) -> None:
        self.model.reset_events()
        self._update_count()

    def activate_row(self, row: int) -> None:
        """Act as if the user clicked shown row ``row`` (keyboard, tests)."""
        self._on_table_clicked(self.proxy.index(row, 0))

    def shown_groups(self) -> list[AlarmGroup]:
        """The groups the filters let through, in display order."""
        return [
            self.proxy.data(self.proxy.index(r, 0), Qt.ItemDataRole.UserRole)
            for r in range(self.proxy.rowCount())
        ]

    def acknowledge_selected(self) -> int:
        rows = {
            self.proxy.mapToSource(index).row()
            for index in self.table.selectionModel().selectedRows()
        }
        changed = self.model.acknowledge(sorted(rows))
        self._after_acknowledge()
        return changed

    def acknowledge_all(self) -> int:
        """Acknowledge every group the filters show (the hidden ones stay as they are)."""
        rows = [
            self.proxy.mapToSource(self.proxy.index(r, 0)).row()
            for r in range(self.proxy.rowCount())
        ]
        changed = self.model.acknowledge(rows)
        self._after_acknowledge()
        return changed

    def _after_acknowledge(self) -> None:
        if not self.proxy.show_acknowledged:
            self._on_filter_changed()
        self._update_count()

    def _update_count(self) -> None:
        events, groups = len(self.model.events), len(self.model.groups)
        open_groups = self.model.unacknowledged()
        self.count_label.setText(
            f"{events:,} events in {groups:,} groups · {open_groups:,} not acknowledged"
        )

    def _scrolled_to_bottom(self) -> bool:
        bar = self.table.verticalScrollBar()
        return bool(bar.value() >= bar.maximum() - 2)

    def _on_filter_changed(self, *_args: object) -> None:
        self.proxy.beginFilterChange()
        self.proxy.kind = str(self.filter.currentData() or "")
        self.proxy.severities = SEVERITY_FILTERS[max(self.severity_filter.currentIndex(), 0)][1]
        self.proxy.show_acknowledged = self.show_acked.isChecked()
        self.proxy.endFilterChange()

    def _on_table_clicked(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        group = self.proxy.data(index, Qt.ItemDataRole.UserRole)
        if isinstance(group, AlarmGroup):
            self.event_activated.emit(group.node_id or "", float(group.first_s))

    def _on_context_menu(self, pos: Any) -> None:
        menu = QMenu(self.table)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction("Acknowledge", self.acknowledge_selected)
        menu.addAction("Acknowledge all shown", self.acknowledge_all)
        menu.popup(self.table.viewport().mapToGlobal(pos))
