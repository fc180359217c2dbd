"""Qt-free undoable commands on a FactoryDocument, and a plain undo stack for headless use.

Each command is small and model-only (after orange-canvas-core's document/commands.py): it
records what it needs to undo itself when it first runs. The UI wraps the same objects in a
QUndoCommand adapter (ui/undo.py), so the editor and the tests exercise one implementation.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from aifactory_twin.document import FactoryDocument
from aifactory_twin.errors import Problem, ScenarioError, plain_message
from aifactory_twin.formatting import field_phrase
from aifactory_twin.paths import join_path, set_in
from aifactory_twin.schema import NODE_CLASSES, Edge, NodeBase, Position, refusal_reason


class Command:
    """Base: ``redo`` applies, ``undo`` reverts; ``merge_key`` lets consecutive edits merge.

    The undo stacks run each ``redo``/``undo`` inside ``doc.batch()``, so one command (however
    many items it touches) makes the document emit ``changed`` once.
    """

    text = "Edit"

    def redo(self, doc: FactoryDocument) -> None:
        """Apply the command to ``doc``."""
        raise NotImplementedError

    def undo(self, doc: FactoryDocument) -> None:
        """Revert what ``redo`` did to ``doc``."""
        raise NotImplementedError

    def merge_key(self) -> tuple[Any, ...] | None:
        """Commands with the same non-None key merge when pushed one after another."""
        return None

    def merge_with(self, other: Command) -> bool:
        """Fold ``other`` (pushed right after, same merge key) into this command; True if merged."""
        return False


def set_path(model: NodeBase, path: str, value: Any) -> NodeBase:
    """A copy of ``model`` with the dotted field ``path`` set to ``value``, fully validated.

    Raises ScenarioError naming the field when the value is invalid; the document is untouched.
    """
    data = model.model_dump(mode="python")
    if set_in(data, path, value, fill_none=True) is not None:
        raise ScenarioError([Problem(path, "no such field")])
    try:
        return type(model).model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(
            [
                Problem(join_path(err["loc"]) or path, plain_message(err["msg"]))
                for err in exc.errors()
            ]
        ) from None


def node_kind(node: NodeBase) -> str:
    """The ``kind`` tag of a node (every concrete node class defines it)."""
    return node.kind


class AddNodes(Command):
    """Add nodes, and edges among them (paste, duplicate, palette drop)."""

    def __init__(
        self, nodes: Sequence[NodeBase], edges: Sequence[Edge] = (), text: str = ""
    ) -> None:
        self.nodes = list(nodes)
        self.edges = list(edges)
        self.text = text or (
            f"Add {self.nodes[0].name or self.nodes[0].id}"
            if len(self.nodes) == 1
            else f"Add {len(self.nodes)} nodes"
        )

    def redo(self, doc: FactoryDocument) -> None:
        """Insert the nodes and edges."""
        doc.insert_many([(None, n) for n in self.nodes], [(None, e) for e in self.edges])

    def undo(self, doc: FactoryDocument) -> None:
        """Remove the nodes and edges again."""
        doc.remove_many([n.id for n in self.nodes], [e.id for e in self.edges])


class RemoveItems(Command):
    """Remove nodes and edges; a node's incident edges go with it and come back on undo."""

    def __init__(self, node_ids: Iterable[str] = (), edge_ids: Iterable[str] = ()) -> None:
        self.node_ids = list(dict.fromkeys(node_ids))
        self.edge_ids = list(dict.fromkeys(edge_ids))
        self._removed_nodes: list[tuple[int, NodeBase]] = []
        self._removed_edges: list[tuple[int, Edge]] = []
        count = len(self.node_ids) + len(self.edge_ids)
        self.text = f"Delete {count} item{'s' if count != 1 else ''}"

    def redo(self, doc: FactoryDocument) -> None:
        """Remove the nodes (with their incident edges) and the edges, remembering their places."""
        # Ids no longer in the document are skipped; a node's incident edges go with it.
        doomed = {nid for nid in self.node_ids if doc.has_node(nid)}
        chosen = set(self.edge_ids)
        edge_ids = [
            e.id
            for e in doc.edges.values()
            if e.id in chosen or e.source in doomed or e.target in doomed
        ]
        node_ids = [nid for nid in self.node_ids if nid in doomed]
        # Remember the original positions so undo restores the exact order (file diffs stay
        # small); the document reports them, and puts everything back in one rebuild.
        self._removed_nodes, self._removed_edges = doc.remove_many(node_ids, edge_ids)

    def undo(self, doc: FactoryDocument) -> None:
        """Put the removed nodes and edges back where they were."""
        doc.insert_many(self._removed_nodes, self._removed_edges)


