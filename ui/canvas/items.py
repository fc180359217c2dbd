"""Graphics items: a node card, a typed edge and a group (hall) frame.

Items mirror schema objects and never change the document. Painting is level-of-detail aware:
the 9,472-node frontier scene shows thousands of nodes at once when zoomed out, where each card
is a few pixels wide, so below a threshold a node is one filled rectangle and an edge one
cosmetic line, with no text, pixmaps or antialiasing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
)
from PySide6.QtWidgets import QGraphicsItem, QStyle, QStyleOptionGraphicsItem, QWidget

from aifactory_twin.kinds import KIND_INFO
from aifactory_twin.schema import NodeBase
from ui.resources import STATUS_COLORS, kind_color, kind_pixmap
from ui.theme import LIGHT, Theme

if TYPE_CHECKING:
    from ui.canvas.edge_item import EdgeItem

NODE_W = 172.0  # fits the scenes' 180-unit columns with a gap
NODE_H = 58.0
PORT_R = 6.0
ICON_PX = 30
TEXT_X = 48.0
LOD_SIMPLE = 0.32  # below this zoom a node is a plain block (text would be < 4 px tall)
LOD_TEXT = 0.55  # below this the subtitle is dropped

_FAILED_MARK = QColor("#C81E1E")  # failed units in the live overlay (ui/live/overlay.py)
_NAME_FONT = QFont()
_NAME_FONT.setPointSizeF(9.5)
_NAME_FONT.setWeight(QFont.Weight.DemiBold)
_SUB_FONT = QFont()
_SUB_FONT.setPointSizeF(8.0)
_BADGE_FONT = QFont()
_BADGE_FONT.setPointSizeF(7.5)
_BADGE_FONT.setWeight(QFont.Weight.Bold)


def theme_of(item: QGraphicsItem) -> Theme:
    scene = item.scene()
    return getattr(scene, "theme", LIGHT) if scene is not None else LIGHT


def node_subtitle(node: Any) -> str:
    """One line that says what the node is (shown under its name)."""
    info = KIND_INFO.get(node.kind)
    return info.summary(node) if info is not None else str(node.kind)


class NodeItem(QGraphicsItem):
    """A node card: icon, name, subtitle, ×count badge, status dot and finding badge."""

    def __init__(self, node: NodeBase) -> None:
        super().__init__()
        self.setAcceptHoverEvents(False)
        self.edges: set[EdgeItem] = set()
        self.severity = ""  # "", "warning" or "error" from the validation rules
        self.finding_text = ""
        self.status = "ok"
        self.node: NodeBase = node
        self._kind_color = QColor()
        self._name = ""
        self._subtitle = ""
        self._subtitle_full = ""
        self._badge = ""
        self._cx = self._cy = 0.0
        # Live simulation overlay (ui/live/overlay.py): a colour, and a mark for failed units.
        self.overlay_color: QColor | None = None
        self.overlay_marked = False
        self.set_node(node)
        # After the first setPos: no itemChange round trip while thousands of items load.
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
        )

    @property
    def node_id(self) -> str:
        return self.node.id

    @property
    def kind(self) -> str:
        return str(self.node.kind)

    @property
    def label(self) -> str:
        """The name the card shows (or its id), unelided: zoomed-out labels elide their own."""
        return self.node.name or self.node.id

    def set_node(self, node: NodeBase) -> None:
        self.node = node
        self._kind_color = kind_color(self.kind)
        label = node.name or node.id
        self._badge = f"×{node.count:,}" if node.count > 1 else ""
        badge_w = (
            QFontMetricsF(_BADGE_FONT).horizontalAdvance(self._badge) + 18 if self._badge else 0
        )
        self._name = QFontMetricsF(_NAME_FONT).elidedText(
            label, Qt.TextElideMode.ElideRight, NODE_W - TEXT_X - 8 - badge_w
        )
        self._subtitle_full = node_subtitle(node)
        self._subtitle = QFontMetricsF(_SUB_FONT).elidedText(
            self._subtitle_full, Qt.TextElideMode.ElideRight, NODE_W - TEXT_X - 22
        )
        pos = QPointF(node.position.x, node.position.y)
        if self.pos() != pos:
            self.setPos(pos)
        self._cx, self._cy = pos.x() + NODE_W / 2, pos.y() + NODE_H / 2
        self._update_tooltip()
        self.update()

    def set_overlay(self, color: QColor | None, marked: bool) -> None:
        """Colour the card by a live quantity (None: its own look); ``marked``: units failed."""
        if color == self.overlay_color and marked == self.overlay_marked:
            return
        self.overlay_color = color
        self.overlay_marked = marked
        self.update()

    def set_finding(self, severity: str, text: str) -> None:
        if (severity, text) == (self.severity, self.finding_text):
            return
        self.severity = severity
        self.finding_text = text
        self._update_tooltip()
        self.update()

    def _update_tooltip(self) -> None:
        tip = f"<b>{self.node.name or self.node.id}</b> ({self.node.id})<br>{self._subtitle_full}"
        if self.finding_text:
            tip += (
                f"<br><span style='color:{STATUS_COLORS[self.severity]}'>{self.finding_text}</span>"
            )
        self.setToolTip(tip)

    # ------------------------------------------------------------ geometry
    def boundingRect(self) -> QRectF:
        return QRectF(-10, -10, NODE_W + 20, NODE_H + 20)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.WindingFill)  # the port overlaps the card: union, not XOR
        path.addRoundedRect(QRectF(0, 0, NODE_W, NODE_H), 8, 8)
        path.addEllipse(self.port_center(), PORT_R + 2, PORT_R + 2)
        path.addEllipse(self.input_port_center(), PORT_R + 2, PORT_R + 2)
        return path

    def port_center(self) -> QPointF:
        """The output port (right side): edges leave from here; drag from it to connect."""
        return QPointF(NODE_W, NODE_H / 2)

    def input_port_center(self) -> QPointF:
        """The input port (left side): edges arrive here."""
        return QPointF(0, NODE_H / 2)

    def in_port(self, scene_pos: QPointF) -> bool:
        """True when ``scene_pos`` is on the output port."""
        d = self.mapFromScene(scene_pos) - self.port_center()
        return d.x() * d.x() + d.y() * d.y() <= (PORT_R + 3) ** 2

    def on_input_port(self, scene_pos: QPointF) -> bool:
        d = self.mapFromScene(scene_pos) - self.input_port_center()
        return d.x() * d.x() + d.y() * d.y() <= (PORT_R + 3) ** 2

    def out_anchor(self) -> QPointF:
        return self.pos() + QPointF(NODE_W, NODE_H / 2)

    def in_anchor(self) -> QPointF:
        return self.pos() + self.input_port_center()

    def center(self) -> QPointF:
        return QPointF(self._cx, self._cy)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionChange:
            scene = self.scene()
            grid = getattr(scene, "snap_grid", 0.0) if scene is not None else 0.0
            if grid and isinstance(value, QPointF):
                return QPointF(round(value.x() / grid) * grid, round(value.y() / grid) * grid)
        elif change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            self._cx, self._cy = value.x() + NODE_W / 2, value.y() + NODE_H / 2
            for edge in self.edges:
                edge.update_path()
        elif change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            for edge in self.edges:
                # A selected hub shows all its edges in full; hidden edges (the overview)
                # catch up when they are shown again (FactoryScene.set_overview).
                if edge.hub_end and edge.isVisible():
                    edge.update_path()
        return super().itemChange(change, value)

    # ------------------------------------------------------------ painting
    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        theme = theme_of(self)
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        card = QRectF(0, 0, NODE_W, NODE_H)
        if lod < LOD_SIMPLE:
            fill = self._kind_color if self.overlay_color is None else self.overlay_color
            painter.fillRect(card, theme.selection if selected else fill)
            if self.overlay_marked:
                painter.fillRect(QRectF(NODE_W * 2 / 3, 0, NODE_W / 3, NODE_H), _FAILED_MARK)
            if self.severity:
                painter.fillRect(
                    QRectF(0, 0, NODE_W / 3, NODE_H), QColor(STATUS_COLORS[self.severity])
                )
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        border = QPen(theme.selection if selected else theme.node_border, 2.2 if selected else 1.0)
        painter.setPen(border)
        painter.setBrush(theme.node_bg)
        painter.drawRoundedRect(card, 8, 8)
        # Kind accent on the left edge, clipped to the card's rounded corner.
        accent = QPainterPath()
        accent.addRoundedRect(card, 8, 8)
        painter.save()
        painter.setClipPath(accent)
        if self.overlay_color is not None:
            # Live overlay: a tint over the card and a solid band along its bottom edge.
            tint = QColor(self.overlay_color)
            tint.setAlpha(70)
            painter.fillRect(card, tint)
            painter.fillRect(QRectF(0, NODE_H - 6, NODE_W, 6), self.overlay_color)
        painter.fillRect(QRectF(0, 0, 5, NODE_H), self._kind_color)
        painter.restore()
        if self.overlay_marked:  # failed units: a red frame inside the card
            painter.setPen(QPen(_FAILED_MARK, 2.6))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(card.adjusted(1.5, 1.5, -1.5, -1.5), 7, 7)
        icon_rect = QRectF(12, (NODE_H - ICON_PX) / 2, ICON_PX, ICON_PX)
        painter.drawPixmap(icon_rect.toRect(), kind_pixmap(self.kind, ICON_PX * 2))
        painter.setPen(theme.node_text)
        painter.setFont(_NAME_FONT)
        if lod < LOD_TEXT:
            painter.drawText(
                QRectF(TEXT_X, 0, NODE_W - TEXT_X - 6, NODE_H),
                Qt.AlignmentFlag.AlignVCenter,
                self._name,
            )
        else:
            painter.drawText(QPointF(TEXT_X, 25), self._name)
            painter.setPen(theme.node_subtext)
            painter.setFont(_SUB_FONT)
            painter.drawText(QPointF(TEXT_X, 42), self._subtitle)
        self._paint_status(painter)
        if self._badge:
            self._paint_badge(painter, theme)
        # The ports: edges leave the output (right, hollow; drag from it to connect) and
        # arrive at the input (left, filled), so the direction of flow is plain to see.
        painter.setPen(QPen(self._kind_color, 1.6))
        painter.setBrush(theme.node_bg)
        painter.drawEllipse(self.port_center(), PORT_R - 1, PORT_R - 1)
        painter.setBrush(self._kind_color)
        painter.drawEllipse(self.input_port_center(), PORT_R - 2, PORT_R - 2)

    def _paint_status(self, painter: QPainter) -> None:
        color = QColor(STATUS_COLORS.get(self.status, STATUS_COLORS["ok"]))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawEllipse(QPointF(NODE_W - 14, NODE_H - 11), 3.5, 3.5)
        if self.severity:
            badge = QColor(STATUS_COLORS[self.severity])
            painter.setBrush(badge)
            painter.setPen(QPen(QColor("#FFFFFF"), 1.5))
            painter.drawEllipse(QPointF(0, 0), 8, 8)
            painter.setFont(_BADGE_FONT)
            painter.drawText(QRectF(-8, -8, 16, 16), Qt.AlignmentFlag.AlignCenter, "!")

    def _paint_badge(self, painter: QPainter, theme: Theme) -> None:
        metrics = QFontMetricsF(_BADGE_FONT)
        width = metrics.horizontalAdvance(self._badge) + 10
        rect = QRectF(NODE_W - width - 6, 6, width, 15)
        painter.setPen(Qt.PenStyle.NoPen)
        fill = QColor(self._kind_color)
        fill.setAlpha(40 if not theme.is_dark else 70)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 7.5, 7.5)
        painter.setPen(self._kind_color if not theme.is_dark else theme.node_text)
        painter.setFont(_BADGE_FONT)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._badge)


class GroupFrameItem(QGraphicsItem):
    """A labelled frame behind the nodes of one hall / group (not selectable, not saved)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.setZValue(-10)
        self._rect = QRectF()

    def set_rect(self, rect: QRectF) -> None:
        self.prepareGeometryChange()
        self._rect = rect.adjusted(-24, -40, 24, 24)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        theme = theme_of(self)
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod >= LOD_SIMPLE)
        pen = QPen(theme.group_border, 1.2, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(theme.group_fill)
        painter.drawRoundedRect(self._rect, 14, 14)
        # The hall label keeps its on-screen size at any zoom: draw it in device pixels.
        corner = painter.worldTransform().map(self._rect.topLeft())
        width_px = self._rect.width() * painter.worldTransform().m11()
        if width_px < QFontMetricsF(_NAME_FONT).horizontalAdvance(self.name) + 24:
            return  # frames too small on screen for their label: the frames alone read better
        painter.save()
        painter.resetTransform()
        painter.setFont(_NAME_FONT)
        painter.setPen(theme.group_text)
        painter.drawText(corner + QPointF(10, 18), self.name)
        painter.restore()
