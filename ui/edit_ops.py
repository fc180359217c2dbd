"""Edit operations that build core commands: place, copy/paste/duplicate, auto-layout.

Pure functions of the document (no widgets), so tests can check them directly and the window
only pushes what they return.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from typing import Any

import networkx as nx
from pydantic import TypeAdapter, ValidationError

from aifactory_twin.catalog import NODE_PRESETS, preset_node
from aifactory_twin.commands import AddNodes, MoveNodes, new_node
from aifactory_twin.document import FactoryDocument
from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.kinds import KIND_INFO, id_prefix, kind_label
from aifactory_twin.schema import HEAT_REJECTORS, AnyEdge, Edge, Node, NodeBase, Position
from ui.canvas.items import NODE_H, NODE_W

CLIP_FORMAT = "aifactory-twin-nodes"
PASTE_OFFSET = 40.0
_NODE_ADAPTER: TypeAdapter[Any] = TypeAdapter(Node)
_EDGE_ADAPTER: TypeAdapter[Edge] = TypeAdapter(AnyEdge)
_SUFFIX_RE = re.compile(r"-\d+$")


def place_command(doc: FactoryDocument, spec: str, x: float, y: float) -> AddNodes:
    """AddNodes for a palette spec (``kind:…`` or ``preset:…``) with its top-left at (x, y)."""
    what, _, name = spec.partition(":")
    position = Position(x=round(x, 1), y=round(y, 1))
    if what == "preset":
        preset = NODE_PRESETS.get(name)
        if preset is None:
            raise ScenarioError([Problem("preset", f"unknown preset {name!r}")])
        node_id = doc.fresh_id(id_prefix(preset.kind))
        node = preset_node(name, node_id, position=position)
    elif what == "kind":
        node_id = doc.fresh_id(id_prefix(name))
        node = new_node(name, node_id, name=_default_name(name, node_id), position=position)
    else:
        raise ScenarioError([Problem("palette", f"not a palette entry: {spec!r}")])
    return AddNodes([node], text=f"Add {node.name or node.id}")


def _default_name(kind: str, node_id: str) -> str:
    """``rack-3`` → "Rack 3"; an acronym keeps its capitals: ``ups-1`` → "UPS 1", not "Ups 1"."""
    prefix, _, number = node_id.rpartition("-")
    label = kind_label(kind)
    word = label if label.casefold() == prefix.casefold() else prefix.capitalize()
    return f"{word} {number}" if prefix else node_id.capitalize()


# ------------------------------------------------------------------ clipboard
def copy_payload(doc: FactoryDocument, node_ids: list[str]) -> str:
    """JSON text for the clipboard: the nodes and the edges among them."""
    chosen = set(node_ids)
    nodes = [doc.node(nid).model_dump(mode="json") for nid in node_ids if doc.has_node(nid)]
    edges = [
        e.model_dump(mode="json")
        for e in doc.edges.values()
        if e.source in chosen and e.target in chosen
    ]
    return json.dumps({"format": CLIP_FORMAT, "nodes": nodes, "edges": edges})


def paste_command(
    doc: FactoryDocument,
    text: str,
    offset: float = PASTE_OFFSET,
    at: tuple[float, float] | None = None,
) -> AddNodes:
    """AddNodes for clipboard text: fresh ids, internal edges remapped, positions shifted.

    The shift is ``offset`` in both directions, or, with ``at``, whatever puts the nodes'
    top-left corner there (paste at the cursor).
    """
    try:
        data = json.loads(text)
    except ValueError:
        raise ScenarioError([Problem("clipboard", "does not hold factory nodes")]) from None
    if not isinstance(data, dict) or data.get("format") != CLIP_FORMAT:
        raise ScenarioError([Problem("clipboard", "does not hold factory nodes")])
    try:
        nodes: list[NodeBase] = [_NODE_ADAPTER.validate_python(n) for n in data["nodes"]]
        edges = [_EDGE_ADAPTER.validate_python(e) for e in data.get("edges", [])]
    except (ValidationError, KeyError, TypeError) as exc:
        raise ScenarioError([Problem("clipboard", f"invalid nodes: {exc}")]) from None
    if at is not None and nodes:
        dx = at[0] - min(n.position.x for n in nodes)
        dy = at[1] - min(n.position.y for n in nodes)
        return _clone_command(doc, nodes, edges, (dx, dy), "Paste")
    return _clone_command(doc, nodes, edges, (offset, offset), "Paste")


def duplicate_command(doc: FactoryDocument, node_ids: list[str]) -> AddNodes:
    chosen = set(node_ids)
    nodes = [doc.node(nid) for nid in node_ids]
    edges = [e for e in doc.edges.values() if e.source in chosen and e.target in chosen]
    return _clone_command(doc, nodes, edges, (PASTE_OFFSET, PASTE_OFFSET), "Duplicate")


def _clone_command(
    doc: FactoryDocument,
    nodes: list[NodeBase],
    edges: list[Edge],
    offset: tuple[float, float],
    verb: str,
) -> AddNodes:
    if not nodes:
        raise ScenarioError([Problem("clipboard", "nothing to paste")])
    taken = set(doc.nodes) | set(doc.edges)
    id_map: dict[str, str] = {}
    clones: list[NodeBase] = []
    for node in nodes:
        new_id = _fresh(node.id, taken)
        id_map[node.id] = new_id
        moved = Position(
            x=round(node.position.x + offset[0], 1), y=round(node.position.y + offset[1], 1)
        )
        clones.append(node.model_copy(update={"id": new_id, "position": moved}))
    edge_clones = [
        e.model_copy(
            update={
                "id": _fresh(e.id, taken),
                "source": id_map[e.source],
                "target": id_map[e.target],
            }
        )
        for e in edges
        if e.source in id_map and e.target in id_map
    ]
    count = len(clones)
    text = f"{verb} {clones[0].name or clones[0].id}" if count == 1 else f"{verb} {count} nodes"
    return AddNodes(clones, edge_clones, text=text)


def _fresh(old_id: str, taken: set[str]) -> str:
    """``rack-3`` → the first free ``rack-N``; the new id is added to ``taken``."""
    base = _SUFFIX_RE.sub("", old_id) or "node"
    n = 1
    while f"{base}-{n}" in taken:
        n += 1
    new_id = f"{base}-{n}"
    taken.add(new_id)
    return new_id


# ------------------------------------------------------------------ layout
def _layer(node: Any) -> float:
    """Columns follow the flows left to right: feed → UPS → PDU → CRAH/CDU → racks → fabric.

    Heat rejectors (chillers, towers) stand beside the UPS; room units (CRAH, CDU) get their
    own column between the PDUs that power them and the racks they cool.
    """
    kind = node.kind
    if kind == "cooling_unit":
        return 1 if node.cooling_type in HEAT_REJECTORS else 2.5
    info = KIND_INFO.get(kind)
    return info.layout_column if info is not None else 3


COLUMN_GAP = 110.0
ROW_GAP = 26.0
BLOCK_GAP = 140.0


def layout_positions(doc: FactoryDocument) -> dict[str, Position]:
    """A layered (Sugiyama-style) layout over the networkx graph of the factory.

    Each group (hall) is laid out as its own block and blocks are stacked, so group frames do
    not overlap. Nodes sit in columns by kind (``_layer``), and a kind's column has the same x
    in every block: the PDUs outside a hall line up left of the racks inside it, so the flows
    still run left to right across blocks. Each column is ordered by the barycentre of the
    node's neighbours in earlier columns (one sweep of the classic crossing-reduction
    heuristic) and wraps into sub-columns when it is very tall.
    """
    graph = nx.Graph()
    for node in doc.nodes.values():
        graph.add_node(node.id, layer=_layer(node), group=node.group)
    graph.add_edges_from((e.source, e.target) for e in doc.edges.values())
    blocks: dict[str, list[str]] = defaultdict(list)
    for node_id, attrs in graph.nodes(data=True):
        blocks[attrs["group"]].append(node_id)
    ordered = [_order_block(graph, blocks[g]) for g in sorted(blocks, key=lambda g: (g == "", g))]
    # A layer is as wide as its widest block needs (sub-columns), at one x for all blocks.
    width: dict[float, int] = defaultdict(int)
    for columns in ordered:
        for layer, (sub_columns, _rows, _ids) in columns.items():
            width[layer] = max(width[layer], sub_columns)
    x_of: dict[float, float] = {}
    x = 0.0
    for layer in sorted(width):
        x_of[layer] = x
        x += width[layer] * (NODE_W + COLUMN_GAP / 2) + COLUMN_GAP / 2
    positions: dict[str, Position] = {}
    top = 0.0
    for columns in ordered:
        height = 0.0
        for layer, (_sub, rows, ids) in columns.items():
            for i, nid in enumerate(ids):
                sub, row = divmod(i, rows)
                positions[nid] = Position(
                    x=x_of[layer] + sub * (NODE_W + COLUMN_GAP / 2),
                    y=top + row * (NODE_H + ROW_GAP),
                )
            height = max(height, rows * (NODE_H + ROW_GAP))
        top += height + BLOCK_GAP
    return positions


def _order_block(graph: Any, members: list[str]) -> dict[float, tuple[int, int, list[str]]]:
    """Per layer of one block: (sub-columns, rows per sub-column, node ids in order)."""
    by_layer: dict[float, list[str]] = defaultdict(list)
    for nid in members:
        by_layer[graph.nodes[nid]["layer"]].append(nid)
    max_rows = max(6, math.ceil(math.sqrt(len(members)) * 1.5))
    rank: dict[str, float] = {}
    out: dict[float, tuple[int, int, list[str]]] = {}
    for layer in sorted(by_layer):
        column = by_layer[layer]
        order = {nid: i for i, nid in enumerate(column)}

        def barycentre(nid: str, order: dict[str, int] = order) -> tuple[float, int]:
            ranks = [rank[m] for m in graph.neighbors(nid) if m in rank]
            return (sum(ranks) / len(ranks) if ranks else math.inf, order[nid])

        column.sort(key=barycentre)
        sub_columns = math.ceil(len(column) / max_rows)
        rows = math.ceil(len(column) / sub_columns)
        for i, nid in enumerate(column):
            rank[nid] = i / max(len(column) - 1, 1)
        out[layer] = (sub_columns, rows, column)
    return out


def layout_command(doc: FactoryDocument) -> MoveNodes | None:
    """One MoveNodes for the whole auto-layout, or None when nothing would move."""
    target = layout_positions(doc)
    moves = {
        nid: (doc.node(nid).position, pos)
        for nid, pos in target.items()
        if doc.node(nid).position != pos
    }
    if not moves:
        return None
    command = MoveNodes(moves)
    command.text = "Auto-layout"
    return command
