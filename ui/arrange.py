"""Arranging the selection: nudge, align and distribute, each one undoable MoveNodes command.

Pure functions of the document (no widgets): they read node positions and return the command
to push, or None when nothing would move. Positions are card top-left corners; alignment works
on the cards' edges and centres (every card is NODE_W × NODE_H).
"""

from __future__ import annotations

from collections.abc import Callable

from aifactory_twin.commands import MoveNodes
from aifactory_twin.document import FactoryDocument
from aifactory_twin.schema import Position

NUDGE_TAG = "nudge"

# name → (menu text, the new x or y of one card given all the selected cards' positions)
_Rule = Callable[[list[Position]], float]
ALIGNMENTS: dict[str, tuple[str, str, _Rule]] = {
    "left": ("Align Left", "x", lambda ps: min(p.x for p in ps)),
    "center": ("Align Centre", "x", lambda ps: (min(p.x for p in ps) + max(p.x for p in ps)) / 2),
    "right": ("Align Right", "x", lambda ps: max(p.x for p in ps)),
    "top": ("Align Top", "y", lambda ps: min(p.y for p in ps)),
    "middle": ("Align Middle", "y", lambda ps: (min(p.y for p in ps) + max(p.y for p in ps)) / 2),
    "bottom": ("Align Bottom", "y", lambda ps: max(p.y for p in ps)),
}
DISTRIBUTIONS = {"horizontal": "Distribute Horizontally", "vertical": "Distribute Vertically"}


def _moves(
    doc: FactoryDocument, new_positions: dict[str, Position]
) -> dict[str, tuple[Position, Position]]:
    out = {}
    for node_id, new in new_positions.items():
        old = doc.node(node_id).position
        if (round(old.x, 1), round(old.y, 1)) != (round(new.x, 1), round(new.y, 1)):
            out[node_id] = (old, Position(x=round(new.x, 1), y=round(new.y, 1)))
    return out


def nudge_command(
    doc: FactoryDocument, node_ids: list[str], dx: float, dy: float
) -> MoveNodes | None:
    """Move the nodes by (dx, dy); repeated nudges of the same nodes merge into one undo step."""
    if not node_ids or (dx == 0 and dy == 0):
        return None
    positions = {
        nid: Position(x=doc.node(nid).position.x + dx, y=doc.node(nid).position.y + dy)
        for nid in node_ids
    }
    moves = _moves(doc, positions)
    count = len(moves)
    text = f"Nudge {count:,} node{'s' if count != 1 else ''}"
    return MoveNodes(moves, text=text, merge_tag=NUDGE_TAG) if moves else None


def align_command(doc: FactoryDocument, node_ids: list[str], how: str) -> MoveNodes | None:
    """Line the nodes up on one edge or centre line (``ALIGNMENTS``); needs two or more."""
    if len(node_ids) < 2:
        return None
    text, axis, rule = ALIGNMENTS[how]
    current = [doc.node(nid).position for nid in node_ids]
    target = rule(current)
    positions = {
        nid: Position(x=target, y=p.y) if axis == "x" else Position(x=p.x, y=target)
        for nid, p in zip(node_ids, current, strict=True)
    }
    moves = _moves(doc, positions)
    return MoveNodes(moves, text=text) if moves else None


def distribute_command(doc: FactoryDocument, node_ids: list[str], axis: str) -> MoveNodes | None:
    """Space the nodes evenly between the outermost two along ``axis``; needs three or more."""
    if len(node_ids) < 3:
        return None
    key = "x" if axis == "horizontal" else "y"
    ordered = sorted(node_ids, key=lambda nid: (getattr(doc.node(nid).position, key), nid))
    first = getattr(doc.node(ordered[0]).position, key)
    last = getattr(doc.node(ordered[-1]).position, key)
    step = (last - first) / (len(ordered) - 1)
    positions = {}
    for i, nid in enumerate(ordered):
        p = doc.node(nid).position
        value = first + step * i
        positions[nid] = Position(x=value, y=p.y) if key == "x" else Position(x=p.x, y=value)
    moves = _moves(doc, positions)
    return MoveNodes(moves, text=DISTRIBUTIONS[axis]) if moves else None
