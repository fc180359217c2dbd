"""The validation dock: the rules' findings, live, and error badges on the canvas.

The rules run on an immutable snapshot after the document has been quiet for a moment (a
debounce), so a burst of edits (a paste, a drag of 500 nodes) costs one check, not hundreds.
Clicking a finding selects its nodes and centres the view on them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from aifactory_twin.document import FactoryDocument
from aifactory_twin.rules import Finding, check
from ui.resources import STATUS_COLORS

IDS_ROLE = Qt.ItemDataRole.UserRole + 1
DEBOUNCE_MS = 250
BACKGROUND_MIN_NODES = 2000


def _dot_icon(color: str) -> QIcon:
    pix = QPixmap(12, 12)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pix)


class ValidationPanel(QWidget):
    """Findings list; emits ``focus_requested`` with node ids when one is clicked."""

    focus_requested = Signal(list)
    findings_changed = Signal(list)  # list[Finding]

    def sizeHint(self) -> QSize:
        return QSize(600, 130)

    def __init__(self, doc: FactoryDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.findings: list[Finding] = []
        self.defer: Callable[[], bool] | None = None  # "not now" while this returns True
        self.last_check_s = 0.0
        self.summary = QLabel(self)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["Finding", "Where"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setColumnWidth(0, 360)
        self.tree.setToolTip("Click a finding to select and centre its node")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree)
        self._icons = {sev: _dot_icon(STATUS_COLORS[sev]) for sev in ("error", "warning")}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_timer)
        # Big factories are checked on a worker thread (rules take ~0.5 s on the 9,472-node
        # scene); the GUI thread keeps its time slices and only shows the result.
        self._pool: ThreadPoolExecutor | None = None
        self._future: Future[list[Finding]] | None = None
        self._generation = 0
        self._poll = QTimer(self)
        self._poll.setInterval(40)
        self._poll.timeout.connect(self._on_poll)
        self.tree.itemClicked.connect(self._on_tree_item_clicked)
        self.tree.itemActivated.connect(self._on_tree_item_clicked)
        self._connected = False
        self.attach()

    def attach(self) -> None:
        if not self._connected:
            self.doc.changed.connect(self.schedule)
            self._connected = True

    def detach(self) -> None:
        if self._connected:
            self.doc.changed.disconnect(self.schedule)
            self._connected = False
        self._timer.stop()
        self._poll.stop()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def schedule(self) -> None:
        self._timer.start()  # restarts: the check waits until edits pause

    def run_check(self) -> None:
        """Check now, on this thread (screenshot mode, tests)."""
        self._timer.stop()
        self._generation += 1
        started = time.perf_counter()
        findings = check(self.doc.scenario)
        self.last_check_s = time.perf_counter() - started
        self._publish(findings)

    def _on_timer(self) -> None:
        if self.defer is not None and self.defer():
            self._timer.start()  # e.g. the canvas is still building: do not fight it for the GIL
            return
        if len(self.doc.nodes) < BACKGROUND_MIN_NODES:
            self.run_check()
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rules")
        self._generation += 1
        generation = self._generation
        snapshot = self.doc.scenario  # immutable: safe to read from another thread

        def work() -> list[Finding]:
            started = time.perf_counter()
            findings = check(snapshot)
            self.last_check_s = time.perf_counter() - started
            return findings

        self._future = self._pool.submit(work)
        self._future_generation = generation
        self._poll.start()

    def _on_poll(self) -> None:
        future = self._future
        if future is None or not future.done():
            return
        self._poll.stop()
        self._future = None
        if self._future_generation != self._generation:
            return  # the document changed meanwhile; a newer check is queued
        self._publish(future.result())

    @property
    def busy(self) -> bool:
        return self._future is not None or self._timer.isActive()

    def _publish(self, findings: list[Finding]) -> None:
        self.findings = findings
        self._show(findings)
        self.findings_changed.emit(findings)

    def _show(self, findings: list[Finding]) -> None:
        self.tree.clear()
        errors = sum(f.severity == "error" for f in findings)
        warnings = len(findings) - errors
        if not findings:
            self.summary.setText(
                f"<span style='color:{STATUS_COLORS['ok']}'>●</span> No problems found"
            )
        else:
            self.summary.setText(
                f"<span style='color:{STATUS_COLORS['error']}'>●</span> {errors} error"
                f"{'s' if errors != 1 else ''} &nbsp; "
                f"<span style='color:{STATUS_COLORS['warning']}'>●</span> {warnings} warning"
                f"{'s' if warnings != 1 else ''}"
            )
        items = []
        for finding in findings:
            item = QTreeWidgetItem([finding.message, ", ".join(finding.ids) or finding.path])
            item.setIcon(0, self._icons[finding.severity])
            item.setToolTip(
                0, f"{finding.severity}: {finding.message}\n[{finding.code}] {finding.path}"
            )
            item.setData(0, IDS_ROLE, list(finding.ids))
            items.append(item)
        self.tree.addTopLevelItems(items)

    def _on_tree_item_clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        ids = [i for i in (item.data(0, IDS_ROLE) or []) if self.doc.has_node(i)]
        if ids:
            self.focus_requested.emit(ids)


def badges_by_node(findings: list[Finding]) -> dict[str, tuple[str, str]]:
    """Node id → (worst severity, the messages) for the canvas badges."""
    out: dict[str, tuple[str, list[str]]] = {}
    for finding in findings:
        for node_id in finding.ids:
            severity, messages = out.get(node_id, ("warning", []))
            if finding.severity == "error":
                severity = "error"
            messages.append(finding.message)
            out[node_id] = (severity, messages)
    return {nid: (sev, "<br>".join(msgs[:4])) for nid, (sev, msgs) in out.items()}
