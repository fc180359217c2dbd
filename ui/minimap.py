"""A minimap in the canvas corner for big factories: the whole factory, and where you are.

It draws the scene's overview blocks (one rectangle per node, batched per colour, the same data
the zoomed-out canvas uses) into a cached pixmap, rebuilt only when the document changes, and
the main view's visible area as a frame on top. Click or drag in it to move the view there.
Shown on factories of at least ``MINIMAP_MIN_NODES`` nodes while View › Minimap is checked.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QFrame

from ui.canvas.scene import FactoryScene
from ui.canvas.view import FactoryView

MINIMAP_MIN_NODES = 150
SIZE_PX = (220, 150)
MARGIN_PX = 12


class Minimap(QFrame):
    """The overview widget, a child of the canvas view's viewport."""

    def __init__(self, view: FactoryView, scene: FactoryScene) -> None:
        super().__init__(view)
        self.setObjectName("minimap")
        self.view = view
        self.scene = scene
        self.wanted = True
        self.setFixedSize(*SIZE_PX)
        self.setFrameShape(QFrame.Shape.Box)
        self.setToolTip("Overview: click or drag to move the view")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._pixmap: QPixmap | None = None
        self._content = QRectF()
        self._rebuild_timer = QTimer(self, singleShot=True, interval=300)
        self._rebuild_timer.timeout.connect(self._rebuild)
        scene.doc.changed.connect(self.schedule_rebuild)
        scene.changed.connect(lambda _rects: self.update())
        view.zoom_changed.connect(lambda _s: self.update())
        view.horizontalScrollBar().valueChanged.connect(lambda _v: self.update())
        view.verticalScrollBar().valueChanged.connect(lambda _v: self.update())
        self.hide()

    def detach(self) -> None:
        self.scene.doc.changed.disconnect(self.schedule_rebuild)

    def set_wanted(self, on: bool) -> None:
        self.wanted = on
        self.sync()

    def schedule_rebuild(self) -> None:
        self._rebuild_timer.start()

    def sync(self) -> None:
        """Show when wanted and the factory is big enough; keep to the bottom-right corner."""
        show = self.wanted and self.scene.node_count >= MINIMAP_MIN_NODES
        if show and self._pixmap is None:
            self._rebuild()
        self.setVisible(show)
        parent = self.parentWidget()
        if parent is not None:
            self.move(
                parent.width() - self.width() - MARGIN_PX,
                parent.height() - self.height() - MARGIN_PX,
            )
            self.raise_()

    # ------------------------------------------------------------ drawing
    def _scale(self) -> tuple[float, float, float]:
        rect = self._content
        if rect.isEmpty():
            return 1.0, 0.0, 0.0
        scale = min((self.width() - 8) / rect.width(), (self.height() - 8) / rect.height())
        ox = (self.width() - rect.width() * scale) / 2 - rect.left() * scale
        oy = (self.height() - rect.height() * scale) / 2 - rect.top() * scale
        return scale, ox, oy

    def _rebuild(self) -> None:
        if self.scene.pending_count:  # a big file is still being built: draw it once done
            self._rebuild_timer.start()
        self._content = self.scene.content_rect()
        pixmap = QPixmap(self.size())
        pixmap.fill(self.scene.theme.canvas_bg)
        if not self._content.isEmpty():
            scale, ox, oy = self._scale()
            painter = QPainter(pixmap)
            painter.translate(ox, oy)
            painter.scale(scale, scale)
            painter.setPen(Qt.PenStyle.NoPen)
            for rgba, rects in self.scene.overview_blocks().items():
                painter.setBrush(QColor.fromRgba(rgba))
                painter.drawRects(rects)
            painter.end()
        self._pixmap = pixmap
        self.sync()
        self.update()

    def visible_rect(self) -> QRectF:
        """The part of the scene the main view shows, in minimap pixels."""
        scale, ox, oy = self._scale()
        area = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        return QRectF(
            area.left() * scale + ox,
            area.top() * scale + oy,
            area.width() * scale,
            area.height() * scale,
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if self._pixmap is not None:
            painter.drawPixmap(0, 0, self._pixmap)
        frame = self.visible_rect().intersected(QRectF(self.rect()).adjusted(1, 1, -1, -1))
        pen = QPen(self.scene.theme.selection, 1.5)
        painter.setPen(pen)
        fill = QColor(self.scene.theme.selection)
        fill.setAlpha(40)
        painter.setBrush(fill)
        painter.drawRect(frame)
        painter.end()
        super().paintEvent(event)

    # ------------------------------------------------------------ navigation
    def scene_point(self, pos: QPointF) -> QPointF:
        scale, ox, oy = self._scale()
        return QPointF((pos.x() - ox) / scale, (pos.y() - oy) / scale)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.view.centerOn(self.scene_point(event.position()))
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.view.centerOn(self.scene_point(event.position()))
        event.accept()
