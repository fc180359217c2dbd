"""FactoryView: zoom, pan, rubber-band selection, drops, and the gestures that become commands.

The view turns mouse gestures into requests (signals); the main window turns requests into core
commands on the undo stack. Nothing here touches the document.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QWidget

from ui.canvas.interactions import ConnectInteraction, MoveRecorder
from ui.canvas.items import LOD_SIMPLE, NodeItem
from ui.canvas.scene import OVERVIEW_MIN_NODES, FactoryScene

PALETTE_MIME = "application/x-aifactory-twin-palette"
WHEEL_PAN_PX = 60  # Shift+wheel: pixels per wheel notch (120 units of angle delta)
MIN_SCALE = 0.01
READABLE_SCALE = 0.6  # below this, finding a node zooms to 100 % so its name can be read
MAX_SCALE = 4.0
# Overview mode (one block per node, no edges) below this zoom on factories this large.
OVERVIEW_MAX_SCALE = 0.3  # just under LOD_SIMPLE: the same plain blocks, drawn in batches
# Zoomed out, the cards are blocks without text: names are drawn at screen size under them,
# skipping any that would overlap one already drawn (as map labels do), for at most this many
# visible nodes (a 9,472-rack hall would be a wall of text and a slow frame).
ZOOMED_OUT_LABELS_MAX = 600
LABEL_FONT = QFont()
LABEL_FONT.setPointSizeF(7.5)


class FactoryView(QGraphicsView):
    """The canvas widget."""

    connect_requested = Signal(str, str)  # first node id, second node id (drag direction)
    move_finished = Signal(object)  # dict node id → (old Position, new Position)
    palette_dropped = Signal(str, QPointF)  # palette spec ("kind:…" / "preset:…"), scene pos
    files_dropped = Signal(list)  # local file paths
    zoom_changed = Signal(float)

    def __init__(self, scene: FactoryScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.factory_scene = scene
        self.connect_tool = False
        self._moves = MoveRecorder()
        self._connect: ConnectInteraction | None = None
        self._pan_from: QPointF | None = None
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        # Minimal updates + no painter-state saving: the two settings that matter when
        # thousands of items are visible (measured in benchmarks/bench_ui.py).
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setOptimizationFlags(
            QGraphicsView.OptimizationFlag.DontSavePainterState
            | QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing
        )
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setAcceptDrops(True)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        # Pan with middle-drag, Space-drag or Shift-wheel: scroll bars only take room.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._space_down = False
        self.setMouseTracking(True)

    # ------------------------------------------------------------ zoomed-out names
    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        super().drawForeground(painter, rect)
        if self.scale_factor >= LOD_SIMPLE or self.factory_scene.overview:
            return  # cards with their own text, or a factory too big to name every block
        scene_rect = QRectF(rect)
        items = [i for i in self.factory_scene.items(scene_rect) if isinstance(i, NodeItem)]
        if not items or len(items) > ZOOMED_OUT_LABELS_MAX:
            return
        self.draw_zoomed_out_labels(painter, items)

    def zoomed_out_labels(self, items: list[NodeItem]) -> list[tuple[QRectF, str]]:
        """Viewport rectangle and text of each name that fits without overlapping another.

        Selected nodes first, then top to bottom and left to right, so a crowded row keeps
        the same names from frame to frame.
        """
        metrics = QFontMetricsF(LABEL_FONT)
        height = metrics.height()
        items = sorted(items, key=lambda i: (not i.isSelected(), i.pos().y(), i.pos().x()))
        placed: list[QRectF] = []
        out: list[tuple[QRectF, str]] = []
        for item in items:
            bounds = self.mapFromScene(item.sceneBoundingRect()).boundingRect()
            # At most a little wider than the block, so neighbours in a row keep their names.
            width_max = max(float(bounds.width()) + 24.0, 48.0)
            text = metrics.elidedText(item.label, Qt.TextElideMode.ElideRight, width_max)
            if not text or text == "…":
                continue
            width = metrics.horizontalAdvance(text) + 4.0
            center_x = bounds.center().x()
            label = QRectF(center_x - width / 2, bounds.bottom() + 1.0, width, height)
            if any(label.intersects(other) for other in placed):
                continue
            placed.append(label)
            out.append((label, text))
        return out

    def draw_zoomed_out_labels(self, painter: QPainter, items: list[NodeItem]) -> None:
        theme = self.factory_scene.theme
        labels = self.zoomed_out_labels(items)
        painter.save()
        painter.resetTransform()  # screen pixels: the names stay readable at any zoom
        painter.setFont(LABEL_FONT)
        backdrop = QColor(theme.canvas_bg)
        backdrop.setAlpha(200)
        for rect, text in labels:
            painter.fillRect(rect, backdrop)
            painter.setPen(theme.node_text)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    # ------------------------------------------------------------ zoom
    @property
    def scale_factor(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float, anchor_under_mouse: bool = True) -> None:
        target = min(max(self.scale_factor * factor, MIN_SCALE), MAX_SCALE)
        factor = target / self.scale_factor
        if not anchor_under_mouse:
            old = self.transformationAnchor()
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
            self.scale(factor, factor)
            self.setTransformationAnchor(old)
        else:
            self.scale(factor, factor)
        self._zoomed()

    def _zoomed(self) -> None:
        scene = self.factory_scene
        scene.set_overview(
            scene.node_count >= OVERVIEW_MIN_NODES and self.scale_factor < OVERVIEW_MAX_SCALE
        )
        self.zoom_changed.emit(self.scale_factor)

    def zoom_to_rect(self, rect: QRectF) -> None:
        if rect.isEmpty():
            return
        self.fitInView(rect.adjusted(-60, -60, 60, 60), Qt.AspectRatioMode.KeepAspectRatio)
        if self.scale_factor > 1.5:  # a single small node should not fill the screen
            self.zoom_by(1.5 / self.scale_factor, anchor_under_mouse=False)
        self._zoomed()

    def fit_all(self) -> None:
        scene = self.factory_scene
        if not scene.node_count:
            self.resetTransform()
            self.centerOn(0, 0)
            self._zoomed()
            return
        self.zoom_to_rect(scene.content_rect())

    def zoom_to_selection(self) -> None:
        rect = QRectF()
        for item in self.factory_scene.selectedItems():
            rect = rect.united(item.sceneBoundingRect())
        if rect.isEmpty():
            self.fit_all()
        else:
            self.zoom_to_rect(rect)

    def bring_into_view(self, rect: QRectF) -> None:
        """Centre on ``rect``; zoom in to a readable scale first if the cards are specks."""
        if self.scale_factor < READABLE_SCALE:
            self.zoom_by(1.0 / self.scale_factor, anchor_under_mouse=False)
        if rect.width() * self.scale_factor > self.viewport().width() * 0.9:
            self.zoom_to_rect(rect)
            return
        self.centerOn(rect.center())

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y() or event.angleDelta().x()
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            # Shift+wheel pans sideways by a line's worth per notch, like most design tools
            # (the scroll bar's own Shift handling jumps a whole page).
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - round(delta * WHEEL_PAN_PX / 120))
            event.accept()
            return
        if delta:
            self.zoom_by(1.0015**delta)
        event.accept()

    # ------------------------------------------------------------ mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton or (
            self._space_down and event.button() == Qt.MouseButton.LeftButton
        ):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            scene_pos = self.mapToScene(event.position().toPoint())
            item = self.factory_scene.node_item_at(scene_pos)
            wants_connect = self.connect_tool or bool(
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            )
            if item is not None and (wants_connect or item.in_port(scene_pos)):
                self._connect = ConnectInteraction(self.factory_scene, item)
                event.accept()
                return
            if item is not None and item.on_input_port(scene_pos):
                # From an input port: "feed this node from the one I drop on".
                self._connect = ConnectInteraction(self.factory_scene, item, into=True)
                event.accept()
                return
        super().mousePressEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            self._moves.begin(self.factory_scene)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            event.accept()
            return
        if self._connect is not None:
            self._connect.move_to(self.mapToScene(event.position().toPoint()))
            event.accept()
            return
        self._update_hover_cursor(event)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None and event.button() in (
            Qt.MouseButton.MiddleButton,
            Qt.MouseButton.LeftButton,
        ):
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        if self._connect is not None and event.button() == Qt.MouseButton.LeftButton:
            interaction, self._connect = self._connect, None
            target = interaction.finish(self.mapToScene(event.position().toPoint()))
            if target is not None and target is not interaction.source:
                first, second = interaction.source.node_id, target.node_id
                if interaction.into:
                    first, second = second, first
                self.connect_requested.emit(first, second)
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self._moves.active:
            moves = self._moves.finish(self.factory_scene)
            if moves:
                self.move_finished.emit(moves)

    def _update_hover_cursor(self, event: QMouseEvent) -> None:
        if event.buttons() != Qt.MouseButton.NoButton:
            return
        scene_pos = self.mapToScene(event.position().toPoint())
        item = self.factory_scene.node_item_at(scene_pos)
        if item is not None and (
            self.connect_tool or item.in_port(scene_pos) or item.on_input_port(scene_pos)
        ):
            self.viewport().setCursor(Qt.CursorShape.CrossCursor)
        else:
            self.viewport().unsetCursor()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            if self._connect is not None:  # first Escape cancels a connection being drawn
                self._connect.finish(QPointF(-1e12, -1e12))
                self._connect = None
            else:
                self.factory_scene.clearSelection()
            return
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = False
            self.viewport().unsetCursor()
            return
        super().keyReleaseEvent(event)

    # ------------------------------------------------------------ drops
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if mime.hasFormat(PALETTE_MIME) or _local_files(mime.urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        if mime.hasFormat(PALETTE_MIME):
            spec = bytes(mime.data(PALETTE_MIME).data()).decode("utf-8")
            self.palette_dropped.emit(spec, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
            return
        files = _local_files(mime.urls())
        if files:
            self.files_dropped.emit(files)
            event.acceptProposedAction()

    def visible_center(self) -> QPointF:
        return self.mapToScene(self.viewport().rect().center())

    def node_item(self, node_id: str) -> NodeItem | None:
        return self.factory_scene.node_items.get(node_id)


def _local_files(urls: list) -> list[str]:  # type: ignore[type-arg]
    return [u.toLocalFile() for u in urls if u.isLocalFile() and u.toLocalFile().endswith(".json")]