class MoveNodes(Command):
    """Move nodes: one command per drag, holding every moved node's old and new position."""

    text = "Move"

    def __init__(
        self,
        moves: Mapping[str, tuple[Position, Position]],
        text: str = "",
        merge_tag: str = "",
    ) -> None:
        self.moves = dict(moves)
        self.text = text or ("Move" if len(self.moves) == 1 else f"Move {len(self.moves)} nodes")
        # Moves with the same tag of the same nodes merge (repeated arrow-key nudges are one
        # undo step); an untagged move (a drag) never merges.
        self.merge_tag = merge_tag

    def merge_key(self) -> tuple[Any, ...] | None:
        """Moves of the same nodes in one drag merge (None when the move is not tagged)."""
        if not self.merge_tag:
            return None
        return ("move", self.merge_tag, tuple(sorted(self.moves)))

    def merge_with(self, other: Command) -> bool:
        """Keep this move's start and take ``other``'s end."""
        if not isinstance(other, MoveNodes) or other.merge_key() != self.merge_key():
            return False
        self.moves = {nid: (old, other.moves[nid][1]) for nid, (old, _) in self.moves.items()}
        return True

    def _apply(self, doc: FactoryDocument, which: int) -> None:
        for node_id, positions in self.moves.items():
            node = doc.node(node_id)
            doc.replace_node(node.model_copy(update={"position": positions[which]}))

    def redo(self, doc: FactoryDocument) -> None:
        """Move the nodes to their new positions."""
        self._apply(doc, 1)

    def undo(self, doc: FactoryDocument) -> None:
        """Move the nodes back to their old positions."""
        self._apply(doc, 0)


class SetField(Command):
    """Set one (dotted) field on one or more nodes; consecutive edits of that field merge.

    The new nodes are validated when the command is made, so an invalid value raises
    ScenarioError before anything reaches the document or the undo stack.
    """

    def __init__(
        self, doc: FactoryDocument, node_ids: Sequence[str], path: str, value: Any
    ) -> None:
        self.node_ids = list(node_ids)
        self.path = path
        self.old = {nid: doc.node(nid) for nid in self.node_ids}
        self.new = {nid: set_path(node, path, value) for nid, node in self.old.items()}
        self.text = f"Set {field_phrase(path)}"

    def redo(self, doc: FactoryDocument) -> None:
        """Replace the nodes by their edited versions."""
        for node in self.new.values():
            doc.replace_node(node)

    def undo(self, doc: FactoryDocument) -> None:
        """Put the nodes as they were back."""
        for node in self.old.values():
            doc.replace_node(node)

    def merge_key(self) -> tuple[Any, ...]:
        """Edits of the same field of the same nodes merge."""
        return ("set_field", tuple(self.node_ids), self.path)

    def merge_with(self, other: Command) -> bool:
        """Keep this edit's old values and take ``other``'s new ones."""
        if not isinstance(other, SetField) or other.merge_key() != self.merge_key():
            return False
        self.new = other.new
        return True


class ReplaceNode(Command):
    """Replace a node by a new version with the same id (inspector form, preset applied)."""

    def __init__(self, doc: FactoryDocument, new: NodeBase, text: str = "Edit node") -> None:
        self.old = doc.node(new.id)
        self.new = new
        self.text = text

    def redo(self, doc: FactoryDocument) -> None:
        """Replace the node by its new version."""
        doc.replace_node(self.new)

    def undo(self, doc: FactoryDocument) -> None:
        """Put the old node back."""
        doc.replace_node(self.old)


class Connect(Command):
    """Add an edge; refused (ScenarioError) when the kinds may not connect that way."""

    def __init__(self, doc: FactoryDocument, edge: Edge) -> None:
        for end in (edge.source, edge.target):
            if not doc.has_node(end):
                raise ScenarioError([Problem("edge", f"no node with id {end!r}")])
        reason = refusal_reason(
            edge.kind, node_kind(doc.node(edge.source)), node_kind(doc.node(edge.target))
        )
        if reason:
            raise ScenarioError([Problem("edge", reason)])
        if edge.source == edge.target:
            raise ScenarioError([Problem("edge", "a node cannot connect to itself")])
        self.edge = edge
        self.text = f"Connect {edge.kind}"

    def redo(self, doc: FactoryDocument) -> None:
        """Add the edge."""
        doc.insert_edge(self.edge)

    def undo(self, doc: FactoryDocument) -> None:
        """Remove the edge again."""
        doc.remove_edge(self.edge.id)


