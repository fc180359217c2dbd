"""The editor's collaborators, passed explicitly, and the editing operations built on them.

``EditorContext`` names what a panel or an operation may use: the document, its undo stack,
the canvas (which holds the selection), the view, the one write path ``push`` and the status
line. Panels receive it instead of reaching for ``self.window().scene``. ``EditorOps`` turns
user requests (copy, paste here, nudge, align, find…) into core commands through ``push``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPointF
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication

from aifactory_twin.commands import Command, Connect, RemoveItems
from aifactory_twin.document import FactoryDocument
from aifactory_twin.errors import ScenarioError
from aifactory_twin.schema import make_edge
from ui.arrange import align_command, distribute_command, nudge_command
from ui.canvas.interactions import choose_edge
from ui.canvas.items import NODE_H, NODE_W
from ui.canvas.scene import GRID, FactoryScene
from ui.canvas.view import FactoryView
from ui.edit_ops import (
    copy_payload,
    duplicate_command,
    layout_command,
    paste_command,
    place_command,
)
from ui.undo import DocumentUndoStack

NUDGE_FAST = 10  # Shift+arrow moves this many grid steps


def nodes_text(count: int) -> str:
    return f"{count:,} node{'s' if count != 1 else ''}"


def _items_text(nodes: int, edges: int) -> str:
    """``2 nodes and 5 edges``, ``1 edge``."""
    parts = [nodes_text(nodes)] if nodes else []
    if edges:
        parts.append(f"{edges:,} edge{'s' if edges != 1 else ''}")
    return " and ".join(parts)


@dataclass
class EditorContext:
    """What the editor's panels and operations work with (no window lookups)."""

    doc: FactoryDocument
    stack: DocumentUndoStack
    scene: FactoryScene
    view: FactoryView
    push: Callable[[Command], None]
    status: Callable[[str], None]

    def selected_node_ids(self) -> list[str]:
        return self.scene.selected_node_ids()

    def select_nodes(self, node_ids: list[str]) -> None:
        self.scene.select_nodes(node_ids)


