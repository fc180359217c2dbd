"""Canvas interactions that each end in one undoable command (after orange-canvas-core).

* ``MoveRecorder`` remembers where the selected nodes were when a drag began and, on release,
  yields one old → new map, pushed as a single MoveNodes command (one undo step per drag).
* ``ConnectInteraction`` draws a rubber line from a node's port (or from the node itself with the
  connect tool or Shift held) and resolves the release point to a target node.
* ``choose_edge`` decides the edge kind from what the schema's table allows between the two
  kinds, trying the drawn direction first and then the reverse (dragging from a rack to its PDU
  means "power from the PDU to the rack"); when nothing is allowed it returns the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QLineF, QPointF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsLineItem

from aifactory_twin.document import FactoryDocument
from aifactory_twin.kinds import kind_label
from aifactory_twin.schema import EDGE_KINDS, Position, allowed_edge_kinds
from ui.canvas.items import NodeItem
from ui.canvas.scene import FactoryScene


@dataclass(frozen=True)
class EdgeChoice:
    """The outcome of a connect gesture: an edge to add, or why none can be."""

    kind: str = ""
    source: str = ""
    target: str = ""
    alternatives: tuple[str, ...] = ()
    refusal: str = ""


def choose_edge(doc: FactoryDocument, first_id: str, second_id: str) -> EdgeChoice:
    """Pick the edge kind for a drag from ``first_id`` to ``second_id`` (see module doc)."""
    if first_id == second_id:
        return EdgeChoice(refusal="a node cannot connect to itself")
    first = doc.node(first_id)
    second = doc.node(second_id)
    k1, k2 = str(first.kind), str(second.kind)
    for src, dst, ks, kd in ((first_id, second_id, k1, k2), (second_id, first_id, k2, k1)):
        kinds = allowed_edge_kinds(ks, kd)
        existing = {e.kind for e in doc.incident_edges(src) if e.source == src and e.target == dst}
        free = [k for k in kinds if k not in existing]
        if free:
            return EdgeChoice(free[0], src, dst, tuple(free[1:]))
        if kinds:
            return EdgeChoice(
                refusal=f"{_name(doc, src)} and {_name(doc, dst)} are already connected "
                f"({', '.join(kinds)})"
            )
    return EdgeChoice(
        refusal=f"no edge kind ({', '.join(EDGE_KINDS)}) may join a "
        f"{kind_label(k1)} and a {kind_label(k2)} — "
        f"{_hint(k1)}"
    )


def _name(doc: FactoryDocument, node_id: str) -> str:
    node = doc.node(node_id)
    return node.name or node.id


def _hint(kind: str) -> str:
    """What a kind can connect to, so a refusal also says what would work."""
    partners: set[str] = set()
    from aifactory_twin.schema import NODE_KINDS

    for other in NODE_KINDS:
        if allowed_edge_kinds(kind, other) or allowed_edge_kinds(other, kind):
            partners.add(kind_label(other))
    if not partners:
        return "it connects to nothing"
    return f"a {kind_label(kind)} connects to: {', '.join(sorted(partners))}"


class MoveRecorder:
    """Positions of the selected nodes at drag start → one MoveNodes map at release."""

    def __init__(self) -> None:
        self._start: dict[str, QPointF] = {}

    def begin(self, scene: FactoryScene) -> None:
        self._start = {
            item.node_id: item.pos() for item in scene.selectedItems() if isinstance(item, NodeItem)
        }

    def finish(self, scene: FactoryScene) -> dict[str, tuple[Position, Position]]:
        moves: dict[str, tuple[Position, Position]] = {}
        for node_id, start in self._start.items():
            item = scene.node_items.get(node_id)
            if item is None or item.pos() == start:
                continue
            moves[node_id] = (
                Position(x=start.x(), y=start.y()),
                Position(x=item.pos().x(), y=item.pos().y()),
            )
        self._start = {}
        return moves

    @property
    def active(self) -> bool:
        return bool(self._start)


class ConnectInteraction:
    """A rubber line from a source node to the cursor while the user drags to connect."""

    def __init__(self, scene: FactoryScene, source: NodeItem, into: bool = False) -> None:
        self.scene = scene
        self.source = source
        self.into = into  # dragged from the input port: the drop target feeds ``source``
        pen = QPen(QColor(scene.theme.selection), 2.0, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self.line = QGraphicsLineItem()
        self.line.setPen(pen)
        self.line.setZValue(1000)
        scene.addItem(self.line)
        start = self._anchor()
        self.line.setLine(QLineF(start, start))

    def _anchor(self) -> QPointF:
        return self.source.in_anchor() if self.into else self.source.out_anchor()

    def move_to(self, scene_pos: QPointF) -> None:
        self.line.setLine(QLineF(self._anchor(), scene_pos))

    def finish(self, scene_pos: QPointF) -> NodeItem | None:
        """Remove the rubber line; the node under the release point, if any and not the source."""
        self.scene.removeItem(self.line)
        target = self.scene.node_item_at(scene_pos)
        return target