class SetEdgeField(Command):
    """Set one value of an edge (a WAN link's latency or bandwidth); consecutive edits merge.

    The edge keeps its id and its place in the file: it is removed and put back edited. The
    new edge is validated when the command is made, so a bad value raises ScenarioError first.
    """

    def __init__(self, doc: FactoryDocument, edge_id: str, path: str, value: Any) -> None:
        self.old = doc.edge(edge_id)
        try:
            self.new = type(self.old).model_validate({**self.old.model_dump(), path: value})
        except ValidationError as exc:
            problems = [Problem(path, plain_message(e["msg"])) for e in exc.errors()]
            raise ScenarioError(problems) from None
        self.path = path
        self.text = f"Set {field_phrase(path)} of {edge_id}"

    def _swap(self, doc: FactoryDocument, edge: Edge) -> None:
        index = doc.edge_index(edge.id)
        doc.remove_edge(edge.id)
        doc.insert_edge(edge, index)

    def redo(self, doc: FactoryDocument) -> None:
        """Put the edited edge in place of the old one."""
        self._swap(doc, self.new)

    def undo(self, doc: FactoryDocument) -> None:
        """Put the old edge back."""
        self._swap(doc, self.old)

    def merge_key(self) -> tuple[Any, ...]:
        """Edits of the same value of the same edge merge."""
        return ("set_edge_field", self.old.id, self.path)

    def merge_with(self, other: Command) -> bool:
        """Keep this edit's old edge and take ``other``'s new one."""
        if not isinstance(other, SetEdgeField) or other.merge_key() != self.merge_key():
            return False
        self.new = other.new
        return True


class Disconnect(RemoveItems):
    """Remove edges only."""

    def __init__(self, edge_ids: Iterable[str]) -> None:
        super().__init__((), edge_ids)
        self.text = "Disconnect"


class SetPart(Command):
    """Replace a scenario-level part: meta, settings, workloads, variants or events."""

    def __init__(self, doc: FactoryDocument, part: str, value: Any, text: str = "") -> None:
        self.part = part
        self.old = copy.copy(doc.part(part))
        self.new = value
        self.text = text or f"Edit {part}"

    def redo(self, doc: FactoryDocument) -> None:
        """Set the scenario part to its new value."""
        doc.set_part(self.part, self.new)

    def undo(self, doc: FactoryDocument) -> None:
        """Set the scenario part back to its old value."""
        doc.set_part(self.part, self.old)

    def merge_key(self) -> tuple[Any, ...]:
        """Edits of the same part with the same label merge."""
        return ("set_part", self.part, self.text)

    def merge_with(self, other: Command) -> bool:
        """Keep this edit's old value and take ``other``'s new one."""
        if not isinstance(other, SetPart) or other.merge_key() != self.merge_key():
            return False
        self.new = other.new
        return True


class Macro(Command):
    """Several commands as one undo step; undone in reverse order."""

    def __init__(self, text: str, commands: Sequence[Command]) -> None:
        self.text = text
        self.commands = list(commands)

    def redo(self, doc: FactoryDocument) -> None:
        """Apply the commands in order."""
        for cmd in self.commands:
            cmd.redo(doc)

    def undo(self, doc: FactoryDocument) -> None:
        """Revert the commands in reverse order."""
        for cmd in reversed(self.commands):
            cmd.undo(doc)


def new_node(kind: str, node_id: str, **fields: Any) -> NodeBase:
    """Build a validated node of ``kind`` (raises ScenarioError naming the field)."""
    cls = NODE_CLASSES.get(kind)
    if cls is None:
        raise ScenarioError([Problem("kind", f"unknown node kind {kind!r}")])
    try:
        return cls.model_validate({"id": node_id, **fields})
    except ValidationError as exc:
        raise ScenarioError(
            [Problem(join_path(e["loc"]), e["msg"]) for e in exc.errors()]
        ) from None


class UndoStack:
    """A headless undo stack (CLI, tests); the app uses QUndoStack through ui/undo.py."""

    def __init__(self, doc: FactoryDocument) -> None:
        self.doc = doc
        self._done: list[Command] = []
        self._undone: list[Command] = []
        self._clean_index: int | None = 0

    def push(self, cmd: Command) -> None:
        """Apply ``cmd`` (one ``changed`` signal), merged into the last when their keys match."""
        with self.doc.batch():
            cmd.redo(self.doc)
        self._undone.clear()
        last = self._done[-1] if self._done else None
        if (
            last is not None
            and cmd.merge_key() is not None
            and len(self._done) != self._clean_index
            and last.merge_with(cmd)
        ):
            return
        if self._clean_index is not None and self._clean_index > len(self._done):
            self._clean_index = None
        self._done.append(cmd)

    def undo(self) -> bool:
        """Revert the last command; False when there is nothing to undo."""
        if not self._done:
            return False
        cmd = self._done.pop()
        with self.doc.batch():
            cmd.undo(self.doc)
        self._undone.append(cmd)
        return True

    def redo(self) -> bool:
        """Apply the last undone command again; False when there is nothing to redo."""
        if not self._undone:
            return False
        cmd = self._undone.pop()
        with self.doc.batch():
            cmd.redo(self.doc)
        self._done.append(cmd)
        return True

    def can_undo(self) -> bool:
        """Whether there is a command to undo."""
        return bool(self._done)

    def can_redo(self) -> bool:
        """Whether there is an undone command to redo."""
        return bool(self._undone)

    def set_clean(self) -> None:
        """Mark the current state as saved."""
        self._clean_index = len(self._done)

    def is_clean(self) -> bool:
        """Whether the document is as it was when last marked saved."""
        return self._clean_index == len(self._done)