class EditorOps:
    """Canvas editing requests → core commands on the stack (one undo step each)."""

    def __init__(self, ctx: EditorContext) -> None:
        self.ctx = ctx

    # ------------------------------------------------------------ create / connect
    def place(self, spec: str, x: float, y: float) -> None:
        ctx = self.ctx
        grid = ctx.scene.snap_grid
        if grid:
            x, y = round(x / grid) * grid, round(y / grid) * grid
        try:
            command = place_command(ctx.doc, spec, x, y)
        except ScenarioError as exc:
            ctx.status(f"Cannot place: {exc.problems[0].message}")
            return
        ctx.push(command)
        ctx.select_nodes([n.id for n in command.nodes])
        ctx.status(f"Added {command.nodes[0].id}")

    def connect(self, first_id: str, second_id: str) -> None:
        """Join two nodes with the edge the rules allow, in the physical direction."""
        ctx = self.ctx
        choice = choose_edge(ctx.doc, first_id, second_id)
        if choice.refusal:
            ctx.status(f"Connection refused: {choice.refusal}")
            return
        edge = make_edge(ctx.doc.fresh_id(choice.kind), choice.kind, choice.source, choice.target)
        try:
            command = Connect(ctx.doc, edge)
        except ScenarioError as exc:
            ctx.status(f"Connection refused: {exc.problems[0].message}")
            return
        ctx.push(command)
        note = f" (also allowed: {', '.join(choice.alternatives)})" if choice.alternatives else ""
        if choice.source != first_id:
            # Dragged against the flow: say which way the edge really points.
            note += (
                f"; drawn the other way, so connected in the physical direction: "
                f"{choice.kind} flows from {choice.source} to {choice.target}"
            )
        ctx.status(f"Connected {choice.source} → {choice.target} with a {choice.kind} edge{note}")

    # ------------------------------------------------------------ clipboard
    def delete_selection(self) -> None:
        nodes, edges = self.ctx.scene.selected_node_ids(), self.ctx.scene.selected_edge_ids()
        if nodes or edges:
            doc = self.ctx.doc
            before = len(doc.nodes), len(doc.edges)
            self.ctx.push(RemoveItems(nodes, edges))
            # Say what went, connections included: a node's edges go with it, unasked.
            gone = _items_text(before[0] - len(doc.nodes), before[1] - len(doc.edges))
            self.ctx.status(f"Deleted {gone} (Ctrl+Z brings them back)")

    def copy_selection(self, verb: str = "Copied") -> bool:
        ids = self.ctx.selected_node_ids()
        if not ids:
            return False
        QApplication.clipboard().setText(copy_payload(self.ctx.doc, ids))
        self.ctx.status(f"{verb} {nodes_text(len(ids))}")
        return True

    def cut_selection(self) -> None:
        if self.copy_selection(verb="Cut"):
            nodes = self.ctx.selected_node_ids()
            command = RemoveItems(nodes, self.ctx.scene.selected_edge_ids())
            command.text = f"Cut {nodes_text(len(nodes))}"
            self.ctx.push(command)

    def paste(self, at: QPointF | None = None) -> None:
        """Paste the clipboard's nodes with their top-left at ``at`` (a scene point).

        Without ``at``: at the mouse pointer when it is over the canvas (Ctrl+V where you
        point), else offset from the copied nodes.
        """
        ctx = self.ctx
        if at is None:
            viewport = ctx.view.viewport()
            local = viewport.mapFromGlobal(QCursor.pos())
            if viewport.rect().contains(local) and viewport.underMouse():
                at = ctx.view.mapToScene(local)
        where = None if at is None else (at.x(), at.y())
        try:
            command = paste_command(ctx.doc, QApplication.clipboard().text(), at=where)
        except ScenarioError as exc:
            ctx.status(f"Cannot paste: {exc.problems[0].message}")
            return
        ctx.push(command)
        ctx.select_nodes([n.id for n in command.nodes])
        ctx.status(f"Pasted {nodes_text(len(command.nodes))}")

    def duplicate_selection(self) -> None:
        ids = self.ctx.selected_node_ids()
        if not ids:
            return
        command = duplicate_command(self.ctx.doc, ids)
        self.ctx.push(command)
        self.ctx.select_nodes([n.id for n in command.nodes])
        self.ctx.status(f"Duplicated {nodes_text(len(command.nodes))}")

    # ------------------------------------------------------------ selection
    def select_all(self) -> None:
        """Every node, including cards not built yet or drawn by the zoomed-out overview."""
        self.ctx.scene.select_all_nodes()

    def select_connected(self) -> None:
        """Add every node joined to the selection by an edge (one hop)."""
        ctx = self.ctx
        ids = ctx.selected_node_ids()
        if not ids:
            return
        found = dict.fromkeys(ids)
        for node_id in ids:
            for edge in ctx.doc.incident_edges(node_id):
                found.setdefault(edge.target if edge.source == node_id else edge.source)
        ctx.select_nodes(list(found))
        ctx.status(f"Selected {nodes_text(len(found))} ({len(found) - len(ids):,} connected)")

    def focus_nodes(self, node_ids: list[str]) -> None:
        """Select the nodes and bring the first into view."""
        scene = self.ctx.scene
        if scene.pending_count:
            scene.materialize_all()  # a node found by name may not have a card yet
        scene.select_nodes(node_ids)
        item = scene.node_items.get(node_ids[0]) if node_ids else None
        if item is not None:
            self.ctx.view.bring_into_view(item.sceneBoundingRect())

    def bring_into_view(self) -> None:
        items = self.ctx.scene.selectedItems()
        if not items:
            return
        rect = items[0].sceneBoundingRect()
        for item in items[1:]:
            rect = rect.united(item.sceneBoundingRect())
        self.ctx.view.bring_into_view(rect)

    def find(self, text: str, after: str = "") -> str | None:
        """Select and centre the node whose id or name matches ``text``; its id, or None.

        An exact id wins; otherwise names and ids containing the text (case-insensitive), in
        document order, starting after ``after`` so pressing Enter again finds the next one.
        """
        ctx = self.ctx
        needle = text.strip().casefold()
        if not needle:
            return None
        if ctx.doc.has_node(text.strip()):
            hits = [text.strip()]
        else:
            hits = [
                n.id
                for n in ctx.doc.nodes.values()
                if needle in n.id.casefold() or needle in n.name.casefold()
            ]
        if not hits:
            ctx.status(f"No node matches “{text.strip()}”")
            return None
        index = hits.index(after) + 1 if after in hits else 0
        node_id = hits[index % len(hits)]
        self.focus_nodes([node_id])
        node = ctx.doc.node(node_id)
        where = f" ({index % len(hits) + 1} of {len(hits):,})" if len(hits) > 1 else ""
        ctx.status(f"Found {node.name or node_id} [{node_id}]{where}")
        return node_id

    # ------------------------------------------------------------ arrange
    def auto_layout(self) -> None:
        command = layout_command(self.ctx.doc)
        if command is None:
            self.ctx.status("Auto-layout: already laid out")
            return
        self.ctx.push(command)
        self.ctx.view.fit_all()
        self.ctx.status(f"Auto-layout moved {nodes_text(len(command.moves))} (one undo step)")

    def nudge(self, dx_steps: int, dy_steps: int, fast: bool = False) -> None:
        """Arrow keys: one grid step (Shift: NUDGE_FAST steps); repeats merge into one undo."""
        step = GRID * (NUDGE_FAST if fast else 1)
        command = nudge_command(
            self.ctx.doc, self.ctx.selected_node_ids(), dx_steps * step, dy_steps * step
        )
        if command is not None:
            self.ctx.push(command)

    def align(self, how: str) -> None:
        command = align_command(self.ctx.doc, self.ctx.selected_node_ids(), how)
        if command is None:
            self.ctx.status("Align: select two or more nodes that are not already in line")
            return
        self.ctx.push(command)

    def distribute(self, axis: str) -> None:
        command = distribute_command(self.ctx.doc, self.ctx.selected_node_ids(), axis)
        if command is None:
            self.ctx.status("Distribute: select three or more nodes not already evenly spaced")
            return
        self.ctx.push(command)

    def place_at_center(self, spec: str) -> None:
        """Palette double-click: place at the middle of the view, never exactly on a node."""
        center = self.ctx.view.visible_center()
        x, y = center.x() - NODE_W / 2, center.y() - NODE_H / 2
        taken = {(n.position.x, n.position.y) for n in self.ctx.doc.nodes.values()}
        while (round(x, 1), round(y, 1)) in taken:
            x, y = x + 30, y + 30
        self.place(spec, x, y)
